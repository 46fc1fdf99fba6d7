"""Reads of monitoring campaigns: which centers a campaign covers, which campaigns a user sees,
each center's state, the completion and the results by center, region and federal district,
and the figures Libranet already knows for a center's form."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextChoices,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from libranet.network.models import Center, CenterNetwork, Country, Region, Workstation
from libranet.network.permissions import Capability, campaign_centers_for, can
from libranet.network.services import normalize_search
from libranet.usage.models import DailyCenterUsage, Metric

from .models import Answer, Campaign, Indicator, Response

# The centers a campaign asks: those open (a planned or closed center has nothing to report).
ASKED_STATUSES = (Center.Status.OPEN,)
USAGE_SOURCES: dict[str, Metric] = {
    Indicator.Source.SESSIONS: Metric.SESSIONS,
    Indicator.Source.SEARCHES: Metric.SEARCHES_PLATFORM,
    Indicator.Source.INVESTIGATIONS: Metric.TOTAL_ITEM_INVESTIGATIONS,
    Indicator.Source.REQUESTS: Metric.TOTAL_ITEM_REQUESTS,
}


def coverage_filter(campaign: Campaign) -> Q:
    q = Q(status__in=ASKED_STATUSES)
    if campaign.coverage == Campaign.Coverage.KINDS:
        q &= Q(kind__in=list(campaign.kinds))
    elif campaign.coverage == Campaign.Coverage.REGIONS:
        q &= Q(region__in=campaign.regions.all()) & ~Q(kind=Center.Kind.FOREIGN)
    return q


def covered_centers(campaign: Campaign, scope: QuerySet | None = None) -> QuerySet:
    """The centers ``campaign`` asks (within ``scope``, if given), with their places."""
    base = Center.objects.all() if scope is None else scope
    return base.filter(coverage_filter(campaign)).select_related(
        "region__federal_district", "country"
    )


def campaign_covers(campaign: Campaign, center: Center) -> bool:
    return covered_centers(campaign).filter(pk=center.pk).exists()


def campaigns_for(user: Any) -> QuerySet:
    """The campaigns ``user`` sees: all for those who manage them; otherwise those opened that
    ask a center in their scope (drafts are the department's own)."""
    queryset = Campaign.objects.prefetch_related("regions").order_by("-opens_on", "-pk")
    if can(user, Capability.MANAGE_CAMPAIGNS):
        return queryset
    scope = campaign_centers_for(user).filter(status__in=ASKED_STATUSES)
    kinds = set(scope.values_list("kind", flat=True))
    region_ids = set(scope.exclude(kind=Center.Kind.FOREIGN).values_list("region_id", flat=True))
    if not kinds:
        return queryset.none()
    ids = [
        c.pk
        for c in queryset.exclude(state=Campaign.State.DRAFT)
        if c.coverage == Campaign.Coverage.ALL
        or (c.coverage == Campaign.Coverage.KINDS and kinds & set(c.kinds))
        or (
            c.coverage == Campaign.Coverage.REGIONS and region_ids & {r.pk for r in c.regions.all()}
        )
    ]
    return queryset.filter(pk__in=ids)


# --- each center's state and the completion, counted by the database ---------------------


@dataclass
class Completion:
    label: str
    submitted: int = 0
    total: int = 0
    code: str = ""  # the area's: a federal district's (or ``ABROAD``), a region's or a country's
    parts: list["Completion"] = field(default_factory=list)  # a district's regions

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.total) if self.total else 0


# The group of the centers abroad, where the others have their federal district; inside it each
# country plays the part of a region.
ABROAD = "abroad"


def _place(
    region: Region | None, country: Country | None
) -> tuple[tuple[str, str], tuple[str, str]]:
    """((code, name) of the federal district, (code, name) of the region) of a center in
    ``region``; of a foreign center, the group abroad and its ``country``."""
    if region is not None:
        district = region.federal_district
        return ((district.code, district.name) if district else ("", "—")), (
            region.code,
            region.name,
        )
    place = (country.code, country.name) if country is not None else ("", "—")
    return (ABROAD, str(_("Centers abroad"))), place


