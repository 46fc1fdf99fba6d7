"""The file door, thumbnails, the IIIF image service and the back office's import with the
files in an S3-compatible store (the session's SeaweedFS, a bucket per test), and with the
store gone: the same guarantees as from the folder, and 503 rather than a failure."""

import io
import json
import time
import urllib.request
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from libranet.audit.models import AuditEntry
from libranet.imports.models import ImportJob
from libranet.public.files import file_url, thumbnail_url
from libranet.resources.models import Resource, ResourceFile
from libranet.resources.services import resource_file_add, resource_file_delete
from libranet.storage import RETRY_AFTER, failures
from libranet.tests.s3 import keys, s3_storage, unreachable_storages  # noqa: F401
from libranet.tests.servers import free_port
from libranet.usage import recorder
from libranet.usage.models import Action, UsageEvent
from libranet.usage.services import spool_ingest

from .resources_data import OUTSIDE_ADDRESS, PDF, make_resource, media, png  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "tver_rc")]
IMPORT_URL = "/en/office/resources/import/"
# A reader's browser (a request without one is not counted, as robots are not).
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def import_book(client, run_import, network_user):
    """A book with a PDF and a page image, imported through the back office."""
    client.force_login(network_user)
    csv = "identifier,title_ru,type,files\npl-s3,Книга в хранилище,book,book.pdf;scans/p1.png\n"
    response = run_import(
        IMPORT_URL,
        {
            "file": SimpleUploadedFile("batch.csv", csv.encode()),
            "archive": SimpleUploadedFile(
                "files.zip", zipped({"book.pdf": PDF, "scans/p1.png": png(700, 500)})
            ),
            "access_level": "open",
        },
    )
    assert response.status_code == 302, response.content
    client.logout()
    return Resource.objects.get(identifier="pl-s3")


def fetch(client, path, *, method="get", **headers):
    response = getattr(client, method)(
        path, REMOTE_ADDR=OUTSIDE_ADDRESS, headers={"User-Agent": BROWSER, **headers}
    )
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def counted_requests() -> list[tuple[int, bool]]:
    recorder.writer.close()
    spool_ingest()
    return list(
        UsageEvent.objects.filter(action=Action.REQUEST).values_list("resource_id", "granted")
    )


def test_an_imported_file_is_read_from_the_store_with_every_guarantee(
    client,
    run_import,
    network_user,
    s3_server,
    s3_storage,  # noqa: F811
):
    book = import_book(client, run_import, network_user)
    pdf = book.files.get(kind=ResourceFile.Kind.PDF)
    stored = keys(s3_server, s3_storage)
    # The files and the thumbnail are in the bucket; the upload and its archive were read
    # back from it by the task, which then removed them.
    assert f"media/{pdf.file.name}" in stored and f"media/{book.thumbnail.name}" in stored
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.DONE
    assert not [key for key in stored if key.startswith("media/imports/")]

    url = file_url(pdf)
    whole = fetch(client, url)
    assert whole.status_code == 200 and whole.body == PDF
    assert whole["Content-Length"] == str(len(PDF))
    assert whole["Content-Disposition"] == "inline; filename*=UTF-8''book.pdf"
    assert whole["Accept-Ranges"] == "bytes" and whole["ETag"] and whole["Last-Modified"]

    part = fetch(client, url, Range="bytes=10-99")
    assert part.status_code == 206 and part.body == PDF[10:100]
    assert part["Content-Range"] == f"bytes 10-99/{len(PDF)}"
    tail = fetch(client, url, Range="bytes=-7")
    assert tail.status_code == 206 and tail.body == PDF[-7:]

    assert fetch(client, url, **{"If-None-Match": whole["ETag"]}).status_code == 304
    stale = fetch(client, url, Range="bytes=0-9", **{"If-Range": '"stale"'})
    assert stale.status_code == 200 and stale.body == PDF
    outside = fetch(client, url, Range=f"bytes={len(PDF)}-")
    assert outside.status_code == 416 and outside["Content-Range"] == f"bytes */{len(PDF)}"
    head = fetch(client, url, method="head")
    assert head.status_code == 200 and head.body == b""
    assert head["Content-Length"] == str(len(PDF)) and head["ETag"] == whole["ETag"]
    # Every request asked the access decision and was counted (HEAD is not).
    assert counted_requests() == [(book.pk, True)] * 6  # six GETs

    thumbnail = fetch(client, thumbnail_url(book))
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumbnail.body)).size[0] <= 320


