"""What the back office's first page tells each user: their own center(s) with last month's
figures (an operator), their region's centers (a regional-center head), the network's state
(the network department and administrators), and what needs attention in that scope (centers
open with no session last month, invitations waiting). A fixed number of queries whatever
the scope's size."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from libranet.agreements.selectors import agreement_counts, renewals_waiting_for
from libranet.campaigns.selectors import pending_for
from libranet.catalogs.selectors import failing_source_count
from libranet.meetings.selectors import late_count, tasks_of_party
from libranet.network.models import Center, Region, StaffRole
from libranet.network.permissions import (
    Capability,
    can,
    can_review_news,
    centers_for,
    roles_of,
)
from libranet.network.staff import invitation_list
from libranet.news.models import Section
from libranet.news.selectors import articles_to_review
from libranet.planning.selectors import HeadAttention, head_attention, waiting_for_decision
from libranet.usage.models import DailyCenterUsage, Metric
from libranet.usage.reports import INDICATOR_NAMES
from libranet.videos.models import Video, VideoState

Role = StaffRole.Role
# The figures an operator sees for their center, in this order.
FIGURES = (Metric.SESSIONS, Metric.TOTAL_ITEM_INVESTIGATIONS, Metric.TOTAL_ITEM_REQUESTS)
OWN_CENTERS_MAX = 10  # an operator of more centers than this sees the list's first ones
MEETING_TASKS_MAX = 10  # a head sees their regional center's first open tasks by deadline


@dataclass
class OwnCenter:
    center: Center
    figures: list[tuple[str, int]]  # (indicator's name, last month's sum)


@dataclass
class Dashboard:
    month: datetime.date  # the first day of last month: the month the figures are for
    own: list[OwnCenter] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    counts: list[tuple[str, str, int]] = field(default_factory=list)  # status, label, count
    total: int = 0
    zero_last_month: int = 0  # open centers in scope with no session last month
    pending_invitations: int = 0
    network_wide: bool = False
    # Monitoring campaigns taking answers from the scope: (campaign, submitted, centers asked)
    campaigns: list[tuple[Any, int, int]] = field(default_factory=list)
    # The opening plan: submitted proposals awaiting the department's decision; for a head,
    # the open round (its deadline) and their proposals returned for changes.
    proposals_waiting: int = 0
    opening_plan: HeadAttention | None = None
    # The resolutions' tasks: a head's or operator's open ones, the department's late count.
    meeting_tasks: list[Any] = field(default_factory=list)
    late_meeting_tasks: int = 0
    # Cooperation agreements: the department's expiring (90 days) and expired ones; a head's
    # renewals waiting for the partner's signature (None: not this user's work).
    agreements_expiring: int | None = None
    agreements_expired: int | None = None
    renewals_waiting: int | None = None
    # News in review (for its reviewers) and video awaiting the department's decision.
    news_to_review: int | None = None
    videos_to_decide: int | None = None
    # Partner catalogs whose last harvest failed (for those who manage the sources).
    catalogs_failing: int | None = None


def last_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return end.replace(day=1), end


def _figures(centers: list[Center], first: datetime.date, last: datetime.date) -> dict:
    rows = (
        DailyCenterUsage.objects.filter(
            center__in=centers, day__gte=first, day__lte=last, metric__in=FIGURES
        )
        .values("center_id", "metric")
        .annotate(total=Sum("value"))
        .order_by()
    )
    return {(row["center_id"], row["metric"]): row["total"] for row in rows}


def _zero_last_month(scope: QuerySet, first: datetime.date, last: datetime.date) -> int:
    used = DailyCenterUsage.objects.filter(
        day__gte=first, day__lte=last, metric=Metric.SESSIONS, value__gt=0
    ).values("center_id")
    return scope.filter(status=Center.Status.OPEN).exclude(pk__in=used).count()


def dashboard_for(user: Any) -> Dashboard:
    """The dashboard of ``user``, from their roles; the scope is the permission module's."""
    first, last = last_month(timezone.localdate())
    board = Dashboard(month=first)
    roles = roles_of(user)
    own_ids = [r.center_id for r in roles if r.role == Role.CENTER_OPERATOR]
    if own_ids:
        own = list(
            Center.objects.with_relations()
            .filter(pk__in=own_ids)
            .order_by("code")[:OWN_CENTERS_MAX]
        )
        sums = _figures(own, first, last)
        board.own = [
            OwnCenter(c, [(str(INDICATOR_NAMES[m]), sums.get((c.pk, m), 0)) for m in FIGURES])
            for c in own
        ]
    board.regions = [r.region for r in roles if r.role == Role.REGIONAL_HEAD and r.region]
    board.network_wide = any(r.role in (Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT) for r in roles)
    scope = centers_for(user, Capability.EDIT_CENTER)
    if board.network_wide or board.regions or any(r.role == Role.INTERNATIONAL for r in roles):
        by_status = {
            row["status"]: row["n"]
            for row in scope.values("status").annotate(n=Count("id")).order_by()
        }
        board.counts = [(s.value, s.label, by_status.get(s.value, 0)) for s in Center.Status]
        board.total = sum(by_status.values())
        board.zero_last_month = _zero_last_month(scope, first, last)
        board.pending_invitations = (
            invitation_list(user=user).filter(expires_at__gt=timezone.now()).count()
        )
    board.campaigns = pending_for(user, timezone.localdate())
    if can(user, Capability.MANAGE_OPENING_PLAN):
        board.proposals_waiting = waiting_for_decision()
    elif board.regions:
        board.opening_plan = head_attention(user)
    today = timezone.localdate()
    if board.network_wide:
        board.late_meeting_tasks = late_count(today)
    elif any(r.role in (Role.REGIONAL_HEAD, Role.CENTER_OPERATOR) for r in roles):
        board.meeting_tasks = list(tasks_of_party(user).filter(done=False)[:MEETING_TASKS_MAX])
        for task in board.meeting_tasks:
            task.state = task.state_on(today)
    _agreements(board, user, roles)
    if any(can_review_news(user, section) for section in Section.values):
        board.news_to_review = articles_to_review(user).count()
    if can(user, Capability.DECIDE_VIDEOS):
        board.videos_to_decide = Video.objects.filter(state=VideoState.SUBMITTED).count()
    if can(user, Capability.MANAGE_CATALOG_SOURCES):
        board.catalogs_failing = failing_source_count()
    return board


def _agreements(board: Dashboard, user: Any, roles: list[StaffRole]) -> None:
    if can(user, Capability.MANAGE_AGREEMENTS):
        counts = agreement_counts(user=user, today=timezone.localdate())
        board.agreements_expiring, board.agreements_expired = counts
    if any(r.role == Role.REGIONAL_HEAD for r in roles):
        board.renewals_waiting = renewals_waiting_for(user)
