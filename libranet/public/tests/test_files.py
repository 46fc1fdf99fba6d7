"""The file door: every request asks the access rule for this user and place (a few rows of the
table per door; the rule itself is tested in resources/tests/test_access.py), then streams the
file with ranges, conditional requests and private caching, or hands it to nginx."""

import json
from urllib.parse import quote

import pytest
from django.utils.http import http_date

from libranet.network.places import WORKSTATION_COOKIE, workstation_register, workstation_revoke
from libranet.public.files import FILE_MAX_AGE, Unsatisfiable, byte_range, file_url
from libranet.resources.models import ResourceFile
from libranet.storage import CHUNK_SIZE

from .resources_data import (
    CENTER_ADDRESS,
    OUTSIDE_ADDRESS,
    PDF,
    add_file,
    confirm_reader,
    make_resource,
    media,  # noqa: F401 (a fixture)
    png,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "tver_rc")]
SIZE = len(PDF)


def body(response) -> bytes:
    """The whole body, read (which closes the file, as a server does at the end)."""
    if not hasattr(response, "body"):
        if response.streaming:
            response.body = b"".join(response.streaming_content)
        else:
            response.body = response.content
    return response.body


@pytest.fixture
def open_file():
    return add_file(make_resource("pl:open/1", access_level="open"))


@pytest.fixture
def on_site_file():
    return add_file(make_resource("pl:onsite/1", access_level="on_site"))


@pytest.fixture
def readers_file():
    return add_file(make_resource("pl:readers/1", access_level="readers"))


def get(client, resource_file, address=OUTSIDE_ADDRESS, **headers):
    response = client.get(file_url(resource_file), REMOTE_ADDR=address, headers=headers)
    body(response)
    return response


# --- the access rule at the file door ----------------------------------------------------------


def test_an_open_file_streams_with_its_headers(client, open_file):
    response = get(client, open_file)
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(SIZE)
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"].startswith('"') and response["Last-Modified"]
    assert response["Cache-Control"] == f"private, max-age={FILE_MAX_AGE}"
    assert "public" not in response["Cache-Control"]
    assert response["Content-Disposition"] == "inline; filename*=UTF-8''book.pdf"
    # The reader shows the PDF in an <iframe> of the site's own pages.
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_on_site_file_outside_is_refused_and_says_where(client, on_site_file):
    response = get(client, on_site_file, **{"Accept-Language": "en"})  # /files/ has no prefix
    assert response.status_code == 403
    html = response.content.decode()
    assert "Copyright keeps this resource on the premises" in html
    assert "/resources/pl:onsite/1/#access" in html
    assert "private" in response["Cache-Control"]


