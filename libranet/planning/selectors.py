"""Reads of the opening plan: proposals in a user's scope, and the plan of a round (approved
proposals by planned month and region against the centers of those proposals that opened,
as the registry has them)."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from libranet.network.models import Center, Region
from libranet.network.permissions import proposals_scope

from .models import PlanningRound, Proposal

State = Proposal.State


def round_list(*, user: Any) -> QuerySet[PlanningRound]:
    """Every round, latest year first, with the proposals ``user`` sees counted by state (one
    query)."""
    scope = Q(proposals__in=Proposal.objects.filter(proposals_scope(user)))
    counts = {
        f"n_{state}": Count("proposals", filter=scope & Q(proposals__state=state))
        for state in State
    }
    return PlanningRound.objects.annotate(n_total=Count("proposals", filter=scope), **counts)


def proposal_list(
    *, user: Any, round: PlanningRound | None = None, state: str = "", region: str = ""
) -> QuerySet[Proposal]:
    """The proposals ``user`` sees (their regions, or all for the department), filtered by
    round, state and region code."""
    proposals = Proposal.objects.filter(proposals_scope(user)).select_related(
        "round", "region", "institution", "center", "proposed_by", "decided_by"
    )
    if round is not None:
        proposals = proposals.filter(round=round)
    if state:
        proposals = proposals.filter(state=state)
    if region:
        proposals = proposals.filter(region__code=region)
    return proposals.order_by("round", "region__name_ru", "planned_month", "id")


def current_round() -> PlanningRound | None:
    """The open round regional centers are working on: the earliest open year."""
    return PlanningRound.objects.filter(state=PlanningRound.State.OPEN).order_by("year").first()


def is_opened(center: Center | None) -> bool:
    """Has the proposal's center opened? Its status is open, or it has an opening date (a
    center opened and later suspended or closed still counts as opened)."""
    return center is not None and (center.status == Center.Status.OPEN or bool(center.opened_on))


@dataclass
class PlanRow:
    region: Region
    cells: list[tuple[int, int]]  # per month: (planned, opened)
    planned: int = 0
    opened: int = 0


@dataclass
class Plan:
    """A round's plan: for each region (rows) and month of the year (columns), the approved
    proposals planned for that month and how many of their centers have opened."""

    round: PlanningRound
    months: list[datetime.date]
    rows: list[PlanRow] = field(default_factory=list)
    totals: list[tuple[int, int]] = field(default_factory=list)
    planned: int = 0
    opened: int = 0
    proposals: list[Proposal] = field(default_factory=list)  # the approved ones, in order


def plan_for(round: PlanningRound, *, user: Any = None) -> Plan:
    """The plan of ``round`` (within ``user``'s regions when given): one query."""
    months = [datetime.date(round.year, month, 1) for month in range(1, 13)]
    approved = Proposal.objects.filter(round=round, state=State.APPROVED)
    if user is not None:
        approved = approved.filter(proposals_scope(user))
    proposals = list(
        approved.select_related("region", "center", "institution").order_by(
            "region__name_ru", "planned_month", "id"
        )
    )
    plan = Plan(round=round, months=months, proposals=proposals)
    rows: dict[int, PlanRow] = {}
    for proposal in proposals:
        row = rows.get(proposal.region_id)
        if row is None:
            row = rows[proposal.region_id] = PlanRow(proposal.region, [(0, 0)] * 12)
        index = proposal.planned_month.month - 1
        opened = int(is_opened(proposal.center))
        planned_here, opened_here = row.cells[index]
        row.cells[index] = (planned_here + 1, opened_here + opened)
        row.planned += 1
        row.opened += opened
    plan.rows = sorted(rows.values(), key=lambda r: str(r.region))
    plan.totals = [
        (sum(r.cells[i][0] for r in plan.rows), sum(r.cells[i][1] for r in plan.rows))
        for i in range(12)
    ]
    plan.planned = sum(r.planned for r in plan.rows)
    plan.opened = sum(r.opened for r in plan.rows)
    return plan


def waiting_for_decision() -> int:
    """Submitted proposals of open rounds: the department's pending work."""
    return Proposal.objects.filter(
        state=State.SUBMITTED, round__state=PlanningRound.State.OPEN
    ).count()


@dataclass
class HeadAttention:
    round: PlanningRound | None
    returned: int = 0
    days_left: int | None = None


def head_attention(user: Any) -> HeadAttention:
    """What a regional-center head should act on: their proposals returned for changes, and
    the open round's deadline."""
    round = current_round()
    if round is None:
        return HeadAttention(round=None)
    returned = (
        Proposal.objects.filter(proposals_scope(user), round=round, state=State.RETURNED)
    ).count()
    return HeadAttention(
        round=round, returned=returned, days_left=(round.deadline - timezone.localdate()).days
    )
