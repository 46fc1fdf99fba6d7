"""The network's news: published articles for everyone; drafts and articles in review for
their authors and reviewers (a staff token or session); writing and changing an article with
the back office's rules (409 on a stale revision)."""

import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from libranet.events.models import Event
from libranet.network.models import Center, Country, Region
from libranet.network.permissions import Capability, can_edit_article, can_see_article
from libranet.news import services
from libranet.news.models import Article, Section
from libranet.news.selectors import filtered_articles, visible_articles
from libranet.revisions import EditConflict

from .auth import WRITE_AUTH, require, viewer
from .centers import OPTIONAL_AUTH
from .pagination import paginate
from .schemas import BodyIn, PageQuery, Text, errors

router = Router(tags=["news"])
RELATED = ("centers", "regions", "countries", "events")

Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


class ArticleOut(Schema):
    id: int
    section: str = Field(description="regional or foreign")
    slug: str
    state: str = Field(description="draft, review or published")
    title_ru: str
    title_en: str
    lead_ru: str
    lead_en: str
    body_ru: str = Field(description="Cleaned markup (an allow-list of elements).")
    body_en: str
    centers: list[str] = Field(description="Codes of the centers the article is about.")
    regions: list[str] = Field(description="ISO 3166-2 codes of the regions.")
    countries: list[str] = Field(description="ISO 3166-1 codes of the countries.")
    events: list[int] = Field(description="Ids of the events it tells of (/api/v1/events).")
    cover: bool = Field(description="Whether the article has a cover image.")
    published_at: datetime.datetime | None
    url: str = Field(description="The public page (published articles).")
    revision: int

    @staticmethod
    def resolve_centers(obj: Any) -> list[str]:
        return [c.code for c in obj.centers.all()]

    @staticmethod
    def resolve_regions(obj: Any) -> list[str]:
        return [r.code for r in obj.regions.all()]

    @staticmethod
    def resolve_countries(obj: Any) -> list[str]:
        return [c.code for c in obj.countries.all()]

    @staticmethod
    def resolve_events(obj: Any) -> list[int]:
        return [e.pk for e in obj.events.all()]

    @staticmethod
    def resolve_cover(obj: Any) -> bool:
        return bool(obj.cover)

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return obj.get_absolute_url()


class ArticlePage(Schema):
    count: int
    items: list[ArticleOut]


class NewsQuery(PageQuery):
    section: str = Field("", description="regional or foreign")
    region: str = Field("", max_length=10, description="A region's code, such as RU-TVE.")
    state: str = Field(
        "published",
        description="published (everyone), or draft / review: those the caller writes or "
        "reviews (staff).",
    )


class ArticleIn(BodyIn):
    section: Section
    slug: Text = Field("", max_length=100)
    title_ru: str = Field(max_length=300)
    title_en: Text = Field("", max_length=300)
    lead_ru: Text = ""
    lead_en: Text = ""
    body_ru: Text = Field("", description="Markup; kept by an allow-list.")
    body_en: Text = ""
    centers: list[str] = Field([], description="Codes of centers in the caller's reach.")
    regions: list[str] = []
    countries: list[str] = []
    events: list[Id] = Field([], description="Ids of published events or the caller's own.")


class ArticlePatch(BodyIn):
    section: Section | None = None
    slug: Text | None = Field(None, max_length=100)
    title_ru: str | None = Field(None, max_length=300)
    title_en: Text | None = Field(None, max_length=300)
    lead_ru: Text | None = None
    lead_en: Text | None = None
    body_ru: Text | None = None
    body_en: Text | None = None
    centers: list[str] | None = None
    regions: list[str] | None = None
    countries: list[str] | None = None
    events: list[Id] | None = None
    revision: int | None = Field(
        None, ge=1, description="The revision the change was made from (409 if stale)."
    )


