"""The reports as tables (CSV, XLSX), written by the registry's table writers: the same rows and
figures the pages show, numbers as numbers, headers in the page's language. Each row starts
with the month and the days it covers (a running month's figures stop at yesterday)."""

from typing import Any

from django.utils.translation import gettext as _

from libranet.dates import month_text
from libranet.network import importexport
from libranet.usage.models import Metric
from libranet.usage.reports import (
    INDICATOR_NAMES,
    Change,
    IndicatorRow,
    MonthlyIndicators,
    ZeroUsageReport,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def indicator_heading(metric: Metric) -> str:
    """The staff's name with COUNTER's beside it, as libraries compare them."""
    return f"{INDICATOR_NAMES[metric]} ({metric.label})"


def _period_columns() -> list[str]:
    return [_("Month"), _("First day"), _("Last day"), _("Month complete")]


def _period(report: MonthlyIndicators | ZeroUsageReport) -> list[Any]:
    """The month and the days its figures cover: while it runs, through yesterday."""
    return [
        month_text(report.month),
        report.month.isoformat(),
        report.last_day.isoformat(),
        _("yes") if report.complete else _("no"),
    ]


def _percent(change: Change) -> float | str:
    return "" if change.percent is None else round(change.percent, 1)


def indicators_table(report: MonthlyIndicators) -> tuple[list[str], list[dict[str, Any]]]:
    """One row per group, then the total; per indicator its value and both changes."""
    columns = [*_period_columns(), _("Code"), _("Name")]
    for metric in report.indicators:
        heading = indicator_heading(metric)
        columns += [
            heading,
            _("%(indicator)s: change from the month before") % {"indicator": heading},
            _("%(indicator)s: change from the month before, %%") % {"indicator": heading},
            _("%(indicator)s: change from a year before") % {"indicator": heading},
            _("%(indicator)s: change from a year before, %%") % {"indicator": heading},
        ]

    def row(group: IndicatorRow) -> dict[str, Any]:
        values: list[Any] = [*_period(report), group.key, group.name]
        for cell in group.cells:
            values += [
                cell.value,
                cell.month_over_month.absolute,
                _percent(cell.month_over_month),
                cell.year_over_year.absolute,
                _percent(cell.year_over_year),
            ]
        return dict(zip(columns, values, strict=True))

    return columns, [row(group) for group in [*report.rows, report.total]]


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
