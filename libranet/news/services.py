"""Every change of a news article and its rules: who writes about which centers, the review
(draft → in review → published, or back to draft with the reviewer's comment), markup cleaned
and covers checked before anything is saved; each change audited in its transaction."""

import io
import re
import uuid
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from libranet.audit.services import audit_record
from libranet.events.models import Event
from libranet.events.selectors import linkable_events
from libranet.markup import check_image, clean_markup, plain_text
from libranet.network.models import Center, Country, Region
from libranet.network.permissions import (
    Capability,
    can,
    can_edit_article,
    can_review_news,
    news_centers_for,
    writes_news_anywhere,
)
from libranet.network.services import RegistryError, ScopeError
from libranet.revisions import revision_bump, revision_check

from .mailing import review_decided, review_requested
from .models import Article, ArticleReview, ArticleState, Section

TEXT_FIELDS = ("title_ru", "title_en", "lead_ru", "lead_en")
MARKUP_FIELDS = ("body_ru", "body_en")
ARTICLE_FIELDS = ("section", "slug", *TEXT_FIELDS, *MARKUP_FIELDS)
THUMBNAIL = (320, 200)
TITLE_MAX = 300
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
SLUG_MAX = 100
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class ArticleError(RegistryError):
    """A rule of the news was broken: messages by field (the API answers 422)."""


def _refuse(field: str | None, message: str) -> ArticleError:
    return ArticleError({field or "__all__": [message]})


def _forbid(field: str | None, message: str) -> ScopeError:
    """The actor's role does not reach this (the API answers 403)."""
    return ScopeError({field or "__all__": [message]})


def _valid_slug(slug: str) -> bool:
    # Never only digits: an address of digits is the article's number.
    return len(slug) <= SLUG_MAX and bool(SLUG.fullmatch(slug)) and not slug.isdigit()


def _check_cover(cover: IO[bytes] | None) -> str:
    if cover is None:
        return ""
    try:
        return check_image(cover, size=getattr(cover, "size", 0) or 0)
    except ValidationError as exc:
        raise ArticleError({"cover": exc.messages}) from exc


def _store_cover(article: Article, cover: IO[bytes], content_type: str) -> None:
    """Keep the cover as uploaded and a JPEG thumbnail fitted into ``THUMBNAIL`` for lists."""
    stem = f"news/{article.pk}/cover-{uuid.uuid4().hex[:12]}"
    data = cover.read()
    article.cover = default_storage.save(f"{stem}.{EXTENSIONS[content_type]}", ContentFile(data))
    article.cover_type = content_type
    with Image.open(io.BytesIO(data)) as image:
        small = image.convert("RGB")
        small.thumbnail(THUMBNAIL)
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=82)
    article.cover_thumbnail = default_storage.save(
        f"{stem}-thumbnail.jpg", ContentFile(buffer.getvalue())
    )


