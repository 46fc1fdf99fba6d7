"""Months (``YYYY-MM``) and dates (``YYYY-MM-DD``) given at a door: the statistics form, the
API's query parameters, SUSHI's begin_date and end_date, the commands' options. One reading
for all of them; each door says the refusal in its own way (a form error, a JSON 422, COUNTER
exception 3020, a ``CommandError``), naming its parameter.

- Digits are ASCII: Python's ``\\d`` and ``int()`` also take Arabic-Indic or full-width digits,
  which no one means as a date here.
- Years have four digits and lie in ``FIRST_DAY``..``LAST_DAY``. What the reports compute from
  a month needs room on both sides: the month after it and the same month a year before, and a
  day's bounds turned into UTC (``datetime`` ends at years 1 and 9999). So years before 1000 and
  the year 9999 are refused rather than failing halfway through a report.
- Surrounding white space is ignored, as in every other field of a form.

Months are written back by ``month_text`` alone: ``strftime("%Y")`` does not pad a year
before 1000 with zeros on every platform.
"""

import calendar
import datetime
import re

from django.utils.translation import gettext as _

FIRST_DAY = datetime.date(1000, 1, 1)
LAST_DAY = datetime.date(9998, 12, 31)

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})", re.ASCII)
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_SHOWN = 40  # characters of a refused value repeated in its message


class DateInputError(ValueError):
    """``text``, given as ``parameter``, is not a month or date that can be used; ``reason`` says
    what is accepted, in the active language, without the parameter's name (a form shows its
    label before it; ``str()`` is "parameter: reason")."""

    def __init__(self, *, parameter: str, text: str, reason: str) -> None:
        self.parameter = parameter
        self.text = text
        self.reason = reason
        super().__init__(f"{parameter}: {reason}")


def month_text(month: datetime.date) -> str:
    """``2026-10``: the month of ``month`` with its year in four digits."""
    return f"{month.year:04d}-{month.month:02d}"


def _shown(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def _read(text: str, parameter: str, *, month: bool, day: bool) -> datetime.date:
    """The date ``text`` names (a month as its first day), or ``DateInputError``."""
    stripped = text.strip()
    shown = _shown(stripped)

    def refuse(reason: str) -> DateInputError:
        return DateInputError(parameter=parameter, text=text, reason=reason)

    parts = None
    if day and (match := _DAY.fullmatch(stripped)):
        parts = match.groups()
    elif month and (match := _MONTH.fullmatch(stripped)):
        parts = (*match.groups(), "01")
    if parts is None:
        if month and day:
            reason = _(
                "“{text}” is not a month or a date: give it as YYYY-MM or YYYY-MM-DD in digits "
                "0–9, for example 2026-10 or 2026-10-31."
            )
        elif month:
            reason = _(
                "“{text}” is not a month: give it as YYYY-MM in digits 0–9, for example 2026-10."
            )
        else:
            reason = _(
                "“{text}” is not a date: give it as YYYY-MM-DD in digits 0–9, for example "
                "2026-10-31."
            )
        raise refuse(reason.format(text=shown))
    year, number, day_number = (int(part) for part in parts)
    if not 1 <= number <= 12:
        raise refuse(
            _("“{text}” names month {number}: months run from 01 to 12.").format(
                text=shown, number=parts[1]
            )
        )
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        if month and not day:
            reason = _(
                "“{text}” is outside the calendar used here: months run from {first} to {last}."
            )
            first, last = month_text(FIRST_DAY), month_text(LAST_DAY)
        else:
            reason = _(
                "“{text}” is outside the calendar used here: dates run from {first} to {last}."
            )
            first, last = FIRST_DAY.isoformat(), LAST_DAY.isoformat()
        raise refuse(reason.format(text=shown, first=first, last=last))
    length = calendar.monthrange(year, number)[1]
    if not 1 <= day_number <= length:
        raise refuse(
            _("“{text}” is not a date: {month} has {count} days.").format(
                text=shown, month=f"{year:04d}-{number:02d}", count=length
            )
        )
    return datetime.date(year, number, day_number)


def parse_month(text: str, *, parameter: str) -> datetime.date:
    """``2026-10`` as the first day of that month."""
    return _read(text, parameter, month=True, day=False)


def parse_day(text: str, *, parameter: str) -> datetime.date:
    """``2026-10-31`` as that date."""
    return _read(text, parameter, month=False, day=True)


def parse_month_or_day(text: str, *, parameter: str) -> datetime.date:
    """``2026-10`` (as its first day) or ``2026-10-31``: what COUNTER's begin_date and end_date
    take."""
    return _read(text, parameter, month=True, day=True)
