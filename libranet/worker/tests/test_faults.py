"""The worker under faults, with real processes: SIGKILLed during a usage roll-up and during a
mail send (another worker takes the task over after the timeout, nothing lost or doubled), the
SQLite database locked past the busy timeout, a PostgreSQL connection dropped under it; each
server's worker loading its own usage spool."""

import datetime
import random
import time
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from libranet.mail.models import OutgoingMail
from libranet.mail.services import mail_send
from libranet.resources.models import Resource
from libranet.tests.servers import wait_for
from libranet.tests.test_usage_consistency import recount_events
from libranet.usage import recorder
from libranet.usage.counting import day_bounds
from libranet.usage.models import (
    Action,
    DailyCenterUsage,
    IngestedSpoolFile,
    Metric,
    ReaderKind,
    RolledUpDay,
    UsageEvent,
)
from libranet.usage.tasks import usage_ingest, usage_rollup
from libranet.worker.models import WorkerHeartbeat

from .conftest import NOW

Status = TaskResultStatus


def status_of(task_id) -> str:
    return DBTaskResult.objects.get(pk=task_id).status


def heard_from(worker) -> bool:
    return WorkerHeartbeat.objects.filter(worker_id=worker.worker_id).exists()


def test_a_database_locked_past_the_busy_timeout_does_not_kill_the_worker(start_worker):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    worker = start_worker("patient", LIBRANET_DB_BUSY_TIMEOUT=0.3)
    wait_for(lambda: heard_from(worker), what="the worker's first heartbeat")
    with transaction.atomic():  # BEGIN IMMEDIATE: the write lock, held by this connection
        queued = usage_ingest.enqueue()
        time.sleep(2.5)  # the worker's busy timeout, many times over
        assert worker.alive()
    wait_for(lambda: status_of(queued.id) == Status.SUCCESSFUL, what="the task's run")
    assert worker.alive()
    assert "database is locked" in worker.output()
    assert DBTaskResult.objects.get(pk=queued.id).worker_ids == ["patient"]  # run once


# --- a worker killed during a usage roll-up ------------------------------------------------------

ROLLED_DAYS = [datetime.date(2026, 10, 13), datetime.date(2026, 10, 14), NOW.date()]


def a_few_days_of_use(*, per_day: int) -> None:
    """Events of every kind on ``ROLLED_DAYS`` (the last two: today and yesterday, the first
    touched by a spool file loaded a minute ago), with double clicks and denials."""
    randomly = random.Random(2026)
    resources = [
        Resource.objects.create(
            identifier=f"worker:test/{number}",
            title_ru=f"Ресурс {number}",
            type=kind,
            access_level="open",
            modified_at=NOW,
        )
        for number, kind in enumerate(
            [Resource.Type.BOOK, Resource.Type.PERIODICAL, Resource.Type.PHOTOGRAPH, "book"]
        )
    ]
    events = []
    for day in ROLLED_DAYS:
        start, _end = day_bounds(day)
        for _ in range(per_day):
            moment = start + datetime.timedelta(seconds=randomly.randrange(86_400))
            action = randomly.choice([Action.SEARCH, Action.INVESTIGATION, Action.REQUEST])
            event = UsageEvent(
                occurred_at=moment,
                center_id=randomly.choice([None, 1, 2, 3]),
                reader_kind=ReaderKind.ANONYMOUS,
                session=f"{randomly.randrange(300):032x}",
                action=action,
                resource_id=None if action == Action.SEARCH else randomly.choice(resources).pk,
                granted=randomly.random() > 0.1,
            )
            events.append(event)
            if randomly.random() < 0.05:  # a double click
                events.append(
                    UsageEvent(
                        **{
                            **{f.attname: getattr(event, f.attname) for f in event._meta.fields},
                            "id": None,
                            "occurred_at": moment + datetime.timedelta(seconds=3),
                        }
                    )
                )
    UsageEvent.objects.bulk_create(events, batch_size=2000)
    IngestedSpoolFile.objects.create(
        name="loaded-a-minute-ago",
        ingested_at=NOW - datetime.timedelta(minutes=1),
        events=len(events),
        first_day=ROLLED_DAYS[0],
        last_day=ROLLED_DAYS[-1],
    )


