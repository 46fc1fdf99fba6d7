"""The choropleth partial: a demo figure of the regions by one indicator, as the statistics
pages include it; its class breaks, legend and table (in a browser: test_map_browser.py)."""

import csv
import json
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from libranet.public.templatetags.maps import class_breaks

SUBJECTS_CSV = Path(__file__).resolve().parents[2] / "network" / "data" / "federal_subjects.csv"
SHAPES = Path(__file__).resolve().parents[2] / "static" / "map" / "russia-subjects.json"

DEMO = Template('{% include "partials/choropleth.html" with choropleth=choropleth %}')


def demo_choropleth() -> dict:
    return {
        "title": "Share of centers with no use this month",
        "unit": "per cent",
        "values": {"RU-TVE": 12.5, "RU-PNZ": 40, "RU-MOW": 0, "RU-SA": 75, "RU-CHU": None},
        "links": {"RU-TVE": "/en/centers/?region=RU-TVE", "RU-PNZ": "/en/centers/?region=RU-PNZ"},
        "format": "percent",
    }


def render(choropleth: dict, language: str = "en") -> str:
    with translation.override(language):
        return DEMO.render(Context({"choropleth": choropleth}))


def test_every_federal_subject_has_a_shape():
    with SUBJECTS_CSV.open(encoding="utf-8") as rows:
        codes = {row["code"] for row in csv.DictReader(rows)}
    topology = json.loads(SHAPES.read_text())
    shapes = {geometry["id"] for geometry in topology["objects"]["subjects"]["geometries"]}
    assert codes - shapes == set()
    assert shapes - codes == set()
    assert SHAPES.stat().st_size < 1_000_000


@pytest.mark.parametrize(
    ("values", "breaks"),
    [
        ([], []),
        ([5, 5, 5], [5]),
        ([0, 12.5, 40, 75], [0, 12.5, 40, 75]),
        (list(range(100)), [20, 40, 60, 80, 99]),
    ],
)
def test_class_breaks_are_quantiles(values, breaks):
    assert class_breaks(values) == breaks


@pytest.mark.django_db
def test_choropleth_renders_legend_and_table_in_the_page_language():
    html = render(demo_choropleth())
    assert "Share of centers with no use this month</strong>, per cent" in html
    # The table, by region name, with its links and the values as the page says them.
    assert '<a href="/en/centers/?region=RU-TVE">Tver Region</a>' in html
    assert "12.5\u00a0%" in html and "75\u00a0%" in html
    assert 'data-label="Region"' in html
    assert "no data" in html
    data = json.loads(html.split('type="application/json">')[1].split("</script>")[0])
    assert data["RU-CHU"]["shown"] == "—" and data["RU-CHU"]["colour"] == "#d9d9d9"
    assert data["RU-SA"]["colour"] != data["RU-MOW"]["colour"]
    russian = render(demo_choropleth(), "ru")
    assert "Тверская область" in russian and "12,5\u00a0%" in russian and "нет данных" in russian
