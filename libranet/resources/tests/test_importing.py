"""Importing resources: CSV, Dublin Core and MARCXML made here, files from a folder or a ZIP
archive, all or nothing with the failing rows named, idempotent by identifier."""

import io
import zipfile

import pymarc
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from libranet.audit.models import AuditEntry
from libranet.resources.importing import (
    FolderSource,
    ImportFileError,
    ZipSource,
    detect_format,
    import_resources,
    read_batch,
)
from libranet.resources.models import Resource, ResourceFile, SearchIndexChange
from libranet.resources.services import ResourcePermissionError
from libranet.resources.tests.conftest import png

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
HEADER = (
    "identifier,title_ru,title_en,creators,date,type,subjects,language,description_ru,"
    "description_en,collections,rights,access_level,files\n"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def archive(members: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    buffer.seek(0)
    return buffer


def run(content, *, files=None, actor=None, **options):
    data = content.encode() if isinstance(content, str) else content
    return import_resources(actor=actor, batch=read_batch(data), files=files, **options)


def stored_files() -> list[str]:
    root = default_storage.path("resources")
    import os

    return [name for _dirs, _sub, names in os.walk(root) for name in names]


CSV = HEADER + (
    "pl-1317,Сражение у Бортенева,Battle of Bortenev,Карамзин Н. М.;Соловьёв С. М.,1317,book,"
    "Тверь;Бортенево,rus,Битва тверского князя,,power;presidents,Общественное достояние,open,"
    "bortenev.pdf;scans/p1.png\n"
    'pl-tarkhany,"Тарханы, усадьба",,,1920s,photograph,Лермонтов,ru,,,territory,,on_site,\n'
)


def test_csv_with_files_from_a_zip(collections):
    report = run(CSV, files=ZipSource(archive({"bortenev.pdf": PDF, "scans/p1.png": png()})))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.files) == (2, 0, 2)
    battle = Resource.objects.get(identifier="pl-1317")
    assert battle.title_en == "Battle of Bortenev"
    assert battle.creators == ["Карамзин Н. М.", "Соловьёв С. М."]
    assert battle.subjects == ["Тверь", "Бортенево"] and battle.language == "ru"
    assert sorted(c.code for c in battle.collections.all()) == ["power", "presidents"]
    assert [(f.kind, f.position) for f in battle.files.all()] == [("pdf", 1), ("page", 2)]
    assert battle.thumbnail.name.startswith("thumbnails/")
    tarkhany = Resource.objects.get(identifier="pl-tarkhany")
    assert (tarkhany.year_from, tarkhany.year_to, tarkhany.access_level) == (1920, 1929, "on_site")
    assert tarkhany.title_ru == "Тарханы, усадьба"


def test_reimport_is_idempotent_and_an_edit_updates(collections):
    files = {"bortenev.pdf": PDF, "scans/p1.png": png()}
    assert run(CSV, files=ZipSource(archive(files))).ok
    audits, changes = AuditEntry.objects.count(), SearchIndexChange.objects.count()
    stamp = Resource.objects.get(identifier="pl-1317").modified_at
    again = run(CSV, files=ZipSource(archive(files)))
    assert (again.created, again.updated, again.unchanged, again.files) == (0, 0, 2, 0)
    assert AuditEntry.objects.count() == audits and SearchIndexChange.objects.count() == changes
    assert Resource.objects.get(identifier="pl-1317").modified_at == stamp
    assert ResourceFile.objects.count() == 2
    # A changed title updates that resource; changed bytes replace its files.
    edited = CSV.replace("Battle of Bortenev", "The Battle of Bortenev")
    report = run(edited, files=ZipSource(archive({**files, "scans/p1.png": png("red")})))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert Resource.objects.get(identifier="pl-1317").title_en == "The Battle of Bortenev"
    assert ResourceFile.objects.count() == 2


def test_a_missing_column_leaves_that_field_as_it_is(collections):
    assert run(CSV, files=ZipSource(archive({"bortenev.pdf": PDF, "scans/p1.png": png()}))).ok
    report = run("identifier;title_ru;type\npl-1317;Битва при Бортеневе;book\n")
    assert report.ok and report.updated == 1
    battle = Resource.objects.get(identifier="pl-1317")
    assert battle.title_ru == "Битва при Бортеневе" and battle.title_en == "Battle of Bortenev"
    assert battle.files.count() == 2 and battle.access_level == "open"


def test_one_bad_row_writes_nothing_and_names_the_row(collections):
    content = HEADER + (
        "pl-a,Хорошая,,,1703,book,,ru,,,,,open,a.pdf\n"
        "pl b,Плохая,,,XIX век,novel,,xx,,,nowhere,,,\n"
        "pl-c,Хорошая,,,1700–1725,map,,ru,,,,,open,missing.pdf\n"
    )
    report = run(content, files=ZipSource(archive({"a.pdf": PDF})))
    assert not report.ok
    assert (report.created, report.files) == (0, 0)
    by_row = {}
    for error in report.errors:
        by_row.setdefault(error.row, set()).add(error.column)
    assert by_row == {
        3: {"identifier", "date", "type", "language", "collections", "access_level"},
        4: {"files"},
    }
    assert not Resource.objects.exists()
    assert stored_files() == []  # pl-a's file was written, then removed with the rollback


def test_rows_are_numbered_as_lines_of_the_file():
    content = (
        HEADER + '\n"pl-1",Два,,,,book,,,"строка\nвторая",,,,open,\npl-2,Три,,,1,book,,,,,,,,\n'
    )
    report = run(content)
    assert [(e.row, e.column) for e in report.errors] == [(5, "date"), (5, "access_level")]


def test_the_import_default_access_level_and_collection(collections):
    report = run(
        "identifier,title_ru,type\npl-1,Один,book\n", access_level="readers", collection="power"
    )
    assert report.ok
    resource = Resource.objects.get(identifier="pl-1")
    assert resource.access_level == "readers"
    assert [c.code for c in resource.collections.all()] == ["power"]
    with pytest.raises(ImportFileError):
        run("identifier,title_ru,type\npl-2,Два,book\n", collection="nowhere")


def test_duplicates_and_withdrawn_identifiers():
    report = run("identifier,title_ru,type,access_level\npl-1,А,book,open\npl-1,Б,book,open\n")
    assert [(e.row, e.message) for e in report.errors] == [(3, "Identifier pl-1 is also in row 2.")]
    assert run("identifier,title_ru,type,access_level\npl-1,А,book,open\n").ok
    from libranet.resources.services import resource_delete

    resource_delete(actor=None, resource=Resource.objects.get(identifier="pl-1"))
    report = run("identifier,title_ru,type,access_level\npl-1,А,book,open\n")
    assert "never reused" in report.errors[0].message


def test_only_those_who_edit_resources_import(head_tver, network_user):
    content = "identifier,title_ru,type,access_level\npl-1,А,book,open\n"
    with pytest.raises(ResourcePermissionError):
        run(content, actor=head_tver)
    assert run(content, actor=network_user).ok


# --- Dublin Core ----------------------------------------------------------------------------

DC = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
 <ListRecords>
  <record><header><identifier>oai:x:1</identifier></header><metadata>
   <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
              xmlns:dc="http://purl.org/dc/elements/1.1/"
              xmlns:libranet="urn:libranet:import">
    <dc:identifier>pl-ulan-bator</dc:identifier>
    <dc:title xml:lang="ru">Русский центр в Улан-Баторе</dc:title>
    <dc:title xml:lang="en">The Russian center in Ulan Bator</dc:title>
    <dc:creator>Россотрудничество</dc:creator>
    <dc:date>2019-09-03T10:00:00Z</dc:date>
    <dc:type>StillImage</dc:type>
    <dc:subject>Монголия</dc:subject>
    <dc:subject>Улан-Батор</dc:subject>
    <dc:language>ru-RU</dc:language>
    <dc:description>Фотографии открытия</dc:description>
    <dc:rights>CC BY 4.0</dc:rights>
    <libranet:collection>territory</libranet:collection>
    <libranet:accessLevel>readers</libranet:accessLevel>
    <libranet:file>photo.png</libranet:file>
   </oai_dc:dc>
  </metadata></record>
  <record><header><identifier>oai:x:2</identifier></header><metadata>
   <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
              xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier>pl-esia</dc:identifier>
    <dc:title>ЕСИА: расширенный доступ</dc:title>
    <dc:date>2020</dc:date>
   </oai_dc:dc>
  </metadata></record>
 </ListRecords>
</OAI-PMH>
"""


def test_dublin_core_records(collections, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "photo.png").write_bytes(png())
    assert detect_format(DC.encode()) == "dc"
    report = run(DC, files=FolderSource(folder), access_level="open")
    assert report.ok, report.errors
    assert report.unit == "record" and report.created == 2
    center = Resource.objects.get(identifier="pl-ulan-bator")
    assert center.title_en == "The Russian center in Ulan Bator"
    assert (center.type, center.language, center.access_level) == ("photograph", "ru", "readers")
    assert center.date_text == "2019-09-03" and center.subjects == ["Монголия", "Улан-Батор"]
    assert [c.code for c in center.collections.all()] == ["territory"]
    assert center.files.get().kind == "page"
    esia = Resource.objects.get(identifier="pl-esia")
    assert (esia.type, esia.access_level, esia.title_ru) == (
        "other",
        "open",
        "ЕСИА: расширенный доступ",
    )


def test_dublin_core_errors_name_the_record_and_element(collections):
    plain = DC.replace("<libranet:file>photo.png</libranet:file>", "").replace(
        "<dc:date>2020</dc:date>", "<dc:date>давно</dc:date><dc:type>Scroll</dc:type>"
    )
    report = run(plain)  # no default access level: the second record has none
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "dc:type"),
    ]
    plain = plain.replace("<dc:type>Scroll</dc:type>", "")
    report = run(plain)
    assert {(e.row, e.column) for e in report.errors} == {
        (2, "dc:date"),
        (2, "libranet:accessLevel"),
    }
    assert not Resource.objects.exists()


# --- MARCXML --------------------------------------------------------------------------------


def marc_record(control="pl-marc-1", leader="00000nam a2200000 i 4500", **extra):
    record = pymarc.Record(leader=leader)
    if control:
        record.add_field(pymarc.Field(tag="001", data=control))
    record.add_field(pymarc.Field(tag="008", data="200101s1913    ru            000 0 rus d"))

    def data_field(tag, *pairs):
        subfields = [pymarc.Subfield(code, value) for code, value in pairs]
        record.add_field(
            pymarc.Field(tag=tag, indicators=pymarc.Indicators("1", "0"), subfields=subfields)
        )

    data_field("100", ("a", "Пушкин, А. С."))
    data_field("245", ("a", "Тарханы :"), ("b", "усадьба Лермонтова /"), ("c", "сост. И. И."))
    data_field("242", ("a", "Tarkhany :"), ("b", "Lermontov's estate."), ("y", "eng"))
    data_field("260", ("a", "Пенза :"), ("b", "Изд-во"), ("c", "[1913]."))
    data_field("650", ("a", "Лермонтов, Михаил Юрьевич"), ("x", "Места памятные."))
    data_field("651", ("a", "Пензенская губерния"))
    data_field("520", ("a", "Описание усадьбы."))
    data_field("540", ("a", "Общественное достояние"))
    data_field("700", ("a", "Висковатов, П. А.,"))
    data_field("856", ("u", "scans/tarkhany.pdf"), ("y", "Полный текст"))
    data_field("856", ("u", "https://example.org/elsewhere"))
    for tag, pairs in extra.items():
        data_field(tag.lstrip("_"), *pairs)
    return record


def marcxml(*records) -> bytes:
    body = b"".join(pymarc.record_to_xml(r) for r in records)
    return b'<collection xmlns="http://www.loc.gov/MARC21/slim">' + body + b"</collection>"


def test_marcxml_records(collections):
    no_001 = marc_record(control="", leader="00000nas a2200000 i 4500", _035=[("a", "pl-serial")])
    data = marcxml(marc_record(), no_001)
    assert detect_format(data) == "marcxml"
    report = run(
        data,
        files=ZipSource(archive({"scans/tarkhany.pdf": PDF})),
        access_level="on_site",
        collection="territory",
    )
    assert report.ok, report.errors
    book = Resource.objects.get(identifier="pl-marc-1")
    assert book.title_ru == "Тарханы: усадьба Лермонтова"
    assert book.title_en == "Tarkhany: Lermontov's estate"
    assert book.creators == ["Пушкин, А. С.", "Висковатов, П. А."]
    assert (book.date_text, book.year_from, book.type) == ("1913", 1913, "book")
    assert book.subjects == ["Лермонтов, Михаил Юрьевич -- Места памятные", "Пензенская губерния"]
    assert (book.language, book.description_ru, book.rights) == (
        "ru",
        "Описание усадьбы.",
        "Общественное достояние",
    )
    assert book.access_level == "on_site"
    assert [c.code for c in book.collections.all()] == ["territory"]
    assert [(f.kind, f.label) for f in book.files.all()] == [("pdf", "Полный текст")]
    assert Resource.objects.get(identifier="pl-serial").type == "periodical"


@pytest.mark.parametrize(
    ("leader_type", "expected"),
    [
        ("t", "manuscript"),
        ("e", "map"),
        ("j", "sound"),
        ("g", "video"),
        ("k", "photograph"),
        ("p", "archival"),
        ("r", "other"),
    ],
)
def test_marc_type_from_the_leader(leader_type, expected):
    leader = f"00000n{leader_type}m a2200000 i 4500"
    report = run(
        marcxml(marc_record(leader=leader)),
        files=ZipSource(archive({"scans/tarkhany.pdf": PDF})),
        access_level="open",
    )
    assert report.ok, report.errors
    assert Resource.objects.get().type == expected


def test_a_bad_marc_record_is_named_by_its_place():
    bad = marc_record(control="pl-marc-2")
    bad.remove_fields("260")
    bad.add_field(
        pymarc.Field(
            tag="260",
            indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("c", "при Петре")],
        )
    )
    report = run(
        marcxml(marc_record(), bad),
        files=ZipSource(archive({"scans/tarkhany.pdf": PDF})),
        access_level="open",
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "260$c")]


# --- the files' sources -------------------------------------------------------------------------


def test_zip_slip_is_refused():
    with pytest.raises(ImportFileError) as excinfo:
        ZipSource(archive({"../../evil.pdf": PDF}))
    assert "unsafe path" in excinfo.value.messages[0]
    with pytest.raises(ImportFileError):
        ZipSource(archive({"/etc/evil.pdf": PDF}))
    report = run(
        "identifier,title_ru,type,access_level,files\npl-1,А,book,open,../a.pdf\n",
        files=ZipSource(archive({"a.pdf": PDF})),
    )
    assert "not a path inside" in report.errors[0].message


def test_a_folder_is_not_left_by_a_path_or_a_link(tmp_path):
    inside = tmp_path / "files"
    inside.mkdir()
    (tmp_path / "secret.pdf").write_bytes(PDF)
    (inside / "link.pdf").symlink_to(tmp_path / "secret.pdf")
    source = FolderSource(inside)
    for path in ("../secret.pdf", "link.pdf", "/etc/passwd", "C:\\secret.pdf"):
        with pytest.raises(ImportFileError):
            source.open(path)


def test_a_zip_bomb_is_refused():
    with pytest.raises(ImportFileError) as excinfo:
        ZipSource(archive({"bomb.pdf": b"\x00" * (20 * 1024 * 1024)}))
    assert "zip bomb" in excinfo.value.messages[0]
    with pytest.raises(ImportFileError):
        ZipSource(io.BytesIO(b"not a zip"))


def test_files_named_without_a_source_or_of_an_unknown_kind():
    content = "identifier,title_ru,type,access_level,files\npl-1,А,book,open,a.docx\n"
    assert "no folder or archive" in run(content).errors[0].message
    report = run(content, files=ZipSource(archive({"a.docx": b"PK\x03\x04 word"})))
    assert "neither a PDF" in report.errors[0].message


# --- refused files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"%PDF-1.4 binary", "neither CSV"),
        (b"PK\x03\x04xlsx", "neither CSV"),
        ("identifier,title_ru,type\nпл,Кириллица,book\n".encode("cp1251"), "neither CSV"),
        (b"<root><item/></root>", "but neither Dublin Core"),
        (HEADER.encode(), "no rows"),
        (b"identifier,name\nA,B\n", "Missing required columns: title_ru, type"),
        (b"identifier,title_ru,type,size\nA,B,book,1\n", "Unknown columns: size"),
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><r xmlns:dc="http://purl.org/dc/elements/1.1/"/>',
            "DOCTYPE",
        ),
        (b'<r xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>x</r>', "cannot be read"),
        (b'<r xmlns:dc="http://purl.org/dc/elements/1.1/"></r>', "no Dublin Core records"),
        (b'<collection xmlns="http://www.loc.gov/MARC21/slim"></collection>', "no MARC records"),
    ],
)
def test_wrong_files_are_refused_clearly(content, fragment):
    with pytest.raises(ImportFileError) as excinfo:
        read_batch(content)
    assert fragment in " ".join(excinfo.value.messages)


def test_a_format_given_is_used():
    with pytest.raises(ImportFileError):
        read_batch(b"identifier,title_ru,type\n", format="marc")
    with pytest.raises(ImportFileError) as excinfo:
        read_batch(b"identifier,title_ru,type\na,b,book\n", format="dc")
    assert "cannot be read" in excinfo.value.messages[0]


# --- the command ------------------------------------------------------------------------------


def test_the_command_imports_with_a_progress_bar(collections, tmp_path, capsys):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "bortenev.pdf").write_bytes(PDF)
    (tmp_path / "files" / "scans").mkdir()
    (tmp_path / "files" / "scans" / "p1.png").write_bytes(png())
    (tmp_path / "batch.csv").write_text(CSV)
    call_command(
        "import_resources", str(tmp_path / "batch.csv"), "--files", str(tmp_path / "files")
    )
    out = capsys.readouterr().out
    assert "2 rows of csv" in out and "[" + "#" * 30 + "] 2/2" in out
    assert "created 2, updated 0, unchanged 0; 2 files stored" in out
    assert Resource.objects.count() == 2


def test_the_command_lists_errors_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "batch.csv").write_text("identifier,title_ru,type\npl-1,А,book\npl-2,Б,scroll\n")
    with pytest.raises(CommandError) as excinfo:
        call_command("import_resources", str(tmp_path / "batch.csv"), "--access-level", "open")
    assert "1 error; nothing was imported" in str(excinfo.value)
    assert "row 3, type: Unknown value “scroll”" in capsys.readouterr().err
    assert not Resource.objects.exists()
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_resources", str(tmp_path / "nothing.csv"))
    with pytest.raises(CommandError, match="neither CSV"):
        (tmp_path / "x.bin").write_bytes(b"%PDF-1.4")
        call_command("import_resources", str(tmp_path / "x.bin"))
