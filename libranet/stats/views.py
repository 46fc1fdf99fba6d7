"""The usage statistics pages: thin views that read the query, narrow the reader's scope
(``centers_for(user, VIEW_USAGE)``) and show ``libranet.usage.reports``' figures, as pages
with charts and as CSV/XLSX. Bad input gets the form back with its message (400)."""

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from libranet.backoffice.access import office_capabilities, requires
from libranet.network.models import Center, FederalDistrict, Region
from libranet.network.permissions import Capability, centers_for
from libranet.network.services import normalize_search
from libranet.usage.overview import (
    COLUMN_KEYS,
    CenterHistory,
    Level,
    LevelFigures,
    UnknownArea,
    center_history,
    level_figures,
    sort_rows,
    start_level,
    top_and_bottom,
)
from libranet.usage.reports import INDICATOR_NAMES, ZeroUsageReport, zero_usage

from . import charts, exports
from .formatting import period_file_name, period_label
from .forms import OverviewForm, ReportForm

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


# --- the drill-down: network, district, region, center -------------------------------------

PAGE_SIZE = 50


def _crumbs(figures_area: Any, level: Level, query: str) -> list[tuple[str, str | None]]:
    """Network › district › region › center (abroad: network › centers abroad › country ›
    center), each linking to its level with the page's month and indicator."""

    def link(*args: str) -> str:
        return f"{reverse('stats:level', args=args)}?{query}"

    crumbs: list[tuple[str, str | None]] = [(str(_("Network")), link(Level.NETWORK))]
    area = figures_area
    center = area if level == Level.CENTER else None
    if center is not None:
        area = center.region or center.country
    if isinstance(area, Region):
        district = area.federal_district
        crumbs.append((district.name, link(Level.DISTRICT, district.code)))
        crumbs.append((area.name, link(Level.REGION, area.code)))
    elif isinstance(area, FederalDistrict):
        crumbs.append((area.name, link(Level.DISTRICT, area.code)))
    elif level in (Level.FOREIGN, Level.COUNTRY) or center is not None:
        crumbs.append((str(_("Centers abroad")), link(Level.FOREIGN)))
        if area is not None:
            crumbs.append((area.name, link(Level.COUNTRY, area.code)))
    if center is not None:
        crumbs.append((center.name, None))
    crumbs[-1] = (crumbs[-1][0], None)
    return crumbs


def _level_of(level: str, code: str) -> Level:
    try:
        parsed = Level(level)
    except ValueError:
        raise Http404 from None
    if bool(code) != (parsed not in (Level.NETWORK, Level.FOREIGN)):
        raise Http404
    return parsed


def _bad_request(request: Any, form: OverviewForm) -> Any:
    return _render(request, "overview.html", {"form": form, "crumbs": []}, status=400)


def _figures(request: Any, level: Level, code: str, form: OverviewForm) -> Any:
    """The level's figures, or the center's history; 404 outside the reader's scope."""
    data = form.cleaned_data
    try:
        if level == Level.CENTER:
            return center_history(
                code=code, month=data["month"], months=data["months"], scope=_scope(request)
            )
        return level_figures(
            level=level, code=code, month=data["month"], scope=_scope(request), metric=form.metric()
        )
    except UnknownArea:
        raise Http404 from None


def _start(request: Any) -> tuple[Level, str]:
    return start_level(_scope(request))


@require_safe
@requires(Capability.VIEW_USAGE)
def indicators(request):
    """The statistics' first page: the level the reader's scope starts at."""
    return _level_page(request, *_start(request))


@require_safe
@requires(Capability.VIEW_USAGE)
def level(request, level, code=""):
    return _level_page(request, _level_of(level, code), code)


@require_safe
@requires(Capability.VIEW_USAGE)
def indicators_export(request, fmt):
    return _level_export(request, fmt, *_start(request))


@require_safe
@requires(Capability.VIEW_USAGE)
def level_export(request, level, fmt, code=""):
    return _level_export(request, fmt, _level_of(level, code), code)


def _level_page(request: Any, level: Level, code: str) -> Any:
    form = OverviewForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, form)
    figures = _figures(request, level, code, form)
    keep = form.query(without=("sort", "q"))
    context: dict[str, Any] = {
        "form": form,
        "level": level,
        "figures": figures,
        "period": period_label(figures.periods.month, figures.periods.current.last),
        "periods": figures.periods,
        "headings": [INDICATOR_NAMES[m] for m in figures.indicators],
        "crumbs": _crumbs(figures.center if level == Level.CENTER else figures.area, level, keep),
        "keep": keep,
        "query": form.query(),
        "downloads": [
            (
                fmt.upper(),
                reverse("stats:level_export", args=[level, *([code] if code else []), fmt]),
            )
            for fmt in FORMATS
        ],
    }
    if level == Level.CENTER:
        context.update(_history_context(figures))
        return _render(request, "center.html", context)
    context.update(_table_context(request, figures, form, keep))
    return _render(request, "overview.html", context)


