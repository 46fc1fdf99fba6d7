"""The news feeds a page advertises in its head: ``{% load news_feeds %}{% news_feed_links %}``
(all the news) or ``{% news_feed_links feeds %}`` (those a news page computed); and a center's
latest news on its page (``{% center_news center %}``)."""

from typing import Any

from django import template

from libranet.news.public_views import feed_links
from libranet.news.selectors import published_articles

register = template.Library()


@register.inclusion_tag("news/_feed_links.html")
def news_feed_links(feeds: Any = None) -> dict[str, Any]:
    return {"feeds": feeds if feeds is not None else feed_links()}


@register.inclusion_tag("news/_center_news.html")
def center_news(center: Any, limit: int = 5) -> dict[str, Any]:
    """The latest published news about a center, for its public page."""
    return {
        "center": center,
        "articles": list(published_articles().filter(centers=center)[:limit]),
    }
