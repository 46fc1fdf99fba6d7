"""The back office's pages of meetings and resolutions: thin views over the services; a broken
rule comes back on the form, a save from a stale copy with the difference shown."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from libranet.backoffice.access import office_capabilities, requires
from libranet.backoffice.forms import add_registry_errors
from libranet.backoffice.views import office_crumbs
from libranet.network.permissions import Capability, can, is_task_party
from libranet.revisions import EditConflict

from . import selectors, services
from .forms import (
    DecisionForm,
    MeetingForm,
    ResolutionForm,
    SessionForm,
    TalkFormSet,
    TaskCloseForm,
)
from .models import Decision, Meeting, Resolution, Session, Task, TaskState

C = Capability
GET_POST = require_http_methods(["GET", "HEAD", "POST"])


def _render(request: Any, template: str, context: dict[str, Any], status: int = 200) -> Any:
    context = {"caps": office_capabilities(request.user), **context}
    return render(request, f"meetings/office/{template}", context, status=status)


def _meetings_crumb() -> tuple[str, str]:
    return (_("Meetings"), reverse("backoffice:meetings:list"))


def _meeting_crumb(meeting: Meeting) -> tuple[str, str]:
    return (str(meeting), reverse("backoffice:meetings:edit", kwargs={"pk": meeting.pk}))


def _resolution_crumb(meeting: Meeting) -> tuple[str, str]:
    return (_("Resolution"), reverse("backoffice:meetings:resolution", kwargs={"pk": meeting.pk}))


# --- meetings ----------------------------------------------------------------------------------


@require_safe
@requires(C.VIEW_RESOLUTIONS)
def meeting_list(request):
    meetings = Meeting.objects.select_related("resolution").order_by("-starts_on")
    return _render(
        request,
        "meetings.html",
        {"meetings": meetings, "crumbs": office_crumbs((_("Meetings"), None))},
    )


@GET_POST
@requires(C.MANAGE_MEETINGS)
def meeting_new(request):
    return _meeting_form(request, None)


@GET_POST
@requires(C.MANAGE_MEETINGS)
def meeting_edit(request, pk: int):
    return _meeting_form(request, get_object_or_404(Meeting, pk=pk))


def _meeting_initial(meeting: Meeting) -> dict[str, Any]:
    initial = {f: getattr(meeting, f) for f in services.MEETING_FIELDS}
    initial["attendance"] = "\n".join(
        f"{row.region.code} {row.count}" for row in meeting.attendance.select_related("region")
    )
    initial["points"] = "\n".join(
        p.center.code if p.center_id else p.name for p in meeting.points.select_related("center")
    )
    initial["revision"] = meeting.revision
    return initial


def _meeting_form(request, meeting: Meeting | None):
    initial = _meeting_initial(meeting) if meeting else {}
    form = MeetingForm(request.POST if request.method == "POST" else None, initial=initial)
    conflict = None
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        revision = data.pop("revision")
        try:
            meeting = services.meeting_save(
                actor=request.user, meeting=meeting, revision=revision, **data
            )
        except EditConflict as exc:
            conflict = exc
        except services.MeetingError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, _("The meeting “{name}” is saved.").format(name=meeting))
            return redirect("backoffice:meetings:edit", pk=meeting.pk)
    title = str(meeting) if meeting else _("New meeting")
    return _render(
        request,
        "meeting_form.html",
        {
            "form": form,
            "meeting": meeting,
            "conflict": conflict,
            "sessions": meeting.sessions.prefetch_related("talks") if meeting else [],
            "crumbs": office_crumbs(_meetings_crumb(), (title, None)),
            "title": title,
        },
    )


@require_POST
@requires(C.MANAGE_MEETINGS)
def meeting_publish(request, pk: int):
    meeting = get_object_or_404(Meeting, pk=pk)
    published = request.POST.get("published") == "1"
    services.meeting_publish(actor=request.user, meeting=meeting, published=published)
    if published:
        messages.success(request, _("The programme is published on the public site."))
    else:
        messages.success(request, _("The programme is taken off the public site."))
    return redirect("backoffice:meetings:edit", pk=meeting.pk)


@GET_POST
@requires(C.MANAGE_MEETINGS)
def session_new(request, pk: int):
    return _session_form(request, get_object_or_404(Meeting, pk=pk), None)


@GET_POST
@requires(C.MANAGE_MEETINGS)
def session_edit(request, pk: int):
    session = get_object_or_404(Session.objects.select_related("meeting"), pk=pk)
    return _session_form(request, session.meeting, session)


def _session_form(request, meeting: Meeting, session: Session | None):
    post = request.POST if request.method == "POST" else None
    if session is not None:
        initial = {f: getattr(session, f) for f in services.SESSION_FIELDS}
        talks = [
            {f: getattr(t, f) for f in services.TALK_FIELDS if f != "position"}
            for t in session.talks.all()
        ]
    else:
        initial, talks = {"date": meeting.starts_on, "position": meeting.sessions.count() + 1}, []
    form = SessionForm(post, initial=initial)
    formset = TalkFormSet(post, initial=talks, prefix="talks")
    if post is not None and request.POST.get("delete") and session is not None:
        services.session_delete(actor=request.user, session=session)
        messages.success(request, _("The session is deleted."))
        return redirect("backoffice:meetings:edit", pk=meeting.pk)
    if form.is_bound and form.is_valid() and formset.is_valid():
        kept = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        for values in kept:
            values.pop("DELETE", None)
        try:
            services.session_save(
                actor=request.user,
                meeting=meeting,
                session=session,
                talks=kept,
                **form.cleaned_data,
            )
        except services.MeetingError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, _("The session is saved."))
            return redirect("backoffice:meetings:edit", pk=meeting.pk)
    title = session.title if session else _("New session")
    return _render(
        request,
        "session_form.html",
        {
            "form": form,
            "formset": formset,
            "meeting": meeting,
            "session": session,
            "crumbs": office_crumbs(_meetings_crumb(), _meeting_crumb(meeting), (title, None)),
            "title": title,
        },
    )


# --- the resolution ----------------------------------------------------------------------------


@require_safe
@requires(C.VIEW_RESOLUTIONS)
def resolution(request, pk: int):
    meeting = get_object_or_404(Meeting, pk=pk)
    found = Resolution.objects.filter(meeting=meeting).first()
    today = timezone.localdate()
    return _render(
        request,
        "resolution.html",
        {
            "meeting": meeting,
            "resolution": found,
            "decisions": selectors.resolution_progress(found, today) if found else [],
            "crumbs": office_crumbs(_meetings_crumb(), (_("Resolution"), None)),
        },
    )


@GET_POST
@requires(C.MANAGE_MEETINGS)
def resolution_edit(request, pk: int):
    meeting = get_object_or_404(Meeting, pk=pk)
    found = Resolution.objects.filter(meeting=meeting).first()
    initial: dict[str, Any] = {"adopted_on": meeting.ends_on}
    if found is not None:
        initial = {f: getattr(found, f) for f in services.RESOLUTION_FIELDS}
        priorities = list(found.priorities.all())
        initial["priorities_ru"] = "\n".join(p.text_ru for p in priorities)
        initial["priorities_en"] = "\n".join(p.text_en for p in priorities)
    form = ResolutionForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.RESOLUTION_FIELDS}
        try:
            services.resolution_save(
                actor=request.user,
                meeting=meeting,
                priorities=form.cleaned_data["priorities"],
                **data,
            )
        except services.MeetingError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, _("The resolution is saved."))
            return redirect("backoffice:meetings:resolution", pk=meeting.pk)
    return _render(
        request,
        "resolution_form.html",
        {
            "form": form,
            "meeting": meeting,
            "crumbs": office_crumbs(
                _meetings_crumb(), _resolution_crumb(meeting), (_("Edit the resolution"), None)
            ),
        },
    )


@GET_POST
@requires(C.MANAGE_MEETINGS)
def decision_new(request, pk: int):
    meeting = get_object_or_404(Meeting, pk=pk)
    found = get_object_or_404(Resolution, meeting=meeting)
    return _decision_form(request, found, None)


@GET_POST
@requires(C.MANAGE_MEETINGS)
def decision_edit(request, pk: int):
    decision = get_object_or_404(Decision.objects.select_related("resolution__meeting"), pk=pk)
    return _decision_form(request, decision.resolution, decision)


def _decision_form(request, found: Resolution, decision: Decision | None):
    meeting = found.meeting
    if decision is not None:
        initial = {f: getattr(decision, f) for f in services.DECISION_FIELDS}
    else:
        initial = {"number": found.decisions.count() + 1}
    form = DecisionForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            services.decision_save(
                actor=request.user, resolution=found, decision=decision, **form.cleaned_data
            )
        except services.MeetingError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, _("The decision is saved."))
            return redirect("backoffice:meetings:resolution", pk=meeting.pk)
    title = str(decision) if decision else _("New decision")
    return _render(
        request,
        "decision_form.html",
        {
            "form": form,
            "meeting": meeting,
            "decision": decision,
            "title": title,
            "crumbs": office_crumbs(_meetings_crumb(), _resolution_crumb(meeting), (title, None)),
        },
    )


@require_POST
@requires(C.MANAGE_MEETINGS)
def decision_issue(request, pk: int):
    decision = get_object_or_404(Decision.objects.select_related("resolution"), pk=pk)
    made = services.decision_issue(actor=request.user, decision=decision)
    messages.success(
        request,
        _("Decision {number} is issued: {count} new tasks.").format(
            number=decision.number, count=made
        ),
    )
    return redirect("backoffice:meetings:resolution", pk=decision.resolution.meeting_id)


# --- tasks -------------------------------------------------------------------------------------


PAGE_SIZE = 25
ALL_STATES = "all"  # the tasks list's state filter: every task


def _task_filters(request: Any) -> selectors.TaskFilters:
    query = request.GET
    state = query.get("state") or TaskState.LATE
    return selectors.TaskFilters(
        state="" if state == ALL_STATES else state if state in TaskState.values else TaskState.LATE,
        decision=_int(query.get("decision")),
        district=(query.get("district") or "")[:8],
        region=(query.get("region") or "")[:10],
        center=(query.get("center") or "")[:32],
    )


def _without_page(request: Any) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_safe
@requires(C.VIEW_RESOLUTIONS)
def late_tasks(request):
    """The late tasks (or, by the state filter, the open, done or every task), narrowed by
    decision, federal district, region and regional center, a page at a time."""
    today = timezone.localdate()
    filters = _task_filters(request)
    page = Paginator(selectors.task_list(today=today, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for task in page.object_list:  # the page's tasks, judged once
        task.state = task.state_on(today)
    title = _("Late tasks") if filters.state == TaskState.LATE else _("Tasks")
    return _render(
        request,
        "late_tasks.html",
        {
            "title": title,
            "filters": filters,
            "state": filters.state or ALL_STATES,
            "states": [*TaskState.choices, (ALL_STATES, _("any"))],
            "facets": selectors.task_facets(today=today, filters=filters),
            "page": page,
            "query": _without_page(request),
            "today": today,
            "crumbs": office_crumbs(_meetings_crumb(), (title, None)),
        },
    )


def _sort_columns(sort: str, query: str) -> list[dict[str, Any]]:
    """The by-center table's sortable headings: label, link (the other direction when sorted by
    it; figures largest first, names from A) and aria-sort."""
    labels = [
        ("name", _("Regional center")),
        ("done", pgettext("task state", "done")),
        ("open", pgettext("task state", "open")),
        ("late", pgettext("task state", "late")),
        ("total", _("All")),
    ]
    current, descending = sort.removeprefix("-"), sort.startswith("-")
    columns = []
    for key, label in labels:
        here = key == current
        first = key if key == "name" else f"-{key}"
        target = (key if descending else f"-{key}") if here else first
        columns.append(
            {
                "key": key,
                "label": label,
                "url": f"?{query}&sort={target}" if query else f"?sort={target}",
                "aria_sort": ("descending" if descending else "ascending") if here else "none",
            }
        )
    return columns


@require_safe
@requires(C.VIEW_RESOLUTIONS)
def center_progress(request):
    """One row per regional center with tasks: how many are done, open and late, each a link
    to those tasks; by federal district, sorted by a column (the most late first), paged."""
    today = timezone.localdate()
    sort = request.GET.get("sort") or "-late"
    if sort.removeprefix("-") not in selectors.CENTER_SORTS:
        sort = "-late"
    district = (request.GET.get("district") or "")[:8]
    centers = selectors.center_progress(today=today, district=district, sort=sort)
    keep = request.GET.copy()
    for name in ("page", "sort"):
        keep.pop(name, None)
    return _render(
        request,
        "center_progress.html",
        {
            "page": Paginator(centers, PAGE_SIZE).get_page(request.GET.get("page")),
            "query": _without_page(request),
            "columns": _sort_columns(sort, keep.urlencode()),
            "sort": sort,
            "sorts": [
                ("-late", _("Most late first")),
                ("name", _("By region")),
                ("-open", _("Most open first")),
                ("-done", _("Most done first")),
                ("-total", _("Most tasks first")),
            ],
            "district": district,
            "districts": selectors.center_districts(today=today),
            "crumbs": office_crumbs(_meetings_crumb(), (_("Progress by regional center"), None)),
        },
    )


@GET_POST
@requires(C.VIEW_RESOLUTIONS)
def task(request, pk: int):
    found = get_object_or_404(
        Task.objects.select_related("center__region", "decision__resolution__meeting", "done_by"),
        pk=pk,
    )
    may_close = is_task_party(request.user, found)
    may_reopen = can(request.user, C.MANAGE_MEETINGS)
    conflict = None
    post = request.POST if request.method == "POST" else None
    if post is not None and post.get("action") == "reopen":
        if not may_reopen:
            raise PermissionDenied
        try:
            services.task_reopen(
                actor=request.user, task=found, revision=_int(post.get("revision"))
            )
        except EditConflict as exc:
            conflict = exc
        except services.MeetingError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The task is open again."))
            return redirect("backoffice:meetings:task", pk=found.pk)
        post = None
    refused = post is not None and not may_close
    if refused:
        # Told on the page, with the party named; nothing is read from the post.
        post = None
    form = TaskCloseForm(
        post,
        request.FILES if post is not None else None,
        initial={"report": found.report, "link": found.link, "revision": found.revision},
    )
    if form.is_bound and form.is_valid():
        try:
            services.task_close(actor=request.user, **{"task": found, **form.cleaned_data})
        except EditConflict as exc:
            conflict = exc
        except services.MeetingError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, _("The task is done."))
            return redirect("backoffice:meetings:task", pk=found.pk)
    meeting = found.decision.resolution.meeting
    return _render(
        request,
        "task.html",
        {
            "task": found,
            "state": found.state_on(timezone.localdate()),
            "form": form if may_close and not found.done else None,
            "may_reopen": may_reopen and found.done,
            "conflict": conflict,
            "refused": refused,
            "crumbs": office_crumbs(
                _meetings_crumb(), _resolution_crumb(meeting), (str(found), None)
            ),
        },
        status=403 if refused else 200,
    )


@require_safe
@requires(C.VIEW_RESOLUTIONS)
def task_file(request, pk: int):
    """The file a task was closed with, for staff (media is not served publicly)."""
    found = get_object_or_404(Task, pk=pk)
    if not found.file:
        raise Http404
    name = found.file.name.rsplit("/", 1)[-1]
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=name)


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None
