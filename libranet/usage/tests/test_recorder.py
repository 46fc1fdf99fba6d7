"""The write path: events appended to the spool, loaded into the database once and only once,
whatever crashes where; sessions hashed; robots left out; a failure never raised but counted."""

import datetime
import fcntl
import json
import logging
import multiprocessing
import os
import time
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from libranet.accounts.models import EsiaIdentity, User
from libranet.usage import recorder, robots
from libranet.usage.models import Action, IngestedSpoolFile, ReaderKind, UsageEvent
from libranet.usage.recorder import (
    decode_line,
    event_record,
    reader_kind_of,
    session_id,
    write_failures,
)
from libranet.usage.services import file_system_now, spool_ingest

from .conftest import at, session

pytestmark = pytest.mark.django_db

SESSION = session("a")


def record(n: int = 1, **fields) -> None:
    fields.setdefault("action", Action.REQUEST)
    for _ in range(n):
        assert event_record(session=SESSION, reader_kind=ReaderKind.ANONYMOUS, **fields)


def files(directory: Path, suffix: str = "") -> list[Path]:
    if not directory.exists():
        return []
    return sorted(p for p in directory.iterdir() if p.name.endswith(suffix))


# --- lines --------------------------------------------------------------------------------------


def test_an_event_is_one_line_that_reads_back(spool_dir):
    moment = datetime.datetime(2026, 10, 14, 7, 0, 1, 234567, tzinfo=datetime.UTC)
    assert event_record(
        action=Action.REQUEST,
        session=SESSION,
        reader_kind=ReaderKind.CONFIRMED_READER,
        center_id=12,
        resource_id=345,
        granted=False,
        access_level="on_site",
        occurred_at=moment,
    )
    [spool] = files(spool_dir, ".open")
    line = spool.read_bytes()
    assert line.endswith(b"\n") and line.count(b"\n") == 1 and len(line) < 100
    event = decode_line(line)
    assert event is not None
    assert event.occurred_at == moment.replace(microsecond=234000)  # whole milliseconds
    assert (event.center_id, event.resource_id, event.granted) == (12, 345, False)
    assert (event.action, event.reader_kind, event.session) == (4, 2, SESSION)
    assert event.access_level == "on_site"  # the resource's level at the time of use


def test_a_line_written_before_the_access_level_was_kept_still_reads():
    event = decode_line(b"1\t1760425201234\t12\t2\t" + SESSION.encode() + b"\t4\t345\t1\n")
    assert event is not None and event.resource_id == 345 and event.access_level == ""


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"1\t1760425201234\t12\t2\t" + SESSION.encode() + b"\t4\t345",  # torn
        b"3\t1760425201234\t12\t2\t" + SESSION.encode() + b"\t4\t345\t1\n",  # unknown version
        b"2\t1760425201234\t12\t2\t" + SESSION.encode() + b"\t4\t345\t1\n",  # level missing
        b"2\t1760425201234\t12\t2\t" + SESSION.encode() + b"\t4\t345\t1\tpaid\n",  # no level
        b"1\t1760425201234\t12\t2\tnot-a-session\t4\t345\t1\n",
        b"1\t1760425201234\t12\t2\t" + SESSION.encode() + b"\t9\t345\t1\n",  # no such action
        b"1\tsoon\t12\t2\t" + SESSION.encode() + b"\t4\t345\t1\n",
        b"1\t1760425201234\t12\t7\t" + SESSION.encode() + b"\t4\t345\t1\n",  # no such kind
        b"1\t1760425201234\t12\t2\t" + SESSION.encode() + b"\t4\t345\tyes\n",
    ],
)
def test_a_line_that_is_no_event_is_refused(line):
    assert decode_line(line) is None


# --- sessions -------------------------------------------------------------------------------------


def test_sessions_are_hashed_and_follow_counter():
    morning = datetime.datetime(2026, 10, 14, 7, 5, tzinfo=datetime.UTC)  # 10:05 in Moscow
    later = morning + datetime.timedelta(hours=3)
    tomorrow = morning + datetime.timedelta(days=1)
    by_key = session_id(moment=morning, session_key="k3y", address="192.0.2.10")
    assert len(by_key) == 32 and int(by_key, 16) >= 0
    assert "k3y" not in by_key and "192" not in by_key
    # A session key and the date: the same all day, another the next day.
    assert session_id(moment=later, session_key="k3y") == by_key
    assert session_id(moment=tomorrow, session_key="k3y") != by_key
    # Without a session: the user, or the address and User-Agent, with the date and hour.
    by_user = session_id(moment=morning, user_id=7)
    assert session_id(moment=morning + datetime.timedelta(minutes=50), user_id=7) == by_user
    assert session_id(moment=later, user_id=7) != by_user
    by_address = session_id(moment=morning, address="192.0.2.10", user_agent="Firefox")
    assert session_id(moment=morning, address="192.0.2.10", user_agent="Chrome") != by_address
    assert session_id(moment=later, address="192.0.2.10", user_agent="Firefox") != by_address
    # Keyed by the site's secret: nobody can hash every address to find one.
    with override_settings(SECRET_KEY="another secret " * 4):
        assert session_id(moment=morning, session_key="k3y") != by_key