@dataclass
class CompletionReport:
    overall: Completion
    by_district: list[Completion]
    by_region: list[Completion]


def _submitted(campaign: Campaign) -> QuerySet:
    return Response.objects.filter(campaign=campaign, state=Response.State.SUBMITTED).values(
        "center_id"
    )


def campaign_progress(campaign: Campaign, scope: QuerySet) -> Completion:
    """How many of the centers of ``scope`` the campaign asks, and how many submitted (one
    query, whatever their number)."""
    counts = covered_centers(campaign, scope).aggregate(
        total=Count("pk"), submitted=Count("pk", filter=Q(pk__in=_submitted(campaign)))
    )
    return Completion("", counts["submitted"], counts["total"])


def area_completion(campaign: Campaign, centers: QuerySet) -> CompletionReport:
    """The completion of ``centers`` overall and by federal district (the centers abroad one
    group), each district with its regions (abroad, its countries) as ``parts``: counted by the
    database, a row a region (three queries, whatever the number of centers)."""
    rows = (
        centers.order_by()
        .values("region_id", "country_id")
        .annotate(total=Count("pk"), submitted=Count("pk", filter=Q(pk__in=_submitted(campaign))))
    )
    rows = list(rows)
    regions = Region.objects.select_related("federal_district").in_bulk(
        {r["region_id"] for r in rows if r["region_id"]}
    )
    countries = Country.objects.in_bulk({r["country_id"] for r in rows if r["country_id"]})
    overall = Completion("")
    districts: dict[str, Completion] = {}
    parts: dict[str, Completion] = {}
    for row in rows:
        region = regions.get(row["region_id"])
        country = None if region is not None else countries.get(row["country_id"])
        (district_code, district_name), (code, name) = _place(region, country)
        district = districts.setdefault(
            district_code, Completion(district_name, code=district_code)
        )
        part = parts.get(code)
        if part is None:
            part = parts[code] = Completion(name, code=code)
            district.parts.append(part)
        for completion_row in (overall, district, part):
            completion_row.total += row["total"]
            completion_row.submitted += row["submitted"]
    by_district = sorted(districts.values(), key=lambda d: (d.code == ABROAD, d.label))
    for district in by_district:
        district.parts.sort(key=lambda p: p.label)
    return CompletionReport(overall, by_district, [p for d in by_district for p in d.parts])


def area_centers(centers: QuerySet, *, district: str = "", region: str = "") -> QuerySet:
    """``centers`` in a federal district (``ABROAD``: the centers abroad) and in a region (or,
    abroad, a country), when given."""
    if district == ABROAD:
        centers = centers.filter(region__isnull=True)
    elif district:
        centers = centers.filter(region__federal_district__code=district)
    if region:
        centers = centers.filter(
            Q(region__code=region) | Q(region__isnull=True, country__code=region)
        )
    return centers


class AnswerState(TextChoices):
    """Where a center's answers stand, as the centers' table shows and filters them."""

    NOT_STARTED = "not_started", _("not started")
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    LATE = "late", _("submitted late")


# The table's orders; by state, those to chase first.
# The centers abroad after the regions'.
_PLACE = (F("region__name_ru").asc(nulls_last=True), "country__name_ru", "code")
CENTER_ORDERS: dict[str, tuple[Any, ...]] = {
    "place": _PLACE,
    "name": ("name_ru", "code"),  # the name the registry is kept in
    "code": ("code",),
    "state": ("state_rank", *_PLACE),
}
_STATE_RANK = [AnswerState.NOT_STARTED, AnswerState.DRAFT, AnswerState.LATE, AnswerState.SUBMITTED]


