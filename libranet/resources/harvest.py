"""What an OAI-PMH harvester receives of each resource, rendered when the resource changes.

The OAI-PMH provider (``libranet.oai``) streams these stored fragments, ``Resource.oai_header``
and ``Resource.oai_metadata``, instead of building XML from the columns and the set memberships
on every request: a harvest then costs little more than reading the rows (bench/oai.py). The
collections' services call ``store`` in the same transaction that moves a resource's
``modified_at`` (the datestamp its header carries), and a collection moved in the tree
re-renders every resource whose set specs it changes.

Two parts of a record belong to the installation, not to the resource, and are stored as
markers that the provider replaces as it streams (``REPOSITORY`` and ``SITE``): the repository
identifier inside ``oai:<repository id>:<identifier>`` and the site's address before the path
of the record page. A marker has the form of an XML processing instruction: text is always
escaped (``<`` becomes ``&lt;``) and set specs are slugs, so no value can imitate one.

Migration 0004 rendered the records of the resources that existed before; a change to what is
rendered here needs a data migration that calls ``store()`` in the same way.

The XML is written as text, escaped here in one place, several times faster than a tree.
Characters XML 1.0 cannot carry (control characters that may come in with imported data) are
dropped rather than breaking the document.
"""

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from django.db import connection, models

from .models import Resource

REPOSITORY = "<?repository?>"
SITE = "<?site?>"

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# The columns a record is rendered from, in the order ``render`` takes them.
SOURCE_FIELDS = (
    "id",
    "identifier",
    "modified_at",
    "deleted_at",
    "title_ru",
    "title_en",
    "creators",
    "date_text",
    "type",
    "subjects",
    "language",
    "description_ru",
    "description_en",
    "rights",
)
STORE_BATCH = 500  # resources rendered and written per round of queries

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Characters left as they are in an identifier inside oai:<repository>:<identifier> and in the
# path of its page (as Django's reverse() leaves them, so `pl:books/1703.2` stays readable);
# anything else is percent-encoded.
_URI_SAFE = "-_.!~*'();:@&=+$,/"
_URI_PLAIN = re.compile(r"[A-Za-z0-9\-_.!~*'();:@&=+$,/]+")


def text(value: str) -> str:
    """Escape character data. (A printable string has no character XML forbids, so the
    expression scan is only for the others.)"""
    if not value.isprintable():
        value = _NOT_XML.sub("", value)
    if "&" in value or "<" in value or ">" in value:
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def datestamp(moment: dt.datetime) -> str:
    """A UTC datestamp to the second, the repository's granularity."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def uri_part(identifier: str) -> str:
    """An identifier as a URI part: most need no encoding, and quote() is slow."""
    return identifier if _URI_PLAIN.fullmatch(identifier) else quote(identifier, safe=_URI_SAFE)


def set_specs(collections: Iterable[tuple[int, int | None, str]]) -> dict[int, str]:
    """The OAI-PMH set spec of each collection, from ``(id, parent id, code)`` rows: the codes
    along the tree from the top, joined with ":" (``power:presidents``)."""
    rows = list(collections)
    parents = {pk: parent for pk, parent, _code in rows}
    codes = {pk: code for pk, _parent, code in rows}
    specs = {}
    for pk in codes:
        path, seen = [], set()
        node: int | None = pk
        while node is not None and node in codes and node not in seen:  # a cycle is cut
            seen.add(node)
            path.append(codes[node])
            node = parents.get(node)
        specs[pk] = ":".join(reversed(path))
    return specs


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


def dc(name: str, value: Any, lang: str | None = None) -> str:
    """One Dublin Core element, or "" for no value."""
    if not value or not isinstance(value, str):
        return ""
    if lang:
        return f'<dc:{name} xml:lang="{lang}">{text(value)}</dc:{name}>'
    return f"<dc:{name}>{text(value)}</dc:{name}>"


def names(name: str, values: Any) -> str:
    """dc elements for a JSON list of names: plain strings, or objects with ``ru``/``en`` (or
    ``name_ru``/``name_en``, or ``name``) keys, as imports may give them."""
    if not isinstance(values, list):
        values = [values]
    parts = []
    for value in values:
        if isinstance(value, str):
            parts.append(dc(name, value))
        elif isinstance(value, dict):
            for lang in ("ru", "en"):
                parts.append(dc(name, value.get(lang) or value.get(f"name_{lang}"), lang))
            parts.append(dc(name, value.get("name")))
    return "".join(parts)


def oai_dc(
    *,
    identifier: str,
    title_ru: str,
    title_en: str,
    creators: Any,
    date_text: str,
    type: str,  # the field's name, shadowing the builtin inside this function only
    subjects: Any,
    language: str,
    description_ru: str,
    description_en: str,
    rights: str,
) -> str:
    """A resource's oai_dc record; its page link starts with the ``SITE`` marker."""
    return "".join(
        (
            DC_OPEN,
            dc("title", title_ru, "ru"),
            dc("title", title_en, "en"),
            names("creator", creators) if creators else "",
            names("subject", subjects) if subjects else "",
            dc("description", description_ru, "ru"),
            dc("description", description_en, "en"),
            dc("date", date_text),
            dc("type", DCMI_TYPES.get(type, "")),
            f"<dc:type>{text(type)}</dc:type>",
            dc("language", language),
            dc("rights", rights),
            f"<dc:identifier>{SITE}/ru/resources/{text(uri_part(identifier))}/</dc:identifier>",
            f"<dc:identifier>{text(identifier)}</dc:identifier></oai_dc:dc>",
        )
    )