def test_refusal_is_json_when_asked(client, on_site_file):
    response = get(client, on_site_file, Accept="application/json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    answer = json.loads(response.content)
    assert answer["reason"] == "on_site" and answer["message"]
    assert answer["record"].endswith("/resources/pl:onsite/1/")


def test_on_site_file_from_a_centers_address(client, on_site_file):
    response = get(client, on_site_file, CENTER_ADDRESS)
    assert response.status_code == 200 and body(response) == PDF


def test_spoofed_forwarded_for_from_an_untrusted_address_is_outside(client, on_site_file):
    response = client.get(
        file_url(on_site_file), REMOTE_ADDR=OUTSIDE_ADDRESS, HTTP_X_FORWARDED_FOR=CENTER_ADDRESS
    )
    assert response.status_code == 403


def test_a_trusted_proxy_passes_the_centers_address(client, on_site_file, settings):
    settings.LIBRANET_TRUSTED_PROXIES = ["10.0.0.0/8"]
    response = client.get(
        file_url(on_site_file), REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR=CENTER_ADDRESS
    )
    assert response.status_code == 200 and body(response) == PDF


def test_workstation_cookie_opens_and_revoking_closes(client, on_site_file, operator_user, tver_rc):
    workstation, cookie = workstation_register(actor=operator_user, center=tver_rc, name="зал 1")
    client.cookies[WORKSTATION_COOKIE] = cookie
    assert get(client, on_site_file).status_code == 200
    workstation_revoke(actor=operator_user, workstation=workstation)
    assert get(client, on_site_file).status_code == 403


def test_readers_files_need_a_confirmed_esia_identity(
    client, readers_file, reader_user, make_staff
):
    answer = json.loads(get(client, readers_file, Accept="application/json").content)
    assert answer["reason"] == "sign_in"
    client.force_login(confirm_reader(reader_user, confirmed=False))
    assert get(client, readers_file).status_code == 403
    client.force_login(confirm_reader(make_staff("anna.smirnova")))
    assert get(client, readers_file).status_code == 200  # outside, anywhere


def test_staff_only_files_are_not_found_but_for_staff(client, operator_user):
    secret = add_file(make_resource("pl:staff/1", access_level="staff"))
    assert get(client, secret, CENTER_ADDRESS).status_code == 404
    client.force_login(operator_user)
    assert get(client, secret).status_code == 200


def test_an_api_token_reads_what_its_user_may(client, operator_user):
    from libranet.accounts.services import api_token_create

    _token, secret = api_token_create(user=operator_user, name="harvester")
    staff_file = add_file(make_resource("pl:staff/2", access_level="staff"))
    assert get(client, staff_file, Authorization=f"Bearer {secret}").status_code == 200
    refused = get(client, staff_file, Authorization="Bearer not", **{"Accept-Language": "en"})
    assert refused.status_code == 401
    assert "invalid_token" in refused["WWW-Authenticate"]
    assert "API token" in refused.json()["message"]


def test_withdrawn_resources_files_are_gone(client, open_file):
    from django.utils import timezone

    open_file.resource.deleted_at = timezone.now()
    open_file.resource.save()
    assert get(client, open_file).status_code == 410


def test_unknown_file_or_wrong_name_is_not_found(client, open_file):
    assert client.get("/files/999999/book.pdf").status_code == 404
    assert client.get(f"/files/{open_file.pk}/other.pdf").status_code == 404
    answer = client.get("/files/999999/book.pdf", headers={"Accept": "application/json"})
    assert answer.status_code == 404 and json.loads(answer.content)["message"]


def test_files_are_not_under_a_language_prefix_nor_media(client, open_file):
    assert file_url(open_file) == f"/files/{open_file.pk}/book.pdf"
    assert client.get(f"/ru/files/{open_file.pk}/book.pdf").status_code == 404
    assert client.get(f"/media/{open_file.file.name}").status_code == 404


# --- ranges, HEAD, conditional requests --------------------------------------------------------


def test_a_single_range(client, open_file):
    response = get(client, open_file, Range="bytes=2-5")
    assert response.status_code == 206
    assert body(response) == PDF[2:6]
    assert response["Content-Range"] == f"bytes 2-5/{SIZE}"
    assert response["Content-Length"] == "4"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=10-", (10, SIZE - 1)),
        ("bytes=-7", (SIZE - 7, SIZE - 1)),
        ("bytes=0-999999", (0, SIZE - 1)),  # an end past the file is cut to it
        ("bytes=-999999", (0, SIZE - 1)),
        ("bytes=0-0", (0, 0)),
        (" bytes = 3 - 4 ", (3, 4)),
        # Not one satisfiable range: the whole file.
        ("bytes=0-1,5-6", None),
        ("bytes=5-2", None),
        ("bytes=a-b", None),
        ("bytes=-", None),
        ("items=0-5", None),
        ("bytes=٣-٤", None),  # digits, but not ASCII ones
        ("", None),
    ],
)
def test_byte_range_parsing(header, expected):
    assert byte_range(header, SIZE) == expected


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 10}-{SIZE + 20}", "bytes=-0"])
def test_unsatisfiable_ranges(header):
    with pytest.raises(Unsatisfiable):
        byte_range(header, SIZE)


def test_a_range_outside_the_file_is_416(client, open_file):
    response = get(client, open_file, Range=f"bytes={SIZE}-{SIZE + 100}")
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"


def test_several_ranges_get_the_whole_file(client, open_file):
    response = get(client, open_file, Range="bytes=0-1,4-5")
    assert response.status_code == 200 and body(response) == PDF


def test_if_range_with_a_stale_validator_gets_the_whole_file(client, open_file):
    etag = get(client, open_file)["ETag"]
    assert get(client, open_file, Range="bytes=0-3", **{"If-Range": etag}).status_code == 206
    stale = get(client, open_file, Range="bytes=0-3", **{"If-Range": '"old"'})
    assert stale.status_code == 200 and body(stale) == PDF


