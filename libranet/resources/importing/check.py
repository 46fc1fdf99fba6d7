"""Phase 1 of an import, reading only: every record checked by the collections' rules (the
services' ``resource_check_*`` functions) against the catalogue read once, and what it would
write planned, with everything slow done here (reading and hashing files, a PDF's text, the
thumbnail), so that the write that follows is short."""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any

from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from ..models import Collection, Resource, ResourceFile
from ..services import (
    Catalogue,
    ResourceError,
    guess_content_type,
    kind_for_content_type,
    resource_check_new,
    resource_check_update,
    resource_file_check,
    resource_thumbnail_image,
)
from .base import ImportFileError, Record
from .sources import FileSource

CHUNK = 500  # keys per query: SQLite takes at most 999 parameters in a statement


class RecordFailed(Exception):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class LoadedCatalogue(Catalogue):
    """The catalogue as an import sees it, read once: every collection, and the resources the
    file names (withdrawn ones too) with their collections and files."""

    def __init__(self, identifiers: Iterable[str]) -> None:
        self.by_code = {c.code: c for c in Collection.objects.all()}
        self.tree = sorted((c.pk, c.parent_id, c.code) for c in self.by_code.values())
        self.resources: dict[str, Resource] = {}
        # Without what the import never reads back (a record as harvested, a PDF's text): a
        # file of 50,000 known resources is held in memory whole.
        files = Prefetch("files", queryset=ResourceFile.objects.defer("extracted_text"))
        for chunk in chunks(sorted(set(identifiers))):
            found = (
                Resource.objects.filter(identifier__in=chunk)
                .defer("oai_header", "oai_metadata")
                .prefetch_related("collections", files)
            )
            self.resources.update((r.identifier, r) for r in found)
        # What the write checks has not moved meanwhile.
        self.stamps = {r.pk: (r.modified_at, r.deleted_at) for r in self.resources.values()}

    def same_identifier(self, identifier: str, pk: int | None) -> Resource | None:
        other = self.resources.get(identifier)
        return other if other is not None and other.pk != pk else None

    def collections(self, codes: list[str]) -> dict[str, Collection]:
        return {code: self.by_code[code] for code in codes if code in self.by_code}


@dataclass
class NewFile:
    path: str  # in the folder or archive
    row: ResourceFile  # unsaved; ``file.name`` the name to store it under until it is stored


@dataclass
class Write:
    """What one record writes: the resource (new, or the loaded one changed in memory), its
    collections when they change, the audit trail's changes, its files when they change."""

    record: Record
    resource: Resource
    created: bool
    collections: list[Collection] | None = None
    changes: dict[str, list[Any]] = field(default_factory=dict)
    files: list[NewFile] | None = None
    old_files: list[ResourceFile] = field(default_factory=list)
    thumbnail: bytes | None = None  # a new thumbnail, as JPEG
    old_thumbnail: str = ""