def center_rows(
    campaign: Campaign,
    centers: QuerySet,
    *,
    state: str = "",
    search: str = "",
    sort: str = "place",
) -> QuerySet:
    """``centers`` with where their answers stand (``answer_state``, ``reopened_until``), of
    ``state`` (the submitted include those submitted late), whose name, code or address holds
    ``search``, in the order ``sort`` names: the campaign page's table, for the database to
    page."""
    responses = Response.objects.filter(campaign=campaign, center=OuterRef("pk"))
    # Late: submitted after the deadline's day, the form reopened.
    late_from = datetime.datetime.combine(
        campaign.deadline + datetime.timedelta(days=1),
        datetime.time.min,
        tzinfo=timezone.get_current_timezone(),
    )
    rows = centers.annotate(
        response_state=Subquery(responses.values("state")[:1]),
        reopened_until=Subquery(responses.values("reopened_until")[:1]),
        late=Exists(responses.filter(state=Response.State.SUBMITTED, submitted_at__gte=late_from)),
    ).annotate(
        answer_state=Case(
            When(response_state__isnull=True, then=Value(AnswerState.NOT_STARTED.value)),
            When(response_state=Response.State.DRAFT, then=Value(AnswerState.DRAFT.value)),
            When(late=True, then=Value(AnswerState.LATE.value)),
            default=Value(AnswerState.SUBMITTED.value),
        ),
        state_rank=Case(
            *(When(answer_state=s.value, then=Value(i)) for i, s in enumerate(_STATE_RANK)),
            output_field=IntegerField(),
        ),
    )
    if state == AnswerState.SUBMITTED:
        rows = rows.filter(answer_state__in=[AnswerState.SUBMITTED, AnswerState.LATE])
    elif state:
        rows = rows.filter(answer_state=state)
    if search.strip():
        rows = rows.filter(search_text__contains=normalize_search(search))
    return rows.order_by(*CENTER_ORDERS.get(sort, CENTER_ORDERS["place"]))


# --- results -------------------------------------------------------------------------------


@dataclass
class Figures:
    """One indicator's submitted answers over a group of centers."""

    label: str
    code: str = ""  # the area's, as ``Completion.code``
    answers: int = 0
    total: Decimal = Decimal(0)
    yes: int = 0
    no: int = 0
    choices: dict[str, int] = field(default_factory=dict)

    @property
    def average(self) -> Decimal | None:
        return (self.total / self.answers).quantize(Decimal("0.01")) if self.answers else None

    def absorb(self, other: "Figures") -> None:
        self.answers += other.answers
        self.total += other.total
        self.yes += other.yes
        self.no += other.no
        for value, count in other.choices.items():
            self.choices[value] = self.choices.get(value, 0) + count


@dataclass
class IndicatorResult:
    indicator: Indicator
    overall: Figures
    by_district: list[Figures]
    by_region: list[Figures]
    by_center: list[tuple[Center, Answer]]

    def choice_counts(self, figures: Figures) -> list[tuple[str, int]]:
        return [
            (label, figures.choices.get(value, 0)) for value, label in self.indicator.choice_pairs()
        ]

    @property
    def overall_choices(self) -> list[tuple[str, int]]:
        return self.choice_counts(self.overall)


