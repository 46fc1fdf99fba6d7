"""The public site's news (under /<lang>/news/): the published articles with filters by
section, region, country and year, each article's page, and the covers."""

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from libranet.network.models import Country, Region
from libranet.network.permissions import can_see_article

from .models import Article, ArticleState, Section
from .selectors import article_by_key, filtered_articles, published_articles

PER_PAGE = 10


def _english() -> bool:
    return (get_language() or "ru").startswith("en")


def news_filters(params: Any) -> dict[str, Any]:
    """The filters a request's query names, those that are valid (others are ignored)."""
    section = params.get("section", "")
    year = params.get("year", "")
    return {
        "section": section if section in Section.values else "",
        "region": params.get("region", "")[:10],
        "country": params.get("country", "")[:2],
        "year": int(year) if year.isdigit() and len(year) == 4 else None,
    }


def feed_links(filters: dict[str, Any] | None = None) -> list[tuple[str, str, str]]:
    """The feeds a page advertises: (type, title, address) for RSS and Atom of ``filters``."""
    query = {k: v for k, v in (filters or {}).items() if k in ("section", "region") and v}
    suffix = f"?{urlencode(query)}" if query else ""
    return [
        ("application/rss+xml", _("News (RSS)"), reverse("news:feed_rss") + suffix),
        ("application/atom+xml", _("News (Atom)"), reverse("news:feed_atom") + suffix),
    ]


def _with_news(model: Any) -> Any:
    """The regions (or countries) that published news name, or whose centers they name."""
    published = ArticleState.PUBLISHED
    return (
        model.objects.filter(Q(centers__articles__state=published) | Q(articles__state=published))
        .distinct()
        .order_by("name_en" if _english() else "name_ru")
    )


@require_safe
def article_list(request):
    filters = news_filters(request.GET)
    articles = filtered_articles(**filters).prefetch_related("centers")
    page = Paginator(articles, PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in filters.items() if v})
    years = published_articles().dates("published_at", "year", order="DESC")
    return render(
        request,
        "news/public/list.html",
        {
            "page": page,
            "query": query,
            "filters": filters,
            "filtered": bool(query),
            "sections": Section.choices,
            "regions": _with_news(Region),
            "countries": _with_news(Country),
            "years": [d.year for d in years],
            "feeds": feed_links(filters),
            "crumbs": [(_("News"), None)],
        },
    )


def _version(article: Article) -> dict[str, Any]:
    """The article's texts in the page's language, else the Russian ones marked as such."""
    english = _english()
    use_english = english and bool(article.title_en)
    suffix = "en" if use_english else "ru"
    return {
        "title": getattr(article, f"title_{suffix}"),
        "lead": getattr(article, f"lead_{suffix}"),
        "body": getattr(article, f"body_{suffix}"),
        "lang": suffix,
        "fallback": english and not use_english,
    }


@require_safe
def article_detail(request, key: str):
    article = article_by_key(published_articles(), key)
    if article is None:
        raise Http404
    version = _version(article)
    page_url = request.build_absolute_uri(article.get_absolute_url())
    cover_url = (
        request.build_absolute_uri(reverse("news:cover", kwargs={"pk": article.pk}))
        if article.cover
        else ""
    )
    description = strip_tags(version["lead"] or version["body"])[:300]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": version["title"],
        "description": description,
        "datePublished": article.published_at.isoformat() if article.published_at else None,
        "dateModified": article.updated_at.isoformat(),
        "inLanguage": version["lang"],
        "url": page_url,
        "publisher": {"@type": "Organization", "name": _("Presidential Library")},
    }
    if cover_url:
        data["image"] = [cover_url]
    return render(
        request,
        "news/public/article.html",
        {
            "article": article,
            "version": version,
            "description": description,
            "page_url": page_url,
            "cover_url": cover_url,
            # Escaped for a <script> element: "<" never closes it.
            "json_ld": json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"),
            "centers": article.centers.order_by("code"),
            "events": article.events.filter(published=True).order_by("starts_at"),
            "feeds": feed_links({"section": article.section}),
            "crumbs": [(_("News"), reverse("news:list")), (version["title"], None)],
        },
    )


@require_safe
def article_cover(request, pk: int, thumbnail: bool = False):
    """The cover (or its thumbnail) of a published article, of any to those who may see it."""
    article = get_object_or_404(Article, pk=pk)
    name = article.cover_thumbnail if thumbnail else article.cover
    if not name:
        raise Http404
    if not can_see_article(request.user, article):
        raise PermissionDenied
    if not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"))
    response["Content-Type"] = "image/jpeg" if thumbnail else article.cover_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = (
        "public, max-age=3600" if article.state == "published" else "private"
    )
    return response
