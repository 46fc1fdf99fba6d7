"""Applying a batch through the collections' services: all records or none."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from libranet.network.importexport import RowError
from libranet.network.permissions import Capability, can

from ..models import AccessLevel, Collection, Resource, ResourceFile
from ..services import (
    ResourceError,
    ResourcePermissionError,
    collect_stored_files,
    guess_content_type,
    kind_for_content_type,
    resource_create,
    resource_file_add,
    resource_file_delete,
    resource_thumbnail_set,
    resource_update,
)
from .base import CSV_COLUMNS, Batch, ImportFileError, Record, ResourceImportReport
from .sources import FileSource


class _RecordFailed(Exception):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _errors(exc: ResourceError, record: Record, prefix: str = "") -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            (record.column("files" if name == "file" else name), prefix + message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [("", prefix + message) for message in exc.messages]


@dataclass
class _Defaults:
    access_level: str
    collection: str


def _fields_for(
    record: Record, existing: Resource | None, defaults: _Defaults
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
            codes = list(existing.collections.values_list("code", flat=True))
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


def _existing_fingerprint(resource: Resource) -> list[tuple[str, int, str]]:
    prints = []
    for stored in resource.files.order_by("position", "id"):
        with default_storage.open(stored.file.name, "rb") as handle:
            size, digest = _digest(handle)
        prints.append((stored.kind, size, digest))
    return prints


def _apply_files(actor: Any, resource: Resource, record: Record, source: FileSource | None) -> int:
    """Give the resource the record's files (replacing its files when they differ); returns
    how many were stored."""
    if not record.files:
        return 0
    column = record.column("files")
    if source is None:
        raise _RecordFailed(
            [(column, _("The record names files, but no folder or archive of files was given."))]
        )
    opened: list[tuple[str, str, str, IO[bytes]]] = []  # path, label, kind, stream
    errors: list[tuple[str, str]] = []
    try:
        for path, label in record.files:
            try:
                stream = source.open(path)
            except ImportFileError as exc:
                errors.extend((column, message) for message in exc.messages)
                continue
            kind = kind_for_content_type(guess_content_type(path, stream.read(64)))
            stream.seek(0)
            opened.append((path, label, kind, stream))
            if not kind:
                message = _("“{path}” is neither a PDF, an image, audio nor video.")
                errors.append((column, message.format(path=path)))
        if errors:
            raise _RecordFailed(errors)
        wanted = []
        for _path, _label, kind, stream in opened:
            size, digest = _digest(stream)
            stream.seek(0)
            wanted.append((kind, size, digest))
        if resource.files.count() == len(wanted) and _existing_fingerprint(resource) == wanted:
            return 0
        for old in list(resource.files.all()):
            resource_file_delete(actor=actor, file=old)
        first_page = None
        for position, (path, label, kind, stream) in enumerate(opened, start=1):
            try:
                resource_file_add(
                    actor=actor,
                    resource=resource,
                    kind=kind,
                    name=PurePosixPath(path.replace("\\", "/")).name,
                    content=stream,
                    label=label,
                    position=position,
                )
            except ResourceError as exc:
                raise _RecordFailed(_errors(exc, record, prefix=f"{path}: ")) from exc
            if kind == ResourceFile.Kind.PAGE and first_page is None:
                first_page = stream
        if first_page is not None:
            first_page.seek(0)
            resource_thumbnail_set(actor=actor, resource=resource, content=first_page)
        return len(opened)
    finally:
        for *_rest, stream in opened:
            stream.close()


def _apply_record(
    actor: Any, record: Record, source: FileSource | None, defaults: _Defaults
) -> tuple[str, int]:
    """Create or update one resource from a record: ("created" | "updated" | "unchanged",
    files stored)."""
    if record.errors:
        raise _RecordFailed(record.errors)
    existing = Resource.objects.filter(identifier=record.identifier).first()
    if existing is not None and existing.deleted_at is not None:
        raise _RecordFailed(
            [
                (
                    record.column("identifier"),
                    _(
                        "Resource {identifier} has been withdrawn; its identifier is never reused."
                    ).format(identifier=record.identifier),
                )
            ]
        )
    fields, missing = _fields_for(record, existing, defaults)
    try:
        if existing is None:
            resource = resource_create(actor=actor, identifier=record.identifier, **fields)
            outcome = "created"
        else:
            before = existing.modified_at
            resource = resource_update(actor=actor, resource=existing, **fields)
            outcome = "updated" if resource.modified_at != before else "unchanged"
    except ResourceError as exc:
        errors = _errors(exc, record)
        if missing:  # our message for the missing access level, not the service's "“”"
            errors = [e for e in errors if e[0] != missing[0][0]]
        raise _RecordFailed(missing + errors) from exc
    if missing:
        raise _RecordFailed(missing)
    stored = _apply_files(actor, resource, record, source)
    if stored and outcome == "unchanged":
        outcome = "updated"
    return outcome, stored


def import_resources(
    *,
    actor: Any,
    batch: Batch,
    files: FileSource | None = None,
    access_level: str = "",
    collection: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ResourceImportReport:
    """Create or update (by identifier) the resources of ``batch``, all of them or none.

    ``access_level`` and ``collection`` are the batch's defaults: a record without an access
    level gets ``access_level``; every resource is put into ``collection`` (besides the
    collections its record names). ``files`` is where the files the records name are read.
    ``progress(done, total)`` is called after each record."""
    if actor is not None and not can(actor, Capability.EDIT_RESOURCES):
        raise ResourcePermissionError(_("Your role does not allow changing the collections."))
    if access_level and access_level not in AccessLevel.values:
        raise ImportFileError(
            {"access_level": _("Unknown access level “{value}”.").format(value=access_level)}
        )
    if collection and not Collection.objects.filter(code=collection).exists():
        raise ImportFileError(
            {"collection": _("There is no collection {code}.").format(code=collection)}
        )
    defaults = _Defaults(access_level=access_level, collection=collection)
    report = ResourceImportReport(rows=len(batch.records), format=batch.format, unit=batch.unit)
    seen: dict[str, int] = {}
    committed = False
    with collect_stored_files() as written:
        try:
            with transaction.atomic():
                for done, record in enumerate(batch.records, start=1):
                    try:
                        identifier = record.identifier
                        if identifier in seen:
                            message = (
                                _("Identifier {identifier} is also in row {row}.")
                                if batch.unit == "row"
                                else _("Identifier {identifier} is also in record {row}.")
                            )
                            raise _RecordFailed(
                                [
                                    (
                                        record.column("identifier"),
                                        message.format(identifier=identifier, row=seen[identifier]),
                                    )
                                ]
                            )
                        if identifier:
                            seen[identifier] = record.number
                        with transaction.atomic():
                            outcome, stored = _apply_record(actor, record, files, defaults)
                    except _RecordFailed as failed:
                        report.errors.extend(
                            RowError(record.number, column, message)
                            for column, message in failed.errors
                        )
                    else:
                        setattr(report, outcome, getattr(report, outcome) + 1)
                        report.files += stored
                    if progress is not None:
                        progress(done, len(batch.records))
                if report.errors:
                    transaction.set_rollback(True)
                    report.created = report.updated = report.unchanged = report.files = 0
                else:
                    committed = True
        finally:
            if not committed:
                for name in written:
                    default_storage.delete(name)
    order = {column: index for index, column in enumerate(CSV_COLUMNS)}
    report.errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
    return report
