"""Two application servers serving one network, as an operator deploys them (README "Several
servers"): on the loopback, PostgreSQL, Redis, an S3-compatible object store (SeaweedFS), and two
servers A and B, each with its own data folder, its gunicorn and its task worker, sharing nothing
but the database, the cache and the store. One scenario, through the doors users and operators
use: the API, the back office's import form, the public pages, the file door, manage.py.

Then the restore drill the README describes: a PostgreSQL dump and a copy of the bucket, restored
into a new database and a new bucket, serve the same network through a third server.

Runs in the PostgreSQL pass of ``make test`` (``.ci/run``): it needs a PostgreSQL server to make
its own databases in.
"""

import csv
import io
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from libranet.tests.servers import (
    CLOCKED,
    free_port,
    s3_client,
    start_redis,
    wait_for,
    wait_for_port,
)

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith("postgres"),
    reason="two servers share a PostgreSQL database (the PostgreSQL pass of make test)",
)

WORD = "Бортеневская"  # the imported resource's title word, searched through the other server
PAYLOAD = bytes(range(256)) * 64  # the imported PDF's padding: 16 KiB of every byte value
# A reader's browser: python-requests' own User-Agent is on COUNTER's robots list (not counted).
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def _http() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = BROWSER
    return session


SETUP = """
import datetime
import json
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from libranet.accounts.models import User
from libranet.accounts.services import api_token_create
from libranet.network.models import Center, Region, StaffRole
from libranet.network.services import center_create, institution_create, staff_role_assign

network = User.objects.create_user(username="network", email="network@example.org")
staff_role_assign(actor=None, user=network, role=StaffRole.Role.NETWORK_DEPARTMENT)
device = TOTPDevice.objects.create(user=network, name="phone", confirmed=True)
institution = institution_create(actor=None, name_ru="Тверская библиотека", kind="library")
region = Region.objects.get(code="RU-TVE")
regional = center_create(
    actor=None, code="RU-TVE-RC", kind=Center.Kind.REGIONAL, name_ru="Региональный центр",
    institution=institution, region=region, status=Center.Status.OPEN,
    status_date=datetime.date(2024, 1, 15), email="tver-rc@example.org",
)
for number in (1, 2):
    center_create(
        actor=None, code=f"RU-TVE-{number:03d}", kind=Center.Kind.REMOTE,
        name_ru=f"Центр {number}", institution=institution, region=region,
        status=Center.Status.OPEN, status_date=datetime.date(2024, 1, 15),
        regional_center=regional,
        # The test's requests come from the loopback: they are a reader inside center 1.
        networks=["127.0.0.0/8"] if number == 1 else [],
    )
_token, secret = api_token_create(user=network, name="two servers")
session = SessionStore()
session[SESSION_KEY] = str(network.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = network.get_session_auth_hash()
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.create()
print(json.dumps({"token": secret, "session": session.session_key}))
"""

RECOUNT = """
import json
from libranet.tests.test_usage_consistency import recount_events
from libranet.usage.models import Action, UsageEvent
events = UsageEvent.objects.filter(resource__isnull=False, action=Action.REQUEST)
first = events.order_by("occurred_at").values_list("occurred_at", flat=True).first()
counted = sum(c["Total_Item_Requests"] for center, c in recount_events().items() if center)
print(json.dumps({"raw": events.count(), "counted": counted, "month": f"{first:%Y-%m}"}))
"""

REPORT = """
import datetime, json
from libranet.usage.reports import monthly_indicators
report = monthly_indicators(month=datetime.date.fromisoformat("{month}-01"), by="region")
values = {{c.metric.label: c.value for c in report.total.cells}}
print(json.dumps({{"complete": report.complete, "requests": values["Total_Item_Requests"]}}))
"""
NEXT_MONTH = 32 * 86400  # a clock past the end of this month: its report is complete

OUTBOX = """
import json
from libranet.mail.models import OutgoingMail
print(json.dumps({"messages": OutgoingMail.objects.filter(key__startswith="zero-usage").count()}))
"""


def _database_url(name: str) -> str:
    parts = urlsplit(DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_database_url("postgres"), autocommit=True) as connection:
        connection.execute(sql)


