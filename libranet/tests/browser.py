"""What every browser test needs (a pytest plugin, loaded by the root conftest): Debian's
Chromium through Playwright against the live server, offline, watched for script errors.

Playwright's sync API runs an asyncio loop in the main thread for as long as it is started.
While it runs, Django refuses ORM calls from that thread (SynchronousOnlyOperation) and keeps
its connections per async context, so pytest-playwright's session-wide Playwright would break
every database test after the browser tests. Here Playwright lives for one module at a time,
and Django's guard is lifted meanwhile, for the fixtures' synchronous ORM calls.

A module opts in with ``pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=
True)]``; nothing here touches other modules.
"""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

# /tmp/screens unless LIBRANET_SCREENS says where: pictures of the pages for a person to look at.
SCREENS = Path(os.environ.get("LIBRANET_SCREENS") or Path(tempfile.gettempdir(), "screens"))
# Anything that is neither the live server nor the local ESIA provider (tile servers included).
OUTSIDE = re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/])")


def _is_browser_module(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("browser") is not None


@pytest.fixture(autouse=True, scope="module")
def _browser_module(request):
    if not _is_browser_module(request):
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


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
    """Relative URLs go to the live server; the browser is set up as a Russian user's. (Our
    own, so that pytest-playwright's base_url fixture, deprecated under pytest 9, is unused.)"""
    return {"base_url": live_server.url, "locale": "ru-RU", "timezone_id": "Europe/Moscow"}


@pytest.fixture
def page(page: Page):
    """The page, offline (any outside host fails) and watched for script errors and alert()."""
    page.route(OUTSIDE, lambda route: route.abort("internetdisconnected"))
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    assert errors == [], f"script errors: {errors}"
    assert dialogs == [], f"dialogs opened: {dialogs}"


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{name}.png", full_page=full_page)


# --- The surface's checks: what every page owes at every width (test_surface.py and the
# pages' own browser tests use them).

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def wide_elements(page: Page) -> list[str]:
    """The elements that stick out of the window on the right, to say which one widens it."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 8)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                 + (typeof e.className === 'string' && e.className
                    ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))"""
    )


def assert_no_overflow(page: Page) -> None:
    extra = overflow(page)
    assert extra <= 0, f"{page.url} is {extra} px wider than the window: {wide_elements(page)}"


def axe_violations(page: Page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations of the given impacts on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in impacts
    ]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: axe finds\n" + "\n".join(violations)


def sign_in(context, live_server, user) -> None:
    """Sign ``user`` in for every page of the browser ``context``: a session made by the test
    client (with the second factor passed, as after a full sign-in) becomes the browser's."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
    )


def sign_in_with_code(page: Page, user, password: str) -> None:
    """Sign ``user`` in through the pages, as a person does: password, then the TOTP code."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    page.goto("/ru/accounts/login/?next=/ru/office/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("#content form button[type=submit]").click()
    device = TOTPDevice.objects.get(user=user)
    code = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    page.locator("#id_otp_token").fill(f"{code:06d}")
    page.locator("#content form button[type=submit]").first.click()
    expect(page).to_have_url("/ru/office/")
