"""Applying a batch: all records or none, in two phases as the centers import
(``libranet.network.importexport``).

1. Every record is checked, reading only (``check``): no transaction is opened, so no write lock
   is taken however long the file. If any record failed, nothing is written.
2. The new resources get their keys, their files and thumbnails are stored, every OAI-PMH
   record is rendered, all before the write; then one short transaction writes everything in
   batches: the resources, their collections, their files' rows, the audit rows and the search
   index's outbox the services would write. If the catalogue moved between the phases (a
   resource the file names changed, one of its new identifiers was taken, the collection tree
   changed), the transaction is rolled back and the records are checked again. Files stored for
   a write that did not happen are removed; files replaced go once the write is committed.
"""

from collections.abc import Callable
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from libranet.audit.models import AuditEntry
from libranet.audit.services import audit_entry
from libranet.network.importexport import APPLYING, BATCH_SIZE, VALIDATING, RowError
from libranet.network.permissions import Capability, can

from .. import harvest
from ..models import AccessLevel, Collection, Resource, ResourceFile
from ..search.changes import index_change_record
from ..services import ResourcePermissionError
from .base import CSV_COLUMNS, Batch, ImportFileError, ResourceImportReport
from .check import Defaults, LoadedCatalogue, RecordFailed, Write, chunks, plan_record
from .sources import FileSource

# ``progress(done, total, VALIDATING | APPLYING)``, as the centers import calls it.
Progress = Callable[[int, int, str], None]
ATTEMPTS = 3
# What a changed resource writes (the identifier never changes).
_UPDATED_FIELDS = (
    "title_ru",
    "title_en",
    "creators",
    "date_text",
    "year_from",
    "year_to",
    "type",
    "subjects",
    "language",
    "description_ru",
    "description_en",
    "rights",
    "access_level",
    "thumbnail",
    "modified_at",
    "oai_header",
    "oai_metadata",
)


class _CatalogueMoved(Exception):
    """Another change reached what the import checked, between checking and writing."""


def _check(
    actor: Any,
    batch: Batch,
    source: FileSource | None,
    defaults: Defaults,
    progress: Progress | None,
) -> tuple[ResourceImportReport, LoadedCatalogue, list[Write]]:
    """Phase 1, reading only: every record checked, what it would write planned."""
    catalogue = LoadedCatalogue(record.identifier for record in batch.records)
    report = ResourceImportReport(rows=len(batch.records), format=batch.format, unit=batch.unit)
    writes: list[Write] = []
    seen: dict[str, int] = {}
    for done, record in enumerate(batch.records, start=1):
        try:
            identifier = record.identifier
            if identifier in seen:
                message = (
                    _("Identifier {identifier} is also in row {row}.")
                    if batch.unit == "row"
                    else _("Identifier {identifier} is also in record {row}.")
                )
                raise RecordFailed(
                    [
                        (
                            record.column("identifier"),
                            message.format(identifier=identifier, row=seen[identifier]),
                        )
                    ]
                )
            if identifier:
                seen[identifier] = record.number
            write = plan_record(actor, record, catalogue, defaults, source)
        except RecordFailed as failed:
            report.errors.extend(
                RowError(record.number, column, message) for column, message in failed.errors
            )
        else:
            if write is None:
                report.unchanged += 1
            else:
                writes.append(write)
                report.created += write.created
                report.updated += not write.created
                report.files += len(write.files or ())
        if progress is not None:
            progress(done, len(batch.records), VALIDATING)
    if report.errors:
        report.created = report.updated = report.unchanged = report.files = 0
    order = {column: index for index, column in enumerate(CSV_COLUMNS)}
    report.errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
    return report, catalogue, writes