@transaction.atomic
def article_save(
    *,
    actor: Any,
    article: Article | None = None,
    revision: int | None = None,
    centers: Iterable[Center] = (),
    regions: Iterable[Region] = (),
    countries: Iterable[Country] = (),
    events: Iterable[Event] = (),
    cover: IO[bytes] | None = None,
    **fields: Any,
) -> Article:
    """Create (``article`` None) or change an article. Titles and leads are kept as plain text,
    the bodies by the markup allow-list; a cover must be an image (``check_image``). The events
    it tells of are published ones or the actor's own centers' (``linkable_events``)."""
    centers, regions, countries = list(centers), list(regions), list(countries)
    events = list(events)
    if actor is not None:
        if article is None and not can(actor, Capability.WRITE_NEWS):
            raise _forbid(None, _("You may not write news."))
        if article is not None and not can_edit_article(actor, article):
            raise _forbid(None, _("You may not change this article."))
        reach = set(news_centers_for(actor).values_list("pk", flat=True))
        outside = [c for c in centers if c.pk not in reach]
        if outside:
            raise _forbid(
                "centers",
                _("You may not write about {center}.").format(center=outside[0]),
            )
        if (
            not centers
            and not writes_news_anywhere(actor)
            and not (article is not None and can_review_news(actor, article.section))
        ):
            raise _refuse("centers", _("Name at least one center the news is about."))
        linked = set(article.events.values_list("pk", flat=True)) if article else set()
        new = {e.pk for e in events} - linked
        allowed = set(linkable_events(actor).filter(pk__in=new).values_list("pk", flat=True))
        unseen = [e for e in events if e.pk in new - allowed]
        if unseen:
            raise _forbid(
                "events",
                _("You may not link the event “{event}”: it is not published.").format(
                    event=unseen[0]
                ),
            )
    values = {name: fields.get(name, "") or "" for name in ARTICLE_FIELDS}
    for name in TEXT_FIELDS:
        values[name] = plain_text(values[name])
    for name in MARKUP_FIELDS:
        values[name] = clean_markup(values[name])
    if not values["title_ru"]:
        raise _refuse("title_ru", _("Give the title in Russian."))
    if values["section"] not in Section.values:
        raise _refuse("section", _("Choose the section: regional or foreign network."))
    for name in ("title_ru", "title_en"):
        if len(values[name]) > TITLE_MAX:
            raise _refuse(name, _("A title of at most {limit} characters.").format(limit=TITLE_MAX))
    if values["slug"] and not _valid_slug(values["slug"]):
        raise _refuse("slug", _("Latin letters, digits and dashes, not only digits, at most 100."))
    if values["slug"]:
        taken = Article.objects.filter(slug=values["slug"])
        if article is not None:
            taken = taken.exclude(pk=article.pk)
        if taken.exists():
            raise _refuse("slug", _("Another article has this address name."))
    content_type = _check_cover(cover)

    if article is None:
        article = Article(author=actor if getattr(actor, "pk", None) else None, **values)
        article.save()
        action, changes = "article.create", dict(values)
    else:
        article = Article.objects.select_for_update().get(pk=article.pk)
        revision_check(article, revision, values)
        changes = {k: v for k, v in values.items() if getattr(article, k) != v}
        for name, value in values.items():
            setattr(article, name, value)
        revision_bump(article)
        action = "article.update"
    if cover is not None:
        _store_cover(article, cover, content_type)
        article.save(update_fields=["cover", "cover_type", "cover_thumbnail"])
        changes["cover"] = article.cover
    article.centers.set(centers)
    article.regions.set(regions)
    article.countries.set(countries)
    article.events.set(events)
    audit_record(actor=_user(actor), action=action, obj=article, changes=changes)
    return article


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _step(article: Article, actor: Any, state: str, comment: str = "") -> None:
    now = timezone.now()
    article.state = state
    fields = ["state"]
    if state == ArticleState.PUBLISHED and article.published_at is None:
        article.published_at = now
        fields.append("published_at")
    revision_bump(article, fields)
    ArticleReview.objects.create(
        article=article, state=state, comment=comment, actor=_user(actor), at=now
    )


@transaction.atomic
def article_submit(*, actor: Any, article: Article) -> Article:
    """The author sends a draft for review."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if actor is not None and not can_edit_article(actor, article):
        raise _forbid(None, _("You may not submit this article."))
    if article.state != ArticleState.DRAFT:
        raise _refuse("state", _("Only a draft can be sent for review."))
    _step(article, actor, ArticleState.REVIEW)
    audit_record(actor=_user(actor), action="article.submit", obj=article, changes={})
    review_requested(article, actor)
    return article


@transaction.atomic
def article_publish(*, actor: Any, article: Article, comment: str = "") -> Article:
    """A reviewer publishes an article (in review, or a draft of their own)."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if actor is not None and not can_review_news(actor, article.section):
        raise _forbid(
            None, _("You may not publish this article: it is reviewed by the department.")
        )
    if article.state == ArticleState.PUBLISHED:
        raise _refuse("state", _("The article is already published."))
    comment = plain_text(comment)
    _step(article, actor, ArticleState.PUBLISHED, comment)
    audit_record(actor=_user(actor), action="article.publish", obj=article, changes={})
    review_decided(article, actor, comment)
    return article


@transaction.atomic
def article_return(*, actor: Any, article: Article, comment: str) -> Article:
    """A reviewer returns an article to its author as a draft, saying why."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if actor is not None and not can_review_news(actor, article.section):
        raise _forbid(None, _("You may not review this article."))
    comment = plain_text(comment)
    if not comment:
        raise _refuse("comment", _("Say what the author should change."))
    if article.state == ArticleState.DRAFT:
        raise _refuse("state", _("The article is already a draft."))
    _step(article, actor, ArticleState.DRAFT, comment)
    audit_record(
        actor=_user(actor), action="article.return", obj=article, changes={"comment": comment}
    )
    review_decided(article, actor, comment)
    return article


@transaction.atomic
def article_delete(*, actor: Any, article: Article) -> None:
    """Delete an article (its author while it is a draft, or a reviewer), with its cover."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if actor is not None and not can_edit_article(actor, article):
        raise _forbid(None, _("You may not delete this article."))
    audit_record(
        actor=_user(actor),
        action="article.delete",
        obj=article,
        changes={"title_ru": article.title_ru, "state": article.state},
    )
    files = [name for name in (article.cover, article.cover_thumbnail) if name]
    article.delete()
    transaction.on_commit(lambda: _remove_files(files), robust=True)  # a store down: logged


def _remove_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
