"""COUNTER reports in tabular form (Code of Practice 5.1, section 3.2): the 13 rows of the
header as name and value, a blank row, the column headings, then one row per item, attribute
combination and Metric_Type, with the Reporting_Period_Total and a column per month.

A tabular report is made from the very JSON report the API answers, so both always give the
same figures. TSV is UTF-8 with a byte order mark (so spreadsheets read Cyrillic right); XLSX
is one sheet. Text that a spreadsheet would run as a formula is made plain text.
"""

import datetime
import io
import re
from collections.abc import Iterable
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from libranet.dates import month_text
from libranet.network.importexport import guard_formula

from .counter import EXTENSIONS, REPORTS

HEADER_ROWS = (
    "Report_Name",
    "Report_ID",
    "Release",
    "Institution_Name",
    "Institution_ID",
    "Metric_Types",
    "Report_Filters",
    "Report_Attributes",
    "Exceptions",
    "Reporting_Period",
    "Created",
    "Created_By",
    "Registry_Record",
)
# The identifiers of a title or item, each in its own column.
ID_COLUMNS = ("DOI", "Proprietary", "ISBN", "Print_ISSN", "Online_ISSN", "URI")
ID_HEADINGS = ("DOI", "Proprietary_ID", "ISBN", "Print_ISSN", "Online_ISSN", "URI")
PARENT_HEADINGS = (
    "Parent_Title",
    "Parent_Authors",
    "Parent_Publication_Date",
    "Parent_Article_Version",
    "Parent_Data_Type",
    *(f"Parent_{heading}" for heading in ID_HEADINGS),
)

Row = list[Any]
# Month headings are "Jan-2024" whatever the server's locale.
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_BREAKS = re.compile(r"[\t\r\n]+")


def _list(values: Iterable[str]) -> str:
    return "|".join(values)


def _ids(ids: dict[str, Any]) -> str:
    """Identifiers as the header writes them: "Proprietary:presidentlib:RU-TVE-RC"."""
    return "; ".join(f"{kind}:{value}" for kind, values in ids.items() for value in values)


def _months(begin: datetime.date, end: datetime.date) -> list[datetime.date]:
    months = []
    while begin <= end:
        months.append(begin)
        begin = (begin + datetime.timedelta(days=32)).replace(day=1)
    return months


def header_rows(report: dict[str, Any]) -> list[Row]:
    """The header's 13 rows (name, value) of a report in the API's JSON."""
    header = report["Report_Header"]
    kind = REPORTS[header["Report_ID"].lower()]
    filters = dict(header["Report_Filters"])
    begin, end = filters.pop("Begin_Date"), filters.pop("End_Date")
    metrics = filters.pop("Metric_Type", kind.metrics)
    attributes = dict(header.get("Report_Attributes", {}))
    if attributes.pop("Granularity", "Month") == "Total":
        attributes["Exclude_Monthly_Details"] = "True"
    values = {
        "Report_Name": header["Report_Name"],
        "Report_ID": header["Report_ID"],
        "Release": header["Release"],
        "Institution_Name": header["Institution_Name"],
        "Institution_ID": _ids(header["Institution_ID"]),
        "Metric_Types": "; ".join(metrics),
        "Report_Filters": "; ".join(
            f"{name}={_list(value) if isinstance(value, list) else value}"
            for name, value in filters.items()
        ),
        "Report_Attributes": "; ".join(
            f"{name}={_list(value) if isinstance(value, list) else value}"
            for name, value in attributes.items()
        ),
        "Exceptions": "; ".join(
            f"{e['Code']}: {e['Message']}" + (f" ({e['Data']})" if e.get("Data") else "")
            for e in header.get("Exceptions", [])
        ),
        "Reporting_Period": f"Begin_Date={begin}; End_Date={end}",
        "Created": header["Created"],
        "Created_By": header["Created_By"],
        "Registry_Record": header["Registry_Record"],
    }
    return [[name, values[name]] for name in HEADER_ROWS]


