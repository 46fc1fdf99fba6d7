"""Monthly indicators against hand-computed figures: groupings, scope, month-over-month and
year-over-year changes, the series for the charts."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from libranet.network.models import Center, Country, Region
from libranet.network.permissions import Capability, centers_for
from libranet.usage.models import DailyCenterUsage, Metric
from libranet.usage.reports import MONTHLY_INDICATORS, Change, add_months, monthly_indicators

MARCH = datetime.date(2026, 3, 1)
S, SEARCHES, VIEWS, R, UR, DENIED = MONTHLY_INDICATORS


def use(center, day, metric, value):
    DailyCenterUsage.objects.create(day=day, center=center, metric=metric, value=value)


@pytest.fixture
def network(make_center, tver_rc, penza_rc):
    old = datetime.date(2020, 1, 1)
    tver_remote = make_center(code="RU-TVE-0001", opened_on=old)
    ulaanbaatar = make_center(code="MN-UB", kind=Center.Kind.FOREIGN, opened_on=old)
    almaty = make_center(
        code="KZ-ALA", kind=Center.Kind.FOREIGN, country=Country.objects.get(code="KZ")
    )
    Center.objects.filter(pk__in=[tver_rc.pk, penza_rc.pk, almaty.pk]).update(opened_on=old)
    # March 2026, February 2026 and March 2025 for Tver's regional center.
    use(tver_rc, datetime.date(2026, 3, 1), S, 10)
    use(tver_rc, datetime.date(2026, 3, 31), S, 5)
    use(tver_rc, datetime.date(2026, 2, 28), S, 10)
    use(tver_rc, datetime.date(2025, 3, 15), S, 30)
    use(tver_rc, datetime.date(2026, 3, 2), R, 8)
    use(tver_rc, datetime.date(2026, 3, 2), UR, 6)
    use(tver_rc, datetime.date(2026, 3, 2), DENIED, 2)
    use(tver_rc, datetime.date(2026, 3, 2), Metric.UNIQUE_TITLE_REQUESTS, 99)  # not shown
    # The remote center: first used in February.
    use(tver_remote, datetime.date(2026, 2, 10), S, 4)
    use(tver_remote, datetime.date(2026, 3, 10), S, 4)
    use(tver_remote, datetime.date(2026, 3, 10), SEARCHES, 12)
    use(tver_remote, datetime.date(2026, 3, 10), VIEWS, 7)
    # Penza: nothing in March, something a year before.
    use(penza_rc, datetime.date(2025, 3, 1), S, 3)
    use(ulaanbaatar, datetime.date(2026, 3, 20), S, 1)
    use(almaty, datetime.date(2026, 3, 21), S, 2)
    # Neither the months compared nor a center: not in the table.
    use(tver_rc, datetime.date(2026, 1, 31), S, 1000)
    use(tver_rc, datetime.date(2026, 4, 1), S, 1000)
    use(None, datetime.date(2026, 3, 5), S, 1000)
    return {"tver_rc": tver_rc, "tver_remote": tver_remote, "penza_rc": penza_rc}


def by_key(report):
    return {row.key: row for row in report.rows}


def test_per_center_with_trends(network):
    report = monthly_indicators(month=MARCH, by="center")
    assert (report.previous_month, report.previous_year) == (
        datetime.date(2026, 2, 1),
        datetime.date(2025, 3, 1),
    )
    rows = by_key(report)
    assert list(rows) == ["KZ-ALA", "MN-UB", "RU-PNZ-RC", "RU-TVE-0001", "RU-TVE-RC"]
    tver = rows["RU-TVE-RC"]
    assert tver.center == network["tver_rc"]
    sessions = tver.cells[0]
    assert (sessions.metric, sessions.value) == (S, 15)
    assert sessions.month_over_month == Change(5, 50.0)
    assert sessions.year_over_year == Change(-15, -50.0)
    assert [tver.value(m) for m in MONTHLY_INDICATORS] == [15, 0, 0, 8, 6, 2]
    assert tver.cells[3].month_over_month == Change(8, None)  # nothing to compare with
    remote = rows["RU-TVE-0001"]
    assert [remote.value(m) for m in MONTHLY_INDICATORS] == [4, 12, 7, 0, 0, 0]
    assert remote.cells[0].month_over_month == Change(0, 0.0)
    assert remote.cells[0].year_over_year == Change(4, None)
    penza = rows["RU-PNZ-RC"].cells[0]
    assert (penza.value, penza.year_over_year) == (0, Change(-3, -100.0))


def test_total_and_series(network):
    report = monthly_indicators(month=MARCH, by="center")
    assert [c.value for c in report.total.cells] == [15 + 4 + 1 + 2, 12, 7, 8, 6, 2]
    assert report.total.cells[0].month_over_month == Change(22 - 14, (22 - 14) * 100 / 14)
    assert report.total.cells[0].year_over_year == Change(22 - 33, (22 - 33) * 100 / 33)
    assert [p.month for p in report.series] == [
        add_months(datetime.date(2025, 3, 1), i) for i in range(13)
    ]
    sessions = [p.values[S] for p in report.series]
    assert sessions == [33, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1000, 14, 22]


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("region", {"RU-TVE": 19, "RU-PNZ": 0, "MN": 1, "KZ": 2}),
        ("district", {"CFD": 19, "VFD": 0, "foreign": 3}),
        ("country", {"RU": 19, "MN": 1, "KZ": 2}),
    ],
)
def test_groupings(network, by, expected):
    report = monthly_indicators(month=MARCH, by=by)
    assert {row.key: row.value(S) for row in report.rows} == expected
    assert report.total.value(S) == 22
    names = [row.name for row in report.rows]
    assert names == sorted(names)


def test_group_names_follow_the_language(network):
    from django.utils import translation

    with translation.override("ru"):
        rows = by_key(monthly_indicators(month=MARCH, by="district"))
    assert rows["CFD"].name == "Центральный федеральный округ"
    assert rows["foreign"].name


def test_scope(network, head_tver, international_user, operator_user):
    tver = monthly_indicators(
        month=MARCH, by="center", centers=centers_for(head_tver, Capability.VIEW_USAGE)
    )
    assert list(by_key(tver)) == ["RU-TVE-0001", "RU-TVE-RC"]
    assert tver.total.value(S) == 19
    assert [p.values[S] for p in tver.series][-2:] == [14, 19]
    foreign = monthly_indicators(
        month=MARCH, by="country", centers=centers_for(international_user, Capability.VIEW_USAGE)
    )
    assert {row.key for row in foreign.rows} == {"MN", "KZ"}
    own = monthly_indicators(
        month=MARCH, by="region", centers=centers_for(operator_user, Capability.VIEW_USAGE)
    )
    assert [(row.key, row.value(S)) for row in own.rows] == [("RU-TVE", 15)]


def test_unused_closed_and_unopened_centers_are_left_out(network, make_center):
    make_center(code="RU-TVE-PLAN", status=Center.Status.PLANNED)
    gone = make_center(code="RU-TVE-GONE", opened_on=datetime.date(2020, 1, 1))
    Center.objects.filter(pk=gone.pk).update(
        status=Center.Status.CLOSED, closed_on=datetime.date(2025, 1, 1)
    )
    quiet = make_center(code="RU-TVE-QUIET", opened_on=datetime.date(2026, 3, 31))
    codes = set(by_key(monthly_indicators(month=MARCH, by="center")))
    assert "RU-TVE-PLAN" not in codes and "RU-TVE-GONE" not in codes
    assert quiet.code in codes  # open during the month, with nothing to show: a row of zeros


def test_a_few_queries_whatever_the_size(network, make_center):
    region = Region.objects.get(code="RU-TVE")
    for i in range(20):
        center = make_center(code=f"RU-TVE-X{i:02d}", region=region, opened_on=MARCH)
        use(center, datetime.date(2026, 3, 3), S, i)
    for by, expected in [("center", 3), ("region", 3), ("district", 3), ("country", 4)]:
        with CaptureQueriesContext(connection) as queries:
            monthly_indicators(month=MARCH, by=by)
        assert len(queries) == expected, by


@time_machine.travel(datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC), tick=False)
def test_bad_input(db):
    with pytest.raises(ValueError, match="Unknown grouping"):
        monthly_indicators(month=MARCH, by="planet")
    with pytest.raises(ValueError, match="2027-01 has not begun yet: choose 2026-11 or an"):
        monthly_indicators(month=datetime.date(2027, 1, 1), by="center")


# Moscow is UTC+3: 21:30 UTC is already the next day there.
@pytest.mark.parametrize(
    ("now", "last_day"),
    [
        (datetime.datetime(2026, 3, 1, 21, 30, tzinfo=datetime.UTC), 1),  # the 2nd, in Moscow
        (datetime.datetime(2026, 3, 10, 20, 59, tzinfo=datetime.UTC), 9),  # 23:59 on the 10th
        (datetime.datetime(2026, 3, 10, 21, 0, tzinfo=datetime.UTC), 10),  # midnight: the 11th
        (datetime.datetime(2026, 3, 31, 20, 59, tzinfo=datetime.UTC), 30),  # its last day
        (datetime.datetime(2026, 3, 31, 21, 0, tzinfo=datetime.UTC), 31),  # April 1st: over
    ],
)
def test_a_running_month_counts_the_days_over(network, now, last_day):
    """Today's roll-up rows are not whole yet: the month's figures, its series point and its
    ``last_day`` stop at yesterday in the project's time zone, whatever the day in UTC."""
    days = {
        row.day.day: row.value
        for row in DailyCenterUsage.objects.filter(
            center=network["tver_rc"], metric=S, day__month=3, day__year=2026
        )
    }
    for day in range(1, 32):  # one session every day of March for the remote center
        use(network["tver_remote"], MARCH.replace(day=day), S, 100)
    with time_machine.travel(now, tick=False):
        report = monthly_indicators(month=MARCH, by="center")
    assert report.last_day == MARCH.replace(day=last_day)
    assert report.complete == (last_day == 31)
    counted = 100 * last_day + 4 * (last_day >= 10)
    assert by_key(report)["RU-TVE-0001"].value(S) == counted
    tver = sum(value for day, value in days.items() if day <= last_day)
    assert by_key(report)["RU-TVE-RC"].value(S) == tver
    assert report.series[-1].values[S] == report.total.value(S)


@pytest.mark.parametrize(
    ("now", "message"),
    [
        (datetime.datetime(2026, 3, 31, 21, 30, tzinfo=datetime.UTC), "2026-04 began today"),
        (datetime.datetime(2026, 3, 31, 20, 30, tzinfo=datetime.UTC), "2026-04 has not begun"),
    ],
)
def test_a_month_whose_first_day_is_not_over_has_no_figures(db, now, message):
    with time_machine.travel(now, tick=False), pytest.raises(ValueError, match=message):
        monthly_indicators(month=datetime.date(2026, 4, 1), by="center")
