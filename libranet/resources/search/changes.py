"""The search index's outbox: every service that changes a resource records it here, inside
its own transaction (see ``SearchIndexChange``); once that transaction commits, one task is
queued to apply the changes to the index (one per transaction, and none while one is already
waiting to run). Each index follows the rows with its own cursor (``service.index_follow``)."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from libranet.resources.models import SearchIndexChange

RETRY_SECONDS = 2


def index_change_record(*, resource_ids: Iterable[int]) -> None:
    """Note that these resources' search documents must be rebuilt (or removed)."""
    ids = set(resource_ids)
    if not ids:
        return
    # The rows carry the id of the transaction that writes them (no savepoint: nothing to undo).
    with transaction.atomic(savepoint=False):
        writer = current_transaction_id()
        SearchIndexChange.objects.bulk_create(
            SearchIndexChange(resource_id=resource_id, transaction_id=writer) for resource_id in ids
        )
    _apply_on_commit()


def current_transaction_id() -> int:
    """PostgreSQL: this transaction's id (64 bits: it never wraps around); 0 elsewhere."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        return int(cursor.fetchone()[0])


def _apply_on_commit() -> None:
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # Once per transaction. A callback still registered survives every rollback that
        # would not also undo these rows (Django drops it with the savepoint it was made in,
        # and a released savepoint can no longer be rolled back on its own).
        if any(func is enqueue_apply for _sids, func, _robust in connection.run_on_commit):
            return
    # robust: the change is committed by now; a queue that fails must not fail the request
    # (the rows wait in the outbox for the next task, or a rebuild).
    transaction.on_commit(enqueue_apply, robust=True)


def enqueue_apply() -> None:
    from libranet.resources.tasks import search_index_apply

    enqueue_once(search_index_apply)


def enqueue_rebuild() -> None:
    from libranet.resources.tasks import search_index_rebuild

    enqueue_once(search_index_rebuild)


def enqueue_once(task: Any, *, delay: float = 0) -> None:
    """Queue ``task`` unless the database queue already holds one waiting to run (it will see
    everything committed before it starts)."""
    backend = task.get_backend()
    if _is_database_backend(backend):
        from django_tasks_db.models import DBTaskResult

        waiting = DBTaskResult.objects.filter(
            status="READY", task_path=task.module_path, backend_name=backend.alias
        )
        if waiting.exists():
            return
    if delay and getattr(backend, "supports_defer", False):
        run_after = timezone.now() + datetime.timedelta(seconds=delay)
        task = task.using(run_after=run_after)
    task.enqueue()


def retry_later(task: Any) -> None:
    """Queue ``task`` again in a moment (the index was busy: a rebuild is writing it). A
    backend that cannot defer (the immediate one, in tests) is not asked."""
    if getattr(task.get_backend(), "supports_defer", False):
        enqueue_once(task, delay=RETRY_SECONDS)


def _is_database_backend(backend: Any) -> bool:
    try:
        from django_tasks_db import DatabaseBackend
    except ImportError:  # pragma: no cover (installed with the project)
        return False
    return isinstance(backend, DatabaseBackend)
