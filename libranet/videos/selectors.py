"""Queries on videos: the published ones for the public, those a member of staff sees."""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from libranet.events.models import Event
from libranet.network.permissions import video_centers_for, videos_scope

from .models import Video, VideoState


def published_videos() -> QuerySet:
    return (
        Video.objects.filter(state=VideoState.PUBLISHED)
        .select_related("center", "event")
        .order_by("-published_at", "-pk")
    )


def videos_for(user: Any) -> QuerySet:
    return Video.objects.filter(videos_scope(user)).select_related("center", "event")


def events_to_film(user: Any) -> QuerySet:
    """The events a video form offers: those of the centers ``user`` submits for, of the last
    two years, latest first."""
    since = timezone.now() - datetime.timedelta(days=2 * 366)
    return Event.objects.filter(
        pk__in=Event.objects.filter(
            centers__in=video_centers_for(user), starts_at__gte=since
        ).values("pk")
    ).order_by("-starts_at", "-pk")
