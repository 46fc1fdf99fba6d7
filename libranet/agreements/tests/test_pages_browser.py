"""The agreement, its round and the list with data, at a phone's width and a desktop's: no
sideways scroll, no serious axe violation; a regional-center head records the partner's
signature from the round's page."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from libranet.agreements import services
from libranet.agreements.models import Renewal
from libranet.network.models import Region, StaffRole
from libranet.tests.browser import OUTSIDE, assert_accessible, assert_no_overflow, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _today():
    # Overrides the package conftest's clock: the live server's thread must see it too.
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def world(tver_rc, make_center, admin_user, make_staff, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from libranet.agreements.demo import minimal_pdf

    settings.MEDIA_ROOT = tmp_path
    remote = make_center(
        code="RU-TVE-0001",
        name_ru="Центр удалённого доступа в Тверском государственном университете",
    )
    made = [
        services.agreement_create(
            actor=None,
            number=f"{n:03d}/2021-ПБ",
            center=center,
            signed_on=datetime.date(2021, 3, 1),
            starts_on=datetime.date(2021, 3, 5),
            ends_on=TODAY + datetime.timedelta(days=days),
            active=True,
            notes="Подлинник хранится в ОМиМС.",
        )
        for n, (center, days) in enumerate(
            ((tver_rc, 40), (remote, 70), (make_center(code="RU-TVE-0002"), 50)), start=1
        )
    ]
    services.agreement_attach_scan(
        actor=None,
        agreement=made[0],
        file=SimpleUploadedFile("scan.pdf", minimal_pdf("Agreement")),
    )
    round_ = services.renewal_round_create(
        actor=None,
        title="Перезаключение соглашений 2026",
        year=2026,
        deadline=TODAY + datetime.timedelta(days=30),
        expiring_before=TODAY + datetime.timedelta(days=100),
    )
    for renewal in round_.renewals.all():
        services.renewal_advance(actor=None, renewal=renewal, step="sent")
    # A step's cell with every date and the renewed agreement, and the Library's signature
    # form with its file field: the widest a row gets (it once overflowed a phone).
    signed = round_.renewals.get(agreement=made[2])
    services.renewal_advance(actor=None, renewal=signed, step="partner_signed")
    services.renewal_advance(
        actor=None, renewal=signed, step="library_signed", number="003/2026-ПБ", term_years=5
    )
    services.renewal_advance(
        actor=None, renewal=round_.renewals.get(agreement=made[1]), step="partner_signed"
    )
    head = make_staff(
        "head.tver", StaffRole.Role.REGIONAL_HEAD, region=Region.objects.get(code="RU-TVE")
    )
    return {"agreement": made[0], "round": round_, "admin": admin_user, "head": head}


@pytest.mark.parametrize("width", [390, 1366])
def test_pages_fit_and_are_accessible(browser, browser_context_args, live_server, world, width):
    context = browser.new_context(**browser_context_args, viewport={"width": width, "height": 900})
    try:
        sign_in(context, live_server, world["admin"])
        page = context.new_page()
        page.route(OUTSIDE, lambda route: route.abort("internetdisconnected"))
        for url in (
            f"/ru/office/agreements/{world['agreement'].pk}/",
            f"/ru/office/agreements/rounds/{world['round'].pk}/",
            "/ru/office/agreements/?expiring=1",
            f"/ru/office/agreements/{world['agreement'].pk}/edit/",
        ):
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            assert_no_overflow(page)
            assert_accessible(page)
    finally:
        context.close()


def test_the_head_records_the_partners_signature(browser, browser_context_args, live_server, world):
    context = browser.new_context(**browser_context_args, viewport={"width": 390, "height": 900})
    try:
        sign_in(context, live_server, world["head"])
        page = context.new_page()
        page.route(OUTSIDE, lambda route: route.abort("internetdisconnected"))
        page.goto(f"/ru/office/agreements/rounds/{world['round'].pk}/")
        row = page.locator("tr", has_text="001/2021-ПБ")
        row.get_by_role("button", name="Подписано партнёром").click()
        expect(page.locator("#round-progress")).to_contain_text("подписано партнёром: 2")
        assert Renewal.objects.get(agreement=world["agreement"]).step == Renewal.Step.PARTNER_SIGNED
    finally:
        context.close()
