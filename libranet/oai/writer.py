"""Writing OAI-PMH XML as text, piece by piece, so a response can stream.

Plain string building (escaped here, in one place) is several times faster than a tree and
keeps nothing but the current record in memory. Characters XML 1.0 cannot carry (control
characters that may come in with imported data) are dropped rather than breaking the document.
"""

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"

_JSON = json.JSONDecoder()  # raw_decode: the text of a JSON column, without json.loads' layers
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Characters left as they are in an identifier inside oai:<repository>:<identifier> and in the
# path of its page (as Django's reverse() leaves them, so `pl:books/1703.2` stays readable);
# anything else is percent-encoded.
_URI_SAFE = "-_.!~*'();:@&=+$,/"
_URI_PLAIN = re.compile(r"[A-Za-z0-9\-_.!~*'();:@&=+$,/]+")


def text(value: str) -> str:
    """Escape character data. (Hot: every field of every record passes here. A printable
    string has no character XML forbids, so the expression scan is only for the others.)"""
    if not value.isprintable():
        value = _NOT_XML.sub("", value)
    if "&" in value or "<" in value or ">" in value:
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def attr(value: str) -> str:
    """Escape an attribute value written between double quotes."""
    return text(value).replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")


def datestamp(moment: dt.datetime) -> str:
    """A UTC datestamp to the second, the repository's granularity."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def stamp(value: Any) -> str:
    """The datestamp of a datetime column as the driver gives it (``records.driver_rows``):
    naive in UTC (SQLite), or aware; UTC either way unless the database says otherwise."""
    if value.tzinfo is not None and value.utcoffset():
        value = value.astimezone(dt.UTC)
    return f"{value.isoformat(timespec='seconds')[:19]}Z"  # faster than strftime


def element(name: str, value: str) -> str:
    return f"<{name}>{text(value)}</{name}>"


def envelope(
    response_date: dt.datetime, base_url: str, request: dict[str, str], body: Iterable[str]
) -> Iterator[str]:
    """The OAI-PMH document around ``body``; ``request`` holds the attributes to echo."""
    attributes = "".join(f' {name}="{attr(value)}"' for name, value in request.items())
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI_NS}" '
        f'xsi:schemaLocation="{OAI_NS} {OAI_SCHEMA}">\n'
        f"<responseDate>{datestamp(response_date)}</responseDate>\n"
        f"<request{attributes}>{text(base_url)}</request>\n"
    )
    yield from body
    yield "</OAI-PMH>\n"


def error(code: str, message: str) -> str:
    return f'<error code="{code}">{text(message)}</error>\n'


def uri_part(identifier: str) -> str:
    """An identifier as a URI part: most need no encoding, and quote() is slow."""
    return identifier if _URI_PLAIN.fullmatch(identifier) else quote(identifier, safe=_URI_SAFE)


def oai_identifier(repository_id: str, identifier: str) -> str:
    return f"oai:{repository_id}:{uri_part(identifier)}"


def header(oai_id: str, modified_at: Any, specs: list[str], deleted: bool) -> str:
    """A record's header; ``modified_at`` as the driver gives it."""
    sets = "".join([f"<setSpec>{spec}</setSpec>" for spec in specs])  # codes: nothing to escape
    status = ' status="deleted"' if deleted else ""
    return (
        f"<header{status}><identifier>{text(oai_id)}</identifier>"
        f"<datestamp>{stamp(modified_at)}</datestamp>{sets}</header>"
    )


# DCMI Type Vocabulary terms for our types; dc:type carries our own type beside it.
DCMI_TYPES = {
    "book": "Text",
    "periodical": "Text",
    "manuscript": "Text",
    "archival": "Text",
    "photograph": "StillImage",
    "map": "StillImage",
    "sound": "Sound",
    "video": "MovingImage",
}

DC_OPEN = (
    f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" xmlns:xsi="{XSI_NS}" '
    f'xsi:schemaLocation="{OAI_DC_NS} {OAI_DC_SCHEMA}">'
)


def _dc(name: str, value: Any, lang: str | None = None) -> str:
    if not value or not isinstance(value, str):
        return ""
    if lang:
        return f'<dc:{name} xml:lang="{lang}">{text(value)}</dc:{name}>'
    return f"<dc:{name}>{text(value)}</dc:{name}>"


def _names(name: str, values: Any) -> str:
    """dc elements for a JSON list of names (as the driver gives it: text): plain strings, or
    objects with ``ru``/``en`` (or ``name_ru``/``name_en``, or ``name``) keys, as imports may
    give them."""
    if isinstance(values, str):
        if values == "[]":
            return ""
        values = _JSON.raw_decode(values)[0]
    if not isinstance(values, list):
        values = [values]
    parts = []
    for value in values:
        if isinstance(value, str):
            if value:
                parts.append(f"<dc:{name}>{text(value)}</dc:{name}>")
        elif isinstance(value, dict):
            for lang in ("ru", "en"):
                parts.append(_dc(name, value.get(lang) or value.get(f"name_{lang}"), lang))
            parts.append(_dc(name, value.get("name")))
    return "".join(parts)


def oai_dc(row: tuple[Any, ...], *, page: str) -> str:
    """The oai_dc record of a row of ``records.RECORD_FIELDS``. (Hot: one f-string, few calls.)"""
    (
        _id,
        identifier,
        _modified,
        _deleted,
        title_ru,
        title_en,
        creators,
        date_text,
        kind,
        subjects,
        language,
        description_ru,
        description_en,
        rights,
    ) = row
    out = [DC_OPEN]
    if title_ru:
        out += ('<dc:title xml:lang="ru">', text(title_ru), "</dc:title>")
    if title_en:
        out += ('<dc:title xml:lang="en">', text(title_en), "</dc:title>")
    if creators:
        out.append(_names("creator", creators))
    if subjects:
        out.append(_names("subject", subjects))
    if description_ru:
        out += ('<dc:description xml:lang="ru">', text(description_ru), "</dc:description>")
    if description_en:
        out += ('<dc:description xml:lang="en">', text(description_en), "</dc:description>")
    if date_text:
        out += ("<dc:date>", text(date_text), "</dc:date>")
    if kind in DCMI_TYPES:
        out += ("<dc:type>", DCMI_TYPES[kind], "</dc:type>")
    out += ("<dc:type>", text(kind), "</dc:type>")
    if language:
        out += ("<dc:language>", text(language), "</dc:language>")
    if rights:
        out += ("<dc:rights>", text(rights), "</dc:rights>")
    out += ("<dc:identifier>", text(page), "</dc:identifier>")
    out += ("<dc:identifier>", text(identifier), "</dc:identifier></oai_dc:dc>")
    return "".join(out)


def set_description(name_en: str, description_ru: str, description_en: str) -> str:
    """A set's English name and its descriptions, as oai_dc (none: no setDescription)."""
    described = "".join(
        (
            _dc("title", name_en, "en"),
            _dc("description", description_ru, "ru"),
            _dc("description", description_en, "en"),
        )
    )
    return f"<setDescription>{DC_OPEN}{described}</oai_dc:dc></setDescription>" if described else ""
