"""Centers to and from tables (CSV, XLSX): one column format, so an export imports back unchanged.

An import is all-or-nothing: every row is validated and applied through the registry's services
inside one transaction, each row in its own savepoint so that one bad row does not hide the
errors of the next; if any row failed, the whole transaction is rolled back and the report
lists every error by its row number in the file. Each row is also checked against the acting
user's scope, as the back office checks a form.
"""

import csv
import datetime
import io
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .models import Center, Country, Institution, Region
from .services import (
    RegistryError,
    center_change_status,
    center_create,
    center_update,
    institution_create,
    parse_networks,
)

Kind = Center.Kind
Status = Center.Status

CENTER_COLUMNS = (
    "code",
    "kind",
    "status",
    "name_ru",
    "name_en",
    "institution_ru",
    "institution_en",
    "institution_kind",
    "region",
    "country",
    "regional_center",
    "opened_on",
    "closed_on",
    "address",
    "latitude",
    "longitude",
    "contact_person",
    "email",
    "phone",
    "website",
    "hours",
    "networks",
)
# A row always says which center it is, of what kind, its name and host; a missing optional
# column leaves that field of an existing center as it is.
REQUIRED_COLUMNS = ("code", "kind", "name_ru", "institution_ru")
MAX_ROWS = 20_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

_TEXT_FIELDS = (
    "name_ru",
    "name_en",
    "address",
    "contact_person",
    "email",
    "phone",
    "website",
    "hours",
)
# A cell starting with one of these is run as a formula by spreadsheet programs (OWASP "CSV
# injection"); an apostrophe in front makes it text. Values starting with an apostrophe get one
# too, so that the importer can always strip exactly one and an export imports back unchanged.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_NUMBER_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_RU_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls


class ImportFileError(RegistryError):
    """The uploaded file cannot be read as a table of centers."""


class Row(dict):
    """One data row of a table, keyed by column, with its row number as the file shows it."""

    def __init__(self, values: dict[str, str], number: int) -> None:
        super().__init__(values)
        self.number = number


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # "" when the error concerns the whole row
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- reading a file ----------------------------------------------------------------------------


def megabytes(size: int) -> str:
    """A size in megabytes as people read it in the active language (0,5 in Russian)."""
    text = f"{size / (1024 * 1024):.6f}".rstrip("0").rstrip(".")
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def read_limited(
    uploaded_file: Any, limit: int, *, error: type[ValidationError] = ImportFileError
) -> bytes:
    """The file's bytes, refusing (with ``error``, without reading on) a file over ``limit``:
    every import's upload goes through here."""

    def too_big() -> ValidationError:
        message = _("The file is larger than {limit} MB, the largest import accepted; split it.")
        return error(message.format(limit=megabytes(limit)))

    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise too_big()
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    if hasattr(uploaded_file, "chunks"):
        parts, total = [], 0
        for chunk in uploaded_file.chunks():
            total += len(chunk)
            if total > limit:
                raise too_big()
            parts.append(chunk)
        return b"".join(parts)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise too_big()
    return bytes(data)


def read_table(uploaded_file: Any, *, max_bytes: int | None = None) -> list[Row]:
    """Read a CSV (UTF-8 with or without BOM, comma or semicolon) or XLSX file of centers.

    The format is told from the content, not the name. Raises ``ImportFileError`` with a message
    for the person who uploaded it: not CSV/XLSX, too large, empty, header only, missing or
    unknown columns.
    """
    limit = settings.LIBRANET_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    data = read_limited(uploaded_file, limit)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        records = _xlsx_records(data)
    elif data.startswith(_OLE2_MAGIC):
        raise ImportFileError(
            _(
                "This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as "
                "CSV UTF-8 and upload it again."
            )
        )
    else:
        records = _csv_records(data)
    return _rows(records)


def _not_a_table() -> ImportFileError:
    return ImportFileError(
        _(
            "The file is neither an Excel workbook (.xlsx) nor a CSV text in UTF-8. Save it from "
            "your spreadsheet as “CSV UTF-8” or as .xlsx and upload it again."
        )
    )


