"""The annual meetings (public: the published ones, with their programme) and the resolutions
(staff: each decision with its tasks and their states); closing a task by its responsible
party, with the rules of the back office's task page."""

import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from libranet.meetings.models import Decision, Task
from libranet.meetings.selectors import decision_state, published_meetings, resolutions
from libranet.meetings.services import task_close
from libranet.network.permissions import Capability
from libranet.revisions import EditConflict

from .auth import WRITE_AUTH, require
from .pagination import paginate
from .schemas import BodyIn, PageQuery, Text, errors

router = Router(tags=["meetings"])

Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
TaskStateOut = Annotated[str, Field(description="open, late (open past the deadline) or done")]


class TalkOut(Schema):
    position: int
    speaker_ru: str
    speaker_en: str
    affiliation_ru: str
    affiliation_en: str
    center: str | None = Field(description="Code of the speaker's center, if any.")
    title_ru: str
    title_en: str

    @staticmethod
    def resolve_center(obj: Any) -> str | None:
        return obj.center.code if obj.center_id else None


class SessionOut(Schema):
    position: int
    title_ru: str
    title_en: str
    date: datetime.date
    starts_at: datetime.time | None
    ends_at: datetime.time | None
    venue_ru: str
    venue_en: str
    talks: list[TalkOut]

    @staticmethod
    def resolve_talks(obj: Any) -> list[Any]:
        return list(obj.talks.all())


class AttendanceOut(Schema):
    region: str = Field(description="ISO 3166-2 code of the region.")
    count: int


class MeetingOut(Schema):
    id: int
    number: str
    slug: str
    title_ru: str
    title_en: str
    starts_on: datetime.date
    ends_on: datetime.date
    city_ru: str
    city_en: str
    host_institution: int | None = Field(description="Id of the host institution.")
    host_center: str | None = Field(description="Code of the host center.")
    description_ru: str
    description_en: str
    participants_in_hall: int
    regions_by_video: int
    connection_points: int
    attendance: list[AttendanceOut]
    points: list[str] = Field(description="The connection points: a center's code or a name.")
    sessions: list[SessionOut]

    @staticmethod
    def resolve_host_center(obj: Any) -> str | None:
        return obj.host_center.code if obj.host_center_id else None

    @staticmethod
    def resolve_host_institution(obj: Any) -> int | None:
        return obj.host_institution_id

    @staticmethod
    def resolve_attendance(obj: Any) -> list[dict[str, Any]]:
        return [{"region": a.region.code, "count": a.count} for a in obj.attendance.all()]

    @staticmethod
    def resolve_points(obj: Any) -> list[str]:
        return [p.center.code if p.center_id else p.name for p in obj.points.all()]

    @staticmethod
    def resolve_sessions(obj: Any) -> list[Any]:
        return list(obj.sessions.all())


class MeetingPage(Schema):
    count: int
    items: list[MeetingOut]


class TaskOut(Schema):
    id: int
    center: str | None = Field(description="Code of the responsible regional center.")
    department: str = Field(description="The responsible department (empty for a center's).")
    deadline: datetime.date | None
    state: TaskStateOut
    report: str
    link: str
    file: str = Field(description="Name of the attached file (empty when none).")
    done_at: datetime.datetime | None
    revision: int


class DecisionOut(Schema):
    id: int
    number: int
    text_ru: str
    text_en: str
    responsible: str
    deadline: datetime.date | None
    recurrence_ru: str
    recurrence_en: str
    workflow: str = Field(
        description="Where in Libranet its work is done: zero_usage_mailing, monitoring, "
        "opening_plan, agreements, meetings, or empty when outside."
    )
    state: str = Field(description="done, late, open, or empty before the decision is issued")
    tasks: list[TaskOut]


class PriorityOut(Schema):
    position: int
    text_ru: str
    text_en: str


class ResolutionOut(Schema):
    id: int
    meeting: int = Field(description="Id of the meeting.")
    adopted_on: datetime.date
    preamble_ru: str
    preamble_en: str
    signed_by: str
    priorities: list[PriorityOut]
    decisions: list[DecisionOut]


class ResolutionPage(Schema):
    count: int
    items: list[ResolutionOut]


class TaskCloseIn(BodyIn):
    report: str = Field(description="What was done.")
    link: Text = Field("", description="A link to the outcome (a page, a document).")
    revision: int | None = Field(
        None, ge=1, description="The task's revision the report was written from (409 if stale)."
    )


def _task_out(task: Task, today: datetime.date) -> dict[str, Any]:
    return {
        "id": task.pk,
        "center": task.center.code if task.center_id else None,
        "department": task.department,
        "deadline": task.deadline,
        "state": task.state_on(today),
        "report": task.report,
        "link": task.link,
        "file": task.file.name or "",
        "done_at": task.done_at,
        "revision": task.revision,
    }


def _decision_out(decision: Decision, today: datetime.date) -> dict[str, Any]:
    tasks = list(decision.tasks.all())
    return {
        **{
            f: getattr(decision, f)
            for f in ("number", "text_ru", "text_en", "responsible", "deadline")
        },
        "id": decision.pk,
        "recurrence_ru": decision.recurrence_ru,
        "recurrence_en": decision.recurrence_en,
        "workflow": decision.workflow,
        "state": decision_state(tasks, today),
        "tasks": [_task_out(t, today) for t in tasks],
    }


@router.get("/meetings", response={200: MeetingPage}, summary="List the published meetings")
def list_meetings(request: HttpRequest, page: Query[PageQuery]):
    """The published annual meetings, latest first, each with its sessions and their talks."""
    return paginate(published_meetings(), page)


@router.get(
    "/resolutions",
    auth=WRITE_AUTH,
    response={200: ResolutionPage, **errors(403)},
    summary="List the resolutions with their decisions' tasks",
)
def list_resolutions(request: HttpRequest, page: Query[PageQuery]):
    """Each resolution with its priorities and its decisions, each decision with its tasks and
    their states today (staff)."""
    require(request.auth, Capability.VIEW_RESOLUTIONS)
    today = timezone.localdate()
    queryset = resolutions().prefetch_related("priorities", "decisions__tasks__center")
    found = paginate(queryset, page)
    found["items"] = [
        {
            "id": r.pk,
            "meeting": r.meeting_id,
            "adopted_on": r.adopted_on,
            "preamble_ru": r.preamble_ru,
            "preamble_en": r.preamble_en,
            "signed_by": r.signed_by,
            "priorities": list(r.priorities.all()),
            "decisions": [_decision_out(d, today) for d in r.decisions.all()],
        }
        for r in found["items"]
    ]
    return found


@router.post(
    "/resolutions/tasks/{task_id}/close",
    auth=WRITE_AUTH,
    response={200: TaskOut, **errors(403, 409)},
    summary="Close a task with its outcome",
)
def close_task(request: HttpRequest, task_id: Id, payload: TaskCloseIn):
    """Close a task with a report (and a link): only its responsible party may, a regional
    center's head or operator for its task, the department for a department's task."""
    task = Task.objects.select_related("center").filter(pk=task_id).first()
    if task is None:
        raise HttpError(404, _("There is no task with id {id}.").format(id=task_id))
    require(request.auth, Capability.VIEW_RESOLUTIONS)
    try:
        task = task_close(actor=request.auth, task=task, **payload.model_dump())
    except EditConflict as exc:
        fields = ", ".join(d.field for d in exc.differences) or "revision"
        raise HttpError(409, f"{exc.messages[0]} ({fields}: {_('revision')} {exc.stored})") from exc
    return _task_out(task, timezone.localdate())
