"""The partner catalogs' tasks, run by the task queue's worker. Each is safe to run twice."""

from django_tasks import task


@task()
def catalog_works_apply() -> int | None:
    """Bring the union search's partner works up to the harvested records (rebuilt when the
    index or its mark is missing); when another process writes the index, try again later."""
    from libranet.resources.search.changes import retry_later

    from .union import works_apply

    applied = works_apply()
    if applied is None:
        retry_later(catalog_works_apply)
    return applied
