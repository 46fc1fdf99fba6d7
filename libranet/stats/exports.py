"""The reports as tables (CSV, XLSX), written by the registry's table writers: the same rows and
figures the pages show, numbers as numbers, headers in the page's language. Each row starts
with the month and the days it covers (a running month's figures stop at yesterday)."""

from typing import Any

from django.utils.translation import gettext as _

from libranet.dates import month_text
from libranet.network import importexport
from libranet.usage.models import Metric
from libranet.usage.overview import Cell, CenterHistory, LevelFigures, Periods, Row
from libranet.usage.reports import INDICATOR_NAMES, Change, ZeroUsageReport

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def indicator_heading(metric: Metric) -> str:
    """The staff's name with COUNTER's beside it, as libraries compare them."""
    return f"{INDICATOR_NAMES[metric]} ({metric.label})"


def _period_columns() -> list[str]:
    return [_("Month"), _("First day"), _("Last day"), _("Month complete")]


def _period(report: ZeroUsageReport) -> list[Any]:
    """The month and the days its figures cover: while it runs, through yesterday."""
    return [
        month_text(report.month),
        report.month.isoformat(),
        report.last_day.isoformat(),
        _("yes") if report.complete else _("no"),
    ]


def _percent(change: Change) -> float | str:
    return "" if change.percent is None else round(change.percent, 1)


def _comparison(periods: Periods) -> list[Any]:
    return [
        periods.previous.first.isoformat(),
        periods.previous.last.isoformat(),
        periods.year_before.first.isoformat(),
        periods.year_before.last.isoformat(),
    ]


def _comparison_columns() -> list[str]:
    return [
        _("Compared with: first day"),
        _("Compared with: last day"),
        _("A year before: first day"),
        _("A year before: last day"),
    ]


def _indicator_columns(indicators: list[Metric]) -> list[str]:
    columns = []
    for metric in indicators:
        heading = indicator_heading(metric)
        columns += [
            heading,
            _("%(indicator)s: change from the month before") % {"indicator": heading},
            _("%(indicator)s: change from the month before, %%") % {"indicator": heading},
            _("%(indicator)s: change from a year before") % {"indicator": heading},
            _("%(indicator)s: change from a year before, %%") % {"indicator": heading},
        ]
    return columns


def _cell_values(cells: list[Cell]) -> list[Any]:
    values: list[Any] = []
    for cell in cells:
        values += [
            cell.value,
            cell.previous.absolute,
            _percent(cell.previous),
            cell.year_before.absolute,
            _percent(cell.year_before),
        ]
    return values


def level_table(figures: LevelFigures, rows: list[Row]) -> tuple[list[str], list[dict[str, Any]]]:
    """A level's rows in the page's order, then their total: each indicator with both changes
    (a month in progress against the same days), the centers open and those at zero."""
    periods = figures.periods
    columns = [
        *_period_columns(),
        *_comparison_columns(),
        _("Code"),
        _("Name"),
        _("Centers open"),
        _("Centers at zero: %(indicator)s") % {"indicator": INDICATOR_NAMES[figures.metric]},
        *_indicator_columns(figures.indicators),
    ]
    period = [
        month_text(periods.month),
        periods.current.first.isoformat(),
        periods.current.last.isoformat(),
        _("yes") if periods.complete else _("no"),
        *_comparison(periods),
    ]
    table = []
    for row in [*rows, figures.total]:
        values = [*period, row.key, row.name, row.centers, row.at_zero]
        values += _cell_values(row.cells(figures.indicators))
        table.append(dict(zip(columns, values, strict=True)))
    return columns, table


def history_table(history: CenterHistory) -> tuple[list[str], list[dict[str, Any]]]:
    """A center's months, newest first, each against the month before and a year before."""
    columns = [
        *_period_columns(),
        _("Center code"),
        _("Center"),
        *_indicator_columns(history.indicators),
    ]
    table = []
    for month in history.months:
        values = [
            month_text(month.month),
            month.span.first.isoformat(),
            month.span.last.isoformat(),
            _("yes") if month.span.whole_month else _("no"),
            history.center.code,
            history.center.name,
            *_cell_values(month.cells),
        ]
        table.append(dict(zip(columns, values, strict=True)))
    return columns, table


def zero_usage_table(report: ZeroUsageReport) -> tuple[list[str], list[dict[str, Any]]]:
    """One row per center listed, with its coordinating regional center."""
    columns = [
        *_period_columns(),
        _("Coordinating regional center code"),
        _("Coordinating regional center"),
        _("Center code"),
        _("Center"),
        _("Kind"),
        _("Days open"),
        *(indicator_heading(m) for m in report.indicators),
        _("Zero indicators"),
    ]
    rows = []
    for group in report.groups:
        coordinator = group.regional_center
        for item in group.rows:
            values: list[Any] = [
                *_period(report),
                coordinator.code if coordinator else "",
                coordinator.name if coordinator else "",
                item.center.code,
                item.center.name,
                item.center.get_kind_display(),
                item.days_open,
                *(item.values[m] for m in report.indicators),
                ", ".join(str(INDICATOR_NAMES[m]) for m in item.zero),
            ]
            rows.append(dict(zip(columns, values, strict=True)))
    return columns, rows


def render(table: tuple[list[str], list[dict[str, Any]]], fmt: str, sheet: str) -> bytes:
    columns, rows = table
    if fmt == "csv":
        return importexport.write_csv(rows, columns=columns)
    return importexport.write_xlsx(rows, columns=columns, sheet_title=sheet)
