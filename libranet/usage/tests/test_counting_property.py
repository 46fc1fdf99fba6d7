"""The roll-up always equals the counts a naive reference recomputes from the raw events
(Hypothesis draws the events: sessions, centers, books and other resources, every action,
refusals, and gaps around the 30-second double-click window)."""

from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libranet.usage.models import (
    Action,
    DailyCenterUsage,
    DailyItemUsage,
    RolledUpDay,
    UsageEvent,
)
from libranet.usage.rollup import rollup_day

from .conftest import DAY, at, center_counts, item_counts, session

pytestmark = pytest.mark.django_db

WINDOW_MS = 30_000
GAPS_MS = [0, 1, 999, 15_000, 29_999, 30_000, 30_001, 45_000, 90_000, 3_600_000]


def reference(rows, books: set[int]) -> tuple[Counter, Counter]:
    """COUNTER's rules, the slow and obvious way: (item counts, center counts).

    ``rows`` are (center, session, action, resource, granted, ms). A click counts when no
    click of the same session, item, action and outcome comes later within 30 s; clicks at
    the very same moment are one click."""
    items: Counter = Counter()
    centers: Counter = Counter()
    times = defaultdict(set)
    for center, sess, action, resource, granted, ms in rows:
        if action in (Action.INVESTIGATION, Action.REQUEST):
            times[(center, sess, resource, action, granted)].add(ms)
    for (center, _sess, resource, action, granted), moments in times.items():
        kept = sum(1 for t in moments if not any(t < u <= t + WINDOW_MS for u in moments))
        if not granted:
            items[(center, resource, "No_License")] += kept
            continue
        items[(center, resource, "Total_Item_Investigations")] += kept
        if action == Action.REQUEST:
            items[(center, resource, "Total_Item_Requests")] += kept
    viewed, requested = set(), set()
    for center, sess, action, resource, granted, _ms in rows:
        if granted and action in (Action.INVESTIGATION, Action.REQUEST):
            viewed.add((center, resource, sess))
            if action == Action.REQUEST:
                requested.add((center, resource, sess))
    for center, resource, _sess in viewed:
        items[(center, resource, "Unique_Item_Investigations")] += 1
        if resource in books:
            items[(center, resource, "Unique_Title_Investigations")] += 1
    for center, resource, _sess in requested:
        items[(center, resource, "Unique_Item_Requests")] += 1
        if resource in books:
            items[(center, resource, "Unique_Title_Requests")] += 1
    for (center, _resource, metric), value in items.items():
        centers[(center, metric)] += value
    for center, _sess, action, _resource, _granted, _ms in rows:
        if action == Action.SEARCH:
            centers[(center, "Searches_Regular")] += 1
            centers[(center, "Searches_Platform")] += 1
    for center, _sess in {(r[0], r[1]) for r in rows}:
        centers[(center, "Sessions")] += 1
    return +items, +centers  # without zeros


# Few sessions and items, and mostly item actions, so that clicks meet in one chain often.
event = st.tuples(
    st.integers(0, 2),  # session
    st.sampled_from([Action.INVESTIGATION, Action.REQUEST] * 3 + [Action.SEARCH, Action.SESSION]),
    st.integers(0, 2),  # resource: two books and a periodical
    st.sampled_from([True, True, True, False]),  # refused now and then
    st.sampled_from(GAPS_MS),  # after the event before
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=st.lists(event, max_size=40), centers_of=st.lists(st.integers(0, 2), min_size=5))
def test_rollup_equals_the_naive_reference(
    book, make_resource, periodical, tver_rc, penza_rc, drawn, centers_of
):
    # The fixtures are made once for all the examples; the events start over in each.
    UsageEvent.objects.all().delete()
    DailyItemUsage.objects.all().delete()
    DailyCenterUsage.objects.all().delete()
    RolledUpDay.objects.all().delete()
    resources = [book, _second_book(make_resource), periodical]
    books = {resources[0].pk, resources[1].pk}
    center_choices = [None, tver_rc.pk, penza_rc.pk]

    rows, ms = [], 0
    for sess, action, resource, granted, gap in drawn:
        ms += gap
        center = center_choices[centers_of[sess]]  # a session stays in one place
        item = resources[resource].pk if action in (Action.INVESTIGATION, Action.REQUEST) else None
        ok = granted if item is not None else True
        rows.append((center, session(f"s{sess}"), int(action), item, ok, ms))
    UsageEvent.objects.bulk_create(
        UsageEvent(
            occurred_at=at(ms / 1000),
            center_id=center,
            reader_kind=0,
            session=sess,
            action=action,
            resource_id=item,
            granted=ok,
        )
        for center, sess, action, item, ok, ms in reversed(rows)  # the order loaded is no matter
    )
    items, centers = reference(rows, books)

    assert rollup_day(DAY) == len(rows)
    assert item_counts() == dict(items)
    assert center_counts() == dict(centers)
    # Again: the same numbers, not twice them.
    rollup_day(DAY)
    assert item_counts() == dict(items)
    assert center_counts() == dict(centers)


def _second_book(make_resource):
    from libranet.resources.models import Resource

    found = Resource.objects.filter(type="book", title_en="second").first()
    return found or make_resource("book", title_en="second")
