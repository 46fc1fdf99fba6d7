"""The zero-usage report against hand-computed cases: centers opened, suspended and closed during
the month are judged on their open days only, grouped by coordinating regional center."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from libranet.network.models import Center, CenterStatusChange, Region
from libranet.network.permissions import Capability, centers_for
from libranet.network.services import center_change_status, center_close
from libranet.usage.models import DailyCenterUsage, Metric
from libranet.usage.reports import open_periods, zero_usage

MARCH = datetime.date(2026, 3, 1)
SESSIONS, REQUESTS = Metric.SESSIONS, Metric.TOTAL_ITEM_REQUESTS
Status = Center.Status


def d(day: int, month: int = 3) -> datetime.date:
    return datetime.date(2026, month, day)


def use(center, day, sessions=0, requests=0):
    rows = []
    if sessions:
        rows.append(DailyCenterUsage(day=day, center=center, metric=SESSIONS, value=sessions))
    if requests:
        rows.append(DailyCenterUsage(day=day, center=center, metric=REQUESTS, value=requests))
    DailyCenterUsage.objects.bulk_create(rows)


@pytest.fixture
def network(make_center, tver_rc, penza_rc):
    """Tver's regional center and its remote centers in every situation the rule names, one
    remote center of Penza's, one foreign center (coordinated by none)."""
    old = datetime.date(2020, 1, 1)
    Center.objects.filter(pk__in=[tver_rc.pk, penza_rc.pk]).update(opened_on=old)
    CenterStatusChange.objects.filter(center__in=[tver_rc, penza_rc]).update(changed_on=old)
    c = {"tver_rc": tver_rc, "penza_rc": penza_rc}
    c["busy"] = make_center(code="RU-TVE-BUSY", opened_on=old)
    c["idle"] = make_center(code="RU-TVE-IDLE", opened_on=old)
    c["no_requests"] = make_center(code="RU-TVE-NOREQ", opened_on=old)
    # Opened on the 20th; its use before that (a test run) does not count.
    c["opened"] = make_center(code="RU-TVE-OPENED", opened_on=d(20))
    # Suspended 5th-15th: used only while suspended.
    c["suspended"] = make_center(code="RU-TVE-SUSP", opened_on=old)
    center_change_status(
        actor=None, center=c["suspended"], status=Status.SUSPENDED, changed_on=d(5)
    )
    center_change_status(actor=None, center=c["suspended"], status=Status.OPEN, changed_on=d(16))
    # Closed on the 10th after using it on the 9th: judged on the 1st-9th, not zero.
    c["closed_used"] = make_center(code="RU-TVE-CLOSED1", opened_on=old)
    center_close(actor=None, center=c["closed_used"], closed_on=d(10))
    # Closed on the 10th, used only on the 10th (after closing): zero.
    c["closed_idle"] = make_center(code="RU-TVE-CLOSED2", opened_on=old)
    center_close(actor=None, center=c["closed_idle"], closed_on=d(10))
    # Closed all month: not judged.
    c["closed_before"] = make_center(code="RU-TVE-GONE", opened_on=old)
    center_close(actor=None, center=c["closed_before"], closed_on=d(15, 2))
    c["planned"] = make_center(code="RU-TVE-PLAN", status=Status.PLANNED)
    c["penza_idle"] = make_center(
        code="RU-PNZ-IDLE", region=Region.objects.get(code="RU-PNZ"), opened_on=old
    )
    c["foreign_idle"] = make_center(code="MN-IDLE", kind=Center.Kind.FOREIGN, opened_on=old)

    use(tver_rc, d(3), sessions=50, requests=200)
    use(penza_rc, d(3), sessions=1)  # no requests: listed, in its own group
    use(c["busy"], d(2), sessions=3, requests=4)
    use(c["busy"], d(31), sessions=1, requests=1)
    use(c["no_requests"], d(7), sessions=9)
    use(c["opened"], d(12), sessions=5, requests=5)  # before it opened
    use(c["opened"], d(25), sessions=2)
    use(c["suspended"], d(10), sessions=7, requests=7)  # while suspended
    use(c["closed_used"], d(9), sessions=1, requests=2)
    use(c["closed_idle"], d(10), sessions=4, requests=4)  # the day it closed
    use(c["idle"], d(28, 2), sessions=5, requests=5)  # February's use is not March's
    use(c["idle"], d(1, 4), sessions=5, requests=5)  # nor April's
    use(None, d(3), sessions=100, requests=100)  # outside every center
    return c


def rows_by_code(report):
    return {row.center.code: row for group in report.groups for row in group.rows}


