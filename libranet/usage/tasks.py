"""Usage statistics' periodic tasks (``LIBRANET_SCHEDULE`` lists them; ``manage.py
run_schedule`` queues them, the task worker runs them). Each is safe to run twice, and at the
same time as itself."""

from django_tasks import task

from .rollup import rollup_recent
from .services import events_purge, spool_ingest


@task()
def usage_ingest() -> int:
    """Load the closed spool files of this machine into raw events; returns the events."""
    return spool_ingest().events


@task()
def usage_rollup() -> list[str]:
    """Roll up today, yesterday and the days that events loaded since the last run touched;
    returns the days (ISO dates)."""
    return [day.isoformat() for day in rollup_recent()]


@task()
def usage_purge() -> int:
    """Delete raw events past ``LIBRANET_USAGE_RETENTION_MONTHS`` (never a day without its
    roll-up); returns how many."""
    return events_purge().deleted
