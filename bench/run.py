"""Load benchmark: the public directory against the minimal view, on a throwaway database.

Builds a fresh data folder (migrate, collectstatic, ``seed_demo --scale 1``), serves it with
gunicorn on a free local port and measures throughput and p95 latency with a small thread pool
of ``http.client`` clients. Writes ``bench/results.json``; exits non-zero if any request failed.
See bench/README.md.
"""

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import harvesting  # bench/harvesting.py: a partner-catalog harvest against reading its pages
import importing  # bench/importing.py: the centers import against a bare bulk_create
import oai  # bench/oai.py, beside this file: the OAI-PMH benchmark
import pages  # bench/pages.py: the directory, the map, the statistics at 16,000 centers
import search  # bench/search.py: the search service against bare Tantivy
import search_postgres  # bench/search_postgres.py: the PostgreSQL backend on the same records
import storage  # bench/storage.py: file delivery from SeaweedFS against the local folder
import union  # bench/union.py: the union search against the collections-only search
import usage  # bench/usage.py: the usage write path and the reports over 50M events
from common import BENCH_DIR, BIN, HOST, ROOT, Result, bench_env, free_port, manage

DIRECTORY_RPS_GOAL = 0.5  # the issue: "at least 0.5 of the minimal view"

# Asked of the seeded database, so the URL mix follows the data instead of guessing it.
NETWORK_QUERY = """
import json
from libranet.network.models import Center, Region
from libranet.public.views import PAGE_SIZE
print(json.dumps({
    "regions": list(Region.objects.order_by("code").values_list("code", flat=True)),
    "pages": -(-Center.objects.count() // PAGE_SIZE),
    "remote_pages": -(-Center.objects.filter(kind="remote").count() // PAGE_SIZE),
}))
"""

Check = Callable[[int, bytes], bool]


@dataclass
class Measurement:
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[94] * 1000


def get(port: int, path: str, timeout: float = 5) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def serve(env: dict[str, str], log: Path) -> Iterator[int]:
    """Gunicorn on a free port, up once /healthz answers 200; always stopped on the way out."""
    port = free_port()
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "libranet.wsgi", "--workers", "2", "--bind", f"{HOST}:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if server.poll() is not None:
                    sys.exit(f"gunicorn exited with {server.returncode}; see {log}")
                try:
                    if get(port, "/healthz", timeout=1)[0] == 200:
                        break
                except OSError:
                    pass  # not listening yet
                if time.monotonic() > deadline:
                    sys.exit(f"gunicorn did not become healthy in 30 s; see {log}")
                time.sleep(0.2)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def measure(
    port: int,
    paths: list[str],
    check: Check,
    *,
    requests: int,
    clients: int,
    seconds: float,
    headers: dict[str, str] | None = None,
) -> Measurement:
    """``requests`` GETs cycling through ``paths`` from ``clients`` threads, within ``seconds``
    (with ``headers``: a signed-in session's cookie)."""
    result = Measurement()
    lock = threading.Lock()
    issued = 0
    started = time.perf_counter()
    deadline = started + seconds

    def client() -> None:
        nonlocal issued
        # Keep-alive where the server allows it; gunicorn's sync workers close after each
        # response and http.client then reconnects on its own, so both targets pay the same.
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        latencies: list[float] = []
        errors: list[str] = []
        while time.perf_counter() < deadline:
            with lock:
                if issued >= requests:
                    break
                path = paths[issued % len(paths)]
                issued += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{path}: {exc!r}")
                conn.close()
                continue
            latencies.append(time.perf_counter() - t0)
            if not check(response.status, body):
                errors.append(f"{path}: HTTP {response.status}, {len(body)} bytes")
        conn.close()
        with lock:
            result.latencies += latencies
            result.errors += errors

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - started
    return result


def is_livez(status: int, body: bytes) -> bool:
    return status == 200 and body == b"ok\n"


def is_directory(status: int, body: bytes) -> bool:
    # Every directory page, in either language, has the result count ("N centers found").
    return status == 200 and len(body) > 1000 and b'id="result-count"' in body


def directory_mix(network: dict) -> list[str]:
    """Distinct directory URLs, so the run is not one cached page served over and over."""
    queries = [{"page": n} for n in range(1, network["pages"] + 1)]
    queries += [{"region": code} for code in network["regions"]]
    queries += [{"kind": "remote", "page": n} for n in range(1, network["remote_pages"] + 1)]
    queries += [{"q": "библиотека"}, {"q": "библиотека", "kind": "remote"}]
    return [f"/{lang}/centers/?{urlencode(q)}" for q in queries for lang in ("ru", "en")]


def run_target(
    port: int,
    name: str,
    paths: list[str],
    check: Check,
    args: argparse.Namespace,
    headers: dict[str, str] | None = None,
) -> Measurement:
    """Warm up (fill the workers' caches, import everything), then measure."""
    warmup = measure(
        port,
        paths,
        check,
        requests=max(8 * len(paths), 200),
        clients=args.clients,
        seconds=30,
        headers=headers,
    )
    measured = measure(
        port,
        paths,
        check,
        requests=args.requests,
        clients=args.clients,
        seconds=args.seconds,
        headers=headers,
    )
    measured.errors = warmup.errors + measured.errors
    if len(measured.latencies) < 2:
        sys.exit(f"{name}: no responses to measure; errors: {measured.errors[:3]}")
    print(
        f"  {name:<22} {len(measured.latencies):>5} requests in {measured.elapsed:5.1f} s, "
        f"{measured.rps:8.1f} req/s, p95 {measured.p95_ms:7.1f} ms, "
        f"{len(measured.errors)} errors"
    )
    return measured