def test_judged_on_open_days_only(network):
    report = zero_usage(month=MARCH)
    assert report.month == MARCH and report.last_day == d(31)
    assert report.indicators == [SESSIONS, REQUESTS]
    rows = rows_by_code(report)
    assert set(rows) == {
        "RU-PNZ-RC",
        "RU-TVE-IDLE",
        "RU-TVE-NOREQ",
        "RU-TVE-OPENED",
        "RU-TVE-SUSP",
        "RU-TVE-CLOSED2",
        "RU-PNZ-IDLE",
        "MN-IDLE",
    }
    assert (rows["RU-TVE-IDLE"].days_open, rows["RU-TVE-IDLE"].zero) == (31, [SESSIONS, REQUESTS])
    assert rows["RU-TVE-NOREQ"].values == {SESSIONS: 9, REQUESTS: 0}
    assert rows["RU-TVE-NOREQ"].zero == [REQUESTS]
    assert rows["RU-TVE-OPENED"].days_open == 12  # 20th..31st
    assert rows["RU-TVE-OPENED"].values == {SESSIONS: 2, REQUESTS: 0}
    assert rows["RU-TVE-SUSP"].days_open == 31 - 11  # all but the 5th..15th
    assert rows["RU-TVE-SUSP"].values == {SESSIONS: 0, REQUESTS: 0}
    assert rows["RU-TVE-CLOSED2"].days_open == 9
    assert rows["RU-PNZ-RC"].zero == [REQUESTS]
    # Judged: everything but the center closed in February and the planned one.
    assert report.centers_judged == 13 - 2


def test_grouped_by_coordinating_regional_center(network):
    report = zero_usage(month=MARCH)
    groups = [(g.regional_center, [r.center.code for r in g.rows]) for g in report.groups]
    assert groups == [
        (
            network["penza_rc"],
            ["RU-PNZ-RC", "RU-PNZ-IDLE"],  # the regional center's own row first
        ),
        (
            network["tver_rc"],
            ["RU-TVE-CLOSED2", "RU-TVE-IDLE", "RU-TVE-NOREQ", "RU-TVE-OPENED", "RU-TVE-SUSP"],
        ),
        (None, ["MN-IDLE"]),
    ]


def test_scope_restricts_the_centers(network, head_tver, international_user):
    tver = rows_by_code(
        zero_usage(month=MARCH, centers=centers_for(head_tver, Capability.VIEW_USAGE))
    )
    assert set(tver) == {
        "RU-TVE-IDLE",
        "RU-TVE-NOREQ",
        "RU-TVE-OPENED",
        "RU-TVE-SUSP",
        "RU-TVE-CLOSED2",
    }
    foreign = zero_usage(
        month=MARCH, centers=centers_for(international_user, Capability.VIEW_USAGE)
    )
    assert [g.regional_center for g in foreign.groups] == [None]
    assert foreign.centers_judged == 1
    remote = zero_usage(
        month=MARCH,
        centers=Center.objects.filter(kind=Center.Kind.REMOTE, regional_center=network["penza_rc"]),
    )
    assert set(rows_by_code(remote)) == {"RU-PNZ-IDLE"}


@override_settings(LIBRANET_ZERO_USAGE_INDICATORS=["Sessions"])
def test_indicators_are_a_setting(network):
    rows = rows_by_code(zero_usage(month=MARCH))
    assert "RU-TVE-NOREQ" not in rows and "RU-PNZ-RC" not in rows
    assert rows["RU-TVE-IDLE"].values == {SESSIONS: 0}


@override_settings(LIBRANET_ZERO_USAGE_INDICATORS=["Sessions", "Downloads"])
def test_unknown_indicator_is_named(db):
    with pytest.raises(ImproperlyConfigured, match="unknown: Downloads"):
        zero_usage(month=MARCH)


def test_future_month_refused(db):
    with (
        time_machine.travel(datetime.datetime(2026, 3, 11, 9, tzinfo=datetime.UTC), tick=False),
        pytest.raises(ValueError, match="2026-04 has not begun"),
    ):
        zero_usage(month=datetime.date(2026, 4, 1))


def test_running_month_judges_the_days_over(network):
    with time_machine.travel(datetime.datetime(2026, 3, 11, 9, tzinfo=datetime.UTC), tick=False):
        report = zero_usage(month=MARCH)
    rows = rows_by_code(report)
    assert report.last_day == d(10)
    assert rows["RU-TVE-IDLE"].days_open == 10
    assert "RU-TVE-OPENED" not in rows  # not open yet
    assert rows["RU-TVE-SUSP"].days_open == 4


def test_card_dates_when_there_is_no_history(make_center):
    center = make_center(opened_on=d(10))
    center.closed_on = d(20)
    assert open_periods(center, [], MARCH, d(31)) == [(d(10), d(19))]
    center.opened_on = None
    assert open_periods(center, [], MARCH, d(31)) == [(MARCH, d(31))]  # open, undated
    center.status = Status.PLANNED
    assert open_periods(center, [], MARCH, d(31)) == []


def test_same_day_changes_and_reopening():
    center = Center(status=Status.OPEN)
    history = [
        (d(1, 1), Status.OPEN),
        (d(5), Status.SUSPENDED),
        (d(5), Status.OPEN),  # changed back the same day: never suspended
        (d(10), Status.CLOSED),
        (d(11), Status.OPEN),  # reopened the next day
        (d(20), Status.SUSPENDED),
        (d(25), Status.OPEN),
        (d(28), Status.OPEN),  # recorded twice: one run
    ]
    assert open_periods(center, history, MARCH, d(31)) == [
        (MARCH, d(9)),
        (d(11), d(19)),
        (d(25), d(31)),
    ]
