"""Reading a catalogue file: telling its format, CSV and Dublin Core XML (MARCXML is in
``marc.py``)."""

import csv
import io
import xml.etree.ElementTree as ET  # noqa: S405 (documents with a DOCTYPE are refused first)
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from libranet.network.importexport import header_problems, read_limited, table_header

from ..models import Resource
from .base import (
    CSV_COLUMNS,
    DC_NS,
    DCMI_TYPES,
    DOCTYPE_RE,
    FORMATS,
    LIBRANET_NS,
    LIST_SEPARATOR,
    MARC_NS,
    MAX_RECORDS,
    OAI_DC_NS,
    OLE2_MAGIC,
    REQUIRED_COLUMNS,
    XML_LANG,
    Batch,
    ImportFileError,
    Record,
)
from .marc import marc_records


def read_upload(uploaded_file: Any, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded (or opened) file, refusing one over ``max_bytes`` (default
    ``LIBRANET_UPLOAD_MAX_BYTES``) without reading on."""
    limit = settings.LIBRANET_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    return read_limited(uploaded_file, limit, error=ImportFileError)


def _neither() -> ImportFileError:
    return ImportFileError(
        _(
            "The file is neither CSV (UTF-8) nor XML (Dublin Core or MARCXML). Save a table as "
            "“CSV UTF-8”, or export the catalogue as Dublin Core or MARCXML, and upload it again."
        )
    )


def detect_format(data: bytes) -> str:
    """``csv``, ``dc`` or ``marcxml``, told from the content (not the file's name)."""
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise ImportFileError(_("The file is empty."))
    if text.startswith((b"PK\x03\x04", b"%PDF", OLE2_MAGIC)) or b"\x00" in text[:4096]:
        raise _neither()
    if text.startswith(b"<"):
        if MARC_NS.encode() in data or b"<controlfield" in data or b"<marc:record" in data:
            return "marcxml"
        if DC_NS.encode() in data:
            return "dc"
        raise ImportFileError(
            _(
                "The file is XML but neither Dublin Core (elements of {dc}) nor MARCXML "
                "(elements of {marc})."
            ).format(dc=DC_NS, marc=MARC_NS)
        )
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        raise _neither() from None
    return "csv"


def read_batch(data: bytes, *, format: str = "") -> Batch:
    """Read the records of a CSV, Dublin Core or MARCXML file (``format`` "" tells it from the
    content). Raises ``ImportFileError`` with a message for the person who gave it."""
    format = format or detect_format(data)
    if format not in FORMATS:
        raise ImportFileError(
            _("Unknown format “{value}”; use one of: {choices}.").format(
                value=format, choices=", ".join(FORMATS)
            )
        )
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportFileError(_("The file is empty."))
    if format == "csv":
        records = _csv_records(data)
    elif format == "dc":
        records = _dc_records(_parse_xml(data))
    else:
        records = marc_records(data)
    if len(records) > MAX_RECORDS:
        raise ImportFileError(
            _("The file has more than {count} records; split it.").format(count=MAX_RECORDS)
        )
    return Batch(format=format, records=records)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


# CSV ------------------------------------------------------------------------------------------


def _csv_records(data: bytes) -> list[Record]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _neither() from None
    if "\x00" in text:
        raise _neither()
    # The header holds only column names: a semicolon there is the delimiter (as spreadsheets
    # write where the comma is the decimal sign); inside cells it separates list items.
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    previous_line = 0
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((previous_line + 1, cells))
            previous_line = reader.line_num
            if len(rows) > MAX_RECORDS + 1:
                raise ImportFileError(
                    _("The file has more than {count} records; split it.").format(count=MAX_RECORDS)
                )
    except csv.Error as exc:
        raise ImportFileError(
            _("Line {line} cannot be read as CSV: {error}.").format(line=reader.line_num, error=exc)
        ) from exc
    if not rows:
        raise ImportFileError(_("The file is empty."))
    header = table_header(rows[0][1])
    problems = header_problems(header, required=REQUIRED_COLUMNS, known=CSV_COLUMNS)
    if problems:
        raise ImportFileError(" ".join(problems))
    records = []
    for number, cells in rows[1:]:
        if any(cell.strip() for cell in cells[len(header) :]):
            raise ImportFileError(
                _("Row {row} has more values than the header has columns.").format(row=number)
            )
        values = dict(zip(header, [*cells, *[""] * (len(header) - len(cells))], strict=False))
        records.append(_csv_record(number, values))
    if not records:
        raise ImportFileError(_("The file has a header but no rows of resources."))
    return records


def _csv_record(number: int, values: dict[str, str]) -> Record:
    record = Record(number=number, columns={"date_text": "date"})
    for name, value in values.items():
        value = value.strip()
        if name in ("creators", "subjects", "collections"):
            record.fields[name] = _split(value)
        elif name == "date":
            record.fields["date_text"] = value
        elif name in ("type", "access_level"):
            if value or name == "type":
                record.fields[name] = value.lower()
        elif name == "files":
            record.files = [(path, "") for path in _split(value)]
        else:
            record.fields[name] = value
    return record


# Dublin Core ------------------------------------------------------------------------------------


def _parse_xml(data: bytes) -> ET.Element:
    # A document type declaration is where entity expansion (billion laughs) and external
    # entities live; catalogue exports never need one, so it is refused outright.
    if DOCTYPE_RE.search(data):
        raise ImportFileError(
            _("XML with a document type declaration (<!DOCTYPE>) is not accepted; remove it.")
        )
    try:
        return ET.fromstring(data)  # noqa: S314 (no DOCTYPE, so no entities)
    except ET.ParseError as exc:
        line, column = exc.position
        raise ImportFileError(
            _("The XML cannot be read: line {line}, column {column}: {error}.").format(
                line=line, column=column, error=str(exc).split(":")[0]
            )
        ) from exc


_DC_COLUMNS = {
    "identifier": "dc:identifier",
    "title_ru": "dc:title",
    "title_en": "dc:title",
    "creators": "dc:creator",
    "date_text": "dc:date",
    "type": "dc:type",
    "subjects": "dc:subject",
    "language": "dc:language",
    "description_ru": "dc:description",
    "description_en": "dc:description",
    "rights": "dc:rights",
    "collections": "libranet:collection",
    "access_level": "libranet:accessLevel",
    "files": "libranet:file",
}


def _dc_containers(root: ET.Element) -> list[ET.Element]:
    containers = list(root.iter(f"{{{OAI_DC_NS}}}dc"))
    if containers:
        return containers
    return [
        element
        for element in root.iter()
        if element.tag.rsplit("}", 1)[-1] == "record"
        and any(child.tag.startswith(f"{{{DC_NS}}}") for child in element)
    ]


def _text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _by_language(values: list[tuple[str, str]]) -> tuple[str, str]:
    """(Russian, English) from (language, text) pairs: ``en`` is English, the rest Russian;
    with no Russian text, the first text stands in (a title in Russian is required)."""
    english = next((text for lang, text in values if lang.startswith("en")), "")
    russian = next((text for lang, text in values if not lang.startswith("en")), "")
    if not russian and values:
        russian = values[0][1]
        english = "" if english == russian else english
    return russian, english


def _dc_type(values: list[str], record: Record) -> str:
    if not values:
        return Resource.Type.OTHER
    for value in values:
        key = value.strip().lower().replace(" ", "")
        if key in Resource.Type.values:
            return key
        if key in DCMI_TYPES:
            return DCMI_TYPES[key]
    record.errors.append(
        (
            "dc:type",
            _(
                "Unknown type “{value}”; use one of: {choices}, or a DCMI type (Text, Image, "
                "StillImage, Sound, MovingImage)."
            ).format(value=values[0], choices=", ".join(Resource.Type.values)),
        )
    )
    return ""


def _dc_records(root: ET.Element) -> list[Record]:
    containers = _dc_containers(root)
    if not containers:
        raise ImportFileError(
            _("The XML file holds no Dublin Core records (oai_dc:dc, or record elements).")
        )
    records = []
    for number, container in enumerate(containers, start=1):
        dc: dict[str, list[ET.Element]] = {}
        own: dict[str, list[str]] = {}
        for child in container:
            namespace, _sep, name = child.tag[1:].partition("}")
            if namespace == DC_NS:
                dc.setdefault(name, []).append(child)
            elif namespace == LIBRANET_NS:
                own.setdefault(name, []).append(_text(child))

        def texts(name: str, elements: dict[str, list[ET.Element]] = dc) -> list[str]:
            return [t for t in (_text(e) for e in elements.get(name, [])) if t]

        record = Record(number=number, columns=dict(_DC_COLUMNS))
        titles = [(e.get(XML_LANG, "").lower(), _text(e)) for e in dc.get("title", [])]
        descriptions = [(e.get(XML_LANG, "").lower(), _text(e)) for e in dc.get("description", [])]
        record.fields["title_ru"], record.fields["title_en"] = _by_language(
            [(lang, t) for lang, t in titles if t]
        )
        record.fields["description_ru"], record.fields["description_en"] = _by_language(
            [(lang, t) for lang, t in descriptions if t]
        )
        identifiers = texts("identifier")
        record.fields["identifier"] = identifiers[0] if identifiers else ""
        record.fields["creators"] = texts("creator")
        dates = texts("date")
        # W3CDTF allows a time after the date; the catalogue keeps the day.
        record.fields["date_text"] = dates[0].split("T")[0] if dates else ""
        record.fields["type"] = _dc_type(texts("type"), record)
        record.fields["subjects"] = texts("subject")
        languages = texts("language")
        # An RFC 5646 tag such as ru-RU: the language is its first part.
        record.fields["language"] = languages[0].split("-")[0] if languages else ""
        record.fields["rights"] = " ".join(texts("rights"))
        if own.get("collection"):
            record.fields["collections"] = [c for c in own["collection"] if c]
        if own.get("accessLevel"):
            record.fields["access_level"] = own["accessLevel"][0].lower()
        record.files = [(path, "") for path in own.get("file", []) if path]
        records.append(record)
    return records
