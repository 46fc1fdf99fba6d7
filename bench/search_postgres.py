"""Search benchmark on PostgreSQL: the search service with the PostgreSQL full-text backend
against bare Tantivy, on the same synthetic records and queries as bench/search.py.

In a database of its own, created here and dropped at the end, on the server named by
``LIBRANET_BENCH_POSTGRES_URL`` (default ``postgres://libranet:libranet@127.0.0.1:5432/postgres``,
the maintenance database of the local server; skipped, saying so, when it cannot be reached).
In a child process (Django set up on that database, ``LIBRANET_SEARCH_BACKEND=postgres``):

1. the N records of bench/search.py's corpus (same seed: the same records) are indexed twice,
   through the project's index code: into a Tantivy index in a temporary folder
   (``TantivyBackend.rebuild``) and into PostgreSQL's table (``PostgresBackend.rebuild``, what
   ``rebuild_search_index`` uses; then ``VACUUM ANALYZE``, as autovacuum would after a load);
2. the queries are bench/search.py's (the same draws, the first ``--queries`` of them);
3. measured interleaved, query by query: the service on PostgreSQL (parse, access levels,
   filters, top 20 with snippets, every facet with "readable here", labels) and bare Tantivy
   (top 20 and the count), and the service once more on PostgreSQL with no cache to help
   (PostgreSQL has no facet cache: the figure is the same query's second run).

Ratios are "higher is better": bare Tantivy / ours. The goals of the Tantivy backend (within
2x of bare Tantivy, p95 under 50 ms) are printed beside the figures, not set for this one: the
README says what each backend serves from these numbers.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from common import ROOT, Result, bench_env, manage, report_alone, run_child
from search import Corpus, bare_tantivy, percentile, service_search

DEFAULT_URL = "postgres://libranet:libranet@127.0.0.1:5432/postgres"
P95_GOAL_MS = 50.0


def child(args: argparse.Namespace) -> None:
    """In the child process: Django set up on the benchmark's PostgreSQL database."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libranet.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection

    from libranet.resources.search import get_backend
    from libranet.resources.search.tantivy_backend import TantivyBackend

    backend = get_backend()
    assert backend.name == "postgres", backend.name
    tantivy = TantivyBackend(Path(settings.LIBRANET_SEARCH_DIR), index_name="bench")
    started = [time.perf_counter()]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - started[1] > 30 or done == total:
            started[1] = now
            print(f"    {done:>9,}/{total:,} indexed, {now - started[0]:5.0f} s", flush=True)

    rates = {}
    for name, target in (("tantivy", tantivy), ("postgres", backend)):
        corpus = Corpus(args.seed)  # the same seed: the same records, then the same queries
        print(f"  indexing {args.n:,} records into {name} ...", flush=True)
        started[:] = [time.perf_counter(), time.perf_counter()]
        with target.writing_wait():
            indexed = target.rebuild(corpus.documents(args.n), total=args.n, progress=progress)
        if name == "postgres":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE resources_searchdocument")
        seconds = time.perf_counter() - started[0]
        rates[name] = indexed / seconds
        print(f"  {name}: {indexed:,} records in {seconds:.0f} s ({rates[name]:,.0f}/s)")
    corpus.collections_create()
    queries = corpus.queries(args.queries)

    ours = service_search()
    bare = bare_tantivy(tantivy)
    for text, readable, inside in queries[: min(50, len(queries))]:  # warm up
        ours(text, readable, inside)
        bare(text)
    ours_times: list[float] = []
    bare_times: list[float] = []
    totals = []
    for text, readable, inside in queries:
        t0 = time.perf_counter()
        totals.append(ours(text, readable, inside))
        t1 = time.perf_counter()
        bare(text)
        t2 = time.perf_counter()
        ours_times.append(t1 - t0)
        bare_times.append(t2 - t1)
    slowest = max(range(len(queries)), key=lambda i: ours_times[i])
    print(
        f"  {len(queries)} queries, median {sorted(totals)[len(totals) // 2]:,} and at most "
        f"{max(totals):,} matches each; slowest {ours_times[slowest] * 1000:.0f} ms "
        f"({queries[slowest][0]!r}, {totals[slowest]:,} matches)"
    )
    ours_p50, ours_p95 = percentile(ours_times, 50), percentile(ours_times, 95)
    bare_p50, bare_p95 = percentile(bare_times, 50), percentile(bare_times, 95)
    label = f"{args.n // 1000}k" if args.n < 1_000_000 else f"{args.n / 1e6:g}M"
    results = [
        Result(f"search_postgres_{label}_p95_ms", ours_p95, "ms", bare_p95, bare_p95 / ours_p95),
        Result(f"search_postgres_{label}_p50_ms", ours_p50, "ms", bare_p50, bare_p50 / ours_p50),
        Result(
            f"search_postgres_{label}_p95_vs_50ms",
            ours_p95,
            "ms",
            P95_GOAL_MS,
            P95_GOAL_MS / ours_p95,
        ),
        Result(
            f"search_postgres_{label}_index_docs_per_s",
            rates["postgres"],
            "doc/s",
            rates["tantivy"],
            rates["postgres"] / rates["tantivy"],
        ),
    ]
    print(f"  ours on PostgreSQL: p50 {ours_p50:7.1f} ms, p95 {ours_p95:7.1f} ms")
    print(f"  bare Tantivy:       p50 {bare_p50:7.1f} ms, p95 {bare_p95:7.1f} ms")
    Path(args.out).write_text(json.dumps([asdict(r) for r in results]))


def bench(env: dict[str, str], *, n: int, queries: int = 500, seed: int = 1) -> list[Result]:
    """From bench/run.py (or alone): a database of its own on the PostgreSQL server, migrated,
    measured in a child process, then dropped. Nothing when the server cannot be reached."""
    import psycopg

    url = os.environ.get("LIBRANET_BENCH_POSTGRES_URL", DEFAULT_URL)
    name = f"libranet_bench_search_{os.getpid()}"
    print(f"Search on PostgreSQL: {n:,} synthetic records, the same queries as bench/search.py ...")
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        print(f"  skipped: PostgreSQL at {url} cannot be reached ({exc}).")
        print("  Set LIBRANET_BENCH_POSTGRES_URL to a server where this user may create databases.")
        return []
    database_url = url.rsplit("/", 1)[0] + f"/{name}"
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        with tempfile.TemporaryDirectory(prefix="libranet-bench-search-pg-") as tmp:
            child_env = {
                **env,
                "DATABASE_URL": database_url,
                "LIBRANET_SEARCH_BACKEND": "postgres",
                "LIBRANET_SEARCH_DIR": str(Path(tmp) / "search"),
            }
            manage(child_env, "migrate", "--noinput", "-v", "0")
            args = ["--n", str(n), "--queries", str(queries), "--seed", str(seed)]
            return run_child(__file__, args, child_env, Path(tmp) / "results.json")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="records (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=500, help="queries (default 500)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    with tempfile.TemporaryDirectory(prefix="libranet-bench-search-pg-data-") as tmp:
        results = bench(bench_env(tmp), n=args.n, queries=args.queries, seed=args.seed)
    if results:
        report_alone(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
