"""An import against real processes on a SQLite file, as `make run` has it: other writers go on
while the rows are checked, and a worker killed while writing leaves the registry as it was,
with an import that can be run again."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

MANAGE = [sys.executable, str(Path(django_settings.BASE_DIR) / "manage.py")]
ROWS = 5000

# Run in a child process (``manage.py shell``): an administrator, and ROWS centers as CSV.
SETUP = f"""
from libranet.accounts.models import User
from libranet.network.services import staff_role_assign
admin = User.objects.create_user(username="admin")
staff_role_assign(actor=None, user=admin, role="administrator")
CSV = ("code,kind,status,name_ru,institution_ru,region,opened_on,networks\\n" + "".join(
    f"RU-TVE-{{i:05d}},remote,open,Центр {{i}},Библиотека № {{i % 50}},RU-TVE,2020-02-01,"
    f"10.{{i // 256}}.{{i % 256}}.0/24\\n"
    for i in range({ROWS})
)).encode()
"""

# While the rows are checked, another connection writes with no patience at all (a busy timeout
# of 0): it must never find the database locked. While they are written, it must (this is how
# the probe knows a lock when it meets one).
PROBE = """
import io, json, sqlite3
from django.conf import settings
from libranet.network.importexport import APPLYING, import_centers, read_table
other = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=0, isolation_level=None)
other.execute("CREATE TABLE probe (n INTEGER)")
seen = {"validating": [0, 0], "applying": [0, 0]}
def progress(done, total, label):
    if done % 250:
        return
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO probe VALUES (?)", [done])
        other.execute("COMMIT")
        seen[label][0] += 1
    except sqlite3.OperationalError as error:
        assert "locked" in str(error), error
        seen[label][1] += 1
report = import_centers(actor=admin, rows=read_table(io.BytesIO(CSV)), progress=progress)
print(json.dumps({"created": report.created, **seen}))
"""

QUEUE = """
from django.core.files.uploadedfile import SimpleUploadedFile
from libranet.imports.services import import_job_create
job = import_job_create(actor=admin, kind="centers", file=SimpleUploadedFile("c.csv", CSV))
print(job.pk)
"""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated SQLite file, made once; each test works on a copy."""
    folder = tmp_path_factory.mktemp("import-template")
    run_manage(folder, "migrate", "-v", "0")
    return folder / "db.sqlite3"


def environment(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "LIBRANET_DATA_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "LIBRANET_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "LIBRANET_DEBUG": "0",
    }


def run_manage(folder: Path, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own manage.py)
        [*MANAGE, *args],
        env=environment(folder),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def folder(tmp_path, migrated):
    (tmp_path / "db.sqlite3").write_bytes(migrated.read_bytes())
    return tmp_path


def counts(database: Path) -> tuple[int, int, int, int]:
    with sqlite3.connect(database) as db:
        return tuple(
            db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in (
                "network_center",
                "network_centernetwork",
                "network_centerstatuschange",
                "audit_auditentry",
            )
        )


def test_other_writers_go_on_while_the_rows_are_checked(folder):
    output = run_manage(folder, "shell", "-c", SETUP + PROBE)
    seen = json.loads(output.strip().splitlines()[-1])
    assert seen["created"] == ROWS
    written, locked = seen["validating"]
    assert written == ROWS // 250 and locked == 0
    assert seen["applying"][1] > 0  # the probe does see the short write transaction


def test_a_worker_killed_while_writing_leaves_nothing_and_the_import_runs_again(folder):
    database = folder / "db.sqlite3"
    job = int(run_manage(folder, "shell", "-c", SETUP + QUEUE).strip().splitlines()[-1])
    before = counts(database)
    worker = subprocess.Popen(  # noqa: S603 (our own manage.py)
        [*MANAGE, "run_worker", "--no-startup-delay", "--no-reload", "--interval", "0.1"],
        env=environment(folder),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        deadline = time.monotonic() + 240
        while True:
            assert worker.poll() is None and time.monotonic() < deadline, "never saw the write"
            state = probe.execute(
                "SELECT state FROM imports_importjob WHERE id = ?", [job]
            ).fetchone()[0]
            assert state != "done", "the write ended before it could be interrupted"
            if state == "applying":
                try:
                    probe.execute("BEGIN IMMEDIATE")
                    probe.execute("ROLLBACK")
                except sqlite3.OperationalError:
                    break  # the worker holds the write lock: it is writing the rows
            time.sleep(0.005)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        probe.close()

    assert counts(database) == before  # the write transaction died with the worker
    with sqlite3.connect(database) as db:
        state = db.execute("SELECT state FROM imports_importjob WHERE id = ?", [job]).fetchone()
    assert state == ("applying",)

    # Run again (what a worker that takes over the task does): from the start, to the end.
    code = (
        f"from libranet.imports.services import import_job_run; print(import_job_run(job_id={job}))"
    )
    assert run_manage(folder, "shell", "-c", code).strip().splitlines()[-1] == "done"
    centers, networks, history, audit = counts(database)
    assert (centers, networks, history) == (before[0] + ROWS, before[1] + ROWS, before[2] + ROWS)
    assert audit == before[3] + ROWS + 50  # a row per center and per new host
