"""The statistics drill-down: the network by federal district (and its centers abroad), a
district by region, a region (or a country) by center, a center by month.

Every figure of a level is a sum over periods of days read in a few GROUP BY queries from the
roll-ups' summaries: a whole month from the monthly rows, a part of a month (a month still
running, and the same days of the months it is compared with) from the daily rows. The whole
network is read from the area summaries (a few thousand rows, whatever the number of centers);
a narrower scope (a regional head's, an operator's) from its centers' own rows, which are few.

A month in progress is compared like for like: its days 1..N with days 1..N of the month before
and of the same month a year before.
"""

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Count, IntegerField, Min, Model, Q, QuerySet, Sum, Value
from django.utils.translation import gettext_lazy as _

from libranet.network.models import Center, Country, FederalDistrict, Region

from .models import (
    DailyAreaUsage,
    DailyCenterUsage,
    Metric,
    MonthlyAreaUsage,
    MonthlyCenterUsage,
)
from .reports import (
    MONTHLY_INDICATORS,
    Change,
    add_months,
    check_month,
    last_day_counted,
    month_end,
)

HISTORY_MONTHS = (12, 24)  # the lengths of a center's history the page offers
FOREIGN = "foreign"  # the key of the network's centers abroad, beside the districts

# The columns a table sorts by, as the query names them (``?sort=sessions``, ``-sessions``).
COLUMN_KEYS: dict[Metric, str] = {
    Metric.SESSIONS: "sessions",
    Metric.SEARCHES_PLATFORM: "searches",
    Metric.TOTAL_ITEM_INVESTIGATIONS: "views",
    Metric.TOTAL_ITEM_REQUESTS: "requests",
    Metric.UNIQUE_ITEM_REQUESTS: "unique_requests",
    Metric.NO_LICENSE: "denials",
}
SORT_KEYS = ("name", "code", *COLUMN_KEYS.values(), "zero")


class Level(StrEnum):
    NETWORK = "network"  # rows: the federal districts, and the centers abroad as one group
    DISTRICT = "district"  # rows: the district's regions
    FOREIGN = "foreign"  # rows: the countries with centers
    REGION = "region"  # rows: the region's centers
    COUNTRY = "country"  # rows: the country's centers
    CENTER = "center"  # a center's months


# The level each level's rows open.
CHILD_LEVEL = {
    Level.NETWORK: Level.DISTRICT,
    Level.DISTRICT: Level.REGION,
    Level.FOREIGN: Level.COUNTRY,
    Level.REGION: Level.CENTER,
    Level.COUNTRY: Level.CENTER,
}


class UnknownArea(LookupError):
    """The level's code names nothing in the reader's scope."""


@dataclass(frozen=True)
class Span:
    first: datetime.date
    last: datetime.date

    @property
    def whole_month(self) -> bool:
        return self.first.day == 1 and self.last == month_end(self.first)


@dataclass(frozen=True)
class Periods:
    """The month shown (through ``current.last``) and what it is compared with."""

    month: datetime.date
    current: Span
    previous: Span  # the month before: whole, or its days 1..N while ``month`` runs
    year_before: Span  # the same month a year before, likewise

    @property
    def complete(self) -> bool:
        return self.current.whole_month

    @property
    def spans(self) -> tuple[Span, Span, Span]:
        return (self.current, self.previous, self.year_before)


def _same_days(month: datetime.date, days: int) -> Span:
    return Span(month, min(month + datetime.timedelta(days=days - 1), month_end(month)))


def periods_for(month: datetime.date) -> Periods:
    """``month`` through its last counted day (yesterday while it runs), and its bases: whole
    months for a whole month, the same days 1..N for a month in progress."""
    month = check_month(month)
    last = last_day_counted(month)
    before, year_before = add_months(month, -1), add_months(month, -12)
    if last == month_end(month):
        return Periods(
            month,
            Span(month, last),
            Span(before, month_end(before)),
            Span(year_before, month_end(year_before)),
        )
    return Periods(
        month, Span(month, last), _same_days(before, last.day), _same_days(year_before, last.day)
    )


@dataclass(frozen=True)
class Cell:
    metric: Metric
    value: int
    previous: Change  # against the month before (its same days while the month runs)
    year_before: Change  # against the same month a year before (likewise)


