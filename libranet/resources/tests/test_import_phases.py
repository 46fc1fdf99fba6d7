"""The resource import's two phases: every record checked while reading only, then everything
written in one short transaction, with the rows the services would write."""

import datetime
import io
import os
import re
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from libranet.audit.models import AuditEntry
from libranet.network.importexport import APPLYING, VALIDATING
from libranet.resources.importing import ImportFileError, ZipSource, import_resources, read_batch
from libranet.resources.models import Resource, ResourceFile, SearchIndexChange
from libranet.resources.services import (
    resource_create,
    resource_file_add,
    resource_file_delete,
    resource_thumbnail_set,
    resource_update,
)
from libranet.resources.tests.conftest import png

pytestmark = pytest.mark.django_db
WRITES = ("INSERT", "UPDATE", "DELETE", "SAVEPOINT", "BEGIN")
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fixed_clock(time_machine):
    """Datestamps (and OAI-PMH headers) from one moment, whatever door wrote them."""
    time_machine.move_to(datetime.datetime(2025, 6, 2, 10, tzinfo=datetime.UTC), tick=False)


def archive(members: dict[str, bytes]) -> ZipSource:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    buffer.seek(0)
    return ZipSource(buffer)


def many(n: int, *, files: bool = False) -> tuple[bytes, dict[str, bytes]]:
    """``n`` records as CSV, in two collections; with ``files``, every third with a page image
    and every fifth with a PDF; and the archive's members."""
    lines = ["identifier,title_ru,creators,date,type,subjects,language,collections,access_level"]
    lines[0] += ",files" if files else ""
    members: dict[str, bytes] = {}
    page = png()
    for i in range(n):
        named = []
        if files and i % 3 == 0:
            named.append(f"scans/{i}.png")
            members[named[-1]] = page
        if files and i % 5 == 0:
            named.append(f"{i}.pdf")
            members[named[-1]] = PDF
        line = (
            f"pl-{i:05d},Книга {i},Автор {i % 97},{1800 + i % 200},book,Тема {i % 13};Тема {i % 7},"
            f"ru,{'power' if i % 3 else 'presidents;territory'},open"
        )
        lines.append(line + (f",{';'.join(named)}" if files else ""))
    return ("\n".join(lines) + "\n").encode(), members


def writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(WRITES)]


def stored_files() -> list[str]:
    root = default_storage.path("")
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _sub, names in os.walk(root)
        for name in names
    )


def test_a_refused_file_writes_nothing_and_opens_no_transaction(collections, network_user):
    data, members = many(300, files=True)
    data += "pl-bad,Плохая,,1703,scroll,,ru,nowhere,open,missing.pdf\n".encode()
    before = (Resource.objects.count(), AuditEntry.objects.count())
    with CaptureQueriesContext(connection) as queries:
        report = import_resources(
            actor=network_user, batch=read_batch(data), files=archive(members)
        )
    assert [(e.row, e.column) for e in report.errors] == [(302, "type"), (302, "collections")]
    assert (report.created, report.files) == (0, 0)
    # Reads only: not a write, not even a savepoint (the test runs in a transaction, so any
    # atomic block of the import would show as one); the catalogue read once, not per record.
    assert writes(queries) == []
    assert len(queries) < 20
    assert (Resource.objects.count(), AuditEntry.objects.count()) == before
    assert stored_files() == []  # files are stored only once every record passed


def test_three_thousand_records_written_at_once_then_unchanged(collections, network_user):
    data, members = many(3000, files=True)
    labels = []
    with CaptureQueriesContext(connection) as queries:
        report = import_resources(
            actor=network_user,
            batch=read_batch(data),
            files=archive(members),
            progress=lambda done, total, label: labels.append(label),
        )
    assert report.ok, report.errors[:3]
    assert (report.created, report.updated, report.unchanged) == (3000, 0, 0)
    assert report.files == 1000 + 600
    assert labels.count(VALIDATING) == 3000 and labels[-1] == APPLYING
    assert len(queries) < 600  # batches, not records
    imported = Resource.objects.filter(identifier__startswith="pl-")
    assert imported.count() == 3000 and not imported.filter(oai_header="").exists()
    assert ResourceFile.objects.count() == 1600
    assert imported.exclude(thumbnail="").count() == 1000
    assert Resource.collections.through.objects.count() == 2000 + 2 * 1000
    assert AuditEntry.objects.filter(actor=network_user).count() == 3000 + 1600 + 1000
    assert set(SearchIndexChange.objects.values_list("resource_id", flat=True)) == set(
        imported.values_list("pk", flat=True)
    )
    assert len(stored_files()) == 1600 + 1000
    first = Resource.objects.get(identifier="pl-00000")
    assert [(f.kind, f.position) for f in first.files.all()] == [("page", 1), ("pdf", 2)]
    assert first.files.get(kind="pdf").file.name == f"resources/{first.pk}/0.pdf"
    assert first.thumbnail.name == f"thumbnails/{first.pk}.jpg"

    counts = (AuditEntry.objects.count(), SearchIndexChange.objects.count())
    with CaptureQueriesContext(connection) as queries:
        again = import_resources(actor=network_user, batch=read_batch(data), files=archive(members))
    assert (again.created, again.updated, again.unchanged, again.files) == (0, 0, 3000, 0)
    assert writes(queries) == []
    assert (AuditEntry.objects.count(), SearchIndexChange.objects.count()) == counts
    assert len(stored_files()) == 1600 + 1000


