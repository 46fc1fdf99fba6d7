"""Every change to meetings, resolutions and their tasks, with its rules and its audit row.

``actor`` is the user acting through a page, the API or a command; None is the system itself
(``seed_demo``, the schedule), which no role limits. A broken rule raises ``MeetingError`` (a
``ValidationError`` naming the field; nothing is saved), a role's limit ``ScopeError`` (403 in
the API), a save from a stale copy ``EditConflict``."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from libranet.audit.services import audit_record, model_changes
from libranet.mail.models import OutgoingMail
from libranet.mail.services import mail_send
from libranet.network.models import Center, Region, StaffRole
from libranet.network.permissions import Capability, can, is_task_party
from libranet.network.services import ScopeError
from libranet.revisions import revision_bump, revision_check

from .models import (
    ConnectionPoint,
    Decision,
    Meeting,
    MeetingAttendance,
    Priority,
    Resolution,
    Session,
    Talk,
    Task,
)

MEETING_FIELDS = (
    "number",
    "slug",
    "title_ru",
    "title_en",
    "starts_on",
    "ends_on",
    "city_ru",
    "city_en",
    "host_institution",
    "host_center",
    "description_ru",
    "description_en",
    "participants_in_hall",
    "regions_by_video",
    "connection_points",
)
SESSION_FIELDS = (
    "position",
    "title_ru",
    "title_en",
    "date",
    "starts_at",
    "ends_at",
    "venue_ru",
    "venue_en",
)
TALK_FIELDS = (
    "position",
    "speaker_ru",
    "speaker_en",
    "affiliation_ru",
    "affiliation_en",
    "center",
    "title_ru",
    "title_en",
)
RESOLUTION_FIELDS = ("adopted_on", "preamble_ru", "preamble_en", "signed_by")
DECISION_FIELDS = (
    "number",
    "text_ru",
    "text_en",
    "responsible",
    "deadline",
    "recurrence_ru",
    "recurrence_en",
    "workflow",
)
REMINDER_TEMPLATE = "meeting_task_reminder"


class MeetingError(ValidationError):
    """A rule of meetings and resolutions was broken; messages by field."""


def _require_manager(actor: Any) -> None:
    if actor is not None and not can(actor, Capability.MANAGE_MEETINGS):
        raise ScopeError(_("Your role does not allow changing meetings and resolutions."))


def _plain(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def _clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise MeetingError(exc.message_dict) from exc


# --- meetings ----------------------------------------------------------------------------------


def meeting_save(
    *,
    actor: Any,
    meeting: Meeting | None = None,
    revision: int | None = None,
    attendance: list[tuple[Region, int]] | None = None,
    points: list[tuple[Center | None, str]] | None = None,
    **fields: Any,
) -> Meeting:
    """Create or change a meeting; ``attendance`` (region, people in the hall) and ``points``
    (a center, or a place's name) replace the stored lists when given."""
    _require_manager(actor)
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"not fields of a meeting: {sorted(unknown)}")
    regions = [region for region, _count in attendance or []]
    if len(set(regions)) != len(regions):
        raise MeetingError({"attendance": _("Give each region once.")})
    with transaction.atomic():
        if meeting is None:
            meeting = Meeting(**fields)
            before: dict[str, Any] = {}
            action = "meeting.create"
        else:
            meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
            revision_check(meeting, revision, fields, _labels(Meeting, fields))
            before = _plain(meeting, MEETING_FIELDS)
            for name, value in fields.items():
                setattr(meeting, name, value)
            action = "meeting.update"
        _clean(meeting)
        if action == "meeting.create":
            meeting.save()
        else:
            revision_bump(meeting)
        changes: dict[str, Any] = model_changes(before, _plain(meeting, MEETING_FIELDS))
        if attendance is not None:
            meeting.attendance.all().delete()
            MeetingAttendance.objects.bulk_create(
                MeetingAttendance(meeting=meeting, region=region, count=count)
                for region, count in attendance
            )
            changes["attendance"] = [f"{r.code}: {c}" for r, c in attendance]
        if points is not None:
            meeting.points.all().delete()
            ConnectionPoint.objects.bulk_create(
                ConnectionPoint(meeting=meeting, center=center, name=name)
                for center, name in points
            )
            changes["points"] = len(points)
        audit_record(actor=actor, action=action, obj=meeting, changes=changes)
    return meeting


