"""Raw events partitioned by month on PostgreSQL: the migration there and back, partitions made
by the loader and ahead by the schedule, retention dropping whole months (the same events kept
as on SQLite), and a day's roll-up reading one partition."""

import datetime
import io
import re

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from libranet.usage import recorder
from libranet.usage.counting import day_sql
from libranet.usage.models import Action, UsageEvent
from libranet.usage.partitions import (
    DEFAULT,
    TABLE,
    partition_list,
    partitions_ahead,
    partitions_ensure,
)
from libranet.usage.rollup import rollup_day
from libranet.usage.services import events_purge, spool_ingest
from libranet.usage.tasks import usage_partitions

from .conftest import at, day_of_events, session

on_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="partitions are PostgreSQL's; SQLite keeps one table",
)
NOW = datetime.datetime(2029, 3, 10, 12, 0, tzinfo=datetime.UTC)


def _where() -> dict[str, int]:
    """Events per partition holding them."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text, COUNT(*) FROM {TABLE} GROUP BY 1")  # noqa: S608
        return dict(cursor.fetchall())


def _names() -> set[str]:
    return {p.name for p in partition_list()}


# --- retention, on both databases ----------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_purge_keeps_the_same_events_on_both_databases(db):
    """Kept 24 months: 2027-01 is past and rolled up (dropped whole on PostgreSQL), 2027-02 is
    past with a day not rolled up (only that day stays), 2027-03 is kept."""
    past, half_a, half_b, kept = (
        datetime.date(2027, 1, 31),
        datetime.date(2027, 2, 1),
        datetime.date(2027, 2, 28),
        datetime.date(2027, 3, 1),
    )
    partitions_ensure([past, half_a, kept])
    for day, n in ((past, 4), (half_a, 3), (half_b, 2), (kept, 5)):
        day_of_events(day, n)
    for day in (past, half_a, kept):
        rollup_day(day)
    result = events_purge(months=24, batch_size=2)
    assert (result.cutoff, result.deleted, result.days) == (kept, 7, 2)
    assert result.not_rolled_up == [half_b]
    remaining = sorted(
        timezone.localtime(m).date()
        for m in UsageEvent.objects.values_list("occurred_at", flat=True)
    )
    assert remaining == [datetime.date(2027, 2, 28)] * 2 + [datetime.date(2027, 3, 1)] * 5
    if connection.vendor == "postgresql":
        # (and the empty ones the migration made for the months about it ran)
        assert f"{TABLE}_p2027_01" in result.partitions_dropped
        assert max(result.partitions_dropped) == f"{TABLE}_p2027_01"
        assert f"{TABLE}_p2027_02" in _names() and f"{TABLE}_p2027_03" in _names()


def test_without_postgresql_there_are_no_partitions(db):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's behaviour")
    assert partitions_ahead() == partitions_ensure([datetime.date(2026, 1, 1)]) == []
    out = io.StringIO()
    call_command("usage_partitions", "--ensure", stdout=out)
    assert "one table here" in out.getvalue()


# --- PostgreSQL ---------------------------------------------------------------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_migration_partitions_the_table_with_its_rows_and_back():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("usage")
    executor.migrate([("usage", "0004_area_and_month_summaries")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {TABLE} (occurred_at, reader_kind, session, action, granted,
                    access_level) VALUES
                    ('2025-05-31 21:30+00', 0, 'a', 1, true, ''),
                    ('2025-06-15 10:00+00', 0, 'b', 2, true, ''),
                    ('2025-08-01 10:00+00', 0, 'c', 2, false, '')"""  # noqa: S608
            )
            cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [TABLE])
            assert cursor.fetchone()[0] == "r"
        rows = sorted(UsageEvent.objects.values_list("id", "occurred_at", "session"))

        executor = MigrationExecutor(connection)
        executor.migrate(latest)
        assert sorted(UsageEvent.objects.values_list("id", "occurred_at", "session")) == rows
        # 21:30 UTC on May 31 is June 1 in Moscow: the months are the project's time zone's.
        assert _where() == {f"{TABLE}_p2025_06": 2, f"{TABLE}_p2025_08": 1}
        assert DEFAULT in _names()
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [TABLE])
            indexes = {name for (name,) in cursor.fetchall()}
        assert {"usageevent_occurred", f"{TABLE}_pkey"} <= indexes
        # New ids go on after the copied ones, through the model as ever.
        event = UsageEvent.objects.create(
            occurred_at=at(0, datetime.date(2025, 6, 2)),
            reader_kind=0,
            session="d",
            action=Action.SEARCH,
        )
        assert event.pk == max(r[0] for r in rows) + 1

        executor = MigrationExecutor(connection)
        executor.migrate([("usage", "0004_area_and_month_summaries")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [TABLE])
            assert cursor.fetchone()[0] == "r"
        assert UsageEvent.objects.count() == 4
        assert not partition_list()
    finally:
        MigrationExecutor(connection).migrate(latest)


@on_postgresql
@time_machine.travel(NOW, tick=False)
def test_loading_an_event_of_a_month_without_partition(db):
    late = datetime.datetime(2024, 2, 29, 23, 30, tzinfo=datetime.UTC)  # March 1 in Moscow
    assert f"{TABLE}_p2024_03" not in _names()
    for moment in (late, NOW):
        recorder.event_record(
            action=Action.SEARCH, session=session("l"), reader_kind=0, occurred_at=moment
        )
    recorder.writer.close()
    assert spool_ingest().events == 2
    assert _where() == {f"{TABLE}_p2024_03": 1, f"{TABLE}_p2029_03": 1}


@on_postgresql
@time_machine.travel(NOW, tick=False)
def test_the_schedule_makes_partitions_ahead_and_empties_the_default(db):
    assert ("usage-partitions", "15 3 * * *", "libranet.usage.tasks.usage_partitions", {}) in (
        settings.LIBRANET_SCHEDULE
    )
    # Written straight (not by the loader) into a month without partition: the default.
    day_of_events(datetime.date(2031, 7, 4), 3)
    assert _where() == {DEFAULT: 3}
    with time_machine.travel(datetime.datetime(2031, 6, 20, 9, 0, tzinfo=datetime.UTC)):
        made = usage_partitions.enqueue().return_value
    assert made == [f"{TABLE}_p2031_{m:02d}" for m in range(6, 6 + 1 + 3)]
    assert _where() == {f"{TABLE}_p2031_07": 3}
    assert usage_partitions.enqueue().return_value == [
        f"{TABLE}_p2029_{m:02d}" for m in (3, 4, 5, 6)
    ]
    assert partitions_ahead(ahead=3) == []  # twice is harmless
    out = io.StringIO()
    call_command("usage_partitions", stdout=out)
    listed = out.getvalue()
    assert f"{TABLE}_p2031_07" in listed and "2031-07-01 00:00+0300" in listed
    assert DEFAULT in listed


@on_postgresql
def test_a_days_rollup_reads_only_its_months_partition(db):
    day = datetime.date(2026, 10, 1)
    partitions_ensure([datetime.date(2026, m, 1) for m in (9, 10, 11)])
    day_of_events(day, 3)
    scanned = set()
    with connection.cursor() as cursor:
        for sql, params in day_sql(connection, day).count[-2:]:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            scanned |= set(re.findall(rf"\b{TABLE}_(?:p\d{{4}}_\d{{2}}|default)\b", plan))
    assert scanned == {f"{TABLE}_p2026_10"}
