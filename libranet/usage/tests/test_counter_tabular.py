"""COUNTER reports in tabular form: the 13 header rows, the blank row, the column headings and
the body, in TSV and XLSX, with the same figures as the JSON report they are made from."""

import io

import openpyxl
import pytest

from libranet.usage import counter
from libranet.usage.counter_tabular import HEADER_ROWS, tabular_rows, write_tsv, write_xlsx
from libranet.usage.models import DailyItemUsage, Metric

from .counter_support import TODAY, build_world, make_resource

pytestmark = pytest.mark.django_db
QUARTER = {"begin_date": "2024-01", "end_date": "2024-03"}


@pytest.fixture
def world(make_center):
    return build_world(make_center)


def report(kind, customer=None, **params):
    customer = customer or counter.library_customer()
    return counter.build_report(kind, customer, {**QUARTER, **params}, today=TODAY)


def read_tsv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark
    return [line.split("\t") for line in data.decode("utf-8-sig").split("\r\n")[:-1]]


def test_header_rows_blank_row_and_headings(world):
    tr_b1 = report(counter.TR_B1, counter.center_customer(world.tver_rc))
    rows = read_tsv(write_tsv(tr_b1))
    header = dict(rows[:13])
    assert [row[0] for row in rows[:13]] == list(HEADER_ROWS)
    assert rows[13] == [""]
    assert header["Report_Name"] == "Book Requests (Controlled)" and header["Release"] == "5.1"
    assert header["Institution_Name"] == world.tver_rc.name
    assert header["Institution_ID"] == "Proprietary:presidentlib:RU-TVE-RC"
    assert header["Metric_Types"] == "Total_Item_Requests; Unique_Title_Requests"
    assert header["Report_Filters"] == (
        "Access_Method=Regular; Access_Type=Controlled; Data_Type=Book|Reference_Work"
    )
    assert header["Report_Attributes"] == ""
    assert header["Exceptions"] == "3040: Partial Data Returned (2024-03: 10 of 31 days processed)"
    assert header["Reporting_Period"] == "Begin_Date=2024-01-01; End_Date=2024-03-31"
    assert header["Created_By"] == "Libranet" and header["Registry_Record"] == ""
    assert rows[14] == [
        "Title", "Publisher", "Publisher_ID", "Platform", "DOI", "Proprietary_ID", "ISBN",
        "Print_ISSN", "Online_ISSN", "URI", "Data_Type", "YOP", "Metric_Type",
        "Reporting_Period_Total", "Jan-2024", "Feb-2024", "Mar-2024",
    ]  # fmt: skip
    assert rows[15:] == [
        [world.book.title, "Presidential Library", "", "Libranet", "", "presidentlib:"
         + world.book.identifier, "", "", "", "", "Book", "1903", metric, "18", "3", "6", "9"]
        for metric in ("Total_Item_Requests", "Unique_Title_Requests")
    ]  # fmt: skip


def test_body_rows_carry_the_reports_figures(world):
    attributes = "Institution_Name|Customer_ID|Attributed|YOP|Access_Type|Authors"
    ir = report(counter.IR, attributes_to_show=attributes, include_parent_details="True")
    rows = tabular_rows(ir)
    headings, body = rows[14], rows[15:]
    assert headings[:4] == ["Institution_Name", "Customer_ID", "Attributed", "Item"]
    assert "Parent_Title" in headings and headings[-5:-3] == [
        "Metric_Type",
        "Reporting_Period_Total",
    ]
    header = dict(rows[:13])
    assert header["Report_Attributes"] == (
        "Attributes_To_Show=YOP|Access_Type|Authors|Institution_Name|Customer_ID|Attributed; "
        "Include_Parent_Details=True"
    )
    column = headings.index
    expected = {}
    for group in ir["Report_Items"]:
        for item in group["Items"]:
            for entry in item["Attribute_Performance"]:
                for metric, counts in entry["Performance"].items():
                    key = (entry.get("Customer_ID", ""), item["Item"], metric)
                    expected[key] = [sum(counts.values())] + [
                        counts.get(m, 0) for m in ("2024-01", "2024-02", "2024-03")
                    ]
    got = {
        (row[column("Customer_ID")], row[column("Item")], row[column("Metric_Type")]): row[-4:]
        for row in body
    }
    assert got == expected and len(body) == len(expected)
    outside = [row for row in body if row[column("Attributed")] == "No"]
    assert {row[column("Item")] for row in outside} == {world.photograph.title}
    authors = body[0][column("Authors")]
    assert authors == "Prokudin-Gorsky, S. M.; Unknown studio"


def test_granularity_total_excludes_monthly_details(world):
    rows = tabular_rows(report(counter.PR, granularity="Total", attributes_to_show="Access_Method"))
    header = dict(rows[:13])
    assert header["Report_Attributes"] == (
        "Attributes_To_Show=Access_Method; Exclude_Monthly_Details=True"
    )
    assert rows[14] == [
        "Platform",
        "Data_Type",
        "Access_Method",
        "Metric_Type",
        "Reporting_Period_Total",
    ]
    searches = [row for row in rows[15:] if row[1] == "Platform"]
    assert searches == [["Libranet", "Platform", "Regular", "Searches_Platform", 18 + 36 + 54]]


def test_xlsx_holds_the_same_rows(world):
    pr = report(counter.PR)
    workbook = openpyxl.load_workbook(io.BytesIO(write_xlsx(pr)), read_only=True)
    sheet = workbook["PR"]
    cells = [
        [cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)
    ]
    assert cells == [[cell for cell in row if cell != ""] for row in tabular_rows(pr)]
    assert isinstance(cells[15][-1], int)  # counts are numbers, not text


def test_text_is_never_a_formula_nor_splits_a_row(world):
    make_resource(title_en='=HYPERLINK("http://x")\tand\nmore', type="book")
    from libranet.resources.models import Resource

    tricky = Resource.objects.get(title_en__startswith="=")
    for metric in (Metric.TOTAL_ITEM_REQUESTS, Metric.UNIQUE_ITEM_REQUESTS):
        DailyItemUsage.objects.create(
            day=world.book.created_at.date().replace(year=2024, month=1, day=9),
            center=None,
            resource=tricky,
            metric=metric,
            value=1,
        )
    tr = report(counter.TR, item_id=tricky.identifier)
    rows = read_tsv(write_tsv(tr))
    assert len(rows) == 15 + 2
    assert rows[15][0] == '\'=HYPERLINK("http://x") and more'
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(tr)), read_only=True)["TR"]
    assert list(sheet.iter_rows(values_only=True))[15][0].startswith("'=")