def test_head_answers_the_headers_only(client, open_file):
    response = client.head(file_url(open_file), REMOTE_ADDR=OUTSIDE_ADDRESS)
    assert response.status_code == 200
    assert response["Content-Length"] == str(SIZE)
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == b""


def test_conditional_get(client, open_file):
    first = get(client, open_file)
    etag, modified = first["ETag"], first["Last-Modified"]
    again = get(client, open_file, **{"If-None-Match": etag})
    assert again.status_code == 304 and again["ETag"] == etag
    assert "private" in again["Cache-Control"]
    assert get(client, open_file, **{"If-Modified-Since": modified}).status_code == 304
    assert get(client, open_file, **{"If-None-Match": '"other"'}).status_code == 200
    earlier = http_date(0)
    assert get(client, open_file, **{"If-Modified-Since": earlier}).status_code == 200


def test_the_rule_is_asked_before_any_validator(client, on_site_file):
    etag = get(client, on_site_file, CENTER_ADDRESS)["ETag"]
    assert get(client, on_site_file, **{"If-None-Match": etag}).status_code == 403


def test_large_files_stream_in_fixed_chunks(client):
    content = bytes(range(256)) * (CHUNK_SIZE // 256 * 3 + 7)  # three chunks and a bit
    big = add_file(make_resource("pl:big"), name="big.pdf", content=content)
    response = client.get(file_url(big))
    chunks = list(response.streaming_content)
    assert b"".join(chunks) == content
    assert len(chunks) == 4 and max(len(c) for c in chunks) == CHUNK_SIZE
    middle = get(client, big, Range=f"bytes={CHUNK_SIZE - 10}-{CHUNK_SIZE * 2 + 9}")
    assert body(middle) == content[CHUNK_SIZE - 10 : CHUNK_SIZE * 2 + 10]


def test_unicode_names_and_unsafe_types(client):
    resource = make_resource("pl:names")
    russian = add_file(resource, name="книга.pdf")
    response = client.get(file_url(russian))
    assert response.status_code == 200 and body(response) == PDF
    assert response["Content-Disposition"] == f"inline; filename*=UTF-8''{quote('книга.pdf')}"
    # A stored file that would run as a page of the site is only ever downloaded.
    page = add_file(
        resource,
        kind=ResourceFile.Kind.PAGE,
        name="x.html",
        content=b"<script>alert(1)</script>",
        content_type="text/html",
    )
    response = client.get(file_url(page))
    assert body(response) == b"<script>alert(1)</script>"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_file_missing_from_storage_is_404_not_500(client, open_file):
    from django.core.files.storage import default_storage

    default_storage.delete(open_file.file.name)
    assert get(client, open_file).status_code == 404


# --- X-Accel-Redirect ---------------------------------------------------------------------------


def test_x_accel_redirect_hands_the_file_to_nginx(client, settings, on_site_file):
    settings.LIBRANET_X_ACCEL_REDIRECT_PREFIX = "/protected/"
    response = get(client, on_site_file, CENTER_ADDRESS, Range="bytes=0-3")
    assert response.status_code == 200 and body(response) == b""
    assert response["X-Accel-Redirect"] == f"/protected/{on_site_file.file.name}"
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"].startswith("private")
    assert "Content-Range" not in response  # nginx answers the range itself
    # The rule still decides first.
    refused = get(client, on_site_file)
    assert refused.status_code == 403 and "X-Accel-Redirect" not in refused


# --- thumbnails ---------------------------------------------------------------------------------


def _with_thumbnail(resource):
    from django.core.files.base import ContentFile

    resource.thumbnail.save(f"{resource.pk}.png", ContentFile(png()), save=True)
    return resource


def test_thumbnails_are_public_metadata_but_staff_onlys(client, operator_user):
    from libranet.public.files import thumbnail_url

    on_site = _with_thumbnail(make_resource("pl:thumb/1", access_level="on_site"))
    response = client.get(thumbnail_url(on_site))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert body(response) == png()
    assert response["Cache-Control"].startswith("public")
    staff = _with_thumbnail(make_resource("pl:thumb/2", access_level="staff"))
    assert client.get(thumbnail_url(staff)).status_code == 404
    client.force_login(operator_user)
    response = client.get(thumbnail_url(staff))
    assert body(response) and response["Cache-Control"].startswith("private")
