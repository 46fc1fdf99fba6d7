"""Reads of import jobs."""

from typing import Any

from django.db.models import QuerySet

from .models import ImportJob

RECENT = 10


def import_jobs_of(user: Any, *, kind: str | None = None) -> QuerySet[ImportJob]:
    """The imports ``user`` uploaded, newest first: the only ones their pages show."""
    jobs = ImportJob.objects.filter(actor_id=user.pk)
    return jobs.filter(kind=kind) if kind else jobs


def recent_import_jobs(user: Any, *, kind: str) -> list[ImportJob]:
    return list(import_jobs_of(user, kind=kind)[:RECENT])
