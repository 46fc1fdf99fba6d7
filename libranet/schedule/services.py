"""The periodic jobs (``LIBRANET_SCHEDULE``): each is a task of the queue, queued once per slot
of its cron spec (read in the project's ``TIME_ZONE``) by ``manage.py run_schedule``.

Several runners may run: the first to record a job's slot (``ScheduledRun``, unique per job and
slot) queues it, the others see the row and skip it. The row and the queued task are written in
one transaction (the database queue lives in the same database), so a slot is never recorded
without its task, nor queued twice. A task path that does not resolve is recorded as the slot's
error and logged, and the runner goes on with the other jobs.
"""

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks.exceptions import InvalidTaskError

from .models import ScheduledRun

logger = logging.getLogger(__name__)

# How long a job's slots are kept: the runners only ever look at the latest one.
KEEP = datetime.timedelta(days=35)


@dataclass(frozen=True)
class Job:
    name: str
    cron: str
    task_path: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def latest_slot(self, now: datetime.datetime) -> datetime.datetime:
        """The latest time at or before ``now`` that the cron spec names, in ``TIME_ZONE``."""
        local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
        # croniter's previous slot is strictly before its start: a run on the slot's very
        # microsecond must find that slot itself.
        start = local + datetime.timedelta(microseconds=1)
        return croniter(self.cron, start).get_prev(datetime.datetime)


def schedule_jobs() -> list[Job]:
    """The jobs of ``LIBRANET_SCHEDULE``, checked: a malformed entry or cron spec is a
    configuration error named with its job."""
    jobs = []
    for entry in settings.LIBRANET_SCHEDULE:
        try:
            name, cron, task_path, kwargs = entry
        except (TypeError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"LIBRANET_SCHEDULE: {entry!r} is not (name, cron spec, task path, kwargs)"
            ) from exc
        if not croniter.is_valid(cron):
            raise ImproperlyConfigured(f"LIBRANET_SCHEDULE: job {name!r}: bad cron spec {cron!r}")
        jobs.append(Job(name=name, cron=cron, task_path=task_path, kwargs=dict(kwargs or {})))
    return jobs


def _resolve(task_path: str) -> Task:
    """The task at ``task_path``, imported only now: a job whose module is not there yet (or no
    longer) fails alone, at its slot."""
    found = import_string(task_path)
    if not isinstance(found, Task):
        raise ImportError(f"{task_path} is not a task (decorate it with django_tasks.task)")
    return found


def schedule_run_due(*, now: datetime.datetime | None = None) -> list[ScheduledRun]:
    """Queue every job whose latest slot no runner has queued yet (a slot missed while no
    runner ran is caught up once, if at most ``LIBRANET_SCHEDULE_CATCH_UP_HOURS`` old).
    Returns the slots this call took (with their task id, or their error)."""
    now = now or timezone.now()
    oldest = now - datetime.timedelta(hours=settings.LIBRANET_SCHEDULE_CATCH_UP_HOURS)
    taken = []
    for job in schedule_jobs():
        slot = job.latest_slot(now)
        if slot < oldest:
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot)
                try:
                    run.task_id = str(_resolve(job.task_path).enqueue(**job.kwargs).id)
                except (ImportError, InvalidTaskError) as exc:
                    run.error = f"{type(exc).__name__}: {exc}"
                    logger.error("schedule: job %s (%s) not queued: %s", job.name, slot, run.error)
                run.save(update_fields=["task_id", "error"])
        except IntegrityError:
            continue  # another runner took this slot
        ScheduledRun.objects.filter(job=job.name, slot__lt=slot - KEEP).delete()
        taken.append(run)
    return taken
