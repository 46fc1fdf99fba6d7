"""The text of PDF files: extracted when a file is added (bounded, and never an error), stored,
and found by the search on both backends as a lower-weighted field with a snippet."""

import io
import logging
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from PIL import Image
from pypdf import PdfReader, PdfWriter

from libranet.network.places import OUTSIDE
from libranet.resources import pdf
from libranet.resources.demo.files import text_pdf
from libranet.resources.importing import ZipSource, import_resources, read_batch
from libranet.resources.models import ResourceFile
from libranet.resources.search import index_apply_changes, search
from libranet.resources.services import resource_create, resource_file_add

pytestmark = pytest.mark.django_db

BOOK_TEXT = (
    "Особое внимание уделено переписке губернатора с уездными исправниками и земскими "
    "управами. Приложены таблицы ярмарочной торговли."
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(params=["tantivy", "postgres"])
def backend(request, settings):
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the postgres backend runs on PostgreSQL (DATABASE_URL)")
    settings.LIBRANET_SEARCH_BACKEND = request.param
    return request.param


def make(identifier: str, title: str, **fields):
    fields.setdefault("type", "book")
    fields.setdefault("access_level", "open")
    return resource_create(actor=None, identifier=identifier, title_ru=title, **fields)


def add_pdf(resource, content: bytes):
    return resource_file_add(
        actor=None, resource=resource, kind="pdf", name="book.pdf", content=content
    )


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


def encrypted(content: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    writer.encrypt("only-the-owner-knows", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_the_text_of_a_pdf_is_stored_with_its_file():
    resource = make("pl-1", "Губернские ведомости")
    stored = add_pdf(resource, text_pdf([["Глава первая", BOOK_TEXT], ["Вторая страница"]]))
    assert "исправниками" in stored.extracted_text
    assert stored.extracted_text.endswith("Вторая страница")
    page = resource_file_add(
        actor=None, resource=resource, kind="page", name="p.png", content=png()
    )
    assert page.extracted_text == ""  # only PDFs have text to read


def test_a_long_pdf_is_read_only_so_far(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PAGES", 2)
    content = text_pdf([[f"Страница {n}"] for n in range(1, 6)])
    text = add_pdf(make("pl-1", "Толстая книга"), content).extracted_text
    assert text == "Страница 1\nСтраница 2"
    monkeypatch.setattr(pdf, "MAX_CHARACTERS", 12)
    assert pdf.pdf_text(io.BytesIO(content)) == "Страница 1\nС"


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\nthis is no PDF at all\n%%EOF\n",
        text_pdf([["Обрезанный файл", BOOK_TEXT]])[:300],
        encrypted(text_pdf([["Зашифровано", BOOK_TEXT]])),
    ],
    ids=["garbage", "truncated", "encrypted"],
)
def test_a_pdf_that_cannot_be_read_is_stored_without_text(content, caplog):
    resource = make("pl-1", "Повреждённый файл")
    with caplog.at_level(logging.WARNING, logger="libranet.resources.pdf"):
        stored = add_pdf(resource, content)
    assert stored.pk and stored.size == len(content)
    assert stored.extracted_text == ""
    assert "cannot be read" in caplog.text and "pl-1/book.pdf" in caplog.text


def found(query: str):
    return search(query=query, user=AnonymousUser(), place=OUTSIDE).hits


def test_a_word_only_inside_a_pdf_finds_its_resource_with_a_snippet(backend):
    resource = make("pl-1", "Губернские ведомости", description_ru="Газета губернии.")
    add_pdf(resource, text_pdf([["Глава первая", BOOK_TEXT]]))
    make("pl-2", "Другая газета")
    index_apply_changes()
    (hit,) = found("исправник")  # «исправниками» in the PDF only, found by its stem
    assert hit.identifier == "pl-1"
    assert "<mark>исправниками</mark>" in hit.snippet


def test_a_match_in_a_pdf_weighs_less_than_one_in_the_metadata(backend):
    in_text = make("pl-1", "Сборник документов")
    add_pdf(in_text, text_pdf([[BOOK_TEXT]]))
    make("pl-2", "Ярмарочная торговля", description_ru="Очерки.")
    index_apply_changes()
    assert [hit.identifier for hit in found("ярмарочной торговли")] == ["pl-2", "pl-1"]


def test_an_import_reads_the_text_and_a_broken_pdf_fails_nothing(caplog):
    csv = (
        "identifier,title_ru,type,access_level,files\n"
        "pl-1,Ведомости,periodical,open,vedomosti.pdf\n"
        "pl-2,Повреждённый,book,open,broken.pdf\n"
    )
    members = {
        "vedomosti.pdf": text_pdf([[BOOK_TEXT]]),
        "broken.pdf": b"%PDF-1.4\nnot really\n%%EOF\n",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    with caplog.at_level(logging.WARNING, logger="libranet.resources.pdf"):
        report = import_resources(
            actor=None, batch=read_batch(csv.encode()), files=ZipSource(buffer)
        )
    assert report.ok and (report.created, report.files) == (2, 2), report.errors
    texts = dict(ResourceFile.objects.values_list("resource__identifier", "extracted_text"))
    assert "исправниками" in texts["pl-1"] and texts["pl-2"] == ""
    assert "pl-2/broken.pdf" in caplog.text
