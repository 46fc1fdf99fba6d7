"""Usage statistics benchmark: the write path against a bare insert, and the monthly reports
over 50,000,000 events (read from the daily roll-ups) against a scan of the raw events.

Called by bench/run.py (or alone: ``python bench/usage.py``); either way it works in a data
folder of its own (a throwaway SQLite database), in a child process with Django set up:

1. 500 centers (80 regional centers, 420 remote access centers coordinated by them) and 5,000
   resources of every type (half of them books), made in bulk.
2. **Write path**: ``--write-events`` events (200,000) written through the real path: each
   appended to the spool by ``recorder.event_record`` (what every page's hook ends in), then
   loaded by the loader (``services.spool_ingest``: claim, parse, insert in one transaction per
   file with its name, delete); against a bare insert of the same rows (the DB-API's
   executemany in one transaction). Best of two each, on an empty table. The face's adapter
   (``usage_record`` on a request: robot check, session hash, reader kind) is timed per call.
3. **Reports**: ``--events`` events (50,000,000) of last month, generated in SQL in time order
   (a recursive CTE in SQLite, see ``GENERATE_SQL``: sessions of 16 events over 480 of the
   centers, the other 20 without use, one in 19 outside every center; searches, record views,
   page-by-page reading with double-clicks, refusals; resources drawn with a heavy skew), then
   rolled up by the real command, two ``rollup_usage`` processes over the two halves of the
   month (measured). Then, best of three after a warm-up, ``reports.monthly_indicators(month,
   by="center")`` and ``reports.zero_usage(month)`` against one full scan of the month's raw
   events computing per center the plainest of the same figures (sessions, searches,
   investigations, requests, refusals; without the double-click rule or unique counts, so
   cheaper than the real thing). The searches of both must agree, and the roll-up must have
   counted every event.

4. **PostgreSQL**: steps 1 and 3 again (not the write path) in a database created and dropped
   here (``LIBRANET_BENCH_POSTGRES_URL``, default ``POSTGRES_URL``): the same events generated
   by the server (``GENERATE_PG_SQL``, generate_series) into last month's partition, rolled up,
   a day rolled up again alone, the reports. Skipped, saying so, without a reachable server.

Rows (ratios "higher is better", as in bench/run.py):

- ``usage_write_ev_per_s``: events/s through record + load; baseline the bare insert; goal
  0.5 (at least half the bare insert rate).
- ``usage_record_adapter_us``: µs per ``usage_record`` call; baseline ``event_record``'s µs.
- ``usage_rollup_50M_ev_per_s``: events rolled up per second (two processes); baseline the raw
  scan's rate.
- ``usage_monthly_50M_ms`` / ``usage_zero_usage_50M_ms``: the report's time; baseline the raw
  scan (ratio = scan / report); and ``..._vs_1s`` rows with baseline 1000 ms and goal 1.0
  (under one second). The size in the names follows ``--events``.
- ``usage_pg_rollup_50M_ev_per_s``, ``usage_pg_rollup_day_50M_ms``, ``usage_pg_monthly_50M_ms``,
  ``usage_pg_zero_usage_50M_ms``: PostgreSQL's figure against SQLite's in the same run (ratio:
  how many times faster PostgreSQL is); ``usage_pg_monthly_50M_vs_1s`` against one second.
"""

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from common import BIN, ROOT, Result, bench_env, manage, run_child

WRITE_GOAL = 0.5
REPORT_GOAL_MS = 1000.0
CENTERS_REGIONAL, CENTERS_REMOTE = 80, 420
RESOURCES = 5_000
EVENTS_PER_SESSION = 16
CHUNK = 2_000_000  # events generated per statement (a line of progress each)
# The PostgreSQL part's database, created and dropped by the benchmark.
POSTGRES_URL = "postgres://libranet:libranet@127.0.0.1:5432/libranet_bench"


# -- the child: Django set up, our own data folder -------------------------------------------


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libranet.settings")
    import django

    django.setup()


