"""Centers to and from tables (CSV, XLSX): one column format, so an export imports back unchanged.

An import is all-or-nothing, in two phases. First every row is parsed and checked by the rules
the registry's services apply (their ``center_check_*`` functions), against the registry read
once and the rows before it, reading only: no write lock is taken, however long the file. If any
row failed, nothing is written and the report lists every error by its row number in the file
and its column. Else everything is written in one short transaction, in batches: the hosts, the
centers, their networks, their status history, the audit rows the services would write, the
registry's version. Each row is also checked against the acting user's scope, as the back office
checks a form.
"""

import bisect
import copy
import csv
import datetime
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from libranet.audit.models import AuditEntry
from libranet.audit.services import audit_entry

from .cache import registry_changed, registry_version
from .models import (
    Center,
    CenterNetwork,
    CenterQuerySet,
    CenterStatusChange,
    Country,
    Institution,
    Region,
)
from .permissions import Capability
from .services import (
    CENTER_FIELDS,
    CENTER_TEXT_FIELDS,
    Neighbours,
    ParsedNetwork,
    RegistryError,
    actor_user,
    center_check_networks,
    center_check_new,
    center_check_status,
    center_check_update,
    center_search_text,
    institution_check_new,
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
    "address_en",
    "latitude",
    "longitude",
    "contact_person",
    "email",
    "phone",
    "website",
    "hours",
    "hours_en",
    "networks",
)
# A row always says which center it is, of what kind, its name and host; a missing optional
# column leaves that field of an existing center as it is.
REQUIRED_COLUMNS = ("code", "kind", "name_ru", "institution_ru")
MAX_ROWS = 20_000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

_TEXT_FIELDS = ("name_ru", *CENTER_TEXT_FIELDS)
# A cell starting with one of these is run as a formula by spreadsheet programs (OWASP "CSV
# injection"); an apostrophe in front makes it text. Values starting with an apostrophe get one
# too, so that the importer can always strip exactly one and an export imports back unchanged.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_NUMBER_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_RU_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls


class ImportFileError(RegistryError):
    """The uploaded file cannot be read as a table of centers (or, rarely, cannot be written
    because the registry changed meanwhile)."""


# ``progress(done, total, label)``: what an import reports as it goes (libranet.progress's bar,
# or an import job's page).
Progress = Callable[[int, int, str], None]


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


def _unknown_choice(value: str, choices: list[str]) -> str:
    return _("Unknown value “{value}”; use one of: {choices}.").format(
        value=value, choices=", ".join(choices)
    )


# Read once: an enumeration's ``values`` builds its list again on every call.
_CHOICES = (
    ("kind", Kind.values),
    ("status", Status.values),
    ("institution_kind", Institution.Kind.values),
)


