from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from libranet.stats.formatting import format_number, format_percent
from libranet.usage.models import Metric
from libranet.usage.overview import Cell, Row
from libranet.usage.reports import INDICATOR_NAMES, Change

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


def _change(change: Change, basis: str) -> str:
    """One change of a figure, the same everywhere: an arrow and words carry the direction,
    the colour (the class) repeats it; "—" when the base had nothing, said to screen readers."""
    if change.absolute > 0:
        direction, arrow = "change-up", "▲"
    elif change.absolute < 0:
        direction, arrow = "change-down", "▼"
    else:
        direction, arrow = "change-none", "="
    if change.percent is None:
        missing = (
            _("no data a year before") if basis == "year" else _("no data for the month before")
        )
        return format_html(
            '<span class="change {}"><span aria-hidden="true" title="{}">—</span>'
            '<span class="visually-hidden">{}</span></span>',
            direction,
            missing,
            missing,
        )
    against = _("vs same month last year") if basis == "year" else _("vs previous month")
    return format_html(
        '<span class="change {}"><span aria-hidden="true">{}</span> {} ({}) '
        '<span class="change-basis">{}</span></span>',
        direction,
        arrow,
        format_number(change.absolute, signed=True),
        format_percent(change.percent),
        against,
    )


@register.simple_tag
def figure_changes(cell: Cell) -> str:
    """A figure with its change from the month before and from a year before (rendered here,
    not by an included template: a table of 50 rows has 600 of them)."""
    return format_html(
        '<span class="figure">{}</span> {} {}',
        format_number(cell.value),
        _change(cell.previous, "previous"),
        _change(cell.year_before, "year"),
    )


@register.simple_tag
def figure_cell(cell: Cell) -> str:
    """A table's cell of one indicator: the figure and both its changes, labelled for cards."""
    return format_html(
        '<td class="number" data-label="{}"><span class="cell-figures">{}</span></td>',
        INDICATOR_NAMES[cell.metric],
        figure_changes(cell),
    )


@register.simple_tag
def centers_at_zero(row: Row) -> str:
    """A row's centers with none of the chosen indicator: "3 of 40 (7.5 %)"; for a center,
    whether it is one of them."""
    if row.level == "center":
        if row.at_zero:
            return format_html('<span class="badge badge-warning">{}</span>', _("at zero"))
        if row.centers:
            return _("no")
        label = _("not open this month")
    elif row.centers:
        return _("%(zero)s of %(centers)s (%(share)s)") % {
            "zero": format_number(row.at_zero),
            "centers": format_number(row.centers),
            "share": share(row.zero_share),
        }
    else:
        label = _("no center open this month")
    return format_html('<span class="muted" title="{}">—</span>', label)
