"""The one reading of months and dates (``libranet.dates``): what it accepts, what it refuses
and what it says; every door's wiring is in ``test_date_inputs``."""

import datetime

import pytest
from django.utils import translation

from libranet import dates
from libranet.usage.counting import day_bounds
from libranet.usage.reports import add_months, month_end

LONG = "2026-10" + "0" * 10_000


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2026-10", datetime.date(2026, 10, 1)),
        (" 2026-10 ", datetime.date(2026, 10, 1)),  # white space around, as in any form field
        ("1000-01", datetime.date(1000, 1, 1)),
        ("9998-12", datetime.date(9998, 12, 1)),
    ],
)
def test_months_read(text, month):
    assert dates.parse_month(text, parameter="month") == month


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "0000-01",
            "“0000-01” is outside the calendar used here: months run from 1000-01 to 9998-12.",
        ),
        ("0001-01", "outside the calendar"),
        ("0999-12", "outside the calendar"),
        ("9999-12", "outside the calendar"),
        ("10000-01", "“10000-01” is not a month: give it as YYYY-MM in digits 0–9"),
        ("9999-13", "“9999-13” names month 13: months run from 01 to 12."),
        ("2026-00", "“2026-00” names month 00"),
        ("２０２６-１０", "“２０２６-１０” is not a month"),
        ("٢٠٢٦-١٠", "“٢٠٢٦-١٠” is not a month"),
        ("2026-1", "“2026-1” is not a month"),
        ("26-10", "is not a month"),
        ("2026-10-01", "is not a month"),
        ("2026/10", "is not a month"),
        ("", "“” is not a month"),
        ("2026-10\n", None),  # stripped: accepted (checked below)
        (LONG, f"“{LONG[:40]}…” is not a month"),
    ],
)
def test_months_refused_say_why_and_what_is_accepted(text, reason):
    if reason is None:
        assert dates.parse_month(text, parameter="month") == datetime.date(2026, 10, 1)
        return
    with translation.override("en"), pytest.raises(dates.DateInputError) as raised:
        dates.parse_month(text, parameter="month")
    assert reason in raised.value.reason
    assert str(raised.value) == f"month: {raised.value.reason}"
    assert raised.value.parameter == "month" and len(raised.value.reason) < 200


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-02-30", "“2026-02-30” is not a date: 2026-02 has 28 days."),
        ("2024-02-30", "2024-02 has 29 days"),
        ("2026-10-00", "2026-10 has 31 days"),
        ("0001-01-01", "dates run from 1000-01-01 to 9998-12-31"),
        ("9999-12-31", "dates run from 1000-01-01 to 9998-12-31"),
        ("2026-10", "“2026-10” is not a date: give it as YYYY-MM-DD"),
        ("2026-1-1", "is not a date"),
        ("２０２６-１０-０１", "is not a date"),
    ],
)
def test_dates_refused(text, reason):
    with translation.override("en"), pytest.raises(dates.DateInputError) as raised:
        dates.parse_day(text, parameter="--day")
    assert reason in raised.value.reason
    assert str(raised.value).startswith("--day: ")


def test_counter_takes_a_month_or_a_date():
    read = dates.parse_month_or_day
    assert read("2026-10", parameter="begin_date") == datetime.date(2026, 10, 1)
    assert read("2026-10-31", parameter="end_date") == datetime.date(2026, 10, 31)
    with translation.override("en"), pytest.raises(dates.DateInputError, match="YYYY-MM or"):
        read("October", parameter="begin_date")


def test_the_reason_is_in_the_active_language():
    with translation.override("ru"), pytest.raises(dates.DateInputError) as raised:
        dates.parse_month("2026-13", parameter="month")
    assert raised.value.reason == "В «2026-13» указан месяц 13: номера месяцев — от 01 до 12."


@pytest.mark.parametrize("edge", [dates.FIRST_DAY, dates.LAST_DAY])
def test_what_the_reports_compute_holds_at_both_ends_of_the_range(edge):
    """The range is what the computations downstream can do: a year back and a month ahead of
    a month, and a day's bounds in the project's time zone turned into UTC."""
    month = edge.replace(day=1)
    assert add_months(month, -13) < month < add_months(month, 1)
    assert month_end(add_months(month, 1)) > edge
    for day in (edge - datetime.timedelta(days=1), edge, edge + datetime.timedelta(days=1)):
        start, end = day_bounds(day)
        assert start.astimezone(datetime.UTC) < end.astimezone(datetime.UTC)


@pytest.mark.parametrize(
    ("month", "text"),
    [
        (datetime.date(1, 1, 1), "0001-01"),
        (datetime.date(99, 12, 1), "0099-12"),
        (datetime.date(2026, 3, 1), "2026-03"),
    ],
)
def test_months_are_written_with_four_digit_years(month, text):
    assert dates.month_text(month) == text
