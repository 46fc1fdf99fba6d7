"""Reads of the audit trail: the department's filtered list."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from .models import AuditEntry


@dataclass
class AuditFilters:
    """What the audit page filters by; empty means "any"."""

    actor: str = ""  # username or name, or part of it
    action: str = ""  # e.g. "center.update", or a prefix such as "center."
    target: str = ""  # object type, id or name, or part of it
    address: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    def as_q(self) -> Q:
        q = Q()
        if self.actor:
            q &= (
                Q(actor__username__icontains=self.actor)
                | Q(actor__first_name__icontains=self.actor)
                | Q(actor__last_name__icontains=self.actor)
            )
        if self.action:
            q &= Q(action__startswith=self.action)
        if self.target:
            q &= (
                Q(object_type__icontains=self.target)
                | Q(object_id=self.target)
                | Q(object_repr__icontains=self.target)
            )
        if self.address:
            q &= Q(address=self.address)
        if self.date_from:
            q &= Q(recorded_at__date__gte=self.date_from)
        if self.date_to:
            q &= Q(recorded_at__date__lte=self.date_to)
        return q


def audit_list(*, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Newest first, with the acting user joined (one query per page)."""
    return AuditEntry.objects.filter(filters.as_q()).select_related("actor")


def audit_actions() -> list[str]:
    """The actions recorded so far, for the filter's choices."""
    rows: Any = AuditEntry.objects.order_by("action").values_list("action", flat=True)
    return list(rows.distinct())
