"""The daily roll-up: a day's raw events counted by COUNTER's rules (``counting``) into
``DailyItemUsage`` (per center and resource) and ``DailyCenterUsage`` (per center), and the
day marked in ``RolledUpDay``. Reports, SUSHI and the mailing read only these rows.

A day is counted again whole from its events and its rows replaced in one transaction, so a
roll-up can be run again for any day (events loaded late, rules corrected) and gives the same
numbers from the same events; days are the project's time zone's (``counting``). Counting reads
only, so several processes may roll up different days at once (``rollup_usage --from/--to`` over
parts of a range); only the short replacement of the rows takes the write lock.
"""

import calendar
import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from libranet.network.models import Center

from .counting import day_sql, events_counted_sql, local_day
from .models import (
    DailyAreaUsage,
    DailyCenterUsage,
    DailyItemUsage,
    IngestedSpoolFile,
    MonthlyAreaUsage,
    MonthlyCenterUsage,
    RolledUpDay,
)

# A spool file loaded this long before a day's roll-up began may still have been invisible
# to it (loaded, not yet committed): such days are rolled up again, which costs nothing wrong.
LATE_MARGIN = datetime.timedelta(hours=1)
# How far back the loaded spool files are read to find the days they touched.
TOUCHED_WINDOW = datetime.timedelta(days=31)
SORT_MEMORY_KB = 256 * 1024  # for the counting's sorts (see ``_counting``)

Progress = Callable[[int, int, datetime.date], None]


def rollup_day(day: datetime.date) -> int:
    """Count ``day``'s events again into its roll-up rows; returns the number of events.

    The counting only reads the events (into the connection's temporary tables), so several
    days may be counted at once, by several processes; then one short transaction replaces
    the day's rows and marks it rolled up. Events loaded while it counts are not in these
    numbers, and their spool file brings the day back to the next run (``days_to_roll_up``)."""
    statements = day_sql(connection, day)
    began = timezone.now()
    with _sort_memory():
        try:
            with _counting(), connection.cursor() as cursor:
                for statement in statements.count:
                    cursor.execute(*statement)
            with transaction.atomic(), connection.cursor() as cursor:
                DailyItemUsage.objects.filter(day=day).delete()
                DailyCenterUsage.objects.filter(day=day).delete()
                for statement in statements.publish:
                    cursor.execute(*statement)
                summaries_rebuild(day)
                cursor.execute(events_counted_sql())
                events = int(cursor.fetchone()[0])
                RolledUpDay.objects.update_or_create(
                    day=day, defaults={"rolled_up_at": began, "events": events}
                )
        finally:
            with connection.cursor() as cursor:
                for statement in statements.drop:
                    cursor.execute(*statement)
    return events


def summaries_rebuild(day: datetime.date) -> None:
    """Sum ``day``'s center rows into its area rows, and its month's into the month's center and
    area rows; in the caller's transaction, after the day's center rows are in place.

    The month is summed again whole from its days (a day rolled up again changes it), under a
    lock on PostgreSQL: two roll-ups of days of one month then sum one after the other, the
    second seeing the first's day (SQLite's single writer does the same)."""
    month = day.replace(day=1)
    centers, areas, months, area_months = (
        connection.ops.quote_name(model._meta.db_table)
        for model in (DailyCenterUsage, DailyAreaUsage, MonthlyCenterUsage, MonthlyAreaUsage)
    )
    center_table = connection.ops.quote_name(Center._meta.db_table)
    day_value, month_value = (connection.ops.adapt_datefield_value(d) for d in (day, month))
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    last_value = connection.ops.adapt_datefield_value(last)
    with connection.cursor() as cursor:
        DailyAreaUsage.objects.filter(day=day).delete()
        cursor.execute(
            f"""INSERT INTO {areas} (day, region_id, country_id, metric, value)
            SELECT u.day, c.region_id, c.country_id, u.metric, SUM(u.value)
            FROM {centers} u JOIN {center_table} c ON c.id = u.center_id
            WHERE u.day = %s GROUP BY u.day, c.region_id, c.country_id, u.metric""",  # noqa: S608
            [day_value],
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {months} IN SHARE ROW EXCLUSIVE MODE")
        MonthlyCenterUsage.objects.filter(month=month).delete()
        MonthlyAreaUsage.objects.filter(month=month).delete()
        cursor.execute(
            f"""INSERT INTO {months} (month, center_id, metric, value)
            SELECT %s, center_id, metric, SUM(value) FROM {centers}
            WHERE day >= %s AND day <= %s AND center_id IS NOT NULL
            GROUP BY center_id, metric""",  # noqa: S608
            [month_value, month_value, last_value],
        )
        cursor.execute(
            f"""INSERT INTO {area_months} (month, region_id, country_id, metric, value)
            SELECT %s, region_id, country_id, metric, SUM(value) FROM {areas}
            WHERE day >= %s AND day <= %s GROUP BY region_id, country_id, metric""",  # noqa: S608
            [month_value, month_value, last_value],
        )


@contextmanager
def _counting() -> Iterator[None]:
    """Where the counting runs: on PostgreSQL, in a transaction of its own with room to sort a
    day's events (a million and more at the network's peak) in memory; on SQLite, outside any
    transaction of ours (Django begins them IMMEDIATE: that would take the write lock)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY_KB}kB'")
        yield


@contextmanager
def _sort_memory() -> Iterator[None]:
    """On SQLite, a page cache large enough for a day's sorts and index updates while the
    roll-up runs (the connection's default is 2 MB)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{SORT_MEMORY_KB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


def rollup_days(days: Iterable[datetime.date], progress: Progress | None = None) -> int:
    """Roll up each of ``days`` (each in its own transaction); returns the events counted."""
    days = sorted(set(days))
    events = 0
    for done, day in enumerate(days, start=1):
        events += rollup_day(day)
        if progress is not None:
            progress(done, len(days), day)
    return events


def days_to_roll_up(*, now: datetime.datetime | None = None) -> list[datetime.date]:
    """Today and yesterday (their events still arrive), and every day that a spool file
    loaded since that day's last roll-up touched."""
    now = now or timezone.now()
    today = local_day(now)
    days = {today, today - datetime.timedelta(days=1)}
    last_run = RolledUpDay.objects.aggregate(last=Max("rolled_up_at"))["last"]
    since = now - TOUCHED_WINDOW
    if last_run is not None:
        since = max(since, last_run - LATE_MARGIN)
    touched: dict[datetime.date, datetime.datetime] = {}
    files = IngestedSpoolFile.objects.filter(ingested_at__gte=since, first_day__isnull=False)
    for first, last, ingested_at in files.values_list("first_day", "last_day", "ingested_at"):
        if first is None or last is None:  # excluded by the filter; for the type checker
            continue
        day = first
        while day <= last:
            touched[day] = max(touched.get(day, ingested_at), ingested_at)
            day += datetime.timedelta(days=1)
    rolled = dict(
        RolledUpDay.objects.filter(day__in=list(touched)).values_list("day", "rolled_up_at")
    )
    for day, ingested_at in touched.items():
        if day <= today and (day not in rolled or ingested_at >= rolled[day] - LATE_MARGIN):
            days.add(day)
    return sorted(days)


def rollup_recent(progress: Progress | None = None) -> list[datetime.date]:
    """Roll up the days touched since the last run (``days_to_roll_up``); returns them."""
    days = days_to_roll_up()
    rollup_days(days, progress)
    return days
