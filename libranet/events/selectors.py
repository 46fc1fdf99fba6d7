"""Queries over events: the public calendar's, the back office's list, a center's upcoming."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from libranet.network.permissions import events_scope

from .models import Event, JointEventReport, ReportingRound


@dataclass(frozen=True)
class EventFilters:
    region: str = ""
    center: str = ""
    kind: str = ""
    past: bool = False


def public_events(filters: EventFilters, now: datetime.datetime | None = None) -> QuerySet:
    """Published events, upcoming (not over yet, soonest first) or past (latest first)."""
    now = now or timezone.now()
    events = Event.objects.filter(published=True)
    if filters.past:
        events = events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    else:
        events = events.filter(ends_at__gte=now).order_by("starts_at", "pk")
    return filtered(events, filters).prefetch_related("centers")


def filtered(events: QuerySet, filters: EventFilters) -> QuerySet:
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.region:
        events = events.filter(
            Q(centers__region__code=filters.region) | Q(centers__country__code=filters.region)
        )
    if filters.center:
        events = events.filter(centers__code=filters.center)
    if filters.region or filters.center:
        events = events.distinct()  # an event organised by two matching centers, once
    return events


def calendar_events(filters: EventFilters, since: datetime.datetime | None = None) -> QuerySet:
    """What a calendar feed carries: published events from a month back on (a subscriber's
    calendar keeps the recent past), by start."""
    since = since or timezone.now() - datetime.timedelta(days=31)
    events = Event.objects.filter(published=True, ends_at__gte=since).order_by("starts_at", "pk")
    return filtered(events, filters).prefetch_related("centers")


def center_upcoming(center_id: int, limit: int = 5) -> QuerySet:
    return Event.objects.filter(
        published=True, centers=center_id, ends_at__gte=timezone.now()
    ).order_by("starts_at", "pk")[:limit]


def linkable_events(user: object) -> QuerySet:
    """The events news may tell of: the published ones and those of the user's own centers."""
    return Event.objects.filter(
        pk__in=Event.objects.filter(Q(published=True) | events_scope(user)).values("pk")
    )


def office_events(user: object, q: str = "") -> QuerySet:
    """The events the user may edit, latest first."""
    events = Event.objects.filter(pk__in=Event.objects.filter(events_scope(user)).values("pk"))
    if q:
        events = events.filter(Q(title_ru__icontains=q) | Q(title_en__icontains=q))
    return events.order_by("-starts_at", "-pk").prefetch_related("centers")


def round_reports(round_: ReportingRound) -> QuerySet:
    return round_.reports.select_related("regional_center", "confirmed_by").order_by(
        "regional_center__code"
    )


def reports_for_centers(centers: QuerySet) -> QuerySet:
    return (
        JointEventReport.objects.filter(regional_center__in=centers)
        .select_related("round", "regional_center")
        .order_by("-round__period_end", "regional_center__code")
    )
