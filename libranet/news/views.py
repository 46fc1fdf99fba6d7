"""The back office's pages of news (under /<lang>/office/news/): thin views over the services."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from libranet.backoffice.access import office_capabilities, requires
from libranet.backoffice.forms import add_registry_errors
from libranet.backoffice.views import office_crumbs
from libranet.events.selectors import linkable_events
from libranet.network.models import Center
from libranet.network.permissions import (
    Capability,
    can_edit_article,
    can_review_news,
    can_see_article,
    news_centers_for,
)
from libranet.network.services import RegistryError
from libranet.revisions import EditConflict

from . import selectors, services
from .forms import ArticleForm, ReviewForm
from .models import Article, Section

C = Capability
GET_POST = require_http_methods(["GET", "HEAD", "POST"])


def _render(request: Any, template: str, context: dict[str, Any]) -> Any:
    context = {"caps": office_capabilities(request.user), **context}
    return render(request, f"news/office/{template}", context)


def _news_crumb() -> tuple[str, str]:
    return (_("News"), reverse("backoffice:news:list"))


def _article(request: Any, pk: int) -> Article:
    article = get_object_or_404(Article, pk=pk)
    if not can_see_article(request.user, article):
        raise PermissionDenied
    return article


@require_safe
@requires(C.WRITE_NEWS)
def article_list(request):
    return _render(
        request,
        "list.html",
        {
            "mine": selectors.my_articles(request.user),
            "to_review": selectors.articles_to_review(request.user),
            "crumbs": office_crumbs((_("News"), None)),
        },
    )


@GET_POST
@requires(C.WRITE_NEWS)
def article_new(request):
    return _article_form(request, None)


@GET_POST
@requires(C.WRITE_NEWS)
def article_edit(request, pk: int):
    article = _article(request, pk)
    if not can_edit_article(request.user, article):
        raise PermissionDenied
    return _article_form(request, article)


def _article_form(request, article: Article | None):
    initial: dict[str, Any] = {}
    centers = news_centers_for(request.user).order_by("code")
    events = event_choices(request.user)
    if article is not None:
        initial = {f: getattr(article, f) for f in services.ARTICLE_FIELDS}
        initial.update(
            centers=list(article.centers.all()),
            regions=list(article.regions.all()),
            countries=list(article.countries.all()),
            events=list(article.events.all()),
            revision=article.revision,
        )
        centers = centers | article.centers.all()
        events = events | article.events.all()
    elif request.GET.get("event", "").isdigit():
        initial = _about_event(request.user, int(request.GET["event"]), centers)
        # An event of any date: the one the article is started from is offered too.
        events = events | linkable_events(request.user).filter(
            pk__in=[e.pk for e in initial.get("events", [])]
        )
    bound = request.method == "POST"
    form = ArticleForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        initial=initial,
        centers=centers.distinct(),
        events=events.distinct().order_by("-starts_at", "-pk"),
    )
    conflict = None
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        revision = data.pop("revision")
        try:
            article = services.article_save(
                actor=request.user, article=article, revision=revision, **data
            )
        except EditConflict as exc:
            conflict = exc
        except RegistryError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, _("The article “{title}” is saved.").format(title=article))
            return redirect("backoffice:news:edit", pk=article.pk)
    title = str(article) if article else _("New article")
    return _render(
        request,
        "form.html",
        {
            "form": form,
            "article": article,
            "conflict": conflict,
            "can_review": article is not None and can_review_news(request.user, article.section),
            "crumbs": office_crumbs(_news_crumb(), (title, None)),
        },
    )


def event_choices(user: Any) -> Any:
    """The events a form offers to link: linkable ones within a year of today (the form keeps
    an article's own links whatever their date)."""
    now = timezone.now()
    year = datetime.timedelta(days=366)
    return linkable_events(user).filter(starts_at__range=(now - year, now + year))


def _about_event(user: Any, pk: int, centers: Any) -> dict[str, Any]:
    """A new article about an event ("Write news about it" on the event's page): the event,
    its organisers in the writer's reach and the section they belong to."""
    event = linkable_events(user).filter(pk=pk).first()
    if event is None:
        return {}
    organisers = list(centers.filter(pk__in=event.centers.values("pk")))
    foreign = event.centers.filter(kind=Center.Kind.FOREIGN).exists()
    return {
        "events": [event],
        "centers": organisers,
        "section": Section.FOREIGN if foreign else Section.REGIONAL,
    }


@require_POST
@requires(C.WRITE_NEWS)
def article_submit(request, pk: int):
    article = _article(request, pk)
    try:
        services.article_submit(actor=request.user, article=article)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The article is sent for review."))
    return redirect("backoffice:news:edit", pk=article.pk)


@require_POST
@requires(C.WRITE_NEWS)
def article_delete(request, pk: int):
    article = _article(request, pk)
    try:
        services.article_delete(actor=request.user, article=article)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("backoffice:news:edit", pk=article.pk)
    messages.success(request, _("The article “{title}” is deleted.").format(title=article))
    return redirect("backoffice:news:list")


@GET_POST
@requires(C.WRITE_NEWS)
def article_review(request, pk: int):
    """The review page: the article as it will read, its history; publish or return it."""
    article = _article(request, pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not can_review_news(request.user, article.section):
            raise PermissionDenied
        if form.is_valid():
            comment = form.cleaned_data["comment"]
            try:
                if request.POST.get("decision") == "publish":
                    services.article_publish(actor=request.user, article=article, comment=comment)
                    messages.success(request, _("The article is published."))
                else:
                    services.article_return(actor=request.user, article=article, comment=comment)
                    messages.success(request, _("The article is returned to its author."))
            except RegistryError as exc:
                add_registry_errors(form, exc)
            else:
                return redirect("backoffice:news:review", pk=article.pk)
    return _render(
        request,
        "review.html",
        {
            "article": article,
            "form": form,
            "reviews": article.reviews.select_related("actor"),
            "can_review": can_review_news(request.user, article.section),
            "can_edit": can_edit_article(request.user, article),
            "crumbs": office_crumbs(_news_crumb(), (str(article), None)),
        },
    )
