"""Reads of meetings and resolutions: the published programme, a resolution's decisions with
their tasks' progress, the late tasks, and each regional center's progress across decisions.
States are judged on a given day (late = open past the deadline)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet

from libranet.network.models import Center, FederalDistrict, Region
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


def _tasks_in_state(state: str, today: datetime.date) -> QuerySet[Task]:
    """Tasks in ``state`` on ``today`` (late: open past the deadline; open: not yet late); every
    task for ""."""
    tasks = Task.objects.all()
    if state == TaskState.DONE:
        return tasks.filter(done=True)
    if state == TaskState.LATE:
        return tasks.filter(done=False, deadline__lt=today)
    if state == TaskState.OPEN:
        return tasks.filter(Q(deadline__isnull=True) | Q(deadline__gte=today), done=False)
    return tasks


@dataclass
class TaskFilters:
    """What the tasks' list is narrowed by; empty means "any"."""

    state: str = TaskState.LATE  # one of TaskState, "" for every task
    decision: int | None = None  # a decision's id
    district: str = ""  # a federal district's code
    region: str = ""  # a region's code
    center: str = ""  # a regional center's code


def _narrowed(tasks: QuerySet[Task], filters: TaskFilters, *, without: str = "") -> QuerySet[Task]:
    """``tasks`` narrowed by ``filters``, less the one named ``without`` (a facet's own)."""
    if filters.decision is not None and without != "decision":
        tasks = tasks.filter(decision_id=filters.decision)
    if filters.district and without != "district":
        tasks = tasks.filter(center__region__federal_district__code=filters.district)
    if filters.region and without not in ("district", "region"):
        tasks = tasks.filter(center__region__code=filters.region)
    if filters.center:
        tasks = tasks.filter(center__code=filters.center)
    return tasks


def task_list(*, today: datetime.date, filters: TaskFilters) -> QuerySet[Task]:
    """The tasks in the filters' state, narrowed by them: soonest deadline first, a decision's
    tasks together (the page groups them), by region within it."""
    return (
        _narrowed(_tasks_in_state(filters.state, today), filters)
        .select_related("center__region", "decision__resolution__meeting")
        .order_by(
            "deadline",
            "decision__resolution__adopted_on",
            "decision__number",
            "center__region__name_ru",
            "center__code",
            "pk",
        )
    )


@dataclass
class TaskFacets:
    """How many of the tasks in the filters' state each choice of a filter would list."""

    decisions: list[tuple[Decision, int]]
    districts: list[tuple[FederalDistrict, int]]
    regions: list[tuple[Region, int]]  # of the chosen district, or of every district
    center: Center | None  # the regional center the list is narrowed to


def _counted(tasks: QuerySet[Task], key: str) -> dict[Any, int]:
    rows = tasks.values_list(key).annotate(count=Count("pk")).order_by()
    return {pk: count for pk, count in rows if pk is not None}


def task_facets(*, today: datetime.date, filters: TaskFilters) -> TaskFacets:
    """The counts beside the filters' choices: each facet counts the tasks the other filters
    leave, so that a choice shows what it would list (seven queries at most, whatever the
    network's size)."""
    tasks = _tasks_in_state(filters.state, today)
    decisions = _counted(_narrowed(tasks, filters, without="decision"), "decision")
    districts = _counted(
        _narrowed(tasks, filters, without="district"), "center__region__federal_district"
    )
    regions = _counted(_narrowed(tasks, filters, without="region"), "center__region")
    named_decisions = Decision.objects.select_related("resolution__meeting").in_bulk(decisions)
    return TaskFacets(
        decisions=[
            (decision, decisions[pk])
            for pk, decision in sorted(
                named_decisions.items(),
                key=lambda item: (-item[1].resolution.adopted_on.toordinal(), item[1].number),
            )
        ],
        districts=[(d, districts[d.pk]) for d in FederalDistrict.objects.filter(pk__in=districts)],
        regions=sorted(
            ((r, regions[r.pk]) for r in Region.objects.filter(pk__in=regions)),
            key=lambda item: item[0].name,
        ),
        center=Center.objects.filter(code=filters.center).first() if filters.center else None,
    )


CENTER_SORTS = ("name", "done", "open", "late", "total")


def center_progress(
    *, today: datetime.date, district: str = "", sort: str = "-late"
) -> QuerySet[Center]:
    """Each regional center with tasks, annotated with how many of them are done, open and late
    on ``today`` (and their total), ordered by ``sort`` (a key of ``CENTER_SORTS``, ``-`` before
    it for descending), then by name."""
    done = Q(meeting_tasks__done=True)
    late = Q(meeting_tasks__done=False, meeting_tasks__deadline__lt=today)
    centers = (
        Center.objects.annotate(
            total=Count("meeting_tasks"),
            done=Count("meeting_tasks", filter=done),
            late=Count("meeting_tasks", filter=late),
        )
        .filter(total__gt=0)
        .annotate(open=F("total") - F("done") - F("late"))
        .select_related("region__federal_district")
    )
    if district:
        centers = centers.filter(region__federal_district__code=district)
    key = sort.removeprefix("-")
    # A regional center is named by its region on the page: "name" sorts by the region's.
    order = "region__name_ru" if key == "name" else key
    first = f"-{order}" if sort.startswith("-") else order
    return centers.order_by(first, "region__name_ru", "code")


def center_districts(*, today: datetime.date) -> list[tuple[FederalDistrict, int, int]]:
    """The federal districts of the regional centers with tasks: each with how many such
    centers it has and how many of their tasks are late on ``today``."""
    rows = (
        Task.objects.filter(center__isnull=False)
        .values_list("center__region__federal_district")
        .annotate(
            centers=Count("center", distinct=True),
            late=Count("pk", filter=Q(done=False, deadline__lt=today)),
        )
        .order_by()
    )
    counts = {pk: (centers, late) for pk, centers, late in rows if pk is not None}
    return [(d, *counts[d.pk]) for d in FederalDistrict.objects.filter(pk__in=counts)]


def tasks_of_party(user: Any) -> QuerySet[Task]:
    """The tasks whose responsible party ``user`` is of."""
    return (
        Task.objects.filter(task_party_scope(user))
        .select_related("center", "decision__resolution__meeting")
        .order_by("done", "deadline", "pk")
    )


def late_count(today: datetime.date) -> int:
    return _tasks_in_state(TaskState.LATE, today).count()