def test_a_session_never_spans_two_moscow_days():
    before = datetime.datetime(2026, 10, 14, 20, 59, tzinfo=datetime.UTC)  # 23:59 in Moscow
    after = datetime.datetime(2026, 10, 14, 21, 1, tzinfo=datetime.UTC)  # 00:01 next day
    assert session_id(moment=before, session_key="k") != session_id(moment=after, session_key="k")


def test_reader_kinds(operator_user, reader_user):
    from django.contrib.auth.models import AnonymousUser

    assert reader_kind_of(AnonymousUser()) == ReaderKind.ANONYMOUS
    assert reader_kind_of(reader_user) == ReaderKind.READER
    assert reader_kind_of(operator_user) == ReaderKind.STAFF
    confirmed = User.objects.create_user(username="confirmed")
    EsiaIdentity.objects.create(
        user=confirmed,
        oid="900000001",
        confirmed=True,
        confirmed_checked_at=timezone.now(),
        consent_accepted_at=timezone.now(),
    )
    assert reader_kind_of(confirmed) == ReaderKind.CONFIRMED_READER


# --- robots -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "robot"),
    [
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
        ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", True),
        ("python-requests/2.32.3", True),
        ("curl/8.5.0", True),
        ("", True),  # no User-Agent at all: COUNTER's "^.?$"
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36", False),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", False),
    ],
)
def test_robots_by_counters_list(user_agent, robot):
    assert robots.is_robot(user_agent) is robot


def test_an_updated_robots_list_is_read_from_the_setting(tmp_path):
    updated = tmp_path / "robots.json"
    updated.write_text(json.dumps([{"pattern": "^LibraryHarvester", "last_changed": "2026-01-01"}]))
    try:
        with override_settings(LIBRANET_USAGE_ROBOTS_FILE=str(updated)):
            robots.reload()
            assert robots.is_robot("LibraryHarvester/1.0")
            assert not robots.is_robot("Googlebot/2.1")  # not on this list
        broken = tmp_path / "broken.json"
        broken.write_text(json.dumps([{"pattern": "bot"}, {"pattern": "(unclosed"}]))
        with pytest.raises(robots.RobotsListError, match=r"Pattern 2 .*\(unclosed"):
            robots.load_patterns(broken)
    finally:
        robots.reload()
    assert robots.is_robot("Googlebot/2.1")


# --- loading: request -> spool -> database --------------------------------------------------------


def test_events_are_loaded_once_and_their_file_removed(spool_dir):
    record(3, resource_id=5, occurred_at=at(0))
    recorder.writer.close()
    [ready] = files(spool_dir, ".ready")
    result = spool_ingest()
    assert (result.files, result.events, result.bad_lines) == (1, 3, 0)
    assert UsageEvent.objects.count() == 3
    assert not files(spool_dir)
    loaded = IngestedSpoolFile.objects.get()
    assert loaded.name == ready.stem and loaded.events == 3
    assert loaded.first_day == loaded.last_day == datetime.date(2026, 10, 14)
    assert spool_ingest().events == 0  # nothing left to load


def test_an_open_file_stays_with_its_live_writer(spool_dir):
    record(2)
    assert spool_ingest().events == 0  # its writer may still append to it
    record(1)
    assert len(files(spool_dir, ".open")) == 1
    recorder.writer.close()
    assert spool_ingest().events == 3


def test_a_quiet_writer_hands_its_file_over_by_itself(spool_dir):
    with override_settings(LIBRANET_USAGE_SPOOL_ROTATE_SECONDS=0.05):
        record(1)
    for _ in range(100):
        if files(spool_dir, ".ready"):
            break
        time.sleep(0.02)
    assert len(files(spool_dir, ".ready")) == 1 and not files(spool_dir, ".open")
    assert spool_ingest().events == 1


def _record_and_die(count: int) -> None:
    for _ in range(count):
        event_record(action=Action.SEARCH, session=SESSION, reader_kind=0)
    os._exit(0)  # as a killed worker: no exit handlers, the file left open


