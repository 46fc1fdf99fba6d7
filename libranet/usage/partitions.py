"""Monthly partitions of the raw usage events on PostgreSQL (SQLite keeps one table).

``UsageEvent``'s table is partitioned by RANGE on ``occurred_at``, one partition per calendar
month **in the project's time zone** (``TIME_ZONE``): the days the roll-up counts and the whole
months retention keeps are that zone's, so a day's or a month's events are in one partition,
and retention drops whole partitions. A partition's bounds are fixed when it is made; if the
time zone changes later, a new month's partition is clipped to its neighbours' bounds.

A DEFAULT partition (``usage_usageevent_default``) takes any event whose month has no
partition (a late event, a skewed clock, a writer that did not ask for one), so no write ever
fails for want of a partition. PostgreSQL refuses to attach a partition while the default
holds rows of its range, so ``partitions_ensure`` moves those rows into the new partition in
the same transaction, before attaching it. The loader asks for its batch's months before it
writes, and the daily ``usage-partitions`` job makes the months ahead and empties the default.

Partitions are made as plain tables then attached (ATTACH takes only a SHARE UPDATE EXCLUSIVE
lock on the events: reads and writes go on), under an advisory lock so that two makers (two
servers' loaders) take turns.
"""

import datetime
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .counting import day_bounds, local_day
from .models import UsageEvent

logger = logging.getLogger(__name__)

TABLE = UsageEvent._meta.db_table
DEFAULT = f"{TABLE}_default"
# pg_advisory_xact_lock's key for "making usage partitions" (any constant of our own).
MAKER_LOCK = 0x5553_4147_4550  # "USAGEP"
# DDL waits at most this long for its lock, never queueing every reader and writer behind a
# long query; what could not be done now is done by the next run.
LOCK_TIMEOUT = "5s"
_BOUNDS = re.compile(r"FROM \('([^']+)'\) TO \('([^']+)'\)")


@dataclass(frozen=True)
class Partition:
    name: str
    start: datetime.datetime | None  # None for the default partition
    end: datetime.datetime | None
    rows: int  # the planner's estimate (-1: never analyzed)
    size: int  # bytes, with its indexes

    @property
    def is_default(self) -> bool:
        return self.start is None


def partitioned() -> bool:
    """Whether raw events are partitioned here: on PostgreSQL (migration 0005)."""
    return connection.vendor == "postgresql"


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of ``moment``'s month, in the project's time zone."""
    return local_day(moment).replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of ``month`` and of the next one, in the project's time zone."""
    return day_bounds(month)[0], day_bounds(next_month(month))[0]


def partition_name(month: datetime.date) -> str:
    return f"{TABLE}_p{month:%Y_%m}"


def partition_list() -> list[Partition]:
    """The partitions of the raw events, oldest first, the default one last."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples,
                      pg_total_relation_size(c.oid)
               FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               WHERE i.inhparent = %s::regclass""",
            [TABLE],
        )
        found = cursor.fetchall()
    partitions = []
    for name, bound, rows, size in found:
        match = _BOUNDS.search(bound)
        start, end = (
            (datetime.datetime.fromisoformat(match[1]), datetime.datetime.fromisoformat(match[2]))
            if match
            else (None, None)
        )
        partitions.append(Partition(name, start, end, int(rows), int(size)))
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return sorted(partitions, key=lambda p: p.start or far)


def _columns() -> str:
    qn = connection.ops.quote_name
    return ", ".join(qn(field.column) for field in UsageEvent._meta.concrete_fields)


def _clipped(
    start: datetime.datetime, end: datetime.datetime, partitions: Sequence[Partition]
) -> tuple[datetime.datetime, datetime.datetime]:
    """``[start, end)`` less the ranges of existing partitions (made under another time zone)."""
    for p in partitions:
        if p.start is None or p.end is None or p.start >= end or p.end <= start:
            continue
        if p.start <= start:
            start = max(start, p.end)
        else:
            end = min(end, p.start)
    return start, end


