"""RSS 2.0 and Atom feeds of the published news, in the page's language, of one section
(``?section=regional|foreign``) or one region (``?region=RU-TVE``) or all."""

from typing import Any

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from libranet.network.models import Region

from .models import Article, Section
from .public_views import news_filters
from .selectors import filtered_articles

ITEMS = 30


class NewsRss(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        filters = news_filters(request.GET)
        return {"section": filters["section"], "region": filters["region"]}

    def title(self, obj: dict[str, Any]) -> str:
        parts = [_("Network news of the Presidential Library")]
        if obj["section"]:
            parts.append(str(Section(obj["section"]).label))
        region = Region.objects.filter(code=obj["region"]).first() if obj["region"] else None
        if region is not None:
            parts.append(region.name)
        return " · ".join(parts)

    def link(self, obj: dict[str, Any]) -> str:
        return reverse("news:list")

    def description(self, obj: dict[str, Any]) -> str:
        return _("News of the regional and foreign network of the Presidential Library.")

    def items(self, obj: dict[str, Any]) -> Any:
        return filtered_articles(
            section=obj["section"], region=obj["region"], language=self._suffix()
        )[:ITEMS]

    # No ``language``: the feed's is the page's (Django's default, ``get_language``).
    def _suffix(self) -> str:
        return "en" if (get_language() or "ru").startswith("en") else "ru"

    def item_title(self, item: Article) -> str:
        return getattr(item, f"title_{self._suffix()}")

    def item_description(self, item: Article) -> str:
        suffix = self._suffix()
        lead = getattr(item, f"lead_{suffix}")
        # The lead is plain text, the body cleaned markup: the feed escapes both as it writes.
        return (f"<p>{escape(lead)}</p>" if lead else "") + getattr(item, f"body_{suffix}")

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Article) -> Any:
        return item.published_at

    def item_updateddate(self, item: Article) -> Any:
        return item.updated_at

    def item_categories(self, item: Article) -> list[str]:
        return [str(Section(item.section).label)]


class NewsAtom(NewsRss):
    feed_type = Atom1Feed
    subtitle = NewsRss.description
