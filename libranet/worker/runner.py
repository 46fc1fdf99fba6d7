"""The task worker (``manage.py run_worker``): django-tasks-db's ``Worker``, which no transient
database error kills, with a heartbeat.

- A transient database error (``is_transient``: SQLite's write lock held past the busy timeout,
  a connection the server dropped or closed) anywhere in the loop (claiming a task, recording
  its outcome, the heartbeat) is logged and tried again after a pause doubling from
  ``LIBRANET_WORKER_RETRY_SECONDS`` up to ``..._RETRY_MAX_SECONDS``, a broken connection
  replaced first. Any other error ends the process, as before (the supervisor restarts it).
- A task whose own code fails is recorded failed, as django-tasks-db does; one that a transient
  database error ended is queued again, a bounded number of times
  (``services.task_retry_later``).
- A thread records the heartbeat every ``LIBRANET_WORKER_HEARTBEAT_SECONDS``, also while a long
  task runs, and takes over the tasks of workers that went silent (``services.tasks_take_over``).
- Another thread does this server's own duties (``LIBRANET_SERVER_DUTIES``), each every so many
  seconds (0: every ``--interval``): what must happen on every server rather than once, because
  it lives on the server's own disk (its usage spool, its search index). A task of the shared
  queue is taken by any one worker. ``--batch`` does them once.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from types import FrameType
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, connections
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

from .models import TaskRun
from .services import (
    heartbeats_forget,
    task_retry_later,
    tasks_take_over,
    worker_heartbeat,
    worker_stopped,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` is a database error that passes by itself: SQLite's write lock held by
    another connection past the busy timeout, or a connection the server dropped or closed."""
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        # SQLite says OperationalError for a missing table or bad SQL too: only its lock passes.
        return connection.vendor != "sqlite" or is_locked_database_exception(exc)
    return False


def replace_broken_connections() -> None:
    """Close this thread's connections that an error left unusable (a dropped PostgreSQL
    connection), so that the next query opens a new one; a locked SQLite connection is kept."""
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:
            continue
        try:
            conn.close_if_unusable_or_obsolete()
        except DatabaseError:
            with suppress(DatabaseError):
                conn.close()


class Backoff:
    """The pauses after transient errors: ``LIBRANET_WORKER_RETRY_SECONDS``, doubling up to
    ``LIBRANET_WORKER_RETRY_MAX_SECONDS``."""

    def __init__(self) -> None:
        self.first = float(settings.LIBRANET_WORKER_RETRY_SECONDS)
        self.most = float(settings.LIBRANET_WORKER_RETRY_MAX_SECONDS)
        self.coming = self.first

    def pause(self) -> float:
        pause, self.coming = self.coming, min(self.coming * 2, self.most)
        return pause

    def reset(self) -> None:
        self.coming = self.first


