"""The usage reports staff read: monthly indicators with their trends, and the zero-usage report.

Both read the daily roll-ups (``DailyCenterUsage``) only, in a few GROUP BY queries over ranges
of the indexed ``day`` column; every metric is additive over days, so a month's figure is the
sum of its days. Each takes ``centers``, the scope the reader may see (``centers_for(user,
Capability.VIEW_USAGE)``); ``None`` means the whole network.

The zero-usage report (issue 5, the 2020 resolution's monthly mailing) judges a center only on
the days of the month it was open, read from its dated status history: a status change takes
effect on its date, so a center closed on the 20th was open through the 19th. A center with no
history at all (rows made outside the services) falls back on its card: open from ``opened_on``
until the day before ``closed_on``, or, without an opening date, open throughout if its status
is open. It judges every kind of center in the scope (regional centers and foreign centers too);
the mailing to a regional center lists the centers of its group, without its own row.
"""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import IntegerField, Q, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from libranet.dates import month_text
from libranet.network.models import Center, CenterStatusChange, Country

from .models import DailyCenterUsage, Metric

Status = Center.Status

# What staff call each metric; COUNTER's names (the Metric labels) stay in exports' headers
# next to these, since that is what libraries compare with.
INDICATOR_NAMES: dict[Metric, Promise] = {
    Metric.SESSIONS: _("Sessions"),
    Metric.SEARCHES_PLATFORM: _("Searches"),
    Metric.SEARCHES_REGULAR: _("Searches in databases"),
    Metric.TOTAL_ITEM_INVESTIGATIONS: _("Record views"),
    Metric.UNIQUE_ITEM_INVESTIGATIONS: _("Unique record views"),
    Metric.UNIQUE_TITLE_INVESTIGATIONS: _("Unique title views"),
    Metric.TOTAL_ITEM_REQUESTS: _("File requests"),
    Metric.UNIQUE_ITEM_REQUESTS: _("Unique file requests"),
    Metric.UNIQUE_TITLE_REQUESTS: _("Unique title requests"),
    Metric.NO_LICENSE: _("Denials"),
}

# The monthly indicators, in the order pages and exports show them. Searches are counted at the
# platform level (COUNTER's Searches_Platform): the network is one platform.
MONTHLY_INDICATORS: tuple[Metric, ...] = (
    Metric.SESSIONS,
    Metric.SEARCHES_PLATFORM,
    Metric.TOTAL_ITEM_INVESTIGATIONS,
    Metric.TOTAL_ITEM_REQUESTS,
    Metric.UNIQUE_ITEM_REQUESTS,
    Metric.NO_LICENSE,
)

GROUPINGS: dict[str, Promise] = {
    "center": _("center"),
    "region": _("region"),
    "district": _("federal district"),
    "country": _("country"),
}

SERIES_MONTHS = 13  # the month and the twelve before it: a year's trend with both ends shown
# A long OR of day ranges is split into queries of this many (SQLite's expression depth).
_RANGES_PER_QUERY = 200