@dataclass
class Row:
    """One row of a level's table: a district, region, country or center (or the total)."""

    key: str  # the code the next level's URL takes; FOREIGN for the centers abroad
    name: str
    short: str  # what a chart's axis has room for
    level: Level | None  # the level this row opens, None when it opens nothing
    sums: list[dict[int, int]] = field(default_factory=lambda: [{}, {}, {}])
    centers: int = 0  # open during the month
    at_zero: int = 0  # of those, the ones with none of the chosen indicator
    pinned_last: bool = False  # the centers abroad follow the districts in name order
    region_code: str = ""  # for the choropleth (ISO 3166-2)
    parent: Model | None = None  # a region's district

    def cells(self, indicators: list[Metric]) -> list[Cell]:
        current, before, year_before = self.sums
        return [
            Cell(
                m,
                current.get(m, 0),
                Change.between(current.get(m, 0), before.get(m, 0)),
                Change.between(current.get(m, 0), year_before.get(m, 0)),
            )
            for m in indicators
        ]

    def value(self, metric: Metric) -> int:
        return self.sums[0].get(metric, 0)

    @property
    def zero_share(self) -> float | None:
        return self.at_zero / self.centers if self.centers else None

    def add(self, other: "Row") -> None:
        for mine, theirs in zip(self.sums, other.sums, strict=True):
            for metric, value in theirs.items():
                mine[metric] = mine.get(metric, 0) + value
        self.centers += other.centers
        self.at_zero += other.at_zero


@dataclass(frozen=True)
class LevelFigures:
    level: Level
    area: Model | None  # the district, region, country or center shown; None for the network
    periods: Periods
    indicators: list[Metric]
    metric: Metric  # the chosen indicator (charts, lists, the share at zero)
    rows: list[Row]
    total: Row
    regions: list[Row]  # each region's row (the choropleth, the network's top and bottom)
    series: list[tuple[datetime.date, dict[int, int]]]  # month, sums; oldest first


def _open_in(month: datetime.date) -> Q:
    """Centers open during ``month`` by their card (as ``monthly_indicators`` counts them)."""
    return Q(opened_on__lte=month_end(month)) & (Q(closed_on__isnull=True) | Q(closed_on__gt=month))


def whole_network(scope: QuerySet) -> bool:
    return not scope.query.where


def _sums(
    scope: QuerySet,
    spans: list[Span],
    group: tuple[str, ...],
    where: dict[str, object],
    *,
    by_center: bool,
    indicators: list[Metric],
) -> dict[tuple, list[dict[int, int]]]:
    """{group values: [per span {metric: sum}]}: one query, a GROUP BY per span in a UNION ALL.
    ``group`` and ``where`` name a center's fields (``region_id``); the area summaries
    serve the whole network when no center needs to be told apart. The centers' rows are read
    through the list of the centers wanted, which their index on the center serves."""
    areas = whole_network(scope) and not by_center
    if areas:
        keys = group
    else:
        keys = tuple("center_id" if field == "id" else f"center__{field}" for field in group)
        wanted = scope.filter(**where).values("pk")
    parts = []
    for index, span in enumerate(spans):
        if areas:
            rows: QuerySet = (
                MonthlyAreaUsage.objects.filter(month=span.first)
                if span.whole_month
                else DailyAreaUsage.objects.filter(day__gte=span.first, day__lte=span.last)
            ).filter(**where)
        else:
            rows = (
                MonthlyCenterUsage.objects.filter(month=span.first)
                if span.whole_month
                else DailyCenterUsage.objects.filter(day__gte=span.first, day__lte=span.last)
            ).filter(center_id__in=wanted)
        parts.append(
            rows.filter(metric__in=indicators)
            .annotate(period=Value(index, output_field=IntegerField()))
            .values(*keys, "period", "metric")
            .annotate(total=Sum("value"))
            .order_by()
        )
    sums: dict[tuple, list[dict[int, int]]] = {}
    for row in parts[0].union(*parts[1:], all=True):
        per_span = sums.setdefault(tuple(row[k] for k in keys), [{} for _ in spans])
        per_span[row["period"]][row["metric"]] = row["total"]
    return sums


