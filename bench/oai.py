"""OAI-PMH benchmark: ListRecords to one harvester, against a raw read of the same rows.

Called by bench/run.py on its throwaway database (or alone: ``python bench/oai.py``, which
makes its own). ``manage.py oai_bench_data`` adds N synthetic resources (100,000 by default);
then a gunicorn with one worker serves /oai and one harvester (``http.client``, no gzip on the
loopback) follows the resumption tokens to the end of ListRecords. Measured, each against a
baseline from the same run:

- records per second to the harvester, against the same rows and set memberships read
  straight from the database with the DB-API cursor (no ORM, no XML, no HTTP);
- page latency: the last page of the list against the first resumed page (the same work at
  the other end of the list: keyset tokens make them equal, OFFSET would not), and the first
  page, which also counts the list, against the first resumed page;
- peak memory (VmHWM) of the server's worker: after the whole harvest against after its first
  pages; and on a second server whose page holds the whole list, after streaming all N records
  in one response against after streaming about a thousand.

Every ratio is "higher is better", as in bench/run.py: latency and memory ratios are
baseline / value, so a goal of 0.83 means "the last page takes at most 1.2 times the first".
"""

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlencode

from common import BENCH_DIR, BIN, HOST, ROOT, Result, bench_env, free_port, manage

RATE_GOAL = 1 / 3  # ListRecords at least a third of the raw read rate
LAST_PAGE_GOAL = 1 / 1.2  # the last page no slower than 1.2 times the first
MEMORY_GOAL = 0.9  # peak memory grows by at most about a tenth: flat
LATENCY_REPEATS = 15
SMALL_LIST = 1000  # records in the small one-page list of the memory comparison

TOKEN = re.compile(rb"<resumptionToken[^>]*?(?:/>|>([^<]*)</resumptionToken>)")

# The rows ListRecords sends, read with the DB-API cursor: the columns their records are made
# from and their set memberships (what the provider itself read before it stored records
# rendered, kept so that figures compare across versions): best of three, warm.
RAW_READ = """
import json, time
from django.db import connection
from libranet.resources.models import Resource
from libranet.resources.harvest import SOURCE_FIELDS
table = Resource._meta.db_table
links = Resource.collections.through._meta.db_table
columns = ", ".join(Resource._meta.get_field(f).column for f in SOURCE_FIELDS)
best, count = None, 0
for _ in range(3):
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} WHERE access_level <> %s ORDER BY modified_at, id",
            ["staff"],
        )
        count = 0
        while rows := cursor.fetchmany(2000):
            count += len(rows)
        cursor.execute(f"SELECT resource_id, collection_id FROM {links}")
        while cursor.fetchmany(10000):
            pass
    elapsed = time.perf_counter() - started
    best = elapsed if best is None else min(best, elapsed)
print(json.dumps({"rows": count, "seconds": best}))
"""


Manage = Callable[..., str]


class Harvester:
    """One client on one connection (reopened when gunicorn's sync worker closes it)."""

    def __init__(self, port: int, *, gzip: bool = False) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=300)
        self.headers = {"Accept-Encoding": "gzip"} if gzip else {}

    def get(self, **params: str) -> tuple[bytes, float]:
        started = time.perf_counter()
        self.conn.request("GET", "/oai?" + urlencode(params), headers=self.headers)
        response = self.conn.getresponse()
        body = response.read()
        if response.getheader("Content-Encoding") == "gzip":
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        elapsed = time.perf_counter() - started
        if response.status != 200 or not body.endswith(b"</OAI-PMH>\n") or b"<error" in body:
            sys.exit(f"OAI-PMH answered {response.status}: {body[-500:]!r}")
        return body, elapsed

    def close(self) -> None:
        self.conn.close()


def next_token(body: bytes) -> str | None:
    found = TOKEN.search(body, max(0, len(body) - 4096))
    return found.group(1).decode() if found and found.group(1) else None


@contextmanager
def serve(env: dict[str, str], log: Path, **extra: str) -> Iterator[tuple[int, int]]:
    """Gunicorn with one worker on a free port: (port, the worker's pid)."""
    port = free_port()
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "libranet.wsgi",
                "--workers",
                "1",
                "--timeout",
                "600",
                "--bind",
                f"{HOST}:{port}",
            ],
            cwd=ROOT,
            env={**env, **extra},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if server.poll() is not None:
                    sys.exit(f"gunicorn exited with {server.returncode}; see {log}")
                try:
                    conn = http.client.HTTPConnection(HOST, port, timeout=1)
                    conn.request("GET", "/healthz")
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    pass  # not listening yet
                if time.monotonic() > deadline:
                    sys.exit(f"gunicorn did not become healthy in 30 s; see {log}")
                time.sleep(0.2)
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
            yield port, int(children[0])
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def peak_mb(pid: int) -> float:
    """The worker's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def harvest(client: Harvester) -> tuple[int, float, list[str]]:
    """ListRecords followed to the end: records, seconds, and each page's token."""
    started = time.perf_counter()
    body, _ = client.get(verb="ListRecords", metadataPrefix="oai_dc")
    records, tokens = body.count(b"<record>"), []
    while token := next_token(body):
        tokens.append(token)
        body, _ = client.get(verb="ListRecords", resumptionToken=token)
        records += body.count(b"<record>")
    return records, time.perf_counter() - started, tokens


