"""Centers to and from CSV/XLSX: reading files, all-or-nothing imports, round trips, formulas."""

import io
import zipfile

import openpyxl
import pytest

from libranet.network.importexport import (
    CENTER_COLUMNS,
    ImportFileError,
    export_rows,
    guard_formula,
    import_centers,
    read_table,
    write_csv,
    write_xlsx,
)
from libranet.network.models import Center, Institution

pytestmark = pytest.mark.django_db
Kind, Status = Center.Kind, Center.Status
HEADER = ",".join(CENTER_COLUMNS)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The role fixtures create users with passwords; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def registry(tver_rc, make_center):
    remote = make_center(
        code="RU-TVE-0001",
        name_ru="ЦУД, «Тверь» — библиотека",
        address='ул. "Советская", 1',
        latitude="56.858700",
        longitude="35.900600",
        phone="+7 (4822) 34-56-78",
        hours='=HYPERLINK("http://evil")',
        networks=["198.51.100.0/25", "2001:db8::/48"],
        opened_on="2019-05-01",
    )
    foreign = make_center(
        kind=Kind.FOREIGN,
        code="MN-01",
        name_ru="Центр в Улан-Баторе",
        longitude="-3.7",
        latitude="40",
    )
    return {"tver_rc": tver_rc, "remote": remote, "foreign": foreign}


def table(text: str) -> list:
    return read_table(io.BytesIO(text.encode("utf-8")))


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_export_imports_back_unchanged(admin_user, registry):
    before = write_csv(export_rows(Center.objects.order_by("code")))
    report = import_centers(actor=admin_user, rows=read_table(io.BytesIO(before)))
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert write_csv(export_rows(Center.objects.order_by("code"))) == before


def test_xlsx_export_imports_back_unchanged(admin_user, registry):
    rows = export_rows(Center.objects.order_by("code"))
    data = write_xlsx(rows)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == list(CENTER_COLUMNS)
    assert sheet.max_row == 4
    report = import_centers(actor=admin_user, rows=read_table(io.BytesIO(data)))
    assert report.ok and report.unchanged == 3
    assert export_rows(Center.objects.order_by("code")) == rows


def test_formula_cells_are_made_text_and_read_back():
    assert guard_formula("=1+2") == "'=1+2"
    assert guard_formula("+7 (4822) 34-56-78") == "'+7 (4822) 34-56-78"
    assert guard_formula("@SUM(A1)") == "'@SUM(A1)"
    assert guard_formula("'quoted") == "''quoted"
    assert guard_formula("-73.9") == "-73.9"  # a number is no formula
    assert guard_formula("Тверь") == "Тверь"


def test_export_guards_formulas_in_csv_and_xlsx(registry):
    rows = export_rows(Center.objects.filter(code="RU-TVE-0001"))
    assert "'=HYPERLINK" in write_csv(rows).decode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(rows))).active
    hours = sheet.cell(row=2, column=CENTER_COLUMNS.index("hours") + 1)
    assert hours.data_type == "s" and hours.value.startswith("'=")


def test_import_creates_and_updates(admin_user, tver_rc):
    rows = table(
        "\ufeffcode;kind;status;name_ru;institution_ru;region;opened_on;networks;latitude;longitude\n"
        "ru-tve-0500;remote;open;Новый ЦУД;Библиотека № 5;ru-tve;01.03.2024;203.0.113.0/28;"
        "56,86;35,9\n"
        "RU-TVE-RC;regional;open;Переименованный РЦ;Тверская областная научная библиотека;"
        "RU-TVE;;192.0.2.0/26;;\n"
    )
    report = import_centers(actor=admin_user, rows=rows)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (1, 1)
    center = Center.objects.get(code="RU-TVE-0500")
    assert center.status == Status.OPEN and str(center.opened_on) == "2024-03-01"
    assert center.regional_center == tver_rc
    assert str(center.latitude) == "56.860000"
    assert list(center.networks.values_list("cidr", flat=True)) == ["203.0.113.0/28"]
    assert center.institution.kind == Institution.Kind.LIBRARY  # created, Russian default
    tver_rc.refresh_from_db()
    assert tver_rc.name_ru == "Переименованный РЦ"