def test_a_iiif_tile_is_made_once_and_kept_in_the_store(
    client,
    run_import,
    network_user,
    s3_server,
    s3_storage,  # noqa: F811
):
    book = import_book(client, run_import, network_user)
    page = book.files.get(kind=ResourceFile.Kind.PAGE)
    info = json.loads(fetch(client, f"/iiif/image/{page.pk}/info.json").body)
    assert (info["width"], info["height"]) == (700, 500)
    tile_url = f"/iiif/image/{page.pk}/0,0,512,512/256,/0/default.jpg"
    tile = fetch(client, tile_url)
    assert tile.status_code == 200 and tile["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(tile.body)).size == (256, 250)  # 512×500 of 700×500
    kept = [key for key in keys(s3_server, s3_storage) if key.startswith("media/iiif-cache/")]
    assert sorted(key.rsplit(".", 1)[1] for key in kept) == ["jpg", "size"]
    assert all(key.startswith(f"media/iiif-cache/{page.pk}/") for key in kept)
    # The second answer (any server's) comes from the store, byte for byte.
    again = fetch(client, tile_url)
    assert again.body == tile.body and again["ETag"] == tile["ETag"]


def test_x_accel_redirect_hands_nginx_a_signed_url(
    client,
    settings,
    run_import,
    network_user,
    s3_server,
    s3_storage,  # noqa: F811
):
    book = import_book(client, run_import, network_user)
    pdf = book.files.get(kind=ResourceFile.Kind.PDF)
    settings.LIBRANET_X_ACCEL_REDIRECT_PREFIX = "/protected/"
    response = fetch(client, file_url(pdf))
    target = response["X-Accel-Redirect"]
    assert response.body == b"" and response["Content-Disposition"].startswith("inline")
    assert target.startswith(f"/protected/{s3_storage}/media/{pdf.file.name}?")
    assert "X-Amz-Signature=" in target and "X-Amz-Expires=60" in target
    # What nginx's internal location does: the store answers the signed URL, with the range.
    store = s3_server.extra["endpoint"] + target.removeprefix("/protected")
    request = urllib.request.Request(store, headers={"Range": "bytes=0-8"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (the loopback)
        assert answer.status == 206 and answer.read() == PDF[:9]


# --- the store gone -------------------------------------------------------------------------------


@pytest.fixture
def store_gone(settings):
    """Point STORAGES at a closed port, after the data was stored where it was."""

    def gone():
        settings.STORAGES = {**settings.STORAGES, **unreachable_storages(free_port())}

    return gone


def test_reads_answer_503_in_each_door_format_when_the_store_is_gone(
    client,
    run_import,
    network_user,
    store_gone,
    s3_storage,  # noqa: F811
):
    book = import_book(client, run_import, network_user)
    pdf = book.files.get(kind=ResourceFile.Kind.PDF)
    page = book.files.get(kind=ResourceFile.Kind.PAGE)
    store_gone()
    started = time.monotonic()
    page_answer = fetch(client, file_url(pdf), **{"Accept-Language": "en"})
    assert page_answer.status_code == 503 and page_answer["Retry-After"] == str(RETRY_AFTER)
    assert "The file store cannot be reached right now" in page_answer.body.decode()
    assert page_answer["Content-Type"].startswith("text/html")
    as_json = fetch(client, file_url(pdf), Accept="application/json")  # Russian by default
    assert as_json.status_code == 503 and as_json["Retry-After"] == str(RETRY_AFTER)
    assert "Хранилище файлов сейчас недоступно" in json.loads(as_json.body)["message"]
    tile = fetch(
        client, f"/iiif/image/{page.pk}/full/100,/0/default.jpg", **{"Accept-Language": "en"}
    )
    assert tile.status_code == 503 and tile["Retry-After"] == str(RETRY_AFTER)
    assert "cannot be reached" in json.loads(tile.body)["message"]
    thumbnail = fetch(client, thumbnail_url(book))
    assert thumbnail.status_code == 503
    # A closed port is refused at once; the timeouts bound a store that does not answer.
    assert time.monotonic() - started < 20


def test_an_upload_with_the_store_gone_saves_nothing(
    client,
    run_import,
    network_user,
    store_gone,
    s3_storage,  # noqa: F811
):
    store_gone()
    client.force_login(network_user)
    csv = "identifier,title_ru,type\npl-gone,Книга,book\n"
    response = run_import(
        IMPORT_URL,
        {"file": SimpleUploadedFile("batch.csv", csv.encode()), "access_level": "open"},
    )
    assert response.status_code == 503 and response["Retry-After"] == str(RETRY_AFTER)
    assert "The file store cannot be reached right now" in response.content.decode()
    assert not ImportJob.objects.exists() and not Resource.objects.exists()


def test_a_file_added_with_the_store_gone_leaves_no_row(store_gone, s3_storage):  # noqa: F811
    resource = make_resource("pl:gone/1")
    before = AuditEntry.objects.count()
    store_gone()
    with pytest.raises(failures()):
        resource_file_add(actor=None, resource=resource, kind="pdf", content=PDF, name="book.pdf")
    assert not ResourceFile.objects.exists() and AuditEntry.objects.count() == before


def test_a_file_deleted_with_the_store_gone_is_deleted(
    django_capture_on_commit_callbacks,
    caplog,
    s3_server,
    store_gone,
    s3_storage,  # noqa: F811
):
    """The row goes with the transaction; the bytes the store cannot remove now are logged,
    not a failure of a change that was made."""
    resource = make_resource("pl:gone/2")
    added = resource_file_add(actor=None, resource=resource, kind="pdf", content=PDF, name="b.pdf")
    store_gone()
    with django_capture_on_commit_callbacks(execute=True):
        resource_file_delete(actor=None, file=added)
    assert not ResourceFile.objects.exists()
    assert keys(s3_server, s3_storage) == [f"media/{added.file.name}"]  # left behind, logged
    assert "Error calling" in caplog.text
