"""A harvested record's metadata in the common fields of ``CatalogRecord``, by the source's
format: Dublin Core (``oai_dc``), MARC 21 in MARCXML, or RUSMARC carried in MARCXML (UNIMARC
field numbers). MARC is read with pymarc, with the collections' import's readings of MARC 21
(ISBD punctuation, the title, the type from the leader); ISBNs and the work key come from
``works``. A record with no title cannot be found by anyone: it is a ``MappingError``."""

import io
import re
import warnings
from typing import Any

import pycountry
import pymarc
from django.utils.translation import gettext as _
from lxml import etree

from libranet.resources.importing.marc import _marc_title, _marc_type, _trim_isbd
from libranet.resources.models import Resource
from libranet.resources.services import normalize_language

from . import works
from .models import RecordFormat

DC = "{http://purl.org/dc/elements/1.1/}"
MARC_NS = "http://www.loc.gov/MARC21/slim"
Type = Resource.Type
# Dublin Core's free-text type, by the words catalogs write (DCMI Type Vocabulary and others).
_DC_TYPES = [
    (re.compile(r"periodical|journal|serial|newspaper|журнал|газет|периодич"), Type.PERIODICAL),
    (re.compile(r"manuscript|рукопис"), Type.MANUSCRIPT),
    (re.compile(r"map|cartograph|карт"), Type.MAP),
    (re.compile(r"photo|still ?image|image|фото|изображ"), Type.PHOTOGRAPH),
    (re.compile(r"sound|audio|звук|аудио"), Type.SOUND),
    (re.compile(r"video|moving ?image|film|видео|фильм"), Type.VIDEO),
    (re.compile(r"archiv|архив"), Type.ARCHIVAL),
    (re.compile(r"book|monograph|text|книг|монограф|текст"), Type.BOOK),
]  # fmt: skip
# UNIMARC's leader/06 where it differs from MARC 21's (b: manuscript text, k: graphics).
_UNIMARC_TYPES = {"b": Type.MANUSCRIPT, "c": Type.OTHER, "l": Type.OTHER, "m": Type.OTHER}
_ISBN_PREFIX = re.compile(r"^\s*isbn[:\s]*", re.IGNORECASE)


class MappingError(ValueError):
    """The record cannot be taken; the message is the reason kept in the run's failures."""


def map_record(metadata: Any, record_format: str) -> dict[str, Any]:
    """The common fields (title, creators, date_text, year, type, subjects, language, isbns,
    identifiers, publisher, title_key, work_key) of the ``<metadata>`` element of a harvested
    record."""
    if metadata is None or len(metadata) == 0:
        raise MappingError(_("The record has no metadata."))
    if record_format == RecordFormat.DUBLIN_CORE:
        fields = _dublin_core(metadata[0])
    elif record_format in (RecordFormat.MARC21, RecordFormat.RUSMARC):
        marc = _marc(metadata[0])
        fields = _rusmarc(marc) if record_format == RecordFormat.RUSMARC else _marc21(marc)
    else:
        raise MappingError(_("Unknown record format “{format}”.").format(format=record_format))
    if not fields["title"]:
        raise MappingError(_("The record has no title."))
    fields["title"] = fields["title"][:2000]
    fields["publisher"] = fields["publisher"][:500]
    fields["date_text"] = fields["date_text"][:100]
    fields["title_key"] = works.title_key(
        title=fields["title"], creators=fields["creators"], year=fields["year"]
    )
    fields["work_key"] = works.work_key(
        title=fields["title"],
        creators=fields["creators"],
        year=fields["year"],
        isbns=fields["isbns"],
    )
    return fields


def language_code(value: str) -> str:
    """ISO 639 as the collections store it (``ru``, ``de``, else three letters), from a code
    (``rus``, ``ger``, ``ru``) or an English name ("Russian"); "" if not a language."""
    text = (value or "").strip()
    try:
        return normalize_language(text)
    except ValueError:
        found = pycountry.languages.get(name=text.capitalize()) if text else None
        if found is None:
            return ""
        return str(getattr(found, "alpha_2", None) or found.alpha_3)


def _texts(values: list[str]) -> list[str]:
    return list(dict.fromkeys(" ".join(v.split()) for v in values if v and v.strip()))


# --- Dublin Core ----------------------------------------------------------------------------


def _dublin_core(dc: Any) -> dict[str, Any]:
    def values(name: str) -> list[str]:
        return _texts([e.text or "" for e in dc.iter(f"{DC}{name}")])

    titles, dates = values("title"), values("date")
    identifiers = values("identifier")
    candidates = [_ISBN_PREFIX.sub("", i) for i in identifiers]
    isbns = works.isbns(candidates)
    others = [i for i, c in zip(identifiers, candidates, strict=True) if not works.isbn13(c)]
    languages = [code for code in map(language_code, values("language")) if code]
    # Repositories such as DSpace flatten their accession timestamps into dc:date too: the
    # work's date is the first that is not one.
    date_text = next((d for d in dates if "T" not in d), dates[0] if dates else "")
    publishers = values("publisher")
    return {
        "title": titles[0] if titles else "",
        "creators": values("creator"),
        "date_text": date_text,
        "year": works.year_of(date_text),
        "type": _dc_type(values("type")),
        "subjects": values("subject"),
        "language": languages[0] if languages else "",
        "isbns": isbns,
        "identifiers": others,
        "publisher": publishers[0] if publishers else "",
    }


