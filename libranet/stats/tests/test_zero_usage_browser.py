"""A regional-center head in a real browser: signs in, goes from the back office's menu to the
zero-usage report, picks the month, and downloads it as XLSX; the file lists the centers of
their region with zero usage, and only those. Screenshots go to /tmp/screens."""

import datetime
import io
import re

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from libranet.network.models import Center, Region
from libranet.tests.browser import shot
from libranet.usage.models import DailyCenterUsage, Metric

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-staple-42"  # conftest's test accounts


def test_regional_head_downloads_the_zero_usage_report(page: Page, make_center, tver_rc, head_tver):
    old = datetime.date(2020, 1, 1)
    Center.objects.filter(pk=tver_rc.pk).update(opened_on=old)
    tver_rc.status_history.update(changed_on=old)
    busy = make_center(code="RU-TVE-BUSY", name_ru="Библиотека в Торжке", opened_on=old)
    idle = make_center(code="RU-TVE-IDLE", name_ru="Библиотека в Ржеве", opened_on=old)
    late = make_center(
        code="RU-TVE-LATE", name_ru="Библиотека в Кимрах", opened_on=datetime.date(2026, 3, 20)
    )
    penza = make_center(
        code="RU-PNZ-IDLE", region=Region.objects.get(code="RU-PNZ"), opened_on=old
    )  # idle too, but not in the head's region
    day = datetime.date(2026, 3, 10)
    DailyCenterUsage.objects.bulk_create(
        DailyCenterUsage(day=day, center=center, metric=metric, value=5)
        for center in (tver_rc, busy, late)  # the late one before it opened: does not count
        for metric in (Metric.SESSIONS, Metric.TOTAL_ITEM_REQUESTS)
    )

    sign_in(page, head_tver)
    page.locator("nav.office-nav a[href='/ru/stats/']").click()
    page.locator("nav.stats-tabs a[href='/ru/stats/zero-usage/']").click()
    page.locator("#id_month").fill("2026-03")
    page.locator("form.stats-filters button[type=submit]").click()
    expect(page).to_have_url("/ru/stats/zero-usage/?month=2026-03&kind=&region=")
    table = page.locator("table.zero-usage")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("Библиотека в Ржеве")
    expect(table).to_contain_text("Библиотека в Кимрах")
    expect(page.locator("#zero-summary")).to_contain_text(re.compile(r"\b2\D+4\b"))  # 2 of 4
    shot(page, "zero-usage-head")

    with page.expect_download() as download_info:
        page.locator("#download-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == "zero-usage-2026-03.xlsx"
    # Playwright keeps the file under a name without extension: openpyxl reads it as bytes.
    sheet = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes())).active
    _header, *rows = list(sheet.iter_rows(values_only=True))
    # Month, its first and last day, complete, regional center's code and name, center's code
    # and name, kind, days open, ...
    assert [(row[4], row[6], row[9]) for row in rows] == [
        (tver_rc.code, idle.code, 31),
        (tver_rc.code, late.code, 12),
    ]
    assert rows[0][7] == "Библиотека в Ржеве"
    assert penza.code not in {row[6] for row in rows}


def sign_in(page: Page, user) -> None:
    page.goto("/ru/accounts/login/?next=/ru/office/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#content form button[type=submit]").click()
    expect(page).to_have_url("/ru/office/")


def test_monthly_indicators_open_at_the_heads_region(
    page: Page, make_center, tver_rc, head_tver, daily_usage
):
    remote = make_center(code="RU-TVE-0001", opened_on=datetime.date(2020, 1, 1))
    daily_usage(
        [
            (tver_rc, datetime.date(2025, 3, 1), Metric.SESSIONS, 1000),
            (tver_rc, datetime.date(2026, 2, 1), Metric.SESSIONS, 1200),
            (tver_rc, datetime.date(2026, 3, 1), Metric.SESSIONS, 1500),
            (remote, datetime.date(2026, 3, 2), Metric.SESSIONS, 300),
        ]
    )
    sign_in(page, head_tver)
    page.goto("/ru/stats/?month=2026-03")
    expect(page.locator("h1")).to_contain_text("Тверская область")
    expect(page.locator("#indicators tbody tr")).to_have_count(2)
    expect(page.locator("#indicators tfoot")).to_contain_text("1\u202f800")  # Russian thousands
    expect(page.locator("#series-chart rect")).to_have_count(13)
    expect(page.locator("#groups-chart rect")).to_have_count(2)
    shot(page, "stats-indicators")
