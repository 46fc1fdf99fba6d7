"""The pages at the network's future size: the directory, the map's data, the statistics'
overview and a region's drill-down, each against the minimal view in the same run.

Called by bench/run.py (or alone: ``python bench/pages.py``), in a data folder of its own:

1. ``migrate``, ``collectstatic``, then in a child process with Django set up: the demo network
   at ``--scale`` (30: about 16,000 centers) and its staff accounts (``seed_network``,
   ``seed_accounts``, what ``seed_demo`` runs), a month of usage (last month, and this month
   through yesterday) written as the roll-up writes it (``DailyCenterUsage``, then each day's
   summaries through ``rollup.summaries_rebuild``), and a signed-in session of the network
   department's demo account with its second factor passed. The seeding is timed, part by part.
   The usage rows are drawn (about 70 % of a center's days used, six indicators), not counted
   from raw events: the pages read only the roll-ups, and counting millions of events would
   take the run's whole time.
2. Gunicorn (2 workers) with Django's dummy cache (every page rendered from the database):
   ``/livez``; the directory (``/ru/centers/``: every 20th page of the list, each region's
   filter, a search); ``/ru/centers/map.json``; the statistics' overview (``/ru/stats/``,
   the federal districts) and a region's drill-down (``/ru/stats/region/<code>/``, the regions
   in turn), both signed in. Each with ``--pages-clients`` clients (2: one per worker, so the
   p95 is a page's own time, not a queue's).

Rows (ratios "higher is better"):

- ``pages_<target>_<scale>x_p95_ms``: baseline ``/livez``'s p95 (ratio livez / ours);
- ``pages_<target>_<scale>x_p95_vs_100ms``: baseline 100 ms, goal 1.0 (under 100 ms);
- ``pages_directory_<scale>x_rps``: requests/s against ``/livez``'s, goal 0.5;
- ``pages_map_json_<scale>x_gzip_bytes``: the map's data for all centers, gzip-compressed;
  baseline 1,000,000 bytes, goal 1.0 (under 1 MB).
"""

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from common import BENCH_DIR, BIN, ROOT, Result, bench_env, manage

GOAL_MS = 100.0
DIRECTORY_GOAL = 0.5
MAP_GOAL_BYTES = 1_000_000
METRICS = (10, 9, 1, 4, 5, 7)  # the monthly indicators (``reports.MONTHLY_INDICATORS``)


# -- the child: Django set up, our own data folder -------------------------------------------


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libranet.settings")
    import django

    django.setup()


def _usage(days: list, centers: list[int]) -> int:
    """Roll-up rows for ``days``: a center uses the network on about 70 % of its days."""
    import random

    from django.db import connection, transaction

    from libranet.usage.models import DailyCenterUsage
    from libranet.usage.rollup import summaries_rebuild

    rng = random.Random(30)  # noqa: S311 (synthetic figures)
    table = connection.ops.quote_name(DailyCenterUsage._meta.db_table)
    written = 0
    for day in days:
        rows = []
        for center in centers:
            if rng.random() < 0.3:
                continue
            sessions = rng.randint(1, 6)
            figures = (sessions, sessions * 2, sessions * 5, sessions * 3, sessions * 2, 1)
            rows += [
                (day, center, metric, value)
                for metric, value in zip(METRICS, figures, strict=True)
                if metric != 7 or rng.random() < 0.2
            ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (day, center_id, metric, value) VALUES (%s, %s, %s, %s)",  # noqa: S608
                [(connection.ops.adapt_datefield_value(r[0]), *r[1:]) for r in rows],
            )
            summaries_rebuild(day)
        written += len(rows)
    return written