@dataclass
class Server:
    """One application server: its own data folder, gunicorn and task worker."""

    name: str
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str, check: bool = True, clock_offset: float = 0) -> str:
        command = [sys.executable, "-c", CLOCKED, str(clock_offset), "manage.py"]
        done = subprocess.run(
            [*command, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{self.name}: manage.py {' '.join(args)}\n{done.stderr}")
        return done.stdout

    def shell(self, code: str, clock_offset: float = 0) -> dict:
        printed = self.manage("shell", "-c", code, clock_offset=clock_offset)
        return json.loads(printed.strip().splitlines()[-1])

    def _spawn(self, role: str, command: list[str]) -> None:
        log = Path(self.env["LIBRANET_DATA_DIR"]) / f"{role}.log"
        with open(log, "ab") as out:
            self.processes[role] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_web(self) -> None:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        bind = f"127.0.0.1:{self.port}"
        control = str(Path(self.env["LIBRANET_DATA_DIR"]) / "gunicorn.ctl")  # one per server
        command = [gunicorn, "libranet.wsgi", "--bind", bind, "--workers", "2"]
        self._spawn("web", [*command, "--control-socket", control])
        wait_for_port(self.port, process=self.processes["web"])

    def start_worker(self) -> None:
        command = [sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--no-reload"]
        self._spawn("worker", command)

    def kill(self) -> None:
        """SIGKILL: no process of the server gets to tidy up."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def logs(self) -> str:
        folder = Path(self.env["LIBRANET_DATA_DIR"])
        return "\n".join(
            f"--- {self.name} {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for log in folder.glob("*.log")
        )


def _pdf() -> bytes:
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=14)
    document.cell(text="Two servers, one network")
    # The padding after the document's end: readers ignore it, ranges read it back exactly.
    return bytes(document.output()) + PAYLOAD


def _import_files(pdf: bytes) -> tuple[bytes, bytes]:
    table = io.StringIO()
    writer = csv.writer(table)
    writer.writerow(["identifier", "title_ru", "type", "access_level", "files"])
    writer.writerow(["pl-two-servers", f"{WORD} грамота", "book", "open", "gramota.pdf"])
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("gramota.pdf", pdf)
    return table.getvalue().encode(), archive.getvalue()


@pytest.fixture
def network_servers(tmp_path, s3_server):
    """PostgreSQL (a database of its own), Redis, a bucket; servers A and B, migrated."""
    database = f"libranet_servers_{secrets.token_hex(4)}"
    _admin(f'CREATE DATABASE "{database}"')
    redis = start_redis(tmp_path / "redis")
    bucket = f"libranet-{secrets.token_hex(4)}"
    s3_client(s3_server).create_bucket(Bucket=bucket)
    shared = {
        **os.environ,
        "DATABASE_URL": _database_url(database),
        "LIBRANET_CACHE_URL": redis.extra["url"],
        "LIBRANET_STORAGE_URL": f"s3://{bucket}?endpoint={s3_server.extra['endpoint']}",
        "LIBRANET_STORAGE_ACCESS_KEY": s3_server.extra["access_key"],
        "LIBRANET_STORAGE_SECRET_KEY": s3_server.extra["secret_key"],
        "LIBRANET_SECRET_KEY": secrets.token_urlsafe(48),
        # The embedded search: each server keeps its own Tantivy index in its data folder, fed
        # from the shared change log by its own worker (PostgreSQL's shared table needs none).
        "LIBRANET_SEARCH_BACKEND": "tantivy",
        # A worker killed with its task is found dead, and its task taken over, in seconds.
        "LIBRANET_WORKER_HEARTBEAT_SECONDS": "0.5",
        "LIBRANET_WORKER_TIMEOUT_SECONDS": "5",
        "LIBRANET_USAGE_SPOOL_ROTATE_SECONDS": "1",
        "LIBRANET_LOG_LEVEL": "INFO",
    }
    shared.pop("PYTEST_XDIST_WORKER", None)
    servers = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        servers.append(Server(name.upper(), {**shared, "LIBRANET_DATA_DIR": str(folder)}))
    a, b = servers
    a.manage("migrate", "--noinput", "-v", "0")
    for server in servers:
        server.manage("collectstatic", "--noinput", "-v", "0")
    try:
        yield a, b, {"database": database, "bucket": bucket, "shared": shared}
    finally:
        for server in servers:
            server.stop()
        redis.stop()
        _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_two_servers_serve_one_network(network_servers, tmp_path, s3_server):
    a, b, context = network_servers
    given = a.shell(SETUP)
    api = {"Authorization": f"Bearer {given['token']}"}
    for server in (a, b):
        server.start_web()
        server.start_worker()
    try:
        _scenario(a, b, api, given["session"])
        _restore_drill(a, context, tmp_path, s3_server)
    except BaseException:
        print(a.logs(), b.logs(), sep="\n")
        raise


def _scenario(a: Server, b: Server, api: dict, session_key: str) -> None:
    http = _http()
    # 1. A center edited through A is shown changed by B (B has cached the page before).
    page = http.get(f"{b.url}/ru/centers/RU-TVE-001/", timeout=30)
    assert page.status_code == 200 and "Центр 1" in page.text
    edited = http.patch(
        f"{a.url}/api/v1/centers/RU-TVE-001", json={"name_ru": "Центр на Волге"}, headers=api,
        timeout=30,
    )  # fmt: skip
    assert edited.status_code == 200, edited.text
    page = http.get(f"{b.url}/ru/centers/RU-TVE-001/", timeout=30)
    assert "Центр на Волге" in page.text

    # 2. A resource with a file, imported through A's back office, is found, read (with a
    # range) and counted through B.
    pdf = _pdf()
    table, archive = _import_files(pdf)
    office = _http()
    office.cookies.set("sessionid", session_key)
    form = office.get(f"{a.url}/ru/office/resources/import/", timeout=30)
    assert form.status_code == 200, form.status_code
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    posted = office.post(
        f"{a.url}/ru/office/resources/import/",
        data={"csrfmiddlewaretoken": token, "format": "", "access_level": "", "collection": ""},
        files={
            "file": ("batch.csv", table, "text/csv"),
            "archive": ("files.zip", archive, "application/zip"),
        },
        timeout=60,
    )
    assert posted.status_code == 200 and "/office/imports/" in posted.url, posted.text[:2000]

    def found_through_b():
        answer = http.get(f"{b.url}/api/v1/search", params={"q": WORD}, timeout=30)
        items = answer.json().get("items", []) if answer.status_code == 200 else []
        return [item for item in items if item.get("identifier") == "pl-two-servers"]

    wait_for(
        found_through_b,
        what="the import, done by a worker, to be found through B",
        timeout=120,
        pause=0.3,
    )
    detail = http.get(f"{b.url}/api/v1/resources/pl-two-servers", headers=api, timeout=30)
    file_url = detail.json()["files"][0]["url"]
    path = urlsplit(file_url).path
    ranged = http.get(f"{b.url}{path}", headers={"Range": "bytes=-1024"}, timeout=30)
    assert ranged.status_code == 206, ranged.status_code
    assert ranged.content == pdf[-1024:]
    assert ranged.headers["Content-Range"] == f"bytes {len(pdf) - 1024}-{len(pdf) - 1}/{len(pdf)}"
    whole = {}
    for server, times in ((a, 2), (b, 3)):
        for _ in range(times):
            answer = http.get(f"{server.url}{path}", timeout=30)
            assert answer.status_code == 200 and answer.content == pdf
            whole[server.name] = whole.get(server.name, 0) + 1

    # 3. Usage recorded on both servers is loaded from both spools (each machine loads its
    # own), rolled up, and the month's report equals a recount of the raw events.
    time.sleep(1.5)  # the spool files are handed over every second here
    for server in (a, b):
        server.manage("ingest_usage")
    recount = a.shell(RECOUNT)
    # Every request is a raw event; the double-click rule counts a few of them once.
    assert recount["raw"] == 1 + sum(whole.values()), (recount, whole)
    # The month is complete once it is over: the roll-up and the report run a month ahead.
    a.manage("rollup_usage", "--month", recount["month"], clock_offset=NEXT_MONTH)
    report = b.shell(REPORT.format(month=recount["month"]), clock_offset=NEXT_MONTH)
    assert report == {"complete": True, "requests": recount["counted"]}, (report, recount)
    assert recount["counted"] > 0

    # 4. The monthly mailing, run on both servers at once, queues each message once.
    mailing = [
        subprocess.Popen(
            [sys.executable, "manage.py", "send_zero_usage_mailing"],
            cwd=ROOT,
            env=server.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for server in (a, b)
    ]
    outputs = [process.communicate(timeout=120) for process in mailing]
    assert all(process.returncode == 0 for process in mailing), outputs
    queued = [int(re.search(r"(\d+) messages queued", out).group(1)) for out, _err in outputs]
    outbox = a.shell(OUTBOX)
    assert outbox["messages"] == sum(queued) > 0, (outbox, outputs)

    # 5. Killing A loses nothing: B serves on; what A counted is in its spool, and A's worker,
    # started again, loads it.
    for _ in range(2):
        assert http.get(f"{a.url}{path}", timeout=30).status_code == 200
    a.kill()
    assert http.get(f"{b.url}/ru/centers/RU-TVE-001/", timeout=30).status_code == 200
    assert http.get(f"{b.url}{path}", timeout=30).content == pdf
    before = a.shell(RECOUNT)["raw"]
    a.start_worker()
    time.sleep(1.5)
    for server in (a, b):
        server.manage("ingest_usage")
    after = a.shell(RECOUNT)["raw"]
    assert after == before + 3, (before, after)


def _restore_drill(a: Server, context: dict, tmp_path: Path, s3_server) -> None:
    """Back up the database (pg_dump) and the bucket (transfer_files to a folder), restore both
    into a new database and bucket, and serve the restored network through a third server."""
    http = _http()
    backup = tmp_path / "backup"
    backup.mkdir()
    dump = backup / "libranet.dump"
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    subprocess.run(
        [str(pg_bin / "pg_dump"), "--format=custom", f"--file={dump}", a.env["DATABASE_URL"]],
        check=True,
        timeout=300,
    )
    files = backup / "files"
    a.manage("transfer_files", "--from", a.env["LIBRANET_STORAGE_URL"], "--to", f"file://{files}")

    restored_database = f"{context['database']}_restored"
    restored_bucket = f"{context['bucket']}-restored"
    _admin(f'CREATE DATABASE "{restored_database}"')
    try:
        s3_client(s3_server).create_bucket(Bucket=restored_bucket)
        endpoint = s3_server.extra["endpoint"]
        folder = tmp_path / "c"
        folder.mkdir()
        c = Server(
            "C",
            {
                **context["shared"],
                "DATABASE_URL": _database_url(restored_database),
                "LIBRANET_STORAGE_URL": f"s3://{restored_bucket}?endpoint={endpoint}",
                "LIBRANET_DATA_DIR": str(folder),
            },
        )
        subprocess.run(
            [str(pg_bin / "pg_restore"), "--no-owner", f"--dbname={c.env['DATABASE_URL']}",
             str(dump)],
            check=True, timeout=300,
        )  # fmt: skip
        restored_url = c.env["LIBRANET_STORAGE_URL"]
        c.manage("transfer_files", "--from", f"file://{files}", "--to", restored_url)
        c.manage("migrate", "--noinput", "-v", "0")  # nothing to do: the dump is complete
        c.manage("collectstatic", "--noinput", "-v", "0")
        c.manage("check")
        c.start_web()
        try:
            page = http.get(f"{c.url}/ru/centers/RU-TVE-001/", timeout=30)
            assert "Центр на Волге" in page.text
            detail = http.get(f"{c.url}/api/v1/resources/pl-two-servers", timeout=30).json()
            path = urlsplit(detail["files"][0]["url"]).path
            answer = http.get(f"{c.url}{path}", headers={"Range": "bytes=0-3"}, timeout=30)
            assert answer.status_code == 206 and answer.content == b"%PDF"
        finally:
            c.stop()
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{restored_database}" WITH (FORCE)')