def errors_of(exc: ResourceError, record: Record, prefix: str = "") -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            (record.column("files" if name == "file" else name), prefix + message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [("", prefix + message) for message in exc.messages]


@dataclass
class Defaults:
    access_level: str
    collection: str


def _fields_for(
    record: Record, existing: Resource | None, defaults: Defaults
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The service's arguments for a record, with the batch's defaults; and what is missing
    (reported beside the service's own errors, so that a row's errors come all at once)."""
    fields = {k: v for k, v in record.fields.items() if k != "identifier"}
    missing: list[tuple[str, str]] = []
    if not fields.get("access_level"):
        fields.pop("access_level", None)
        if existing is None:
            fields["access_level"] = defaults.access_level
            if not defaults.access_level:
                message = _(
                    "No access level: give one in the file or choose the import’s default "
                    "access level."
                )
                missing.append((record.column("access_level"), message))
    if existing is None:
        fields.setdefault("title_ru", "")
        fields.setdefault("type", "")
    if defaults.collection:
        if "collections" in fields:
            codes = list(fields["collections"])
        elif existing is not None:
            codes = [c.code for c in existing.collections.all()]
        else:
            codes = []
        if defaults.collection not in codes:
            codes.append(defaults.collection)
        fields["collections"] = codes
    return fields, missing


def _digest(stream: IO[bytes]) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _stored_fingerprint(resource: Resource) -> list[tuple[str, int, str]]:
    prints = []
    for stored in resource.files.all():
        with default_storage.open(stored.file.name, "rb") as handle:
            size, digest = _digest(handle)
        prints.append((stored.kind, size, digest))
    return prints


def _plan_files(
    write: Write, existing: Resource | None, record: Record, source: FileSource | None
) -> None:
    """The record's files, checked as ``resource_file_check`` checks them, when they differ
    from the resource's (then they replace them all), and the thumbnail made from the first
    page image."""
    if not record.files:
        return
    column = record.column("files")
    if source is None:
        raise RecordFailed(
            [(column, _("The record names files, but no folder or archive of files was given."))]
        )
    kinds: list[tuple[str, str, str]] = []  # path, label, kind
    wanted: list[tuple[str, int, str]] = []  # kind, size, digest: compared with the stored ones
    errors: list[tuple[str, str]] = []
    for path, label in record.files:
        try:
            stream = source.open(path)
        except ImportFileError as exc:
            errors.extend((column, message) for message in exc.messages)
            continue
        with stream:
            kind = kind_for_content_type(guess_content_type(path, stream.read(64)))
            if not kind:
                message = _("“{path}” is neither a PDF, an image, audio nor video.")
                errors.append((column, message.format(path=path)))
            elif existing is not None:
                stream.seek(0)
                wanted.append((kind, *_digest(stream)))
        kinds.append((path, label, kind))
    if errors:
        raise RecordFailed(errors)
    if existing is not None and _stored_fingerprint(existing) == wanted:
        return
    write.files = []
    for position, (path, label, kind) in enumerate(kinds, start=1):
        with source.open(path) as stream:
            try:
                row, _content = resource_file_check(
                    resource=write.resource,
                    kind=kind,
                    name=PurePosixPath(path.replace("\\", "/")).name,
                    content=stream,
                    label=label,
                )
                if kind == ResourceFile.Kind.PAGE and write.thumbnail is None:
                    stream.seek(0)
                    write.thumbnail = resource_thumbnail_image(stream)
            except ResourceError as exc:
                raise RecordFailed(errors_of(exc, record, prefix=f"{path}: ")) from exc
        row.position = position
        write.files.append(NewFile(path=path, row=row))
    if existing is not None:
        write.old_files = list(existing.files.all())
        if write.thumbnail is not None:
            write.old_thumbnail = existing.thumbnail.name


def plan_record(
    actor: Any,
    record: Record,
    catalogue: LoadedCatalogue,
    defaults: Defaults,
    source: FileSource | None,
) -> Write | None:
    """Check one record as the services would and say what it writes (None: nothing)."""
    if record.errors:
        raise RecordFailed(record.errors)
    existing = catalogue.resources.get(record.identifier)
    if existing is not None and existing.deleted_at is not None:
        message = _("Resource {identifier} has been withdrawn; its identifier is never reused.")
        raise RecordFailed(
            [(record.column("identifier"), message.format(identifier=record.identifier))]
        )
    fields, missing = _fields_for(record, existing, defaults)
    try:
        if existing is None:
            resource = Resource(identifier=record.identifier)
            collections = fields.pop("collections", ())
            wanted, changes = resource_check_new(
                actor=actor,
                resource=resource,
                fields=fields,
                collections=collections,
                catalogue=catalogue,
            )
            write = Write(record, resource, created=True, collections=wanted, changes=changes)
        else:
            # The loaded resource itself is changed: no other record names it (duplicates are
            # refused), and a failed record writes nothing anyway.
            changes, wanted_or_none = resource_check_update(
                actor=actor, resource=existing, fields=fields, catalogue=catalogue
            )
            write = Write(record, existing, created=False, changes=changes)
            if "collections" in changes:
                write.collections = wanted_or_none
    except ResourceError as exc:
        errors = errors_of(exc, record)
        if missing:  # our message for the missing access level, not the service's "“”"
            errors = [e for e in errors if e[0] != missing[0][0]]
        raise RecordFailed(missing + errors) from exc
    if missing:
        raise RecordFailed(missing)
    _plan_files(write, existing, record, source)
    if write.created or write.changes or write.files is not None:
        return write
    return None