# What the naive recount (``recount_events``) counts; Searches_Regular is Searches_Platform's twin.
RECOUNTED = {
    "Searches_Platform",
    "No_License",
    "Sessions",
    "Total_Item_Investigations",
    "Total_Item_Requests",
    "Unique_Item_Investigations",
    "Unique_Item_Requests",
    "Unique_Title_Investigations",
    "Unique_Title_Requests",
}


def rolled_up_totals() -> dict[tuple[int | None, str], int]:
    """{(center, metric): value} summed over the days rolled up."""
    totals: Counter = Counter()
    for center, metric, value in DailyCenterUsage.objects.values_list(
        "center_id", "metric", "value"
    ):
        totals[(center, Metric(metric).label)] += value
    return {key: value for key, value in totals.items() if value and key[1] in RECOUNTED}


def recounted_totals() -> dict[tuple[int | None, str], int]:
    return {
        (center, metric): value
        for center, counts in recount_events().items()
        for metric, value in counts.items()
        if value
    }


def test_a_worker_killed_during_a_rollup_has_it_taken_over(start_worker):
    a_few_days_of_use(per_day=4000)
    queued = usage_rollup.enqueue()
    first = start_worker("first")
    wait_for(lambda: status_of(queued.id) != Status.READY, what="the roll-up's start")
    # Hold the write lock (SQLite) or the task's row (PostgreSQL): the worker cannot finish it
    # meanwhile, so it is surely killed during the roll-up.
    with transaction.atomic():
        task = DBTaskResult.objects.select_for_update().get(pk=queued.id)
        assert (task.status, task.worker_ids) == (Status.RUNNING, ["first"])
        first.kill()
    second = start_worker("second")
    wait_for(lambda: status_of(queued.id) == Status.SUCCESSFUL, what="the takeover")
    task = DBTaskResult.objects.get(pk=queued.id)
    assert task.worker_ids == ["first", "second"]
    assert task.return_value == [day.isoformat() for day in ROLLED_DAYS]
    assert set(RolledUpDay.objects.values_list("day", flat=True)) == set(ROLLED_DAYS)
    assert rolled_up_totals() == recounted_totals()
    assert "queued again" in second.output()


# --- a worker killed during a mail send ---------------------------------------------------------


class Staff:
    def get_username(self) -> str:
        return "head.tver"


@pytest.mark.parametrize("accepted", [True, False], ids=["server-accepted", "server-refused"])
def test_a_worker_killed_during_a_mail_send_has_it_taken_over(start_worker, smtp_server, accepted):
    """Killed while the mail server holds the message without an answer: if the server had
    kept it, the message goes once more under the same Message-ID (at least once, as the
    outbox promises); if not, it goes once. The other message goes once."""
    smtp_server.hold, smtp_server.keep_held = True, accepted
    with transaction.atomic():
        mails = [
            mail_send(
                to=to,
                template="password_reset",
                context={"user": Staff(), "link": "https://libranet.example/r/", "hours": 2},
                language="ru",
            )
            for to in ("first@example.org", "second@example.org")
        ]
    server = {"LIBRANET_EMAIL_URL": f"smtp://127.0.0.1:{settings.EMAIL_PORT}"}
    first = start_worker("first", **server)
    assert smtp_server.holding.wait(30), "the first send never reached the server"
    first.kill()
    smtp_server.released.set()
    [held] = OutgoingMail.objects.filter(state=OutgoingMail.State.SENDING)
    start_worker("second", **server)
    wait_for(
        lambda: set(OutgoingMail.objects.values_list("state", flat=True)) == {"sent"},
        what="both messages sent",
    )
    wait_for(
        lambda: not DBTaskResult.objects.exclude(status=Status.SUCCESSFUL).exists(),
        what="both tasks done",
    )
    copies = Counter(message["Message-ID"] for message in smtp_server.messages)
    other = next(mail for mail in mails if mail.pk != held.pk)
    assert copies == {held.message_id: 2 if accepted else 1, other.message_id: 1}
    taken_over = DBTaskResult.objects.get(args_kwargs__args=[held.pk])
    assert taken_over.worker_ids == ["first", "second"]