# --- months --------------------------------------------------------------------------------


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month ``count`` months after ``month`` (before, when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def last_day_counted(month: datetime.date) -> datetime.date:
    """The last day of ``month`` whose figures are whole: its last day, or yesterday while it
    runs. Today's events are still arriving (the roll-up counts today again on each run), so a
    running month's figures stop at yesterday, and say so."""
    return min(month_end(month), timezone.localdate() - datetime.timedelta(days=1))


def check_month(month: datetime.date) -> datetime.date:
    """The month's first day, once at least one of its days is over: a month that has not
    begun, or whose first day is today, has no figures yet."""
    month = month_start(month)
    latest = month_start(timezone.localdate() - datetime.timedelta(days=1))
    if month > latest:
        if month > month_start(timezone.localdate()):
            message = _("{month} has not begun yet: choose {latest} or an earlier month.")
        else:
            message = _(
                "{month} began today: its first day is counted once it is over; choose "
                "{latest} or an earlier month."
            )
        raise ValueError(message.format(month=month_text(month), latest=month_text(latest)))
    return month


# --- the zero-usage report -------------------------------------------------------------------


@dataclass(frozen=True)
class ZeroUsageRow:
    center: Center
    days_open: int
    values: dict[Metric, int]  # each indicator summed over the days the center was open
    zero: list[Metric]  # the indicators that were zero


@dataclass(frozen=True)
class ZeroUsageGroup:
    regional_center: Center | None  # None: centers coordinated by no regional center
    rows: list[ZeroUsageRow]


@dataclass(frozen=True)
class ZeroUsageReport:
    month: datetime.date
    indicators: list[Metric]
    groups: list[ZeroUsageGroup]
    centers_judged: int  # centers open on at least one day of the month
    # The last day judged: the month's last day, or yesterday while the month is running (a day
    # is judged once it is over).
    last_day: datetime.date

    @property
    def complete(self) -> bool:
        """Whether the month is over: its figures cover all its days."""
        return self.last_day == month_end(self.month)


def zero_usage_indicators() -> list[Metric]:
    """``LIBRANET_ZERO_USAGE_INDICATORS`` as metrics, by their COUNTER names."""
    by_name = {m.label: m for m in Metric}
    names = list(settings.LIBRANET_ZERO_USAGE_INDICATORS)
    unknown = [n for n in names if n not in by_name]
    if unknown or not names:
        raise ImproperlyConfigured(
            "LIBRANET_ZERO_USAGE_INDICATORS must name one or more of "
            f"{', '.join(by_name)}; unknown: {', '.join(unknown) or '(none given)'}"
        )
    return [by_name[n] for n in names]


def open_periods(
    center: Center,
    history: list[tuple[datetime.date, str]],
    first: datetime.date,
    last: datetime.date,
) -> list[tuple[datetime.date, datetime.date]]:
    """The runs of days in ``first``..``last`` (inclusive) on which ``center`` was open.

    ``history`` is its status changes (date, status) in the order they were made; a day's
    status is the last change dated on or before it."""
    if history:
        changes = history
    elif center.opened_on:
        changes = [(center.opened_on, Status.OPEN)]
        if center.closed_on:
            changes.append((center.closed_on, Status.CLOSED))
    elif center.status == Status.OPEN:
        changes = [(datetime.date.min, Status.OPEN)]
    else:
        changes = []
    periods: list[tuple[datetime.date, datetime.date]] = []
    for index, (since, status) in enumerate(changes):
        if status != Status.OPEN:
            continue
        until = datetime.date.max
        if index + 1 < len(changes):
            following = changes[index + 1][0]
            if following <= since:  # superseded the same day
                continue
            until = following - datetime.timedelta(days=1)
        start, end = max(since, first), min(until, last)
        if start > end:
            continue
        if periods and periods[-1][1] >= start - datetime.timedelta(days=1):
            periods[-1] = (periods[-1][0], max(periods[-1][1], end))  # reopened the next day
        else:
            periods.append((start, end))
    return periods


def _status_histories(
    centers: QuerySet, until: datetime.date
) -> dict[int, list[tuple[datetime.date, str]]]:
    histories: dict[int, list[tuple[datetime.date, str]]] = defaultdict(list)
    changes = (
        CenterStatusChange.objects.filter(center__in=centers.values("pk"), changed_on__lte=until)
        .order_by("center_id", "changed_on", "id")
        .values_list("center_id", "changed_on", "status")
    )
    for center_id, changed_on, status in changes:
        histories[center_id].append((changed_on, status))
    return histories


def _sums_over_periods(
    periods: dict[int, list[tuple[datetime.date, datetime.date]]], metrics: Iterable[Metric]
) -> dict[tuple[int, int], int]:
    """{(center id, metric): sum} over each center's own runs of days, in one query per
    ``_RANGES_PER_QUERY`` runs (a center open all the period is a single run)."""
    conditions = [
        Q(center_id=center_id, day__gte=start, day__lte=end)
        for center_id, runs in periods.items()
        for start, end in runs
    ]
    sums: dict[tuple[int, int], int] = {}
    for offset in range(0, len(conditions), _RANGES_PER_QUERY):
        where = Q()
        for condition in conditions[offset : offset + _RANGES_PER_QUERY]:
            where |= condition
        rows = (
            DailyCenterUsage.objects.filter(where, metric__in=list(metrics))
            .values("center_id", "metric")
            .annotate(total=Sum("value"))
            .order_by()
        )
        for row in rows:
            key = (row["center_id"], row["metric"])
            sums[key] = sums.get(key, 0) + row["total"]
    return sums


def zero_usage(*, month: datetime.date, centers: QuerySet | None = None) -> ZeroUsageReport:
    """The centers of ``centers`` (default: all) that were open during ``month`` and recorded
    zero of any of the configured indicators over the days they were open, grouped by their
    coordinating regional center (a regional center in its own group)."""
    month = check_month(month)
    indicators = zero_usage_indicators()
    last_day = last_day_counted(month)
    scope = Center.objects.all() if centers is None else centers
    candidates = list(scope.select_related("regional_center").order_by("code"))
    histories = _status_histories(scope, last_day)
    periods = {
        c.pk: runs
        for c in candidates
        if (runs := open_periods(c, histories.get(c.pk, []), month, last_day))
    }
    sums = _sums_over_periods(periods, indicators) if periods else {}

    groups: dict[int | None, list[ZeroUsageRow]] = defaultdict(list)
    coordinators: dict[int | None, Center | None] = {None: None}
    for center in candidates:
        open_runs = periods.get(center.pk)
        if not open_runs:
            continue
        values = {m: sums.get((center.pk, m.value), 0) for m in indicators}
        zero = [m for m in indicators if values[m] == 0]
        if not zero:
            continue
        coordinator = center if center.kind == Center.Kind.REGIONAL else center.regional_center
        key = coordinator.pk if coordinator else None
        coordinators[key] = coordinator
        days_open = sum((end - start).days + 1 for start, end in open_runs)
        groups[key].append(ZeroUsageRow(center, days_open, values, zero))

    def group_order(key: int | None) -> tuple[bool, str]:
        coordinator = coordinators[key]
        return (coordinator is None, coordinator.code if coordinator else "")

    for rows in groups.values():  # in code order; the regional center's own row first
        rows.sort(key=lambda row: row.center.kind != Center.Kind.REGIONAL)
    return ZeroUsageReport(
        month=month,
        indicators=indicators,
        groups=[
            ZeroUsageGroup(coordinators[key], rows)
            for key, rows in sorted(groups.items(), key=lambda item: group_order(item[0]))
        ],
        centers_judged=len(periods),
        last_day=last_day,
    )


# --- the monthly indicators ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A figure's change from its base: ``percent`` is None when the base is zero (no ratio)."""

    absolute: int
    percent: float | None

    @classmethod
    def between(cls, value: int, base: int) -> "Change":
        return cls(value - base, (value - base) * 100 / base if base else None)


@dataclass(frozen=True)
class IndicatorCell:
    metric: Metric
    value: int
    month_over_month: Change  # against the month before
    year_over_year: Change  # against the same month a year before


@dataclass(frozen=True)
class IndicatorRow:
    """One group's indicators: a center, a region, a federal district or a country (or the
    total of them all, with an empty ``key``)."""

    key: str  # the center's, region's, district's or country's code
    name: str
    center: Center | None  # set when grouped by center, for links
    cells: list[IndicatorCell]

    def value(self, metric: Metric) -> int:
        return next(cell.value for cell in self.cells if cell.metric == metric)


@dataclass(frozen=True)
class SeriesPoint:
    month: datetime.date
    values: dict[Metric, int]  # the scope's totals for that month


@dataclass(frozen=True)
class MonthlyIndicators:
    month: datetime.date
    by: str  # one of GROUPINGS
    indicators: list[Metric]
    rows: list[IndicatorRow]
    total: IndicatorRow
    series: list[SeriesPoint]  # SERIES_MONTHS months, oldest first, ending with ``month``
    previous_month: datetime.date
    previous_year: datetime.date
    last_day: datetime.date  # the month's last day, or yesterday while the month is running

    @property
    def complete(self) -> bool:
        """Whether the month is over: its figures cover all its days."""
        return self.last_day == month_end(self.month)


# What a center counts under, per grouping: (key, name, center for links).
_Group = tuple[str, str, Center | None]


def _grouper(by: str) -> Callable[[Center], _Group]:
    if by == "center":
        return lambda c: (c.code, c.name, c)
    if by == "region":
        # Foreign centers have a country instead of a region: each country is a group.
        return lambda c: (c.region.code, c.region.name, None) if c.region else _country(c)
    if by == "district":
        foreign = ("foreign", str(_("Foreign centers")), None)
        return lambda c: (
            (c.region.federal_district.code, c.region.federal_district.name, None)
            if c.region
            else foreign
        )
    if by == "country":
        russia = Country.objects.filter(code="RU").first()
        home = ("RU", russia.name if russia else str(_("Russia")), None)
        return lambda c: _country(c) if c.country else home
    raise ValueError(
        _("Unknown grouping “{by}”: choose one of {choices}.").format(
            by=by, choices=", ".join(GROUPINGS)
        )
    )


def _usage_of(scope: QuerySet) -> QuerySet:
    """The centers' daily roll-ups. The whole network needs no list of centers, which lets the
    database read a range of days straight from the index on ``day``."""
    if not scope.query.where:
        return DailyCenterUsage.objects.filter(center__isnull=False)
    return DailyCenterUsage.objects.filter(center_id__in=scope.values("pk"))


def _country(center: Center) -> _Group:
    assert center.country is not None  # a foreign center has one (a database constraint)
    return (center.country.code, center.country.name, None)


def _cells(indicators: list[Metric], periods: list[dict[int, int]]) -> list[IndicatorCell]:
    current, before, year_before = periods
    return [
        IndicatorCell(
            metric=m,
            value=current.get(m, 0),
            month_over_month=Change.between(current.get(m, 0), before.get(m, 0)),
            year_over_year=Change.between(current.get(m, 0), year_before.get(m, 0)),
        )
        for m in indicators
    ]


def monthly_indicators(
    *, month: datetime.date, by: str, centers: QuerySet | None = None
) -> MonthlyIndicators:
    """The monthly indicators of the centers of ``centers`` (default: all), grouped ``by``
    center, region, federal district or country, each with its change from the month before
    and from the same month a year before; their total; and the total's monthly series.

    Three queries whatever the size of the network (four by country, which looks up Russia):
    the three months' sums per center (one GROUP BY per range of days, in a UNION ALL), the
    centers shown, the series' sums per day."""
    month = check_month(month)
    group_of = _grouper(by)
    indicators = list(MONTHLY_INDICATORS)
    last_day = last_day_counted(month)
    previous_month, previous_year = add_months(month, -1), add_months(month, -12)
    scope = Center.objects.all() if centers is None else centers
    in_scope = _usage_of(scope).filter(metric__in=indicators)

    # Current month 0, the month before 1, the same month a year before 2: one range each, so
    # that each part reads its days only through the index on ``day``.
    # The month runs to ``last_day`` only: today's roll-up rows are not whole yet.
    ranges = [(month, last_day), (previous_month, month - datetime.timedelta(days=1))]
    ranges.append((previous_year, month_end(previous_year)))
    parts = [
        in_scope.filter(day__gte=first, day__lte=last)
        .annotate(period=Value(period, output_field=IntegerField()))
        .values("center_id", "period", "metric")
        .annotate(total=Sum("value"))
        .order_by()
        for period, (first, last) in enumerate(ranges)
    ]
    per_center = parts[0].union(*parts[1:], all=True)
    sums: dict[int, list[dict[int, int]]] = defaultdict(lambda: [{}, {}, {}])
    for row in per_center:
        sums[row["center_id"]][row["period"]][row["metric"]] = row["total"]

    # A center is shown when it was open during the month (by its card) or has usage to
    # compare; one closed long ago shows only in the months it counted.
    open_in_month = Q(opened_on__lte=month_end(month)) & (
        Q(closed_on__isnull=True) | Q(closed_on__gt=month)
    )
    related = ("region__federal_district", "country") if by != "center" else ()
    shown = scope.filter(open_in_month | Q(pk__in=list(sums))).select_related(*related)

    groups: dict[str, tuple[_Group, list[dict[int, int]]]] = {}
    total: list[dict[int, int]] = [{}, {}, {}]
    for center in shown.order_by("code"):
        group = group_of(center)
        group_sums = groups.setdefault(group[0], (group, [{}, {}, {}]))[1]
        for period, values in enumerate(sums.get(center.pk, [{}, {}, {}])):
            for metric, value in values.items():
                group_sums[period][metric] = group_sums[period].get(metric, 0) + value
                total[period][metric] = total[period].get(metric, 0) + value
    rows = [
        IndicatorRow(key, name, center, _cells(indicators, group_sums))
        for (key, name, center), group_sums in groups.values()
    ]
    if by != "center":
        rows.sort(key=lambda r: (r.name, r.key))

    first_month = add_months(month, 1 - SERIES_MONTHS)
    series = {
        add_months(first_month, i): dict.fromkeys(indicators, 0) for i in range(SERIES_MONTHS)
    }
    # Grouped by day alone (the index's order, no sort), one filtered sum per indicator.
    per_day = (
        in_scope.filter(day__gte=first_month, day__lte=last_day)
        .values("day")
        .annotate(**{f"m{m.value}": Sum("value", filter=Q(metric=m)) for m in indicators})
        .order_by()
    )
    for row in per_day:
        point = series[month_start(row["day"])]
        for m in indicators:
            point[m] += row[f"m{m.value}"] or 0

    return MonthlyIndicators(
        month=month,
        by=by,
        indicators=indicators,
        rows=rows,
        total=IndicatorRow("", str(_("Total")), None, _cells(indicators, total)),
        series=[SeriesPoint(m, values) for m, values in series.items()],
        previous_month=previous_month,
        previous_year=previous_year,
        last_day=last_day,
    )