def _parse_row(row: dict[str, Any], registry: "_Registry") -> dict[str, Any]:
    """Turn a row's text into service arguments, collecting every error of the row."""
    errors: list[tuple[str, str]] = []
    values = {column: _clean(row[column]) for column in CENTER_COLUMNS if column in row}
    parsed: dict[str, Any] = {name: values[name] for name in _TEXT_FIELDS if name in values}

    parsed["code"] = values.get("code", "").upper()
    if not parsed["code"]:
        errors.append(("code", _("Give the center’s code.")))
    for column, choices in _CHOICES:
        parsed[column] = values.get(column, "").lower()
        if parsed[column] not in choices and (parsed[column] or column == "kind"):
            errors.append((column, _unknown_choice(parsed[column], choices)))

    references = (
        ("region", registry.regions.get, _("Unknown region code “{code}”.")),
        ("country", registry.countries.get, _("Unknown country code “{code}”.")),
        ("regional_center", registry.by_code.get, _("There is no center with code “{code}”.")),
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
            parsed["networks"] = parse_networks(values["networks"])
            parsed["parsed_networks"] = sorted(n.cidr for n in parsed["networks"])
        except RegistryError as exc:
            errors.extend(_registry_errors(exc))
    if errors:
        raise _RowFailed(errors)
    return parsed


class _Registry(Neighbours):
    """The registry as an import sees it: read once, before anything is written, then changed
    in memory by every row that passes, so that each row meets the rows before it as the
    services would meet them written. Answers the services' rules (``Neighbours``) from memory:
    checking 20,000 rows costs a few queries, not several per row."""

    check_references = False  # resolved from the lookups below; a new host has no key yet

    def __init__(self) -> None:
        self.regions = {r.code: r for r in Region.objects.all()}
        self.countries = {c.code: c for c in Country.objects.all()}
        regions_by_id = {r.pk: r for r in self.regions.values()}
        countries_by_id = {c.pk: c for c in self.countries.values()}
        self.institutions: dict[str, Institution] = {}
        institutions_by_id = {}
        for institution in Institution.objects.order_by("-pk"):
            institutions_by_id[institution.pk] = institution
            self.institutions[institution.name_ru] = institution  # the oldest of a name wins
        centers = list(Center.objects.all())
        self.by_pk = {c.pk: c for c in centers}
        for center in centers:
            center.institution = institutions_by_id[center.institution_id]
            center.region = regions_by_id.get(center.region_id)
            center.country = countries_by_id.get(center.country_id)
        for center in centers:
            center.regional_center = self.by_pk.get(center.regional_center_id)
        self.by_code = {c.code: c for c in centers}
        self.regionals: dict[int | None, list[Center]] = {}
        for center in centers:
            self._index(center)
        # Each version's networks as (first, last, cidr, center code), sorted: networks of
        # different centers never overlap, so those overlapping a range are one run of it.
        self.networks: dict[int, list[tuple[str, str, str, str]]] = {4: [], 6: []}
        self.held: dict[str, list[tuple[int, tuple[str, str, str, str]]]] = {}
        rows = CenterNetwork.objects.values_list("center_id", "cidr", "version", "first", "last")
        for center_id, cidr, version, first, last in rows:
            entry = (first, last, cidr, self.by_pk[center_id].code)
            self.networks[version].append(entry)
            self.held.setdefault(entry[3], []).append((version, entry))
        for ranges in self.networks.values():
            ranges.sort()
        self._last_dates: dict[int, datetime.date] | None = None

    def _index(self, center: Center) -> None:
        if center.kind == Kind.REGIONAL and center.region_id:
            self.regionals.setdefault(center.region_id, []).append(center)

    def cidrs(self, center: Center) -> list[str]:
        """The center's networks, sorted."""
        return sorted(entry[2] for _version, entry in self.held.get(center.code, []))

    @staticmethod
    def _same(a: Center, b: Center) -> bool:
        return a is b or (a.pk is not None and a.pk == b.pk)

    # What the services' rules ask (see ``Neighbours``), answered as the database would.

    def same_code(self, center: Center) -> Center | None:
        other = self.by_code.get(center.code)
        return other if other is not None and not self._same(other, center) else None

    def _regionals_of(self, center: Center) -> list[Center]:
        return sorted(self.regionals.get(center.region_id, []), key=lambda c: c.code)

    def open_regional(self, center: Center) -> Center | None:
        return next(
            (
                other
                for other in self._regionals_of(center)
                if other.status == Status.OPEN and not self._same(other, center)
            ),
            None,
        )

    def coordinator_for(self, center: Center) -> Center | None:
        candidates = self._regionals_of(center)
        return next((c for c in candidates if c.status == Status.OPEN), None) or next(
            (c for c in candidates if c.status != Status.CLOSED), None
        )

    def network_clash(self, center: Center, net: ParsedNetwork) -> tuple[str, Center] | None:
        ranges = self.networks[net.version]
        index = bisect.bisect_right(ranges, net.last, key=lambda r: r[0])
        while index > 0:
            index -= 1
            _first, last, cidr, code = ranges[index]
            if last < net.first:
                break
            if code != center.code:
                return cidr, self.by_code[code]
        return None

    def last_status_date(self, center: Center) -> datetime.date | None:
        if self._last_dates is None:
            rows = CenterStatusChange.objects.values("center_id").annotate(last=Max("changed_on"))
            self._last_dates = {row["center_id"]: row["last"] for row in rows.order_by()}
        return self._last_dates.get(center.pk)

    # Rows that passed.

    def editable(self, center: Center) -> Center:
        """A copy of a registered center to check a row's changes on, its coordinator as the
        rows before left it."""
        copied = copy.copy(center)
        if center.regional_center_id in self.by_pk:
            copied.regional_center = self.by_pk[center.regional_center_id]
        return copied

    def put(
        self, center: Center, *, replacing: Center | None, networks: list[ParsedNetwork] | None
    ) -> None:
        """Record a row's center (new, or the changed copy of ``replacing``) and, when given,
        its networks, for the rows after it."""
        if replacing is not None:
            regionals = self.regionals.get(replacing.region_id, [])
            if replacing in regionals:
                regionals.remove(replacing)
            self.by_pk[center.pk] = center
        self.by_code[center.code] = center
        self._index(center)
        if networks is not None:
            for version, entry in self.held.pop(center.code, []):
                self.networks[version].remove(entry)
            held = [(n.version, (n.first, n.last, n.cidr, center.code)) for n in networks]
            for version, entry in held:
                bisect.insort(self.networks[version], entry)
            self.held[center.code] = held


@dataclass
class _Write:
    """What a row writes: a new center, or a registered one changed (its card, its networks,
    its status), with the audit rows the services would write for it."""

    center: Center
    networks: list[ParsedNetwork] | None  # None: the networks stay
    status_change: tuple[str, datetime.date] | None = None  # the status and its date
    changes: dict[str, Any] | None = None  # of its "center.update" audit row
    # For a changed center: the references that point at a center or host this import
    # registers, whose key the audit row can only name once it is written.
    pending: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Plan:
    institutions: list[Institution] = field(default_factory=list)
    created: list[_Write] = field(default_factory=list)
    updated: list[_Write] = field(default_factory=list)
    audit: list[tuple[str, Any, dict[str, Any]]] = field(default_factory=list)


def _institution_for(
    actor: Any, parsed: dict[str, Any], registry: _Registry, plan: _Plan
) -> Institution:
    name = parsed["institution_ru"]
    found = registry.institutions.get(name)
    if found:
        return found
    kind = parsed["institution_kind"] or (
        Institution.Kind.RCSC if parsed["kind"] == Kind.FOREIGN else Institution.Kind.LIBRARY
    )
    try:
        institution = institution_check_new(
            actor=actor, name_ru=name, name_en=parsed["institution_en"], kind=kind
        )
    except RegistryError as exc:
        # The institution's own fields, named as the row's columns.
        columns = {"name_en": "institution_en", "kind": "institution_kind"}
        errors = [(columns.get(c, "institution_ru"), m) for c, m in _registry_errors(exc)]
        raise _RowFailed(errors) from exc
    registry.institutions[name] = institution
    plan.institutions.append(institution)
    plan.audit.append(("institution.create", institution, {}))
    return institution


_CENTER_ARGS = (
    *_TEXT_FIELDS,
    *("code", "kind", "region", "country", "regional_center"),
    *("opened_on", "closed_on", "latitude", "longitude"),
)


def _differs(center: Center, name: str, value: Any) -> bool:
    if name in ("institution", "region", "country", "regional_center"):
        if value is not None and value.pk is None:
            return True  # a center or host this import registers
        return getattr(center, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(center, name) != value


def _plan_row(actor: Any, parsed: dict[str, Any], registry: _Registry, plan: _Plan) -> str:
    """Check one parsed row as the services would (``center_check_*``) and add what it writes
    to ``plan``; says "created", "updated" or "unchanged"."""
    code = parsed["code"]
    existing = registry.by_code.get(code) if code else None
    fields = {name: parsed[name] for name in _CENTER_ARGS if name in parsed}
    fields["institution"] = _institution_for(actor, parsed, registry, plan)
    status = parsed["status"]
    try:
        if existing is None:
            center = Center(status=status or Status.PLANNED, **fields)
            networks, first_date = center_check_new(
                actor=actor,
                center=center,
                status_date=None,
                networks=parsed.get("networks", ""),
                neighbours=registry,
            )
            write = _Write(center, networks, (center.status, first_date))
            plan.audit.append(("center.create", center, {"networks": [n.cidr for n in networks]}))
            plan.created.append(write)
            registry.put(center, replacing=None, networks=networks)
            return "created"
        center = registry.editable(existing)
        write = _Write(center, None)
        changed = any(_differs(existing, name, value) for name, value in fields.items())
        if parsed.get("networks") is not None:
            changed = changed or registry.cidrs(existing) != parsed["parsed_networks"]
        if changed:
            changes: dict[str, Any] = center_check_update(
                actor=actor,
                center=center,
                capability=Capability.EDIT_CENTER,
                fields=fields,
                neighbours=registry,
            )
            if parsed.get("networks") is not None:
                networks = center_check_networks(
                    actor=actor, center=center, networks=parsed["networks"], neighbours=registry
                )
                old, new = registry.cidrs(existing), sorted(n.cidr for n in networks)
                if old != new:
                    write.networks = networks
                    changes["networks"] = [old, new]
            before = {"institution": existing.institution_id}
            before["regional_center"] = existing.regional_center_id
            write.pending = {
                name: key
                for name, key in before.items()
                if getattr(center, name) is not None and getattr(center, name).pk is None
            }
            if changes or write.pending:
                write.changes = changes
                plan.audit.append(("center.update", center, changes))
    except RegistryError as exc:
        raise _RowFailed(_registry_errors(exc)) from exc

    if status and status != center.status:
        # Dated by the row's opening or closing date when it gives one, else today.
        date_column = {Status.OPEN: "opened_on", Status.CLOSED: "closed_on"}.get(status, "")
        changed_on = parsed.get(date_column) if date_column else None
        try:
            old_status, changed_on = center_check_status(
                actor=actor,
                center=center,
                status=status,
                changed_on=changed_on,
                neighbours=registry,
            )
        except RegistryError as exc:
            raise _RowFailed(
                _registry_errors(exc, date_column=date_column if changed_on else "status")
            ) from exc
        write.status_change = (status, changed_on)
        plan.audit.append(
            (
                "center.status",
                center,
                {"status": [old_status, status], "changed_on": changed_on.isoformat()},
            )
        )
    elif not changed:
        return "unchanged"
    plan.updated.append(write)
    registry.put(center, replacing=existing, networks=write.networks)
    return "updated"


# The labels of ``progress(done, total, label)``: the rows checked, then the rows written.
VALIDATING, APPLYING = "validating", "applying"
BATCH_SIZE = 500
# Checks made without the registry's lock before one made under it (see import_centers).
OPTIMISTIC_ATTEMPTS = 2
_UPDATED_FIELDS = (*CENTER_FIELDS, "status", "search_text", "updated_at")


def _batches(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


def _check(
    actor: Any, numbered: list[tuple[int, dict[str, Any]]], progress: Progress | None
) -> tuple[ImportReport, _Plan]:
    """Phase 1, reading only: every row parsed and checked, what it would write planned."""
    registry = _Registry()
    report, plan = ImportReport(rows=len(numbered)), _Plan()
    seen: dict[str, int] = {}
    for done, (number, row) in enumerate(numbered, start=1):
        code = _clean(row.get("code")).upper()
        try:
            if code in seen:
                message = _("Center {code} is also in row {row}.")
                raise _RowFailed([("code", message.format(code=code, row=seen[code]))])
            if code:
                seen[code] = number
            outcome = _plan_row(actor, _parse_row(row, registry), registry, plan)
        except _RowFailed as failed:
            report.errors.extend(RowError(number, col, msg) for col, msg in failed.errors)
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
        if progress is not None:
            progress(done, len(numbered), VALIDATING)
    if report.errors:
        report.created = report.updated = report.unchanged = 0
    report.errors.sort(key=lambda e: (e.row, CENTER_COLUMNS.index(e.column) if e.column else -1))
    return report, plan


def _write_centers(writes: list[_Write], *, create: bool, counted: Callable[[int], None]) -> None:
    for batch in _batches(writes):
        centers = [write.center for write in batch]
        for center in centers:
            center.search_text = center_search_text(center)
        if create:
            Center.objects.bulk_create(centers)
        else:
            now = timezone.now()  # what auto_now does on save; bulk_update skips it
            for center in centers:
                center.updated_at = now
            Center.objects.bulk_update(centers, _UPDATED_FIELDS)
        counted(len(batch))


def _apply(actor: Any, plan: _Plan, *, progress: Progress | None) -> None:
    """Phase 2, in the caller's transaction: write the plan in batches, with the rows the
    services would write (status history, networks, audit)."""
    total, done = len(plan.created) + len(plan.updated), 0

    def counted(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, total, APPLYING)

    # The database allows one open regional center per region at any moment, and a center can
    # only refer to one already written: first the changed centers that need neither, then
    # the new ones (regional centers first), then the other changed ones.
    def early(write: _Write) -> bool:
        center = write.center
        return not write.pending and not (
            center.kind == Kind.REGIONAL and center.status == Status.OPEN
        )

    regional = [w for w in plan.created if w.center.kind == Kind.REGIONAL]
    others = [w for w in plan.created if w.center.kind != Kind.REGIONAL]
    user = actor_user(actor)
    Institution.objects.bulk_create(plan.institutions, batch_size=BATCH_SIZE)
    _write_centers([w for w in plan.updated if early(w)], create=False, counted=counted)
    _write_centers(regional, create=True, counted=counted)
    _write_centers(others, create=True, counted=counted)
    _write_centers([w for w in plan.updated if not early(w)], create=False, counted=counted)
    replaced = [w.center.pk for w in plan.updated if w.networks is not None]
    for batch in _batches(replaced):
        CenterNetwork.objects.filter(center_id__in=batch).delete()
    writes = plan.created + plan.updated
    CenterNetwork.objects.bulk_create(
        (
            CenterNetwork(
                center=w.center, cidr=n.cidr, version=n.version, first=n.first, last=n.last
            )
            for w in writes
            for n in w.networks or ()
        ),
        batch_size=BATCH_SIZE,
    )
    CenterStatusChange.objects.bulk_create(
        (
            CenterStatusChange(
                center=w.center,
                status=w.status_change[0],
                changed_on=w.status_change[1],
                changed_by=user,
            )
            for w in writes
            if w.status_change
        ),
        batch_size=BATCH_SIZE,
    )
    for write in plan.updated:
        for name, before in write.pending.items():
            assert write.changes is not None  # noqa: S101 (set with pending)
            write.changes[name] = [before, getattr(write.center, name).pk]
    AuditEntry.objects.bulk_create(
        (
            audit_entry(actor=actor, action=action, obj=obj, changes=changes)
            for action, obj, changes in plan.audit
        ),
        batch_size=BATCH_SIZE,
    )


@contextmanager
def _registry_write() -> Iterator[None]:
    """The import's write transaction. The registry's version is bumped first: on PostgreSQL
    its row lock keeps other registry writers waiting until the commit (SQLite's write lock
    does so anyway)."""
    try:
        with transaction.atomic():
            registry_changed()
            yield
    except IntegrityError as exc:
        # A writer that bumps no version (or a rule only the database holds) got there first.
        raise ImportFileError(
            _("Another change to the registry conflicts with this import; import the file again.")
        ) from exc


def import_centers(
    *, actor: Any, rows: Iterable[dict[str, Any]], progress: Progress | None = None
) -> ImportReport:
    """Create or update (by code) the centers of ``rows``, all of them or none.

    ``rows`` are dicts keyed by ``CENTER_COLUMNS`` (as ``read_table`` gives them); a row's
    number is its ``number`` attribute, else its place after a header line. First every row is
    checked, reading only (no write lock is taken); if any fails, nothing is written and the
    report lists every error. Then everything is written in one short transaction. If another
    change reached the registry in between, the rows are checked again; after
    ``OPTIMISTIC_ATTEMPTS`` such checks, once more under the registry's lock, so an import
    ends even while the registry changes every second.
    ``progress(done, total, VALIDATING | APPLYING)`` is called as the rows go.
    """
    numbered = [(getattr(row, "number", index + 2), row) for index, row in enumerate(rows)]
    # Regional centers first, so that a remote center may name one further down the file.
    numbered.sort(key=lambda item: _clean(item[1].get("kind")).lower() != Kind.REGIONAL)
    for _attempt in range(OPTIMISTIC_ATTEMPTS):
        version = registry_version()
        report, plan = _check(actor, numbered, progress)
        if not report.ok:
            return report
        if progress is not None:  # said before the write transaction, so that it is seen
            progress(0, len(plan.created) + len(plan.updated), APPLYING)
        with _registry_write():
            if registry_version() != version + 1:
                transaction.set_rollback(True)
                continue  # another change came between the phases: check the rows again
            _apply(actor, plan, progress=progress)
            return report
    # The registry keeps changing (a busy day, a script editing centers): check and write under
    # the registry's lock, which holds other writers for the check too, but always ends.
    with _registry_write():
        report, plan = _check(actor, numbered, progress)
        if not report.ok:
            transaction.set_rollback(True)
            return report
        _apply(actor, plan, progress=progress)
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
        "address_en": center.address_en,
        "latitude": _text(center.latitude),
        "longitude": _text(center.longitude),
        "contact_person": center.contact_person,
        "email": center.email,
        "phone": center.phone,
        "website": center.website,
        "hours": center.hours,
        "hours_en": center.hours_en,
        "networks": " ".join(n.cidr for n in center.networks.all()),
    }


def export_rows(queryset: "CenterQuerySet") -> list[dict[str, str]]:
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