class Worker(db_worker.Worker):
    """django-tasks-db's worker with the module's error handling and heartbeat. ``--batch``
    (tests, one-off runs) records one heartbeat and takes over at start, with no thread."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.host = socket.gethostname()[:255]
        self.pid = os.getpid()
        self.started_at = timezone.now()
        self.task_id: str | None = None  # the task this worker runs, for the heartbeat
        self.stopping = threading.Event()  # a signal asked the worker to stop: pauses end
        self.done = threading.Event()  # the loop is over: the heartbeat stops

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        self.stopping.set()
        super().shutdown(signum, frame)

    def retry(self, action: Callable[[], T], *, what: str) -> T:
        """``action()``, tried again after each transient database error until it passes, or
        until the worker is asked to stop (then the error is raised)."""
        backoff = Backoff()
        while True:
            try:
                return action()
            except DatabaseError as exc:
                if not is_transient(exc) or self.stopping.is_set():
                    raise
                pause = backoff.pause()
                logger.warning(
                    "worker %s: %s failed (%s); trying again in %.1f s",
                    self.worker_id,
                    what,
                    exc,
                    pause,
                )
                replace_broken_connections()
                self.stopping.wait(pause)

    def beat(self) -> None:
        """Say this worker is alive (and what it runs); take over dead workers' tasks."""
        worker_heartbeat(
            worker_id=self.worker_id,
            host=self.host,
            pid=self.pid,
            started_at=self.started_at,
            task_id=self.task_id,
        )
        tasks_take_over()
        heartbeats_forget()

    def _keep_beating(self) -> None:
        while not self.done.wait(settings.LIBRANET_WORKER_HEARTBEAT_SECONDS):
            try:
                self.beat()
            except DatabaseError as exc:
                # The next beat tries again; a worker silent too long has its task taken over.
                logger.warning("worker %s: heartbeat failed: %s", self.worker_id, exc)
                replace_broken_connections()
            except Exception:
                logger.exception("worker %s: heartbeat failed", self.worker_id)
        connection.close()  # this thread's own

    def do_duties(self, due: Callable[[str, float], bool] = lambda name, every: True) -> None:
        """This server's own duties that are ``due``; one that fails is logged and done again
        at its next turn."""
        for name, path, every in settings.LIBRANET_SERVER_DUTIES:
            if not due(name, every):
                continue
            try:
                import_string(path)()
            except DatabaseError as exc:
                logger.warning("worker %s: duty %s failed: %s", self.worker_id, name, exc)
                replace_broken_connections()
            except Exception:
                logger.exception("worker %s: duty %s failed", self.worker_id, name)

    def _keep_doing_duties(self) -> None:
        last: dict[str, float] = {}

        def due(name: str, every: float) -> bool:
            now = time.monotonic()
            if name in last and now - last[name] < every:
                return False
            last[name] = now
            return True

        while not self.done.is_set():
            self.do_duties(due)
            self.done.wait(self.interval)
        connection.close()  # this thread's own

    def run(self) -> None:
        self.retry(self.beat, what="the first heartbeat")
        heart = threading.Thread(target=self._keep_beating, name="heartbeat", daemon=True)
        duties = threading.Thread(target=self._keep_doing_duties, name="duties", daemon=True)
        if self.batch:
            self.do_duties()
        else:
            heart.start()
            duties.start()
        backoff = Backoff()
        try:
            while True:
                entered = time.monotonic()
                try:
                    super().run()
                    return
                except DatabaseError as exc:
                    if not is_transient(exc):
                        raise
                    if self.stopping.is_set():
                        logger.warning("worker %s: stopping with %s", self.worker_id, exc)
                        return
                    if time.monotonic() - entered > backoff.most:
                        backoff.reset()  # the loop went well for a while
                    pause = backoff.pause()
                    logger.warning(
                        "worker %s: database error (%s); going on in %.1f s",
                        self.worker_id,
                        exc,
                        pause,
                    )
                    replace_broken_connections()
                    self.stopping.wait(pause)
                    self.startup_delay = False
        finally:
            self.done.set()
            for thread in (heart, duties):
                if thread.is_alive():
                    thread.join(timeout=settings.LIBRANET_WORKER_HEARTBEAT_SECONDS)
            try:
                worker_stopped(worker_id=self.worker_id)
            except DatabaseError as exc:
                logger.warning("worker %s: could not record its stop: %s", self.worker_id, exc)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        fields = [f.attname for f in DBTaskResult._meta.concrete_fields]
        run = TaskRun.from_db(
            db_task_result._state.db, fields, [getattr(db_task_result, f) for f in fields]
        )
        run.retry = lambda action: self.retry(action, what=f"recording task {run.pk}")
        self.task_id = str(run.pk)
        try:
            super().run_task(run)
        finally:
            self.task_id = None
        if run.error is not None and is_transient(run.error):
            self.retry(lambda: task_retry_later(task=run), what=f"queueing task {run.pk} again")