def _table_context(
    request: Any, figures: LevelFigures, form: OverviewForm, keep: str
) -> dict[str, Any]:
    sort = form.cleaned_data["sort"]
    rows = sort_rows(figures.rows, sort)
    needle = form.cleaned_data["q"].strip().casefold()
    # Where the rows are centers the search narrows them; above, it finds centers in the
    # reader's scope, so that any center is a search and a click away from the network's page.
    narrows_rows = figures.level in (Level.REGION, Level.COUNTRY)
    if needle and narrows_rows:
        rows = [r for r in rows if needle in r.name.casefold() or needle in r.key.casefold()]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    metric = figures.metric
    top, bottom = top_and_bottom(figures.regions or figures.rows, metric)
    chart_rows = sorted(rows, key=lambda r: -r.value(metric))[: charts.TOP_GROUPS]
    return {
        "page": page,
        "rows": [(row, row.cells(figures.indicators)) for row in page],
        "total_cells": figures.total.cells(figures.indicators),
        "columns": _columns(sort, form.query(without=("sort",))),
        "searchable": True,
        "narrows_rows": narrows_rows,
        "found_centers": _found_centers(request, needle) if needle and not narrows_rows else None,
        "pagination_query": form.query(),
        "metric_name": INDICATOR_NAMES[metric],
        "groups_chart": charts.bars([(r.short, r.name, r.value(metric)) for r in chart_rows]),
        "groups_shown": len(chart_rows),
        "series_chart": charts.columns(
            [(date_format(month, "M Y"), values.get(metric, 0)) for month, values in figures.series]
        ),
        "top": top,
        "bottom": bottom,
        "ranked_regions": bool(figures.regions) and figures.level == Level.NETWORK,
        "choropleth": _choropleth(figures, keep) if figures.regions else None,
    }


FOUND_CENTERS_LIMIT = 20


def _found_centers(request: Any, needle: str) -> list[Center]:
    """Centers of the reader's scope whose name, code or address holds ``needle``."""
    found = _scope(request).filter(search_text__contains=normalize_search(needle))
    return list(found.order_by("kind_rank", "code")[:FOUND_CENTERS_LIMIT])


def _columns(sort: str, query: str) -> list[dict[str, Any]]:
    """The table's sortable headings: label, link (the other direction when sorted by it) and
    aria-sort."""
    labels = [("name", _("Name")), ("code", _("Code"))]
    labels += [(key, INDICATOR_NAMES[metric]) for metric, key in COLUMN_KEYS.items()]
    labels.append(("zero", _("Centers at zero")))
    current, descending = sort.removeprefix("-"), sort.startswith("-")
    columns = []
    for key, label in labels:
        sorted_here = key == current
        # Figures read best largest first; names from A.
        first = key if key in ("name", "code") else f"-{key}"
        target = (key if descending else f"-{key}") if sorted_here else first
        columns.append(
            {
                "key": key,
                "label": label,
                "url": f"?{query}&sort={target}" if query else f"?sort={target}",
                "aria_sort": ("descending" if descending else "ascending")
                if sorted_here
                else "none",
            }
        )
    return columns


def _choropleth(figures: LevelFigures, keep: str) -> dict[str, Any]:
    """The regions' map: each region's value of the chosen indicator, and the share of its
    centers at zero (``partials/choropleth.html``'s contract)."""
    metric = figures.metric
    links = {
        row.region_code: f"{reverse('stats:level', args=[Level.REGION, row.key])}?{keep}"
        for row in figures.regions
    }
    return {
        "value": {
            "title": str(INDICATOR_NAMES[metric]),
            "unit": str(_("per month")),
            "values": {row.region_code: row.value(metric) for row in figures.regions},
            "links": links,
            "format": "number",
        },
        "zero": {
            "title": str(
                _("Share of centers at zero: %(indicator)s")
                % {"indicator": INDICATOR_NAMES[metric]}
            ),
            "unit": "%",
            "values": {
                row.region_code: None if row.zero_share is None else round(row.zero_share * 100, 1)
                for row in figures.regions
            },
            "links": links,
            "format": "percent",
        },
        "regions": sorted(figures.regions, key=lambda row: row.name.casefold()),
    }


def _history_context(history: CenterHistory) -> dict[str, Any]:
    points = [(date_format(m.month, "M Y"), m.cells[0].value) for m in reversed(history.months)]
    return {
        "center": history.center,
        "figures_cells": history.figures.cells(history.indicators),
        "history": history.months,
        "series_chart": charts.columns(points),
        "metric_name": INDICATOR_NAMES[history.indicators[0]],
    }


def _level_export(request: Any, fmt: str, level: Level, code: str) -> Any:
    _check_format(fmt)
    form = OverviewForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, form)
    figures = _figures(request, level, code, form)
    periods = figures.periods
    if level == Level.CENTER:
        table = exports.history_table(figures)
        name = (
            f"usage-{figures.center.code}-{period_file_name(periods.month, periods.current.last)}"
        )
    else:
        table = exports.level_table(figures, sort_rows(figures.rows, form.cleaned_data["sort"]))
        where = f"-{code}" if code else ""
        name = f"usage-{period_file_name(periods.month, periods.current.last)}-{level}{where}"
    return _download(exports.render(table, fmt, sheet=str(level)), fmt, name)


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
