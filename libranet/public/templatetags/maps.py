"""The choropleth partial's data: region names, class breaks and formatted values."""

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.formats import number_format

from libranet.network.models import Region

register = template.Library()

CLASSES = 5
# ColorBrewer's sequential blues; fewer classes take colours spread over the same ramp.
PALETTE = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]
SPREAD = {1: [3], 2: [1, 4], 3: [0, 2, 4], 4: [0, 1, 3, 4], 5: [0, 1, 2, 3, 4]}
NO_DATA = "#d9d9d9"


@dataclass(frozen=True)
class ChoroplethRow:
    code: str
    name: str
    value: float | None
    shown: str  # the value as the page says it ("—" for none)
    url: str
    step: int  # the colour class, -1 for no value


@dataclass(frozen=True)
class ChoroplethStep:
    low: str
    high: str
    colour: str


def _format(value: float | None, kind: str) -> str:
    if value is None:
        return "—"
    digits = 0 if float(value).is_integer() else 1
    shown = number_format(value, decimal_pos=digits, use_l10n=True, force_grouping=True)
    return f"{shown}\u00a0%" if kind == "percent" else shown


def class_breaks(values: list[float], classes: int = CLASSES) -> list[float]:
    """Upper bounds of up to ``classes`` quantile classes (each about as many regions), the
    last one the maximum; equal bounds merge, so few distinct values make fewer classes."""
    ordered = sorted(values)
    if not ordered:
        return []
    count = len(ordered)
    bounds = [ordered[min(count - 1, (count * i) // classes)] for i in range(1, classes)]
    return sorted(set(bounds + [ordered[-1]]))


@register.simple_tag
def choropleth_data(choropleth: dict[str, Any]) -> dict[str, Any]:
    """Rows by region name (every region given, with or without a value), the steps of the
    colour scale and the rows as JSON-ready data for choropleth.js."""
    values = choropleth.get("values") or {}
    links = choropleth.get("links") or {}
    kind = choropleth.get("format") or "number"
    names = {region.code: region.name for region in Region.objects.filter(code__in=list(values))}
    present = [float(v) for v in values.values() if v is not None]
    bounds = class_breaks(present)
    rows = []
    for code, value in values.items():
        number = None if value is None else float(value)
        step = -1 if number is None else next(i for i, high in enumerate(bounds) if number <= high)
        rows.append(
            ChoroplethRow(
                code=code,
                name=names.get(code, code),
                value=number,
                shown=_format(number, kind),
                url=links.get(code, ""),
                step=step,
            )
        )
    rows.sort(key=lambda row: row.name)
    lows = [min(present)] + bounds[:-1] if present else []
    colours = [PALETTE[i] for i in SPREAD.get(len(bounds), [])]
    steps = [
        ChoroplethStep(low=_format(low, kind), high=_format(high, kind), colour=colour)
        for low, high, colour in zip(lows, bounds, colours, strict=True)
    ]
    return {
        "rows": rows,
        "steps": steps,
        "no_data": NO_DATA,
        "regions": {
            row.code: {
                "name": row.name,
                "shown": row.shown,
                "url": row.url,
                "colour": colours[row.step] if row.step >= 0 else NO_DATA,
            }
            for row in rows
        },
    }