def campaign_results(
    campaign: Campaign, centers: QuerySet | list[Center], *, by_center: bool = False
) -> list[IndicatorResult]:
    """Every indicator over the submitted answers of ``centers``: overall, by federal district
    and by region, counted by the database a row a region (whatever the number of centers);
    with ``by_center``, each center's answer too (a region's page)."""
    answers = Answer.objects.filter(
        response__campaign=campaign,
        response__state=Response.State.SUBMITTED,
        response__center__in=centers,
    )
    place = ("indicator_id", "response__center__region_id", "response__center__country_id")
    counts = list(
        answers.order_by()
        .values(*place)
        .annotate(
            answers=Count("pk"),
            total=Sum("number"),
            yes=Count("pk", filter=Q(flag=True)),
            no=Count("pk", filter=Q(flag=False)),
        )
    )
    choices: dict[tuple[Any, ...], dict[str, int]] = defaultdict(dict)
    for row in (
        answers.filter(indicator__type=Indicator.Type.CHOICE)
        .order_by()
        .values(*place, "text")
        .annotate(count=Count("pk"))
    ):
        choices[tuple(row[k] for k in place)][row["text"]] = row["count"]
    regions = Region.objects.select_related("federal_district").in_bulk(
        {row[place[1]] for row in counts if row[place[1]]}
    )
    countries = Country.objects.in_bulk({row[place[2]] for row in counts if row[place[2]]})
    by_indicator: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in counts:
        by_indicator[row["indicator_id"]].append(row)
    center_rows: dict[int, list[tuple[Center, Answer]]] = defaultdict(list)
    if by_center:
        for answer in answers.select_related("response__center").order_by("response__center__code"):
            center_rows[answer.indicator_id].append((answer.response.center, answer))
    results = []
    for indicator in campaign.indicators.all():
        overall = Figures("")
        districts: dict[str, Figures] = {}
        areas: dict[str, Figures] = {}
        for row in by_indicator.get(indicator.pk, []):
            region = regions.get(row[place[1]])
            country = None if region is not None else countries.get(row[place[2]])
            (district_code, district), (area_code, area) = _place(region, country)
            figures = Figures(
                "",
                answers=row["answers"],
                total=row["total"] or Decimal(0),
                yes=row["yes"],
                no=row["no"],
                choices=choices.get(tuple(row[k] for k in place), {}),
            )
            overall.absorb(figures)
            districts.setdefault(district_code, Figures(district, district_code)).absorb(figures)
            areas.setdefault(area_code, Figures(area, area_code)).absorb(figures)
        for _center, answer in center_rows[indicator.pk]:
            answer.indicator = indicator
        results.append(
            IndicatorResult(
                indicator,
                overall,
                sorted(districts.values(), key=lambda f: (f.code == ABROAD, f.label)),
                sorted(areas.values(), key=lambda f: f.label),
                center_rows[indicator.pk],
            )
        )
    return results


def answers_by_center(campaign: Campaign, centers: list[Center]) -> dict[int, dict[int, Answer]]:
    """center id → indicator id → answer, of the responses of ``centers`` (one query)."""
    table: dict[int, dict[int, Answer]] = defaultdict(dict)
    for answer in Answer.objects.filter(
        response__campaign=campaign, response__center__in=[c.pk for c in centers]
    ).select_related("response"):
        table[answer.response.center_id][answer.indicator_id] = answer
    return table


# --- what Libranet knows already -------------------------------------------------------------


def known_figures(campaign: Campaign, center: Center) -> dict[int, int]:
    """indicator id → the figure Libranet has for ``center`` (its ``source``): usage over the
    campaign's period (the days rolled up so far), workstations and networks as registered."""
    indicators = [i for i in campaign.indicators.all() if i.source]
    if not indicators:
        return {}
    metrics = {USAGE_SOURCES[i.source] for i in indicators if i.source in USAGE_SOURCES}
    usage: dict[int, int] = {}
    if metrics:
        usage = {
            row["metric"]: row["total"] or 0
            for row in DailyCenterUsage.objects.filter(
                center=center,
                metric__in=metrics,
                day__gte=campaign.period_start,
                day__lte=campaign.period_end,
            )
            .values("metric")
            .annotate(total=Sum("value"))
            .order_by()
        }
    figures: dict[int, int] = {}
    for indicator in indicators:
        if indicator.source in USAGE_SOURCES:
            figures[indicator.pk] = int(usage.get(USAGE_SOURCES[indicator.source], 0))
        elif indicator.source == Indicator.Source.WORKSTATIONS:
            figures[indicator.pk] = Workstation.objects.filter(
                center=center, revoked_at__isnull=True
            ).count()
        elif indicator.source == Indicator.Source.NETWORKS:
            figures[indicator.pk] = CenterNetwork.objects.filter(center=center).count()
    return figures


def response_of(campaign: Campaign, center: Center) -> Response | None:
    return (
        Response.objects.filter(campaign=campaign, center=center)
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.all()))
        .first()
    )


def pending_for(user: Any, today: datetime.date) -> list[tuple[Campaign, int, int]]:
    """The campaigns taking answers today from centers of ``user``'s scope, each with how many
    of those centers submitted and how many it asks: the dashboard's lines."""
    rows = []
    for campaign in campaigns_for(user).filter(
        state=Campaign.State.OPEN, opens_on__lte=today, deadline__gte=today
    ):
        progress = campaign_progress(campaign, campaign_centers_for(user))
        if progress.total:
            rows.append((campaign, progress.submitted, progress.total))
    return rows
