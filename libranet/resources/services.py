"""State changes of the collections: the collection tree, resources, their files and thumbnails.

Every door (the back office, the API, the demo) calls these functions; an import checks with
their rules and writes the same rows in bulk (``importing``). Each checks the acting user's
capability (``EDIT_RESOURCES``; ``None`` is the system), validates every rule, writes in one
transaction with its audit row, moves the resource's ``modified_at`` (the OAI-PMH datestamp) and
records the resource in the search index's outbox in that same transaction.

Files are stored under ``MEDIA_ROOT/resources/<resource id>/`` through the default storage and
are never given a public URL: they are served only through the access decision. Storage is not
transactional: a service that fails after writing a file removes it, a deleted file's bytes go
once the transaction commits, and a caller that rolls back a larger transaction (the demo)
collects what was written with ``collect_stored_files`` and removes it.

Each rule lives in one place that every door shares: the ``resource_check_*`` functions check a
change without writing it (an import checks a whole file with them, against the catalogue it
read once: ``Catalogue``), and the services call them before they write.
"""

import datetime
import io
import logging
import mimetypes
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO, Any

import pycountry
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from libranet.audit.services import audit_record, model_changes
from libranet.network.permissions import Capability, can

from . import harvest
from .models import AccessLevel, Collection, Resource, ResourceFile
from .pdf import pdf_text
from .search.changes import index_change_record

logger = logging.getLogger(__name__)

# Persistent identifiers go into URLs and OAI-PMH identifiers: printable ASCII that needs no
# escaping in a URL path (RFC 3986 unreserved, sub-delimiters, ":", "@" and "/"), starting with
# a letter or digit. No spaces, no "?", "#", "%", quotes or backslashes.
IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~:@!$&'()*+,;=/-]*$")
IDENTIFIER_MAX = 200
# Collection codes are slugs (lowercase, so that "Power" and "power" are never two sets); the
# OAI-PMH set spec is built from the codes along the tree (parent:child).
COLLECTION_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

# What ``resource_update`` may change (the identifier never changes: it is persistent).
RESOURCE_FIELDS = (
    "title_ru",
    "title_en",
    "creators",
    "date_text",
    "type",
    "subjects",
    "language",
    "description_ru",
    "description_en",
    "collections",
    "rights",
    "access_level",
)
_TEXT_FIELDS = ("title_ru", "title_en", "description_ru", "description_en", "rights")
# What ``collection_update`` may change (the code never changes: it is the OAI-PMH set spec).
COLLECTION_FIELDS = ("name_ru", "name_en", "description_ru", "description_en", "parent", "position")

# The content types each kind of file may have.
FILE_TYPES: dict[str, tuple[str, ...]] = {
    ResourceFile.Kind.PDF: ("application/pdf",),
    ResourceFile.Kind.PAGE: ("image/png", "image/jpeg", "image/gif", "image/webp", "image/tiff"),
    ResourceFile.Kind.AUDIO: (
        "audio/mpeg",
        "audio/wav",
        "audio/x-wav",
        "audio/ogg",
        "audio/flac",
        "audio/mp4",
    ),
    ResourceFile.Kind.VIDEO: ("video/mp4", "video/webm", "video/ogg"),
}
PAGE_FORMATS = {"PNG", "JPEG", "GIF", "WEBP", "TIFF"}
MAX_IMAGE_PIXELS = 60_000_000  # a 7,700 × 7,700 scan; more is refused, not decoded
THUMBNAIL_SIZE = (320, 320)


class ResourceError(ValidationError):
    """A rule of the collections was broken; carries messages by field like ValidationError.

    Forms show it on the fields, the API answers 422, an import reports it on the row."""


class ResourcePermissionError(ResourceError):
    """The acting user's role does not allow changing the collections (the API answers 403)."""


def _require(actor: Any) -> None:
    """Every door passes its user as ``actor``; ``None`` is the system itself (``seed_demo``,
    migrations), which no role limits."""
    if actor is not None and not can(actor, Capability.EDIT_RESOURCES):
        raise ResourcePermissionError(_("Your role does not allow changing the collections."))


# --- values -------------------------------------------------------------------------------------