def test_import_is_all_or_nothing_with_a_report_by_row(admin_user, tver_rc):
    rows = table(
        "code,kind,name_ru,institution_ru,region,networks\n"
        "RU-TVE-0601,remote,Первый,Библиотека,RU-TVE,\n"
        "RU-TVE-0602,remote,Второй,Библиотека,RU-XX,10.0.0.1/24\n"
        "\n"
        "RU-TVE-0603,remote,Третий,Библиотека,RU-TVE,192.0.2.0/28\n"
        "RU-TVE-0604,remote,Четвёртый,Библиотека,RU-TVE,\n"
    )
    report = import_centers(actor=admin_user, rows=rows)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "region"),
        (3, "networks"),
        (5, "networks"),
    ]
    assert "Unknown region code “RU-XX”" in report.errors[0].message
    assert "RU-TVE-RC" in report.errors[2].message  # the center whose network it overlaps
    assert report.created == 0
    assert not Center.objects.filter(code__startswith="RU-TVE-06").exists()
    assert not Institution.objects.filter(name_ru="Библиотека").exists()


def test_import_rows_are_checked_against_the_actors_scope(head_tver, tver_rc, penza_rc):
    rows = table(
        "code,kind,name_ru,institution_ru,region\n"
        "RU-TVE-0701,remote,Свой,Библиотека,RU-TVE\n"
        "RU-PNZ-0701,remote,Чужой,Библиотека,RU-PNZ\n"
        "RU-PNZ-RC,regional,Чужой РЦ,Библиотека,RU-TVE\n"
    )
    report = import_centers(actor=head_tver, rows=rows)
    assert [(e.row, e.column) for e in report.errors] == [(3, "region"), (4, "code")]
    assert not Center.objects.filter(code="RU-TVE-0701").exists()


def test_import_refuses_a_heads_too_wide_network_in_its_row(head_tver, network_user, tver_rc):
    text = (
        "code,kind,name_ru,institution_ru,region,networks\n"
        "RU-TVE-0702,remote,Широкий,Библиотека,RU-TVE,10.0.0.0/8\n"
    )
    report = import_centers(actor=head_tver, rows=table(text))
    (error,) = report.errors
    assert (error.row, error.column) == (2, "networks")
    assert "10.0.0.0/8 is wider than /16" in error.message
    assert not Center.objects.filter(code="RU-TVE-0702").exists()
    assert not import_centers(actor=network_user, rows=table(text)).errors


def test_import_changes_status_and_reports_a_forbidden_transition(admin_user, make_center):
    make_center(code="RU-TVE-0801", status=Status.PLANNED)
    make_center(code="RU-TVE-0802", status=Status.PLANNED)
    good = table(
        "code,kind,status,name_ru,institution_ru,region\n"
        "RU-TVE-0801,remote,approved,Центр RU-TVE-0801,"
        "Тверская областная научная библиотека,RU-TVE\n"
    )
    report = import_centers(actor=admin_user, rows=good)
    assert report.ok and report.updated == 1
    assert Center.objects.get(code="RU-TVE-0801").status == Status.APPROVED
    bad = table(
        "code,kind,status,name_ru,institution_ru,region\n"
        "RU-TVE-0802,remote,suspended,Центр,Тверская областная научная библиотека,RU-TVE\n"
    )
    report = import_centers(actor=admin_user, rows=bad)
    assert [(e.row, e.column) for e in report.errors] == [(2, "status")]
    assert Center.objects.get(code="RU-TVE-0802").status == Status.PLANNED


def test_import_reports_duplicate_codes_and_bad_values(admin_user):
    rows = table(
        "code,kind,name_ru,institution_ru,region,opened_on,latitude,institution_kind\n"
        "RU-TVE-0901,remote,А,Б,RU-TVE,2024-13-01,91,\n"
        "ru-tve-0901,remote,А,Б,RU-TVE,,,\n"
        "RU-TVE-0902,shop,А,,RU-TVE,,,castle\n"
    )
    report = import_centers(actor=admin_user, rows=rows)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "opened_on"),
        (2, "latitude"),
        (3, "code"),
        (4, "kind"),
        (4, "institution_ru"),
        (4, "institution_kind"),
    ]
    assert "also in row 2" in report.errors[2].message