def _reserve_ids(count: int) -> list[int]:
    """Keys for new resources, taken before the write (their files are stored under them), as
    the database gives keys: writers that come after get the next ones. A key of a write that
    does not happen is skipped, as a rolled-back insert skips its key."""
    if not count:
        return []
    table = Resource._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the table's AUTOINCREMENT keeps the last key given in sqlite_sequence; moving
        # it on is a write of its own, over in a moment.
        with transaction.atomic():
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            cursor.execute(f'SELECT MAX(id) FROM "{table}"')  # noqa: S608 (the model's table)
            last = max(row[0] if row else 0, cursor.fetchone()[0] or 0)
            if row:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last + count, table]
                )
            else:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last + count]
                )
    return list(range(last + 1, last + count + 1))


def _store(
    writes: list[Write], source: FileSource | None, stored: list[str], progress: Progress | None
) -> None:
    """Give the new resources their keys, then store the files and thumbnails (no transaction:
    storage is not transactional). Every name stored goes into ``stored``."""
    ids = iter(_reserve_ids(sum(write.created for write in writes)))
    for done, write in enumerate(writes, start=1):
        resource = write.resource
        if write.created:
            resource.pk = next(ids)
        for new in write.files or ():
            assert source is not None  # noqa: S101 (a record with files was checked with one)
            with source.open(new.path) as stream:
                name = f"{resource.pk}/{new.row.file.name}"
                new.row.file.save(name, File(stream, name=new.row.file.name), save=False)
            stored.append(new.row.file.name)
        if write.thumbnail is not None:
            resource.thumbnail.save(f"{resource.pk}.jpg", ContentFile(write.thumbnail), save=False)
            stored.append(resource.thumbnail.name)
        if progress is not None:
            progress(done, len(writes), APPLYING)


def _render(writes: list[Write], catalogue: LoadedCatalogue) -> None:
    """Stamp the resources (their OAI-PMH datestamp) and render the records harvesters will
    receive, as ``harvest.store`` renders them: just before the write, so that the datestamp
    is the write's moment."""
    specs = harvest.set_specs(catalogue.tree)
    now = timezone.now()
    for write in writes:
        resource = write.resource
        resource.modified_at = now
        collections = write.collections
        if collections is None:
            collections = list(resource.collections.all())
        row = tuple(getattr(resource, name) for name in harvest.SOURCE_FIELDS)
        resource.oai_header, resource.oai_metadata = harvest.render(
            row, [specs[c.pk] for c in sorted(collections, key=lambda c: c.pk) if c.pk in specs]
        )


def _audit(actor: Any, write: Write) -> list[AuditEntry]:
    """The audit rows the services write for the same change, in their order."""
    resource = write.resource
    changes: list[tuple[str, dict[str, Any]]] = []
    if write.created:
        changes.append(("resource.create", write.changes))
    elif write.changes:
        changes.append(("resource.update", write.changes))
    changes += [
        ("resource.file_delete", {"file": [old.file.name, None]}) for old in write.old_files
    ]
    changes += [
        (
            "resource.file_add",
            {
                "file": [None, new.row.file.name],
                "kind": [None, new.row.kind],
                "size": [None, new.row.size],
            },
        )
        for new in write.files or ()
    ]
    if write.thumbnail is not None:
        thumbnail = [write.old_thumbnail or None, resource.thumbnail.name]
        changes.append(("resource.thumbnail_set", {"thumbnail": thumbnail}))
    return [
        audit_entry(actor=actor, action=action, obj=resource, changes=change)
        for action, change in changes
    ]


def _unmoved(catalogue: LoadedCatalogue, writes: list[Write]) -> bool:
    """Inside the write, its rows locked (PostgreSQL; SQLite's lock is the whole database):
    is the catalogue still as the records were checked against?"""
    tree = Collection.objects.select_for_update().values_list("pk", "parent_id", "code")
    if sorted(tree) != catalogue.tree:
        return False
    stamps: dict[int, tuple[Any, Any]] = {}
    for chunk in chunks(list(catalogue.stamps)):
        rows = Resource.objects.select_for_update().filter(pk__in=chunk)
        stamps.update(
            (pk, (m, d)) for pk, m, d in rows.values_list("pk", "modified_at", "deleted_at")
        )
    if stamps != catalogue.stamps:
        return False
    new = [write.resource.identifier for write in writes if write.created]
    return not any(Resource.objects.filter(identifier__in=chunk).exists() for chunk in chunks(new))