def _counts(
    scope: QuerySet, month: datetime.date, where: dict[str, object], metric: Metric
) -> dict[tuple, tuple[int, int]]:
    """{(region id, country id): (centers open during the month, those with none of
    ``metric``)}: the open centers counted, then the month's rows of those with some."""
    open_centers = scope.filter(**where).filter(_open_in(month))
    counts = {
        (row["region_id"], row["country_id"]): row["open"]
        for row in open_centers.values("region_id", "country_id")
        .annotate(open=Count("pk"))
        .order_by()
    }
    rows = MonthlyCenterUsage.objects.filter(month=month, metric=metric, value__gt=0)
    if whole_network(scope):
        rows = rows.filter(**{f"center__{k}": v for k, v in where.items()}).filter(
            Q(center__opened_on__lte=month_end(month))
            & (Q(center__closed_on__isnull=True) | Q(center__closed_on__gt=month))
        )
    else:
        rows = rows.filter(center_id__in=open_centers.values("pk"))
    used = {
        (row["center__region_id"], row["center__country_id"]): row["used"]
        for row in rows.values("center__region_id", "center__country_id")
        .annotate(used=Count("pk"))
        .order_by()
    }
    return {key: (count, count - used.get(key, 0)) for key, count in counts.items()}


def short_name(name: str) -> str:
    """A district's or region's name as a chart's axis has room for: "Центральный", "Тверская
    обл.", "Chuvash Rep." (the full name goes in the chart's tooltip)."""
    for long, short in (
        (" федеральный округ", ""),
        (" Federal District", ""),
        ("область", "обл."),
        ("Республика", "Респ."),
        ("автономный округ", "АО"),
        ("Oblast", "Obl."),
        ("Republic", "Rep."),
        ("Autonomous Okrug", "AO"),
    ):
        name = name.replace(long, short)
    return name.strip()


def _region_rows(
    scope: QuerySet,
    periods: Periods,
    where: dict[str, object],
    metric: Metric,
    indicators: list[Metric],
) -> tuple[list[Row], list[Row]]:
    """The regions' rows and the countries' rows within ``where``."""
    area = ("region_id", "country_id")
    sums = _sums(scope, list(periods.spans), area, where, by_center=False, indicators=indicators)
    counts = _counts(scope, periods.month, where, metric)
    regions: dict[object, list[dict[int, int]]] = {}
    countries: dict[object, list[dict[int, int]]] = {}
    for (region, country), per_span in sums.items():
        if region is not None:
            regions[region] = per_span
        elif country is not None:
            countries[country] = per_span
    region_counts = {region: n for (region, _c), n in counts.items() if region is not None}
    country_counts = {country: n for (_r, country), n in counts.items() if country is not None}
    region_rows = []
    wanted = set(regions) | set(region_counts)
    for region in Region.objects.filter(pk__in=wanted).select_related("federal_district"):
        row = Row(region.code, region.name, short_name(region.name), Level.REGION)
        row.sums = regions.get(region.pk, row.sums)
        row.centers, row.at_zero = region_counts.get(region.pk, (0, 0))
        row.region_code = region.code
        row.parent = region.federal_district
        region_rows.append(row)
    country_rows = []
    wanted = set(countries) | set(country_counts)
    for country in Country.objects.filter(pk__in=wanted):
        row = Row(country.code, country.name, country.name, Level.COUNTRY)
        row.sums = countries.get(country.pk, row.sums)
        row.centers, row.at_zero = country_counts.get(country.pk, (0, 0))
        country_rows.append(row)
    return region_rows, country_rows


def _center_rows(
    scope: QuerySet,
    periods: Periods,
    where: dict[str, object],
    metric: Metric,
    indicators: list[Metric],
) -> list[Row]:
    sums = _sums(scope, list(periods.spans), ("id",), where, by_center=True, indicators=indicators)
    used = set(
        MonthlyCenterUsage.objects.filter(
            month=periods.month,
            metric=metric,
            value__gt=0,
            center_id__in=scope.filter(**where).values("pk"),
        ).values_list("center_id", flat=True)
    )
    centers = (
        scope.filter(**where)
        .filter(_open_in(periods.month) | Q(pk__in=[key[0] for key in sums]))
        .only("code", "name_ru", "name_en", "opened_on", "closed_on")
    )
    rows = []
    for center in centers:
        row = Row(center.code, center.name, center.code, Level.CENTER)
        row.sums = sums.get((center.pk,), row.sums)
        is_open = bool(
            center.opened_on
            and center.opened_on <= month_end(periods.month)
            and (center.closed_on is None or center.closed_on > periods.month)
        )
        row.centers = int(is_open)
        row.at_zero = int(is_open and center.pk not in used)
        rows.append(row)
    return rows


