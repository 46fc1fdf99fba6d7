"""The task worker's records: each worker's heartbeat, and a claimed task as the worker runs it
(a proxy of django-tasks-db's row)."""

from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult


class WorkerHeartbeat(models.Model):
    """A worker process (``manage.py run_worker``) saying it is alive, every
    ``LIBRANET_WORKER_HEARTBEAT_SECONDS``, from a thread of its own, so also while a long task
    runs. A worker silent for ``LIBRANET_WORKER_TIMEOUT_SECONDS`` is dead: the task it held is
    taken over (``services.tasks_take_over``)."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    last_seen_at = models.DateTimeField(_("last heartbeat"), db_index=True)
    # Set when the worker stopped as asked (a signal, --batch, --max-tasks), not when it died.
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    task = models.ForeignKey(
        DBTaskResult,
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}, pid {self.pid})"


class TaskRun(DBTaskResult):
    """A task this process's worker claimed, as it runs it. Its outcome is recorded through
    ``retry`` (given by the worker), which waits out a transient database error: django-tasks-db
    alone gives up after three tries within 0.3 s, and its worker process dies. The exception
    that ended the task is kept in ``error``, for the worker to judge."""

    retry: Callable[[Callable[[], None]], None]
    error: BaseException | None = None

    class Meta:
        proxy = True

    def set_successful(self, return_value: Any) -> None:
        self.retry(lambda: DBTaskResult.set_successful(self, return_value))

    def set_failed(self, exc: BaseException) -> None:
        self.error = exc
        self.retry(lambda: DBTaskResult.set_failed(self, exc))