def _delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _write(
    actor: Any, catalogue: LoadedCatalogue, writes: list[Write], progress: Progress | None
) -> None:
    """Phase 2: everything in one transaction, in batches; all or nothing."""
    created = [write.resource for write in writes if write.created]
    updated = [write.resource for write in writes if not write.created]
    audit = [entry for write in writes for entry in _audit(actor, write)]
    total, done = len(writes), 0

    def counted(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, total, APPLYING)

    Membership = Resource.collections.through
    with transaction.atomic():
        if not _unmoved(catalogue, writes):
            raise _CatalogueMoved
        for chunk in chunks(created):
            Resource.objects.bulk_create(chunk)
            counted(len(chunk))
        for chunk in chunks(updated):
            Resource.objects.bulk_update(chunk, _UPDATED_FIELDS)
            counted(len(chunk))
        moved = [w.resource.pk for w in writes if not w.created and w.collections is not None]
        for chunk in chunks(moved):
            Membership.objects.filter(resource_id__in=chunk).delete()
        Membership.objects.bulk_create(
            (
                Membership(resource_id=write.resource.pk, collection_id=collection.pk)
                for write in writes
                for collection in write.collections or ()
            ),
            batch_size=BATCH_SIZE,
        )
        replaced = [old.pk for write in writes for old in write.old_files]
        for chunk in chunks(replaced):
            ResourceFile.objects.filter(pk__in=chunk).delete()
        ResourceFile.objects.bulk_create(
            (new.row for write in writes for new in write.files or ()), batch_size=BATCH_SIZE
        )
        AuditEntry.objects.bulk_create(audit, batch_size=BATCH_SIZE)
        index_change_record(resource_ids=[write.resource.pk for write in writes])
        gone = [old.file.name for write in writes for old in write.old_files]
        gone += [write.old_thumbnail for write in writes if write.old_thumbnail]
        transaction.on_commit(lambda: _delete(gone), robust=True)  # as the services do


def import_resources(
    *,
    actor: Any,
    batch: Batch,
    files: FileSource | None = None,
    access_level: str = "",
    collection: str = "",
    progress: Progress | None = None,
) -> ResourceImportReport:
    """Create or update (by identifier) the resources of ``batch``, all of them or none.

    ``access_level`` and ``collection`` are the batch's defaults: a record without an access
    level gets ``access_level``; every resource is put into ``collection`` (besides the
    collections its record names). ``files`` is where the files the records name are read.
    ``progress(done, total, VALIDATING | APPLYING)`` is called as the records go: checked,
    then their files stored, then written."""
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
    defaults = Defaults(access_level=access_level, collection=collection)
    for _attempt in range(ATTEMPTS):
        report, catalogue, writes = _check(actor, batch, files, defaults, progress)
        if not report.ok or not writes:
            return report
        stored: list[str] = []
        try:
            _store(writes, files, stored, progress)
            _render(writes, catalogue)
            _write(actor, catalogue, writes, progress)
        except BaseException as exc:
            # Storage is not transactional: what was stored for a write that did not happen goes.
            _delete(stored)
            if isinstance(exc, _CatalogueMoved):
                continue
            if isinstance(exc, IntegrityError):
                # A writer got there first in a way the check cannot see (on PostgreSQL, an
                # identifier taken after the check); the database's own rule caught it.
                raise ImportFileError(
                    _(
                        "Another change to the collections conflicts with this import; import "
                        "the file again."
                    )
                ) from exc
            raise
        return report
    raise ImportFileError(
        _("The collections kept changing while this file was imported; import it again.")
    )
