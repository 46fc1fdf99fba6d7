"""Partner-catalog harvest benchmark: records per second that a harvest takes from a loopback
OAI-PMH provider and writes, against fetching and reading the same pages with no database.

Called by bench/run.py (or alone: ``python bench/harvesting.py``). In a throwaway data folder
(SQLite in WAL mode, as ``make run`` has it), migrated once, a child process serves the demo's
synthetic partner catalogs (``libranet.catalogs.provider``: MARC 21, RUSMARC and Dublin Core,
``--page-size`` records a page) from a thread on a free loopback port, registers one source
per catalog and measures, best of ``--repeats``:

- **harvest**: ``harvest_source(source, full=True)`` of every source on an empty table: the
  pages fetched through the client (Sickle), every record mapped, upserted page by page in one
  transaction each with the run's position;
- **read**: the same pages fetched through the same client and every record mapped by the
  same ``map_record``, nothing written.

Row (ratio "higher is better", as in bench/run.py): ``catalog_harvest_records_per_s``, the
harvest's records/s; baseline the read's records/s; goal 0.5 (the issue: "at least half").
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from common import BIN, ROOT, Result, bench_env, manage

GOAL = 0.5


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libranet.settings")
    import django

    django.setup()


def _read(sources: list) -> int:
    """Every page of every source fetched and mapped, as a harvest does, writing nothing."""
    from libranet.catalogs.client import OAI, SourceClient
    from libranet.catalogs.mapping import MappingError, map_record

    records = 0
    for source in sources:
        client = SourceClient(source.base_url)
        params = {"verb": "ListRecords", "metadataPrefix": source.metadata_prefix}
        while True:
            page = client.page(**params)
            for element in page.items:
                records += 1
                header = element.find(f"{OAI}header")
                if header is not None and header.get("status") == "deleted":
                    continue
                try:
                    map_record(element.find(f"{OAI}metadata"), source.record_format)
                except MappingError:
                    pass
            if not page.token:
                break
            params = {"verb": "ListRecords", "resumptionToken": page.token}
    return records


def child(args: argparse.Namespace) -> None:
    _setup()
    from libranet.catalogs.harvesting import harvest_source
    from libranet.catalogs.models import CatalogRecord, HarvestRun
    from libranet.catalogs.provider.catalogs import LIBRARIES
    from libranet.catalogs.provider.server import provider_in_thread
    from libranet.catalogs.services import source_register
    from libranet.network.models import Institution

    holder = Institution.objects.create(name_ru="Библиотека-партнёр", kind="library")
    timings: dict[str, float] = {"harvest": float("inf"), "read": float("inf")}
    with provider_in_thread(page_size=args.page_size) as url:
        sources = [
            source_register(
                actor=None,
                institution=holder,
                base_url=f"{url}/{library.slug}/oai",
                metadata_prefix=library.record_format,
                record_format=library.record_format,
                check=True,
            )
            for library in LIBRARIES
        ]
        for _ in range(args.repeats):
            started = time.perf_counter()
            timings["records"] = _read(sources)
            timings["read"] = min(timings["read"], time.perf_counter() - started)

            CatalogRecord.objects.all().delete()
            HarvestRun.objects.all().delete()
            started = time.perf_counter()
            runs = [harvest_source(source, full=True) for source in sources]
            timings["harvest"] = min(timings["harvest"], time.perf_counter() - started)
            failed = [run.error for run in runs if run.state != HarvestRun.State.SUCCEEDED]
            if failed:
                sys.exit(f"a harvest failed: {failed}")
    written = CatalogRecord.objects.count()
    if written != timings["records"]:
        sys.exit(f"harvested {written} records of {timings['records']:.0f}")
    n = timings["records"]
    print(
        f"  {n:,.0f} records of {len(sources)} catalogs: harvest {timings['harvest']:.2f} s "
        f"({n / timings['harvest']:,.0f} records/s), read {timings['read']:.2f} s "
        f"({n / timings['read']:,.0f} records/s)"
    )
    Path(args.out).write_text(json.dumps(timings))


def bench(*, page_size: int = 100, repeats: int = 3) -> list[Result]:
    """From bench/run.py: a data folder of its own, migrated, and one child measuring both."""
    print("Partner catalogs: harvest from a loopback provider against reading its pages ...")
    with tempfile.TemporaryDirectory(prefix="libranet-bench-harvest-") as tmp:
        data = Path(tmp)
        env = bench_env(data)
        manage(env, "migrate", "--noinput", "-v", "0")
        out = data / "harvest.json"
        command = [str(BIN / "python"), str(Path(__file__).resolve()), "--child", "--out", str(out)]
        command += ["--page-size", str(page_size), "--repeats", str(repeats)]
        done = subprocess.run(command, cwd=ROOT, env=env)  # noqa: S603 (our own script)
        if done.returncode:
            sys.exit(f"bench/harvesting.py failed with {done.returncode}")
        timings = json.loads(out.read_text())
    n = timings["records"]
    ours, read = n / timings["harvest"], n / timings["read"]
    return [Result("catalog_harvest_records_per_s", ours, "records/s", read, ours / read, GOAL)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page-size", type=int, default=100, help="records a page (default 100)")
    parser.add_argument("--repeats", type=int, default=3, help="best of (default 3)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    results = bench(page_size=args.page_size, repeats=args.repeats)
    print(json.dumps([asdict(r) for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
