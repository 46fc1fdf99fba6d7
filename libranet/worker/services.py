"""The task worker's state changes: heartbeats, taking over the task of a dead worker, and
putting back in the queue a task that a transient database error ended.

A task is claimed (django-tasks-db's ``claim``: ``running``, its ``started_at``, the worker's id
appended to ``worker_ids``) at most ``LIBRANET_WORKER_MAX_ATTEMPTS`` times, counting its first
run, the takeovers and the runs again after a transient database error; then it stays failed.
Every periodic task is safe to run twice (STYLE.md rule 8), so running one again is never wrong.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# How long a stopped or dead worker stays on the staff page and in /healthz.
FORGET_AFTER = datetime.timedelta(days=1)


class WorkerLost(Exception):  # noqa: N818 (named for what happened, as the task's error)
    """The error recorded for a task whose worker died while running it, once the task has
    been claimed ``LIBRANET_WORKER_MAX_ATTEMPTS`` times."""


def _path(exc_type: type[BaseException]) -> str:
    return f"{exc_type.__module__}.{exc_type.__qualname__}"


def worker_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.LIBRANET_WORKER_TIMEOUT_SECONDS)


def retry_delay(claims: int) -> datetime.timedelta:
    """The pause before a task that a transient database error ended runs again: doubling with
    its claims from ``LIBRANET_WORKER_RETRY_SECONDS``, at most ``..._RETRY_MAX_SECONDS``."""
    seconds = settings.LIBRANET_WORKER_RETRY_SECONDS * 2 ** max(claims - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.LIBRANET_WORKER_RETRY_MAX_SECONDS))


def worker_heartbeat(
    *,
    worker_id: str,
    host: str,
    pid: int,
    started_at: datetime.datetime,
    task_id: str | None,
    now: datetime.datetime | None = None,
) -> None:
    """Record that worker ``worker_id`` is alive now, running ``task_id`` (or nothing)."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": host,
            "pid": pid,
            "started_at": started_at,
            "last_seen_at": now or timezone.now(),
            "stopped_at": None,
            "task_id": task_id,
        },
    )


def worker_stopped(*, worker_id: str, now: datetime.datetime | None = None) -> None:
    """Record that worker ``worker_id`` stopped as asked (it holds no task any more)."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(
        stopped_at=now, last_seen_at=now, task=None
    )


def heartbeats_forget(*, now: datetime.datetime | None = None) -> int:
    """Delete the heartbeats of workers silent for ``FORGET_AFTER``; returns how many."""
    cutoff = (now or timezone.now()) - FORGET_AFTER
    deleted, _by_model = WorkerHeartbeat.objects.filter(last_seen_at__lt=cutoff).delete()
    return deleted


def tasks_take_over(*, now: datetime.datetime | None = None) -> list[DBTaskResult]:
    """Put back in the queue every running task whose worker has been silent for
    ``LIBRANET_WORKER_TIMEOUT_SECONDS`` (or has stopped), or fail it with ``WorkerLost`` once it
    was claimed ``LIBRANET_WORKER_MAX_ATTEMPTS`` times. Returns the tasks taken over.

    Each task is taken in a transaction that first locks its worker's heartbeat and then changes
    the task only if it is still the same claim (running, same ``started_at``): a worker coming
    back at that moment waits for the decision, and of two workers taking over at once one wins.
    A task claimed by a worker that never sent a heartbeat (``manage.py db_worker``) counts as
    its worker's silence from its start."""
    now = now or timezone.now()
    cutoff = now - worker_timeout()
    candidates = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    taken = []
    for task in candidates.only("id", "started_at", "worker_ids", "task_path"):
        holder = task.worker_ids[-1] if task.worker_ids else ""
        with transaction.atomic():
            heartbeat = WorkerHeartbeat.objects.select_for_update().filter(worker_id=holder).first()
            if (
                heartbeat is not None
                and heartbeat.stopped_at is None
                and heartbeat.last_seen_at >= cutoff
            ):
                continue  # alive: a long task
            claims = len(task.worker_ids)
            changes: dict[str, object]
            if claims >= settings.LIBRANET_WORKER_MAX_ATTEMPTS:
                changes = {
                    "status": TaskResultStatus.FAILED,
                    "finished_at": now,
                    "exception_class_path": _path(WorkerLost),
                    "traceback": (
                        f"{_path(WorkerLost)}: worker {holder} stopped while running the task; "
                        f"claimed {claims} times, no more attempts\n"
                    ),
                    "return_value": None,
                }
            else:
                changes = {"status": TaskResultStatus.READY}
            won = DBTaskResult.objects.filter(
                pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at
            ).update(**changes)
        if won:
            logger.warning(
                "worker: task %s (%s) of worker %s, silent since %s, %s",
                task.pk,
                task.task_path,
                holder or "?",
                heartbeat.last_seen_at if heartbeat else task.started_at,
                "failed: no more attempts"
                if changes["status"] == TaskResultStatus.FAILED
                else "queued again",
            )
            taken.append(task)
    return taken


def task_retry_later(*, task: DBTaskResult, now: datetime.datetime | None = None) -> bool:
    """Queue again ``task``, which a transient database error ended (recorded failed), after
    ``retry_delay``; unless it was claimed ``LIBRANET_WORKER_MAX_ATTEMPTS`` times, then it stays
    failed. Returns whether it was queued again."""
    claims = len(task.worker_ids)
    if claims >= settings.LIBRANET_WORKER_MAX_ATTEMPTS:
        logger.error(
            "worker: task %s (%s) claimed %s times, no more attempts",
            task.pk,
            task.task_path,
            claims,
        )
        return False
    run_after = (now or timezone.now()) + retry_delay(claims)
    queued = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=run_after, finished_at=None
    )
    if queued:
        logger.warning(
            "worker: task %s (%s) met a database error; queued again for %s",
            task.pk,
            task.task_path,
            run_after,
        )
    return bool(queued)
