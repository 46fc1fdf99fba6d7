"""The reading path in a real browser at a phone's 390 px and a desktop's 1366 px: search, open
the record, read page 3 of a book in OpenSeadragon (by clicks, by keys, and from a link with
?page=3), a PDF's page 2 in PDF.js; no page wider than the screen, and axe-core finds no serious
or critical WCAG 2.1 AA violation. Screenshots go to /tmp/screens."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from playwright.sync_api import Page, expect

from libranet.resources.models import Resource, ResourceFile
from libranet.resources.search import index_rebuild
from libranet.tests.browser import assert_accessible, assert_no_overflow, shot

from .resources_data import (
    add_file,
    make_resource,
    media,  # noqa: F401 (a fixture)
    png,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("media"),
]
WIDTHS = {"phone": (390, 844), "desktop": (1366, 900)}
# Page 3 is wider than the others, so the viewer's image tells which page it shows.
PAGE_WIDTHS = [600, 600, 700, 600, 600]


def pdf(pages: int) -> bytes:
    images = [Image.new("RGB", (400, 560), color) for color in ("#ffffff", "#ddeeff", "#ffeedd")]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:pages])
    return out.getvalue()


@pytest.fixture
def library():
    book = make_resource(
        "pl:books/magnitsky.1703",
        title_ru="Арифметика, сиречь наука числительная",
        title_en="Arithmetic, that is the science of numbers",
        creators=["Магницкий, Леонтий Филиппович"],
        date_text="1703",
        year_from=1703,
        language="cu",
        description_ru="Первый русский учебник математики, напечатанный гражданским шрифтом.",
    )
    book.thumbnail.save("cover.png", ContentFile(png(300, 420)), save=True)
    for number, width in enumerate(PAGE_WIDTHS, start=1):
        add_file(
            book,
            kind=ResourceFile.Kind.PAGE,
            name=f"page-{number}.png",
            content=png(width, 900, "#d8c8a8"),
            content_type="image/png",
            position=number,
        )
    report = make_resource(
        "pl:documents/report.1913",
        title_ru="Отчёт земской управы за 1913 год",
        title_en="Report of the zemstvo board for 1913",
        type=Resource.Type.ARCHIVAL,
        date_text="1913",
        year_from=1913,
    )
    add_file(report, name="report.pdf", content=pdf(3), label="Отчёт")
    index_rebuild()
    return book, report


def check(page: Page, name: str) -> None:
    assert_no_overflow(page)
    assert_accessible(page)
    shot(page, name)


def viewer_page(page: Page) -> dict:
    """What OpenSeadragon shows: its page index and the width of the image it has open."""
    # Null-safe: the predicate may run while the page is being replaced (a navigation).
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-viewer=images]')?.viewer;"
        " return v && v.world.getItemCount() === 1 && v.world.getItemAt(0).getFullyLoaded(); }"
    )
    return page.evaluate(
        "() => { const v = document.querySelector('[data-viewer=images]').viewer;"
        " return {index: v.currentPage(), width: v.world.getItemAt(0).source.dimensions.x}; }"
    )


def on_page(page: Page, number: int) -> None:
    expect(page.locator("#pages input[name=page]")).to_have_value(str(number))
    expect(page).to_have_url(re.compile(rf"[?&]page={number}(&|#|$)"))
    page.wait_for_function(
        "n => document.querySelector('[data-viewer=images]')?.viewer?.currentPage() === n - 1",
        arg=number,
    )
    assert viewer_page(page) == {"index": number - 1, "width": PAGE_WIDTHS[number - 1]}


@pytest.mark.parametrize("size", WIDTHS)
def test_search_record_and_page_3_of_the_book(page: Page, library, size):
    book, _report = library
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[size], strict=True)))
    page.goto("/ru/resources/?q=арифметика")
    first = page.locator("ol.hits a.hit-title").first
    expect(first).to_be_visible()
    # The first result is on the first screen, the filters folded on a phone.
    assert first.bounding_box()["y"] < WIDTHS[size][1]
    expect(page.locator("#filters")).to_have_js_property("open", size == "desktop")
    expect(page.locator(".facet-decade")).to_contain_text("1700-е") if size == "desktop" else None
    check(page, f"reader-search-{size}")

    first.click()
    expect(page.locator("h1")).to_have_text("Арифметика, сиречь наука числительная")
    expect(page.locator("#open-reader")).to_have_text("Читать")
    expect(page.locator(".file-group")).to_have_text(re.compile(r"Изображения страниц, 5 страниц"))
    expect(page.locator(".facts")).to_contain_text("Церковнославянский")
    # The thumbnail never overlaps the reading box: above it on a phone, beside it on a desktop.
    # Measured once the picture has loaded: before that the layout has yet to make room.
    page.wait_for_function("document.querySelector('.resource-thumbnail img').naturalWidth > 0")
    picture = page.locator(".resource-thumbnail img").bounding_box()
    access = page.locator("#access").bounding_box()
    if size == "phone":
        assert picture["y"] + picture["height"] <= access["y"]
    else:
        assert picture["x"] + picture["width"] <= access["x"]
    check(page, f"reader-record-{size}")

    # Page 3 by clicks.
    page.locator("#open-reader").click()
    expect(page).to_have_url(re.compile(r"/read/"))
    assert viewer_page(page)["index"] == 0
    next_button = page.locator("#pages [data-action=next]")
    next_button.click()
    on_page(page, 2)
    next_button.click()
    on_page(page, 3)
    check(page, f"reader-book-page-3-{size}")
    zoom = "() => document.querySelector('[data-viewer=images]').viewer.viewport.getZoom()"
    fitted = page.evaluate(zoom)
    page.locator("#pages [data-action=zoom-in]").click()
    page.wait_for_function(f"z => ({zoom})() > z * 1.4", arg=fitted)
    # By keys: back to the first page and forward to the third again.
    page.locator("#pages .viewer-stage").click()
    page.keyboard.press("PageUp")
    page.keyboard.press("ArrowLeft")
    on_page(page, 1)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("PageDown")
    on_page(page, 3)
    # By the strip of pages.
    page.locator(".page-strip a").nth(3).click()
    on_page(page, 4)
    expect(page.locator(".page-strip a").nth(3)).to_have_attribute("aria-current", "page")
    # By the number, and from a link that says page 3.
    page.locator("#pages input[name=page]").fill("5")
    page.locator("#pages input[name=page]").press("Enter")
    on_page(page, 5)
    page.goto(f"/ru/resources/{book.identifier}/read/?page=3")
    on_page(page, 3)
    page.goto(f"/ru/resources/{book.identifier}/read/#page=2")
    on_page(page, 2)


@pytest.mark.parametrize("size", WIDTHS)
def test_page_2_of_a_pdf(page: Page, library, size):
    _book, report = library
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[size], strict=True)))
    page.goto(f"/en/resources/{report.identifier}/")
    expect(page.locator("#open-reader")).to_have_text("Read")
    page.locator("#open-reader").click()
    viewer = page.locator("[data-viewer=pdf]")
    expect(viewer).to_have_attribute("data-rendered", "1")
    expect(viewer.locator("[data-total]")).to_have_text("3")
    viewer.locator("[data-action=next]").click()
    expect(viewer).to_have_attribute("data-rendered", "2")
    expect(page).to_have_url(re.compile(r"[?&]page=2$"))
    check(page, f"reader-pdf-page-2-{size}")
    width = viewer.locator("canvas").bounding_box()["width"]
    viewer.locator("[data-action=zoom-in]").click()
    page.wait_for_function(
        "w => document.querySelector('[data-viewer=pdf] canvas').getBoundingClientRect().width > w",
        arg=width,
    )
    assert_no_overflow(page)  # the zoomed page scrolls inside its box, not the page
    page.goto(f"/en/resources/{report.identifier}/read/?page=3")
    expect(viewer).to_have_attribute("data-rendered", "3")
    page.keyboard.press("PageUp")
    expect(viewer).to_have_attribute("data-rendered", "2")


@pytest.mark.parametrize("size", WIDTHS)
def test_a_refused_record_and_reader(page: Page, library, tver_rc, size):
    book, _report = library
    book.access_level = "on_site"
    book.save()
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[size], strict=True)))
    page.goto(f"/ru/resources/{book.identifier}/")
    expect(page.locator(".decision.refusal")).to_have_attribute("data-reason", "on_site")
    expect(page.locator(".file-group")).to_contain_text("Изображения страниц, 5 страниц")
    check(page, f"reader-refused-record-{size}")
    page.goto(f"/ru/resources/{book.identifier}/read/?page=3")
    expect(page.locator("[data-viewer]")).to_have_count(0)
    check(page, f"reader-refused-reader-{size}")
    first = book.files.order_by("position").first()
    assert page.request.get(f"/iiif/image/{first.pk}/info.json").status == 403


def test_nothing_is_wider_than_360_px(page: Page, library):
    book, report = library
    page.set_viewport_size({"width": 360, "height": 740})
    for path in (
        "/ru/resources/?q=книга&type=book",
        f"/ru/resources/{book.identifier}/",
        f"/ru/resources/{book.identifier}/read/?page=3",
        f"/en/resources/{report.identifier}/read/",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert_no_overflow(page)