def median_ms(client: Harvester, params: dict[str, str]) -> float:
    return statistics.median(client.get(**params)[1] for _ in range(LATENCY_REPEATS)) * 1000


def bench(env: dict[str, str], manage: Manage, *, records: int) -> list[Result]:
    print(f"OAI-PMH: {records} synthetic resources ...")
    print("  " + manage(env, "oai_bench_data", "--records", str(records)).splitlines()[-1].strip())
    raw = json.loads(manage(env, "shell", "-c", RAW_READ).strip().splitlines()[-1])
    raw_rate = raw["rows"] / raw["seconds"]
    print(
        f"  raw read (DB-API)      {raw['rows']:>7} rows in {raw['seconds']:6.2f} s, "
        f"{raw_rate:9.0f} rows/s"
    )

    with serve(env, BENCH_DIR / "gunicorn-oai.log") as (port, worker):
        client = Harvester(port)
        # Warm up: imports, the connection, the first pages.
        body, _ = client.get(verb="ListRecords", metadataPrefix="oai_dc")
        for _ in range(3):
            body, _ = client.get(verb="ListRecords", resumptionToken=next_token(body) or "")
        early_peak = peak_mb(worker)
        runs = [harvest(client) for _ in range(2)]
        sent, seconds, tokens = min(runs, key=lambda run: run[1])
        if sent != raw["rows"]:
            sys.exit(f"the harvest sent {sent} records, the database holds {raw['rows']}")
        rate = sent / seconds
        print(
            f"  ListRecords harvest    {sent:>7} records in {seconds:6.2f} s, {rate:9.0f} "
            f"records/s, {len(tokens) + 1} pages"
        )
        first_ms, resumed_ms, last_ms = [], [], []
        for _ in range(3):  # interleaved, so a slow moment of the machine hits all three
            first_ms.append(median_ms(client, {"verb": "ListRecords", "metadataPrefix": "oai_dc"}))
            resumed_ms.append(
                median_ms(client, {"verb": "ListRecords", "resumptionToken": tokens[0]})
            )
            last_ms.append(
                median_ms(client, {"verb": "ListRecords", "resumptionToken": tokens[-1]})
            )
        first, resumed, last = min(first_ms), min(resumed_ms), min(last_ms)
        print(
            f"  page latency           first {first:6.1f} ms, first resumed {resumed:6.1f} ms, "
            f"last {last:6.1f} ms"
        )
        harvest_peak = peak_mb(worker)
        client.close()
        # As most harvesters ask (requests does): gzip, unpacked by the client.
        zipped = Harvester(port, gzip=True)
        gzip_sent, gzip_seconds, _ = harvest(zipped)
        zipped.close()
        gzip_rate = gzip_sent / gzip_seconds
        print(
            f"  ListRecords with gzip  {gzip_sent:>7} records in {gzip_seconds:6.2f} s, "
            f"{gzip_rate:9.0f} records/s"
        )
    print(
        f"  worker peak memory     {early_peak:6.1f} MB after 4 pages, "
        f"{harvest_peak:6.1f} MB after all"
    )

    # The whole list in one response: what streaming alone keeps flat.
    one_page = {"LIBRANET_OAI_RECORDS_PER_PAGE": str(records + 1000)}
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1577836800 + SMALL_LIST))
    with serve(env, BENCH_DIR / "gunicorn-oai-one-page.log", **one_page) as (port, worker):
        client = Harvester(port)
        for _ in range(2):
            small, _ = client.get(verb="ListRecords", metadataPrefix="oai_dc", until=until)
        small_peak = peak_mb(worker)
        whole, whole_seconds = client.get(verb="ListRecords", metadataPrefix="oai_dc")
        whole_peak = peak_mb(worker)
        client.close()
    print(
        f"  one page of all        {small.count(b'<record>'):>7} records: {small_peak:6.1f} MB; "
        f"{whole.count(b'<record>')} records ({len(whole) / 2**20:.0f} MB of XML in "
        f"{whole_seconds:.1f} s): {whole_peak:6.1f} MB"
    )
    return [
        Result("oai_listrecords_rps", rate, "rec/s", raw_rate, rate / raw_rate, RATE_GOAL),
        Result("oai_listrecords_gzip_rps", gzip_rate, "rec/s", raw_rate, gzip_rate / raw_rate),
        Result("oai_last_page_ms", last, "ms", resumed, resumed / last, LAST_PAGE_GOAL),
        Result("oai_first_page_ms", first, "ms", resumed, resumed / first),
        Result(
            "oai_harvest_peak_mb",
            harvest_peak,
            "MB",
            early_peak,
            early_peak / harvest_peak,
            MEMORY_GOAL,
        ),
        Result(
            "oai_one_page_peak_mb",
            whole_peak,
            "MB",
            small_peak,
            small_peak / whole_peak,
            MEMORY_GOAL,
        ),
    ]


def main() -> int:
    """Alone: a throwaway database of its own, the same measures, printed (no results.json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000, help="default 100,000")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="libranet-bench-oai-") as tmp:
        env = bench_env(tmp)
        manage(env, "migrate", "--noinput", "-v", "0")
        results = bench(env, manage, records=args.records)
    print(json.dumps([asdict(r) for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