def _csv_records(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_a_table() from exc
    if "\x00" in text:
        raise _not_a_table()
    # Sniff the delimiter from the header line, which holds only column names: a semicolon
    # (what spreadsheets write where the comma is the decimal sign) or a comma.
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records, previous_line = [], 0
    try:
        for cells in reader:
            records.append((previous_line + 1, cells))
            previous_line = reader.line_num
            if len(records) > MAX_ROWS + 1:
                raise ImportFileError(
                    _("The file has more than {count} rows; split it.").format(count=MAX_ROWS)
                )
    except csv.Error as exc:
        raise ImportFileError(
            _("Line {line} cannot be read as CSV: {error}.").format(line=reader.line_num, error=exc)
        ) from exc
    return records


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_records(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise _not_a_table() from exc
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise ImportFileError(
            _(
                "The file is a ZIP archive but not an Excel workbook (.xlsx). Save it as .xlsx or "
                "as CSV UTF-8 and upload it again."
            )
        )
    # A few megabytes of zip can unpack to gigabytes of XML; refuse that before reading it.
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise ImportFileError(_("The workbook is too large once unpacked; split it."))
    records = []
    try:
        # openpyxl warns about styles and extensions it ignores; they do not matter here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    records.append((number, [_cell_text(v) for v in values]))
                    if len(records) > MAX_ROWS + 1:
                        raise ImportFileError(
                            _("The file has more than {count} rows; split it.").format(
                                count=MAX_ROWS
                            )
                        )
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except Exception as exc:  # a damaged workbook fails in many ways inside openpyxl
        raise ImportFileError(
            _("The workbook cannot be read: {error}.").format(error=str(exc) or type(exc).__name__)
        ) from exc
    return records


def table_header(cells: list[str]) -> list[str]:
    """A table's header row as column names: trimmed, lower-cased, without a BOM or empty
    trailing cells."""
    header = [c.strip().lstrip("\ufeff").lower() for c in cells]
    while header and not header[-1]:
        header.pop()
    return header


def header_problems(
    header: list[str], *, required: tuple[str, ...], known: tuple[str, ...]
) -> list[str]:
    """What is wrong with a header, for the person who made the file (every import's)."""
    problems = []
    duplicated = sorted({c for c in header if c and header.count(c) > 1})
    if duplicated:
        problems.append(_("Columns given twice: {columns}.").format(columns=", ".join(duplicated)))
    if "" in header:
        problems.append(_("Column {number} has no name.").format(number=header.index("") + 1))
    missing = [c for c in required if c not in header]
    if missing:
        problems.append(
            _("Missing required columns: {columns}.").format(columns=", ".join(missing))
        )
    unknown = [c for c in header if c and c not in known]
    if unknown:
        problems.append(
            _("Unknown columns: {columns}. The columns are: {known}.").format(
                columns=", ".join(unknown), known=", ".join(known)
            )
        )
    return problems


def _rows(records: list[tuple[int, list[str]]]) -> list[Row]:
    records = [(n, cells) for n, cells in records if any(c.strip() for c in cells)]
    if not records:
        raise ImportFileError(_("The file is empty."))
    header = table_header(records[0][1])
    problems = header_problems(header, required=REQUIRED_COLUMNS, known=CENTER_COLUMNS)
    if problems:
        raise ImportFileError(" ".join(problems))
    rows = []
    for number, cells in records[1:]:
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            raise ImportFileError(
                _("Row {row} has more values than the header has columns.").format(row=number)
            )
        cells = cells + [""] * (len(header) - len(cells))
        rows.append(Row(dict(zip(header, cells, strict=False)), number))
    if not rows:
        raise ImportFileError(_("The file has a header but no rows of centers."))
    return rows


# --- importing rows ------------------------------------------------------------------------------


class _RowFailed(Exception):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _clean(value: Any) -> str:
    """A cell as text, trimmed, without the apostrophe the exporter puts before formulas."""
    text = ("" if value is None else str(value)).strip()
    return text[1:] if text.startswith("'") else text


def _parse_date(text: str) -> datetime.date:
    if match := _ISO_DATE_RE.match(text):
        year, month, day = match.groups()
    elif match := _RU_DATE_RE.match(text):
        day, month, year = match.groups()
    else:
        raise ValueError(text)
    return datetime.date(int(year), int(month), int(day))


def _parse_coordinate(text: str, bound: int) -> Decimal:
    value = Decimal(text.replace(",", "."))
    if not value.is_finite() or abs(value) > bound:
        raise InvalidOperation(text)
    return value.quantize(Decimal("0.000001"))


def _error_column(field_name: str, *, date_column: str) -> str:
    mapping = {"institution": "institution_ru", "changed_on": date_column, NON_FIELD_ERRORS: ""}
    column = mapping.get(field_name, field_name)
    return column if column in CENTER_COLUMNS else ""


def _registry_errors(exc: RegistryError, *, date_column: str = "status") -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            (_error_column(name, date_column=date_column), message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [("", message) for message in exc.messages]


@dataclass
class _Lookups:
    regions: dict[str, Region]
    countries: dict[str, Country]

    @classmethod
    def load(cls) -> "_Lookups":
        return cls(
            regions={r.code: r for r in Region.objects.all()},
            countries={c.code: c for c in Country.objects.all()},
        )

    @staticmethod
    def center(code: str) -> Center | None:
        # Not cached: an earlier row of the same file may have just registered it.
        return Center.objects.filter(code=code).first()


def _unknown_choice(value: str, choices: list[str]) -> str:
    return _("Unknown value “{value}”; use one of: {choices}.").format(
        value=value, choices=", ".join(choices)
    )


def _parse_row(row: dict[str, Any], lookups: _Lookups) -> dict[str, Any]:
    """Turn a row's text into service arguments, collecting every error of the row."""
    errors: list[tuple[str, str]] = []
    values = {column: _clean(row[column]) for column in CENTER_COLUMNS if column in row}
    parsed: dict[str, Any] = {name: values[name] for name in _TEXT_FIELDS if name in values}

    parsed["code"] = values.get("code", "").upper()
    if not parsed["code"]:
        errors.append(("code", _("Give the center’s code.")))
    for column, choices in (
        ("kind", Kind.values),
        ("status", Status.values),
        ("institution_kind", Institution.Kind.values),
    ):
        parsed[column] = values.get(column, "").lower()
        if parsed[column] not in choices and (parsed[column] or column == "kind"):
            errors.append((column, _unknown_choice(parsed[column], choices)))

    references = (
        ("region", lookups.regions.get, _("Unknown region code “{code}”.")),
        ("country", lookups.countries.get, _("Unknown country code “{code}”.")),
        ("regional_center", lookups.center, _("There is no center with code “{code}”.")),
    )
    for column, find, unknown in references:
        if column in values:
            code = values[column].upper()
            parsed[column] = find(code) if code else None
            if code and parsed[column] is None:
                errors.append((column, unknown.format(code=code)))

    parsed["institution_ru"] = values.get("institution_ru", "")
    parsed["institution_en"] = values.get("institution_en", "")
    if not parsed["institution_ru"]:
        errors.append(("institution_ru", _("Give the host institution’s name in Russian.")))

    for column in ("opened_on", "closed_on"):
        if values.get(column):
            try:
                parsed[column] = _parse_date(values[column])
            except ValueError:
                message = _("“{value}” is not a date such as 2024-03-01 or 01.03.2024.")
                errors.append((column, message.format(value=values[column])))
        elif column in values:
            parsed[column] = None
    for column, bound in (("latitude", 90), ("longitude", 180)):
        if values.get(column):
            try:
                parsed[column] = _parse_coordinate(values[column], bound)
            except InvalidOperation:
                message = _("“{value}” is not a number from -{bound} to {bound}.")
                errors.append((column, message.format(value=values[column], bound=bound)))
        elif column in values:
            parsed[column] = None

    if "networks" in values:
        parsed["networks"] = values["networks"]
        try:
            parsed["parsed_networks"] = sorted(n.cidr for n in parse_networks(values["networks"]))
        except RegistryError as exc:
            errors.extend(_registry_errors(exc))
    if errors:
        raise _RowFailed(errors)
    return parsed


def _institution_for(actor: Any, parsed: dict[str, Any]) -> Institution:
    name = parsed["institution_ru"]
    found = Institution.objects.filter(name_ru=name).order_by("pk").first()
    if found:
        return found
    kind = parsed["institution_kind"] or (
        Institution.Kind.RCSC if parsed["kind"] == Kind.FOREIGN else Institution.Kind.LIBRARY
    )
    try:
        return institution_create(
            actor=actor, name_ru=name, name_en=parsed["institution_en"], kind=kind
        )
    except RegistryError as exc:
        # The institution's own fields, named as the row's columns.
        columns = {"name_en": "institution_en", "kind": "institution_kind"}
        errors = [(columns.get(c, "institution_ru"), m) for c, m in _registry_errors(exc)]
        raise _RowFailed(errors) from exc


_CENTER_ARGS = (*_TEXT_FIELDS, "code", "kind", "region", "country", "regional_center")
_CENTER_ARGS += ("opened_on", "closed_on", "latitude", "longitude")


def _differs(center: Center, name: str, value: Any) -> bool:
    if name in ("institution", "region", "country", "regional_center"):
        return getattr(center, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(center, name) != value


def _apply_row(actor: Any, parsed: dict[str, Any]) -> str:
    """Create or update one center from a parsed row; says "created", "updated" or "unchanged"."""
    code = parsed["code"]
    existing = (
        Center.objects.filter(code=code).select_related("region", "country").first()
        if code
        else None
    )
    fields = {name: parsed[name] for name in _CENTER_ARGS if name in parsed}
    fields["institution"] = _institution_for(actor, parsed)
    status = parsed["status"]
    try:
        if existing is None:
            center_create(
                actor=actor,
                status=status or Status.PLANNED,
                networks=parsed.get("networks", ""),
                **fields,
            )
            return "created"
        changed = any(_differs(existing, name, value) for name, value in fields.items())
        networks = parsed.get("networks")
        if networks is not None:
            current = sorted(existing.networks.values_list("cidr", flat=True))
            changed = changed or current != parsed["parsed_networks"]
        if changed:
            center_update(actor=actor, center=existing, networks=networks, **fields)
    except RegistryError as exc:
        raise _RowFailed(_registry_errors(exc)) from exc

    if status and status != existing.status:
        # Dated by the row's opening or closing date when it gives one, else today.
        date_column = {Status.OPEN: "opened_on", Status.CLOSED: "closed_on"}.get(status, "")
        changed_on = parsed.get(date_column) if date_column else None
        try:
            center_change_status(actor=actor, center=existing, status=status, changed_on=changed_on)
        except RegistryError as exc:
            raise _RowFailed(
                _registry_errors(exc, date_column=date_column if changed_on else "status")
            ) from exc
        return "updated"
    return "updated" if changed else "unchanged"


def import_centers(*, actor: Any, rows: Iterable[dict[str, Any]]) -> ImportReport:
    """Create or update (by code) the centers of ``rows``, all of them or none.

    ``rows`` are dicts keyed by ``CENTER_COLUMNS`` (as ``read_table`` gives them); a row's
    number is its ``number`` attribute, else its place after a header line.
    """
    numbered = [(getattr(row, "number", index + 2), row) for index, row in enumerate(rows)]
    report = ImportReport(rows=len(numbered))
    # Regional centers first, so that a remote center may name one further down the file.
    numbered.sort(key=lambda item: _clean(item[1].get("kind")).lower() != Kind.REGIONAL)
    lookups = _Lookups.load()
    seen: dict[str, int] = {}
    with transaction.atomic():
        for number, row in numbered:
            code = _clean(row.get("code")).upper()
            try:
                if code in seen:
                    message = _("Center {code} is also in row {row}.")
                    raise _RowFailed([("code", message.format(code=code, row=seen[code]))])
                if code:
                    seen[code] = number
                parsed = _parse_row(row, lookups)
                with transaction.atomic():
                    outcome = _apply_row(actor, parsed)
            except _RowFailed as failed:
                report.errors.extend(RowError(number, col, msg) for col, msg in failed.errors)
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
        if report.errors:
            transaction.set_rollback(True)
            report.created = report.updated = report.unchanged = 0
    report.errors.sort(key=lambda e: (e.row, CENTER_COLUMNS.index(e.column) if e.column else -1))
    return report


# --- exporting ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def export_row(center: Center) -> dict[str, str]:
    institution = center.institution
    return {
        "code": center.code,
        "kind": center.kind,
        "status": center.status,
        "name_ru": center.name_ru,
        "name_en": center.name_en,
        "institution_ru": institution.name_ru,
        "institution_en": institution.name_en,
        "institution_kind": institution.kind,
        "region": center.region.code if center.region else "",
        "country": center.country.code if center.country else "",
        "regional_center": center.regional_center.code if center.regional_center else "",
        "opened_on": _text(center.opened_on),
        "closed_on": _text(center.closed_on),
        "address": center.address,
        "latitude": _text(center.latitude),
        "longitude": _text(center.longitude),
        "contact_person": center.contact_person,
        "email": center.email,
        "phone": center.phone,
        "website": center.website,
        "hours": center.hours,
        "networks": " ".join(n.cidr for n in center.networks.all()),
    }


def export_rows(queryset: QuerySet) -> list[dict[str, str]]:
    """The centers of ``queryset`` as rows of ``CENTER_COLUMNS`` (three queries in all)."""
    centers = queryset.with_relations().prefetch_related("networks")
    return [export_row(center) for center in centers]


def guard_formula(value: str) -> str:
    """Make a cell that a spreadsheet would run as a formula plain text (leading apostrophe)."""
    if value.startswith(_FORMULA_START) and not _NUMBER_RE.match(value):
        return "'" + value
    return value


def _safe_cell(value: Any) -> Any:
    """A number stays a number; text is guarded against formulas."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return guard_formula(_text(value))


def write_csv(rows: Iterable[dict[str, Any]], *, columns: Iterable[str] = CENTER_COLUMNS) -> bytes:
    """UTF-8 with a BOM (so that Excel reads Cyrillic right), comma-separated, header first.
    Other tables (the usage reports) pass their own ``columns``, the keys of their rows."""
    header = list(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(row.get(column, "")) for column in header])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(
    rows: Iterable[dict[str, Any]],
    *,
    columns: Iterable[str] = CENTER_COLUMNS,
    sheet_title: str = "centers",
) -> bytes:
    """One sheet, header first, text cells never a formula; numbers stay numbers."""
    header = list(columns)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title)
    sheet.append(header)
    for row in rows:
        cells = [_safe_cell(row.get(c, "")) for c in header]
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in cells])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
