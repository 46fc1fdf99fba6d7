"""The roll-up (re-runnable, the days it must redo), retention, the commands and tasks, and the
synthetic month of the demo."""

import datetime
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from libranet.network.models import Center
from libranet.network.services import center_change_status
from libranet.usage import recorder
from libranet.usage.demo import UsageDemoError, generate_usage
from libranet.usage.models import (
    Action,
    DailyCenterUsage,
    DailyItemUsage,
    IngestedSpoolFile,
    RolledUpDay,
    UsageEvent,
)
from libranet.usage.rollup import LATE_MARGIN, days_to_roll_up, rollup_day
from libranet.usage.services import events_purge, retention_cutoff
from libranet.usage.tasks import usage_ingest, usage_purge, usage_rollup

from .conftest import DAY, at, center_counts, day_of_events, item_counts, session

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)  # 15:00 in Moscow


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- rollup_day -----------------------------------------------------------------------------------


def test_a_rollup_rebuilds_its_day_only_and_gives_the_same_numbers_again(events, book):
    other = DAY + datetime.timedelta(days=1)
    events(
        {"t": 0, "action": Action.REQUEST, "resource": book},
        {"t": 0, "action": Action.SEARCH, "occurred_at": at(0, other)},
    )
    DailyItemUsage.objects.create(day=DAY, resource_id=book.pk, metric=1, value=99)  # stale
    DailyCenterUsage.objects.create(day=other, metric=8, value=5)  # another day's
    assert rollup_day(DAY) == 1
    first = (item_counts(), center_counts())
    assert first[0][(None, book.pk, "Total_Item_Requests")] == 1
    assert (None, book.pk, "Total_Item_Investigations") in first[0]  # not the stale 99
    assert first[0][(None, book.pk, "Total_Item_Investigations")] == 1
    rollup_day(DAY)
    assert (item_counts(), center_counts()) == first
    assert DailyCenterUsage.objects.filter(day=other).count() == 1
    assert RolledUpDay.objects.get(day=DAY).events == 1


def test_a_late_event_changes_the_day_when_rolled_up_again(events, book):
    events({"t": 0, "action": Action.REQUEST, "resource": book})
    rollup_day(DAY)
    events({"t": 100, "action": Action.REQUEST, "resource": book})
    rollup_day(DAY)
    assert item_counts()[(None, book.pk, "Total_Item_Requests")] == 2


# --- which days ---------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_recent_days_and_days_late_files_touched(db):
    today = datetime.date(2026, 11, 20)
    assert days_to_roll_up() == [today - datetime.timedelta(days=1), today]
    old = datetime.date(2026, 11, 2)
    rolled = datetime.date(2026, 11, 5)
    RolledUpDay.objects.create(day=rolled, rolled_up_at=timezone.now())
    for name, first, last in (("late", old, old), ("before", rolled, rolled)):
        IngestedSpoolFile.objects.create(
            name=name,
            ingested_at=timezone.now() - 2 * LATE_MARGIN if name == "before" else timezone.now(),
            events=1,
            first_day=first,
            last_day=last,
        )
    # The file loaded after day 2's last roll-up brings it back; day 5 was rolled up since.
    assert days_to_roll_up() == [old, today - datetime.timedelta(days=1), today]
    call_command("rollup_usage", verbosity=0)
    assert set(RolledUpDay.objects.values_list("day", flat=True)) == {
        old,
        rolled,
        today - datetime.timedelta(days=1),
        today,
    }


@time_machine.travel(NOW, tick=False)
def test_the_tasks_ingest_and_roll_up(db):
    moment = timezone.now() - datetime.timedelta(minutes=5)
    recorder.event_record(
        action=Action.SEARCH, session=session("t"), reader_kind=0, occurred_at=moment
    )
    recorder.writer.close()
    assert usage_ingest.enqueue().return_value == 1
    assert usage_rollup.enqueue().return_value == ["2026-11-19", "2026-11-20"]
    assert center_counts(datetime.date(2026, 11, 20))[(None, "Searches_Platform")] == 1


