"""A reader in a real browser (headless Chromium against the live server): searches in Russian,
opens a record, is
refused an on-site file from outside and shown where to read it, then reads it "from a
center's address" (the live server sees 127.0.0.1: a center whose network holds it opens
partway through, and the page decides again on reload). Screenshots go to /tmp/screens."""

import re

import pytest
from playwright.sync_api import Page, expect

from libranet.public.files import file_url
from libranet.resources.models import ResourceFile
from libranet.resources.search import index_rebuild
from libranet.tests.browser import shot

from .resources_data import add_file, make_resource, png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def book(settings, tmp_path, tver_rc, make_center):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LIBRANET_IIIF_CACHE_DIR = tmp_path / "iiif-cache"
    settings.LIBRANET_TRUSTED_PROXIES = []
    settings.LIBRANET_X_ACCEL_REDIRECT_PREFIX = ""
    make_center(
        code="RU-TVE-LIB",
        name_ru="ЦУД в библиотеке Твери",
        latitude="56.86",
        longitude="35.9",
        address="Тверь, Свободный пер., 28",
    )
    resource = make_resource(
        "pl:books/magnitsky.1703",
        access_level="on_site",
        title_ru="Арифметика, сиречь наука числительная",
        title_en="Arithmetic, that is the science of numbers",
        creators=["Магницкий, Леонтий Филиппович"],
        date_text="1703",
        language="ru",
    )
    for number in (1, 2, 3):
        add_file(
            resource,
            kind=ResourceFile.Kind.PAGE,
            name=f"page-{number}.png",
            content=png(600, 900, ["#d8c8a8", "#cbb894", "#e0d4bc"][number - 1]),
            content_type="image/png",
            position=number,
        )
    index_rebuild()  # made without the services' outbox: index what the database holds
    return resource


def test_refused_outside_then_read_from_a_centers_address(
    page: Page, book, make_center, live_server
):
    first_page = book.files.order_by("position").first()
    # A search in Russian finds the book by another form of its words.
    page.goto("/ru/")
    page.locator("nav.main-nav").get_by_role(
        "link", name=re.compile("Collections|Фонды|Коллекции")
    ).click()
    page.locator("#id_q").fill("наукой числительной")
    page.locator("#id_q").press("Enter")
    expect(page.locator("#result-count")).to_contain_text("1")
    hit = page.locator("ol.hits a.hit-title").first
    expect(hit.locator("mark").first).to_be_visible()
    shot(page, "resource-search")
    hit.click()
    expect(page).to_have_url(re.compile(re.escape(f"/ru/resources/{book.identifier}/")))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1")).to_have_text("Арифметика, сиречь наука числительная")
    refusal = page.locator(".decision.refusal")
    expect(refusal).to_have_attribute("data-reason", "on_site")
    # Where to read it: each region's regional center at first, then the centers of a region.
    centers = page.locator("#where-centers")
    tver = "Региональный центр в Тверской области"
    expect(centers.get_by_role("link", name=tver)).to_be_visible()
    expect(page.locator("#open-reader")).to_have_count(0)
    shot(page, "resource-refused")
    # "Nearest to me": the browser gives its location (granted here), nearest centers first.
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 56.85, "longitude": 35.91})
    page.locator("#locate").click()
    expect(page).to_have_url(re.compile(r"lat=56\.85&lon=35\.91#where$"))
    expect(centers.locator("li").first).to_contain_text("ЦУД в библиотеке Твери")
    expect(centers.locator(".distance").first).to_contain_text("1")
    page.context.clear_permissions()
    page.locator("#id_region").select_option("RU-TVE")
    page.get_by_role("button", name=re.compile("Show centers|Показать")).click()
    expect(page).to_have_url(re.compile(r"region=RU-TVE"))
    expect(centers.get_by_role("link", name="ЦУД в библиотеке Твери")).to_be_visible()
    expect(centers).to_contain_text("Свободный пер., 28")
    shot(page, "resource-refused-region")
    # The file itself is refused too, whatever the page shows.
    assert page.request.get(live_server.url + file_url(first_page)).status == 403

    # A center opens whose network holds the address the live server sees.
    make_center(code="RU-TVE-HERE", networks=["127.0.0.1/32", "::1/128"])
    page.reload()
    expect(page.locator(".decision")).to_have_attribute("data-reason", "in_center")
    page.locator("#open-reader").click()
    expect(page).to_have_url(re.compile(r"/read/"))
    # The pages in the deep-zoom viewer, through the IIIF image service (the same decision).
    expect(page.locator("#pages [data-total]")).to_have_text("3")
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-viewer=images]').viewer;"
        " return v && v.world.getItemCount() === 1 && v.world.getItemAt(0).getFullyLoaded(); }"
    )
    assert (
        page.evaluate(
            "document.querySelector('[data-viewer=images]').viewer.world.getItemAt(0).source.width"
        )
        == 600
    )
    shot(page, "resource-reader")
    answer = page.request.get(live_server.url + file_url(first_page))
    assert answer.status == 200 and answer.headers["content-type"] == "image/png"
    assert answer.headers["cache-control"].startswith("private")
