"""Centers import benchmark: 20,000 rows from CSV, checked and written by the import, against a
bare ``Center.objects.bulk_create`` of the same rows.

Called by bench/run.py (or alone: ``python bench/importing.py``). In a throwaway data folder
(SQLite in WAL mode, as ``make run`` has it), migrated once; each measurement runs in a child
process of its own on a fresh copy of that database:

1. ``--rows`` (20,000) centers are generated: one regional center per region, remote access
   centers coordinated by them, one in twenty abroad; 2,000 host institutions; each center with
   an IPv4 network, an opening date, coordinates and contacts. Written as CSV (the export's
   columns).
2. **import**: ``read_table`` of the CSV and ``import_centers`` as an administrator (what the
   import task runs): every row checked (phase 1, reading only), then written in one
   transaction (phase 2). The time of phase 2 is how long SQLite's write lock is held.
3. **bare**: the same rows, already parsed, as ``Institution``/``Center`` objects written by
   ``bulk_create`` (no checks, no networks, no status history, no audit rows).
4. A second import of the same file on the imported database: every row "unchanged", nothing
   written.

Rows (ratios "higher is better", as in bench/run.py):

- ``centers_import_20k_rows_per_s``: rows/s of the whole import (reading the file included);
  baseline the bare bulk_create's rows/s; goal 0.2.
- ``centers_import_20k_lock_s``: seconds phase 2 holds the write lock; baseline the bare
  bulk_create's seconds (ratio = bare / ours).
- ``centers_import_20k_rerun_rows_per_s``: rows/s of the second, unchanged, import; baseline
  the bare bulk_create's rows/s.

The size in the names follows ``--rows``.
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from common import BIN, ROOT, Result, bench_env, manage

GOAL = 0.2
INSTITUTIONS = 2_000


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libranet.settings")
    import django

    django.setup()


def generate(n: int, regions: list[str], countries: list[str]) -> list[dict[str, str]]:
    """``n`` center rows in the import's columns; regional centers first in the registry's
    order, but written last in the file (the import must reorder them)."""
    rows = []
    regional = [f"{region}-RC" for region in regions]
    for index, region in enumerate(regions):
        rows.append(
            {
                "code": regional[index],
                "kind": "regional",
                "status": "open",
                "name_ru": f"Региональный центр {region}",
                "name_en": f"Regional center {region}",
                "institution_ru": f"Областная библиотека {index}",
                "institution_kind": "library",
                "region": region,
                "opened_on": "2012-09-01",
            }
        )
    for n_row in range(n - len(rows)):
        network = f"10.{n_row // 4096 % 256}.{n_row // 16 % 256}.{n_row % 16 * 16}/28"
        row = {
            "code": f"C-{n_row:06d}",
            "name_ru": f"Центр удалённого доступа {n_row}",
            "name_en": f"Remote access center {n_row}",
            "institution_ru": f"Библиотека № {n_row % INSTITUTIONS}",
            "status": "open" if n_row % 3 else "planned",
            "opened_on": "2019-05-01" if n_row % 3 else "",
            "address": f"ул. Ленина, {n_row % 200 + 1}",
            "latitude": f"{50 + n_row % 1000 / 100:.4f}",
            "longitude": f"{30 + n_row % 3000 / 100:.4f}",
            "contact_person": "Иванова И. И.",
            "email": f"center{n_row}@example.org",
            "phone": "+7 (4822) 34-56-78",
            "hours": "пн–пт 9–18",
            "networks": network,
        }
        if n_row % 20 == 19:
            row.update(kind="foreign", country=countries[n_row % len(countries)])
        else:
            region = n_row % len(regions)
            row.update(kind="remote", region=regions[region], regional_center=regional[region])
        rows.append(row)
    return rows[len(regions) :] + rows[: len(regions)]


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    from libranet.network.importexport import CENTER_COLUMNS

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CENTER_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def _rows_for(n: int, data: Path) -> Path:
    from libranet.network.models import Country, Region

    regions = list(Region.objects.order_by("code").values_list("code", flat=True))
    countries = list(Country.objects.order_by("code").values_list("code", flat=True))[:30]
    path = data / "centers.csv"
    write_csv(generate(n, regions, countries), path)
    return path


def measure_import(path: Path) -> dict[str, float]:
    from libranet.accounts.models import User
    from libranet.network.importexport import APPLYING, import_centers, read_table
    from libranet.network.models import Center
    from libranet.network.services import staff_role_assign

    admin = User.objects.create_user(username="bench-admin")
    staff_role_assign(actor=None, user=admin, role="administrator")
    moments: dict[str, float] = {}

    def progress(done: int, total: int, label: str) -> None:
        if label == APPLYING:
            moments.setdefault("apply_started", time.perf_counter())

    timings = {}
    for run in ("first", "rerun"):
        moments.clear()
        started = time.perf_counter()
        with path.open("rb") as handle:
            rows = read_table(handle, max_bytes=1024**3)
        report = import_centers(actor=admin, rows=rows, progress=progress)
        ended = time.perf_counter()
        if not report.ok:
            sys.exit(f"the import refused the file: {report.errors[:5]}")
        timings[run] = ended - started
        if run == "first":
            if report.created != len(rows) or Center.objects.count() != len(rows):
                sys.exit(f"created {report.created} of {len(rows)} rows")
            timings["lock"] = ended - moments["apply_started"]
            timings["rows"] = len(rows)
        elif report.unchanged != len(rows):
            sys.exit(f"the second import changed {len(rows) - report.unchanged} rows")
        print(
            f"  import ({run}): {len(rows):,} rows in {timings[run]:6.2f} s "
            f"({len(rows) / timings[run]:8,.0f} rows/s)"
            + (f", write transaction {timings['lock']:5.2f} s" if run == "first" else "")
        )
    return timings


def measure_bare(path: Path) -> dict[str, float]:
    """The same rows, parsed beforehand, written with bulk_create: no checks, no history."""
    import datetime
    from decimal import Decimal

    from libranet.network.models import Center, Country, Institution, Region

    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    regions = {r.code: r for r in Region.objects.all()}
    countries = {c.code: c for c in Country.objects.all()}
    started = time.perf_counter()
    names = sorted({row["institution_ru"] for row in rows})
    hosts = Institution.objects.bulk_create(
        Institution(name_ru=name, kind="library") for name in names
    )
    host = dict(zip(names, hosts, strict=True))
    regional = [row for row in rows if row["kind"] == "regional"]
    rest = [row for row in rows if row["kind"] != "regional"]

    def center(row: dict[str, str]) -> Center:
        return Center(
            code=row["code"],
            kind=row["kind"],
            status=row["status"],
            name_ru=row["name_ru"],
            name_en=row["name_en"],
            institution=host[row["institution_ru"]],
            region=regions.get(row["region"]),
            country=countries.get(row["country"]),
            regional_center=by_code.get(row["regional_center"]),
            opened_on=datetime.date.fromisoformat(row["opened_on"]) if row["opened_on"] else None,
            address=row["address"],
            latitude=Decimal(row["latitude"]) if row["latitude"] else None,
            longitude=Decimal(row["longitude"]) if row["longitude"] else None,
            contact_person=row["contact_person"],
            email=row["email"],
            phone=row["phone"],
            hours=row["hours"],
        )

    by_code: dict[str, Center] = {}
    created = Center.objects.bulk_create([center(row) for row in regional], batch_size=500)
    by_code = {c.code: c for c in created}
    Center.objects.bulk_create([center(row) for row in rest], batch_size=500)
    elapsed = time.perf_counter() - started
    print(
        f"  bare bulk_create: {len(rows):,} rows in {elapsed:6.2f} s "
        f"({len(rows) / elapsed:8,.0f} rows/s)"
    )
    return {"bare": elapsed, "rows": len(rows)}


def child(args: argparse.Namespace) -> None:
    _setup()
    data = Path(args.data)
    if args.measure == "generate":
        path = _rows_for(args.rows, data)
        print(f"  {args.rows:,} rows of centers written to {path.name}")
        timings: dict[str, float] = {}
    elif args.measure == "import":
        timings = measure_import(data / "centers.csv")
    else:
        timings = measure_bare(data / "centers.csv")
    Path(args.out).write_text(json.dumps(timings))


def _child(data: Path, template: Path, measure: str, rows: int) -> dict[str, float]:
    """A child process on a fresh copy of the migrated database."""
    database = data / "libranet.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, database)
    out = data / f"{measure}.json"
    command = [str(BIN / "python"), str(Path(__file__).resolve()), "--child", "--out", str(out)]
    command += ["--measure", measure, "--rows", str(rows), "--data", str(data)]
    done = subprocess.run(command, cwd=ROOT, env=bench_env(data))  # noqa: S603 (our own script)
    if done.returncode:
        sys.exit(f"bench/importing.py ({measure}) failed with {done.returncode}")
    return json.loads(out.read_text())


def bench(*, rows: int = 20_000) -> list[Result]:
    """From bench/run.py: a data folder of its own, migrated once; a fresh copy per child."""
    print(f"Centers import: {rows:,} rows from CSV against a bare bulk_create ...")
    with tempfile.TemporaryDirectory(prefix="libranet-bench-import-") as tmp:
        data = Path(tmp)
        manage(bench_env(data), "migrate", "--noinput", "-v", "0")
        template = data / "template.sqlite3"
        shutil.copyfile(data / "libranet.sqlite3", template)
        _child(data, template, "generate", rows)
        ours = _child(data, template, "import", rows)
        bare = _child(data, template, "bare", rows)
    n = int(ours["rows"])
    label = f"{n // 1000}k" if n >= 1000 else str(n)
    ours_rate, rerun_rate, bare_rate = n / ours["first"], n / ours["rerun"], n / bare["bare"]
    return [
        Result(
            f"centers_import_{label}_rows_per_s",
            ours_rate,
            "rows/s",
            bare_rate,
            ours_rate / bare_rate,
            GOAL,
        ),
        Result(
            f"centers_import_{label}_lock_s",
            ours["lock"],
            "s",
            bare["bare"],
            bare["bare"] / ours["lock"],
        ),
        Result(
            f"centers_import_{label}_rerun_rows_per_s",
            rerun_rate,
            "rows/s",
            bare_rate,
            rerun_rate / bare_rate,
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="default 20,000")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    results = bench(rows=args.rows)
    print(json.dumps([asdict(r) for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