def _series(
    scope: QuerySet,
    periods: Periods,
    where: dict[str, object],
    indicators: list[Metric],
    months: int,
    *,
    by_center: bool,
) -> list[tuple[datetime.date, dict[int, int]]]:
    """The scope's sums per month, the ``months`` months ending with the month shown (through
    its last counted day); whole months from the monthly summaries, in one query."""
    first = add_months(periods.month, 1 - months)
    complete = [add_months(first, n) for n in range(months)]
    running = None if periods.complete else complete.pop()
    spans = [Span(m, month_end(m)) for m in complete]
    if running is not None:
        spans.append(periods.current)
    # Grouped by the month itself: the spans' index is the month's.
    areas = whole_network(scope) and not by_center
    table = MonthlyAreaUsage if areas else MonthlyCenterUsage
    rows = table.objects.filter(month__gte=first, month__lte=complete[-1] if complete else first)
    if areas:
        rows = rows.filter(**where)
    else:
        rows = rows.filter(center_id__in=scope.filter(**where).values("pk"))
    values: dict[datetime.date, dict[int, int]] = {span.first: {} for span in spans}
    for row in (
        rows.filter(metric__in=indicators)
        .values("month", "metric")
        .annotate(total=Sum("value"))
        .order_by()
    ):
        if row["month"] in values and (running is None or row["month"] != running):
            values[row["month"]][row["metric"]] = row["total"]
    if running is not None:
        group = ("id",) if by_center else ("region_id",)
        sums = _sums(
            scope, [periods.current], group, where, by_center=by_center, indicators=indicators
        )
        for per_span in sums.values():
            for metric, value in per_span[0].items():
                values[running][metric] = values[running].get(metric, 0) + value
    return list(values.items())


def _total(rows: list[Row]) -> Row:
    total = Row("", str(_("Total")), "", None)
    for row in rows:
        total.add(row)
    return total


def _area(level: Level, code: str, scope: QuerySet) -> tuple[Model | None, dict[str, object]]:
    """The area a level shows and the filter on a center's fields that selects it."""
    if level == Level.NETWORK:
        return None, {}
    if level == Level.FOREIGN:
        return None, {"country__isnull": False}
    model, key = {
        Level.DISTRICT: (FederalDistrict, "region__federal_district"),
        Level.REGION: (Region, "region"),
        Level.COUNTRY: (Country, "country"),
        Level.CENTER: (Center, "id"),
    }[level]
    area = model.objects.filter(code=code).first()
    # A reader sees an area only where they see a center of it.
    value = area.pk if area is not None and key == "id" else area
    if area is None or not scope.filter(**{key: value}).exists():
        raise UnknownArea(code)
    return area, {key: value}


def level_figures(
    *, level: Level, code: str = "", month: datetime.date, scope: QuerySet, metric: Metric
) -> LevelFigures:
    """A level's rows with their figures for ``month`` (both changes each), their total, each
    region's row (for the choropleth and the lists), and the scope's trend over 13 months.

    ``scope`` is the centers the reader may see (``centers_for(user, VIEW_USAGE)``); every
    figure counts only those. Raises ``UnknownArea`` for a code outside it, and ``ValueError``
    for a month without figures (``check_month``)."""
    periods = periods_for(month)
    indicators = list(MONTHLY_INDICATORS)
    area, where = _area(level, code, scope)
    regions: list[Row] = []
    if level in (Level.REGION, Level.COUNTRY):
        rows = _center_rows(scope, periods, where, metric, indicators)
    else:
        regions, countries = _region_rows(scope, periods, where, metric, indicators)
        if level == Level.NETWORK:
            rows = _district_rows(regions, countries)
        else:
            rows = regions if level == Level.DISTRICT else countries
    series = _series(scope, periods, where, indicators, 13, by_center=False)
    return LevelFigures(
        level=level,
        area=area,
        periods=periods,
        indicators=indicators,
        metric=metric,
        rows=rows,
        total=_total(rows),
        regions=regions,
        series=series,
    )


def _district_rows(regions: list[Row], countries: list[Row]) -> list[Row]:
    districts: dict[str, Row] = {}
    for region in regions:
        district = region.parent
        assert isinstance(district, FederalDistrict)
        row = districts.get(district.code)
        if row is None:
            row = districts[district.code] = Row(
                district.code, district.name, short_name(district.name), Level.DISTRICT
            )
        row.add(region)
    rows = list(districts.values())
    if countries:
        abroad = Row(FOREIGN, str(_("Centers abroad")), str(_("Abroad")), Level.FOREIGN)
        abroad.pinned_last = True
        for country in countries:
            abroad.add(country)
        rows.append(abroad)
    return rows


