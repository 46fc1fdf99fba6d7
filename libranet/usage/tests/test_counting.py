"""COUNTER 5.1's counting rules, case by case, computed by hand: raw events in, the day's
roll-up out (``rollup_day`` runs the rules)."""

import datetime

import pytest

from libranet.usage.models import Action
from libranet.usage.rollup import rollup_day

from .conftest import DAY, center_counts, item_counts, session

pytestmark = pytest.mark.django_db

INV, REQ, SEARCH, SESSION = Action.INVESTIGATION, Action.REQUEST, Action.SEARCH, Action.SESSION


def counted(resource, metric, center=None):
    return item_counts().get((center, resource.pk, metric), 0)


def clicks(events, resource, *seconds, action=REQ, **fields):
    events(*({"t": t, "action": action, "resource": resource, **fields} for t in seconds))


# --- double-click ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "total"),
    [
        ((0,), 1),
        ((0, 10), 1),  # a double-click: the later click is kept
        ((0, 30), 1),  # exactly 30 s is within
        ((0, 30.001), 2),
        ((0, 20, 40, 60, 80), 1),  # a chain: each within 30 s of the one before
        ((0, 31, 62), 3),
        ((0, 10, 50, 55, 100), 3),  # two chains and a single click
        ((50, 0, 10), 2),  # the order they were loaded in does not matter
    ],
)
def test_double_clicks_count_once_per_chain(events, book, seconds, total):
    clicks(events, book, *seconds)
    rollup_day(DAY)
    assert counted(book, "Total_Item_Requests") == total
    assert counted(book, "Total_Item_Investigations") == total  # requests are investigations
    assert counted(book, "Unique_Item_Requests") == 1


def test_double_clicks_need_the_same_session_item_and_action(events, book, periodical):
    clicks(events, book, 0, action=INV)
    clicks(events, book, 5, action=REQ)  # another action
    clicks(events, periodical, 10, action=REQ)  # another item
    clicks(events, book, 15, action=REQ, session=session("b"))  # another session
    rollup_day(DAY)
    assert counted(book, "Total_Item_Investigations") == 3
    assert counted(book, "Total_Item_Requests") == 2
    assert counted(periodical, "Total_Item_Requests") == 1


def test_a_click_refused_then_granted_counts_in_both(events, book):
    clicks(events, book, 0, granted=False)
    clicks(events, book, 5, granted=True)
    rollup_day(DAY)
    assert counted(book, "No_License") == 1
    assert counted(book, "Total_Item_Requests") == 1


# --- investigations, requests, unique items and titles -------------------------------------------


def test_investigations_include_requests(events, book):
    clicks(events, book, 0, action=INV)
    clicks(events, book, 60, 200, action=REQ)
    rollup_day(DAY)
    assert counted(book, "Total_Item_Investigations") == 3
    assert counted(book, "Total_Item_Requests") == 2
    assert counted(book, "Unique_Item_Investigations") == 1
    assert counted(book, "Unique_Item_Requests") == 1


def test_unique_items_once_per_session(events, book, periodical):
    clicks(events, book, 0, 100, 500, action=INV)
    clicks(events, book, 50, action=INV, session=session("b"))
    clicks(events, periodical, 60, action=REQ, session=session("b"))
    rollup_day(DAY)
    assert counted(book, "Total_Item_Investigations") == 4
    assert counted(book, "Unique_Item_Investigations") == 2
    assert counted(book, "Unique_Item_Requests") == 0
    assert counted(periodical, "Unique_Item_Investigations") == 1
    assert counted(periodical, "Unique_Item_Requests") == 1


def test_unique_titles_are_for_books_only(events, book, periodical, make_resource):
    video = make_resource("video")
    for resource in (book, periodical, video):
        clicks(events, resource, 0, 100, action=REQ)
        clicks(events, resource, 0, action=REQ, session=session("b"))
    rollup_day(DAY)
    assert counted(book, "Unique_Title_Requests") == 2
    assert counted(book, "Unique_Title_Investigations") == 2
    for other in (periodical, video):
        assert counted(other, "Unique_Item_Requests") == 2
        assert counted(other, "Unique_Title_Requests") == 0
        assert counted(other, "Unique_Title_Investigations") == 0
    assert center_counts()[(None, "Unique_Title_Requests")] == 2
    assert center_counts()[(None, "Unique_Item_Requests")] == 6


