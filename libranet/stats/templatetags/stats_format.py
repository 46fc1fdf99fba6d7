from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
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


def _words() -> dict[str, str]:
    """The changes' words in the active language, looked up once per table row."""
    return {
        "previous": _("vs previous month"),
        "year": _("vs same month last year"),
        "previous-missing": _("no data for the month before"),
        "year-missing": _("no data a year before"),
    }


def _change(change: Change, basis: str, words: dict[str, str]) -> str:
    """One change of a figure, the same everywhere: an arrow and words carry the direction,
    the colour (the class) repeats it; "—" when the base had nothing, said to screen readers."""
    if change.absolute > 0:
        direction, arrow = "change-up", "▲"
    elif change.absolute < 0:
        direction, arrow = "change-down", "▼"
    else:
        direction, arrow = "change-none", "="
    if change.percent is None:
        missing = escape(words[f"{basis}-missing"])
        return (
            f'<span class="change {direction}"><span aria-hidden="true" title="{missing}">—'
            f'</span><span class="visually-hidden">{missing}</span></span>'
        )
    return (
        f'<span class="change {direction}"><span aria-hidden="true">{arrow}</span> '
        f"{format_number(change.absolute, signed=True)} ({format_percent(change.percent)}) "
        f'<span class="change-basis">{escape(words[basis])}</span></span>'
    )


def _figure_changes(cell: Cell, words: dict[str, str]) -> str:
    return (
        f'<span class="figure">{format_number(cell.value)}</span> '
        f"{_change(cell.previous, 'previous', words)} {_change(cell.year_before, 'year', words)}"
    )


@register.simple_tag
def figure_changes(cell: Cell) -> str:
    """A figure with its change from the month before and from a year before."""
    return mark_safe(_figure_changes(cell, _words()))  # noqa: S308 (numbers and escaped words)


@register.simple_tag
def figure_cells(cells: list[Cell]) -> str:
    """A row's cells of the indicators, each the figure and both its changes, labelled for
    the cards a phone shows (rendered here, not by included templates: a page of 50 rows has
    600 changes)."""
    words = _words()
    return mark_safe(  # noqa: S308 (numbers and escaped words)
        "".join(
            f'<td class="number" data-label="{escape(INDICATOR_NAMES[cell.metric])}">'
            f'<span class="cell-figures">{_figure_changes(cell, words)}</span></td>'
            for cell in cells
        )
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