def make_network() -> tuple[list[int], list[int]]:
    """500 centers and 20,000 resources, in bulk: (center ids, resource ids)."""
    from django.utils import timezone

    from libranet.network.models import Center, Institution, Region
    from libranet.resources.models import Resource

    host = Institution.objects.create(name_ru="Библиотека", name_en="Library", kind="library")
    regions = list(Region.objects.order_by("code")[:CENTERS_REGIONAL])
    opened = timezone.localdate().replace(year=2015)
    regional = Center.objects.bulk_create(
        Center(
            code=f"B-{region.code}-RC",
            kind=Center.Kind.REGIONAL,
            name_ru=f"Региональный центр {region.code}",
            institution=host,
            region=region,
            status=Center.Status.OPEN,
            opened_on=opened,
        )
        for region in regions
    )
    remote = Center.objects.bulk_create(
        Center(
            code=f"B-{n:04d}",
            kind=Center.Kind.REMOTE,
            name_ru=f"Центр удалённого доступа {n}",
            institution=host,
            region=regions[n % len(regions)],
            regional_center=regional[n % len(regions)],
            status=Center.Status.OPEN,
            opened_on=opened,
        )
        for n in range(CENTERS_REMOTE)
    )
    types = [t for t, _label in Resource.Type.choices]
    now = timezone.now()
    Resource.objects.bulk_create(
        (
            Resource(
                identifier=f"bench:{n}",
                title_ru=f"Ресурс {n}",
                type=types[n % len(types)] if n % 2 else Resource.Type.BOOK,
                access_level="open",
                modified_at=now,
            )
            for n in range(RESOURCES)
        ),
        batch_size=2000,
    )
    centers = sorted(c.pk for c in regional + remote)
    resources = sorted(Resource.objects.values_list("pk", flat=True))
    return centers, resources


