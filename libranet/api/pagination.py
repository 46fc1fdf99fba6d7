"""The one envelope of every list: ``{"count": N, "items": [...]}``, by ``limit`` and ``offset``."""

from typing import Any

from django.db.models import QuerySet

from .schemas import PageQuery


def paginate(queryset: QuerySet, page: PageQuery) -> dict[str, Any]:
    """Two queries whatever the page: the count and the page's rows (with what the queryset
    selects or prefetches)."""
    return {
        "count": queryset.count(),
        "items": list(queryset[page.offset : page.offset + page.limit]),
    }
