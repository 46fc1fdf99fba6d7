"""A reader signs up with Gosuslugi in a real browser (headless Chromium): the site on the live
server, the local ESIA provider in a thread. Screenshots go to /tmp/screens.
(Browser fixtures: libranet/tests/browser.py.)
"""

import re

import pytest
from playwright.sync_api import Page, expect

from libranet.accounts.models import User
from libranet.tests.browser import shot

from .esia_helpers import CONFIRMED

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