@dataclass(frozen=True)
class HistoryMonth:
    month: datetime.date
    span: Span  # the days counted: the whole month, or 1..N while it runs
    cells: list[Cell]


@dataclass(frozen=True)
class CenterHistory:
    center: Center
    periods: Periods
    indicators: list[Metric]
    figures: Row  # the month shown, against its bases
    months: list[HistoryMonth]  # newest first


def center_history(
    *, code: str, month: datetime.date, months: int, scope: QuerySet
) -> CenterHistory:
    """A center's figures for ``month`` and the ``months`` months ending with it, each against
    the month before and the same month a year before (like for like while a month runs)."""
    periods = periods_for(month)
    indicators = list(MONTHLY_INDICATORS)
    center, where = _area(Level.CENTER, code, scope)
    assert isinstance(center, Center)
    figures = Row(center.code, center.name, center.code, None)
    sums = _sums(scope, list(periods.spans), ("id",), where, by_center=True, indicators=indicators)
    figures.sums = sums.get((center.pk,), figures.sums)
    first = add_months(periods.month, 1 - months - 12)  # a year more, for the first's base
    monthly: dict[datetime.date, dict[int, int]] = {}
    for row in MonthlyCenterUsage.objects.filter(
        center_id=center.pk, month__gte=first, month__lte=periods.month, metric__in=indicators
    ).values("month", "metric", "value"):
        monthly.setdefault(row["month"], {})[row["metric"]] = row["value"]
    history = []
    for n in range(months):
        shown = add_months(periods.month, -n)
        if shown == periods.month and not periods.complete:
            history.append(HistoryMonth(shown, periods.current, figures.cells(indicators)))
            continue
        row = Row("", "", "", None)
        row.sums = [
            monthly.get(m, {}) for m in (shown, add_months(shown, -1), add_months(shown, -12))
        ]
        history.append(HistoryMonth(shown, Span(shown, month_end(shown)), row.cells(indicators)))
    return CenterHistory(center, periods, indicators, figures, history)


def sort_rows(rows: list[Row], sort: str) -> list[Row]:
    """``rows`` in the order of the column ``sort`` names (``-`` before it: descending); by
    name within equal figures. Raises ``ValueError`` for a column the tables do not have."""
    descending = sort.startswith("-")
    column = sort.removeprefix("-")
    if column not in SORT_KEYS:
        raise ValueError(column)
    by_name = sorted(rows, key=lambda row: (row.name.casefold(), row.key))
    metrics = {key: metric for metric, key in COLUMN_KEYS.items()}
    if column == "name":
        ordered = sorted(by_name, key=lambda row: row.pinned_last)
        return ordered[::-1] if descending else ordered
    if column == "code":
        key = lambda row: row.key  # noqa: E731
    elif column == "zero":
        key = lambda row: -1.0 if row.zero_share is None else row.zero_share  # noqa: E731
    else:
        key = lambda row: row.value(metrics[column])  # noqa: E731
    return sorted(by_name, key=key, reverse=descending)


def top_and_bottom(rows: list[Row], metric: Metric, count: int = 10) -> tuple[list[Row], list[Row]]:
    """The ``count`` rows with the most of ``metric`` and the ``count`` with the least (among
    those with open centers), or nothing when there are too few rows to rank."""
    ranked = sorted(
        (row for row in rows if row.centers),
        key=lambda row: (-row.value(metric), row.name.casefold()),
    )
    if len(ranked) <= count:
        return [], []
    return ranked[:count], ranked[::-1][:count]


def start_level(scope: QuerySet) -> tuple[Level, str]:
    """Where a reader's statistics open: the network for those who see all of it, a regional
    head's region, the countries for those who see the centers abroad; a scope of one center
    (an operator's) at that center's history."""
    if whole_network(scope):
        return Level.NETWORK, ""
    seen = scope.aggregate(
        centers=Count("pk"),
        regions=Count("region", distinct=True),
        abroad=Count("pk", filter=Q(country__isnull=False)),
        first=Min("code"),
        region=Min("region__code"),
    )
    if seen["centers"] == 1:
        return Level.CENTER, seen["first"]
    if seen["abroad"] == 0 and seen["regions"] == 1:
        return Level.REGION, seen["region"]
    if seen["abroad"] == seen["centers"] and seen["centers"]:
        return Level.FOREIGN, ""
    return Level.NETWORK, ""
