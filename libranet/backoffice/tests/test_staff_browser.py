"""A new regional-center head in a real browser: opens the invitation's link, chooses a
password, sets up two-step sign-in from the secret shown beside the QR code, lands in the back
office, and signs in again with password and code. Screenshots go to /tmp/screens."""

import base64
import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from libranet.network.invitations import invitation_create
from libranet.network.models import Region, StaffRole
from libranet.tests.browser import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "birch-canyon-lighthouse-27"


def app_code(secret_text: str, *, later: int = 0) -> str:
    """What an authenticator app shows for the secret typed in from the setup page."""
    secret = secret_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.drift = later
    return f"{totp.token():06d}"


def test_new_regional_head_accepts_invitation_and_sets_up_two_step(
    page: Page,
    network_user,
    tver_rc,
):
    _invitation, token = invitation_create(
        actor=network_user,
        email="new.head@example.org",
        role=StaffRole.Role.REGIONAL_HEAD,
        region=Region.objects.get(code="RU-TVE"),
        language="ru",
    )
    page.goto(f"/ru/accounts/invitation/{token}/")
    card = page.locator("#invitation")
    expect(card).to_contain_text("network")  # who invited
    expect(card).to_contain_text("Тверская область")  # the scope, in the page's language
    expect(card).to_contain_text("new.head@example.org")
    page.locator("#id_username").fill("new.head")
    page.locator("#id_first_name").fill("Ирина")
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    shot(page, "invitation-accept")
    page.locator("#content form button[type=submit]").click()

    # Signed in, on the account page; a head is not required to, but chooses two-step sign-in.
    expect(page).to_have_url("/ru/office/account/")
    expect(page.locator("#account")).to_contain_text("new.head")
    page.locator("#two-step a[href='/ru/office/account/two-step/']").click()
    expect(page.locator("#totp-qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", secret)
    shot(page, "two-step-setup")
    page.locator("#id_otp_token").fill(app_code(secret))
    page.locator("#content form button[type=submit]").click()
    expect(page).to_have_url("/ru/office/account/")
    expect(page.locator("#two-step form button")).to_be_visible()  # "turn off": it is on

    page.locator("nav.office-nav a[href='/ru/office/']").click()
    expect(page).to_have_url("/ru/office/")
    shot(page, "new-head-office")

    # Next time: password, then the code (the next step's: this one was just used).
    page.locator("header form button[type=submit]").click()
    page.goto("/ru/accounts/login/?next=/ru/office/")
    page.locator("#id_username").fill("new.head")
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.locator("#content form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/ru/accounts/login/code/\?next="))
    page.locator("#id_otp_token").fill("000000")
    page.locator("#content form button[type=submit]").first.click()
    expect(page.locator("#id_otp_token_error")).to_be_visible()
    shot(page, "two-step-wrong-code")
    # django-otp makes the next code wait a second after a wrong one: no sleeping in a test.
    TOTPDevice.objects.filter(user__username="new.head").update(throttling_failure_timestamp=None)
    page.locator("#id_otp_token").fill(app_code(secret, later=1))
    page.locator("#content form button[type=submit]").first.click()
    expect(page).to_have_url("/ru/office/")
