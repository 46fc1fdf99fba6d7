"""The back office's event pages and the joint-event reports: thin views that ask the permission
module and call the services; a broken rule comes back as form errors."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from libranet.backoffice.access import office_capabilities, requires
from libranet.backoffice.forms import add_registry_errors
from libranet.network.permissions import (
    Capability,
    can,
    events_centers_for,
    joint_report_centers_for,
)
from libranet.revisions import EditConflict

from . import selectors, services
from .forms import ConfirmForm, EventForm, RoundForm
from .models import Event, EventPhoto, JointEventReport, ReportingRound

C = Capability
GET_POST = require_http_methods(["GET", "HEAD", "POST"])
PAGE_SIZE = 30


def _render(request: Any, template: str, context: dict[str, Any], status: int = 200) -> Any:
    context = {"caps": office_capabilities(request.user), **context}
    return render(request, f"events/{template}", context, status=status)


def _crumbs(*trail: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    return [
        (_("Back office"), reverse("backoffice:dashboard")),
        (_("Events"), reverse("events_office:list")),
        *trail,
    ]


def _event(request: Any, pk: int) -> Event:
    """The event if the user may edit it; 404 otherwise."""
    event = selectors.office_events(request.user).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


@require_safe
@requires(C.EDIT_EVENTS)
def event_list(request):
    q = (request.GET.get("q") or "").strip()[:200]
    page = Paginator(selectors.office_events(request.user, q), PAGE_SIZE).get_page(
        request.GET.get("page") or "1"
    )
    query = request.GET.copy()
    query.pop("page", None)
    return _render(
        request,
        "office_list.html",
        {
            "crumbs": _crumbs()[:-1] + [(_("Events"), None)],
            "page": page,
            "q": q,
            "query": query.urlencode(),
            "can_report": bool(joint_report_centers_for(request.user).exists()),
        },
    )


@GET_POST
@requires(C.EDIT_EVENTS)
def event_new(request):
    return _event_form(request, None)


@GET_POST
@requires(C.EDIT_EVENTS)
def event_edit(request, pk: int):
    return _event_form(request, _event(request, pk))


def _event_form(request: Any, event: Event | None) -> Any:
    centers = events_centers_for(request.user).order_by("code")
    if event is not None:  # organisers already named stay choosable
        centers = (centers | event.centers.all()).distinct().order_by("code")
    conflict = None
    if request.method == "POST":
        form = EventForm(request.POST, request.FILES, centers=centers)
        if form.is_valid():
            try:
                event = _save(request, form, event)
            except EditConflict as exc:
                conflict = exc
            except ValidationError as exc:
                add_registry_errors(form, exc)
            else:
                messages.success(request, _("The event is saved."))
                return redirect("events_office:edit", pk=event.pk)
        status = 409 if conflict else 422
    else:
        initial = EventForm.initial_for(event) if event else {"published": True}
        if event is None:
            initial.update(participants_hall=0, participants_online=0, connection_points=0)
            mine = list(centers[:2])
            if len(mine) == 1:
                initial["centers"] = mine
        form = EventForm(initial=initial, centers=centers)
        status = 200
    title = event.title if event else _("New event")
    return _render(
        request,
        "office_form.html",
        {
            "form": form,
            "event": event,
            "conflict": conflict,
            "photos": list(event.photos.all()) if event else [],
            "crumbs": _crumbs((title, None)),
            "title": title,
        },
        status=status,
    )


def _save(request: Any, form: EventForm, event: Event | None) -> Event:
    data = form.cleaned_data
    with transaction.atomic():
        if event is None:
            event = services.event_create(
                actor=request.user, centers=data["centers"], **form.event_fields()
            )
        else:
            event = services.event_update(
                actor=request.user,
                event=event,
                revision=data.get("revision"),
                centers=data["centers"],
                **form.event_fields(),
            )
        photo = data.get("photo")
        if photo:
            services.event_add_photo(
                actor=request.user,
                event=event,
                upload=photo,
                name=photo.name,
                size=photo.size,
                caption_ru=data.get("photo_caption_ru", ""),
                caption_en=data.get("photo_caption_en", ""),
            )
    return event


@require_POST
@requires(C.EDIT_EVENTS)
def event_delete(request, pk: int):
    event = _event(request, pk)
    services.event_delete(actor=request.user, event=event)
    messages.success(request, _("The event is deleted."))
    return redirect("events_office:list")


@require_POST
@requires(C.EDIT_EVENTS)
def photo_remove(request, pk: int):
    photo = get_object_or_404(EventPhoto, pk=pk)
    event = _event(request, photo.event_id)
    services.event_remove_photo(actor=request.user, photo=photo)
    messages.success(request, _("The photo is removed."))
    return redirect("events_office:edit", pk=event.pk)


# --- joint-event reports ----------------------------------------------------------------------


@GET_POST
@requires(C.EDIT_EVENTS)
def rounds(request):
    """The department: the rounds and a form for a new one. A head: their reports."""
    manage = can(request.user, C.MANAGE_EVENT_REPORTS)
    centers = joint_report_centers_for(request.user)
    if not manage and not centers.exists():
        raise PermissionDenied
    form = RoundForm(request.POST or None) if manage else None
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                round_ = services.round_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_registry_errors(form, exc)
            else:
                messages.success(request, _("The reporting round is open."))
                return redirect("events_office:round", pk=round_.pk)
    rounds_list = list(ReportingRound.objects.all()) if manage else []
    return _render(
        request,
        "rounds.html",
        {
            "crumbs": _crumbs((_("Joint-event reports"), None)),
            "form": form,
            "rounds": rounds_list,
            "reports": [] if manage else list(selectors.reports_for_centers(centers)),
        },
        status=422 if request.method == "POST" else 200,
    )


@require_safe
@requires(C.MANAGE_EVENT_REPORTS)
def round_detail(request, pk: int):
    round_ = get_object_or_404(ReportingRound, pk=pk)
    rows = [
        (report, services.round_events(round_, report.regional_center).count())
        for report in selectors.round_reports(round_)
    ]
    confirmed = sum(1 for r, _n in rows if r.state == JointEventReport.State.CONFIRMED)
    return _render(
        request,
        "round.html",
        {
            "crumbs": _crumbs(
                (_("Joint-event reports"), reverse("events_office:rounds")), (round_.title, None)
            ),
            "round": round_,
            "rows": rows,
            "confirmed": confirmed,
            "pending": len(rows) - confirmed,
        },
    )


@GET_POST
@requires(C.EDIT_EVENTS)
def report_detail(request, pk: int):
    report = get_object_or_404(
        JointEventReport.objects.select_related("round", "regional_center"), pk=pk
    )
    if not joint_report_centers_for(request.user).filter(pk=report.regional_center_id).exists():
        raise Http404
    form = ConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.report_confirm(
                    actor=request.user, report=report, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                add_registry_errors(form, exc)
            else:
                messages.success(request, _("The list of joint events is confirmed."))
                return redirect("events_office:report", pk=report.pk)
        status = 422
    confirmed = report.state == JointEventReport.State.CONFIRMED
    events = (
        list(report.events.order_by("starts_at"))
        if confirmed
        else list(services.round_events(report.round, report.regional_center))
    )
    return _render(
        request,
        "report.html",
        {
            "crumbs": _crumbs(
                (_("Joint-event reports"), reverse("events_office:rounds")),
                (report.regional_center.name, None),
            ),
            "report": report,
            "events": events,
            "form": form,
            "confirmed": confirmed,
        },
        status=status,
    )
