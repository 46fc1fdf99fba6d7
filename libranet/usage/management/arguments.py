"""Dates given to the usage commands, read with a message that says what is wrong."""

import datetime

from django.core.management.base import CommandError

from libranet.usage.reports import month_from_text


def parse_day(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} takes a date as YYYY-MM-DD, not “{value}”.") from None


def parse_month(value: str, option: str = "--month") -> datetime.date:
    month = month_from_text(value)
    if month is None:
        raise CommandError(f"{option} takes a month as YYYY-MM, not “{value}”.")
    return month