# --- the rollup_usage command ---------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_rollup_usage_by_day_month_and_range(db):
    output = run("rollup_usage", "--day", "2026-10-14")
    assert "Rolled up 1 days (0 events)" in output and "[####" in output
    run("rollup_usage", "--month", "2026-11")  # up to today
    run("rollup_usage", "--from", "2026-09-29", "--to", "2026-10-01")
    days = set(RolledUpDay.objects.values_list("day", flat=True))
    assert len(days) == 1 + 20 + 3
    assert datetime.date(2026, 11, 21) not in days


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--day", "14.10.2026"], "--day: “14.10.2026” is not a date: give it as YYYY-MM-DD"),
        (["--month", "2026-13"], "--month: “2026-13” names month 13"),
        (["--from", "2026-10-01"], "--from and --to go together"),
        (["--from", "2026-10-05", "--to", "2026-10-01"], "is before --from"),
        (["--day", "2026-12-01"], "has not come yet"),
        (["--day", "2026-10-01", "--month", "2026-10"], "Give one of"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_rollup_usage_says_what_is_wrong(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("rollup_usage", *args)


def test_ingest_usage_reports_what_it_loaded(db):
    recorder.event_record(action=Action.SEARCH, session=session("c"), reader_kind=0)
    recorder.writer.close()
    assert "Loaded 1 usage events from 1 spool files." in run("ingest_usage")


# --- retention ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "months", "cutoff"),
    [
        (datetime.date(2026, 11, 20), 24, datetime.date(2024, 11, 1)),
        (datetime.date(2026, 1, 31), 1, datetime.date(2025, 12, 1)),
        (datetime.date(2026, 3, 1), 14, datetime.date(2025, 1, 1)),
    ],
)
def test_retention_keeps_whole_months(today, months, cutoff):
    assert retention_cutoff(today, months) == cutoff


@time_machine.travel(NOW, tick=False)
def test_purge_deletes_old_rolled_up_days_only(db):
    old, unrolled, kept = (
        datetime.date(2024, 9, 30),
        datetime.date(2024, 10, 15),
        datetime.date(2024, 11, 1),
    )
    for day in (old, unrolled, kept):
        day_of_events(day, 5)
    for day in (old, kept):
        rollup_day(day)
    result = events_purge(months=24, batch_size=2)
    assert (result.cutoff, result.deleted, result.days) == (kept, 5, 1)
    assert result.not_rolled_up == [unrolled]
    remaining = {
        timezone.localtime(m).date()
        for m in UsageEvent.objects.values_list("occurred_at", flat=True)
    }
    assert remaining == {unrolled, kept}
    assert center_counts(old)[(None, "Searches_Platform")] == 5  # the roll-up stays
    output = run("purge_usage_events", "--months", "24")
    assert "Deleted 0 usage events" in output and "2024-10-15" in output
    rollup_day(unrolled)
    assert usage_purge.enqueue().return_value == 5
    with pytest.raises(CommandError, match="at least 1"):
        call_command("purge_usage_events", "--months", "0")


# --- the synthetic month -------------------------------------------------------------------------


@pytest.fixture
def demo_network(make_center, make_resource):
    """A regional center, remote access centers open, closed mid-month and planned, and a few
    resources of each access level."""
    rc = make_center(kind=Center.Kind.REGIONAL, opened_on=datetime.date(2015, 1, 1))
    remote = [make_center(opened_on=datetime.date(2018, 1, 1)) for _ in range(12)]
    closing = make_center(kind=Center.Kind.BRANCH, opened_on=datetime.date(2018, 1, 1))
    center_change_status(
        actor=None, center=closing, status="closed", changed_on=datetime.date(2026, 10, 10)
    )
    planned = make_center(status=Center.Status.PLANNED)
    for level in ("open", "open", "readers", "on_site", "staff"):
        make_resource(access_level=level)
    return rc, remote, closing, planned


@time_machine.travel(NOW, tick=False)
def test_a_synthetic_month(demo_network):
    rc, _remote, closing, planned = demo_network
    made = generate_usage(month=datetime.date(2026, 10, 1), scale=2)
    assert made.days == 31 and made.events > 1000
    assert made.events == UsageEvent.objects.count()
    assert RolledUpDay.objects.filter(day__month=10).count() == 31
    used = set(UsageEvent.objects.values_list("center_id", flat=True))
    assert rc.pk in used and None in used  # readers outside every center too
    assert planned.pk not in used
    moments = UsageEvent.objects.filter(center_id=closing.pk).values_list("occurred_at", flat=True)
    assert moments  # used while it was open, nothing once it closed
    assert max(timezone.localtime(m).date() for m in moments) < datetime.date(2026, 10, 10)
    assert UsageEvent.objects.filter(granted=False, center_id=None).exists()  # No_License
    assert made.centers_idle >= 1  # some open centers had no use: the zero-usage report's
    # The same seed gives the same month; an existing month is not generated over.
    with pytest.raises(UsageDemoError, match="has usage events already"):
        generate_usage(month=datetime.date(2026, 10, 1), scale=2)
    again = generate_usage(month=datetime.date(2026, 10, 1), scale=2, replace=True)
    assert again.events == made.events == UsageEvent.objects.count()
    # This month: up to yesterday only.
    assert generate_usage(month=datetime.date(2026, 11, 1)).days == 19


@time_machine.travel(NOW, tick=False)
def test_generate_usage_command(demo_network):
    output = run("generate_usage", "--month", "2026-09")
    assert "Generated" in output and "over 30 days of 2026-09" in output
    with pytest.raises(CommandError, match="has not begun yet"):
        call_command("generate_usage", "--month", "2027-01")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("generate_usage", "--month", "September")


# --- Access_Type at the time of use ---------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_past_use_keeps_the_access_type_of_its_time(events, book):
    """Use is counted per access level of its events (an event without one, recorded before
    the level was kept, takes the current level), so a resource whose level changed later
    still reports its past use with the past Access_Type."""
    from libranet.usage import counter

    events(
        {"t": 0, "action": Action.REQUEST, "resource": book, "level": "on_site"},
        {
            "t": 60,
            "action": Action.REQUEST,
            "resource": book,
            "level": "open",
            "session": session("b"),
        },
        {"t": 90, "action": Action.REQUEST, "resource": book, "session": session("c")},
    )
    rollup_day(DAY)
    by_level: dict[str, int] = {}
    rows = DailyItemUsage.objects.filter(day=DAY, metric=4)  # Total_Item_Requests
    for level, value in rows.values_list("access_level", "value"):
        by_level[level] = by_level.get(level, 0) + value
    assert by_level == {"on_site": 1, "open": 2}
    book.access_level = "readers"
    book.save()
    report = counter.build_report(
        counter.REPORTS["tr"],
        counter.library_customer(),
        {"begin_date": "2026-10", "end_date": "2026-10", "attributes_to_show": "Access_Type"},
    )
    (item,) = report["Report_Items"]
    requests = {
        entry["Access_Type"]: entry["Performance"]["Total_Item_Requests"]["2026-10"]
        for entry in item["Attribute_Performance"]
    }
    assert requests == {"Controlled": 1, "Free_To_Read": 2}
    filtered = counter.build_report(
        counter.REPORTS["tr"],
        counter.library_customer(),
        {"begin_date": "2026-10", "end_date": "2026-10", "access_type": "Free_To_Read"},
    )
    (item,) = filtered["Report_Items"]
    (entry,) = item["Attribute_Performance"]
    assert entry["Performance"]["Total_Item_Requests"] == {"2026-10": 2}
