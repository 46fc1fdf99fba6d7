"""The public video page in ``/sitemap.xml`` (libranet.public.sitemaps)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .selectors import published_videos


class VideosSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = False

    def items(self) -> list[str]:
        return ["videos_public:list"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str):
        latest = published_videos().first()
        return latest.published_at if latest else None
