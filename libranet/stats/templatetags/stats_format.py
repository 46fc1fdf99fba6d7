from django import template

from libranet.stats.formatting import format_number, format_percent

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
