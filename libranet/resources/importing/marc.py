"""MARCXML records (read with pymarc) as the import's records."""

import io
import re
import warnings
from collections.abc import Iterable
from xml.sax import SAXException

import pymarc
from django.utils.translation import gettext as _

from ..models import Resource
from .base import DOCTYPE_RE, MARC_NS, ImportFileError, Record

# Leader/06 (type of record) → our type; leader/07 "s" or "b" (serial) makes text a periodical.
MARC_TYPES = {
    "a": Resource.Type.BOOK,
    "t": Resource.Type.MANUSCRIPT,
    "d": Resource.Type.MANUSCRIPT,
    "e": Resource.Type.MAP,
    "f": Resource.Type.MAP,
    "i": Resource.Type.SOUND,
    "j": Resource.Type.SOUND,
    "g": Resource.Type.VIDEO,
    "k": Resource.Type.PHOTOGRAPH,
    "p": Resource.Type.ARCHIVAL,
}
_MARC_COLUMNS = {
    "identifier": "001",
    "title_ru": "245",
    "title_en": "242",
    "creators": "100/700",
    "date_text": "260$c",
    "type": "leader/06",
    "subjects": "650",
    "language": "041/008",
    "description_ru": "520",
    "rights": "540/506",
    "access_level": "access_level",
    "collections": "collections",
    "files": "856$u",
}


def _marc_type(leader: str) -> str:
    code = leader[6:7]
    if code == "a" and leader[7:8] in ("s", "b"):
        return Resource.Type.PERIODICAL
    return MARC_TYPES.get(code, Resource.Type.OTHER)


_INITIAL = re.compile(r"(?:^|[\s.])\w\.$")


def _trim_isbd(text: str) -> str:
    """A value without the punctuation ISBD puts between elements (" /", " :", ",", a final
    full stop), keeping the full stop of an initial (``Пушкин, А. С.``)."""
    text = " ".join(text.split()).rstrip(" /:;,=")
    if text.endswith(".") and not text.endswith("..") and not _INITIAL.search(text):
        text = text[:-1]
    return text.strip()


def _subfields(record: pymarc.Record, tags: Iterable[str], codes: Iterable[str]) -> list[str]:
    return [
        value
        for marc_field in record.get_fields(*tags)
        for value in [_trim_isbd(" ".join(marc_field.get_subfields(*codes)))]
        if value
    ]


def _marc_date(record: pymarc.Record, result: Record) -> str:
    for tag in ("260", "264"):
        for marc_field in record.get_fields(tag):
            for value in marc_field.get_subfields("c"):
                result.columns["date_text"] = f"{tag}$c"
                # "[1703]", "c1990", "©1990", "1703." are the year the catalogue means.
                cleaned = value.strip().strip("[]").lstrip("c©℗p").strip().rstrip(".,;: ")
                return cleaned.strip("[]").strip()
    fixed = record.get_fields("008")
    data = fixed[0].data if fixed and fixed[0].data else ""
    result.columns["date_text"] = "008/07-14"
    first, second = data[7:11], data[11:15]
    if first.isdigit():
        if data[6:7] in ("i", "k", "m", "q") and second.isdigit() and second != first:
            return f"{first}–{second}"
        return first
    return ""


def _marc_language(record: pymarc.Record) -> str:
    for marc_field in record.get_fields("041"):
        for value in marc_field.get_subfields("a"):
            value = value.strip()
            # Old records run several codes together ("ruseng"): the first is the text's.
            return value[:3] if len(value) > 3 and len(value) % 3 == 0 else value
    fixed = record.get_fields("008")
    code = (fixed[0].data or "")[35:38] if fixed else ""
    return code.strip() if code.strip(" |") else ""


def _marc_title(marc_field: pymarc.Field) -> str:
    """A title as one reads it: "Title: subtitle. Part. Name of part" (ISBD's " :" and " /"
    go; the statement of responsibility, $c, is not part of the title)."""
    title = ""
    for subfield in marc_field.subfields:
        value = _trim_isbd(subfield.value)
        if not value or subfield.code not in ("a", "b", "n", "p"):
            continue
        separator = {"a": " ", "b": ": "}.get(subfield.code, ". ")
        title = f"{title}{separator}{value}" if title else value
    return title


def marc_records(data: bytes) -> list[Record]:
    if DOCTYPE_RE.search(data):
        raise ImportFileError(
            _("XML with a document type declaration (<!DOCTYPE>) is not accepted; remove it.")
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pymarc warns about odd subfield codes
            marc_records = pymarc.parse_xml_to_array(
                io.BytesIO(data), strict=MARC_NS.encode() in data
            )
    except SAXException as exc:
        raise ImportFileError(_("The XML cannot be read: {error}.").format(error=str(exc))) from exc
    except pymarc.PymarcException as exc:
        raise ImportFileError(
            _("The MARCXML cannot be read: {error}.").format(error=str(exc) or type(exc).__name__)
        ) from exc
    if not marc_records:
        raise ImportFileError(_("The XML file holds no MARC records."))
    return [_marc_record(number, r) for number, r in enumerate(marc_records, start=1)]


def _marc_record(number: int, marc: pymarc.Record) -> Record:
    record = Record(number=number, columns=dict(_MARC_COLUMNS))
    control = [f.data for f in marc.get_fields("001") if f.data and f.data.strip()]
    if control:
        record.fields["identifier"] = control[0].strip()
    else:
        record.columns["identifier"] = "035$a"
        found = _subfields(marc, ["035"], ["a"])
        record.fields["identifier"] = found[0] if found else ""
    titles = [_marc_title(f) for f in marc.get_fields("245")]
    record.fields["title_ru"] = titles[0] if titles else ""
    english = [_marc_title(f) for f in marc.get_fields("242") if "eng" in f.get_subfields("y")]
    record.fields["title_en"] = english[0] if english else ""
    record.fields["creators"] = _subfields(marc, ["100", "110", "111", "700", "710", "711"], ["a"])
    record.fields["date_text"] = _marc_date(marc, record)
    record.fields["type"] = _marc_type(str(marc.leader or ""))
    record.fields["subjects"] = [
        " -- ".join(_trim_isbd(v) for v in f.get_subfields("a", "x", "y", "z") if v.strip())
        for f in marc.get_fields("650", "651")
        if f.get_subfields("a")
    ]
    record.fields["language"] = _marc_language(marc)
    record.fields["description_ru"] = "\n\n".join(
        " ".join(v.split()) for f in marc.get_fields("520") for v in f.get_subfields("a")
    )
    record.fields["description_en"] = ""
    record.fields["rights"] = " ".join(
        " ".join(v.split()) for f in marc.get_fields("540", "506") for v in f.get_subfields("a")
    )
    for link in marc.get_fields("856"):
        label = " ".join(link.get_subfields("y", "3"))
        for url in link.get_subfields("u"):
            if "://" not in url:  # a path among the batch's files, not a link elsewhere
                record.files.append((url.strip(), label[:200]))
    return record