def _labels(model: Any, fields: dict[str, Any]) -> dict[str, str]:
    return {name: str(model._meta.get_field(name).verbose_name) for name in fields}


def meeting_publish(*, actor: Any, meeting: Meeting, published: bool) -> Meeting:
    """Show the meeting's programme on the public site, or take it off."""
    _require_manager(actor)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.published != published:
            meeting.published = published
            revision_bump(meeting, ["published"])
            action = "meeting.publish" if published else "meeting.unpublish"
            audit_record(actor=actor, action=action, obj=meeting)
    return meeting


def session_save(
    *,
    actor: Any,
    meeting: Meeting,
    session: Session | None = None,
    talks: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Session:
    """Create or change a session of ``meeting``; ``talks`` (each a dict of ``TALK_FIELDS``)
    replace its talks when given."""
    _require_manager(actor)
    with transaction.atomic():
        before = _plain(session, SESSION_FIELDS) if session else {}
        session = session or Session(meeting=meeting)
        for name, value in fields.items():
            setattr(session, name, value)
        _clean(session, exclude=["meeting"])
        if not meeting.starts_on <= session.date <= meeting.ends_on:
            raise MeetingError({"date": _("The session's date is outside the meeting's dates.")})
        if session.starts_at and session.ends_at and session.ends_at < session.starts_at:
            raise MeetingError({"ends_at": _("A session cannot end before it starts.")})
        session.save()
        changes: dict[str, Any] = model_changes(before, _plain(session, SESSION_FIELDS))
        if talks is not None:
            session.talks.all().delete()
            made = []
            for number, values in enumerate(talks, start=1):
                talk = Talk(session=session, **{"position": number, **values})
                try:
                    talk.full_clean(exclude=["session"])
                except ValidationError as exc:
                    raise MeetingError(
                        {f"talks.{number}.{k}": v for k, v in exc.message_dict.items()}
                    ) from exc
                made.append(talk)
            Talk.objects.bulk_create(made)
            changes["talks"] = len(made)
        audit_record(actor=actor, action="meeting.session_save", obj=session, changes=changes)
    return session


def session_delete(*, actor: Any, session: Session) -> None:
    _require_manager(actor)
    with transaction.atomic():
        audit_record(actor=actor, action="meeting.session_delete", obj=session)
        session.delete()


# --- the resolution ---------------------------------------------------------------------------


def resolution_save(
    *,
    actor: Any,
    meeting: Meeting,
    priorities: list[tuple[str, str]] | None = None,
    **fields: Any,
) -> Resolution:
    """Create or change the resolution of ``meeting``; ``priorities`` ((Russian, English)
    texts, in order) replace its priorities when given."""
    _require_manager(actor)
    with transaction.atomic():
        resolution = Resolution.objects.filter(meeting=meeting).first()
        before = _plain(resolution, RESOLUTION_FIELDS) if resolution else {}
        action = "resolution.update" if resolution else "resolution.create"
        resolution = resolution or Resolution(meeting=meeting)
        for name, value in fields.items():
            setattr(resolution, name, value)
        _clean(resolution, exclude=["meeting"])
        resolution.save()
        changes: dict[str, Any] = model_changes(before, _plain(resolution, RESOLUTION_FIELDS))
        if priorities is not None:
            for text_ru, _text_en in priorities:
                if not text_ru.strip():
                    raise MeetingError({"priorities": _("Each priority needs its Russian text.")})
            resolution.priorities.all().delete()
            Priority.objects.bulk_create(
                Priority(resolution=resolution, position=n, text_ru=ru.strip(), text_en=en.strip())
                for n, (ru, en) in enumerate(priorities, start=1)
            )
            changes["priorities"] = [ru for ru, _en in priorities]
        audit_record(actor=actor, action=action, obj=resolution, changes=changes)
    return resolution


def decision_save(
    *, actor: Any, resolution: Resolution, decision: Decision | None = None, **fields: Any
) -> Decision:
    """Create or change a decision. Once issued, its responsible party is fixed (its tasks are
    that party's); a new deadline moves the deadline of its open tasks."""
    _require_manager(actor)
    with transaction.atomic():
        if decision is not None:
            decision = Decision.objects.select_for_update().get(pk=decision.pk)
        before = _plain(decision, DECISION_FIELDS) if decision else {}
        decision = decision or Decision(resolution=resolution)
        if (
            decision.issued_at
            and "responsible" in fields
            and fields["responsible"] != decision.responsible
        ):
            raise MeetingError(
                {"responsible": _("The decision is issued: its responsible party is fixed.")}
            )
        for name, value in fields.items():
            setattr(decision, name, value)
        _clean(decision)
        decision.save()
        if decision.issued_at and before.get("deadline") != decision.deadline:
            decision.tasks.filter(done=False).update(deadline=decision.deadline)
        action = "decision.update" if before else "decision.create"
        changes = model_changes(before, _plain(decision, DECISION_FIELDS))
        audit_record(actor=actor, action=action, obj=decision, changes=changes)
    return decision


def responsible_centers() -> Any:
    """The regional centers a decision for "every regional center" reaches: the open ones."""
    return Center.objects.filter(kind=Center.Kind.REGIONAL, status=Center.Status.OPEN)


def decision_issue(*, actor: Any, decision: Decision) -> int:
    """Make the decision's tasks: one per open regional center (for "every regional center"),
    else one for its department. Issuing again makes only what is missing (a regional center
    opened since); returns how many tasks were made."""
    _require_manager(actor)
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        have = set(decision.tasks.values_list("center_id", flat=True))
        if decision.for_regional_centers:
            new = [
                Task(decision=decision, center=center, deadline=decision.deadline)
                for center in responsible_centers().exclude(pk__in=have - {None})
            ]
        elif None in have:
            new = []
        else:
            new = [
                Task(decision=decision, department=decision.responsible, deadline=decision.deadline)
            ]
        Task.objects.bulk_create(new)
        if decision.issued_at is None:
            decision.issued_at = timezone.now()
            decision.save(update_fields=["issued_at"])
        audit_record(
            actor=actor, action="decision.issue", obj=decision, changes={"tasks": len(new)}
        )
    return len(new)


# --- tasks -------------------------------------------------------------------------------------


def _locked_task(task: Task) -> Task:
    # Only the task's row is locked: PostgreSQL locks no nullable side of an outer join.
    return Task.objects.select_for_update(of=("self",)).select_related("center").get(pk=task.pk)


def task_close(
    *,
    actor: Any,
    task: Task,
    report: str,
    link: str = "",
    file: UploadedFile | None = None,
    revision: int | None = None,
) -> Task:
    """Close a task with its outcome: a report, and a file and/or a link. Only its responsible
    party may (``permissions.is_task_party``)."""
    with transaction.atomic():
        task = _locked_task(task)
        if actor is not None and not is_task_party(actor, task):
            raise ScopeError(
                {
                    "task": _("Only its responsible party ({party}) may close this task.").format(
                        party=task.party
                    )
                }
            )
        submitted = {"report": report, "link": link}
        revision_check(task, revision, submitted, _labels(Task, submitted))
        if task.done:
            raise MeetingError({"task": _("The task is done already.")})
        if not report.strip():
            raise MeetingError({"report": _("Say what was done: the report is required.")})
        task.report, task.link, task.done = report.strip(), link.strip(), True
        if file is not None:
            task.file = file
        task.done_by = actor if getattr(actor, "pk", None) else None
        task.done_at = timezone.now()
        _clean(task, exclude=["decision", "center", "done_by"])
        revision_bump(task)
        audit_record(
            actor=actor,
            action="task.close",
            obj=task,
            changes={"report": task.report, "link": task.link, "file": task.file.name or ""},
        )
    return task


def task_reopen(*, actor: Any, task: Task, revision: int | None = None) -> Task:
    """Open a done task again (the department, when its outcome is not enough); the report
    stays for the party to complete."""
    _require_manager(actor)
    with transaction.atomic():
        task = _locked_task(task)
        revision_check(task, revision, {"done": False}, _labels(Task, {"done": False}))
        if not task.done:
            raise MeetingError({"task": _("The task is open already.")})
        task.done, task.done_at, task.done_by = False, None, None
        revision_bump(task)
        audit_record(actor=actor, action="task.reopen", obj=task)
    return task


# --- reminders ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderOutcome:
    before: int  # messages queued now for tasks nearing their deadline
    late: int  # messages queued now for late tasks
    without_address: list[Task]


def _addresses(task: Task, heads: dict[int, list[tuple[str, str]]], staff: list) -> list:
    """Who hears of a task: a regional center's heads (else its own address); a department's
    staff."""
    center = task.center
    if center is None:
        return staff
    found = heads.get(center.region_id, []) if center.region_id is not None else []
    if not found and center.email:
        found = [(center.email, settings.LANGUAGE_CODE)]
    return found


def _role_addresses(role: str) -> list[tuple[StaffRole, str, str]]:
    held = (
        StaffRole.objects.filter(role=role, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__username")
    )
    return [(r, r.user.email, r.user.preferred_language) for r in held]


def task_reminders_send(*, today: datetime.date | None = None) -> ReminderOutcome:
    """Queue the reminders due ``today`` (default: today): for an open task, one when its
    deadline is ``LIBRANET_TASK_REMINDER_DAYS`` days away or less (the nearest such day's, once),
    and one when it is late. Every message is keyed in the outbox: running twice queues nothing
    more."""
    today = today or timezone.localdate()
    days = sorted(settings.LIBRANET_TASK_REMINDER_DAYS)
    heads: dict[int, list[tuple[str, str]]] = {}
    for role, email, language in _role_addresses(StaffRole.Role.REGIONAL_HEAD):
        if role.region_id is not None:
            heads.setdefault(role.region_id, []).append((email, language))
    staff = [(e, lang) for _r, e, lang in _role_addresses(StaffRole.Role.NETWORK_DEPARTMENT)]
    tasks = (
        Task.objects.filter(done=False, deadline__isnull=False, decision__issued_at__isnull=False)
        .select_related("center", "decision__resolution__meeting")
        .order_by("deadline", "pk")
    )
    before = late = 0
    without: list[Task] = []
    with transaction.atomic():
        for task in tasks:
            if task.deadline is None:  # the query leaves none; a deadline is needed to judge
                continue
            left = (task.deadline - today).days
            if left < 0:
                key = f"meeting-task:{task.pk}:late"
            else:
                due = [d for d in days if d >= left]
                if not due:
                    continue
                key = f"meeting-task:{task.pk}:before:{due[0]}"
            addresses = _addresses(task, heads, staff)
            if not addresses:
                without.append(task)
            for to, language in addresses:
                with translation.override(language):
                    path = reverse("backoffice:meetings:task", kwargs={"pk": task.pk})
                queued = OutgoingMail.objects.filter(
                    template=REMINDER_TEMPLATE, recipient=to, key=key
                ).exists()
                mail_send(
                    to=to,
                    template=REMINDER_TEMPLATE,
                    context={
                        "task": task,
                        "decision": task.decision,
                        "meeting": task.decision.resolution.meeting,
                        "days_left": left,
                        "link": settings.LIBRANET_SITE_URL + path,
                    },
                    language=language,
                    key=key,
                )
                if not queued:
                    before += left >= 0
                    late += left < 0
    return ReminderOutcome(before=before, late=late, without_address=without)