def partitions_ensure(months: Iterable[datetime.date]) -> list[str]:
    """Make the partitions of ``months`` (first days) that do not exist yet, moving their rows
    out of the default partition; returns the names made. Nothing on SQLite."""
    if not partitioned():
        return []
    wanted = {month.replace(day=1) for month in months}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        if wanted <= {_month_of_name(name) for (name,) in cursor.fetchall()}:
            return []  # the usual case: one look at the catalog, no lock
    qn = connection.ops.quote_name
    made = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MAKER_LOCK])
        partitions = partition_list()  # again, under the lock: another maker may have run
        names = {p.name for p in partitions}
        has_default = DEFAULT in names
        columns = _columns()
        for month in sorted(wanted):
            name = partition_name(month)
            start, end = _clipped(*month_bounds(month), partitions)
            if name in names or start >= end:
                continue
            table = qn(name)
            cursor.execute(
                f"CREATE TABLE {table} (LIKE {qn(TABLE)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            )
            if has_default:
                cursor.execute(
                    f"""WITH moved AS (
                        DELETE FROM {qn(DEFAULT)} WHERE occurred_at >= %s AND occurred_at < %s
                        RETURNING {columns}
                    ) INSERT INTO {table} ({columns}) SELECT {columns} FROM moved""",  # noqa: S608
                    [start, end],
                )
                if cursor.rowcount:
                    logger.info("Moved %d usage events into %s", cursor.rowcount, name)
            # The bounds are our own datetimes, written as literals (DDL takes no parameters).
            cursor.execute(
                f"ALTER TABLE {qn(TABLE)} ATTACH PARTITION {table} "
                f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
            )
            made.append(name)
            partitions.append(Partition(name, start, end, 0, 0))
    for name in made:
        logger.info("Usage events partition %s made", name)
    return made


def _month_of_name(name: str) -> datetime.date | None:
    match = re.fullmatch(rf"{TABLE}_p(\d{{4}})_(\d{{2}})", name)
    return datetime.date(int(match[1]), int(match[2]), 1) if match else None


def partitions_for_events(moments: Sequence[datetime.datetime]) -> None:
    """Before a batch of events is written: make the partitions of its months. A failure
    (a lock not had in time) is logged, never raised: the events then wait in the default
    partition for the next ``usage-partitions`` run."""
    if not partitioned() or not moments:
        return
    first, last = month_of(min(moments)), month_of(max(moments))
    # A batch is usually a minute of one month; only then is every event's month needed.
    months = {first} if first == last else {month_of(m) for m in moments}
    try:
        partitions_ensure(months)
    except DatabaseError:
        logger.warning("Usage partitions for %s not made now", sorted(months), exc_info=True)


def partitions_ahead(*, today: datetime.date | None = None, ahead: int | None = None) -> list[str]:
    """The schedule's job: this month's partition and ``ahead``
    (``LIBRANET_USAGE_PARTITIONS_AHEAD``) months after it, and the months of any events waiting
    in the default partition; returns the names made."""
    if not partitioned():
        return []
    today = today or timezone.localdate()
    ahead = settings.LIBRANET_USAGE_PARTITIONS_AHEAD if ahead is None else ahead
    months = [today.replace(day=1)]
    for _ in range(ahead):
        months.append(next_month(months[-1]))
    qn = connection.ops.quote_name
    if any(p.name == DEFAULT for p in partition_list()):
        with connection.cursor() as cursor:
            # Usually empty; a month's partition made, its rows leave the default.
            cursor.execute(
                f"SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE %s)::date "  # noqa: S608
                f"FROM {qn(DEFAULT)}",
                [settings.TIME_ZONE],
            )
            months += [row[0] for row in cursor.fetchall()]
    return partitions_ensure(months)


def default_partition_make() -> None:
    """Make the default partition if it is missing (the migration makes it)."""
    qn = connection.ops.quote_name
    if any(p.name == DEFAULT for p in partition_list()):
        return
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {qn(DEFAULT)} PARTITION OF {qn(TABLE)} DEFAULT")


def partition_drop(partition: Partition) -> int:
    """Drop a partition whole; returns how many events it held. Waits at most
    ``LOCK_TIMEOUT`` for its lock (raises ``OperationalError`` then)."""
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(f"SELECT COUNT(*) FROM {qn(partition.name)}")  # noqa: S608
        events = int(cursor.fetchone()[0])
        cursor.execute(f"DROP TABLE {qn(partition.name)}")
    logger.info("Usage events partition %s dropped (%d events)", partition.name, events)
    return events