def test_regional_center_may_come_after_the_centers_it_coordinates(admin_user):
    rows = table(
        "code,kind,status,name_ru,institution_ru,region,regional_center\n"
        "RU-PNZ-0001,remote,planned,ЦУД,Библиотека,RU-PNZ,RU-PNZ-RC\n"
        "RU-PNZ-RC,regional,open,РЦ,Библиотека,RU-PNZ,\n"
    )
    report = import_centers(actor=admin_user, rows=rows)
    assert report.ok, report.errors
    assert Center.objects.get(code="RU-PNZ-0001").regional_center.code == "RU-PNZ-RC"


def test_markup_is_stored_as_text(admin_user):
    report = import_centers(
        actor=admin_user,
        rows=table(
            "code,kind,name_ru,institution_ru,region\n"
            "RU-TVE-1001,remote,<script>alert(1)</script>,Б,RU-TVE\n"
        ),
    )
    assert report.ok
    assert Center.objects.get(code="RU-TVE-1001").name_ru == "<script>alert(1)</script>"


def test_xlsx_is_read_with_dates_and_numbers(admin_user):
    import datetime

    data = xlsx_bytes(
        [
            [
                "code",
                "kind",
                "name_ru",
                "institution_ru",
                "region",
                "opened_on",
                "latitude",
                "longitude",
            ],
            ["RU-TVE-1101", "remote", "ЦУД", "Б", "RU-TVE", datetime.date(2023, 4, 5), 56.5, 35],
        ]
    )
    report = import_centers(actor=admin_user, rows=read_table(io.BytesIO(data)))
    assert report.ok, report.errors
    center = Center.objects.get(code="RU-TVE-1101")
    assert str(center.opened_on) == "2023-04-05" and str(center.longitude) == "35.000000"


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "empty"),
        (b"\xef\xbb\xbf\r\n\r\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "neither"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", ".xls"),
        (_zip_without_workbook(), "ZIP archive"),
        (b"PK\x03\x04garbage", "neither"),
        (HEADER.encode() + b"\r\n", "no rows"),
        (b"code,kind\nA,remote\n", "Missing required columns: name_ru, institution_ru"),
        (b"code,kind,name_ru,institution_ru,colour\nA,remote,x,y,red\n", "Unknown columns: colour"),
        (b"code,kind,name_ru,institution_ru\nA,remote,x,y,extra\n", "Row 2 has more values"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(content, fragment):
    with pytest.raises(ImportFileError) as exc:
        read_table(io.BytesIO(content))
    assert fragment in " ".join(exc.value.messages)


def test_file_over_the_limit_is_refused(settings):
    settings.LIBRANET_UPLOAD_MAX_BYTES = 1024 * 1024
    content = (HEADER + "\n" + "x," * 600_000).encode()
    with pytest.raises(ImportFileError) as exc:
        read_table(io.BytesIO(content))
    assert "1 MB" in exc.value.messages[0]


def test_english_address_and_hours_are_columns_that_import_and_export(admin_user, tver_rc):
    assert {"address_en", "hours_en"} <= set(CENTER_COLUMNS)
    rows = table(
        "code;kind;name_ru;institution_ru;region;address;address_en;hours;hours_en\n"
        "RU-TVE-0600;remote;ЦУД в Удомле;Библиотека № 6;RU-TVE;г. Удомля, ул. Мира, 3;"
        "3 Mira St, Udomlya;Пн–Пт 9:00–18:00;Mon–Fri 9 am–6 pm\n"
    )
    report = import_centers(actor=admin_user, rows=rows)
    assert report.ok, report.errors
    center = Center.objects.get(code="RU-TVE-0600")
    assert (center.address_en, center.hours_en) == ("3 Mira St, Udomlya", "Mon–Fri 9 am–6 pm")
    assert "udomlya" in center.search_text  # found by its English address too
    [row] = export_rows(Center.objects.filter(code="RU-TVE-0600"))
    assert (row["address_en"], row["hours_en"]) == ("3 Mira St, Udomlya", "Mon–Fri 9 am–6 pm")