def test_a_dead_process_file_and_an_abandoned_one_are_loaded(spool_dir):
    context = multiprocessing.get_context("fork")
    worker = context.Process(target=_record_and_die, args=(5,))
    worker.start()
    worker.join(30)
    [left] = files(spool_dir, ".open")
    # Another file open under a live process's number (ours), untouched for two hours.
    abandoned = spool_dir / f"{recorder.host_name()}-{os.getpid()}-1-0.open"
    abandoned.write_bytes(left.read_bytes()[: left.read_bytes().index(b"\n") + 1])
    two_hours_ago = file_system_now(spool_dir) - 7200
    os.utime(abandoned, (two_hours_ago, two_hours_ago))
    assert spool_ingest().events == 6
    assert not files(spool_dir)


@pytest.mark.django_db(transaction=True)
def test_a_crash_between_commit_and_delete_loads_nothing_twice(spool_dir, monkeypatch):
    record(4)
    recorder.writer.close()
    original = Path.unlink

    def crash(self, *args, **kwargs):
        raise RuntimeError("the loader died here")

    monkeypatch.setattr(Path, "unlink", crash)
    with pytest.raises(RuntimeError):
        spool_ingest()
    assert UsageEvent.objects.count() == 4  # committed
    [left] = files(spool_dir)
    assert left.suffix == ".loading"
    monkeypatch.setattr(Path, "unlink", original)
    result = spool_ingest()
    assert (result.files, result.events, result.already_loaded) == (0, 0, 1)
    assert UsageEvent.objects.count() == 4
    assert not files(spool_dir)


@pytest.mark.django_db(transaction=True)
def test_a_crash_before_commit_loads_the_file_again(spool_dir, monkeypatch):
    from libranet.usage import services

    record(2)
    recorder.writer.close()
    monkeypatch.setattr(services, "events_insert", lambda rows: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        spool_ingest()
    assert UsageEvent.objects.count() == 0 and not IngestedSpoolFile.objects.exists()
    monkeypatch.undo()
    assert spool_ingest().events == 2


def test_a_file_another_loader_holds_is_left_to_it(spool_dir):
    record(1)
    recorder.writer.close()
    [ready] = files(spool_dir, ".ready")
    fd = os.open(ready, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert spool_ingest().events == 0
        assert ready.exists()
    finally:
        os.close(fd)
    assert spool_ingest().events == 1


def test_a_torn_last_line_is_left_out_and_counted(spool_dir, caplog):
    record(2)
    recorder.writer.close()
    [ready] = files(spool_dir, ".ready")
    with ready.open("ab") as spool:
        spool.write(b"1\t1760425201234\t\t0\t" + SESSION.encode())  # a process died mid-line
    with caplog.at_level(logging.WARNING, logger="libranet.usage.services"):
        result = spool_ingest()
    assert (result.events, result.bad_lines) == (2, 1)
    assert "no usage event" in caplog.text


def test_files_rotate_by_size_and_age(spool_dir):
    with override_settings(LIBRANET_USAGE_SPOOL_MAX_BYTES=200):
        record(10)  # lines of some 60 bytes: four to a file
    assert len(files(spool_dir, ".ready")) == 2 and len(files(spool_dir, ".open")) == 1
    with override_settings(LIBRANET_USAGE_SPOOL_ROTATE_SECONDS=0):
        record(2)
    recorder.writer.close()
    assert spool_ingest().events == 12


def _write_from_a_child(count: int) -> None:
    for _ in range(count):
        event_record(action=Action.SEARCH, session=SESSION, reader_kind=0)


def test_processes_each_append_to_their_own_file(spool_dir):
    record(1)  # the parent has a file open when the workers fork
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_from_a_child, args=(300,)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    record(1)
    recorder.writer.close()
    pids = {path.name.split("-")[1] for path in files(spool_dir)}
    assert len(pids) == 4
    assert spool_ingest().events == 902
    assert UsageEvent.objects.filter(action=Action.SEARCH).count() == 900


# --- failures -------------------------------------------------------------------------------------


def test_a_failed_write_is_logged_and_counted_never_raised(spool_dir, monkeypatch, caplog):
    before = write_failures()

    def full_disk(line):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(recorder.writer, "append", full_disk)
    with caplog.at_level(logging.ERROR, logger="libranet.usage.recorder"):
        assert event_record(action=Action.SEARCH, session=SESSION, reader_kind=0) is False
    assert write_failures() == before + 1
    assert "could not be written" in caplog.text and "No space left" in caplog.text


def test_an_unwritable_spool_is_a_counted_failure(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    before = write_failures()
    with override_settings(LIBRANET_USAGE_SPOOL_DIR=blocker / "spool"):
        assert event_record(action=Action.SEARCH, session=SESSION, reader_kind=0) is False
    assert write_failures() == before + 1


def test_a_bad_session_is_refused(spool_dir):
    before = write_failures()
    assert not event_record(action=Action.SEARCH, session="raw-session-key\t", reader_kind=0)
    assert write_failures() == before + 1
    assert not files(spool_dir)
