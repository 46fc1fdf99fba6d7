"""The network department drills from a federal district to a center in a real browser, by
clicks and by the keyboard, on a phone (390 px) and a desktop (1366 px): no page is wider than
the screen, and axe-core finds no serious or critical violation. Screenshots go to
/tmp/screens."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from libranet.network.models import Center, Region
from libranet.tests.browser import assert_accessible, assert_no_overflow, shot, sign_in_with_code
from libranet.usage.models import Metric

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-staple-42"  # conftest's test accounts
OLD = datetime.date(2020, 1, 1)
MARCH = "2026-03"


# The elements that reach past the screen's right edge (to name them when the page is too wide).
def check_the_page(page: Page, name: str) -> None:
    """Nothing wider than the screen; no serious or critical accessibility violation."""
    shot(page, name)
    assert_no_overflow(page)
    assert_accessible(page)


@pytest.fixture
def network(make_center, tver_rc, daily_usage):
    Center.objects.filter(pk=tver_rc.pk).update(opened_on=OLD)
    torzhok = make_center(
        code="RU-TVE-0001",
        name_ru="Центр удалённого доступа Торжокской централизованной библиотечной системы",
        opened_on=OLD,
    )
    penza = make_center(code="RU-PNZ-0001", region=Region.objects.get(code="RU-PNZ"), opened_on=OLD)
    daily_usage(
        [
            (center, datetime.date(2026, month, 3), metric, value * month)
            for center, value in ((tver_rc, 1200), (torzhok, 40), (penza, 300))
            for month in (2, 3)
            for metric in (Metric.SESSIONS, Metric.TOTAL_ITEM_REQUESTS)
        ]
    )
    return torzhok


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 768)])
def test_network_department_drills_down_to_a_center(
    page: Page, network, network_user, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    sign_in_with_code(page, network_user, PASSWORD)
    page.goto(f"/ru/stats/?month={MARCH}")
    expect(page.locator("h1")).to_contain_text("Март 2026")
    expect(page.locator("#indicators tbody tr")).to_have_count(2)  # two districts
    check_the_page(page, f"stats-network-{width}")

    # By clicks: district, region, center.
    page.locator("#indicators tbody a", has_text="Центральный федеральный округ").click()
    expect(page.locator("nav.breadcrumbs")).to_contain_text("Центральный федеральный округ")
    check_the_page(page, f"stats-district-{width}")
    page.locator("#indicators tbody a", has_text="Тверская область").click()
    expect(page.locator("#indicators tbody tr")).to_have_count(2)
    check_the_page(page, f"stats-region-{width}")
    page.locator("#indicators tbody a", has_text="Торжокской").click()
    expect(page).to_have_url(f"/ru/stats/center/{network.code}/?month={MARCH}&indicator=sessions")
    expect(page.locator("#history tbody tr")).to_have_count(12)
    check_the_page(page, f"stats-center-{width}")

    # Back up by the breadcrumbs, then down again by the keyboard alone.
    page.locator("nav.breadcrumbs a", has_text="Сеть").click()
    expect(page.locator("#indicators")).to_be_visible()
    for name in ("Центральный федеральный округ", "Тверская область", "Торжокской"):
        link = page.locator("#indicators tbody a", has_text=name)
        for _ in range(200):  # Tab until the link has the focus
            if link.evaluate("element => element === document.activeElement"):
                break
            page.keyboard.press("Tab")
        else:
            pytest.fail(f"the keyboard never reached {name}")
        page.keyboard.press("Enter")
        page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("Торжокской")


def test_sorting_by_a_column_heading(page: Page, network, network_user):
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in_with_code(page, network_user, PASSWORD)
    page.goto(f"/ru/stats/region/RU-TVE/?month={MARCH}")
    heading = page.locator("#indicators thead th", has_text="Сеансы")
    expect(heading).to_have_attribute("aria-sort", "none")
    heading.locator("a").click()
    expect(heading).to_have_attribute("aria-sort", "descending")
    expect(page.locator("#indicators tbody tr").first).to_contain_text("RU-TVE-RC")
    heading.locator("a").click()
    expect(heading).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("#indicators tbody tr").first).to_contain_text("RU-TVE-0001")
