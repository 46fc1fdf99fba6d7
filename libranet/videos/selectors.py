"""Queries on videos: the published ones for the public, those a member of staff sees."""

from typing import Any

from django.db.models import QuerySet

from libranet.network.permissions import videos_scope

from .models import Video, VideoState


def published_videos() -> QuerySet:
    return (
        Video.objects.filter(state=VideoState.PUBLISHED)
        .select_related("center")
        .order_by("-published_at", "-pk")
    )


def videos_for(user: Any) -> QuerySet:
    return Video.objects.filter(videos_scope(user)).select_related("center")
