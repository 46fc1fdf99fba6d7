"""The statistics drill-down's selectors: levels and their scope, sorting, the like-for-like
comparison of a month in progress, the summaries against the centers' own rows."""

import datetime

import pytest

from libranet.network.models import Center, Region
from libranet.network.permissions import Capability, centers_for
from libranet.usage.models import DailyAreaUsage, DailyCenterUsage, Metric, MonthlyAreaUsage
from libranet.usage.overview import (
    FOREIGN,
    Level,
    Span,
    UnknownArea,
    center_history,
    level_figures,
    periods_for,
    short_name,
    sort_rows,
    start_level,
    top_and_bottom,
)

pytestmark = pytest.mark.django_db

OLD = datetime.date(2020, 1, 1)
MARCH, APRIL = datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)
S = Metric.SESSIONS


@pytest.fixture(autouse=True)
def _mid_april(time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 6, 9, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def network(make_center, tver_rc, penza_rc, daily_usage):
    """Tver: its regional center and a remote one; Penza's regional center; one in Mongolia.
    Sessions in March and in April's first five days, and on 20 March (after April's days)."""
    remote = make_center(code="RU-TVE-0001", name_ru="Центр в Торжке", opened_on=OLD)
    foreign = make_center(code="MN-UB", kind=Center.Kind.FOREIGN, opened_on=OLD)
    Center.objects.filter(pk__in=[tver_rc.pk, penza_rc.pk]).update(opened_on=OLD)
    daily_usage(
        [
            (tver_rc, datetime.date(2026, 3, 2), S, 100),
            (tver_rc, datetime.date(2026, 3, 20), S, 900),  # not among April's days 1..5
            (tver_rc, datetime.date(2026, 4, 3), S, 150),
            (remote, datetime.date(2026, 3, 4), S, 10),
            (penza_rc, datetime.date(2026, 3, 5), S, 7),
            (foreign, datetime.date(2026, 3, 6), S, 3),
            (tver_rc, datetime.date(2025, 3, 10), S, 50),
        ]
    )
    return {"tver_rc": tver_rc, "remote": remote, "penza_rc": penza_rc, "foreign": foreign}


def everyone():
    return Center.objects.all()


def test_periods_of_a_whole_month_and_of_a_month_in_progress():
    march = periods_for(MARCH)
    assert march.complete
    assert march.previous == Span(datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert march.year_before == Span(datetime.date(2025, 3, 1), datetime.date(2025, 3, 31))
    april = periods_for(APRIL)  # 6 April: counted through the 5th
    assert not april.complete
    assert april.current == Span(APRIL, datetime.date(2026, 4, 5))
    assert april.previous == Span(MARCH, datetime.date(2026, 3, 5))
    assert april.year_before == Span(datetime.date(2025, 4, 1), datetime.date(2025, 4, 5))


def test_a_month_in_progress_is_compared_over_the_same_days(network):
    figures = level_figures(level=Level.NETWORK, month=APRIL, scope=everyone(), metric=S)
    cell = figures.total.cells(figures.indicators)[0]
    # 1..5 April: 150; 1..5 March: 100 + 10 + 7 = 117 (the 900 of 20 March is left out).
    assert (cell.value, cell.previous.absolute) == (150, 150 - 117)
    assert round(cell.previous.percent, 1) == 28.2
    center = center_history(code="RU-TVE-RC", month=APRIL, months=12, scope=everyone())
    assert center.months[0].span == Span(APRIL, datetime.date(2026, 4, 5))
    assert center.months[0].cells[0].previous.absolute == 50  # 150 against 100
    assert center.months[1].cells[0].value == 1000  # March whole
    assert center.months[1].cells[0].year_before.absolute == 950


def test_network_level_is_the_districts_and_the_centers_abroad(
    network, django_assert_max_num_queries
):
    with django_assert_max_num_queries(9):
        figures = level_figures(level=Level.NETWORK, month=MARCH, scope=everyone(), metric=S)
    rows = {row.key: (row.value(S), row.centers, row.at_zero) for row in figures.rows}
    assert rows == {"CFD": (1010, 2, 0), "VFD": (7, 1, 0), FOREIGN: (3, 1, 0)}
    assert figures.total.value(S) == 1020
    assert {row.key for row in figures.regions} == {"RU-TVE", "RU-PNZ"}
    series = dict(figures.series)
    assert (
        len(series) == 13
        and series[MARCH][S] == 1020
        and series[datetime.date(2025, 3, 1)][S] == 50
    )


def test_the_summaries_equal_the_centers_rows(network):
    """The area summaries hold what the centers' rows add up to, day by day and by month."""
    for day in DailyCenterUsage.objects.values_list("day", flat=True).distinct():
        centers = sum(DailyCenterUsage.objects.filter(day=day).values_list("value", flat=True))
        areas = sum(DailyAreaUsage.objects.filter(day=day).values_list("value", flat=True))
        assert centers == areas
    assert sum(MonthlyAreaUsage.objects.filter(month=MARCH).values_list("value", flat=True)) == 1020


def test_levels_below_the_network(network):
    district = level_figures(
        level=Level.DISTRICT, code="CFD", month=MARCH, scope=everyone(), metric=S
    )
    assert [(r.key, r.value(S)) for r in district.rows] == [("RU-TVE", 1010)]
    region = level_figures(
        level=Level.REGION, code="RU-TVE", month=MARCH, scope=everyone(), metric=S
    )
    assert {(r.key, r.value(S)) for r in region.rows} == {("RU-TVE-RC", 1000), ("RU-TVE-0001", 10)}
    assert region.rows[0].level == Level.CENTER
    abroad = level_figures(level=Level.FOREIGN, month=MARCH, scope=everyone(), metric=S)
    assert [(r.key, r.value(S)) for r in abroad.rows] == [("MN", 3)]
    country = level_figures(level=Level.COUNTRY, code="MN", month=MARCH, scope=everyone(), metric=S)
    assert [r.key for r in country.rows] == ["MN-UB"]


def test_centers_at_zero_are_counted_per_region(network, make_center):
    make_center(code="RU-TVE-IDLE", opened_on=OLD)
    figures = level_figures(
        level=Level.DISTRICT, code="CFD", month=MARCH, scope=everyone(), metric=S
    )
    (tver,) = figures.rows
    assert (tver.centers, tver.at_zero, tver.zero_share) == (3, 1, 1 / 3)


@pytest.mark.parametrize(
    ("role", "start"),
    [
        ("network_user", (Level.NETWORK, "")),
        ("head_tver", (Level.REGION, "RU-TVE")),
        ("operator_user", (Level.CENTER, "RU-TVE-RC")),
        ("international_user", (Level.FOREIGN, "")),
        ("international_user", (Level.CENTER, "MN-UB")),  # the only center abroad
    ],
)
def test_each_role_starts_at_its_own_level(network, make_center, request, role, start):
    if start == (Level.FOREIGN, ""):
        make_center(code="MN-DA", kind=Center.Kind.FOREIGN, opened_on=OLD)
    user = request.getfixturevalue(role)
    assert start_level(centers_for(user, Capability.VIEW_USAGE)) == start


def test_a_scope_limits_every_level(network, head_tver, operator_user):
    head = centers_for(head_tver, Capability.VIEW_USAGE)
    figures = level_figures(level=Level.NETWORK, month=MARCH, scope=head, metric=S)
    assert [(r.key, r.value(S)) for r in figures.rows] == [("CFD", 1010)]
    with pytest.raises(UnknownArea):
        level_figures(level=Level.REGION, code="RU-PNZ", month=MARCH, scope=head, metric=S)
    operator = centers_for(operator_user, Capability.VIEW_USAGE)
    region = level_figures(level=Level.REGION, code="RU-TVE", month=MARCH, scope=operator, metric=S)
    assert [r.key for r in region.rows] == ["RU-TVE-RC"]
    with pytest.raises(UnknownArea):
        center_history(code="RU-TVE-0001", month=MARCH, months=12, scope=operator)


def test_sorting_by_any_column(network):
    rows = level_figures(level=Level.NETWORK, month=MARCH, scope=everyone(), metric=S).rows
    assert [r.key for r in sort_rows(rows, "-sessions")] == ["CFD", "VFD", FOREIGN]
    assert [r.key for r in sort_rows(rows, "sessions")] == [FOREIGN, "VFD", "CFD"]
    assert sort_rows(rows, "name")[-1].key == FOREIGN  # abroad after the districts
    assert [r.key for r in sort_rows(rows, "code")] == ["CFD", "VFD", FOREIGN]
    with pytest.raises(ValueError, match="planet"):
        sort_rows(rows, "-planet")


def test_top_and_bottom_lists(make_center, daily_usage):
    region = Region.objects.get(code="RU-TVE")
    centers = [make_center(code=f"RU-TVE-{n:04d}", region=region, opened_on=OLD) for n in range(12)]
    daily_usage([(c, datetime.date(2026, 3, 2), S, n + 1) for n, c in enumerate(centers)])
    figures = level_figures(
        level=Level.REGION, code="RU-TVE", month=MARCH, scope=everyone(), metric=S
    )
    top, bottom = top_and_bottom(figures.rows, S)
    assert [r.value(S) for r in top] == list(range(12, 2, -1))
    assert [r.value(S) for r in bottom] == list(range(1, 11))


def test_short_names():
    assert short_name("Центральный федеральный округ") == "Центральный"
    assert short_name("Тверская область") == "Тверская обл."
    assert short_name("Chuvash Republic") == "Chuvash Rep."