def render(row: tuple[Any, ...], specs: list[str]) -> tuple[str, str]:
    """The stored header and metadata of a row of ``SOURCE_FIELDS`` in the sets ``specs``. A
    deleted resource's header says so, and it has no metadata."""
    _id, identifier, modified_at, deleted_at, *described = row
    status = ' status="deleted"' if deleted_at is not None else ""
    sets = "".join([f"<setSpec>{spec}</setSpec>" for spec in specs])  # slugs: nothing to escape
    header = (
        f"<header{status}><identifier>oai:{REPOSITORY}:{text(uri_part(identifier))}</identifier>"
        f"<datestamp>{datestamp(modified_at)}</datestamp>{sets}</header>"
    )
    if deleted_at is not None:
        return header, ""
    fields = dict(zip(SOURCE_FIELDS[4:], described, strict=True))
    return header, f"<metadata>{oai_dc(identifier=identifier, **fields)}</metadata>"


def store(
    resource_ids: Iterable[int] | None = None, *, model: type[models.Model] = Resource
) -> int:
    """Render and store the records of these resources (of every resource with None); returns
    how many. ``model`` is the Resource model, or a migration's historical one."""
    field = model._meta.get_field("collections")
    collections = field.related_model._default_manager  # type: ignore[union-attr]
    membership = field.remote_field.through._default_manager  # type: ignore[union-attr]
    specs = set_specs(collections.values_list("pk", "parent_id", "code"))
    stored = 0
    for batch in _batches(model, resource_ids):
        sets: dict[int, list[str]] = {}
        pairs = (
            membership.filter(resource_id__in=batch)
            .order_by("resource_id", "collection_id")
            .values_list("resource_id", "collection_id")
        )
        for resource_id, collection_id in pairs:
            if spec := specs.get(collection_id):  # None: a collection made since specs were read
                sets.setdefault(resource_id, []).append(spec)
        rendered = [
            (*render(row, sets.get(row[0], [])), row[0])
            for row in model._default_manager.filter(pk__in=batch).values_list(*SOURCE_FIELDS)
        ]
        # One statement run for every row: bulk_update's CASE over the whole batch costs
        # quadratic time on SQLite. The table's name comes from the model.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {model._meta.db_table} SET oai_header = %s, oai_metadata = %s "  # noqa: S608
                "WHERE id = %s",
                rendered,
            )
        stored += len(rendered)
    return stored


def _batches(model: type[models.Model], resource_ids: Iterable[int] | None) -> Iterator[list[int]]:
    if resource_ids is not None:
        ids = sorted(set(resource_ids))
        for start in range(0, len(ids), STORE_BATCH):
            yield ids[start : start + STORE_BATCH]
        return
    last = 0
    while batch := list(
        model._default_manager.filter(pk__gt=last)
        .order_by("pk")
        .values_list("pk", flat=True)[:STORE_BATCH]
    ):
        yield batch
        last = batch[-1]
