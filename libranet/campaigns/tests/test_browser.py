"""The campaign's story in a real browser, at a phone's width and a desktop's: an operator fills
and submits their center's form (taking the sessions Libranet knows); the regional-center head
sees the region's completion change; the network department, signed in with its code, sends
the results (the messages are in the outbox). Each page is no wider than the screen and
axe-core finds nothing serious on it."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from libranet.mail.models import OutgoingMail
from libranet.tests.browser import (
    assert_accessible,
    assert_no_overflow,
    shot,
    sign_in,
    sign_in_with_code,
)

from .conftest import NOW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = [(390, 844), (1366, 768)]


@pytest.fixture(autouse=True)
def clock(time_machine):
    # The clock runs (a frozen one would stall the live server's sessions and the browser).
    time_machine.move_to(NOW, tick=True)
    return time_machine


def check_surface(page: Page, name: str) -> None:
    assert_no_overflow(page)
    assert_accessible(page)
    shot(page, f"campaign-{name}-{page.viewport_size['width']}")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_an_operator_submits_the_head_sees_it_the_department_sends_the_results(
    browser,
    live_server,
    campaign,
    centers,
    operator_tver_lib,
    head_tver,
    network_user,
    width,
    height,
):
    head_tver.email = "head@tver.example"
    head_tver.save()
    size = {"width": width, "height": height}
    head = browser.new_context(base_url=live_server.url, viewport=size)
    operator = browser.new_context(base_url=live_server.url, viewport=size)
    department = browser.new_context(base_url=live_server.url, viewport=size)
    try:
        sign_in(head, live_server, head_tver)
        head_page = head.new_page()
        head_page.goto(f"/ru/office/campaigns/{campaign.pk}/")
        expect(head_page.locator("#completion-total")).to_contain_text("0 из 2")
        check_surface(head_page, "detail")

        sign_in(operator, live_server, operator_tver_lib)
        form = operator.new_page()
        form.goto("/ru/office/campaigns/")
        expect(form.locator("table")).to_contain_text(campaign.title_ru)
        check_surface(form, "list")
        form.goto(f"/ru/office/campaigns/{campaign.pk}/centers/RU-TVE-LIB/")
        form.get_by_label("Количество мероприятий").fill("12")
        form.get_by_role("button", name="Взять это значение").click()
        expect(form.get_by_label("Число сессий")).to_have_value("0")
        form.get_by_label("да", exact=True).check()
        form.get_by_label("Тип подключения к интернету").select_option("Оптоволокно")
        form.get_by_label("Доля времени работы, %").fill("120")
        form.get_by_role("button", name="Отправить").click()
        # Out of bounds: refused, the field named, what was entered kept.
        expect(form.locator(".error-summary")).to_contain_text("не больше 100")
        expect(form.get_by_label("Количество мероприятий")).to_have_value("12")
        check_surface(form, "response-refused")
        form.get_by_label("Доля времени работы, %").fill("87,5")
        form.get_by_role("button", name="Отправить").click()
        expect(form.locator("#response-state")).to_have_text("отправлено")
        form.reload()  # the page itself, without the flash message (base.html's to check)
        check_surface(form, "response")

        head_page.reload()
        expect(head_page.locator("#completion-total")).to_contain_text("1 из 2")

        page = department.new_page()
        sign_in_with_code(page, network_user, PASSWORD)
        page.goto(f"/ru/office/campaigns/{campaign.pk}/results/")
        expect(page.locator("main")).to_contain_text("Отправили ответы 1 из 5 центров")
        check_surface(page, "results")
        page.get_by_role("button", name="Разослать итоги региональным центрам").click()
        expect(page.locator(".messages")).to_contain_text("Итоги разосланы")
        assert list(
            OutgoingMail.objects.filter(template="campaign_results").values_list(
                "recipient", flat=True
            )
        ) == ["head@tver.example"]
        expect(page.locator("main")).to_contain_text("Итоги разосланы региональным центрам")
    finally:
        for context in (head, operator, department):
            context.close()
    assert campaign.responses.get().submitted_at.date() == datetime.date(2026, 3, 10)