def _related(given: dict[str, Any]) -> dict[str, Any]:
    """Codes to rows; an unknown code is a 422 naming the field."""
    out = {}
    for name, model in (("centers", Center), ("regions", Region), ("countries", Country)):
        codes = given.get(name) or []
        rows = list(model.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {r.code for r in rows})
        if missing:
            raise services.ArticleError(
                {name: [_("Unknown code: {code}.").format(code=", ".join(missing))]}
            )
        out[name] = rows
    ids = given.get("events") or []
    events = list(Event.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {e.pk for e in events})
    if missing:
        raise services.ArticleError(
            {"events": [_("There is no event with id {id}.").format(id=missing[0])]}
        )
    out["events"] = events
    return out


def _out(article: Article) -> Article:
    return Article.objects.prefetch_related(*RELATED).get(pk=article.pk)


@router.get(
    "/news",
    response={200: ArticlePage},
    summary="List the news",
    openapi_extra=OPTIONAL_AUTH,
)
def list_news(request: HttpRequest, query: Query[NewsQuery]):
    """The published articles, latest first (by ``section`` and ``region``); with a staff token
    or session, ``state=draft`` or ``state=review`` lists those the caller writes or reviews."""
    user = viewer(request)
    articles = filtered_articles(section=query.section, region=query.region)
    if query.state in ("draft", "review") and getattr(user, "is_authenticated", False):
        articles = visible_articles(user).filter(state=query.state)
        if query.section:
            articles = articles.filter(section=query.section)
    elif query.state != "published":
        articles = Article.objects.none()
    return paginate(articles.prefetch_related(*RELATED), query)


@router.get(
    "/news/{article_id}",
    response={200: ArticleOut},
    summary="Read an article",
    url_name="news_detail",
    openapi_extra=OPTIONAL_AUTH,
)
def read_news(request: HttpRequest, article_id: Id):
    """A published article, or a draft or one in review to its author and reviewers."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None or not can_see_article(viewer(request), article):
        raise HttpError(404, _("There is no article with id {id}.").format(id=article_id))
    return _out(article)


@router.post(
    "/news",
    auth=WRITE_AUTH,
    response={201: ArticleOut, **errors(403)},
    summary="Write an article",
)
def create_news(request: HttpRequest, payload: ArticleIn, response: HttpResponse):
    """A draft about centers in the caller's reach (an operator their center, a head their
    region's); the department and international relations review it in the back office."""
    user = request.auth
    require(user, Capability.WRITE_NEWS)
    given = payload.model_dump()
    related = _related(given)
    fields = {k: v for k, v in given.items() if k not in related}
    article = services.article_save(actor=user, **fields, **related)
    return Status(201, _out(article))


@router.patch(
    "/news/{article_id}",
    auth=WRITE_AUTH,
    response={200: ArticleOut, **errors(403, 409)},
    summary="Change an article",
)
def update_news(request: HttpRequest, article_id: Id, payload: ArticlePatch):
    """Change the given fields of an article: its author while it is a draft, or a reviewer.
    A change made from an older ``revision`` is refused with 409."""
    user = request.auth
    article = get_object_or_404(Article, pk=article_id)
    if not can_see_article(user, article):
        raise HttpError(404, _("There is no article with id {id}.").format(id=article_id))
    if not can_edit_article(user, article):
        raise HttpError(403, _("You may not change this article."))
    given = payload.model_dump(exclude_unset=True)
    revision = given.pop("revision", None)
    current = {
        "section": article.section,
        **{f: getattr(article, f) for f in services.ARTICLE_FIELDS},
        "centers": [c.code for c in article.centers.all()],
        "regions": [r.code for r in article.regions.all()],
        "countries": [c.code for c in article.countries.all()],
        "events": [e.pk for e in article.events.all()],
    }
    merged = {**current, **{k: v for k, v in given.items() if v is not None}}
    related = _related(merged)
    fields = {k: v for k, v in merged.items() if k not in related}
    try:
        article = services.article_save(
            actor=user, article=article, revision=revision, **fields, **related
        )
    except EditConflict as exc:
        names = ", ".join(d.field for d in exc.differences) or "revision"
        raise HttpError(409, f"{exc.messages[0]} ({names}: {_('revision')} {exc.stored})") from exc
    return _out(article)
