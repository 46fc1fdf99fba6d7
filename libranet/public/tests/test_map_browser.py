"""The map and a center's page in a real browser (headless Chromium, offline: no tile server).

At a phone's 390 px and a laptop's 1366 px: no sideways scrolling and no serious axe-core
finding. The map draws the countries and federal subjects with no tiles, groups many centers
into clusters, filters by kind and finds a center by name, keyboard only; a center's page has
its small map, its contacts and the nearest centers; the statistics' choropleth draws the regions
with tooltips and links. Screenshots go to /tmp/screens.
"""

import re

import pytest
import time_machine
from playwright.sync_api import Page, expect

from libranet.network.cache import registry_changed
from libranet.network.models import Center, Region
from libranet.public.tests.test_choropleth import demo_choropleth, render
from libranet.tests.browser import assert_accessible, assert_no_overflow, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1366]
CROWD = 300  # centers around Tver, far more than the map can show one by one at country scale


@pytest.fixture
def network(make_center, institution):
    # The clock is fixed while the centers are registered (their first status is dated today)
    # and runs again for the browser: Playwright's event loop must not see a frozen clock.
    with time_machine.travel("2026-12-07 10:00+03:00", tick=False):
        return _network(make_center, institution)


def _network(make_center, institution):
    make_center(
        code="RU-TVE-RC",
        kind=Center.Kind.REGIONAL,
        name_ru="Региональный центр в Тверской области",
        name_en="Regional center in Tver Region",
    )
    centers = {
        "tver_library": make_center(
            code="RU-TVE-LIB",
            name_ru="ЦУД в библиотеке Твери",
            name_en="Tver library center",
            latitude="56.86",
            longitude="35.9",
            address="170100, г. Тверь, Свободный пер., 28",
            phone="+7 (4822) 34-12-00, доб. 5",
            email="cud@tver.example.ru",
            contact_person="Иванова Мария Петровна",
            hours="пн–пт 10:00–18:00",
            website="https://tver.example.ru/",
        ),
        "penza_library": make_center(
            code="RU-PNZ-LIB",
            region=Region.objects.get(code="RU-PNZ"),
            name_ru="ЦУД в Пензенской библиотеке",
            name_en="Penza library center",
            latitude="53.2",
            longitude="45.0",
            status=Center.Status.PLANNED,
        ),
        "ulaanbaatar": make_center(
            kind=Center.Kind.FOREIGN,
            code="MN-01",
            name_ru="Центр в Улан-Баторе",
            name_en="Ulaanbaatar center",
            latitude="47.9",
            longitude="106.9",
        ),
    }
    tver = Region.objects.get(code="RU-TVE")
    Center.objects.bulk_create(
        Center(
            code=f"RU-TVE-{n:04d}",
            kind=Center.Kind.REMOTE,
            status=Center.Status.OPEN,
            name_ru=f"Сельская библиотека № {n}",
            name_en=f"Village library no. {n}",
            institution=institution,
            region=tver,
            latitude=f"{56.0 + (n % 20) * 0.08:.4f}",
            longitude=f"{33.5 + (n // 20) * 0.2:.4f}",
        )
        for n in range(CROWD)
    )
    registry_changed()
    return centers


