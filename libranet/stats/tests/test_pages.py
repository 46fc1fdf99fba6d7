"""The usage statistics pages per role, their exports read back, bad input answered."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.utils import translation

from libranet.network.models import Center, Region, StaffRole
from libranet.network.permissions import Capability, centers_for
from libranet.usage.models import DailyCenterUsage, Metric
from libranet.usage.reports import monthly_indicators, zero_usage

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
    return {row.key for row in response.context["report"].rows}


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("network_user", {"MN-UB", "RU-PNZ-RC", "RU-TVE-IDLE", "RU-TVE-RC"}),
        ("head_tver", {"RU-TVE-IDLE", "RU-TVE-RC"}),
        ("operator_user", {"RU-TVE-RC"}),
        ("international_user", {"MN-UB"}),
    ],
)
def test_each_role_sees_its_scope(client, usage, request, user, expected):
    client.force_login(request.getfixturevalue(user))
    page = client.get("/en/stats/", {"month": "2026-03"})
    assert page.status_code == 200
    assert codes_on_page(page) == expected
    zero = client.get("/en/stats/zero-usage/", {"month": "2026-03"})
    listed = {r.center.code for g in zero.context["report"].groups for r in g.rows}
    assert listed == expected & {"RU-TVE-IDLE", "RU-PNZ-RC"}  # no requests in Penza
    assert 'href="/en/stats/"' in page.content.decode()  # the back office's menu offers it


def test_numbers_are_written_for_the_language(client, usage, network_user):
    client.force_login(network_user)
    ru = client.get("/ru/stats/", {"month": "2026-03"}).content.decode()
    assert "12\u202f345" in ru
    assert "+2\u202f345 (+23,4\u00a0%)" in ru  # from February's 10 000
    en = client.get("/en/stats/", {"month": "2026-03"}).content.decode()
    assert "12,345" in en and "+2,345 (+23.4\u00a0%)" in en


def test_groupings_and_filters(client, usage, network_user):
    client.force_login(network_user)
    page = client.get("/en/stats/", {"month": "2026-03", "by": "district"})
    assert [(r.key, r.value(Metric.SESSIONS)) for r in page.context["report"].rows] == [
        ("CFD", 12345),
        ("foreign", 3),
        ("VFD", 7),
    ]
    page = client.get("/en/stats/", {"month": "2026-03", "by": "region", "region": "RU-PNZ"})
    assert [r.key for r in page.context["report"].rows] == ["RU-PNZ"]
    page = client.get("/en/stats/", {"month": "2026-03", "kind": "foreign", "by": "country"})
    assert [r.key for r in page.context["report"].rows] == ["MN"]
    page = client.get("/en/stats/", {"month": "2026-03", "center": "ru-tve-rc"})
    assert codes_on_page(page) == {"RU-TVE-RC"}


def test_chart_is_inline_svg_with_text_alternatives(client, usage, network_user):
    client.force_login(network_user)
    page = client.get("/en/stats/", {"month": "2026-03", "chart": "Total_Item_Requests"})
    html = page.content.decode()
    series = html[html.index('id="series-chart"') : html.index("</svg>")]
    assert series.count("<rect") == 13
    assert "<title>Mar 2026: 2,001</title>" in series
    assert 'id="series-title"' in series and "File requests by month" in series
    assert 'id="series-table"' in html and 'id="groups-chart"' in html
    assert "<script" not in html.split("</main>")[0].split("<main")[1]


@pytest.mark.parametrize(("day", "running"), [(2, True), (1, False)])
def test_running_month_is_said(client, usage, network_user, time_machine, day, running):
    """On 1 April the running month is April, which has no figures yet; March is over."""
    time_machine.move_to(datetime.datetime(2026, 4, day, 9, tzinfo=datetime.UTC), tick=False)
    client.force_login(network_user)
    page = client.get("/en/stats/", {"month": "2026-04" if running else "2026-03"})
    assert page.status_code == 200
    assert ('id="running-note"' in page.content.decode()) == running


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "“2026-13” names month 13: months run from 01 to 12."),
        ("March", "is not a month"),
        ("2999-01", "2999-01 has not begun yet"),
        ("1999-12", "There is no usage before 2000-01"),
    ],
)
@pytest.mark.parametrize("url", PAGES)
def test_bad_month_gets_a_message(client, network_user, url, month, message):
    client.force_login(network_user)
    response = client.get(url.replace("/ru/", "/en/"), {"month": month})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_unknown_center_grouping_and_format(client, usage, head_tver):
    client.force_login(head_tver)
    response = client.get("/en/stats/", {"center": "RU-PNZ-RC"})  # not in the head's region
    assert response.status_code == 400
    assert "No center with the code “RU-PNZ-RC” among the centers you may see" in (
        response.content.decode()
    )
    response = client.get("/en/stats/", {"by": "planet"})
    assert response.status_code == 400 and "planet is not one of the available choices" in (
        response.content.decode()
    )
    assert client.get("/en/stats/indicators.pdf").status_code == 404


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


def figures(row) -> list:
    """A report row as an export writes it: per indicator its value and both changes."""
    out = []
    for cell in row.cells:
        out.append(cell.value)
        for change in (cell.month_over_month, cell.year_over_year):
            out += [change.absolute, None if change.percent is None else round(change.percent, 1)]
    return out


@pytest.mark.parametrize("by", ["center", "region", "district", "country"])
def test_indicator_exports_equal_the_report(client, usage, head_tver, by):
    client.force_login(head_tver)
    query = {"month": "2026-03", "by": by}
    report = monthly_indicators(
        month=MARCH, by=by, centers=centers_for(head_tver, Capability.VIEW_USAGE)
    )
    expected = [
        ["2026-03", "2026-03-01", "2026-03-31", "yes", row.key or None, row.name, *figures(row)]
        for row in [*report.rows, report.total]
    ]
    response = client.get("/en/stats/indicators.xlsx", query)
    assert response["Content-Disposition"] == f'attachment; filename="usage-2026-03-by-{by}.xlsx"'
    header, *rows = read_xlsx(response.content)
    assert header[:7] == [
        "Month",
        "First day",
        "Last day",
        "Month complete",
        "Code",
        "Name",
        "Sessions (Sessions)",
    ]
    assert len(header) == 6 + 6 * 5
    assert rows == expected
    assert rows[-1][5] == "Total" and rows[-1][6] == 12345
    header_csv, *rows_csv = read_csv(client.get("/en/stats/indicators.csv", query).content)
    assert header_csv == header
    assert rows_csv == [["" if v is None else str(v) for v in row] for row in expected]


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