_DASH = "-\u2010\u2011\u2012\u2013\u2014\u2015"
# ASCII digits only: \d and int() would also read Arabic-Indic or full-width digits as a year.
_ISO_DATE = re.compile(r"^(\d{3,4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_RU_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{3,4})$", re.ASCII)
_ISO_MONTH = re.compile(r"^(\d{3,4})-(\d{1,2})$", re.ASCII)
_YEAR = re.compile(r"^(\d{3,4})$", re.ASCII)
_RANGE = re.compile(rf"^(\d{{3,4}})\s*[{_DASH}]\s*(\d{{3,4}})$", re.ASCII)
# A decade: "1920s", or the Russian "1920-е" (also with "e" typed in Latin).
_DECADE = re.compile(rf"^(\d{{2,3}}0)(?:s|'s|[{_DASH}](?:е|e))$", re.ASCII)


def _date_error(text: str) -> ResourceError:
    message = _(
        "“{value}” is not a date. Write an exact date (1703-05-27 or 27.05.1703), a year "
        "(1703), a range of years (1700–1725) or a decade (1920s or 1920-е)."
    )
    return ResourceError({"date_text": message.format(value=text)})


def parse_date(text: str) -> tuple[int | None, int | None]:
    """The years a catalogue date covers: ``(year_from, year_to)``, both None for no date.

    Accepted: an exact date (``1703-05-27`` or ``27.05.1703``), a month (``1703-05``), a year
    (``1703``), a range of years (``1700–1725``, any dash, spaces allowed), a decade (``1920s``
    or ``1920-е``: 1920 to 1929). Years have 3 or 4 digits, from 100 to next year. Anything
    else raises ``ResourceError`` on ``date_text``: a date the catalogue cannot place in time
    would silently drop out of the date facet and sort, so it is refused instead.
    """
    text = " ".join(text.split())
    if not text:
        return None, None
    try:
        if match := _ISO_DATE.match(text):
            year, month, day = (int(g) for g in match.groups())
            datetime.date(year, month, day)
            first = last = year
        elif match := _RU_DATE.match(text):
            day, month, year = (int(g) for g in match.groups())
            datetime.date(year, month, day)
            first = last = year
        elif match := _ISO_MONTH.match(text):
            year, month = (int(g) for g in match.groups())
            datetime.date(year, month, 1)
            first = last = year
        elif match := _YEAR.match(text):
            first = last = int(match.group(1))
        elif match := _RANGE.match(text):
            first, last = int(match.group(1)), int(match.group(2))
        elif match := _DECADE.match(text):
            first = int(match.group(1))
            last = first + 9
        else:
            raise _date_error(text)
    except ValueError as exc:  # a day or month that does not exist
        raise _date_error(text) from exc
    latest = timezone.localdate().year + 1
    if first > last:
        raise ResourceError(
            {"date_text": _("The range “{value}” ends before it starts.").format(value=text)}
        )
    if first < 100 or last > latest:
        message = _("“{value}” is outside the years 100 to {latest}.")
        raise ResourceError({"date_text": message.format(value=text, latest=latest)})
    return first, last


def normalize_language(code: str) -> str:
    """An ISO 639 code as stored: the two-letter code where the language has one (``rus`` and
    ``ru`` are both ``ru``, the bibliographic ``ger`` is ``de``), else the three-letter code;
    "undetermined" (``und``) is no language. Raises ``ValueError`` for anything else."""
    text = code.strip().lower()
    if not text or text == "und":
        return ""
    if not re.fullmatch(r"[a-z]{2,3}", text):
        raise ValueError(code)
    if len(text) == 2:
        language = pycountry.languages.get(alpha_2=text)
    else:
        language = pycountry.languages.get(alpha_3=text) or pycountry.languages.get(
            bibliographic=text
        )
    if language is None:
        raise ValueError(code)
    return str(getattr(language, "alpha_2", None) or language.alpha_3)


def _clean_list(values: Iterable[str], name: str) -> list[str]:
    if isinstance(values, str):
        raise TypeError(f"{name} is a list of strings, not a string")
    cleaned: list[str] = []
    for value in values:
        text = " ".join(str(value).split())
        if text and text not in cleaned:
            cleaned.append(text)
    return cleaned


class Catalogue:
    """What a resource's rules ask about the rest of the catalogue. The services ask the
    database; an import answers from the catalogue it loaded once (``importing``), so that both
    apply the same rules."""

    def same_identifier(self, identifier: str, pk: int | None) -> Resource | None:
        """Another resource (withdrawn ones too) with ``identifier``."""
        return Resource.objects.filter(identifier=identifier).exclude(pk=pk).first()

    def collections(self, codes: list[str]) -> dict[str, Collection]:
        """The collections of these codes, by code (unknown codes are missing)."""
        return {c.code: c for c in Collection.objects.filter(code__in=codes)}