def tabular_rows(report: dict[str, Any]) -> list[Row]:
    """Every row of the tabular report: header, blank row, column headings, body."""
    header = report["Report_Header"]
    kind = REPORTS[header["Report_ID"].lower()]
    attributes = header.get("Report_Attributes", {})
    shown = (*kind.shown, *attributes.get("Attributes_To_Show", []))
    monthly = attributes.get("Granularity", "Month") != "Total"
    parents = attributes.get("Include_Parent_Details") == "True"
    begin = datetime.date.fromisoformat(header["Report_Filters"]["Begin_Date"])
    end = datetime.date.fromisoformat(header["Report_Filters"]["End_Date"])
    months = _months(begin, end) if monthly else []
    metrics = header["Report_Filters"].get("Metric_Type", kind.metrics)

    institution = [name for name in EXTENSIONS if name in shown]
    performance = [n for n in ("YOP", "Access_Type", "Access_Method") if n in shown]
    if kind.level == "platform":
        object_columns = ["Platform"]
    elif kind.level == "title":
        object_columns = ["Title", "Publisher", "Publisher_ID", "Platform", *ID_HEADINGS]
    else:
        item_extra = [n for n in ("Authors", "Publication_Date", "Article_Version") if n in shown]
        object_columns = ["Item", "Publisher", "Publisher_ID", "Platform", *item_extra]
        object_columns += [*ID_HEADINGS, *(PARENT_HEADINGS if parents else ())]
    headings = [
        *institution,
        *object_columns,
        "Data_Type",
        *performance,
        "Metric_Type",
        "Reporting_Period_Total",
        *(f"{MONTH_NAMES[month.month - 1]}-{month.year}" for month in months),
    ]

    body: list[Row] = []
    for obj in _objects(report, kind.level):
        described = _describe(obj, object_columns)
        for entry in obj["Attribute_Performance"]:
            first = [entry.get(name, "") for name in institution]
            middle = [entry["Data_Type"], *(entry.get(name, "") for name in performance)]
            for metric in metrics:
                counts = entry["Performance"].get(metric)
                if not counts:
                    continue
                by_month = [counts.get(month_text(month), 0) for month in months]
                body.append([*first, *described, *middle, metric, sum(counts.values()), *by_month])
    return [*header_rows(report), [], headings, *body]


def _objects(report: dict[str, Any], level: str) -> Iterable[dict[str, Any]]:
    """The rows' subjects: the platform, the titles, or the items of every parent group."""
    if level != "item":
        return report["Report_Items"]
    return (item for group in report["Report_Items"] for item in group["Items"])


def _describe(obj: dict[str, Any], columns: list[str]) -> list[str]:
    ids = obj.get("Item_ID", {})
    values = {
        **{
            heading: ids.get(kind, "")
            for kind, heading in zip(ID_COLUMNS, ID_HEADINGS, strict=True)
        },
        "Publisher_ID": _ids(obj.get("Publisher_ID", {})),
        "Authors": "; ".join(author["Name"] for author in obj.get("Authors", [])),
    }
    return [values[column] if column in values else obj.get(column, "") for column in columns]


def _text(value: Any) -> Any:
    if isinstance(value, int):
        return value
    return guard_formula(str(value))


def write_tsv(report: dict[str, Any]) -> bytes:
    lines = []
    for row in tabular_rows(report):
        # A tab or a line break inside a cell would split it: TSV has no quoting.
        lines.append("\t".join(_BREAKS.sub(" ", str(_text(cell))) for cell in row))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def write_xlsx(report: dict[str, Any]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=report["Report_Header"]["Report_ID"])
    for row in tabular_rows(report):
        sheet.append(
            [
                cell if isinstance(cell, int) else ILLEGAL_CHARACTERS_RE.sub("", _text(cell))
                for cell in row
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
