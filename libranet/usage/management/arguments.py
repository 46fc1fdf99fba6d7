"""Dates given to the usage commands, read with a message that says what is wrong."""

import datetime

from django.core.management.base import CommandError


def parse_day(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} takes a date as YYYY-MM-DD, not “{value}”.") from None


def parse_month(value: str, option: str = "--month") -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 (a date)
    except ValueError:
        raise CommandError(f"{option} takes a month as YYYY-MM, not “{value}”.") from None