DATABASE = Catalogue()


def _identifier_errors(identifier: str, pk: int | None, catalogue: Catalogue) -> list[str]:
    if not identifier:
        return [_("Give the resource’s identifier.")]
    if len(identifier) > IDENTIFIER_MAX:
        return [_("An identifier has at most {max} characters.").format(max=IDENTIFIER_MAX)]
    if not IDENTIFIER_RE.match(identifier):
        return [
            _(
                "“{value}” is not an identifier: use Latin letters, digits and . _ - : / ~ "
                "(no spaces), starting with a letter or digit, such as pl-000123."
            ).format(value=identifier)
        ]
    other = catalogue.same_identifier(identifier, pk)
    if other is not None:
        if other.deleted_at is not None:
            return [
                _(
                    "Identifier {identifier} belonged to a resource that was withdrawn; "
                    "identifiers are never reused."
                ).format(identifier=identifier)
            ]
        return [_("Identifier {identifier} is already used.").format(identifier=identifier)]
    return []


def _resolve_collections(
    values: Iterable[Collection | str], catalogue: Catalogue
) -> list[Collection]:
    """Collections given as objects or codes; unknown codes are an error on ``collections``."""
    wanted: list[Collection] = []
    codes: list[str] = []
    for value in values:
        if isinstance(value, Collection):
            wanted.append(value)
        else:
            codes.append(str(value).strip())
    if codes:
        found = catalogue.collections(codes)
        missing = [code for code in codes if code not in found]
        if missing:
            raise ResourceError(
                {
                    "collections": _("Unknown collection codes: {codes}.").format(
                        codes=", ".join(missing)
                    )
                }
            )
        wanted += [found[code] for code in codes]
    unique: dict[int, Collection] = {}
    for collection in wanted:
        if collection.pk is None:
            raise ResourceError({"collections": _("A collection must be saved first.")})
        unique.setdefault(collection.pk, collection)
    return list(unique.values())


def _unknown_choice(value: str, choices: list[str]) -> str:
    return _("Unknown value “{value}”; use one of: {choices}.").format(
        value=value, choices=", ".join(choices)
    )


