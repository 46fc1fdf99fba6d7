"""The schedule: each job queued once per slot of its cron spec (in the project's time zone),
however many runners look; a job whose task does not resolve fails alone; a slot missed while
no runner ran is caught up once, if recent."""

import datetime
import logging
import os
import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connections
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from libranet.schedule.models import ScheduledRun
from libranet.schedule.services import Job, schedule_run_due

pytestmark = pytest.mark.django_db
MOSCOW = ZoneInfo("Europe/Moscow")
PROBE = "libranet.schedule.tests.test_schedule.probe"
calls: list[str] = []


@task()
def probe(word: str = "") -> str:
    calls.append(word)
    return word


def not_a_task() -> None:
    """A plain function: scheduling it is a configuration mistake."""


@pytest.fixture(autouse=True)
def _probe_calls():
    calls.clear()


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=MOSCOW)


def runner_pass(time_machine, when):
    """One pass of one runner (`manage.py run_schedule --once`) at ``when``."""
    time_machine.move_to(when, tick=False)
    call_command("run_schedule", "--once")


def test_a_slot_is_queued_once_however_many_runners_look(settings, time_machine):
    settings.LIBRANET_SCHEDULE = [("rollup", "*/15 * * * *", PROBE, {"word": "rolled"})]
    runner_pass(time_machine, at(2026, 11, 3, 10, 7))
    runner_pass(time_machine, at(2026, 11, 3, 10, 7, 20))  # a second runner, the same slot
    runner_pass(time_machine, at(2026, 11, 3, 10, 14, 59))
    assert calls == ["rolled"]
    runner_pass(time_machine, at(2026, 11, 3, 10, 15))
    runner_pass(time_machine, at(2026, 11, 3, 10, 15, 1))
    assert calls == ["rolled", "rolled"]
    slots = ScheduledRun.objects.order_by("slot").values_list("job", "slot", "error")
    assert list(slots) == [
        ("rollup", at(2026, 11, 3, 10, 0), ""),
        ("rollup", at(2026, 11, 3, 10, 15), ""),
    ]


def test_the_slot_and_its_task_are_written_together_in_the_database_queue(
    settings, time_machine, run_worker
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.LIBRANET_SCHEDULE = [("probe", "0 * * * *", PROBE, {"word": "hourly"})]
    for minute in (0, 1, 30):
        runner_pass(time_machine, at(2026, 11, 3, 10, minute))
    [run] = ScheduledRun.objects.all()
    [queued] = DBTaskResult.objects.all()
    assert run.task_id == str(queued.id) and queued.task_path == PROBE
    assert queued.args_kwargs == {"args": [], "kwargs": {"word": "hourly"}}
    assert calls == []  # queued, for the worker
    run_worker()
    assert calls == ["hourly"]


def test_slots_are_read_in_the_projects_time_zone(settings, time_machine):
    """The monthly mailing's default: day 3 at 10:00, Moscow time (07:00 UTC)."""
    settings.LIBRANET_SCHEDULE = [("mailing", "0 10 3 * *", PROBE, {"word": "mail"})]
    runner_pass(time_machine, datetime.datetime(2026, 11, 3, 6, 59, tzinfo=datetime.UTC))
    assert calls == []  # October's slot is a month old: not caught up
    runner_pass(time_machine, datetime.datetime(2026, 11, 3, 7, 0, tzinfo=datetime.UTC))
    assert calls == ["mail"]
    assert ScheduledRun.objects.get().slot == at(2026, 11, 3, 10, 0)


def test_a_missed_slot_is_caught_up_once_if_recent(settings, time_machine):
    settings.LIBRANET_SCHEDULE = [("mailing", "0 10 3 * *", PROBE, {})]
    settings.LIBRANET_SCHEDULE_CATCH_UP_HOURS = 24
    runner_pass(time_machine, at(2026, 11, 4, 9, 0))  # no runner ran yesterday at 10:00
    runner_pass(time_machine, at(2026, 11, 4, 9, 30))
    assert calls == [""]
    calls.clear()
    runner_pass(time_machine, at(2026, 12, 4, 10, 0, 1))  # down for longer than a day
    assert calls == []


def test_a_job_whose_task_does_not_resolve_fails_alone(settings, time_machine, caplog):
    settings.LIBRANET_SCHEDULE = [
        ("ghost", "* * * * *", "libranet.nowhere.tasks.ghost", {}),
        ("plain", "* * * * *", "libranet.schedule.tests.test_schedule.not_a_task", {}),
        ("probe", "* * * * *", PROBE, {"word": "alive"}),
    ]
    with caplog.at_level(logging.ERROR, logger="libranet.schedule"):
        runner_pass(time_machine, at(2026, 11, 3, 10, 0, 30))
    assert calls == ["alive"]
    errors = dict(ScheduledRun.objects.values_list("job", "error"))
    assert "No module named 'libranet.nowhere'" in errors["ghost"]
    assert "is not a task" in errors["plain"] and errors["probe"] == ""
    assert "job ghost" in caplog.text and "job plain" in caplog.text
    # The slot is recorded with its error: the next slot tries again, this one is done.
    runner_pass(time_machine, at(2026, 11, 3, 10, 0, 50))
    assert ScheduledRun.objects.count() == 3


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (("broken", "61 * * * *", PROBE, {}), "job 'broken': bad cron spec"),
        (("short", "* * * * *"), "is not (name, cron spec, task path, kwargs)"),
    ],
)
def test_a_malformed_schedule_is_named(settings, entry, message):
    settings.LIBRANET_SCHEDULE = [entry]
    with pytest.raises(ImproperlyConfigured, match=message.replace("(", r"\(").replace(")", r"\)")):
        schedule_run_due()
    with pytest.raises(CommandError, match="bad cron spec|is not"):
        call_command("run_schedule", "--once")


