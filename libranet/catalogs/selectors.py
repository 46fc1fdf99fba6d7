"""Queries of partner catalogs: the sources with their last runs, the sources due a harvest."""

import datetime as dt

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery

from .models import CatalogSource, HarvestRun, HarvestSchedule

SCHEDULE_PERIODS: dict[str, dt.timedelta] = {
    HarvestSchedule.DAILY: dt.timedelta(hours=24),
    HarvestSchedule.WEEKLY: dt.timedelta(days=7),
}


def _last_run() -> QuerySet[HarvestRun]:
    """The runs of the outer query's source, the last first (for a subquery)."""
    return HarvestRun.objects.filter(source=OuterRef("pk")).order_by("-started_at", "-pk")


def sources_listed() -> QuerySet[CatalogSource]:
    """Every source with its holding library, its number of records (deleted ones left out)
    and ``last_run_id``."""
    return (
        CatalogSource.objects.select_related("institution")
        .annotate(
            record_count=Count("records", filter=Q(records__deleted=False)),
            last_run_id=Subquery(_last_run().values("pk")[:1]),
        )
        .order_by("name", "pk")
    )


def failing_source_count() -> int:
    """Active sources whose last run failed: the department's line on the dashboard."""
    return (
        CatalogSource.objects.filter(active=True)
        .annotate(last_state=Subquery(_last_run().values("state")[:1]))
        .filter(last_state=HarvestRun.State.FAILED)
        .count()
    )


def last_runs(sources: list[CatalogSource]) -> dict[int, HarvestRun]:
    ids = [getattr(s, "last_run_id", None) for s in sources]
    return {run.source_id: run for run in HarvestRun.objects.filter(pk__in=[i for i in ids if i])}


def sources_due(now: dt.datetime) -> list[CatalogSource]:
    """The active sources whose schedule is due at ``now``: no successful run within their
    period (a source never harvested is due at once)."""
    sources = CatalogSource.objects.filter(active=True, schedule__in=list(SCHEDULE_PERIODS))
    sources = sources.annotate(
        last_success=Max("runs__started_at", filter=Q(runs__state=HarvestRun.State.SUCCEEDED))
    ).order_by("pk")
    return [
        s
        for s in sources
        if s.last_success is None or now - s.last_success >= SCHEDULE_PERIODS[s.schedule]
    ]