def results_for(
    name: str, target: Measurement, base: Measurement, goal: float | None
) -> list[Result]:
    return [
        Result(f"{name}_rps", target.rps, "req/s", base.rps, target.rps / base.rps, goal),
        # Latency: the ratio is inverted so that, like throughput, higher is better.
        Result(f"{name}_p95_ms", target.p95_ms, "ms", base.p95_ms, base.p95_ms / target.p95_ms),
    ]


def print_table(results: list[Result]) -> None:
    header = f"{'name':<26} {'value':>10} {'unit':<6} {'baseline':>10} {'ratio':>7} {'goal':>6}"
    print(header)
    print("-" * len(header))
    for r in results:
        goal = "-" if r.goal is None else f"{r.goal:.2f}"
        print(
            f"{r.name:<26} {r.value:>10.1f} {r.unit:<6} {r.baseline:>10.1f} "
            f"{r.ratio:>7.2f} {goal:>6}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="per target (default 2000)")
    parser.add_argument(
        "--seconds", type=float, default=20, help="time cap per target (default 20)"
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--no-uncached", action="store_true", help="skip the dummy-cache run")
    parser.add_argument(
        "--oai-records", type=int, default=100_000, help="OAI-PMH corpus (default 100,000; 0 skips)"
    )
    parser.add_argument(
        "--search-records",
        type=int,
        default=1_000_000,
        help="search corpus (default 1,000,000; 0 skips)",
    )
    parser.add_argument(
        "--search-postgres-records",
        type=int,
        default=1_000_000,
        help="search corpus on PostgreSQL (default 1,000,000; 0 skips; "
        "the server: LIBRANET_BENCH_POSTGRES_URL)",
    )
    parser.add_argument(
        "--union-records",
        type=int,
        default=union.DEFAULT_RECORDS,
        help="partner records of the union search (default 1,000,000, or "
        "LIBRANET_BENCH_UNION_RECORDS; 0 skips)",
    )
    parser.add_argument(
        "--usage-events",
        type=int,
        default=50_000_000,
        help="usage events under the reports (default 50,000,000; 0 skips)",
    )
    parser.add_argument(
        "--import-rows",
        type=int,
        default=20_000,
        help="rows of the centers import (default 20,000; 0 skips)",
    )
    parser.add_argument(
        "--harvest-repeats",
        type=int,
        default=3,
        help="partner-catalog harvest, best of (default 3; 0 skips)",
    )
    parser.add_argument(
        "--pages-scale",
        type=int,
        default=30,
        help="seed_demo scale of the pages benchmark (default 30, ~16,000 centers; 0 skips)",
    )
    parser.add_argument(
        "--pages-clients", type=int, default=2, help="clients of the pages benchmark (default 2)"
    )
    parser.add_argument(
        "--storage-files",
        type=int,
        default=16,
        help="1 MiB files delivered from SeaweedFS and from the folder (default 16; 0 skips)",
    )
    args = parser.parse_args()

    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="libranet-bench-") as tmp:
        data_dir = Path(tmp)
        env = bench_env(data_dir)
        print(f"Building a fresh database in {data_dir} ...")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        print("  " + manage(env, "seed_demo", "--scale", "1").splitlines()[0])
        network = json.loads(manage(env, "shell", "-c", NETWORK_QUERY).strip().splitlines()[-1])
        mix = directory_mix(network)
        print(f"  directory mix: {len(mix)} distinct URLs")

        print(
            f"Measuring ({args.clients} clients, {args.requests} requests or {args.seconds:g} s):"
        )
        with serve(env, BENCH_DIR / "gunicorn.log") as port:
            base = run_target(port, "livez (baseline)", ["/livez"], is_livez, args)
            directory = run_target(port, "directory", mix, is_directory, args)
        errors += base.errors + directory.errors
        results = results_for("directory", directory, base, DIRECTORY_RPS_GOAL)

        if not args.no_uncached:
            # The cost of rendering every page: the same mix with Django's dummy cache.
            uncached_env = bench_env(data_dir, LIBRANET_CACHE_URL="dummycache://")
            with serve(uncached_env, BENCH_DIR / "gunicorn-uncached.log") as port:
                uncached = run_target(port, "directory (no cache)", mix, is_directory, args)
            errors += uncached.errors
            results += results_for("directory_uncached", uncached, base, None)

        if args.oai_records:
            results += oai.bench(env, manage, records=args.oai_records)
        if args.search_records:
            results += search.bench(env, n=args.search_records)
        if args.search_postgres_records:
            results += search_postgres.bench(env, n=args.search_postgres_records)
        if args.union_records:
            results += union.bench(env, n=args.union_records)
        if args.usage_events:
            results += usage.bench(events=args.usage_events)
        if args.import_rows:
            results += importing.bench(rows=args.import_rows)
        if args.harvest_repeats:
            results += harvesting.bench(repeats=args.harvest_repeats)
        if args.pages_scale:
            page_args = argparse.Namespace(**{**vars(args), "clients": args.pages_clients})
            results += pages.bench(
                scale=args.pages_scale, serve=serve, run_target=run_target, get=get, args=page_args
            )

        if args.storage_files:
            results += storage.bench(
                serve=serve, run_target=run_target, args=args, files=args.storage_files
            )

    print()
    print_table(results)
    print()
    for r in results:
        if r.goal is not None:
            met = r.ratio >= r.goal
            line = (
                f"{r.name}: ratio {r.ratio:.2f}, goal {r.goal:.2f}: {'met' if met else 'NOT met'}"
            )
            print(line if met else f"WARNING: {line}")

    out = BENCH_DIR / "results.json"
    out.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    print(f"Wrote {out.relative_to(ROOT)}")

    if errors:
        print(f"FAILED: {len(errors)} requests failed, e.g.:", *errors[:10], sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
