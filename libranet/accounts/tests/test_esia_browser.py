"""A reader signs up with Gosuslugi in a real browser (headless Chromium): the site on the live
server, the local ESIA provider in a thread. Screenshots go to /tmp/screens.

The module keeps its own Playwright, as libranet/public/tests/test_browser.py explains: the
sync API's event loop must not outlive this module, and Django's async guard is lifted
meanwhile for the fixtures' ORM calls.
"""

import os
import re
import tempfile
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import Page, expect, sync_playwright

from libranet.accounts.models import User
from libranet.network.reference_data import load_reference_data

from .esia_helpers import CONFIRMED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(os.environ.get("LIBRANET_SCREENS") or Path(tempfile.gettempdir(), "screens"))
OUTSIDE = re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/])")  # neither site nor provider


@pytest.fixture(autouse=True, scope="module")
def _browser_module(django_db_blocker):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield
    with django_db_blocker.unblock():
        load_reference_data(django_apps)


@pytest.fixture(scope="module")
def playwright():
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="module")
def browser(browser_type, browser_type_launch_args):
    browser = browser_type.launch(**browser_type_launch_args)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def browser_context_args(live_server):
    # The site as "localhost", the provider as "127.0.0.1": two hosts, two sets of cookies,
    # as with the real ESIA.
    return {"base_url": live_server.url, "locale": "ru-RU", "timezone_id": "Europe/Moscow"}


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    load_reference_data(django_apps)


@pytest.fixture
def page(page: Page):
    page.route(OUTSIDE, lambda route: route.abort("internetdisconnected"))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert errors == [], f"script errors: {errors}"


def shot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{name}.png", full_page=True)


def test_reader_signs_up_with_gosuslugi(page: Page, live_server, esia_provider):
    page.goto("/ru/centers/")
    # «Войти через Госуслуги» once the Russian catalog has it; the link is the same either way.
    sign_in = page.locator("a.esia-sign-in")
    expect(sign_in).to_have_text(re.compile("Госуслуги|Gosuslugi"))
    sign_in.click()

    expect(page).to_have_url(re.compile(re.escape(esia_provider.url) + r"/aas/oauth2/v2/ac\?"))
    shot(page, "esia-provider-choose")
    page.locator(f'a.person[data-oid="{CONFIRMED}"]').click()

    # Back on the site, signed in, and asked for the consent first.
    expect(page).to_have_url(re.compile(r"/ru/accounts/me/consent/\?next=%2Fru%2Fcenters%2F$"))
    expect(page.locator("a.reader-name")).to_have_text("Анна Смирнова")
    shot(page, "esia-consent")
    page.locator("input[name=accept]").check()
    page.locator("form button[type=submit]").last.click()

    expect(page).to_have_url(f"{live_server.url}/ru/centers/")
    page.locator("a.reader-name").click()
    expect(page).to_have_url(f"{live_server.url}/ru/accounts/me/")
    expect(page.locator("h1")).to_have_text("Анна Смирнова")
    expect(page.locator("dl.reader-data")).to_contain_text(CONFIRMED)
    expect(page.locator("dl.reader-data")).to_contain_text("anna.smirnova@example.org")
    shot(page, "esia-reader-page")
    identity = User.objects.get(esia_identity__oid=CONFIRMED).esia_identity
    assert identity.confirmed and identity.consent_accepted_at is not None
