"""Usage statistics' state changes: loading the spool into raw events, purging old raw events.

The loader (``spool_ingest``) claims each closed spool file (``recorder``), loads its events in
one transaction together with the file's name (``IngestedSpoolFile``), and only then deletes the
file: a crash before the commit leaves the file to be loaded again, a crash after it leaves a
name that says the file is loaded. A loader holds ``flock`` on the file it works on, so two
loaders never load one file at once.
"""

import datetime
import fcntl
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from .counting import day_bounds, local_day
from .models import IngestedSpoolFile, RolledUpDay, UsageEvent
from .partitions import (
    Partition,
    partition_drop,
    partition_list,
    partitioned,
    partitions_for_events,
)
from .recorder import LOADING, OPEN, READY, decode_line, host_name, spool_directory, writer_of

logger = logging.getLogger(__name__)

INSERT_BATCH = 5000
PURGE_BATCH = 10_000
# Loaded spool files are remembered this long: past the crash window they only tell the
# roll-up which days they touched (``rollup.days_to_roll_up`` reads 31 days back).
SPOOL_MEMORY = datetime.timedelta(days=35)
# An open spool file nobody has written to for this long is taken even if a process of its
# number runs (a number reused after a crash): its writer would have handed it over long ago.
ABANDONED_AFTER = datetime.timedelta(hours=1)


@dataclass
class IngestResult:
    files: int = 0  # loaded now
    events: int = 0
    already_loaded: int = 0  # files whose events an earlier, interrupted run had loaded
    bad_lines: int = 0  # lines that are no event (a torn last line of a crashed process)


def spool_ingest(*, directory: Path | None = None) -> IngestResult:
    """Load the closed spool files into ``UsageEvent``: the ``.ready`` ones, the ``.loading``
    ones no loader holds (a loader stopped midway), and the ``.open`` ones whose process is
    gone or that were left alone for ``ABANDONED_AFTER``."""
    directory = directory or spool_directory()
    result = IngestResult()
    if not directory.is_dir():
        return result
    now = file_system_now(directory)
    for path in sorted(directory.iterdir()):
        if path.suffix not in (READY, LOADING, OPEN):
            continue
        with _claimed(path, now) as claimed:
            if claimed is not None:
                _load(claimed, result)
    IngestedSpoolFile.objects.filter(ingested_at__lt=timezone.now() - SPOOL_MEMORY).delete()
    return result


def file_system_now(directory: Path) -> float:
    """The time by the clock that stamps ``directory``'s files (as ``st_mtime``): a file's
    idleness is measured against it, not against this process's clock, which may differ
    (a spool on a file server, a clock moved for a test)."""
    with tempfile.TemporaryFile(dir=directory, prefix=".clock-") as probe:
        return os.fstat(probe.fileno()).st_mtime