@pytest.mark.parametrize("width", WIDTHS)
def test_map_is_a_map_without_tiles_and_fits_the_screen(page: Page, network, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/ru/centers/map/")
    the_map = page.locator("#map")
    # Closed centers wait for the status filter; everything else with coordinates is there.
    expect(the_map).to_have_attribute("data-count", str(CROWD + 3))
    expect(the_map).to_have_class(re.compile(r"\bno-tiles\b"))
    expect(the_map).to_have_class(re.compile(r"\bbasemap-drawn\b"))
    expect(page.locator("#map-status")).to_contain_text("Показано центров: 303 из 303")
    expect(page.locator("#map-status")).to_contain_text("Фоновая карта недоступна")
    # The countries and the 85 federal subjects are vector shapes, tiles or no tiles.
    assert page.locator(".leaflet-land-pane path").count() > 100
    assert page.locator(".leaflet-borders-pane path").count() == 85
    # Drawn is not enough: the vectors' SVG must be as wide as the map, not squeezed to nothing.
    # (Waited for: Leaflet sizes the layer again after the fit's zoom animation.)
    page.wait_for_function(
        """() => {
            const land = document.querySelector('.leaflet-land-pane svg');
            const map = document.getElementById('map').getBoundingClientRect();
            return land !== null && land.getBoundingClientRect().width >= map.width;
        }"""
    )
    # Leaflet's own controls speak the page's language too.
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Увеличить")
    # Clustering: far fewer marker elements than centers.
    page.wait_for_selector(".center-cluster")
    elements = page.locator(".leaflet-marker-pane > *").count()
    assert 0 < elements < 50
    assert_no_overflow(page)
    assert_accessible(page)
    shot(page, f"map-{width}")


def test_map_filters_by_kind_and_keeps_them_in_the_url(page: Page, network):
    page.goto("/en/centers/map/")
    the_map = page.locator("#map")
    expect(the_map).to_have_attribute("data-count", str(CROWD + 3))
    page.get_by_label("Kind", exact=True).select_option("foreign")
    expect(the_map).to_have_attribute("data-count", "1")
    expect(page.locator("#map-status")).to_contain_text("Centers shown: 1 of 303.")
    expect(page).to_have_url(re.compile(r"/en/centers/map/\?kind=foreign$"))
    expect(page.locator("#map-as-list")).to_have_attribute("href", "/en/centers/?kind=foreign")
    page.get_by_label("Status", exact=True).select_option("planned")
    expect(the_map).to_have_attribute("data-count", "0")
    page.get_by_label("Kind", exact=True).select_option("")
    expect(the_map).to_have_attribute("data-count", "1")  # the planned one in Penza
    # The shared URL opens the same selection.
    page.goto("/en/centers/map/?region=RU-PNZ")
    expect(page.get_by_label("Region", exact=True)).to_have_value("RU-PNZ")
    expect(the_map).to_have_attribute("data-count", "1")


def test_map_search_finds_a_center_and_opens_it_from_the_keyboard(page: Page, network):
    page.goto("/ru/centers/map/")
    expect(page.locator("#map")).to_have_attribute("data-count", str(CROWD + 3))
    search = page.get_by_label("Поиск по названию, населённому пункту или коду")
    search.focus()
    page.keyboard.type("улан-батор")
    results = page.locator("#map-results")
    expect(results.get_by_role("link")).to_have_count(1)
    expect(page.locator("#map")).to_have_attribute("data-count", "1")
    expect(page).to_have_url(re.compile(r"q=%D1%83%D0%BB%D0%B0%D0%BD"))
    # From the search box, Tab reaches the result (the filters' controls come first).
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#map-results') !== null"):
            break
    expect(results.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url("/ru/centers/MN-01/")
    expect(page.locator("h1")).to_have_text("Центр в Улан-Баторе")


def test_center_page_focus_link_opens_its_popup_on_the_map(page: Page, network):
    page.goto("/en/centers/RU-TVE-LIB/")
    page.get_by_role("link", name="Show on the big map").click()
    popup = page.locator("#map .leaflet-popup-content")
    expect(popup.get_by_role("link")).to_have_text("Tver library center")
    expect(popup).to_contain_text("remote access center")
    expect(popup).to_contain_text("г. Тверь")
    shot(page, "map-focus")
    popup.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("Tver library center")


@pytest.mark.parametrize("width", WIDTHS)
def test_center_page_has_small_map_contacts_and_nearest_centers(page: Page, network, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/ru/centers/RU-TVE-LIB/")
    expect(page.locator("nav.breadcrumbs li")).to_have_text(
        ["Справочник центров", "Тверская область", "ЦУД в библиотеке Твери"]
    )
    small_map = page.locator("#center-map")
    expect(small_map).to_have_class(re.compile(r"\bbasemap-drawn\b"))
    expect(small_map.locator(".center-marker")).to_have_count(1)
    contacts = page.locator("dl.contacts")
    expect(contacts.get_by_role("link", name="+7 (4822) 34-12-00, доб. 5")).to_have_attribute(
        "href", "tel:+74822341200"
    )
    expect(contacts.get_by_role("link", name="cud@tver.example.ru")).to_have_attribute(
        "href", "mailto:cud@tver.example.ru"
    )
    expect(contacts).to_contain_text("Иванова Мария Петровна")
    expect(contacts).to_contain_text("пн–пт 10:00–18:00")
    nearest = page.locator("ol.nearest-centers li")
    expect(nearest).to_have_count(5)
    expect(nearest.first).to_contain_text(re.compile(r"\d+(,\d)? км"))
    expect(page.locator("dl.about")).to_contain_text("Региональный центр в Тверской области")
    assert_no_overflow(page)
    assert_accessible(page)
    shot(page, f"center-{width}")


def test_choropleth_draws_regions_with_tooltips_and_links(page: Page, live_server):
    """The demo of the statistics pages' choropleth (test_choropleth.py) in a browser."""
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Choropleth</title>'
        "</head><body><main>" + render(demo_choropleth()) + "</main></body></html>"
    )
    page.route(
        "**/choropleth-demo/", lambda route: route.fulfill(body=html, content_type="text/html")
    )
    page.goto(f"{live_server.url}/choropleth-demo/")
    expect(page.locator("figure.choropleth")).to_have_class("choropleth panel choropleth-drawn")
    expect(page.locator(".choropleth-map path")).to_have_count(85)
    tver = page.locator(".choropleth-map a[aria-label='Tver Region: 12.5\u00a0%']")
    expect(tver).to_have_count(1)
    shot(page, "choropleth")
    # From the keyboard: the first linked region takes the focus and shows its tooltip.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused in ("Penza Region: 40\u00a0%", "Tver Region: 12.5\u00a0%")
    expect(page.locator(".choropleth-tip")).to_have_text(focused)
    page.keyboard.press("Enter")
    expect(page).to_have_url(
        f"{live_server.url}/en/centers/?region={'RU-PNZ' if 'Penza' in focused else 'RU-TVE'}"
    )
