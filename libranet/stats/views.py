"""The usage statistics pages: thin views that read the query, narrow the reader's scope
(``centers_for(user, VIEW_USAGE)``) and show ``libranet.usage.reports``' figures, as pages
with charts and as CSV/XLSX. Bad input gets the form back with its message (400)."""

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_safe

from libranet.backoffice.access import office_capabilities, requires
from libranet.network.permissions import Capability, centers_for
from libranet.usage.reports import (
    GROUPINGS,
    INDICATOR_NAMES,
    MonthlyIndicators,
    ZeroUsageReport,
    monthly_indicators,
    zero_usage,
)

from . import charts, exports
from .formatting import period_file_name, period_label
from .forms import IndicatorsForm, ReportForm

FORMATS = {"csv": exports.CSV_TYPE, "xlsx": exports.XLSX_TYPE}


def _render(request: Any, template: str, context: dict[str, Any], status: int = 200) -> Any:
    context = {"caps": office_capabilities(request.user), **context}
    return render(request, f"stats/{template}", context, status=status)


def _scope(request: Any) -> Any:
    return centers_for(request.user, Capability.VIEW_USAGE)


def _download(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Http404


# --- monthly indicators --------------------------------------------------------------------


def _indicators(request: Any) -> tuple[IndicatorsForm, MonthlyIndicators | None]:
    form = IndicatorsForm(request.GET, scope=_scope(request))
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, monthly_indicators(month=data["month"], by=data["by"], centers=form.centers())


@require_safe
@requires(Capability.VIEW_USAGE)
def indicators(request):
    form, report = _indicators(request)
    if report is None:
        return _render(request, "indicators.html", {"form": form}, status=400)
    metric = next(m for m in report.indicators if m.label == form.cleaned_data["chart"])
    series = charts.columns(
        [(date_format(p.month, "M Y"), p.values[metric]) for p in report.series]
    )
    groups = charts.bars([(row.name, row.value(metric)) for row in report.rows])
    return _render(
        request,
        "indicators.html",
        {
            "form": form,
            "report": report,
            "headings": [INDICATOR_NAMES[m] for m in report.indicators],
            "by_label": GROUPINGS[report.by],
            "period": period_label(report.month, report.last_day),
            "running": not report.complete,
            "chart_metric": INDICATOR_NAMES[metric],
            "series_chart": series,
            "groups_chart": groups,
            "groups_shown": min(len(report.rows), charts.TOP_GROUPS),
            "series_table": [
                (p.month, [p.values[m] for m in report.indicators]) for p in report.series
            ],
            "query": form.query(),
        },
    )


@require_safe
@requires(Capability.VIEW_USAGE)
def indicators_export(request, fmt):
    _check_format(fmt)
    form, report = _indicators(request)
    if report is None:
        return _render(request, "indicators.html", {"form": form}, status=400)
    content = exports.render(exports.indicators_table(report), fmt, sheet="indicators")
    period = period_file_name(report.month, report.last_day)
    return _download(content, fmt, f"usage-{period}-by-{report.by}")


# --- zero usage ----------------------------------------------------------------------------


def _zero_usage(request: Any) -> tuple[ReportForm, ZeroUsageReport | None]:
    form = ReportForm(request.GET, scope=_scope(request))
    if not form.is_valid():
        return form, None
    return form, zero_usage(month=form.cleaned_data["month"], centers=form.centers())


@require_safe
@requires(Capability.VIEW_USAGE)
def zero_usage_report(request):
    form, report = _zero_usage(request)
    if report is None:
        return _render(request, "zero_usage.html", {"form": form}, status=400)
    return _render(
        request,
        "zero_usage.html",
        {
            "form": form,
            "report": report,
            "headings": [INDICATOR_NAMES[m] for m in report.indicators],
            "listed": sum(len(group.rows) for group in report.groups),
            "period": period_label(report.month, report.last_day),
            "running": not report.complete,
            "groups": [
                (
                    group.regional_center,
                    [
                        (
                            row,
                            [row.values[m] for m in report.indicators],
                            [INDICATOR_NAMES[m] for m in row.zero],
                        )
                        for row in group.rows
                    ],
                )
                for group in report.groups
            ],
            "query": form.query(),
        },
    )


@require_safe
@requires(Capability.VIEW_USAGE)
def zero_usage_export(request, fmt):
    _check_format(fmt)
    form, report = _zero_usage(request)
    if report is None:
        return _render(request, "zero_usage.html", {"form": form}, status=400)
    content = exports.render(exports.zero_usage_table(report), fmt, sheet="zero usage")
    return _download(content, fmt, f"zero-usage-{period_file_name(report.month, report.last_day)}")
