"""The collections' services: each rule once, and what every change does beside (audit row,
search index outbox, the OAI-PMH datestamp)."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from libranet.audit.models import AuditEntry
from libranet.resources.models import Resource, ResourceFile, SearchIndexChange
from libranet.resources.services import (
    ResourceError,
    ResourcePermissionError,
    collection_create,
    parse_date,
    resource_create,
    resource_delete,
    resource_file_add,
    resource_file_delete,
    resource_thumbnail_set,
    resource_update,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png(size=(40, 60), color="navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def make(**fields) -> Resource:
    fields.setdefault("identifier", "pl-000001")
    fields.setdefault("title_ru", "Сражение у Бортенева")
    fields.setdefault("type", Resource.Type.BOOK)
    fields.setdefault("access_level", "open")
    actor = fields.pop("actor", None)
    return resource_create(actor=actor, **fields)


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


# --- permission ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin_user", True),
        ("network_user", True),
        ("international_user", False),
        ("head_tver", False),
        ("operator_user", False),
        ("reader_user", False),
    ],
)
def test_only_the_network_department_and_administrators_edit_resources(request, role, allowed):
    user = request.getfixturevalue(role)
    if allowed:
        resource = make(actor=user)
        resource_update(actor=user, resource=resource, title_en="Battle")
        resource_delete(actor=user, resource=resource)
        collection_create(actor=user, code="power", name_ru="Власть")
    else:
        with pytest.raises(ResourcePermissionError):
            make(actor=user)
        with pytest.raises(ResourcePermissionError):
            collection_create(actor=user, code="power", name_ru="Власть")
        assert not Resource.objects.exists()


# --- creating -------------------------------------------------------------------------------


def test_create_records_audit_index_change_and_datestamp(network_user):
    power = collection_create(actor=None, code="power", name_ru="Государственная власть")
    resource = make(
        actor=network_user,
        creators=[" Карамзин, Н. М. ", "", "Карамзин, Н. М."],
        subjects=["Тверь", "Бортенево"],
        language="rus",
        date_text="1317",
        collections=[power],
    )
    assert resource.creators == ["Карамзин, Н. М."]
    assert resource.language == "ru"
    assert (resource.year_from, resource.year_to) == (1317, 1317)
    assert list(resource.collections.all()) == [power]
    assert resource.modified_at is not None
    assert SearchIndexChange.objects.filter(resource_id=resource.pk).exists()
    entry = AuditEntry.objects.get(action="resource.create")
    assert entry.actor == network_user and entry.object_id == str(resource.pk)


def test_collections_by_code_and_unknown_codes():
    collection_create(actor=None, code="power", name_ru="Власть")
    resource = make(collections=["power"])
    assert [c.code for c in resource.collections.all()] == ["power"]
    with pytest.raises(ResourceError) as excinfo:
        make(identifier="pl-2", collections=["power", "nowhere"])
    assert "nowhere" in excinfo.value.message_dict["collections"][0]


@pytest.mark.parametrize(
    ("identifier", "fragment"),
    [
        ("", "Give the resource’s identifier"),
        ("pl 0001", "not an identifier"),
        ("pl-\x07", "not an identifier"),
        ("пл-1", "not an identifier"),
        ("pl-1?x=1", "not an identifier"),
        ("x" * 201, "at most 200"),
    ],
)
def test_identifier_format(identifier, fragment):
    with pytest.raises(ResourceError) as excinfo:
        make(identifier=identifier)
    assert fragment in " ".join(excinfo.value.message_dict["identifier"])


def test_identifier_may_be_a_path_like_an_ark():
    assert make(identifier="ark:/12345/pl-1.2_a~b").identifier == "ark:/12345/pl-1.2_a~b"


def test_identifier_is_unique_and_never_reused():
    resource = make()
    with pytest.raises(ResourceError) as excinfo:
        make()
    assert "already used" in excinfo.value.message_dict["identifier"][0]
    resource_delete(actor=None, resource=resource)
    with pytest.raises(ResourceError) as excinfo:
        make()
    assert "never reused" in excinfo.value.message_dict["identifier"][0]


def test_every_error_at_once_by_field():
    with pytest.raises(ResourceError) as excinfo:
        make(title_ru=" ", type="novel", access_level="secret", language="xx", date_text="XIX")
    assert error_fields(excinfo) == {"title_ru", "type", "access_level", "language", "date_text"}
    assert "book, periodical" in excinfo.value.message_dict["type"][0]
    assert "“XIX” is not a date" in excinfo.value.message_dict["date_text"][0]


@pytest.mark.parametrize(
    ("code", "stored"),
    [("ru", "ru"), ("RUS", "ru"), ("ger", "de"), ("deu", "de"), ("chu", "cu"), ("zxx", "zxx")],
)
def test_language_is_an_iso_639_code_stored_short(code, stored):
    assert make(language=code).language == stored


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("1703-05-27", (1703, 1703)),
        ("27.05.1703", (1703, 1703)),
        ("1703-05", (1703, 1703)),
        ("1703", (1703, 1703)),
        ("988", (988, 988)),
        ("1700–1725", (1700, 1725)),
        ("1700-1725", (1700, 1725)),
        ("1700 — 1725", (1700, 1725)),
        ("1920s", (1920, 1929)),
        ("1920-е", (1920, 1929)),
        ("", (None, None)),
    ],
)
def test_dates_the_catalogue_writes(text, years):
    assert parse_date(text) == years


@pytest.mark.parametrize(
    "text",
    [
        *("XIX век", "около 1703", "31.02.1703", "1725–1700", "1703-13", "12", "99999", "3000"),
        *("١٧٠٣", "１７０３-０５", "1703-٠٥-27"),  # digits of other scripts
    ],
)
def test_other_dates_are_refused_on_the_date_field(text):
    with pytest.raises(ResourceError) as excinfo:
        parse_date(text)
    assert set(excinfo.value.message_dict) == {"date_text"}


def test_collection_codes_are_lowercase_slugs_and_unique():
    with pytest.raises(ResourceError) as excinfo:
        collection_create(actor=None, code="Power:presidents", name_ru="Президенты")
    assert "lowercase" in excinfo.value.message_dict["code"][0]
    power = collection_create(actor=None, code="power", name_ru="Власть")
    child = collection_create(actor=None, code="presidents", name_ru="Президенты", parent=power)
    assert child.parent == power
    with pytest.raises(ResourceError) as excinfo:
        collection_create(actor=None, code="power", name_ru="Другая")
    assert "already used" in excinfo.value.message_dict["code"][0]
    with pytest.raises(ResourceError) as excinfo:
        collection_create(actor=None, code="people", name_ru="")
    assert "name_ru" in excinfo.value.message_dict


# --- changing and deleting ------------------------------------------------------------------


def test_update_moves_the_datestamp_records_the_change_and_audits(admin_user):
    resource = make()
    before = resource.modified_at
    SearchIndexChange.objects.all().delete()
    updated = resource_update(
        actor=admin_user, resource=resource, title_en="The Battle of Bortenev", date_text="1317"
    )
    assert updated.modified_at > before
    assert Resource.objects.get(pk=resource.pk).title_en == "The Battle of Bortenev"
    assert SearchIndexChange.objects.filter(resource_id=resource.pk).count() == 1
    entry = AuditEntry.objects.get(action="resource.update")
    assert entry.changes["title_en"] == ["", "The Battle of Bortenev"]
    assert entry.actor == admin_user


def test_an_update_that_changes_nothing_writes_nothing():
    power = collection_create(actor=None, code="power", name_ru="Власть")
    resource = make(collections=[power], subjects=["Тверь"])
    SearchIndexChange.objects.all().delete()
    same = resource_update(
        actor=None,
        resource=resource,
        title_ru=resource.title_ru,
        subjects=["Тверь"],
        collections=["power"],
    )
    assert same.modified_at == resource.modified_at
    assert not SearchIndexChange.objects.exists()
    assert not AuditEntry.objects.filter(action="resource.update").exists()


def test_the_identifier_is_persistent():
    resource = make()
    with pytest.raises(ResourceError) as excinfo:
        resource_update(actor=None, resource=resource, identifier="pl-other")
    assert "persistent" in excinfo.value.message_dict["identifier"][0]
    with pytest.raises(TypeError):
        resource_update(actor=None, resource=resource, year_from=1)


def test_a_bad_update_changes_nothing():
    resource = make(date_text="1317")
    with pytest.raises(ResourceError):
        resource_update(actor=None, resource=resource, date_text="вчера", title_en="x")
    stored = Resource.objects.get(pk=resource.pk)
    assert (stored.date_text, stored.title_en, stored.year_from) == ("1317", "", 1317)


def test_delete_is_soft_and_moves_the_datestamp(network_user):
    resource = make()
    SearchIndexChange.objects.all().delete()
    resource_delete(actor=network_user, resource=resource)
    stored = Resource.objects.get(pk=resource.pk)
    assert stored.deleted_at is not None and stored.modified_at >= stored.deleted_at
    assert stored.modified_at > resource.modified_at
    assert SearchIndexChange.objects.filter(resource_id=resource.pk).exists()
    assert AuditEntry.objects.filter(action="resource.delete", actor=network_user).exists()
    assert not Resource.objects.live().exists()
    # Withdrawn for good: a second delete changes nothing, an update is refused.
    assert resource_delete(actor=None, resource=stored).modified_at == stored.modified_at
    with pytest.raises(ResourceError):
        resource_update(actor=None, resource=stored, title_en="x")


# --- files -----------------------------------------------------------------------------------


def test_a_file_is_stored_outside_any_public_url_with_its_type_and_size():
    resource = make()
    before = resource.modified_at
    SearchIndexChange.objects.all().delete()
    stored = resource_file_add(
        actor=None, resource=resource, kind="pdf", name="../../etc/Бортенево 1317.pdf", content=PDF
    )
    assert stored.file.name.startswith(f"resources/{resource.pk}/")
    assert ".." not in stored.file.name
    assert stored.content_type == "application/pdf" and stored.size == len(PDF)
    assert stored.position == 1 and stored.extracted_text == ""
    with default_storage.open(stored.file.name) as handle:
        assert handle.read() == PDF
    assert Resource.objects.get(pk=resource.pk).modified_at > before
    assert SearchIndexChange.objects.filter(resource_id=resource.pk).exists()
    assert AuditEntry.objects.filter(action="resource.file_add").exists()
    page = resource_file_add(
        actor=None, resource=resource, kind="page", name="p1.png", content=io.BytesIO(png())
    )
    assert (page.position, page.content_type) == (2, "image/png")


@pytest.mark.parametrize(
    ("kind", "name", "content", "field"),
    [
        ("pdf", "a.pdf", b"not a pdf at all", "file"),  # the name says PDF, the bytes do not
        ("page", "a.png", PDF, "file"),
        ("page", "a.png", b"\x89PNG\r\n\x1a\nbroken", "file"),
        ("audio", "a.pdf", PDF, "file"),
        ("scroll", "a.pdf", PDF, "kind"),
        ("pdf", "a.pdf", b"", "file"),
    ],
)
def test_a_file_must_fit_its_kind(kind, name, content, field):
    resource = make()
    with pytest.raises(ResourceError) as excinfo:
        resource_file_add(actor=None, resource=resource, kind=kind, name=name, content=content)
    assert field in excinfo.value.message_dict
    assert not ResourceFile.objects.exists()


def test_wav_audio_is_recognized():
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 800)
    stored = resource_file_add(
        actor=None, resource=make(), kind="audio", name="speech", content=buffer.getvalue()
    )
    assert stored.content_type == "audio/wav"


def test_deleting_a_file_removes_its_bytes_once_committed(django_capture_on_commit_callbacks):
    resource = make()
    stored = resource_file_add(actor=None, resource=resource, kind="pdf", name="a.pdf", content=PDF)
    name = stored.file.name
    with django_capture_on_commit_callbacks(execute=True):
        resource_file_delete(actor=None, file=stored)
    assert not default_storage.exists(name)
    assert not resource.files.exists()


def test_thumbnail_is_scaled_and_replaced(django_capture_on_commit_callbacks):
    resource = make()
    resource_thumbnail_set(actor=None, resource=resource, content=png((1200, 800)))
    resource.refresh_from_db()
    first = resource.thumbnail.name
    with default_storage.open(first) as handle, Image.open(handle) as image:
        assert image.format == "JPEG" and image.size == (320, 213)
    with django_capture_on_commit_callbacks(execute=True):
        resource_thumbnail_set(actor=None, resource=resource, content=png(color="red"))
    assert not default_storage.exists(first)
    with django_capture_on_commit_callbacks(execute=True):
        resource_thumbnail_set(actor=None, resource=resource, content=None)
    resource.refresh_from_db()
    assert not resource.thumbnail
    with pytest.raises(ResourceError):
        resource_thumbnail_set(actor=None, resource=resource, content=b"no image")


def test_no_change_to_a_withdrawn_resource_files():
    resource = make()
    resource_delete(actor=None, resource=resource)
    with pytest.raises(ResourceError):
        resource_file_add(actor=None, resource=resource, kind="pdf", name="a.pdf", content=PDF)
