"""Usage statistics' periodic tasks (``LIBRANET_SCHEDULE`` lists them; ``manage.py
run_schedule`` queues them, the task worker runs them). Each is safe to run twice, and at the
same time as itself."""

from django_tasks import task

from .partitions import partitions_ahead
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
    roll-up; on PostgreSQL whole months' partitions are dropped); returns how many."""
    return events_purge().deleted


@task()
def usage_partitions() -> list[str]:
    """On PostgreSQL, make this month's raw events partition and
    ``LIBRANET_USAGE_PARTITIONS_AHEAD`` months ahead (and move events waiting in the default
    partition into their month's); returns the partitions made."""
    return partitions_ahead()
