"""Harvests as tasks of the queue: the schedule's hourly pass over the sources that are due
(``LIBRANET_SCHEDULE``, "catalogs-harvest") and one source's harvest, which "Harvest now" and
the API queue. A harvest never raises (its failure is the run's state; one under way is left
to finish), so neither does a task."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from .selectors import sources_due


def harvest_due_run(now: dt.datetime | None = None) -> dict[str, int]:
    from .harvesting import HarvestUnderWay, harvest_source

    outcome = {"harvested": 0, "failed": 0, "under_way": 0}
    for source in sources_due(now or timezone.now()):
        try:
            run = harvest_source(source)
        except HarvestUnderWay:  # a long harvest still at work when the next hour comes
            outcome["under_way"] += 1
            continue
        outcome["harvested" if run.state == run.State.SUCCEEDED else "failed"] += 1
    return outcome


@task()
def harvest_due_sources() -> dict[str, int]:
    """Harvest each active source whose schedule is due (daily: no successful run in the last
    24 hours; weekly: 7 days; by hand: never)."""
    return harvest_due_run()


@task()
def harvest_source_task(source_id: int, full: bool = False) -> dict[str, object]:
    from .harvesting import HarvestUnderWay, harvest_source
    from .models import CatalogSource

    source = CatalogSource.objects.filter(pk=source_id, active=True).first()
    if source is None:
        return {"state": "gone"}
    try:
        run = harvest_source(source, full=full)
    except HarvestUnderWay as busy:
        return {"run": busy.run.pk, "state": "under_way"}
    return {"run": run.pk, "state": run.state, "new": run.new, "updated": run.updated}


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