def _left_by_its_writer(path: Path, now: float) -> bool:
    """Whether an ``.open`` file's writer is gone: its process (on this machine) no longer
    runs, or it has not written for ``ABANDONED_AFTER`` (a live writer hands its file over
    every ``LIBRANET_USAGE_SPOOL_ROTATE_SECONDS``; this also covers a reused process id)."""
    try:
        idle = now - path.stat().st_mtime
    except FileNotFoundError:
        return False
    if idle > ABANDONED_AFTER.total_seconds():
        return True
    writer = writer_of(path.stem)
    if writer is None or writer[0] != host_name():
        return False
    try:
        os.kill(writer[1], 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # a process of another user runs under that id
    return False


@contextmanager
def _claimed(path: Path, now: float) -> Iterator[Path | None]:
    """The file renamed ``.loading`` and locked for this loader, or None when it is not to be
    loaded now (another loader holds it, its writer is still at it, it is gone)."""
    if path.suffix == OPEN and not _left_by_its_writer(path, now):
        yield None
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        yield None
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None  # another loader is loading it
            return
        try:
            if os.stat(path).st_ino != os.fstat(fd).st_ino:
                yield None  # renamed or replaced since we opened it
                return
        except FileNotFoundError:
            yield None
            return
        if path.suffix != LOADING:
            loading = path.with_suffix(LOADING)
            os.rename(path, loading)
            path = loading
        yield path
    finally:
        os.close(fd)  # releases the lock


def _load(path: Path, result: IngestResult) -> None:
    name = path.stem
    lines = path.read_bytes().split(b"\n")
    tail = lines.pop()  # after the last newline: empty, or a torn line
    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    moments = []
    bad = 1 if tail else 0
    for line in lines:
        event = decode_line(line)
        if event is None:
            bad += 1
            continue
        rows.append((adapt(event.occurred_at), *event[1:]))
        moments.append(event.occurred_at)
    first, last = (min(moments), max(moments)) if moments else (None, None)
    if bad:
        logger.warning("Spool file %s: %d lines are no usage event, left out", name, bad)
        result.bad_lines += bad
    # Outside the load's transaction: a partition made stays made, and its locks are short.
    partitions_for_events(moments)
    try:
        with transaction.atomic():
            if IngestedSpoolFile.objects.filter(name=name).exists():
                raise _AlreadyLoaded
            IngestedSpoolFile.objects.create(
                name=name,
                ingested_at=timezone.now(),
                events=len(rows),
                first_day=local_day(first) if first else None,
                last_day=local_day(last) if last else None,
            )
            events_insert(rows)
    except (_AlreadyLoaded, IntegrityError):
        # Loaded by an earlier run that stopped before deleting the file (or, on PostgreSQL,
        # by another loader a moment ago): the unique name refused it.
        if not IngestedSpoolFile.objects.filter(name=name).exists():
            raise
        result.already_loaded += 1
    else:
        result.files += 1
        result.events += len(rows)
    path.unlink(missing_ok=True)


class _AlreadyLoaded(Exception):
    pass


def _insert_sql() -> str:
    qn = connection.ops.quote_name
    fields = [
        "occurred_at",
        "center",
        "reader_kind",
        "session",
        "action",
        "resource",
        "granted",
        "access_level",
    ]
    column = {field.name: field.column for field in UsageEvent._meta.concrete_fields}
    columns = ", ".join(qn(column[name]) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {qn(UsageEvent._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608


def events_insert(rows: list[tuple]) -> None:
    """Insert raw events, given as (occurred_at adapted for the database, center id, reader
    kind, session, action, resource id, granted, access level): the DB-API's executemany, in
    batches."""
    sql = _insert_sql()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(sql, rows[start : start + INSERT_BATCH])


# --- retention --------------------------------------------------------------------------------


@dataclass
class PurgeResult:
    cutoff: datetime.date  # events before this day are purged
    deleted: int = 0
    days: int = 0
    not_rolled_up: list[datetime.date] = field(default_factory=list)  # kept: no roll-up yet
    partitions_dropped: list[str] = field(default_factory=list)  # PostgreSQL: whole months


def retention_cutoff(today: datetime.date, months: int) -> datetime.date:
    """The first day kept: the first of the month ``months`` before this one (whole months,
    as the reports read them)."""
    index = today.year * 12 + today.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def events_purge(
    *,
    months: int | None = None,
    today: datetime.date | None = None,
    batch_size: int = PURGE_BATCH,
    progress: Callable[[PurgeResult, datetime.date], None] | None = None,
) -> PurgeResult:
    """Delete raw events older than ``months`` (``LIBRANET_USAGE_RETENTION_MONTHS``) whole
    months. A day that has no roll-up keeps its events: they are all there is.

    On PostgreSQL, each month's partition wholly before the cutoff is dropped when all its days
    are rolled up; what is left (a month with a day not rolled up, events in the default
    partition, and on SQLite everything) is deleted day by day, in batches of ``batch_size``
    (each its own transaction, so the database is never held long). The same events are kept
    either way."""
    if months is None:
        months = settings.LIBRANET_USAGE_RETENTION_MONTHS
    if months < 1:
        raise ValueError("Raw usage events must be kept at least one month.")
    today = today or local_day(timezone.now())
    result = PurgeResult(cutoff=retention_cutoff(today, months))
    cutoff_start, _ = day_bounds(result.cutoff)
    if partitioned():
        for partition in partition_list():
            if partition.end is not None and partition.end <= cutoff_start:
                _partition_purge(partition, result, progress)
    _rows_purge(cutoff_start, result, batch_size, progress)
    return result


def _event_days(start: datetime.datetime | None, end: datetime.datetime) -> Iterator[datetime.date]:
    """The days (project's time zone) that have events in ``[start, end)`` (before ``end``
    without a start), oldest first: one look-up in the time index per day."""
    events = UsageEvent.objects.filter(occurred_at__lt=end).order_by("occurred_at")
    first = events if start is None else events.filter(occurred_at__gte=start)
    moment = first.values_list("occurred_at", flat=True).first()
    while moment is not None:
        day = local_day(moment)
        yield day
        following = day_bounds(day)[1]
        moment = (
            events.filter(occurred_at__gte=following).values_list("occurred_at", flat=True).first()
        )


def _partition_purge(
    partition: Partition,
    result: PurgeResult,
    progress: Callable[[PurgeResult, datetime.date], None] | None,
) -> None:
    """Drop ``partition`` if every day it has events of is rolled up (else leave it to the
    deletion of rows, which keeps those days)."""
    assert partition.start is not None and partition.end is not None  # noqa: S101
    days = list(_event_days(partition.start, partition.end))
    rolled = set(RolledUpDay.objects.filter(day__in=days).values_list("day", flat=True))
    if len(rolled) < len(days):
        return
    try:
        result.deleted += partition_drop(partition)
    except OperationalError:
        logger.warning("Usage partition %s busy: left for the next purge", partition.name)
        return
    result.partitions_dropped.append(partition.name)
    result.days += len(days)
    if progress is not None and days:
        progress(result, days[-1])


def _rows_purge(
    cutoff_start: datetime.datetime,
    result: PurgeResult,
    batch_size: int,
    progress: Callable[[PurgeResult, datetime.date], None] | None,
) -> None:
    """Delete the events before ``cutoff_start`` day by day, keeping days not rolled up."""
    for day in _event_days(None, cutoff_start):
        if RolledUpDay.objects.filter(day=day).exists():
            start, end = day_bounds(day)
            day_events = UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
            while ids := list(day_events.values_list("pk", flat=True)[:batch_size]):
                result.deleted += UsageEvent.objects.filter(pk__in=ids).delete()[0]
            result.days += 1
        else:
            result.not_rolled_up.append(day)
            logger.warning("Usage events of %s are past retention but not rolled up: kept", day)
        if progress is not None:
            progress(result, day)
