"""Fixtures of the worker's fault tests: real `manage.py run_worker` processes on a database the
test shares with them, on a clock fixed for all of them, with short timeouts.

- ``shared_database`` (``libranet.tests.servers``): the test's database, committed and
  reachable from other processes.
- ``clock``: every process's clock starts at ``NOW`` and ticks (the test's by time_machine; each
  worker's through ``CLOCKED``, which starts time_machine in it before Django), so heartbeats,
  timeouts and "due now" agree between them.
- ``start_worker(name)``: a worker process, its output in a log file, killed at the end.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import override_settings

from libranet.tests.servers import CLOCKED

NOW = datetime.datetime(2026, 10, 15, 9, 0, tzinfo=datetime.UTC)  # 12:00 in Moscow
# Short enough for fast tests, long enough for two cores shared with other work.
FAST = {
    "LIBRANET_WORKER_HEARTBEAT_SECONDS": 0.2,
    "LIBRANET_WORKER_TIMEOUT_SECONDS": 2.0,
    "LIBRANET_WORKER_RETRY_SECONDS": 0.1,
    "LIBRANET_WORKER_RETRY_MAX_SECONDS": 0.5,
    "LIBRANET_MAIL_CLAIM_TIMEOUT_SECONDS": 1,
}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def clock(time_machine) -> float:
    """The offset of every process's clock from the real one: they all start at ``NOW``."""
    offset = NOW.timestamp() - time.time()
    time_machine.move_to(NOW, tick=True)
    return offset


@pytest.fixture
def fast_worker_settings():
    with override_settings(TASKS=DATABASE_QUEUE, **FAST):
        yield


@dataclass
class WorkerProcess:
    worker_id: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def alive(self) -> bool:
        return self.process.poll() is None


@pytest.fixture
def start_worker(shared_database, clock, fast_worker_settings, tmp_path):
    """``start_worker(name, **env)``: a `manage.py run_worker` process on the shared database,
    with the test settings ``FAST`` (and ``env``), its output in ``<tmp>/<name>.log``."""
    started: list[WorkerProcess] = []
    manage = str(Path(django_settings.BASE_DIR) / "manage.py")

    def start(name: str, **env: object) -> WorkerProcess:
        environment = {
            **os.environ,
            "DATABASE_URL": shared_database,
            "LIBRANET_DATA_DIR": str(tmp_path / "data"),
            "LIBRANET_TASKS_BACKEND": DATABASE_QUEUE["default"]["BACKEND"],
            "LIBRANET_USAGE_SPOOL_DIR": str(tmp_path / "spool"),
            "LIBRANET_SEARCH_DIR": str(tmp_path / "search"),
            "LIBRANET_LOG_LEVEL": "WARNING",
            **{key: str(value) for key, value in {**FAST, **env}.items()},
        }
        log = tmp_path / f"{name}.log"
        command = [sys.executable, "-c", CLOCKED, repr(clock), manage, "run_worker"]
        options = ["--worker-id", name, "--interval", "0.05", "--no-reload", "--no-startup-delay"]
        with log.open("w") as out:
            process = subprocess.Popen(  # noqa: S603
                [*command, *options], env=environment, stdout=out, stderr=subprocess.STDOUT
            )
        worker = WorkerProcess(worker_id=name, process=process, log=log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.alive():
            worker.kill()
