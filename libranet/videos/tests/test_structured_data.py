"""OpenGraph on public pages and the center page's Schema.org ``Library`` (JSON-LD)."""

import json

import pytest
from lxml import html

from libranet.network.models import Center


def _meta(page):
    tree = html.fromstring(page)
    return {m.get("property"): m.get("content") for m in tree.iter("meta") if m.get("property")}


@pytest.mark.parametrize(("lang", "locale"), [("ru", "ru_RU"), ("en", "en_US")])
def test_opengraph_on_public_pages(client, tver_rc, lang, locale):
    meta = _meta(client.get(f"/{lang}/centers/RU-TVE-RC/?x=1").content)
    assert meta["og:url"] == f"http://testserver/{lang}/centers/RU-TVE-RC/"
    assert meta["og:type"] == "place" and meta["og:locale"] == locale
    assert meta["og:title"] == (tver_rc.name_ru if lang == "ru" else tver_rc.name_en)
    assert meta["og:description"]
    meta = _meta(client.get(f"/{lang}/video/").content)
    assert meta["og:type"] == "website" and meta["og:title"] and meta["og:description"]


def test_library_json_ld(client, tver_rc):
    Center.objects.filter(pk=tver_rc.pk).update(
        address="Тверь, ул. Свободный пер., 28 </script><script>alert(1)</script>",
        latitude="56.858700",
        longitude="35.917600",
        phone="+7 4822 34-00-00",
        hours="Пн–Пт 09:00–18:00",
        hours_en="Mo-Fr 09:00-18:00",
    )
    page = client.get("/en/centers/RU-TVE-RC/").content.decode()
    assert "<script>alert(1)" not in page
    tree = html.fromstring(page)
    (script,) = tree.xpath('//script[@type="application/ld+json"]')
    data = json.loads(script.text)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Library"
    assert data["name"] == "Regional center in Tver Region"
    assert data["url"] == "http://testserver/en/centers/RU-TVE-RC/"
    assert data["address"]["streetAddress"].startswith("Тверь")
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 56.8587, "longitude": 35.9176}
    assert data["telephone"] == "+7 4822 34-00-00"
    assert data["openingHours"] == "Mo-Fr 09:00-18:00"
