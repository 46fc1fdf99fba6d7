"""Reads of agreements and renewal rounds, always within what the user may see."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from libranet.audit.models import AuditEntry
from libranet.network.models import Region
from libranet.network.permissions import Capability, agreements_scope

from .models import Agreement, Renewal, RenewalRound, State


@dataclass
class AgreementFilters:
    """What the list filters by; empty means "any"."""

    state: str = ""  # one of State
    region: str = ""  # a region's code
    expiring_within_days: int | None = None
    q: str = ""  # number, partner or center


def agreement_list(
    *, user: Any, filters: AgreementFilters, today: datetime.date
) -> QuerySet[Agreement]:
    """The agreements ``user`` may see, filtered, soonest end first."""
    queryset = Agreement.objects.with_relations().filter(agreements_scope(user))
    if filters.state:
        queryset = queryset.in_state(filters.state, today)
    if filters.region:
        queryset = queryset.filter(center__region__code=filters.region)
    if filters.expiring_within_days is not None:
        queryset = queryset.expiring_within(filters.expiring_within_days, today)
    if filters.q:
        queryset = queryset.filter(
            Q(number__icontains=filters.q)
            | Q(institution__name_ru__icontains=filters.q)
            | Q(institution__name_en__icontains=filters.q)
            | Q(center__code__icontains=filters.q)
        )
    return queryset.order_by("ends_on", "number", "pk")


def agreement_visible(user: Any, pk: int) -> Agreement | None:
    return Agreement.objects.with_relations().filter(agreements_scope(user), pk=pk).first()


def agreement_history(agreement: Agreement) -> QuerySet[AuditEntry]:
    """The audit trail of the agreement and of its renewals, newest first."""
    renewal_ids = [str(pk) for pk in agreement.renewals.values_list("pk", flat=True)]
    return (
        AuditEntry.objects.filter(
            Q(object_type="agreements.agreement", object_id=str(agreement.pk))
            | Q(object_type="agreements.renewal", object_id__in=renewal_ids)
        )
        .select_related("actor")
        .order_by("-recorded_at", "-pk")
    )


def round_list(*, user: Any) -> QuerySet[RenewalRound]:
    """The rounds with at least one renewal the user may see."""
    visible = Renewal.objects.filter(
        agreement__in=Agreement.objects.filter(agreements_scope(user))
    ).values("round_id")
    return RenewalRound.objects.filter(pk__in=visible).select_related("region")


@dataclass
class RenewalFilters:
    """What a round's renewals are filtered by; empty means "any"."""

    region: str = ""  # a region's code
    step: str = ""  # one of Renewal.Step


def _round_scope(user: Any, round_: RenewalRound) -> QuerySet[Renewal]:
    return round_.renewals.filter(agreement__in=Agreement.objects.filter(agreements_scope(user)))


def round_renewals(
    *, user: Any, round_: RenewalRound, filters: RenewalFilters | None = None
) -> QuerySet[Renewal]:
    """The round's renewals ``user`` may see, filtered, by region then soonest end."""
    queryset = _round_scope(user, round_)
    if filters is not None and filters.region:
        queryset = queryset.filter(agreement__center__region__code=filters.region)
    if filters is not None and filters.step:
        queryset = queryset.filter(step=filters.step)
    return queryset.select_related(
        "agreement__institution", "agreement__center__region", "renewed", "round"
    ).order_by("agreement__center__region__name_ru", "agreement__ends_on", "pk")


@dataclass
class RegionProgress:
    code: str  # "" for foreign centers' and those naming none
    name: str
    counts: list[tuple[str, int]]  # (step's label, count) in the steps' order
    total: int


@dataclass
class Progress:
    total: int = 0
    by_step: list[tuple[str, str, int]] = field(default_factory=list)  # step, label, count
    by_region: list[RegionProgress] = field(default_factory=list)


def round_progress(*, user: Any, round_: RenewalRound) -> Progress:
    """Counts of the renewals ``user`` sees per step, and per region (``—`` for foreign centers'
    and those naming none): two queries however many renewals the round holds."""
    counted = (
        _round_scope(user, round_)
        .values_list("agreement__center__region", "step")
        .annotate(count=Count("pk"))
        .order_by()
    )
    steps: Counter = Counter()
    regions: dict[int | None, Counter] = defaultdict(Counter)
    for region_id, step, count in counted:
        steps[step] += count
        regions[region_id][step] += count
    named = Region.objects.in_bulk([pk for pk in regions if pk is not None])
    by_region = [
        RegionProgress(
            code=named[pk].code if pk is not None else "",
            name=str(named[pk]) if pk is not None else "—",
            counts=[(str(s.label), counts.get(s.value, 0)) for s in Renewal.Step],
            total=sum(counts.values()),
        )
        for pk, counts in regions.items()
    ]
    by_region.sort(key=lambda row: (not row.code, row.name))
    return Progress(
        total=sum(steps.values()),
        by_step=[(s.value, str(s.label), steps.get(s.value, 0)) for s in Renewal.Step],
        by_region=by_region,
    )


def state_counts(*, user: Any, today: datetime.date) -> dict[str, int]:
    """How many agreements the user sees in each state (a query per state, few)."""
    scope = Agreement.objects.filter(agreements_scope(user))
    return {state.value: scope.in_state(state.value, today).count() for state in State}


def agreement_counts(*, user: Any, today: datetime.date) -> tuple[int, int]:
    """How many agreements the user sees end within the expiry window, and have ended."""
    scope = Agreement.objects.filter(agreements_scope(user))
    return (
        scope.in_state(State.EXPIRING, today).count(),
        scope.in_state(State.EXPIRED, today).count(),
    )


def renewals_waiting_for(user: Any) -> int:
    """Renewals sent to partners whose signature ``user`` may record: a head's work."""
    return Renewal.objects.filter(
        step=Renewal.Step.SENT,
        agreement__in=Agreement.objects.filter(
            agreements_scope(user, Capability.RECORD_PARTNER_SIGNATURE)
        ),
    ).count()


def agreement_regions(user: Any) -> QuerySet[Region]:
    """The regions of the agreements the user sees, for the list's filter."""
    seen = Agreement.objects.filter(agreements_scope(user)).values("center__region_id")
    return Region.objects.filter(pk__in=seen).order_by("name_ru")
