"""`make screenshots`: a picture of every page type at a phone's width and a desktop's.

Builds a throwaway data folder (migrate, collectstatic, ``seed_demo``), serves it with gunicorn
on a free loopback port, signs the network department's demo account in (a session made for it,
with its second factor passed) and writes full-page PNGs named ``<page>-<width>.png`` into
``screenshots/`` (git-ignored), so that a reviewer sees the whole surface in a minute. Debian's
Chromium through Playwright, offline: any request that would leave this machine fails.
"""

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

from common import ROOT, bench_env, manage
from playwright.sync_api import sync_playwright
from run import serve

WIDTHS = (390, 1366)
OUT = ROOT / "screenshots"
CHROMIUM = "/usr/bin/chromium"
OUTSIDE = re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/])")

# What the pages need from the seeded database, and a staff session (the cookie's value).
SETUP = """
import json
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from libranet.accounts.models import User
from libranet.network.models import Center
from libranet.resources.models import Resource, ResourceFile

user = User.objects.get(username="network")
device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
    user=user, name="screenshots", confirmed=True
)
client = Client()
client.force_login(user)
session = client.session
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.save()
center = Center.objects.filter(kind="remote", status="open").order_by("code").first()
regional = Center.objects.filter(kind="regional").order_by("code").first()
paged = (
    Resource.objects.filter(access_level="open", files__kind=ResourceFile.Kind.PAGE)
    .order_by("identifier")
    .first()
)
print(json.dumps({
    "session": session.session_key,
    "cookie": settings.SESSION_COOKIE_NAME,
    "center": center.code,
    "regional": regional.code,
    "book": paged.identifier if paged else Resource.objects.order_by("identifier")[0].identifier,
    "word": (paged.title_ru.split() or ["книга"])[0] if paged else "книга",
}))
"""


def pages(data: dict[str, str]) -> list[tuple[str, str, bool]]:
    """(name, path, signed in) of every page type."""
    center, book = data["center"], data["book"]
    return [
        ("home", "/ru/", False),
        ("home-en", "/en/", False),
        ("directory", "/ru/centers/", False),
        ("directory-en", "/en/centers/?kind=foreign", False),
        ("center", f"/ru/centers/{center}/", False),
        ("center-regional", f"/ru/centers/{data['regional']}/", False),
        ("map", "/ru/centers/map/", False),
        ("search", f"/ru/resources/?q={data['word']}", False),
        ("record", f"/ru/resources/{book}/", False),
        ("reader", f"/ru/resources/{book}/read/", False),
        ("sign-in", "/ru/accounts/login/", False),
        ("not-found", "/ru/no-such-page/", False),
        ("stats", "/ru/stats/", True),
        ("zero-usage", "/ru/stats/zero-usage/", True),
        ("office", "/ru/office/", True),
        ("office-centers", "/ru/office/centers/", True),
        ("office-center-form", f"/ru/office/centers/{center}/edit/", True),
        ("office-center-status", f"/ru/office/centers/{center}/status/", True),
        ("office-center-import", "/ru/office/centers/import/", True),
        ("office-institutions", "/ru/office/institutions/", True),
        ("office-regions", "/ru/office/regions/", True),
        ("office-collections", "/ru/office/collections/", True),
        ("office-audit", "/ru/office/audit/", True),
        ("office-staff", "/ru/office/staff/", True),
        ("office-mailings", "/ru/office/mailings/", True),
        ("office-outbox", "/ru/office/outbox/", True),
        ("office-worker", "/ru/office/worker/", True),
        ("office-workstations", "/ru/office/workstations/", True),
        ("office-tokens", "/ru/office/tokens/", True),
        ("office-account", "/ru/office/account/", True),
    ]


def shoot(port: int, data: dict[str, str], only: str | None) -> int:
    base = f"http://127.0.0.1:{port}"
    OUT.mkdir(exist_ok=True)
    written = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        for width in WIDTHS:
            context = browser.new_context(
                base_url=base,
                viewport={"width": width, "height": 900},
                locale="ru-RU",
                timezone_id="Europe/Moscow",
            )
            context.route(OUTSIDE, lambda route: route.abort("internetdisconnected"))
            cookie = {"name": data["cookie"], "value": data["session"], "url": base}
            for name, path, signed_in in pages(data):
                if only and not re.search(only, name):
                    continue
                context.clear_cookies()
                if signed_in:
                    context.add_cookies([cookie])
                page = context.new_page()
                response = page.goto(path)
                page.wait_for_load_state("networkidle")
                target = OUT / f"{name}-{width}.png"
                page.screenshot(path=target, full_page=True)
                status = response.status if response else "?"
                print(f"  {status} {path} → {target.relative_to(ROOT)}")
                page.close()
                written += 1
            context.close()
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="a regular expression: the page types to take")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="libranet-screens-") as tmp:
        env = bench_env(Path(tmp))
        print(f"Seeding the demo in {tmp} ...")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        manage(env, "seed_demo")
        # No task worker runs here to apply the index's changes: the search is built at once.
        manage(env, "rebuild_search_index")
        data = json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
        with serve(env, Path(tmp) / "gunicorn.log") as port:
            written = shoot(port, data, args.only)
    print(f"{written} pictures in {OUT.relative_to(ROOT)}/")
    return 0 if written else 1


if __name__ == "__main__":
    sys.exit(main())
