"""The back office in a real browser at a phone's 390 px and a desktop's 1366 px: the network
department picks a center in the invitation form by typing and keys, picks a center's
coordinates by clicking the map; the dashboard, the audit trail, the staff list, the center
and status forms are no wider than the screen and axe-core finds nothing serious on them.
Screenshots go to /tmp/screens."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from libranet.network.models import StaffRole
from libranet.network.services import center_change_status
from libranet.tests.browser import assert_accessible, assert_no_overflow, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = [(390, 844), (1366, 768)]


def check_surface(page: Page, name: str) -> None:
    """No sideways scrolling, no serious or critical accessibility violation; a picture."""
    assert_no_overflow(page)
    assert_accessible(page)
    shot(page, f"office-{name}-{page.viewport_size['width']}")


@pytest.fixture
def registry(make_center, tver_rc, operator_user, network_user, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 10, 9, tzinfo=datetime.UTC), tick=True)
    operator_user.first_name, operator_user.last_name = "Мария", "Котова"
    operator_user.save()
    torzhok = make_center(code="RU-TVE-0001", name_ru="Центр в Торжке", name_en="Torzhok center")
    center_change_status(
        actor=network_user,
        center=torzhok,
        status="suspended",
        changed_on=datetime.date(2026, 12, 10),
        note="ремонт",
    )
    return torzhok


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_pick_a_center_by_typing_and_keys(
    page: Page, live_server, network_user, registry, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page.context, live_server, network_user)
    page.goto("/ru/office/")
    check_surface(page, "dashboard")

    page.goto("/ru/office/staff/invite/")
    page.locator("#id_email").fill("olga@example.org")
    page.locator("#id_first_name").fill("Ольга")
    page.locator("#id_role").select_option(StaffRole.Role.CENTER_OPERATOR)
    control = page.get_by_role("combobox", name="Центр")
    control.focus()
    page.keyboard.type("торж")
    expect(page.locator(".ts-dropdown .option").first).to_contain_text("Центр в Торжке")
    page.keyboard.press("Enter")
    expect(page.locator("#id_center")).to_have_value("RU-TVE-0001")
    check_surface(page, "invite")
    page.locator("#content form button[type=submit]").first.click()
    expect(page).to_have_url("/ru/office/staff/")
    expect(page.locator("table.invitations")).to_contain_text("Ольга")
    expect(page.locator("table.staff")).to_contain_text("Мария Котова")
    page.reload()  # the page itself, without the flash message (base.html's to check)
    check_surface(page, "staff")

    page.goto("/ru/office/audit/")
    expect(page.locator("table.audit")).to_contain_text("приглашён сотрудник")
    check_surface(page, "audit")

    page.goto("/ru/office/sushi/")
    page.get_by_role("combobox", name="Клиент").focus()
    page.keyboard.type("RU-TVE-0001")
    expect(page.locator(".ts-dropdown .option").first).to_contain_text("Центр в Торжке")
    page.keyboard.press("Enter")
    expect(page.locator("#id_customer_id")).to_have_value("RU-TVE-0001")
    check_surface(page, "sushi")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_pick_coordinates_on_the_map(
    page: Page, live_server, network_user, registry, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page.context, live_server, network_user)
    page.goto(f"/ru/office/centers/{registry.code}/edit/")
    latitude, longitude = page.locator("#id_latitude"), page.locator("#id_longitude")
    latitude.fill("")
    longitude.fill("")
    area = page.locator("[data-coordinates-map]")
    area.scroll_into_view_if_needed()
    area.click(position={"x": 60, "y": 60})
    expect(latitude).not_to_have_value("")
    expect(longitude).not_to_have_value("")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    clicked = page.locator(".leaflet-marker-icon").bounding_box()
    # typing moves the marker, and the map follows it: it stays in the map's frame
    latitude.fill("57.04")
    longitude.fill("34.96")
    page.wait_for_timeout(600)  # the map follows once the typing pauses
    shot(page, "debug-moved")
    moved = page.locator(".leaflet-marker-icon").bounding_box()
    frame = area.bounding_box()
    assert moved != clicked
    assert frame["x"] <= moved["x"] <= frame["x"] + frame["width"]
    assert frame["y"] <= moved["y"] <= frame["y"] + frame["height"]
    check_surface(page, "center-form")
    save = page.get_by_role("button", name="Сохранить")
    save.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url("/ru/office/centers/")
    registry.refresh_from_db()
    assert (float(registry.latitude), float(registry.longitude)) == (57.04, 34.96)

    page.goto(f"/ru/office/centers/{registry.code}/status/")
    expect(page.locator("#id_status")).to_have_value("")
    check_surface(page, "center-status")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_an_operator_dashboard_names_their_center(
    page: Page, live_server, operator_user, tver_rc, width, height, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 12, 10, 9, tzinfo=datetime.UTC), tick=True)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page.context, live_server, operator_user)
    page.goto("/ru/office/")
    own = page.locator("section.own-center")
    expect(own).to_contain_text("Региональный центр в Тверской области")
    expect(own).to_contain_text("Показатели за месяц: Ноябрь 2026")
    expect(own.get_by_role("link", name="Изменить контакты и режим работы")).to_be_visible()
    check_surface(page, "dashboard-operator")
