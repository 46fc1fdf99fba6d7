"""Reads of meetings and resolutions: the published programme, a resolution's decisions with
their tasks' progress, the late tasks, and each regional center's progress across decisions.
States are judged on a given day (late = open past the deadline)."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from libranet.network.models import Center
from libranet.network.permissions import task_party_scope

from .models import Decision, Meeting, Resolution, Session, Task, TaskState


def published_meetings() -> QuerySet[Meeting]:
    """Published meetings, latest first, with their programme (a fixed number of queries)."""
    return (
        Meeting.objects.filter(published=True)
        .select_related("host_institution", "host_center")
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=Session.objects.prefetch_related("talks__center").order_by(
                    "position", "pk"
                ),
            ),
            "attendance__region",
            "points__center",
        )
    )


def meeting_by_key(queryset: QuerySet[Meeting], key: str) -> Meeting | None:
    """A meeting by its id or its address name."""
    if key.isdigit():
        return queryset.filter(Q(pk=int(key)) | Q(slug=key)).first()
    return queryset.filter(slug=key).first()


@dataclass
class Progress:
    done: int = 0
    late: int = 0
    open: int = 0

    @property
    def total(self) -> int:
        return self.done + self.late + self.open

    def add(self, state: str) -> None:
        setattr(self, state, getattr(self, state) + 1)


def decision_state(tasks: list[Task], today: datetime.date) -> str:
    """A decision's state from its tasks: done when all are, late when any is, else open; ""
    before it is issued."""
    if not tasks:
        return ""
    states = {task.state_on(today) for task in tasks}
    if states == {TaskState.DONE}:
        return TaskState.DONE
    return TaskState.LATE if TaskState.LATE in states else TaskState.OPEN


@dataclass
class DecisionProgress:
    decision: Decision
    tasks: list[Task]
    state: str
    progress: Progress


def resolution_progress(resolution: Resolution, today: datetime.date) -> list[DecisionProgress]:
    decisions = resolution.decisions.prefetch_related(
        Prefetch("tasks", queryset=Task.objects.select_related("center").order_by("center__code"))
    )
    rows = []
    for decision in decisions:
        tasks = list(decision.tasks.all())
        progress = Progress()
        for task in tasks:
            task.state = task.state_on(today)
            progress.add(task.state)
        rows.append(DecisionProgress(decision, tasks, decision_state(tasks, today), progress))
    return rows


def resolutions() -> QuerySet[Resolution]:
    return Resolution.objects.select_related("meeting").order_by("-adopted_on")


def late_tasks(today: datetime.date) -> QuerySet[Task]:
    return (
        Task.objects.filter(done=False, deadline__lt=today)
        .select_related("center__region", "decision__resolution__meeting")
        .order_by("deadline", "decision__number", "center__code")
    )


@dataclass
class CenterProgress:
    center: Center
    progress: Progress = field(default_factory=Progress)


def center_progress(today: datetime.date) -> list[CenterProgress]:
    """Each regional center with tasks: its tasks across every decision, by state."""
    rows: dict[int, CenterProgress] = {}
    tasks = Task.objects.filter(center__isnull=False).select_related("center__region")
    for task in tasks.order_by("center__code"):
        if task.center is None:  # the filter leaves none
            continue
        row = rows.setdefault(task.center.pk, CenterProgress(task.center))
        row.progress.add(task.state_on(today))
    return list(rows.values())


def tasks_of_party(user: Any) -> QuerySet[Task]:
    """The tasks whose responsible party ``user`` is of."""
    return (
        Task.objects.filter(task_party_scope(user))
        .select_related("center", "decision__resolution__meeting")
        .order_by("done", "deadline", "pk")
    )


def late_count(today: datetime.date) -> int:
    return late_tasks(today).count()
