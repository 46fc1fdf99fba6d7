"""IIIF: the Presentation 3 manifest (checked against the specification's requirements and
loaded by an independent model, iiif-prezi3) and the Image API 3 service: its parameters, its
refusals (the same access decision as the file door, by place and by identity), validators,
caching on disk, and usage counted once per page view, never per tile."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from iiif_prezi3 import Manifest
from PIL import Image

from libranet.resources import iiif
from libranet.resources.models import ResourceFile
from libranet.usage import recorder
from libranet.usage.models import Action, UsageEvent
from libranet.usage.services import spool_ingest

from .resources_data import (
    CENTER_ADDRESS,
    OUTSIDE_ADDRESS,
    add_file,
    confirm_reader,
    make_resource,
    media,  # noqa: F401 (a fixture)
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "tver_rc")]
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#336699").save(buffer, "JPEG")
    return buffer.getvalue()


def make_book(identifier="pl:iiif/1", *, access_level="open", pages=3, **fields):
    book = make_resource(
        identifier,
        access_level=access_level,
        description_ru="Описание книги",
        description_en="About the book",
        creators=[{"name_ru": "Магницкий, Леонтий", "name_en": "Magnitsky, Leonty"}],
        date_text="1703",
        language="cu",
        **fields,
    )
    for number in range(1, pages + 1):
        add_file(
            book,
            kind=ResourceFile.Kind.PAGE,
            name=f"page-{number}.jpg",
            content=jpeg(1200, 1800),
            content_type="image/jpeg",
            position=number,
            label=f"л. {number}",
        )
    return book


def get(client, path, address=OUTSIDE_ADDRESS, **headers):
    response = client.get(path, REMOTE_ADDR=address, HTTP_USER_AGENT=AGENT, headers=headers)
    if getattr(response, "streaming", False):
        response.body = b"".join(response.streaming_content)
    else:
        response.body = response.content
    return response


def first_page(book) -> ResourceFile:
    return book.files.order_by("position").first()


def image_url(page, rest="full/max/0/default.jpg") -> str:
    return f"/iiif/image/{page.pk}/{rest}"


# --- the manifest ---------------------------------------------------------------------------


def test_manifest_follows_presentation_3(client):
    book = make_book()
    response = get(client, f"/iiif/{book.identifier}/manifest.json")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
    )
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"].startswith("public")
    data = json.loads(response.body)
    assert data["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert data["type"] == "Manifest"
    assert data["id"] == f"http://testserver/iiif/{book.identifier}/manifest.json"
    assert data["label"] == {"ru": ["Тестовая книга"], "en": ["Test book"]}
    assert data["summary"] == {"ru": ["Описание книги"], "en": ["About the book"]}
    metadata = {entry["label"]["en"][0]: entry for entry in data["metadata"]}
    assert metadata["Creators"]["label"]["ru"] == ["Авторы"]
    assert metadata["Creators"]["value"] == {
        "ru": ["Магницкий, Леонтий"],
        "en": ["Magnitsky, Leonty"],
    }
    assert metadata["Language"]["value"] == {"ru": ["церковнославянский"], "en": ["Church Slavic"]}
    assert data["requiredStatement"]["value"]["en"] == ["Presidential Library"]
    assert [page["language"] for page in data["homepage"]] == [["ru"], ["en"]]
    assert data["homepage"][0]["id"].endswith(f"/ru/resources/{book.identifier}/")
    assert len(data["items"]) == 3
    for number, canvas in enumerate(data["items"], start=1):
        assert canvas["type"] == "Canvas"
        assert canvas["label"] == {"none": [f"л. {number}"]}
        assert (canvas["width"], canvas["height"]) == (1200, 1800)
        annotation_page = canvas["items"][0]
        assert annotation_page["type"] == "AnnotationPage"
        annotation = annotation_page["items"][0]
        assert annotation["type"] == "Annotation"
        assert annotation["motivation"] == "painting"
        assert annotation["target"] == canvas["id"]
        body = annotation["body"]
        assert body["type"] == "Image" and body["format"] == "image/jpeg"
        service = body["service"][0]
        assert service["type"] == "ImageService3" and service["profile"] == "level1"
        assert body["id"] == service["id"] + "/full/max/0/default.jpg"
    # Every id is unique (the specification requires it of canvases and annotations).
    annotations = [canvas["items"][0]["items"][0]["id"] for canvas in data["items"]]
    ids = [canvas["id"] for canvas in data["items"]] + annotations
    assert len(set(ids)) == len(ids)
    # An independent model of Presentation 3 loads it.
    loaded = Manifest(**data)
    assert len(loaded.items) == 3
    assert loaded.items[2].width == 1200


def test_manifest_rights_uri_and_etag(client):
    book = make_book(rights="http://creativecommons.org/publicdomain/mark/1.0/")
    path = f"/iiif/{book.identifier}/manifest.json"
    first = get(client, path)
    data = json.loads(first.body)
    assert data["rights"] == "http://creativecommons.org/publicdomain/mark/1.0/"
    assert get(client, path, **{"If-None-Match": first["ETag"]}).status_code == 304


def test_manifest_of_staff_only_withdrawn_and_pageless(client, operator_user):
    staff_only = make_book("pl:iiif/staff", access_level="staff")
    assert get(client, f"/iiif/{staff_only.identifier}/manifest.json").status_code == 404
    client.force_login(operator_user)
    answer = get(client, f"/iiif/{staff_only.identifier}/manifest.json")
    assert answer.status_code == 200 and answer["Cache-Control"].startswith("private")
    client.logout()
    pdf_only = make_resource("pl:iiif/pdf")
    add_file(pdf_only)
    assert get(client, f"/iiif/{pdf_only.identifier}/manifest.json").status_code == 404
    withdrawn = make_book("pl:iiif/gone")
    withdrawn.deleted_at = withdrawn.modified_at
    withdrawn.save()
    assert get(client, f"/iiif/{withdrawn.identifier}/manifest.json").status_code == 410


# --- the image service ----------------------------------------------------------------------


def test_info_json_describes_the_service(client):
    page = first_page(make_book())
    response = get(client, f"/iiif/image/{page.pk}/info.json")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'
    )
    assert response["Access-Control-Allow-Origin"] == "*"
    info = json.loads(response.body)
    assert info["@context"] == "http://iiif.io/api/image/3/context.json"
    assert info["id"] == f"http://testserver/iiif/image/{page.pk}"
    assert info["type"] == "ImageService3" and info["protocol"] == "http://iiif.io/api/image"
    assert info["profile"] == "level1"
    assert (info["width"], info["height"]) == (1200, 1800)
    assert info["tiles"] == [{"width": 512, "scaleFactors": [1, 2, 4]}]
    assert info["sizes"][-1] == {"width": 600, "height": 900}
    base = get(client, f"/iiif/image/{page.pk}")
    assert base.status_code == 303 and base["Location"].endswith("/info.json")


@pytest.mark.parametrize(
    ("rest", "size"),
    [
        ("full/max/0/default.jpg", (1200, 1800)),
        ("full/300,/0/default.jpg", (300, 450)),
        ("full/,450/0/default.png", (300, 450)),
        ("full/!300,300/0/default.jpg", (200, 300)),
        ("full/pct:10/0/default.jpg", (120, 180)),
        ("square/100,100/0/default.jpg", (100, 100)),
        ("0,0,512,512/256,256/0/default.jpg", (256, 256)),
        ("1024,1536,512,512/176,264/0/default.jpg", (176, 264)),  # clipped at the edges
        ("pct:50,50,50,50/max/0/gray.jpg", (600, 900)),
        ("full/^2400,/0/default.jpg", (2400, 3600)),
        ("full/100,/90/color.jpg", (150, 100)),
        ("full/100,/!0/default.jpg", (100, 150)),
    ],
)
def test_image_parameters(client, rest, size):
    page = first_page(make_book())
    response = get(client, image_url(page, rest))
    assert response.status_code == 200, response.body
    extension = rest.rsplit(".", 1)[1]
    assert response["Content-Type"] == ("image/png" if extension == "png" else "image/jpeg")
    assert response["Content-Disposition"] == f'inline; filename="page-1.{extension}"'
    assert Image.open(io.BytesIO(response.body)).size == size


@pytest.mark.parametrize(
    ("rest", "parameter"),
    [
        ("nowhere/max/0/default.jpg", "region"),
        ("5000,0,10,10/max/0/default.jpg", "region"),
        ("0,0,0,10/max/0/default.jpg", "region"),
        ("full/abc/0/default.jpg", "size"),
        ("full/,/0/default.jpg", "size"),
        ("full/2400,/0/default.jpg", "size"),  # larger than the region without ^
        ("full/^9000,/0/default.jpg", "size"),  # over the limit
        ("full/max/45/default.jpg", "rotation"),
        ("full/max/0/bitonal.jpg", "quality"),
        ("full/max/0/default.gif", "format"),
        ("full/max/0/default", "quality"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, rest, parameter):
    page = first_page(make_book())
    response = get(client, image_url(page, rest), **{"Accept-Language": "en"})
    assert response.status_code == 400
    answer = json.loads(response.body)
    assert answer["parameter"] == parameter
    assert parameter in answer["message"]


def test_derivatives_are_kept_on_disk_with_validators(client, settings):
    page = first_page(make_book())
    path = image_url(page, "0,0,512,512/256,/0/default.jpg")
    first = get(client, path)
    assert first["Cache-Control"] == f"public, max-age={iiif_max_age()}"
    kept = list((settings.LIBRANET_IIIF_CACHE_DIR / str(page.pk)).glob("*.jpg"))
    assert len(kept) == 1
    # Another spelling of the same request is the same derivative, with the same validator.
    same = get(client, image_url(page, "0,0,512,512/256,256/0/default.jpg"))
    assert same["ETag"] == first["ETag"] and same.body == first.body
    assert len(list(kept[0].parent.glob("*.jpg"))) == 1
    assert get(client, path, **{"If-None-Match": first["ETag"]}).status_code == 304
    # A replaced source is never answered from the old derivative.
    default_storage.delete(page.file.name)
    default_storage.save(page.file.name, io.BytesIO(jpeg(600, 600)))
    replaced = get(client, image_url(page, "full/max/0/default.jpg"))
    assert Image.open(io.BytesIO(replaced.body)).size == (600, 600)


def iiif_max_age():
    from libranet.public.iiif import IMAGE_MAX_AGE

    return IMAGE_MAX_AGE


def test_a_big_jpeg_is_decoded_reduced(monkeypatch):
    """A small view of a big scan decodes the JPEG at a reduced scale (Image.draft)."""
    book = make_resource("pl:iiif/big")
    page = add_file(
        book,
        kind=ResourceFile.Kind.PAGE,
        name="big.jpg",
        content=jpeg(4000, 6000),
        content_type="image/jpeg",
    )
    decoded = []
    original = Image.Image.convert

    def spy(image, *args, **kwargs):
        decoded.append(image.size)
        return original(image, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "convert", spy)
    plan = iiif.image_plan(
        region="full", size="400,", rotation="0", quality_format="default.jpg",
        width=4000, height=6000,
    )  # fmt: skip
    Image.open(io.BytesIO(iiif.render(page, plan)))
    assert decoded and max(decoded[0]) <= 1000


# --- access: the file door's decision, by place and identity ---------------------------------


def test_on_site_pages_are_refused_outside_and_served_inside(client):
    page = first_page(make_book("pl:iiif/onsite", access_level="on_site"))
    for path in (f"/iiif/image/{page.pk}/info.json", image_url(page)):
        refused = get(client, path, **{"Accept-Language": "en"})
        assert refused.status_code == 403
        assert refused["Access-Control-Allow-Origin"] == "*"
        assert json.loads(refused.body)["reason"] == "on_site"
        inside = get(client, path, address=CENTER_ADDRESS)
        assert inside.status_code == 200
        assert inside["Cache-Control"].startswith("private")
        assert "Cookie" in inside["Vary"]


def test_readers_pages_by_identity(client, reader_user, make_staff):
    page = first_page(make_book("pl:iiif/readers", access_level="readers"))
    info = f"/iiif/image/{page.pk}/info.json"
    anonymous = get(client, info)
    assert anonymous.status_code == 401
    assert json.loads(anonymous.body)["reason"] == "sign_in"
    client.force_login(confirm_reader(reader_user, confirmed=False))
    assert get(client, info).status_code == 403
    client.force_login(confirm_reader(make_staff("anna.smirnova")))
    assert get(client, info).status_code == 200
    assert get(client, image_url(page, "full/100,/0/default.jpg")).status_code == 200


def test_staff_only_and_withdrawn_pages(client):
    staff_page = first_page(make_book("pl:iiif/staff-only", access_level="staff"))
    assert get(client, image_url(staff_page)).status_code == 404
    gone = make_book("pl:iiif/withdrawn")
    gone.deleted_at = gone.modified_at
    gone.save()
    assert get(client, image_url(first_page(gone))).status_code == 410
    pdf = add_file(make_resource("pl:iiif/a-pdf"))
    assert get(client, f"/iiif/image/{pdf.pk}/info.json").status_code == 404


def test_usage_is_counted_once_per_page_view_not_per_tile(client):
    book = make_book()
    onsite = make_book("pl:iiif/counted-refusal", access_level="on_site")
    page = first_page(book)
    get(client, f"/iiif/image/{page.pk}/info.json")
    for rest in ("0,0,512,512/512,/0/default.jpg", "512,0,512,512/512,/0/default.jpg"):
        get(client, image_url(page, rest))
    get(client, f"/iiif/image/{first_page(onsite).pk}/info.json")
    get(client, image_url(first_page(onsite)))  # a refused tile: not counted either
    recorder.writer.close()
    spool_ingest()
    requests = list(
        UsageEvent.objects.filter(action=Action.REQUEST).values_list("resource_id", "granted")
    )
    assert sorted(requests) == sorted([(book.pk, True), (onsite.pk, False)])
