"""What people do in a real browser (headless Chromium against the live server).

A visitor filters the directory, opens a center and switches the language (the map and a
center's page: test_map_browser.py); a regional head fixes a center's networks in the back office;
a center's name with markup stays text. Screenshots go to /tmp/screens for a human look.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from libranet.network.models import Center, Region
from libranet.tests.browser import shot

pytestmark = [
    pytest.mark.browser,
    # The live server serves what is committed, in its own thread.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def network(tver_rc, penza_rc, make_center):
    penza = Region.objects.get(code="RU-PNZ")
    return {
        "tver_library": make_center(
            code="RU-TVE-LIB",
            name_ru="ЦУД в библиотеке Твери",
            name_en="Tver library center",
            latitude="56.86",
            longitude="35.9",
            address="Тверь, Свободный пер., 28",
        ),
        "tver_closed": make_center(
            code="RU-TVE-OLD",
            name_ru="Закрытый центр в Торжке",
            name_en="Closed center in Torzhok",
            status=Center.Status.CLOSED,
            latitude="57.04",
            longitude="34.96",
        ),
        "penza_library": make_center(
            code="RU-PNZ-LIB",
            region=penza,
            name_ru="ЦУД в Пензенской библиотеке",
            name_en="Penza library center",
            latitude="53.2",
            longitude="45.0",
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


def test_visitor_filters_directory_opens_center_and_switches_language(page: Page, network):
    page.goto("/ru/centers/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    results = page.locator("table.centers tbody")
    expect(results.get_by_role("link", name="ЦУД в библиотеке Твери")).to_be_visible()
    expect(results.get_by_role("link", name="ЦУД в Пензенской библиотеке")).to_be_visible()
    expect(results.get_by_role("link", name="Центр в Улан-Баторе")).to_be_visible()
    expect(page.locator("#result-count")).to_contain_text(re.compile(r"\b6\b"))
    shot(page, "directory-all")

    # The region select submits its form on change: no button press.
    page.locator("#id_region").select_option("RU-TVE")
    expect(page).to_have_url(re.compile(r"/ru/centers/\?.*region=RU-TVE"))
    expect(page.locator("#id_region")).to_have_value("RU-TVE")
    expect(page.locator("#result-count")).to_contain_text(re.compile(r"\b3\b"))
    expect(results.locator("tr")).to_have_count(3)
    expect(results).to_contain_text("Региональный центр в Тверской области")
    expect(results).to_contain_text("Закрытый центр в Торжке")
    expect(results).not_to_contain_text("Пенз")
    expect(results).not_to_contain_text("Улан-Батор")
    shot(page, "directory-tver")

    results.get_by_role("link", name="ЦУД в библиотеке Твери").click()
    expect(page).to_have_url("/ru/centers/RU-TVE-LIB/")
    expect(page.locator("h1")).to_have_text("ЦУД в библиотеке Твери")
    expect(page.locator("dl.about")).to_contain_text("Тверская областная научная библиотека")
    expect(page.locator("dl.about")).to_contain_text("Тверская область")
    shot(page, "center-ru")

    page.locator("nav.lang-switch a[hreflang=en]").click()
    expect(page).to_have_url("/en/centers/RU-TVE-LIB/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Tver library center")
    card = page.locator("dl.about")
    expect(card.locator("dt", has_text="Host institution")).to_be_visible()
    expect(card).to_contain_text("Tver Regional Scientific Library")
    expect(card).to_contain_text("Tver")
    expect(card).not_to_contain_text("Тверская")
    expect(page.locator("nav.lang-switch strong[lang=en]")).to_have_text("English")
    shot(page, "center-en")


def test_regional_head_sees_network_overlap_and_fixes_it(page: Page, network, head_tver):
    page.goto("/ru/")
    page.locator("nav.main-nav a[href^='/ru/accounts/login/']").click()
    page.locator("#id_username").fill(head_tver.username)
    page.locator("#id_password").fill(PASSWORD)
    shot(page, "login")
    page.locator("#content form button[type=submit]").click()
    # Back where they came from, now offered the back office.
    expect(page).to_have_url("/ru/")
    page.locator("nav.main-nav a[href='/ru/office/']").click()
    page.locator("nav.office-nav a[href='/ru/office/centers/']").click()
    rows = page.locator("table.centers tbody tr")
    expect(rows).to_have_count(3)  # Tver's centers only
    page.get_by_role("link", name="ЦУД в библиотеке Твери").click()
    expect(page).to_have_url("/ru/office/centers/RU-TVE-LIB/edit/")

    form = page.locator("#content form[method=post]")
    form.locator("#id_phone").fill("+7 4822 34-56-78")
    form.locator("#id_hours").fill("Пн–Пт 10:00–19:00")
    # 192.0.2.0/26 belongs to the regional center.
    form.locator("#id_networks").fill("198.51.100.0/25\n192.0.2.32/27")
    form.locator("button[type=submit]").click()

    error = page.locator("#id_networks_error")
    expect(error).to_be_attached()
    # What the user sees first: the summary, focused, saying what is wrong and where.
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("192.0.2.0/26")
    shot(page, "office-network-error-first-view", full_page=False)
    expect(error).to_contain_text("192.0.2.32/27")
    expect(error).to_contain_text("192.0.2.0/26")
    expect(error).to_contain_text("RU-TVE-RC")
    expect(error).to_contain_text("Региональный центр в Тверской области")
    expect(page.locator("#id_networks")).to_have_attribute("aria-invalid", "true")
    # Nothing typed is lost.
    expect(page.locator("#id_phone")).to_have_value("+7 4822 34-56-78")
    expect(page.locator("#id_hours")).to_have_value("Пн–Пт 10:00–19:00")
    expect(page.locator("#id_networks")).to_have_value("198.51.100.0/25\n192.0.2.32/27")
    expect(page.locator("#id_name_ru")).to_have_value("ЦУД в библиотеке Твери")
    expect(page.locator("#id_address")).to_have_value("Тверь, Свободный пер., 28")
    error.scroll_into_view_if_needed()
    shot(page, "office-network-error")

    page.locator("#id_networks").fill("198.51.100.0/25\n203.0.113.0/28")
    page.locator("#content form[method=post] button[type=submit]").click()
    expect(page).to_have_url("/ru/office/centers/")
    expect(page.locator("ul.messages")).to_contain_text("RU-TVE-LIB")
    page.get_by_role("link", name="ЦУД в библиотеке Твери").click()
    expect(page.locator("#id_networks")).to_have_value("198.51.100.0/25\n203.0.113.0/28")
    expect(page.locator("#id_phone")).to_have_value("+7 4822 34-56-78")
    expect(page.locator("#id_hours")).to_have_value("Пн–Пт 10:00–19:00")
    expect(page.locator(".errorlist")).to_have_count(0)


def test_markup_in_a_center_name_shows_as_text(page: Page, make_center):
    make_center(
        code="RU-TVE-XSS",
        name_ru="<script>alert(1)</script>",
        name_en="<b>bold</b>",
        latitude="56.9",
        longitude="35.9",
    )
    page.goto("/ru/centers/RU-TVE-XSS/")
    expect(page.locator("h1")).to_have_text("<script>alert(1)</script>")
    expect(page).to_have_title(re.compile(r"^<script>alert\(1\)</script>"))
    page.goto("/en/centers/")
    expect(page.locator("table.centers").get_by_role("link", name="<b>bold</b>")).to_be_visible()
    expect(page.locator("table.centers b")).to_have_count(0)
    # The map's popup and tooltip are built as text too.
    page.goto("/ru/centers/map/?focus=RU-TVE-XSS")
    expect(page.locator("#map .leaflet-popup-content a")).to_have_text("<script>alert(1)</script>")
    expect(page.locator("#map .leaflet-popup-content script")).to_have_count(0)
    # The page fixture fails the test if alert() ran.