def _session() -> str:
    """A signed-in session of the network department's demo account, second factor passed."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from libranet.network.models import StaffRole

    user = StaffRole.objects.filter(role=StaffRole.Role.NETWORK_DEPARTMENT).first().user
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def child_seed(scale: int, out: Path) -> None:
    _setup()
    import datetime

    from django.utils import timezone

    from libranet.network.demo import seed_accounts, seed_network
    from libranet.network.models import Center, Region
    from libranet.public.views import PAGE_SIZE

    timings = {}
    started = time.perf_counter()
    seed_network(seed=2018, scale=scale)
    seed_accounts(password="bench-only-password-30")  # noqa: S106 (a throwaway database)
    timings["network_s"] = time.perf_counter() - started

    started = time.perf_counter()
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    days = [last_month + datetime.timedelta(days=n) for n in range((today - last_month).days)]
    centers = list(Center.objects.filter(status=Center.Status.OPEN).values_list("pk", flat=True))
    rows = _usage(days, centers)
    timings["usage_s"] = time.perf_counter() - started
    out.write_text(
        json.dumps(
            {
                "timings": timings,
                "centers": Center.objects.count(),
                "usage_rows": rows,
                "days": len(days),
                "cookie": _session(),
                "regions": list(Region.objects.order_by("code").values_list("code", flat=True)),
                "pages": -(-Center.objects.count() // PAGE_SIZE),
                "month": f"{last_month:%Y-%m}",
            }
        )
    )


# -- the parent ------------------------------------------------------------------------------


def _directory_mix(seeded: dict) -> list[str]:
    queries = [{"page": n} for n in range(1, seeded["pages"] + 1, 20)]
    queries += [{"region": code} for code in seeded["regions"]]
    queries += [{"q": "библиотека"}]
    return [f"/ru/centers/?{urlencode(q)}" for q in queries]


def bench(*, scale: int, serve, run_target, get, args: argparse.Namespace) -> list[Result]:
    """Seed, serve uncached, measure with ``args.clients`` clients; ``serve``, ``run_target``
    and ``get`` are run.py's."""
    tag = f"{scale}x"
    with tempfile.TemporaryDirectory(prefix="libranet-bench-pages-") as tmp:
        data_dir = Path(tmp)
        env = bench_env(data_dir, LIBRANET_CACHE_URL="dummycache://")
        print(f"Pages at scale {scale}: building a database in {data_dir} ...")
        started = time.perf_counter()
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        migrated = time.perf_counter() - started
        out = data_dir / "seeded.json"
        command = [str(BIN / "python"), str(Path(__file__).resolve()), "--child"]
        done = subprocess.run(
            [*command, "--scale", str(scale), "--out", str(out)], env=env, cwd=ROOT
        )
        if done.returncode:
            sys.exit(f"bench/pages.py: seeding failed with {done.returncode}")
        seeded = json.loads(out.read_text())
        timings = seeded["timings"]
        print(
            f"  migrate + collectstatic {migrated:.0f} s; {seeded['centers']} centers and "
            f"accounts in {timings['network_s']:.0f} s; {seeded['usage_rows']:,} roll-up rows "
            f"over {seeded['days']} days, with their summaries, in {timings['usage_s']:.0f} s"
        )
        cookie = {"Cookie": seeded["cookie"]}
        month = seeded["month"]
        targets = [
            ("directory", _directory_mix(seeded), {}, b'id="result-count"'),
            ("map_json", ["/ru/centers/map.json"], {}, b"{"),  # JSON, whatever its layout
            ("stats_overview", [f"/ru/stats/?month={month}"], cookie, b'id="indicators"'),
            (
                "stats_region",
                [f"/ru/stats/region/{code}/?month={month}" for code in seeded["regions"]],
                cookie,
                b'id="indicators"',
            ),
        ]
        results: list[Result] = []
        errors: list[str] = []
        with serve(env, BENCH_DIR / "gunicorn-pages.log") as port:
            status, body = get(port, "/ru/centers/map.json", timeout=60)
            assert status == 200, status
            map_gzip = len(gzip.compress(body))

            def is_livez(status: int, body: bytes) -> bool:
                return status == 200 and body == b"ok\n"

            base = run_target(port, "livez (baseline)", ["/livez"], is_livez, args, headers={})
            errors += base.errors
            for name, paths, headers, marker in targets:

                def check(status: int, body: bytes, marker: bytes = marker) -> bool:
                    return status == 200 and marker in body

                measured = run_target(port, name, paths, check, args, headers=headers)
                errors += measured.errors
                row = f"pages_{name}_{tag}"
                results.append(
                    Result(
                        f"{row}_p95_ms",
                        measured.p95_ms,
                        "ms",
                        base.p95_ms,
                        base.p95_ms / measured.p95_ms,
                    )
                )
                results.append(
                    Result(
                        f"{row}_p95_vs_100ms",
                        measured.p95_ms,
                        "ms",
                        GOAL_MS,
                        GOAL_MS / measured.p95_ms,
                        1.0,
                    )
                )
                if name == "directory":
                    results.append(
                        Result(
                            f"{row}_rps",
                            measured.rps,
                            "req/s",
                            base.rps,
                            measured.rps / base.rps,
                            DIRECTORY_GOAL,
                        )
                    )
        results.append(
            Result(
                f"pages_map_json_{tag}_gzip_bytes",
                map_gzip,
                "bytes",
                MAP_GOAL_BYTES,
                MAP_GOAL_BYTES / map_gzip,
                1.0,
            )
        )
    if errors:
        sys.exit(f"pages: {len(errors)} requests failed, e.g. {errors[:5]}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=int, default=30, help="seed_demo's scale (default 30)")
    args = parser.parse_args()
    if args.child:
        child_seed(args.scale, args.out)
        return 0
    sys.exit("Run the pages benchmark through bench/run.py (it serves and measures).")


if __name__ == "__main__":
    sys.exit(main())
