"""The back office's resource import: who may use it, and the door's wiring (the rules are
tested in libranet/resources/tests/test_importing.py)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from libranet.resources.models import Resource
from libranet.resources.services import collection_create

pytestmark = pytest.mark.django_db

URL = "/en/office/resources/import/"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ROLES = [
    "admin_user",
    "network_user",
    "international_user",
    "head_tver",
    "operator_user",
    "reader_user",
    None,
]
EDITORS = {"admin_user", "network_user"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("role", ROLES)
def test_the_page_by_role(request, client, role):
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.get(URL)
    posted = client.post(URL, {"file": upload("r.csv", b"identifier,title_ru,type\n")})
    if role is None:
        assert response.status_code == 302 and "/accounts/login/" in response.headers["Location"]
        assert posted.status_code == 302
    else:
        expected = 200 if role in EDITORS else 403
        assert (response.status_code, posted.status_code) == (expected, expected), role
    if role in EDITORS:
        assert 'href="/en/office/resources/import/"' in response.content.decode()
    elif role:
        dashboard = client.get("/en/office/").content.decode()
        assert "/office/resources/import/" not in dashboard


def test_import_csv_with_an_archive_of_files(client, network_user, run_import):
    collection_create(actor=None, code="territory", name_ru="Территория России")
    client.force_login(network_user)
    content = (
        "identifier;title_ru;type;files;collections\n"
        "pl-tyumen;Тюменская область;book;docs/tyumen.pdf;\n"
        "pl-esia;Памятка ЕСИА;other;;\n"
    ).encode()
    response = run_import(
        URL,
        {
            "file": upload("batch.csv", content),
            "archive": upload("files.zip", zipped({"docs/tyumen.pdf": PDF})),
            "access_level": "readers",
            "collection": "territory",
        },
    )
    assert response.status_code == 302
    followed = client.get(response.headers["Location"]).content.decode()
    assert "Created: 2, updated: 0, unchanged: 0; files stored: 1." in followed
    tyumen = Resource.objects.get(identifier="pl-tyumen")
    assert tyumen.access_level == "readers" and tyumen.files.count() == 1
    assert [c.code for c in tyumen.collections.all()] == ["territory"]
    assert '<option value="territory">' in client.get(URL).content.decode()


def test_one_bad_row_imports_nothing_and_the_page_names_it(client, admin_user, run_import):
    client.force_login(admin_user)
    content = (
        "identifier,title_ru,type,date,access_level\n"
        "pl-1,Хорошая,book,1703,open\n"
        "pl-2,<b>Плохая</b>,book,при Петре,open\n"
    ).encode()
    page = client.get(run_import(URL, {"file": upload("r.csv", content)}).headers["Location"])
    assert [(e.row, e.column) for e in page.context["report"].errors] == [(3, "date")]
    html = page.content.decode()
    assert "1 error; nothing was imported" in html and "“при Петре” is not a date" in html
    assert "<b>Плохая</b>" not in html
    assert not Resource.objects.exists()


def test_dublin_core_reports_records(client, admin_user, run_import):
    client.force_login(admin_user)
    content = (
        b'<records xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b"<record><dc:identifier>pl-1</dc:identifier><dc:title>A</dc:title></record>"
        b"<record><dc:identifier>pl-2</dc:identifier><dc:title>B</dc:title>"
        b"<dc:type>Scroll</dc:type></record></records>"
    )
    response = run_import(URL, {"file": upload("r.xml", content), "access_level": "open"})
    html = client.get(response.headers["Location"]).content.decode()
    assert ">Element</th>" in html and ">dc:type<" in html
    response = run_import(
        URL, {"file": upload("r.xml", content.replace(b"Scroll", b"Text")), "access_level": "open"}
    )
    assert response.status_code == 302 and Resource.objects.count() == 2


@pytest.mark.parametrize(
    ("files", "field", "fragment"),
    [
        ({"file": upload("r.pdf", PDF)}, "file", "neither CSV"),
        ({"file": upload("r.xlsx", b"PK\x03\x04workbook")}, "file", "neither CSV"),
        ({"file": upload("r.csv", b"")}, "file", "empty"),
        ({"file": upload("r.csv", b"identifier,title_ru\n")}, "file", "Missing required"),
        (
            {
                "file": upload("r.csv", b"identifier,title_ru,type\npl-1,A,book\n"),
                "archive": upload("f.zip", zipped({"../../etc/x.pdf": PDF})),
            },
            "archive",
            "unsafe path",
        ),
        (
            {
                "file": upload("r.csv", b"identifier,title_ru,type\npl-1,A,book\n"),
                "archive": upload("f.zip", b"not a zip"),
            },
            "archive",
            "not a ZIP",
        ),
    ],
)
def test_files_that_cannot_be_imported_are_refused_on_the_form(
    client, admin_user, files, field, fragment
):
    client.force_login(admin_user)
    response = client.post(URL, files)
    assert response.status_code == 200
    assert fragment in " ".join(response.context["form"].errors[field])
    assert not Resource.objects.exists()


def test_a_file_over_the_upload_limit_is_refused(client, admin_user, settings):
    settings.LIBRANET_UPLOAD_MAX_BYTES = 512 * 1024
    client.force_login(admin_user)
    content = b"identifier,title_ru,type\n" + b"x" * (600 * 1024)
    response = client.post(URL, {"file": upload("r.csv", content)})
    assert "0.5 MB" in " ".join(response.context["form"].errors["file"])
    small = b"identifier,title_ru,type\npl-1,A,book\n"
    response = client.post(
        URL, {"file": upload("r.csv", small), "archive": upload("f.zip", b"x" * (600 * 1024))}
    )
    assert "0.5 MB" in " ".join(response.context["form"].errors["archive"])
