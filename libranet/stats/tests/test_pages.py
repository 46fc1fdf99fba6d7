"""The usage statistics pages per role, their exports read back, bad input answered."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from libranet.network.models import Center, Region, StaffRole
from libranet.network.permissions import Capability, centers_for
from libranet.usage.models import Metric
from libranet.usage.overview import Level
from libranet.usage.reports import zero_usage

MARCH = datetime.date(2026, 3, 1)
OLD = datetime.date(2020, 1, 1)


@pytest.fixture
def usage(make_center, tver_rc, penza_rc, daily_usage):
    """Tver's regional center busy; a Tver remote center idle; Penza's center and a foreign
    one with a little use. All open for years."""
    idle = make_center(code="RU-TVE-IDLE", name_ru="Тихий центр", opened_on=OLD)
    foreign = make_center(code="MN-UB", kind=Center.Kind.FOREIGN, opened_on=OLD)
    Center.objects.filter(pk__in=[tver_rc.pk, penza_rc.pk]).update(opened_on=OLD)
    tver_rc.status_history.update(changed_on=OLD)
    penza_rc.status_history.update(changed_on=OLD)
    rows = [
        (tver_rc, datetime.date(2026, 3, 4), Metric.SESSIONS, 12345),
        (tver_rc, datetime.date(2026, 3, 4), Metric.TOTAL_ITEM_REQUESTS, 2000),
        (tver_rc, datetime.date(2026, 2, 4), Metric.SESSIONS, 10000),
        (penza_rc, datetime.date(2026, 3, 5), Metric.SESSIONS, 7),
        (foreign, datetime.date(2026, 3, 6), Metric.SESSIONS, 3),
        (foreign, datetime.date(2026, 3, 6), Metric.TOTAL_ITEM_REQUESTS, 1),
    ]
    daily_usage(rows)
    return {"tver_rc": tver_rc, "idle": idle, "penza_rc": penza_rc, "foreign": foreign}


@pytest.fixture
def head_penza(make_staff):
    return make_staff(
        "head.penza", StaffRole.Role.REGIONAL_HEAD, region=Region.objects.get(code="RU-PNZ")
    )


PAGES = [
    "/ru/stats/",
    "/ru/stats/indicators.csv",
    "/ru/stats/indicators.xlsx",
    "/ru/stats/zero-usage/",
    "/ru/stats/zero-usage/zero-usage.csv",
    "/ru/stats/zero-usage/zero-usage.xlsx",
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_signs_in_and_readers_are_refused(client, reader_user, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(reader_user)
    assert client.get(url).status_code == 403


def codes_on_page(response) -> set[str]:
    figures = response.context["figures"]
    if response.context["level"] == Level.CENTER:
        return {figures.center.code}
    return {row.key for row in figures.rows}


@pytest.mark.parametrize(
    ("user", "start", "expected"),
    [
        ("network_user", "network", {"CFD", "VFD", "foreign"}),
        ("head_tver", "region", {"RU-TVE-IDLE", "RU-TVE-RC"}),
        ("operator_user", "center", {"RU-TVE-RC"}),
        ("international_user", "center", {"MN-UB"}),
    ],
)
def test_each_role_starts_at_its_scope(client, usage, request, user, start, expected):
    client.force_login(request.getfixturevalue(user))
    page = client.get("/en/stats/", {"month": "2026-03"})
    assert page.status_code == 200
    assert page.context["level"] == start
    assert codes_on_page(page) == expected
    zero = client.get("/en/stats/zero-usage/", {"month": "2026-03"})
    listed = {r.center.code for g in zero.context["report"].groups for r in g.rows}
    seen = {c.code for c in centers_for(request.getfixturevalue(user), Capability.VIEW_USAGE)}
    assert listed == seen & {"RU-TVE-IDLE", "RU-PNZ-RC"}  # no requests in Penza
    assert 'href="/en/stats/"' in page.content.decode()  # the back office's menu offers it


LEVELS = [
    ("/en/stats/network/", {"CFD", "VFD", "foreign"}),
    ("/en/stats/district/CFD/", {"RU-TVE"}),
    ("/en/stats/region/RU-TVE/", {"RU-TVE-IDLE", "RU-TVE-RC"}),
    ("/en/stats/foreign/", {"MN"}),
    ("/en/stats/country/MN/", {"MN-UB"}),
    ("/en/stats/center/RU-TVE-RC/", {"RU-TVE-RC"}),
]


@pytest.mark.parametrize(("url", "expected"), LEVELS)
def test_each_level_of_the_drill_down(client, usage, network_user, url, expected):
    client.force_login(network_user)
    page = client.get(url, {"month": "2026-03"})
    assert page.status_code == 200
    assert codes_on_page(page) == expected
    html = page.content.decode()
    assert 'class="breadcrumbs"' in html
    assert ('href="/en/stats/network/?month=2026-03' in html) == ("network" not in url)
    assert 'class="table-cards' in html and 'data-label="Sessions"' in html


def test_drill_down_links_lead_to_a_center(client, usage, network_user):
    client.force_login(network_user)
    html = client.get("/en/stats/", {"month": "2026-03"}).content.decode()
    assert 'href="/en/stats/district/CFD/?month=2026-03&amp;indicator=sessions"' in html
    html = client.get("/en/stats/district/CFD/", {"month": "2026-03"}).content.decode()
    assert 'href="/en/stats/region/RU-TVE/?month=2026-03&amp;indicator=sessions"' in html
    html = client.get("/en/stats/region/RU-TVE/", {"month": "2026-03"}).content.decode()
    assert 'href="/en/stats/center/RU-TVE-RC/?month=2026-03&amp;indicator=sessions"' in html
    crumbs = client.get("/en/stats/center/RU-TVE-RC/", {"month": "2026-03"}).context["crumbs"]
    assert [label for label, _url in crumbs] == [
        "Network",
        "Central Federal District",
        "Tver Region",
        "Regional center in Tver Region",
    ]


def test_any_center_is_a_search_and_a_click_from_the_network(client, usage, network_user):
    client.force_login(network_user)
    page = client.get("/en/stats/", {"month": "2026-03", "q": "Тихий"})
    found = page.context["found_centers"]
    assert [center.code for center in found] == ["RU-TVE-IDLE"]
    html = page.content.decode()
    assert 'href="/en/stats/center/RU-TVE-IDLE/?month=2026-03&amp;indicator=sessions"' in html
    # The district's rows stay: the search finds centers, it does not hide districts.
    assert {"CFD", "VFD"} <= codes_on_page(page)
    page = client.get("/en/stats/district/CFD/", {"month": "2026-03", "q": "no such center"})
    assert page.context["found_centers"] == [] and "No center matches" in page.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/en/stats/region/RU-PNZ/", "/en/stats/center/RU-PNZ-RC/", "/en/stats/district/VFD/"],
)
def test_areas_outside_the_scope_are_not_found(client, usage, head_tver, url):
    client.force_login(head_tver)
    assert client.get(url, {"month": "2026-03"}).status_code == 404


@pytest.mark.parametrize("url", ["/en/stats/planet/", "/en/stats/region/", "/en/stats/network/X/"])
def test_unknown_levels_are_not_found(client, network_user, url):
    client.force_login(network_user)
    assert client.get(url).status_code == 404


def test_numbers_and_changes_are_written_for_the_language(client, usage, network_user):
    client.force_login(network_user)
    ru = client.get("/ru/stats/", {"month": "2026-03"}).content.decode()
    assert "12 345" in ru
    assert "▲</span> +2 345 (+23,4 %)" in ru  # from February's 10 000
    assert "к предыдущему месяцу" in ru
    en = client.get("/en/stats/", {"month": "2026-03"}).content.decode()
    assert "12,345" in en and "+2,345 (+23.4 %)" in en
    assert "vs previous month" in en and "no data a year before" in en


def test_sorting_and_paging(client, network_user, make_center, daily_usage):
    region = Region.objects.get(code="RU-TVE")
    centers = [make_center(code=f"RU-TVE-{n:04d}", region=region, opened_on=OLD) for n in range(55)]
    daily_usage(
        [(c, datetime.date(2026, 3, 2), Metric.SESSIONS, n + 1) for n, c in enumerate(centers)]
    )
    client.force_login(network_user)
    url = "/en/stats/region/RU-TVE/"
    page = client.get(url, {"month": "2026-03", "sort": "-sessions"})
    rows = page.context["rows"]
    assert len(rows) == 50 and rows[0][0].key == "RU-TVE-0054"
    html = page.content.decode()
    sorted_by = 'aria-sort="descending" class="number"><a href="?{}&amp;sort=sessions">'
    assert sorted_by.format("month=2026-03&amp;indicator=sessions") in html
    assert 'aria-sort="none"><a href="?month=2026-03&amp;indicator=sessions&amp;sort=name">' in html
    second = client.get(url, {"month": "2026-03", "sort": "-sessions", "page": 2})
    assert [row.key for row, _cells in second.context["rows"]] == [
        f"RU-TVE-{n:04d}" for n in range(4, -1, -1)
    ]
    found = client.get(url, {"month": "2026-03", "q": "0042"})
    assert [row.key for row, _cells in found.context["rows"]] == ["RU-TVE-0042"]


def test_a_month_in_progress_is_compared_like_for_like(client, usage, network_user, time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 6, 9, tzinfo=datetime.UTC), tick=False)
    client.force_login(network_user)
    html = client.get("/en/stats/", {"month": "2026-04"}).content.decode()
    assert 'id="partial-badge"' in html and "partial month: 1–5 April" in html
    assert "its first 5 days are compared with the same days of March 2026" in html


def test_bad_sort_and_indicator_are_explained(client, usage, network_user):
    client.force_login(network_user)
    response = client.get("/en/stats/region/RU-TVE/", {"sort": "planet"})
    assert response.status_code == 400
    assert "The table cannot be sorted by “planet”" in response.content.decode()
    response = client.get("/en/stats/", {"indicator": "planet"})
    assert response.status_code == 400
    assert "planet is not one of the available choices" in response.content.decode()
    assert client.get("/en/stats/indicators.pdf").status_code == 404


def test_the_choropleth_data(client, usage, network_user):
    client.force_login(network_user)
    page = client.get("/en/stats/", {"month": "2026-03", "indicator": "sessions"})
    choropleth = page.context["choropleth"]
    assert choropleth["value"]["values"] == {"RU-TVE": 12345, "RU-PNZ": 7}
    assert choropleth["zero"]["values"] == {"RU-TVE": 50.0, "RU-PNZ": 0.0}  # the idle one
    assert choropleth["value"]["links"]["RU-PNZ"].startswith("/en/stats/region/RU-PNZ/?")
    assert 'id="regions-table"' in page.content.decode()


def test_default_month_is_the_last_complete_one(client, network_user, time_machine):
    time_machine.move_to(datetime.datetime(2026, 4, 30, 22, tzinfo=datetime.UTC), tick=False)
    client.force_login(network_user)
    page = client.get("/en/stats/zero-usage/")  # 1 May in Moscow
    assert page.context["report"].month == datetime.date(2026, 4, 1)


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("url", "name", "first"),
    [
        (
            "/en/stats/indicators",
            "usage-2026-03-network",
            ["CFD", "Central Federal District", 2, 1],
        ),
        (
            "/en/stats/district/CFD/indicators",
            "usage-2026-03-district-CFD",
            ["RU-TVE", "Tver Region", 2, 1],
        ),
        (
            "/en/stats/region/RU-TVE/indicators",
            "usage-2026-03-region-RU-TVE",
            ["RU-TVE-IDLE", "Center RU-TVE-IDLE", 1, 1],
        ),
        ("/en/stats/foreign/indicators", "usage-2026-03-foreign", ["MN", "Mongolia", 1, 0]),
        (
            "/en/stats/country/MN/indicators",
            "usage-2026-03-country-MN",
            ["MN-UB", "Center MN-UB", 1, 0],
        ),
    ],
)
def test_level_exports(client, usage, network_user, url, name, first):
    client.force_login(network_user)
    response = client.get(f"{url}.xlsx", {"month": "2026-03", "sort": "name"})
    assert response["Content-Disposition"] == f'attachment; filename="{name}.xlsx"'
    header, *rows = read_xlsx(response.content)
    assert header[:12] == [
        "Month",
        "First day",
        "Last day",
        "Month complete",
        "Compared with: first day",
        "Compared with: last day",
        "A year before: first day",
        "A year before: last day",
        "Code",
        "Name",
        "Centers open",
        "Centers at zero: Sessions",
    ]
    assert rows[0][:4] == ["2026-03", "2026-03-01", "2026-03-31", "yes"]
    assert rows[0][8:12] == first
    assert rows[-1][9] == "Total"
    header_csv, *rows_csv = read_csv(client.get(f"{url}.csv", {"month": "2026-03"}).content)
    assert header_csv == header and len(rows_csv) == len(rows)


def test_center_history_export(client, usage, operator_user):
    client.force_login(operator_user)
    response = client.get("/en/stats/indicators.csv", {"month": "2026-03", "months": "24"})
    assert response["Content-Disposition"] == 'attachment; filename="usage-RU-TVE-RC-2026-03.csv"'
    header, *rows = read_csv(response.content)
    assert len(rows) == 24
    assert rows[0][:7] == [
        "2026-03",
        "2026-03-01",
        "2026-03-31",
        "yes",
        "RU-TVE-RC",
        "Regional center in Tver Region",
        "12345",
    ]
    assert rows[1][6] == "10000"


def test_zero_usage_exports_equal_the_report(client, usage, network_user):
    client.force_login(network_user)
    with translation.override("ru"):
        report = zero_usage(month=MARCH)
        expected = [
            [
                "2026-03",
                "2026-03-01",
                "2026-03-31",
                "да",
                group.regional_center.code if group.regional_center else None,
                group.regional_center.name if group.regional_center else None,
                row.center.code,
                row.center.name,
                row.center.get_kind_display(),
                row.days_open,
                row.values[Metric.SESSIONS],
                row.values[Metric.TOTAL_ITEM_REQUESTS],
            ]
            for group in report.groups
            for row in group.rows
        ]
    assert [row[6] for row in expected] == ["RU-PNZ-RC", "RU-TVE-IDLE"]
    header, *rows = read_xlsx(
        client.get("/ru/stats/zero-usage/zero-usage.xlsx", {"month": "2026-03"}).content
    )
    assert len(header) == 13
    assert [[None if v == "" else v for v in row[:12]] for row in rows] == expected
    assert rows[1][7] == "Тихий центр" and rows[1][9] == 31
    _, *csv_rows = read_csv(
        client.get("/ru/stats/zero-usage/zero-usage.csv", {"month": "2026-03"}).content
    )
    assert [row[6] for row in csv_rows] == ["RU-PNZ-RC", "RU-TVE-IDLE"]
    assert csv_rows[1][9:12] == ["31", "0", "0"]


def test_zero_usage_page_links_the_centers(client, usage, head_tver):
    client.force_login(head_tver)
    page = client.get("/ru/stats/zero-usage/", {"month": "2026-03"})
    html = page.content.decode()
    assert 'href="/ru/office/centers/RU-TVE-RC/edit/"' in html  # the group's regional center
    assert 'href="/ru/office/centers/RU-TVE-IDLE/edit/"' in html
    assert "RU-PNZ-RC" not in html
    assert 'href="/ru/stats/zero-usage/zero-usage.xlsx?month=2026-03"' in html


@pytest.mark.parametrize(
    "url", ["/en/stats/", "/en/stats/district/CFD/", "/en/stats/region/RU-TVE/"]
)
def test_a_level_costs_a_fixed_number_of_queries(client, usage, network_user, make_center, url):
    """Whatever the number of centers: 30 more of them add no query."""
    client.force_login(network_user)
    client.get(url, {"month": "2026-03"})  # the session and the user read once

    def queries() -> int:
        with CaptureQueriesContext(connection) as done:
            assert client.get(url, {"month": "2026-03"}).status_code == 200
        return len(done.captured_queries)

    before = queries()
    for n in range(30):
        make_center(code=f"RU-TVE-{n:04d}", opened_on=OLD)
    assert queries() == before <= 13