def _apply(resource: Resource, fields: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """Set ``fields`` on ``resource``, normalized, collecting what is wrong by field."""
    for name in _TEXT_FIELDS:
        if name in fields:
            setattr(resource, name, str(fields[name] or "").strip())
    for name in ("creators", "subjects"):
        if name in fields:
            setattr(resource, name, _clean_list(fields[name] or (), name))
    for name, choices in (("type", Resource.Type.values), ("access_level", AccessLevel.values)):
        if name in fields:
            value = str(fields[name] or "").strip()
            setattr(resource, name, value)
            if value not in choices:
                errors.setdefault(name, []).append(_unknown_choice(value, choices))
    if "language" in fields:
        given = str(fields["language"] or "")
        try:
            resource.language = normalize_language(given)
        except ValueError:
            resource.language = given.strip()[:8]
            message = _("“{value}” is not an ISO 639 language code such as ru, en or rus.")
            errors.setdefault("language", []).append(message.format(value=given.strip()))
    if "date_text" in fields:
        resource.date_text = " ".join(str(fields["date_text"] or "").split())
        try:
            resource.year_from, resource.year_to = parse_date(resource.date_text)
        except ResourceError as exc:
            for message in exc.message_dict["date_text"]:
                errors.setdefault("date_text", []).append(message)
    if not resource.title_ru:
        errors.setdefault("title_ru", []).append(_("Give the title in Russian."))


def _validate(resource: Resource, errors: dict[str, list[str]]) -> None:
    """The model's own checks (lengths, the year range), after ours; raises all errors."""
    try:
        # The identifier has its own rules; the thumbnail and the datestamp are the services'.
        # The one constraint, the year range, is parse_date's own rule; Django would check it
        # with a query in a transaction of its own, which on SQLite takes the write lock.
        resource.full_clean(
            exclude=[*errors, "identifier", "thumbnail", "modified_at"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ResourceError(errors)


def _save(resource: Resource, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            resource.save(**kwargs)
    except IntegrityError as exc:
        # A concurrent writer took the identifier after our check; the constraint caught it.
        logger.warning("resource %s refused by the database: %s", resource.identifier, exc)
        raise ResourceError(
            {
                "identifier": _("Identifier {identifier} is already used.").format(
                    identifier=resource.identifier
                )
            }
        ) from exc


def _snapshot(resource: Resource, collections: list[Collection] | None = None) -> dict[str, Any]:
    """The fields as the audit trail compares them; the collections given, else the saved ones
    (prefetched ones when an import loaded them)."""
    snap = {name: getattr(resource, name) for name in RESOURCE_FIELDS if name != "collections"}
    if collections is None:
        collections = list(resource.collections.all()) if resource.pk else []
    snap["collections"] = sorted(c.code for c in collections)
    return snap


def _follow(resource_ids: list[int]) -> None:
    """After a change that moved these resources' ``modified_at``: their stored OAI-PMH
    records are rendered again and the search index hears, both in the change's transaction."""
    harvest.store(resource_ids)
    index_change_record(resource_ids=resource_ids)


def _changed(resource: Resource) -> None:
    """Every change of a resource: the OAI-PMH datestamp moves and the search index hears."""
    resource.modified_at = timezone.now()
    Resource.objects.filter(pk=resource.pk).update(modified_at=resource.modified_at)
    _follow([resource.pk])


# --- collections --------------------------------------------------------------------------------


@transaction.atomic
def collection_create(
    *,
    actor: Any,
    code: str,
    name_ru: str,
    name_en: str = "",
    parent: Collection | None = None,
    description_ru: str = "",
    description_en: str = "",
    position: int = 0,
) -> Collection:
    """Add a node to the collection tree (under ``parent``, or at the top)."""
    _require(actor)
    collection = Collection(
        code=code.strip(),
        name_ru=name_ru.strip(),
        name_en=name_en.strip(),
        parent=parent,
        description_ru=description_ru.strip(),
        description_en=description_en.strip(),
        position=position,
    )
    errors: dict[str, list[str]] = {}
    if not COLLECTION_CODE_RE.match(collection.code):
        errors["code"] = [
            _(
                "“{value}” is not a collection code: use lowercase Latin letters, digits, hyphens "
                "and underscores (at most 64), such as presidents."
            ).format(value=collection.code)
        ]
    elif Collection.objects.filter(code=collection.code).exists():
        errors["code"] = [_("Collection code {code} is already used.").format(code=collection.code)]
    if parent is not None and parent.pk is None:
        errors["parent"] = [_("The parent collection must be saved first.")]
    try:
        collection.full_clean(exclude=[*errors], validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ResourceError(errors)
    try:
        with transaction.atomic():
            collection.save()
    except IntegrityError as exc:
        raise ResourceError(
            {"code": _("Collection code {code} is already used.").format(code=collection.code)}
        ) from exc
    audit_record(
        actor=actor,
        action="collection.create",
        obj=collection,
        changes={"code": [None, collection.code], "parent": [None, parent and parent.code]},
    )
    return collection


def _collection_snapshot(collection: Collection) -> dict[str, Any]:
    snap = {name: getattr(collection, name) for name in COLLECTION_FIELDS if name != "parent"}
    snap["parent"] = collection.parent.code if collection.parent else None
    return snap


def _collection_parent(value: Collection | str | None) -> Collection | None:
    """A parent given as a collection or its code; None (or "") is the top of the tree."""
    if value is None or value == "":
        return None
    if isinstance(value, Collection):
        if value.pk is None:
            raise ResourceError({"parent": _("The parent collection must be saved first.")})
        return value
    found = Collection.objects.filter(code=str(value).strip()).first()
    if found is None:
        raise ResourceError(
            {"parent": _("Unknown collection code: {code}.").format(code=str(value).strip())}
        )
    return found


def _move_error(
    collection: Collection, parent: Collection | None, parents: Mapping[int, int | None]
) -> str:
    """Why ``collection`` cannot go under ``parent`` in the tree ``parents`` (id -> parent id),
    or "" when it can: never under itself, never under one of its own descendants."""
    if parent is None:
        return ""
    if parent.pk == collection.pk:
        return _("A collection cannot be placed under itself.")
    node: int | None = parent.pk
    seen: set[int] = set()
    while node is not None and node not in seen:
        if node == collection.pk:
            return _(
                "“{parent}” is inside “{name}”: a collection cannot be moved under one of its "
                "own sub-collections (that would make a loop)."
            ).format(parent=parent.name, name=collection.name)
        seen.add(node)
        node = parents.get(node)
    return ""


def _collection_moved(collection: Collection, parents: Mapping[int, int | None]) -> int:
    """The resources of ``collection`` and of every collection below it have new OAI-PMH set
    specs: their datestamps move, their records are rendered again, the search index hears.
    Returns how many resources."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in parents.items():
        children.setdefault(parent_id, []).append(pk)
    subtree: set[int] = set()
    stack = [collection.pk]
    while stack:
        node = stack.pop()
        if node not in subtree:
            subtree.add(node)
            stack.extend(children.get(node, ()))
    members = Resource.objects.filter(collections__in=subtree)
    # Withdrawn ones too: a deleted record's header still lists its sets.
    Resource.objects.filter(pk__in=members.values("pk")).update(modified_at=timezone.now())
    resource_ids = list(members.order_by("pk").values_list("pk", flat=True).distinct())
    _follow(resource_ids)
    return len(resource_ids)


@transaction.atomic
def collection_update(*, actor: Any, collection: Collection, **fields: Any) -> Collection:
    """Rename a collection or move it in the tree: any of ``COLLECTION_FIELDS``; ``parent`` is
    another collection (or its code), or None for the top; ``position`` orders siblings. The
    code never changes: it is the OAI-PMH set spec that harvesters keep.

    A move changes the set spec of the collection and of every collection below it, and so the
    OAI-PMH records of their resources: in this same transaction their datestamps move, their
    stored records are rendered again and their search documents are queued to be rebuilt. A
    call that changes nothing writes nothing."""
    _require(actor)
    if "code" in fields:
        raise ResourceError(
            {
                "code": _(
                    "A collection’s code is its OAI-PMH set spec, which harvesters keep: it "
                    "cannot be changed."
                )
            }
        )
    unknown = set(fields) - set(COLLECTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown collection fields: {sorted(unknown)}")
    # The whole tree, locked: two moves at once could otherwise close a loop neither saw.
    parents = dict(Collection.objects.select_for_update().values_list("pk", "parent_id"))
    collection = Collection.objects.select_related("parent").get(pk=collection.pk)
    before = _collection_snapshot(collection)
    errors: dict[str, list[str]] = {}
    for name in ("name_ru", "name_en", "description_ru", "description_en"):
        if name in fields:
            setattr(collection, name, str(fields[name] or "").strip())
    if not collection.name_ru:
        errors["name_ru"] = [_("Give the name in Russian.")]
    if "position" in fields:
        position = fields["position"]
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            errors["position"] = [_("A position is a whole number, 0 or more.")]
        else:
            collection.position = position
    if "parent" in fields:
        try:
            parent = _collection_parent(fields["parent"])
        except ResourceError as exc:
            errors["parent"] = exc.message_dict["parent"]
        else:
            if message := _move_error(collection, parent, parents):
                errors["parent"] = [message]
            else:
                collection.parent = parent
    try:
        collection.full_clean(exclude=[*errors, "code"], validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ResourceError(errors)
    changes = model_changes(before, _collection_snapshot(collection))
    if not changes:
        return collection
    collection.save()
    action = "collection.update"
    if "parent" in changes:
        action = "collection.move"
        changes["resources"] = [None, _collection_moved(collection, parents)]
    audit_record(actor=actor, action=action, obj=collection, changes=changes)
    return collection


# --- resources ----------------------------------------------------------------------------------


def resource_check_new(
    *,
    actor: Any,
    resource: Resource,
    fields: Mapping[str, Any],
    collections: Iterable[Collection | str],
    catalogue: Catalogue = DATABASE,
) -> tuple[list[Collection], dict[str, list[Any]]]:
    """Every rule for cataloguing ``resource`` (not saved, its identifier set): the actor's
    capability, the identifier (its form, never used before), ``fields`` (those of
    ``resource_create``, set on ``resource`` normalized), the collections. Raises
    ``ResourceError`` with every error; returns the collections and the changes as the audit
    trail records them."""
    _require(actor)
    resource.identifier = resource.identifier.strip()
    errors: dict[str, list[str]] = {}
    if messages := _identifier_errors(resource.identifier, None, catalogue):
        errors["identifier"] = messages
    _apply(resource, dict(fields), errors)
    wanted: list[Collection] = []
    try:
        wanted = _resolve_collections(collections, catalogue)
    except ResourceError as exc:
        errors.setdefault("collections", []).extend(exc.message_dict["collections"])
    _validate(resource, errors)
    snapshot = _snapshot(resource, wanted)
    return wanted, model_changes({}, {k: v for k, v in snapshot.items() if v not in ("", [], None)})


@transaction.atomic
def resource_create(
    *,
    actor: Any,
    identifier: str,
    title_ru: str,
    type: str,  # the field's name, shadowing the builtin inside this function only
    access_level: str,
    title_en: str = "",
    creators: Iterable[str] = (),
    date_text: str = "",
    subjects: Iterable[str] = (),
    language: str = "",
    description_ru: str = "",
    description_en: str = "",
    collections: Iterable[Collection | str] = (),
    rights: str = "",
) -> Resource:
    """Catalogue a new resource. ``collections`` are ``Collection`` objects or their codes;
    ``date_text`` is parsed into ``year_from``/``year_to`` (see ``parse_date``)."""
    resource = Resource(identifier=identifier)
    fields = {
        "title_ru": title_ru,
        "title_en": title_en,
        "creators": creators,
        "date_text": date_text,
        "type": type,
        "subjects": subjects,
        "language": language,
        "description_ru": description_ru,
        "description_en": description_en,
        "rights": rights,
        "access_level": access_level,
    }
    wanted, changes = resource_check_new(
        actor=actor, resource=resource, fields=fields, collections=collections
    )
    resource.modified_at = timezone.now()
    _save(resource)
    resource.collections.set(wanted)
    _follow([resource.pk])
    audit_record(actor=actor, action="resource.create", obj=resource, changes=changes)
    return resource


def _live_for_update(resource: Resource) -> Resource:
    locked = Resource.objects.select_for_update().get(pk=resource.pk)
    if locked.deleted_at is not None:
        raise ResourceError(
            _("Resource {identifier} has been withdrawn; it cannot be changed.").format(
                identifier=locked.identifier
            )
        )
    return locked


def resource_check_update(
    *,
    actor: Any,
    resource: Resource,
    fields: Mapping[str, Any],
    catalogue: Catalogue = DATABASE,
) -> tuple[dict[str, list[Any]], list[Collection] | None]:
    """Set ``fields`` (any of ``RESOURCE_FIELDS``; an ``identifier`` must be the resource's own,
    being persistent) on ``resource`` in memory, under every rule. Raises ``ResourceError``;
    returns the changes as the audit trail records them (none: nothing to write) and the
    resource's collections when ``fields`` gives them."""
    _require(actor)
    fields = dict(fields)
    identifier = fields.pop("identifier", None)
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown resource fields: {sorted(unknown)}")
    if identifier is not None and str(identifier).strip() != resource.identifier:
        raise ResourceError({"identifier": _("An identifier is persistent: it cannot be changed.")})
    before = _snapshot(resource)
    errors: dict[str, list[str]] = {}
    _apply(resource, {k: v for k, v in fields.items() if k != "collections"}, errors)
    wanted: list[Collection] | None = None
    if "collections" in fields:
        try:
            wanted = _resolve_collections(fields["collections"] or (), catalogue)
        except ResourceError as exc:
            errors.setdefault("collections", []).extend(exc.message_dict["collections"])
    _validate(resource, errors)
    after = {name: getattr(resource, name) for name in before if name != "collections"}
    after["collections"] = (
        sorted(c.code for c in wanted) if wanted is not None else before["collections"]
    )
    return model_changes(before, after), wanted


@transaction.atomic
def resource_update(*, actor: Any, resource: Resource, **fields: Any) -> Resource:
    """Change any of ``RESOURCE_FIELDS``; the identifier is persistent and never changes.

    A call that changes nothing writes nothing (no audit row, the datestamp stays), so an
    import run twice leaves the catalogue as it was."""
    _require(actor)  # before the row is locked: a role that may not edit learns nothing more
    resource = _live_for_update(resource)
    changes, wanted = resource_check_update(actor=actor, resource=resource, fields=fields)
    if not changes:
        return resource
    resource.modified_at = timezone.now()
    _save(resource)
    if wanted is not None and "collections" in changes:
        resource.collections.set(wanted)
    _follow([resource.pk])
    audit_record(actor=actor, action="resource.update", obj=resource, changes=changes)
    return resource


@transaction.atomic
def resource_delete(*, actor: Any, resource: Resource) -> Resource:
    """Withdraw a resource: its record stays (OAI-PMH keeps deleted records, and the
    identifier is never reused), its pages answer "gone" and its files are read by nobody."""
    _require(actor)
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if resource.deleted_at is not None:
        return resource
    resource.deleted_at = resource.modified_at = timezone.now()
    resource.save(update_fields=["deleted_at", "modified_at"])
    _follow([resource.pk])
    audit_record(actor=actor, action="resource.delete", obj=resource)
    return resource


# --- files ----------------------------------------------------------------------------------------

_written: ContextVar[list[str] | None] = ContextVar("libranet_resources_written", default=None)


@contextmanager
def collect_stored_files() -> Iterator[list[str]]:
    """Collect the storage names of the files the services write meanwhile, so that a caller
    whose transaction rolls back can remove them (storage is not transactional)."""
    names: list[str] = []
    token = _written.set(names)
    try:
        yield names
    finally:
        _written.reset(token)


def _note_written(name: str) -> None:
    names = _written.get()
    if names is not None:
        names.append(name)


def _delete_on_commit(name: str) -> None:
    if name:
        # Committed is committed: a store down now leaves the bytes behind (logged), not a
        # failed answer for a change that was made.
        transaction.on_commit(lambda: default_storage.delete(name), robust=True)


def sniff_content_type(head: bytes) -> str:
    """The content type the first bytes of a file show, or "" when they show none known."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:12] in (b"M4A ", b"M4B ") else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    return ""


def guess_content_type(name: str, head: bytes = b"") -> str:
    """By the content first (a name can lie), else by the name's extension."""
    return sniff_content_type(head) or (mimetypes.guess_type(name)[0] or "")


def kind_for_content_type(content_type: str) -> str:
    """The kind of file a content type makes (PDF, page image, audio, video), or ""."""
    for kind, types in FILE_TYPES.items():
        if content_type in types:
            return kind
    if content_type.startswith("audio/"):
        return ResourceFile.Kind.AUDIO
    if content_type.startswith("video/"):
        return ResourceFile.Kind.VIDEO
    return ""


def _as_file(content: bytes | IO[bytes] | File, name: str) -> File:
    if isinstance(content, (bytes, bytearray)):
        return ContentFile(bytes(content), name=name)
    if isinstance(content, File):
        return content
    return File(content, name=name)


def _head(file: File, size: int = 64) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head if isinstance(head, bytes) else b""


def _safe_name(name: str) -> str:
    """The last part of a path, as the storage would write it (no directories, no "..")."""
    base = PureWindowsPath(PurePosixPath(name.replace("\\", "/")).name).name
    return default_storage.get_valid_name(base) if base not in ("", ".", "..") else "file"


def _open_image(file: File) -> Image.Image:
    """Open an image for reading its header, refusing what is not one or is too large."""
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file)
    except (OSError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        # UnidentifiedImageError is an OSError; a bomb is refused before it is decoded.
        raise ResourceError({"file": _("The file is not an image that can be read.")}) from None
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise ResourceError(
            {
                "file": _("The image is {width} × {height} pixels, larger than accepted.").format(
                    width=width, height=height
                )
            }
        )
    return image


def _size(file: File) -> int:
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def resource_file_check(
    *,
    resource: Resource,
    kind: str,
    name: str,
    content: bytes | IO[bytes] | File,
    content_type: str | None = None,
    label: str = "",
) -> tuple[ResourceFile, File]:
    """Every rule for a file of ``resource``, before it is stored: a known kind, a content type
    (guessed from the bytes, else the name, when not given) that fits it, a label that fits, a
    PDF that is one, a page image Pillow reads, not empty. Raises ``ResourceError``; returns
    the file's row, unsaved, with its size and a PDF's text (``pdf.pdf_text``: bounded, and a
    PDF whose text cannot be read is stored without it), its ``file.name`` the name it is to
    be stored under in the resource's folder; and the content to store."""
    errors: dict[str, list[str]] = {}
    if kind not in ResourceFile.Kind.values:
        errors["kind"] = [_unknown_choice(kind, ResourceFile.Kind.values)]
    safe_name = _safe_name(name)
    file = _as_file(content, safe_name)
    content_type = (content_type or "").strip() or guess_content_type(safe_name, _head(file))
    allowed = FILE_TYPES.get(kind, ())
    if kind in ResourceFile.Kind.values and content_type not in allowed:
        message = _("A file of kind {kind} must be {types}, not “{type}”.")
        errors["file"] = [
            message.format(kind=kind, types=", ".join(allowed), type=content_type or "?")
        ]
    if len(label) > 200:
        errors["label"] = [_("A label has at most 200 characters.")]
    if not errors and kind == ResourceFile.Kind.PDF and b"%PDF-" not in _head(file, 1024):
        errors["file"] = [_("The file is not a PDF document.")]
    if not errors and kind == ResourceFile.Kind.PAGE:
        image = _open_image(file)
        if image.format not in PAGE_FORMATS:
            errors["file"] = [_("A page image must be PNG, JPEG, GIF, WebP or TIFF.")]
    size = _size(file)
    if not errors and size == 0:
        errors["file"] = [_("The file is empty.")]
    if errors:
        raise ResourceError(errors)
    record = ResourceFile(
        resource=resource, kind=kind, content_type=content_type, size=size, label=label.strip()
    )
    record.file.name = safe_name
    if kind == ResourceFile.Kind.PDF:
        record.extracted_text = pdf_text(file, name=f"{resource.identifier}/{safe_name}")
    file.seek(0)
    return record, file


@transaction.atomic
def resource_file_add(
    *,
    actor: Any,
    resource: Resource,
    kind: str,
    name: str,
    content: bytes | IO[bytes] | File,
    content_type: str | None = None,
    label: str = "",
    position: int | None = None,
) -> ResourceFile:
    """Store a file of ``resource`` (a PDF, a page image, audio or video) under the rules of
    ``resource_file_check``. ``content`` is bytes or a readable, seekable file; ``position``
    None puts it after the others."""
    _require(actor)
    resource = _live_for_update(resource)
    record, file = resource_file_check(
        resource=resource,
        kind=kind,
        name=name,
        content=content,
        content_type=content_type,
        label=label,
    )
    if position is None:
        last = resource.files.order_by("-position").values_list("position", flat=True).first()
        position = (last or 0) + 1
    record.position = position
    record.file.save(f"{resource.pk}/{record.file.name}", file, save=False)
    stored = record.file.name
    _note_written(stored)
    try:
        record.save()
    except Exception:
        default_storage.delete(stored)
        raise
    _changed(resource)
    audit_record(
        actor=actor,
        action="resource.file_add",
        obj=resource,
        changes={"file": [None, stored], "kind": [None, kind], "size": [None, record.size]},
    )
    return record


@transaction.atomic
def resource_file_delete(*, actor: Any, file: ResourceFile) -> None:
    """Remove a file of a resource; its bytes go once the transaction commits."""
    _require(actor)
    resource = _live_for_update(file.resource)
    name = file.file.name
    file.delete()
    _delete_on_commit(name)
    _changed(resource)
    audit_record(
        actor=actor, action="resource.file_delete", obj=resource, changes={"file": [name, None]}
    )


def resource_thumbnail_image(content: bytes | IO[bytes] | File) -> bytes:
    """A resource's thumbnail made from an image: scaled to fit 320 × 320, as JPEG. Raises
    ``ResourceError`` for what is no image that can be read."""
    image = _open_image(_as_file(content, "thumbnail"))
    try:
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True)
    except OSError as exc:  # a truncated or damaged image fails only when decoded
        raise ResourceError({"file": _("The file is not an image that can be read.")}) from exc
    return buffer.getvalue()


@transaction.atomic
def resource_thumbnail_set(
    *, actor: Any, resource: Resource, content: bytes | IO[bytes] | File | None
) -> Resource:
    """Make the resource's thumbnail from an image (scaled to fit 320 × 320, stored as JPEG),
    or remove it with ``content=None``."""
    _require(actor)
    resource = _live_for_update(resource)
    old = resource.thumbnail.name
    if content is None:
        if not old:
            return resource
        resource.thumbnail.name = ""
    else:
        thumbnail = resource_thumbnail_image(content)
        resource.thumbnail.save(f"{resource.pk}.jpg", ContentFile(thumbnail), save=False)
        _note_written(resource.thumbnail.name)
    resource.modified_at = timezone.now()
    resource.save(update_fields=["thumbnail", "modified_at"])
    if old:
        _delete_on_commit(old)
    _follow([resource.pk])
    audit_record(
        actor=actor,
        action="resource.thumbnail_set",
        obj=resource,
        changes={"thumbnail": [old or None, resource.thumbnail.name or None]},
    )
    return resource