def test_a_deleted_resource_still_counts_without_a_title(events):
    clicks(events, 987654, 0)  # a resource row that no longer exists
    rollup_day(DAY)
    assert item_counts() == {
        (None, 987654, "Total_Item_Investigations"): 1,
        (None, 987654, "Unique_Item_Investigations"): 1,
        (None, 987654, "Total_Item_Requests"): 1,
        (None, 987654, "Unique_Item_Requests"): 1,
    }


# --- denials ------------------------------------------------------------------------------------


def test_denials_count_only_as_no_license(events, book):
    clicks(events, book, 0, 10, 100, granted=False)
    rollup_day(DAY)
    assert item_counts() == {(None, book.pk, "No_License"): 2}  # 0 and 10: one double-click
    assert center_counts() == {(None, "No_License"): 2, (None, "Sessions"): 1}


# --- searches, sessions, centers ----------------------------------------------------------------


def test_searches_and_sessions(events, book, tver_rc, penza_rc):
    events(
        {"t": 0, "action": SESSION, "center": tver_rc.pk},
        {"t": 1, "action": SEARCH, "center": tver_rc.pk},
        {"t": 2, "action": SEARCH, "center": tver_rc.pk},  # searches know no double-click
        {"t": 3, "action": SESSION, "center": tver_rc.pk, "session": session("b")},
        {"t": 4, "action": SESSION, "center": penza_rc.pk, "session": session("c")},
        {"t": 5, "action": INV, "resource": book, "center": penza_rc.pk, "session": session("d")},
    )
    rollup_day(DAY)
    assert center_counts() == {
        (tver_rc.pk, "Searches_Regular"): 2,
        (tver_rc.pk, "Searches_Platform"): 2,
        (tver_rc.pk, "Sessions"): 2,
        (penza_rc.pk, "Sessions"): 2,
        (penza_rc.pk, "Total_Item_Investigations"): 1,
        (penza_rc.pk, "Unique_Item_Investigations"): 1,
        (penza_rc.pk, "Unique_Title_Investigations"): 1,
    }


def test_each_center_counts_its_own_use(events, book, tver_rc):
    clicks(events, book, 0, center=tver_rc.pk)
    clicks(events, book, 100)  # the same session, now outside every center
    rollup_day(DAY)
    assert counted(book, "Total_Item_Requests", tver_rc.pk) == 1
    assert counted(book, "Total_Item_Requests") == 1
    assert center_counts()[(tver_rc.pk, "Sessions")] == 1
    assert center_counts()[(None, "Sessions")] == 1


# --- the day ------------------------------------------------------------------------------------


def test_a_day_is_a_moscow_day(events, book):
    """Moscow is UTC+3: the day runs from 21:00 UTC the day before to 21:00 UTC."""
    utc = datetime.UTC
    events(
        {"occurred_at": datetime.datetime(2026, 10, 13, 20, 59, 59, tzinfo=utc), "action": SEARCH},
        {"occurred_at": datetime.datetime(2026, 10, 13, 21, 0, 0, tzinfo=utc), "action": SEARCH},
        {"occurred_at": datetime.datetime(2026, 10, 14, 20, 59, 59, tzinfo=utc), "action": SEARCH},
        {"occurred_at": datetime.datetime(2026, 10, 14, 21, 0, 0, tzinfo=utc), "action": SEARCH},
    )
    assert rollup_day(DAY) == 2
    assert center_counts()[(None, "Searches_Platform")] == 2


def test_a_day_without_events_has_no_rows_but_is_rolled_up(db):
    from libranet.usage.models import RolledUpDay

    assert rollup_day(DAY) == 0
    assert center_counts() == {} and item_counts() == {}
    assert RolledUpDay.objects.get(day=DAY).events == 0
