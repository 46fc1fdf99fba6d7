"""What the task worker and its queue look like now: for /healthz and the staff page."""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from .models import WorkerHeartbeat
from .services import worker_timeout


class WorkerState(StrEnum):
    ALIVE = "alive"  # its heartbeat is recent
    SILENT = "silent"  # no heartbeat within the timeout: dead, or stuck
    STOPPED = "stopped"  # stopped as asked


@dataclass(frozen=True)
class WorkerRow:
    heartbeat: WorkerHeartbeat
    state: WorkerState
    seconds_since: float  # since its last heartbeat


@dataclass(frozen=True)
class QueueState:
    ready: int  # due now, waiting for a worker
    later: int  # waiting for their time (run after, a retry's pause)
    running: int
    failed: int
    oldest_waiting_since: datetime.datetime | None  # of the tasks due now
    now: datetime.datetime

    @property
    def age_seconds(self) -> float | None:
        """How long the oldest task due now has waited: the queue's age."""
        if self.oldest_waiting_since is None:
            return None
        return max((self.now - self.oldest_waiting_since).total_seconds(), 0.0)


def worker_rows(*, now: datetime.datetime | None = None) -> list[WorkerRow]:
    """Every worker heard from within a day, latest heartbeat first, with its task."""
    now = now or timezone.now()
    cutoff = now - worker_timeout()
    rows = []
    for heartbeat in WorkerHeartbeat.objects.select_related("task"):
        if heartbeat.stopped_at is not None:
            state = WorkerState.STOPPED
        elif heartbeat.last_seen_at >= cutoff:
            state = WorkerState.ALIVE
        else:
            state = WorkerState.SILENT
        since = max((now - heartbeat.last_seen_at).total_seconds(), 0.0)
        rows.append(WorkerRow(heartbeat=heartbeat, state=state, seconds_since=since))
    return rows


def last_heartbeat() -> dict[str, object]:
    """The latest heartbeat of any worker and how many workers are alive (for /healthz)."""
    now = timezone.now()
    stats = WorkerHeartbeat.objects.aggregate(
        last=Max("last_seen_at"),
        alive=Count(
            "pk", filter=Q(stopped_at__isnull=True, last_seen_at__gte=now - worker_timeout())
        ),
    )
    last = stats["last"]
    return {
        "alive": stats["alive"],
        "last_heartbeat": last.isoformat() if last else None,
        "seconds_since": round((now - last).total_seconds(), 1) if last else None,
    }


def queue_state(*, now: datetime.datetime | None = None, counts: bool = True) -> QueueState:
    """The queue now: the tasks due and how long the oldest has waited (it waits from its
    queueing, or from its ``run_after`` when it has one); with ``counts``, the tasks waiting for
    later, running and failed too (a count over the whole task table)."""
    now = now or timezone.now()
    never = get_date_max()  # django-tasks-db's "no run_after"
    due = DBTaskResult.objects.ready().aggregate(
        n=Count("pk"),
        queued=Min("enqueued_at", filter=Q(run_after=never)),
        run_after=Min("run_after", filter=~Q(run_after=never)),
    )
    since = [moment for moment in (due["queued"], due["run_after"]) if moment is not None]
    by_status: dict[str, int] = {}
    if counts:
        rows = DBTaskResult.objects.values("status").annotate(n=Count("pk")).order_by()
        by_status = {row["status"]: row["n"] for row in rows}
    return QueueState(
        ready=due["n"],
        later=by_status.get(TaskResultStatus.READY, due["n"]) - due["n"],
        running=by_status.get(TaskResultStatus.RUNNING, 0),
        failed=by_status.get(TaskResultStatus.FAILED, 0),
        oldest_waiting_since=min(since) if since else None,
        now=now,
    )


@dataclass(frozen=True)
class Failure:
    task: DBTaskResult
    error: str  # the exception's line: the last of its traceback


def recent_failures(*, limit: int = 20) -> list[Failure]:
    """The tasks that failed last, latest first, each with its error."""
    tasks = DBTaskResult.objects.failed().order_by("-finished_at")[:limit]
    return [
        Failure(task=task, error=(task.traceback.strip().splitlines() or [""])[-1])
        for task in tasks
    ]