# --- a PostgreSQL connection dropped --------------------------------------------------------------


def drop_other_connections() -> int:
    """End every other connection to this test's database, as a server restart or a failover
    does (pg_terminate_backend); returns how many."""
    with connection.cursor() as cursor:
        # The activity is read once per transaction unless its snapshot is cleared.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return sum(ended for (ended,) in cursor.fetchall())


def last_seen(worker) -> datetime.datetime:
    return WorkerHeartbeat.objects.get(worker_id=worker.worker_id).last_seen_at


def test_dropped_postgresql_connections_are_replaced(start_worker, smtp_server):
    """Dropped while the worker starts, then while a task waits for a row lock: the task fails
    with the dropped connection, its failure is recorded on a new connection, and it runs again
    (a transient error); the message goes once."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's connections")
    mail = mail_send(
        to="head@example.org",
        template="password_reset",
        context={"user": Staff(), "link": "https://libranet.example/r/", "hours": 2},
        language="ru",
    )
    [queued] = DBTaskResult.objects.all()
    with transaction.atomic():
        OutgoingMail.objects.select_for_update().get(pk=mail.pk)  # the task's claim waits
        worker = start_worker(
            "steady", LIBRANET_EMAIL_URL=f"smtp://127.0.0.1:{settings.EMAIL_PORT}"
        )
        wait_for(lambda: heard_from(worker), what="the worker's first heartbeat")
        assert drop_other_connections() >= 1  # waiting for tasks, or already in the task
        wait_for(lambda: status_of(queued.id) == Status.RUNNING, what="the task's start")
        time.sleep(0.5)  # its UPDATE waits for this transaction's lock
        dropped_at = last_seen(worker)
        assert drop_other_connections() >= 1
    wait_for(lambda: status_of(queued.id) == Status.SUCCESSFUL, what="the task run again")
    wait_for(lambda: last_seen(worker) > dropped_at, what="the heartbeat again")
    assert worker.alive()
    claims = DBTaskResult.objects.get(pk=queued.id).worker_ids
    assert set(claims) == {"steady"} and len(claims) >= 2  # failed with the connection, run again
    assert [m["Message-ID"] for m in smtp_server.messages] == [mail.message_id]
    assert "queued again" in worker.output()


# --- a server's own duties ----------------------------------------------------------------------


def test_each_worker_loads_its_own_servers_spool_with_no_task_queued(start_worker, tmp_path):
    """Two servers, each its own spool folder: each one's worker loads its own, while the shared
    queue stays empty (a task there would go to either worker, and load only that one's)."""
    moment = NOW - datetime.timedelta(minutes=5)
    for server, events in (("a", 2), ("b", 3)):
        with override_settings(LIBRANET_USAGE_SPOOL_DIR=tmp_path / server / "spool"):
            for number in range(events):
                recorder.event_record(
                    action=Action.SEARCH,
                    session=f"{ord(server):x}{number:030x}",
                    reader_kind=0,
                    occurred_at=moment,
                )
            recorder.writer.close()
    for server in ("a", "b"):
        start_worker(server, LIBRANET_USAGE_SPOOL_DIR=tmp_path / server / "spool")
    wait_for(lambda: UsageEvent.objects.count() == 5, what="both spools loaded")
    assert not DBTaskResult.objects.exists()
    wait_for(
        lambda: not [*(tmp_path / "a" / "spool").iterdir(), *(tmp_path / "b" / "spool").iterdir()],
        what="the loaded spool files deleted",
    )
