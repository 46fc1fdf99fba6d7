"""A campaign's results as a table (CSV, XLSX) with the registry's table writers: one row per
center covered, its place and state, then one column per indicator (numbers as numbers)."""

from typing import Any

from django.utils.translation import gettext as _

from libranet.network.models import Center
from libranet.stats.exports import CSV_TYPE, XLSX_TYPE, render

from .models import Campaign, Response
from .selectors import answers_by_center

__all__ = ["CSV_TYPE", "XLSX_TYPE", "results_file", "results_table"]


def results_table(
    campaign: Campaign, centers: list[Center]
) -> tuple[list[str], list[dict[str, Any]]]:
    indicators = list(campaign.indicators.all())
    heading = {
        i.pk: f"{i.position}. {i.name}" + (f", {i.unit}" if i.unit else "") for i in indicators
    }
    columns = [
        _("Code"),
        _("Center"),
        _("Federal district"),
        _("Region or country"),
        _("State"),
        _("Submitted at"),
        *heading.values(),
    ]
    responses = {
        r.center_id: r for r in Response.objects.filter(campaign=campaign, center__in=centers)
    }
    answers = answers_by_center(campaign, centers)
    rows = []
    for center in sorted(centers, key=lambda c: c.code):
        response = responses.get(center.pk)
        district = center.region.federal_district if center.region is not None else None
        place = center.region or center.country
        values: list[Any] = [
            center.code,
            center.name,
            district.name if district else "",
            place.name if place else "",
            response.get_state_display() if response else _("not started"),
            response.submitted_at.isoformat(timespec="minutes")
            if response and response.submitted_at
            else "",
        ]
        for indicator in indicators:
            answer = answers.get(center.pk, {}).get(indicator.pk)
            if answer is None:
                values.append("")
            elif answer.number is not None:
                number = answer.number
                values.append(int(number) if indicator.type == "integer" else float(number))
            else:
                values.append(answer.text)
        rows.append(dict(zip(columns, values, strict=True)))
    return columns, rows


def results_file(campaign: Campaign, centers: list[Center], fmt: str) -> bytes:
    return render(results_table(campaign, centers), fmt, sheet=_("Results"))
