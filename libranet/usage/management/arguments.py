"""Dates given to the usage commands, read by ``libranet.dates`` with a message that names the
option and says what it takes."""

import datetime

from django.core.management.base import CommandError

from libranet import dates


def parse_day(value: str, option: str) -> datetime.date:
    try:
        return dates.parse_day(value, parameter=option)
    except dates.DateInputError as exc:
        raise CommandError(str(exc)) from None


def parse_month(value: str, option: str = "--month") -> datetime.date:
    try:
        return dates.parse_month(value, parameter=option)
    except dates.DateInputError as exc:
        raise CommandError(str(exc)) from None
