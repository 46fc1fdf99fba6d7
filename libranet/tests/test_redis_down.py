"""Redis, the shared cache, killed in the middle: pages are served from the database, sign-in
and its lockout go on (they live in the database), `manage.py check` warns and /healthz tells;
once Redis is back, pages are cached again."""

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from django.core.checks import Tags, run_checks
from django.test import Client, override_settings
from django.utils import timezone

from conftest import PASSWORD
from libranet.probes import probing
from libranet.rediscache import PAUSE
from libranet.tests.servers import (
    free_port,
    redis_available,
    redis_cache_settings,
    start_redis,
    wait_for_port,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not redis_available(), reason="redis-server is not installed"),
]
# Each registry page that is cached, with a text it shows.
PAGES = {
    "/en/": "1 regional center",
    "/en/centers/": "Regional center in Tver Region",
    "/en/centers/RU-TVE-RC/": "Regional center in Tver Region",
    "/en/centers/map/": "/static/js/map.js",
}


def cached_pages(url: str) -> int:
    with redis.Redis.from_url(url) as client:
        return len(client.keys("*libranet:page:*"))


def sign_in(client: Client, password: str):
    return client.post("/en/accounts/login/", {"username": "head.tver", "password": password})


def cache_checks() -> list:
    with probing():  # as in manage.py check
        return run_checks(tags=[Tags.caches])


def cache_warnings() -> list[str]:
    return [message.id for message in cache_checks()]


def test_redis_killed_then_back(tmp_path, tver_rc, head_tver, time_machine, caplog):
    time_machine.move_to(timezone.now(), tick=False)
    server = start_redis(tmp_path / "redis")
    url = server.extra["url"]
    try:
        with override_settings(CACHES=redis_cache_settings(url, prefix="down")):
            client = Client()
            for page in PAGES:
                assert client.get(page).status_code == 200, page
            assert cached_pages(url) == len(PAGES)
            assert cache_warnings() == []

            server.stop()
            for page in PAGES:  # served, built from the database
                response = client.get(page)
                assert response.status_code == 200 and PAGES[page] in response.text, page
            assert "cache command failed, answered as a miss: Error 111" in caplog.text
            health = client.get("/healthz")
            assert health.status_code == 200 and health.json()["cache"] == "unavailable"
            [warning] = cache_checks()
            assert warning.id == "libranet.W101" and "LIBRANET_CACHE_URL" in warning.msg
            assert url in warning.msg

            # Sign-in works; five failures lock the account, the right password is refused.
            assert sign_in(Client(), PASSWORD).status_code == 302
            attacker = Client()
            for count in range(1, 6):
                answer = sign_in(attacker, "wrong").status_code
                assert answer == (429 if count == 5 else 200), count
                if count >= 3:
                    time_machine.shift(datetime.timedelta(seconds=2 ** (count - 2)))
            assert sign_in(Client(), PASSWORD).status_code == 429

            server = start_redis(tmp_path / "redis", port=server.port)  # back
            time.sleep(PAUSE)  # the server tries Redis again once its pause is over
            for page in PAGES:
                assert client.get(page).status_code == 200, page
            assert cached_pages(url) == len(PAGES)  # caching resumed
            assert client.get("/healthz").json()["cache"] == "ok"
            assert cache_warnings() == []
    finally:
        server.stop()


def test_a_hung_redis_delays_pages_by_its_timeouts_once(tmp_path, tver_rc, caplog):
    """Redis stopped (SIGSTOP: it accepts connections and never answers): the first page waits
    out the short timeouts of its cache commands; then the server leaves Redis alone for a few
    seconds and builds pages from the database at once."""
    server = start_redis(tmp_path / "redis")
    try:
        with override_settings(CACHES=redis_cache_settings(server.extra["url"], prefix="hung")):
            client = Client()
            assert client.get("/en/centers/").status_code == 200  # a connection in the pool
            os.kill(server.process.pid, signal.SIGSTOP)
            try:
                waits = []
                for page in PAGES:
                    started = time.monotonic()
                    response = client.get(page)
                    waits.append(time.monotonic() - started)
                    assert response.status_code == 200 and PAGES[page] in response.text, page
                # A read and a connection of 0.5 s each, with room for a busy machine.
                assert 0.9 < waits[0] < 3 and max(waits[1:]) < 0.5, waits
                assert "cache command failed, answered as a miss: Timeout" in caplog.text
                assert "answered as a miss: not tried: it failed less than 5 s ago" in caplog.text
            finally:
                os.kill(server.process.pid, signal.SIGCONT)
    finally:
        server.stop()


# A server that is not Redis: it answers whatever it is sent with a line Redis never writes.
NOT_REDIS = """
import socket, sys, threading
listener = socket.create_server(("127.0.0.1", int(sys.argv[1])))
def answer(peer):
    with peer:
        while peer.recv(4096):
            peer.sendall(b"hello from another service\\r\\n")
while True:
    threading.Thread(target=answer, args=(listener.accept()[0],), daemon=True).start()
"""


def test_a_cache_url_at_a_server_that_is_not_redis_fails_no_page(tmp_path, tver_rc):
    port = free_port()
    other = subprocess.Popen([sys.executable, "-c", NOT_REDIS, str(port)])  # noqa: S603
    try:
        wait_for_port(port, process=other)
        with override_settings(
            CACHES=redis_cache_settings(f"redis://127.0.0.1:{port}/0", prefix="x")
        ):
            client = Client()
            for page in PAGES:
                response = client.get(page)
                assert response.status_code == 200 and PAGES[page] in response.text, page
            assert client.get("/healthz").json()["cache"] == "unavailable"
            assert cache_warnings() == ["libranet.W101"]
    finally:
        other.kill()
        other.wait()
