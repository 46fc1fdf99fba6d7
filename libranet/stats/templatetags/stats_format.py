from django import template

from libranet.stats.formatting import format_number, format_percent
from libranet.usage.models import Metric
from libranet.usage.overview import Row
from libranet.usage.reports import INDICATOR_NAMES

register = template.Library()


@register.filter
def number(value: int) -> str:
    """1 234 567 (ru, thin spaces) or 1,234,567 (en)."""
    return format_number(value)


@register.filter
def change(value: int) -> str:
    """A change with its sign: +12, −3, 0."""
    return format_number(value, signed=True)


@register.filter
def percent(value: float) -> str:
    return format_percent(value)


@register.filter
def share(value: float | None) -> str:
    """A share as per cent, unsigned: 12,5 % (ru), 12.5 % (en)."""
    return "" if value is None else format_number(value * 100, decimals=1) + "\u00a0%"


@register.filter
def indicator(metric: Metric) -> str:
    """The staff's name of an indicator (a table column's heading)."""
    return str(INDICATOR_NAMES[metric])


@register.filter
def value_of(row: Row, metric: Metric) -> int:
    """A row's figure of ``metric`` for the month shown."""
    return row.value(metric)
