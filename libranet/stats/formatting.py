"""Numbers as each language writes them: Russian groups thousands with a thin (narrow
no-break) space and has a decimal comma; English a comma and a point. Minus is a true minus.
And a report's period: its month, or the days of a month still running."""

import datetime

from django.utils.dateformat import format as date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from libranet.dates import month_text
from libranet.usage.reports import month_end

_SEPARATORS = {"ru": ("\u202f", ","), "en": (",", ".")}
MINUS = "\u2212"


def format_number(value: float, *, decimals: int = 0, signed: bool = False) -> str:
    thousands, point = _SEPARATORS.get((get_language() or "ru")[:2], _SEPARATORS["ru"])
    text = f"{abs(value):,.{decimals}f}".replace(",", "\0").replace(".", point)
    text = text.replace("\0", thousands)
    if value < 0 and any(digit in text for digit in "123456789"):  # never "−0"
        return MINUS + text
    return ("+" + text) if signed and value > 0 else text


def format_percent(value: float) -> str:
    return format_number(value, decimals=1, signed=True) + "\u00a0%"


def period_label(month: datetime.date, last_day: datetime.date) -> str:
    """“December 2026”; while the month runs, the days its figures cover: “1–5 December 2026
    (month in progress)”."""
    if last_day == month_end(month):
        return date_format(month, "F Y")
    days = date_format(last_day, "j E Y")
    if last_day.day > 1:
        days = f"1–{days}"
    return _("{days} (month in progress)").format(days=days)


def period_file_name(month: datetime.date, last_day: datetime.date) -> str:
    """``2026-12`` in a download's name; ``2026-12-01-to-2026-12-05`` while the month runs."""
    if last_day == month_end(month):
        return month_text(month)
    return f"{month.isoformat()}-to-{last_day.isoformat()}"
