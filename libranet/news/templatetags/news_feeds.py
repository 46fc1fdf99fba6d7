"""The news feeds a page advertises in its head: ``{% load news_feeds %}{% news_feed_links %}``
(all the news) or ``{% news_feed_links feeds %}`` (those a news page computed)."""

from typing import Any

from django import template

from libranet.news.public_views import feed_links

register = template.Library()


@register.inclusion_tag("news/_feed_links.html")
def news_feed_links(feeds: Any = None) -> dict[str, Any]:
    return {"feeds": feeds if feeds is not None else feed_links()}