def _dc_type(values: list[str]) -> str:
    for value in values:
        text = value.casefold()
        for pattern, kind in _DC_TYPES:
            if pattern.search(text):
                return str(kind)
    return str(Type.OTHER)


# --- MARC -----------------------------------------------------------------------------------


def _marc(element: Any) -> pymarc.Record:
    data = etree.tostring(element)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymarc warns about odd subfield codes
        try:
            found = pymarc.parse_xml_to_array(io.BytesIO(data), strict=MARC_NS.encode() in data)
        except Exception as exc:  # SAX and pymarc errors alike: the record is unreadable
            raise MappingError(
                _("The MARCXML record cannot be read: {error}.").format(error=exc)
            ) from exc
    if not found:
        raise MappingError(_("The metadata holds no MARC record."))
    return found[0]


def _sub(record: pymarc.Record, tags: tuple[str, ...], codes: tuple[str, ...]) -> list[str]:
    return _texts(
        [_trim_isbd(v) for f in record.get_fields(*tags) for v in f.get_subfields(*codes)]
    )


def _marc_language(record: pymarc.Record, tag: str, fixed: str) -> str:
    codes = [v.strip() for f in record.get_fields(tag) for v in f.get_subfields("a")]
    for code in [*codes, fixed]:
        # Old records run several codes together ("ruseng"): the first is the text's.
        found = language_code(code[:3] if len(code) > 3 and len(code) % 3 == 0 else code)
        if found:
            return found
    return ""


def _marc21(record: pymarc.Record) -> dict[str, Any]:
    titles = [_marc_title(f) for f in record.get_fields("245")]
    publication = record.get_fields("264", "260")
    publication.sort(key=lambda f: (f.tag != "264" or f.indicator2 != "1", f.tag))
    publishers = [_trim_isbd(v) for f in publication for v in f.get_subfields("b")]
    dates = [_trim_isbd(v).strip("[]") for f in publication for v in f.get_subfields("c")]
    date_text = next((d for d in dates if d), "")
    fixed = record.get_fields("008")
    data = (fixed[0].data or "") if fixed else ""
    year = works.year_of(date_text) or works.year_of(data[7:11])
    identifiers = [f"LCCN {v}" for v in _sub(record, ("010",), ("a",))]
    identifiers += [f"ISSN {v}" for v in _sub(record, ("022",), ("a",))]
    identifiers += _sub(record, ("035",), ("a",))
    return {
        "title": titles[0] if titles else "",
        "creators": _sub(record, ("100", "110", "700", "710"), ("a",)),
        "date_text": date_text,
        "year": year,
        "type": str(_marc_type(str(record.leader or ""))),
        "subjects": _sub(record, ("600", "650", "651"), ("a",)),
        "language": _marc_language(record, "041", data[35:38]),
        "isbns": works.isbns(v for f in record.get_fields("020") for v in f.get_subfields("a")),
        "identifiers": identifiers,
        "publisher": next((p for p in publishers if p), ""),
    }


def _rusmarc(record: pymarc.Record) -> dict[str, Any]:
    title = ""
    for field in record.get_fields("200"):
        parts = [_trim_isbd(v) for v in field.get_subfields("a", "e")]
        main, rest = (parts[0], parts[1:]) if parts else ("", [])
        title = " : ".join([main, *[p for p in rest if p]]) if main else ""
        break
    creators = []
    for field in record.get_fields("700", "701", "702"):
        family = _trim_isbd(" ".join(field.get_subfields("a")))
        given = _trim_isbd(" ".join(field.get_subfields("b") or field.get_subfields("g")))
        if family:
            creators.append(f"{family}, {given}" if given else family)
    dates = _sub(record, ("210",), ("d",))
    date_text = dates[0].strip("[]") if dates else ""
    general = next(iter(_sub(record, ("100",), ("a",))), "")
    year = works.year_of(general[9:13]) or works.year_of(date_text)
    leader = str(record.leader or "")
    kind = _UNIMARC_TYPES.get(leader[6:7]) or _marc_type(leader)
    return {
        "title": title,
        "creators": _texts(creators),
        "date_text": date_text,
        "year": year,
        "type": str(kind),
        "subjects": _sub(record, ("606",), ("a",)),
        "language": _marc_language(record, "101", ""),
        "isbns": works.isbns(v for f in record.get_fields("010") for v in f.get_subfields("a")),
        "identifiers": [f"ISSN {v}" for v in _sub(record, ("011",), ("a",))],
        "publisher": next(iter(_sub(record, ("210",), ("c",))), ""),
    }