def test_old_slots_are_forgotten(settings, time_machine):
    settings.LIBRANET_SCHEDULE = [("probe", "0 0 * * *", PROBE, {})]
    ScheduledRun.objects.create(job="probe", slot=at(2026, 9, 1, 0, 0))
    ScheduledRun.objects.create(job="other", slot=at(2026, 9, 1, 0, 0))
    runner_pass(time_machine, at(2026, 11, 3, 0, 0))
    assert set(ScheduledRun.objects.values_list("job", flat=True)) == {"probe", "other"}
    assert ScheduledRun.objects.filter(job="probe").count() == 1


def test_job_slot_on_the_minute_is_that_minute():
    job = Job(name="rollup", cron="*/15 * * * *", task_path=PROBE)
    assert job.latest_slot(at(2026, 11, 3, 10, 15)) == at(2026, 11, 3, 10, 15)
    assert job.latest_slot(at(2026, 11, 3, 10, 14, 59)) == at(2026, 11, 3, 10, 0)


def test_the_default_schedule(settings):
    jobs = {name: (cron, path) for name, cron, path, _kwargs in settings.LIBRANET_SCHEDULE}
    assert jobs == {
        "usage-rollup": ("*/15 * * * *", "libranet.usage.tasks.usage_rollup"),
        "usage-purge": ("30 3 * * *", "libranet.usage.tasks.usage_purge"),
        "usage-partitions": ("15 3 * * *", "libranet.usage.tasks.usage_partitions"),
        "mail-send-due": ("* * * * *", "libranet.mail.tasks.mail_send_due"),
        "zero-usage-mailing": ("0 10 3 * *", "libranet.usage.mailing_tasks.zero_usage_mailing"),
        "planning-reminders": ("0 9 * * *", "libranet.planning.tasks.planning_reminders"),
        "meeting-task-reminders": ("0 9 * * *", "libranet.meetings.tasks.send_task_reminders"),
        "agreements-daily": ("0 8 * * *", "libranet.agreements.tasks.agreements_daily"),
        "campaign-reminders": ("0 9 * * *", "libranet.campaigns.tasks.send_campaign_reminders"),
        "joint-event-reminders": (
            "0 9 * * *",
            "libranet.events.tasks.send_joint_event_reminders",
        ),
        "catalogs-harvest": ("20 * * * *", "libranet.catalogs.tasks.harvest_due_sources"),
    }


def test_two_runner_processes_at_once_queue_each_slot_once(tmp_path):
    """Two `manage.py run_schedule --once` processes started together on one database (a
    file, as in production): every (job, slot) is recorded and queued once."""
    env = {
        **os.environ,
        "LIBRANET_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LIBRANET_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    manage = [sys.executable, str(Path(django_settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, timeout=120)
    runners = [
        subprocess.Popen(
            [*manage, "run_schedule", "--once"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [runner.communicate(timeout=60) for runner in runners]
    assert [runner.returncode for runner in runners] == [0, 0], outputs
    runs_table, tasks_table = ScheduledRun._meta.db_table, DBTaskResult._meta.db_table
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        runs = db.execute(f"SELECT job, slot, task_id FROM {runs_table}").fetchall()  # noqa: S608
        tasks = db.execute(f"SELECT id, task_path FROM {tasks_table}").fetchall()  # noqa: S608
    # The jobs due within the catch-up window (the monthly mailing may not be); two slots of a
    # job if the runners straddle a minute, each queued once all the same.
    jobs = {job for job, _slot, _task in runs}
    assert {"usage-rollup", "usage-purge", "mail-send-due"} <= jobs
    queued = {task_id for _job, _slot, task_id in runs if task_id}
    assert len(tasks) == len(queued) and {t.replace("-", "") for t, _ in tasks} == {
        q.replace("-", "") for q in queued
    }
    printed = "".join(out for out, _err in outputs).splitlines()
    assert len(printed) == len(runs)  # each slot reported by the one runner that took it


def test_runners_on_two_servers_racing_queue_each_slot_once(settings, shared_database):
    """Two runners (threads, each with its own connection to the test's database, as two
    servers have) pass at the same instant, slot after slot: the unique row lets exactly one
    queue each slot."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.LIBRANET_SCHEDULE = [
        ("ingest", "* * * * *", PROBE, {"word": "ingest"}),
        ("sweep", "* * * * *", PROBE, {"word": "sweep"}),
    ]
    slots = [at(2026, 11, 3, 10, minute, 5) for minute in range(12)]
    together = threading.Barrier(2)
    taken: dict[str, list[tuple[str, datetime.datetime]]] = {"A": [], "B": []}
    failures: list[BaseException] = []
    test_database = connections["default"]

    def runner(server: str) -> None:
        connections["default"] = type(test_database)(test_database.settings_dict, alias="default")
        try:
            for now in slots:
                together.wait(timeout=30)
                taken[server] += [(run.job, run.slot) for run in schedule_run_due(now=now)]
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)
            together.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(server,)) for server in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    expected = {(job, now.replace(second=0)) for job in ("ingest", "sweep") for now in slots}
    assert sorted(taken["A"] + taken["B"]) == sorted(expected)  # each slot taken once
    runs = ScheduledRun.objects.all()
    assert {(run.job, run.slot) for run in runs} == expected
    assert sorted(DBTaskResult.objects.values_list("id", flat=True)) == sorted(
        uuid.UUID(run.task_id) for run in runs
    )
