"""The whole surface at a phone's width and a desktop's: every page type loads, declares its
language, is no wider than the window, and axe-core finds no serious or critical WCAG 2.1 A/AA
violation on it. One browser context per width; a page type is a row of PAGES.

A page type that fails here and belongs to another part of the work is marked xfail with the
reason, so that the harness stays green while it is being fixed."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import expect

from libranet.network.models import Center, Region
from libranet.resources.models import ResourceFile
from libranet.resources.search import index_rebuild
from libranet.tests.browser import (
    OUTSIDE,
    assert_accessible,
    assert_no_overflow,
    shot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1366)
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
BOOK = "pl:books/magnitsky.1703"


@dataclass(frozen=True)
class PageType:
    name: str
    url: str
    staff: bool = False
    operator: bool = False  # signed in as a center's operator instead of an administrator
    status: int = 200
    lang: str = "ru"


PAGES = [
    PageType("home", "/ru/"),
    PageType("home-en", "/en/", lang="en"),
    PageType("directory", "/ru/centers/"),
    PageType("directory-filtered", "/ru/centers/?kind=remote&q=Тверь"),
    PageType("center", "/ru/centers/RU-TVE-LIB/"),
    PageType("map", "/ru/centers/map/"),
    PageType("search", "/ru/resources/?q=арифметика"),
    PageType("record", f"/ru/resources/{BOOK}/"),
    PageType("reader", f"/ru/resources/{BOOK}/read/"),
    PageType("sign-in", "/ru/accounts/login/"),
    PageType("password-reset", "/ru/accounts/password-reset/"),
    PageType("not-found", "/ru/no-such-page/", status=404),
    PageType("forbidden", "/ru/office/audit/", operator=True, status=403),
    PageType("stats", "/ru/stats/", staff=True),
    PageType("zero-usage", "/ru/stats/zero-usage/", staff=True),
    PageType("office-dashboard", "/ru/office/", staff=True),
    PageType("office-centers", "/ru/office/centers/", staff=True),
    PageType("office-center-form", "/ru/office/centers/RU-TVE-LIB/edit/", staff=True),
    PageType("office-center-new", "/ru/office/centers/new/", staff=True),
    PageType("office-center-status", "/ru/office/centers/RU-TVE-LIB/status/", staff=True),
    PageType("office-center-import", "/ru/office/centers/import/", staff=True),
    PageType("office-institutions", "/ru/office/institutions/", staff=True),
    PageType("office-regions", "/ru/office/regions/", staff=True),
    PageType("office-collections", "/ru/office/collections/", staff=True),
    PageType("office-resource-import", "/ru/office/resources/import/", staff=True),
    PageType("office-audit", "/ru/office/audit/", staff=True),
    PageType("office-staff", "/ru/office/staff/", staff=True),
    PageType("office-mailings", "/ru/office/mailings/", staff=True),
    PageType("office-outbox", "/ru/office/outbox/", staff=True),
    PageType("office-worker", "/ru/office/worker/", staff=True),
    PageType("office-workstations", "/ru/office/workstations/", staff=True),
    PageType("office-api-tokens", "/ru/office/tokens/", staff=True),
    PageType("office-sushi", "/ru/office/sushi/", staff=True),
    PageType("office-account", "/ru/office/account/", staff=True),
    PageType("office-centers-en", "/en/office/centers/", staff=True, lang="en"),
    # Monitoring campaigns (the pages of one campaign: libranet/campaigns/tests/test_browser.py)
    PageType("office-campaigns", "/ru/office/campaigns/", staff=True),
    PageType("office-campaign-new", "/ru/office/campaigns/new/", staff=True),
    # The opening plan (the rounds; a round's pages need a round, tested in libranet/planning).
    PageType("office-planning", "/ru/office/planning/", staff=True),
    PageType("office-planning-round-new", "/ru/office/planning/new/", staff=True),
    # The annual meetings (libranet.meetings): the public list, the back office's lists and form.
    PageType("meetings", "/ru/meetings/"),
    PageType("meetings-en", "/en/meetings/", lang="en"),
    PageType("office-meetings", "/ru/office/meetings/", staff=True),
    PageType("office-meeting-new", "/ru/office/meetings/new/", staff=True),
    PageType("office-meeting-late-tasks", "/ru/office/meetings/tasks/late/", staff=True),
    PageType("office-meeting-progress", "/ru/office/meetings/tasks/by-center/", staff=True),
    PageType("office-agreements", "/ru/office/agreements/", staff=True),
    PageType("office-agreement-new", "/ru/office/agreements/new/", staff=True),
    PageType("office-agreement-rounds", "/ru/office/agreements/rounds/", staff=True),
    PageType("office-agreement-round-new", "/ru/office/agreements/rounds/new/", staff=True),
    PageType("office-agreements-operator", "/ru/office/agreements/", operator=True),
    # Video for the Library's channel (libranet.videos): the public page, the office's list, form.
    PageType("video", "/ru/video/"),
    PageType("video-en", "/en/video/", lang="en"),
    PageType("office-videos", "/ru/office/videos/", staff=True),
    PageType("office-video-new", "/ru/office/videos/new/", staff=True),
    PageType("office-videos-operator", "/ru/office/videos/", operator=True),
    # Events (libranet.events): the public calendar, the back office's list, form and reports.
    PageType("events", "/ru/events/"),
    PageType("events-past-en", "/en/events/?when=past", lang="en"),
    PageType("office-events", "/ru/office/events/", staff=True),
    PageType("office-event-new", "/ru/office/events/new/", staff=True),
    PageType("office-event-reports", "/ru/office/events/reports/", staff=True),
    PageType("office-events-operator", "/ru/office/events/", operator=True),
    # The network's news (libranet.news): the public list, the back office's list and form.
    PageType("news", "/ru/news/"),
    PageType("news-en", "/en/news/?section=foreign", lang="en"),
    PageType("office-news", "/ru/office/news/", staff=True),
    PageType("office-news-new", "/ru/office/news/new/", operator=True),
    # The union search (libranet.catalogs.union): the Library's and partner libraries' results,
    # holdings with links to their catalogs (the partner records: the ``network`` fixture).
    PageType("search-union", "/ru/resources/?q=арифметика"),
    PageType("search-partners-en", "/en/resources/?q=арифметика&scope=partners", lang="en"),
    # Partner catalogs (libranet.catalogs): the sources and registering one.
    PageType("office-catalog-sources", "/ru/office/catalogs/", staff=True),
    PageType("office-catalog-source-new", "/ru/office/catalogs/new/", staff=True),
]
# Page types another part of the work owns and is fixing ("name-width" → why it fails now);
# none at present: the audit trail, staff and SUSHI tables fit 360 px with the phone's cells.
KNOWN_FAILURES: dict[str, str] = {}


def _params():
    for kind in PAGES:
        for width in WIDTHS:
            name = f"{kind.name}-{width}"
            marks = []
            if name in KNOWN_FAILURES:
                marks.append(pytest.mark.xfail(strict=False, reason=KNOWN_FAILURES[name]))
            yield pytest.param(kind, width, id=name, marks=marks)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(scope="module")
def contexts(browser, browser_context_args):
    made = {
        width: browser.new_context(**browser_context_args, viewport={"width": width, "height": 900})
        for width in WIDTHS
    }
    yield made
    for context in made.values():
        context.close()


@pytest.fixture
def network(settings, tmp_path, tver_rc, make_center, admin_user, operator_user):
    """A small network with a book in three page images: enough for every page type."""
    from libranet.public.tests.resources_data import add_file, make_resource, png

    settings.MEDIA_ROOT = tmp_path / "media"
    make_center(
        code="RU-TVE-LIB",
        name_ru="Центр удалённого доступа в Тверской областной библиотеке",
        name_en="Remote access center in the Tver Regional Library",
        latitude="56.86",
        longitude="35.9",
        address="Тверь, Свободный пер., 28",
    )
    make_center(
        code="RU-PNZ-LIB",
        region=Region.objects.get(code="RU-PNZ"),
        name_ru="ЦУД в Пензенской библиотеке",
        status=Center.Status.SUSPENDED,
    )
    make_center(kind=Center.Kind.FOREIGN, code="MN-01", name_ru="Центр в Улан-Баторе")
    book = make_resource(
        BOOK,
        title_ru="Арифметика, сиречь наука числительная",
        title_en="Arithmetic, that is the science of numbers",
        creators=["Магницкий, Леонтий Филиппович"],
        date_text="1703",
        language="ru",
    )
    for number in (1, 2, 3):
        add_file(
            book,
            kind=ResourceFile.Kind.PAGE,
            name=f"page-{number}.png",
            content=png(60, 90),
            content_type="image/png",
            position=number,
        )
    index_rebuild()
    _partner_records(Center.objects.get(code="RU-TVE-LIB").institution)
    return {"staff": admin_user, "operator": operator_user}


def _partner_records(library):
    """Two partner catalogs holding the book's later edition: the union search's results."""
    from django.utils import timezone

    from libranet.catalogs.models import CatalogRecord, CatalogSource
    from libranet.catalogs.union import works_rebuild
    from libranet.catalogs.works import work_key
    from libranet.network.models import Institution

    museum = Institution.objects.create(
        name_ru="Национальная библиотека Республики Карелия с очень длинным названием",
        name_en="National Library of the Republic of Karelia with a very long name",
        kind="national_library",
    )
    title = "Арифметика Магницкого : репринтное воспроизведение издания 1703 года"
    for number, holder in enumerate((library, museum)):
        source = CatalogSource.objects.create(
            institution=holder,
            name=f"Электронный каталог {number}",
            base_url=f"https://opac{number}.example.org/oai",
            metadata_prefix="marc21",
            record_format="marc21",
            record_link="https://opac.example.org/cgi-bin/irbis64r/record?identifier={local_id}",
        )
        CatalogRecord.objects.create(
            source=source,
            identifier=f"oai:opac{number}.example.org:RU/IS/BASE/1234567890{number}",
            datestamp="2026-01-01",
            title=title,
            creators=["Магницкий, Леонтий Филиппович"],
            year=2003,
            type="book",
            language="ru",
            work_key=work_key(title=title, creators=["Магницкий"], year=2003, isbns=[]),
            harvested_at=timezone.now(),
        )
    works_rebuild()


@pytest.mark.parametrize(("kind", "width"), list(_params()))
def test_page_type(kind: PageType, width: int, contexts, network, live_server):
    context = contexts[width]
    context.clear_cookies()
    if kind.staff or kind.operator:
        sign_in(context, live_server, network["operator" if kind.operator else "staff"])
    page = context.new_page()
    page.route(OUTSIDE, lambda route: route.abort("internetdisconnected"))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        response = page.goto(kind.url)
        assert response is not None and response.status == kind.status
        page.wait_for_load_state("networkidle")
        expect(page.locator("html")).to_have_attribute("lang", kind.lang)
        assert_no_overflow(page)
        assert_accessible(page)
        assert errors == [], f"script errors: {errors}"
    finally:
        page.close()


def test_phone_menus_fold_and_open_from_the_keyboard(contexts, network, live_server):
    context = contexts[390]
    context.clear_cookies()
    sign_in(context, live_server, network["staff"])
    page = context.new_page()
    try:
        page.goto("/ru/office/centers/RU-TVE-LIB/edit/")
        # The skip link comes first and leads into the content.
        page.keyboard.press("Tab")
        expect(page.locator(".skip-link")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("main#content")).to_be_focused()

        toggle = page.locator(".menu-toggle")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(page.locator("nav.main-nav")).to_be_hidden()
        toggle.focus()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(page.locator("nav.main-nav a[href='/ru/centers/']")).to_be_visible()
        shot(page, "phone-menu-open", full_page=False)
        page.locator("nav.main-nav a[href='/ru/centers/']").focus()
        page.keyboard.press("Escape")
        expect(page.locator("nav.main-nav")).to_be_hidden()
        expect(toggle).to_be_focused()

        # The back office's sixteen links fold too; the page's section is marked.
        office = page.locator(".office-menu-toggle")
        expect(page.locator("#office-links")).to_be_hidden()
        office.click()
        current = page.locator("#office-links a[aria-current='page']")
        expect(current).to_have_attribute("href", "/ru/office/centers/")
        expect(current).to_be_visible()
    finally:
        page.close()


@pytest.mark.parametrize(("width", "folded"), [(390, True), (1366, False)])
def test_directory_filters_fold_above_the_results_on_a_phone(
    width, folded, contexts, network, live_server
):
    context = contexts[width]
    context.clear_cookies()
    page = context.new_page()
    try:
        page.goto("/ru/centers/?page=1")
        search = page.locator("#id_q")
        if folded:
            expect(search).to_be_hidden()
            page.locator("details.filters-panel > summary").click()
        expect(search).to_be_visible()
        # The results come as cards on a phone: each value with its column's name.
        cell = page.locator("table.centers td[data-label='Статус']").first
        expect(cell).to_contain_text("открыт")
    finally:
        page.close()
