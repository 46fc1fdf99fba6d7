"""``/sitemap.xml``: an index of one sitemap per section of the public site, each page in both
languages with its alternates (hreflang). A section is one ``Sitemap`` class and one line in
``SITEMAPS``; Django splits a section into pages of 50,000 addresses (``?p=2``...)."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, reverse

from libranet.events.models import Event
from libranet.meetings.selectors import published_meetings
from libranet.network.models import Center
from libranet.news.selectors import published_articles
from libranet.resources.models import Resource
from libranet.videos.selectors import published_videos


class PublicSitemap(Sitemap):
    """Every address in each of the site's languages, with the others as its alternates. An
    item is a URL name (a list page) or an object with its own page (``get_absolute_url``)."""

    i18n = True
    alternates = True
    x_default = False

    def location(self, item) -> str:
        return reverse(item) if isinstance(item, str) else item.get_absolute_url()

    def lastmod(self, item):
        return None if isinstance(item, str) else getattr(item, "updated_at", None)


class PagesSitemap(PublicSitemap):
    """The fixed pages: the home and the directory of centers."""

    def items(self) -> list[str]:
        return ["public:home", "public:directory", "public:resources"]


class CentersSitemap(PublicSitemap):
    def items(self):
        return Center.objects.only("code", "updated_at").order_by("code")

    def location(self, item: Center) -> str:
        return reverse("public:center", kwargs={"code": item.code})

    def lastmod(self, item: Center):
        return item.updated_at


class ResourcesSitemap(PublicSitemap):
    def items(self):
        return Resource.objects.public_metadata().only("identifier", "modified_at").order_by("pk")

    def location(self, item: Resource) -> str:
        return reverse("public:resource", kwargs={"identifier": item.identifier})

    def lastmod(self, item: Resource):
        return item.modified_at


class MeetingsSitemap(PublicSitemap):
    def items(self):
        return ["meetings_public:list", *published_meetings()]


class NewsSitemap(PublicSitemap):
    def items(self):
        return ["news:list", *published_articles().only("pk", "slug", "updated_at")]


class EventsSitemap(PublicSitemap):
    def items(self):
        return [
            "events:list",
            *Event.objects.filter(published=True).only("pk", "updated_at").order_by("pk"),
        ]

    def location(self, item: "str | Event") -> str:
        return reverse(item) if isinstance(item, str) else reverse("events:detail", args=[item.pk])


class VideosSitemap(PublicSitemap):
    def items(self) -> list[str]:
        return ["videos_public:list"]

    def lastmod(self, item: str):
        latest = published_videos().first()
        return latest.published_at if latest else None


# The sections of /sitemap.xml, each at /sitemap-<name>.xml: add a section here in one line.
SITEMAPS: dict[str, type[Sitemap]] = {
    "pages": PagesSitemap,
    "centers": CentersSitemap,
    "resources": ResourcesSitemap,
    "meetings": MeetingsSitemap,
    "news": NewsSitemap,
    "events": EventsSitemap,
    "video": VideosSitemap,
}

urlpatterns = [
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]
