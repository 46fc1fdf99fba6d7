"""The resources' tasks, run by the task queue's worker (``manage.py run_worker``, which
``make run`` starts). Each is safe to run twice."""

from django_tasks import task


@task()
def search_index_apply() -> int | None:
    """Bring the index of the server whose worker takes this task (or the shared PostgreSQL
    table) up to the change log; the other servers' workers follow theirs in their poll loop.
    When a rebuild holds the index, try again in a moment: the changes wait in the log."""
    from libranet.resources.search import index_apply_changes
    from libranet.resources.search.changes import retry_later

    applied = index_apply_changes()
    if applied is None:
        retry_later(search_index_apply)
    return applied


@task()
def search_index_rebuild(if_needed: bool = True) -> int:
    """Rebuild the search index from the database (queued when a search finds it missing or
    unreadable); with ``if_needed``, only if it still is."""
    from libranet.resources.search import get_backend, index_rebuild

    if if_needed and not get_backend().needs_rebuild():
        return 0
    return index_rebuild()
