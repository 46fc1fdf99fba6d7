"""Heartbeats, takeover of a silent worker's task (one taker wins; failed after too many claims),
a task ended by a transient database error queued again (bounded), and what the selectors say
about workers and the queue. In-process, on a fixed clock; the real processes are in
``test_faults``."""

import datetime

import pytest
from django.db import OperationalError
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from libranet.worker.models import WorkerHeartbeat
from libranet.worker.selectors import WorkerState, queue_state, recent_failures, worker_rows
from libranet.worker.services import (
    WorkerLost,
    heartbeats_forget,
    retry_delay,
    tasks_take_over,
    worker_heartbeat,
)

from .conftest import DATABASE_QUEUE, NOW

pytestmark = pytest.mark.django_db
Status = TaskResultStatus
calls: list[str] = []


@task()
def probe() -> str:
    calls.append("probe")
    return "done"


@task()
def locked() -> None:
    calls.append("locked")
    raise OperationalError("database is locked")


@task()
def broken() -> None:
    raise ValueError("a bug")


@pytest.fixture(autouse=True)
def _worker_settings(settings, time_machine):
    settings.TASKS = DATABASE_QUEUE
    settings.LIBRANET_WORKER_TIMEOUT_SECONDS = 60
    settings.LIBRANET_WORKER_MAX_ATTEMPTS = 3
    settings.LIBRANET_WORKER_RETRY_SECONDS = 2
    settings.LIBRANET_WORKER_RETRY_MAX_SECONDS = 60
    calls.clear()
    time_machine.move_to(NOW, tick=False)


def later(seconds: float) -> datetime.datetime:
    return NOW + datetime.timedelta(seconds=seconds)


def beat(worker_id: str, seconds: float, task_id=None) -> None:
    worker_heartbeat(
        worker_id=worker_id,
        host="web-1",
        pid=42,
        started_at=NOW,
        task_id=task_id,
        now=later(seconds),
    )


def claimed(*workers: str, queued=probe) -> DBTaskResult:
    """A task claimed (at the clock's time) by each of ``workers`` in turn, the last holding it."""
    result = DBTaskResult.objects.get(pk=queued.enqueue().id)
    for worker_id in workers:
        result.claim(worker_id)
    return result


def status(result: DBTaskResult) -> str:
    return DBTaskResult.objects.get(pk=result.pk).status


def test_a_task_whose_worker_beats_is_left_alone_however_long_it_runs():
    running = claimed("busy")
    beat("busy", 3600, task_id=running.pk)
    assert tasks_take_over(now=later(3650)) == []
    assert status(running) == Status.RUNNING


def test_a_silent_workers_task_goes_back_to_the_queue_once(run_worker, time_machine):
    running = claimed("dead")
    beat("dead", 0, task_id=running.pk)
    assert tasks_take_over(now=later(59)) == []  # not silent long enough
    assert [t.pk for t in tasks_take_over(now=later(61))] == [running.pk]
    assert tasks_take_over(now=later(61)) == []  # a second taker finds nothing to take
    assert status(running) == Status.READY
    time_machine.move_to(later(62), tick=False)
    run_worker()
    done = DBTaskResult.objects.get(pk=running.pk)
    assert (done.status, done.return_value, len(done.worker_ids)) == (Status.SUCCESSFUL, "done", 2)
    assert calls == ["probe"]


def test_a_task_of_a_worker_that_never_beat_counts_from_its_start():
    """``manage.py db_worker``'s, or a worker that died before its first heartbeat."""
    running = claimed("no-heartbeat")
    assert tasks_take_over(now=later(30)) == []
    assert [t.pk for t in tasks_take_over(now=later(61))] == [running.pk]


def test_a_stopped_workers_task_is_taken_over_after_the_timeout():
    running = claimed("gone")
    beat("gone", 0)
    WorkerHeartbeat.objects.filter(worker_id="gone").update(stopped_at=later(1))
    assert len(tasks_take_over(now=later(61))) == 1
    assert status(running) == Status.READY


def test_a_task_claimed_too_often_fails_with_worker_lost():
    running = claimed("one", "two", "three")  # three claims: the maximum
    lost = tasks_take_over(now=later(61))
    assert [t.pk for t in lost] == [running.pk]
    failed = DBTaskResult.objects.get(pk=running.pk)
    assert failed.status == Status.FAILED
    assert failed.exception_class_path == "libranet.worker.services.WorkerLost"
    assert "worker three stopped" in failed.traceback
    assert WorkerLost.__name__ in recent_failures()[0].error


def test_a_transient_database_error_queues_the_task_again_a_bounded_number_of_times(
    run_worker, time_machine
):
    queued = locked.enqueue()
    run_worker()
    again = DBTaskResult.objects.get(pk=queued.id)
    assert (again.status, again.run_after) == (Status.READY, later(2))
    run_worker()  # not due yet
    assert calls == ["locked"]
    time_machine.move_to(later(2), tick=False)
    run_worker()
    assert DBTaskResult.objects.get(pk=queued.id).run_after == later(2 + 4)
    time_machine.move_to(later(6), tick=False)
    run_worker()
    spent = DBTaskResult.objects.get(pk=queued.id)
    assert calls == ["locked"] * 3
    assert spent.status == Status.FAILED and len(spent.worker_ids) == 3
    assert spent.exception_class_path == "django.db.utils.OperationalError"


def test_a_task_whose_code_fails_is_recorded_failed_as_before(run_worker):
    queued = broken.enqueue()
    run_worker()
    failed = DBTaskResult.objects.get(pk=queued.id)
    assert (failed.status, failed.exception_class_path) == (Status.FAILED, "builtins.ValueError")
    assert recent_failures()[0].error == "ValueError: a bug"


def test_the_retry_pause_doubles_up_to_its_maximum():
    assert [retry_delay(n).total_seconds() for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]


def test_a_batch_run_records_its_heartbeat_and_its_stop(run_worker):
    run_worker()
    [heartbeat] = WorkerHeartbeat.objects.all()
    assert (heartbeat.started_at, heartbeat.last_seen_at, heartbeat.stopped_at) == (NOW, NOW, NOW)
    assert [row.state for row in worker_rows()] == [WorkerState.STOPPED]


def test_workers_states_and_old_heartbeats_forgotten():
    beat("alive", 100)
    beat("silent", 0)
    beat("ancient", -2 * 86400)
    rows = {row.heartbeat.worker_id: row for row in worker_rows(now=later(110))}
    assert rows["alive"].state == WorkerState.ALIVE and rows["alive"].seconds_since == 10
    assert rows["silent"].state == WorkerState.SILENT
    assert heartbeats_forget(now=later(110)) == 1
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"alive", "silent"}


def test_the_queue_state_and_its_age(time_machine):
    waiting = probe.enqueue()
    time_machine.move_to(later(30), tick=False)
    probe.using(run_after=later(40)).enqueue()  # for later
    claimed("busy")
    DBTaskResult.objects.get(pk=broken.enqueue().id).set_failed(ValueError("a bug"))
    state = queue_state(now=later(30))
    assert (state.ready, state.later, state.running, state.failed) == (1, 1, 1, 1)
    assert state.oldest_waiting_since == DBTaskResult.objects.get(pk=waiting.id).enqueued_at
    assert state.age_seconds == 30
    empty = queue_state(now=later(30), counts=False)
    assert empty.ready == 1 and empty.age_seconds == 30