def _write_rows(n: int, centers: list[int], resources: list[int]) -> list[tuple]:
    import datetime
    import random

    from libranet.usage.recorder import session_id

    rng = random.Random(5)
    start = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    sessions = [session_id(moment=start, session_key=f"k{s}") for s in range(max(1, n // 8))]
    rows = []
    for i in range(n):
        action = (1, 2, 3, 3, 4, 3, 4, 4)[i % 8]
        rows.append(
            (
                start + datetime.timedelta(milliseconds=i * 7),
                rng.choice(centers),
                i % 4,
                sessions[i // 8 % len(sessions)],
                action,
                rng.choice(resources) if action >= 3 else None,
                i % 25 != 0,
                # The resource's access level at the time of use; none for other actions.
                ("open", "on_site", "readers")[i % 3] if action >= 3 else "",
            )
        )
    return rows


def bench_write(n: int, centers: list[int], resources: list[int]) -> tuple[list[Result], dict]:
    from django.db import connection, transaction

    from libranet.usage import recorder
    from libranet.usage.models import UsageEvent
    from libranet.usage.services import _insert_sql, spool_ingest

    rows = _write_rows(n, centers, resources)
    sql = _insert_sql()
    adapt = connection.ops.adapt_datetimefield_value

    def bare() -> float:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for offset in range(0, n, 5000):
                batch = rows[offset : offset + 5000]
                cursor.executemany(sql, [(adapt(r[0]), *r[1:]) for r in batch])
        return time.perf_counter() - started

    def ours() -> tuple[float, float]:
        record = recorder.event_record
        started = time.perf_counter()
        for at, center, kind, session, action, resource, granted, level in rows:
            record(
                action=action,
                session=session,
                reader_kind=kind,
                center_id=center,
                resource_id=resource,
                granted=granted,
                access_level=level,
                occurred_at=at,
            )
        recorder.writer.close()
        recorded = time.perf_counter() - started
        loaded = spool_ingest()
        elapsed = time.perf_counter() - started
        assert loaded.events == n, loaded
        return elapsed, recorded

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {UsageEvent._meta.db_table}")  # noqa: S608

    times_bare, times_ours = [], []
    for _ in range(2):
        empty()
        times_bare.append(bare())
        assert UsageEvent.objects.count() == n
        empty()
        times_ours.append(ours())
        assert UsageEvent.objects.count() == n
    empty()
    bare_s = min(times_bare)
    ours_s, recorded_s = min(times_ours)
    bare_rate, ours_rate = n / bare_s, n / ours_s
    print(
        f"  write path             {n:>10,} events: record {recorded_s:6.2f} s + load "
        f"{ours_s - recorded_s:6.2f} s = {ours_rate:10,.0f}/s; bare insert {bare_s:6.2f} s = "
        f"{bare_rate:10,.0f}/s"
    )

    # The face's adapter, per call, on a request as the pages give it.
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from libranet.network.places import OUTSIDE
    from libranet.usage.models import Action

    agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
    request = RequestFactory().get("/ru/resources/x/", HTTP_USER_AGENT=agent)
    request.user = AnonymousUser()
    calls = 20_000
    started = time.perf_counter()
    for i in range(calls):
        request.META["REMOTE_ADDR"] = f"10.0.{i // 250 % 250}.{i % 250}"
        request.__dict__.pop("_libranet_usage_session", None)  # a new visitor each time
        recorder.usage_record(request, Action.SEARCH, place=OUTSIDE)
    adapter_us = (time.perf_counter() - started) / calls * 1e6
    record_us = recorded_s / n * 1e6
    recorder.writer.close()
    spool_ingest()
    empty()
    print(f"  usage_record adapter   {adapter_us:6.1f} µs a call (event_record {record_us:.1f} µs)")
    return [
        Result(
            "usage_write_ev_per_s",
            ours_rate,
            "ev/s",
            bare_rate,
            ours_rate / bare_rate,
            WRITE_GOAL,
        ),
        Result("usage_record_adapter_us", adapter_us, "us", record_us, record_us / adapter_us),
    ], {"bare": bare_rate, "ours": ours_rate}


# Sessions of 16 events, in time order (as the loader appends them): the session's start, two
# searches, a record and the reader with its page images (six requests), another search, a
# second record and four requests. Page turns come 3 to 42 s apart, so the double-click rule
# merges many; a session in 19 is outside every center, one in 23 is refused (moduli prime to
# the 480 centers', so that neither falls on some centers only).
GENERATE_SQL = """
WITH RECURSIVE seq(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM seq WHERE n < ?),
events AS (
    -- u: the item's draw, uniform in [0, 1); cubed, it favours the first resources.
    SELECT n, s, k, g, ((s * 2 + g) * 2246822519) % 1000003 / 1000003.0 AS u
    FROM (SELECT n, n / 16 AS s, n % 16 AS k, (n % 16) >= 10 AS g FROM seq)
)
INSERT INTO {table} (
    occurred_at, center_id, reader_kind, session, action, resource_id, granted, access_level
)
SELECT
    strftime('%Y-%m-%d %H:%M:%f',
             ? + s * ? / ? + k * (3 + (s * 7) % 40) + ((n * 7) % 1000) / 1000.0,
             'unixepoch'),
    CASE WHEN s % 19 = 7 THEN NULL
         ELSE ? + ((s * 7919) % 480) * 25 / 24 END,
    s % 4,
    printf('%08x%024x', (s * 2654435761) % 4294967296, s),
    CASE WHEN k = 0 THEN 1 WHEN k IN (1, 2, 10) THEN 2 WHEN k IN (3, 11) THEN 3 ELSE 4 END,
    CASE WHEN k IN (0, 1, 2, 10) THEN NULL
         ELSE ? + CAST(? * u * u * u AS INTEGER)
    END,
    CASE WHEN k NOT IN (0, 1, 2, 3, 10, 11) AND s % 23 = 0 THEN 0 ELSE 1 END,
    CASE WHEN k IN (0, 1, 2, 10) THEN '' ELSE 'open' END  -- every resource here is open
FROM events
"""


def generate_events(
    path: Path, n: int, month_start_epoch: int, span: int, first_center: int, first_resource: int
) -> float:
    """``n`` events of one month, straight into the SQLite file (journal off, the time index
    built once at the end): returns the seconds it took."""
    from libranet.usage.models import UsageEvent

    table = UsageEvent._meta.db_table
    started = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-1000000")
    db.execute("DROP INDEX IF EXISTS usageevent_occurred")
    sql = GENERATE_SQL.format(table=table)
    sessions = max(1, n // EVENTS_PER_SESSION)
    for low in range(0, n, CHUNK):
        high = min(n, low + CHUNK)
        db.execute("BEGIN")
        db.execute(
            sql,
            (
                low,
                high - 1,
                month_start_epoch,
                span,
                sessions,
                first_center,
                first_resource,
                RESOURCES,
            ),
        )
        db.execute("COMMIT")
        rate = high / (time.perf_counter() - started)
        print(f"    generated {high:>12,} events ({rate:,.0f}/s)", flush=True)
    db.execute(f"CREATE INDEX usageevent_occurred ON {table} (occurred_at)")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    return time.perf_counter() - started


# The same events on PostgreSQL, generated by the server (generate_series), with the same
# arithmetic: integer divisions are SQLite's, and floor() its CAST's truncation.
GENERATE_PG_SQL = """
INSERT INTO {table} (
    occurred_at, center_id, reader_kind, session, action, resource_id, granted, access_level
)
SELECT
    to_timestamp(%(start)s + s * %(span)s / %(sessions)s + k * (3 + (s * 7) %% 40)
                 + ((n * 7) %% 1000) / 1000.0),
    CASE WHEN s %% 19 = 7 THEN NULL
         ELSE %(first_center)s + ((s * 7919) %% 480) * 25 / 24 END,
    s %% 4,
    lpad(to_hex((s * 2654435761) %% 4294967296), 8, '0') || lpad(to_hex(s), 24, '0'),
    CASE WHEN k = 0 THEN 1 WHEN k IN (1, 2, 10) THEN 2 WHEN k IN (3, 11) THEN 3 ELSE 4 END,
    CASE WHEN k IN (0, 1, 2, 10) THEN NULL
         ELSE %(first_resource)s + floor(%(resources)s * u * u * u)::bigint
    END,
    NOT (k NOT IN (0, 1, 2, 3, 10, 11) AND s %% 23 = 0),
    CASE WHEN k IN (0, 1, 2, 10) THEN '' ELSE 'open' END
FROM (
    SELECT n, s, k, ((s * 2 + g) * 2246822519) %% 1000003 / 1000003.0 AS u
    FROM (SELECT n, n / 16 AS s, n %% 16 AS k, CASE WHEN n %% 16 >= 10 THEN 1 ELSE 0 END AS g
          FROM generate_series(%(low)s::bigint, %(high)s::bigint) AS n) AS seq
) AS events
"""


def generate_events_pg(
    n: int, month_start_epoch: int, span: int, first_center: int, first_resource: int
) -> float:
    """``n`` events of one month into PostgreSQL's partitioned table, by the server: the month's
    partition made first (as the loader would), the table's indexes dropped and built again
    once at the end, then VACUUM ANALYZE (as autovacuum would, later); returns the seconds."""
    import datetime

    from django.db import connection

    from libranet.usage.models import UsageEvent
    from libranet.usage.partitions import month_of, partitions_ensure

    table = connection.ops.quote_name(UsageEvent._meta.db_table)
    started = time.perf_counter()
    moment = datetime.datetime.fromtimestamp(month_start_epoch, datetime.UTC)
    partitions_ensure([month_of(moment)])
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid), x.indisprimary FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass""",
            [UsageEvent._meta.db_table],
        )
        indexes = cursor.fetchall()
        for name, _definition, primary in indexes:
            cursor.execute(
                f"ALTER TABLE {table} DROP CONSTRAINT {name}" if primary else f"DROP INDEX {name}"
            )
        sessions = max(1, n // EVENTS_PER_SESSION)
        for low in range(0, n, CHUNK):
            high = min(n, low + CHUNK)
            cursor.execute(
                GENERATE_PG_SQL.format(table=table),
                {
                    "start": month_start_epoch,
                    "span": span,
                    "sessions": sessions,
                    "first_center": first_center,
                    "first_resource": first_resource,
                    "resources": RESOURCES,
                    "low": low,
                    "high": high - 1,
                },
            )
            rate = high / (time.perf_counter() - started)
            print(f"    generated {high:>12,} events ({rate:,.0f}/s)", flush=True)
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for name, definition, primary in indexes:
            if primary:
                cursor.execute(
                    f"ALTER TABLE {table} ADD CONSTRAINT {name} PRIMARY KEY (id, occurred_at)"
                )
            else:
                cursor.execute(definition.replace(" ON ONLY ", " ON "))
        cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


SCAN_SQL = """
SELECT center_id,
       COUNT(DISTINCT session),
       SUM(CASE WHEN action = 2 THEN 1 ELSE 0 END),
       SUM(CASE WHEN action IN (3, 4) AND granted THEN 1 ELSE 0 END),
       SUM(CASE WHEN action = 4 AND granted THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT granted THEN 1 ELSE 0 END)
FROM {table}
WHERE occurred_at >= %s AND occurred_at < %s
GROUP BY center_id
"""


def best_of(fn, repeats: int = 3) -> tuple[float, object]:
    fn()  # warm-up
    best, value = None, None
    for _ in range(repeats):
        started = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, value


def measure_reports(n: int, centers: list[int], resources: list[int]) -> dict[str, float]:
    """Generate ``n`` events of last month in this child's database (SQLite or PostgreSQL),
    roll them up, and time a day's roll-up, the reports and a raw scan: the figures by name."""
    import datetime

    from django.conf import settings
    from django.db import connection
    from django.db.models import Sum
    from django.utils import timezone

    from libranet.usage import reports
    from libranet.usage.counting import day_bounds
    from libranet.usage.models import DailyCenterUsage, Metric, RolledUpDay, UsageEvent
    from libranet.usage.rollup import rollup_day

    vendor = connection.vendor
    this_month = timezone.localdate().replace(day=1)
    month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    days = [month + datetime.timedelta(days=d) for d in range((this_month - month).days)]
    start, _ = day_bounds(month)
    _, end = day_bounds(days[-1])
    # Sessions begin in the month's first 24 hours less than its length: their last events
    # stay inside it.
    span = int((end - start).total_seconds()) - 3600
    print(f"  generating {n:,} events of {month:%Y-%m} in SQL ({vendor}) ...", flush=True)
    if vendor == "sqlite":
        path = Path(settings.DATABASES["default"]["NAME"])
        connection.close()
        generated_s = generate_events(
            path, n, int(start.timestamp()), span, centers[0], resources[0]
        )
    else:
        generated_s = generate_events_pg(n, int(start.timestamp()), span, centers[0], resources[0])
    print(f"  generated              {n:>12,} events in {generated_s:6.1f} s, indexes built")

    # The real command, in two processes (two cores) over the two halves of the month:
    # counting only reads, so they count at the same time and take turns to write.
    halves = [days[: len(days) // 2], days[len(days) // 2 :]]
    print(f"  rolling up {len(days)} days, two rollup_usage processes ...", flush=True)
    started = time.perf_counter()
    workers = [
        subprocess.Popen(
            [
                str(BIN / "python"),
                "manage.py",
                "rollup_usage",
                "--from",
                half[0].isoformat(),
                "--to",
                half[-1].isoformat(),
                "-v",
                "0",
            ],
            cwd=ROOT,
        )
        for half in halves
    ]
    if any(worker.wait() for worker in workers):
        sys.exit("rollup_usage failed")
    rollup_s = time.perf_counter() - started
    rolled = sum(RolledUpDay.objects.filter(day__in=days).values_list("events", flat=True))
    if rolled != n:
        sys.exit(f"the roll-up counted {rolled} events of {n}")
    rollup_rate = rolled / rollup_s
    rows = DailyCenterUsage.objects.count()
    print(
        f"  roll-up                {rolled:>12,} events in {rollup_s:6.1f} s, "
        f"{rollup_rate:10,.0f} events/s, {rows:,} center rows"
    )
    # One day again, alone (best of two): what the usage-rollup job does for today.
    day = days[len(days) // 2]
    day_s, day_events = best_of(lambda: rollup_day(day), repeats=2)
    print(f"  roll-up of {day}     {day_events:>12,} events in {day_s * 1000:8.1f} ms")

    bounds = [connection.ops.adapt_datetimefield_value(b) for b in (start, end)]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # NOT INDEXED (SQLite): a scan of the whole table is faster than the time index for a
        # month that holds all of it (SQLite would pick the index).
        table = UsageEvent._meta.db_table + (" NOT INDEXED" if vendor == "sqlite" else "")
        cursor.execute(SCAN_SQL.format(table=table), bounds)
        scanned = cursor.fetchall()
    scan_s = time.perf_counter() - started
    print(f"  raw scan, per center   {len(scanned):>12,} rows in {scan_s:6.1f} s")

    rolled_searches = DailyCenterUsage.objects.filter(
        day__gte=month, day__lte=days[-1], metric=Metric.SEARCHES_PLATFORM
    ).aggregate(total=Sum("value"))["total"]
    scanned_searches = sum(row[2] for row in scanned)
    if rolled_searches != scanned_searches:
        sys.exit(f"searches differ: roll-ups {rolled_searches}, raw scan {scanned_searches}")

    monthly_s, monthly = best_of(lambda: reports.monthly_indicators(month=month, by="center"))
    zero_s, zero = best_of(lambda: reports.zero_usage(month=month))
    listed = sum(len(group.rows) for group in zero.groups)
    print(
        f"  monthly indicators     {monthly_s * 1000:8.1f} ms (by center); zero-usage "
        f"{zero_s * 1000:8.1f} ms ({listed} of {zero.centers_judged} centers listed)"
    )
    return {
        "rollup_ev_per_s": rollup_rate,
        "rollup_day_ms": day_s * 1000,
        "scan_ms": scan_s * 1000,
        "monthly_ms": monthly_s * 1000,
        "zero_usage_ms": zero_s * 1000,
    }


def size_label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def report_results(n: int, f: dict[str, float]) -> list[Result]:
    """The SQLite rows: each figure against the raw scan, the reports against one second."""
    label = size_label(n)
    scan_ms, scan_rate = f["scan_ms"], n / (f["scan_ms"] / 1000)
    return [
        Result(
            f"usage_rollup_{label}_ev_per_s",
            f["rollup_ev_per_s"],
            "ev/s",
            scan_rate,
            f["rollup_ev_per_s"] / scan_rate,
        ),
        Result(
            f"usage_monthly_{label}_ms",
            f["monthly_ms"],
            "ms",
            scan_ms,
            scan_ms / f["monthly_ms"],
        ),
        Result(
            f"usage_monthly_{label}_vs_1s",
            f["monthly_ms"],
            "ms",
            REPORT_GOAL_MS,
            REPORT_GOAL_MS / f["monthly_ms"],
            1.0,
        ),
        Result(
            f"usage_zero_usage_{label}_ms",
            f["zero_usage_ms"],
            "ms",
            scan_ms,
            scan_ms / f["zero_usage_ms"],
        ),
        Result(
            f"usage_zero_usage_{label}_vs_1s",
            f["zero_usage_ms"],
            "ms",
            REPORT_GOAL_MS,
            REPORT_GOAL_MS / f["zero_usage_ms"],
            1.0,
        ),
    ]


def postgres_results(n: int, pg: dict[str, float], lite: dict[str, float]) -> list[Result]:
    """The PostgreSQL rows, each against the same figure on SQLite in this run (ratio: how many
    times faster PostgreSQL is; higher is better)."""
    label = size_label(n)
    return [
        Result(
            f"usage_pg_rollup_{label}_ev_per_s",
            pg["rollup_ev_per_s"],
            "ev/s",
            lite["rollup_ev_per_s"],
            pg["rollup_ev_per_s"] / lite["rollup_ev_per_s"],
        ),
        *(
            Result(f"usage_pg_{name}_{label}_ms", pg[key], "ms", lite[key], lite[key] / pg[key])
            for name, key in (
                ("rollup_day", "rollup_day_ms"),
                ("monthly", "monthly_ms"),
                ("zero_usage", "zero_usage_ms"),
            )
        ),
        Result(
            f"usage_pg_monthly_{label}_vs_1s",
            pg["monthly_ms"],
            "ms",
            REPORT_GOAL_MS,
            REPORT_GOAL_MS / pg["monthly_ms"],
            1.0,
        ),
    ]


def child(args: argparse.Namespace) -> None:
    _setup()
    started = time.perf_counter()
    centers, resources = make_network()
    print(f"  {len(centers)} centers and {len(resources):,} resources made")
    results: list[Result] = []
    if not args.postgres:
        results, _rates = bench_write(args.write_events, centers, resources)
    figures = measure_reports(args.events, centers, resources)
    if not args.postgres:
        results += report_results(args.events, figures)
    print(f"  (usage benchmark: {time.perf_counter() - started:.0f} s)")
    Path(args.out).write_text(json.dumps([asdict(r) for r in results]))
    Path(args.out).with_suffix(".figures.json").write_text(json.dumps(figures))


# -- the parent --------------------------------------------------------------------------------


def bench(*, events: int, write_events: int = 200_000) -> list[Result]:
    """From bench/run.py: a data folder of its own, migrated, then the child on SQLite; then the
    reports again on PostgreSQL (a database of its own), if one is reachable."""
    print(f"Usage statistics: write path ({write_events:,} events), reports over {events:,} ...")
    with tempfile.TemporaryDirectory(prefix="libranet-bench-usage-") as tmp:
        env = bench_env(tmp)
        manage(env, "migrate", "--noinput", "-v", "0")
        out = Path(tmp) / "results.json"
        args = ["--events", str(events), "--write-events", str(write_events)]
        results = run_child(__file__, args, env, out)
        sqlite_figures = json.loads(out.with_suffix(".figures.json").read_text())
    return results + bench_postgres(events, sqlite_figures)


def bench_postgres(events: int, sqlite_figures: dict[str, float]) -> list[Result]:
    """The reports over the same events on PostgreSQL (partitioned), in a database created and
    dropped here (``LIBRANET_BENCH_POSTGRES_URL``); skipped, saying so, when it is unreachable."""
    import psycopg

    url = os.environ.get("LIBRANET_BENCH_POSTGRES_URL", POSTGRES_URL)
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(path="/postgres"))
    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        print(f"  PostgreSQL part skipped: {parts.hostname}:{parts.port} not reachable ({error})")
        return []
    print(f"Usage statistics on PostgreSQL ({name}, partitioned): reports over {events:,} ...")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            with tempfile.TemporaryDirectory(prefix="libranet-bench-usage-pg-") as tmp:
                env = bench_env(tmp, DATABASE_URL=url)
                manage(env, "migrate", "--noinput", "-v", "0")
                out = Path(tmp) / "results.json"
                run_child(__file__, ["--events", str(events), "--postgres"], env, out)
                figures = json.loads(out.with_suffix(".figures.json").read_text())
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return postgres_results(events, figures, sqlite_figures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events",
        type=int,
        default=int(os.environ.get("LIBRANET_BENCH_USAGE_EVENTS", 50_000_000)),
        help="default 50,000,000 (or LIBRANET_BENCH_USAGE_EVENTS)",
    )
    parser.add_argument("--write-events", type=int, default=200_000, help="default 200,000")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--postgres", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    results = bench(events=args.events, write_events=args.write_events)
    print(json.dumps([asdict(r) for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