def trail(resource: Resource) -> dict:
    """What a change left, with the resource's own key and identifier taken out."""
    resource.refresh_from_db()

    def plain(value):
        text = str(value).replace(resource.identifier, "IDENTIFIER")
        for folder in ("resources", "thumbnails"):  # files are stored under the resource's key
            text = text.replace(f"{folder}/{resource.pk}", f"{folder}/ID")
        # A name still taken (a replaced thumbnail goes on commit) gets a random suffix.
        return re.sub(r"_[A-Za-z0-9]{7}\.", "_RANDOM.", text)

    entries = AuditEntry.objects.filter(
        object_type="resources.resource", object_id=str(resource.pk)
    )
    entries = entries.order_by("id")
    return {
        "oai": plain(resource.oai_header + resource.oai_metadata),
        "audit": [(e.action, e.actor_id, plain(e.changes), plain(e.object_repr)) for e in entries],
        "search": SearchIndexChange.objects.filter(resource_id=resource.pk).exists(),
        "files": [
            (f.kind, f.position, f.size, f.content_type, plain(f.file.name))
            for f in resource.files.all()
        ],
        "thumbnail": plain(resource.thumbnail.name),
        "collections": sorted(c.code for c in resource.collections.all()),
        "modified_at": resource.modified_at,
    }


def test_the_rows_written_are_those_the_services_write(collections, network_user):
    first = (
        "pl-import,Тарханы,Tarkhany,Лермонтов,1920s,photograph,Усадьба,rus,Описание,"
        "power;territory,CC0,on_site"
    )
    header = (
        "identifier,title_ru,title_en,creators,date,type,subjects,language,description_ru,"
        "collections,rights,access_level,files\n"
    )
    page, other_page = png(), png("red")
    report = import_resources(
        actor=network_user,
        batch=read_batch((header + first + ",p.png;a.pdf\n").encode()),
        files=archive({"p.png": page, "a.pdf": PDF}),
    )
    assert report.ok and report.files == 2, report.errors
    by_service = resource_create(
        actor=network_user,
        identifier="pl-service",
        title_ru="Тарханы",
        title_en="Tarkhany",
        creators=["Лермонтов"],
        date_text="1920s",
        type="photograph",
        subjects=["Усадьба"],
        language="rus",
        description_ru="Описание",
        collections=["power", "territory"],
        rights="CC0",
        access_level="on_site",
    )
    resource_file_add(
        actor=network_user, resource=by_service, kind="page", name="p.png", content=page, position=1
    )
    resource_file_add(
        actor=network_user, resource=by_service, kind="pdf", name="a.pdf", content=PDF, position=2
    )
    resource_thumbnail_set(actor=network_user, resource=by_service, content=page)
    imported = Resource.objects.get(identifier="pl-import")
    assert trail(imported) == trail(by_service)

    # An update: a new title, one collection fewer, other files.
    second = first.replace("Тарханы,", "Тарханы (усадьба),").replace("power;territory", "power")
    report = import_resources(
        actor=network_user,
        batch=read_batch((header + second + ",q.png\n").encode()),
        files=archive({"q.png": other_page}),
    )
    assert (report.updated, report.files) == (1, 1), report.errors
    resource_update(
        actor=network_user, resource=by_service, title_ru="Тарханы (усадьба)", collections=["power"]
    )
    for old in list(by_service.files.all()):
        resource_file_delete(actor=network_user, file=old)
    resource_file_add(
        actor=network_user,
        resource=by_service,
        kind="page",
        name="q.png",
        content=other_page,
        position=1,
    )
    resource_thumbnail_set(actor=network_user, resource=by_service, content=other_page)
    assert trail(imported) == trail(by_service)


def test_a_change_between_the_phases_makes_the_records_checked_again(collections):
    data = "identifier,title_ru,type,access_level\npl-1,Из файла,book,open\n".encode()
    checks = []

    def progress(done, total, label):
        if label == VALIDATING:
            checks.append(done)
            if len(checks) == 1:  # another user catalogues the same identifier meanwhile
                resource_create(
                    actor=None,
                    identifier="pl-1",
                    title_ru="Из формы",
                    type="map",
                    access_level="open",
                )

    report = import_resources(actor=None, batch=read_batch(data), progress=progress)
    assert checks == [1, 1]
    assert (report.created, report.updated) == (0, 1)
    resource = Resource.objects.get(identifier="pl-1")
    assert (resource.title_ru, resource.type) == ("Из файла", "book")


def test_a_write_that_does_not_happen_leaves_no_file_behind(collections, time_machine):
    resource_create(
        actor=None, identifier="pl-other", title_ru="Другой", type="map", access_level="open"
    )
    data = (
        "identifier,title_ru,type,access_level,files\n"
        "pl-1,Один,book,open,p.png;a.pdf\n"
        "pl-other,Другой,map,open,\n"
    ).encode()
    members = {"p.png": png(), "a.pdf": PDF}

    def progress(done, total, label):
        # Once the files are stored, someone changes a resource the file names, every time:
        # each write finds the catalogue moved, and the import gives up.
        if label == APPLYING and done == total:
            time_machine.shift(datetime.timedelta(seconds=1))
            other = Resource.objects.get(identifier="pl-other")
            resource_update(actor=None, resource=other, title_ru=other.title_ru + "!")

    with pytest.raises(ImportFileError, match="kept changing"):
        import_resources(
            actor=None, batch=read_batch(data), files=archive(members), progress=progress
        )
    assert not Resource.objects.filter(identifier="pl-1").exists()
    assert stored_files() == []
