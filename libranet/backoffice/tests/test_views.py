"""The back office's doors: who may open which page, forms that keep input and show the rules'
errors on the right fields, imports and exports through the pages."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from libranet.network.importexport import CENTER_COLUMNS
from libranet.network.models import Center, Country, Institution, Region

pytestmark = pytest.mark.django_db
Kind, Status = Center.Kind, Center.Status

ROLES = [
    "admin_user",
    "network_user",
    "international_user",
    "head_tver",
    "operator_user",
    "reader_user",
    None,  # anonymous
]
STAFF = {"admin_user", "network_user", "international_user", "head_tver", "operator_user"}
EDITORS = STAFF - {"operator_user"}
TVER_EDITORS = EDITORS - {"international_user"}
REFERENCE = {"admin_user", "network_user"}

# page → the roles that may open it (others signed in get 403, anonymous the sign-in page)
PAGES = [
    ("", STAFF),
    ("centers/", STAFF),
    ("centers/?kind=regional&q=тверь", STAFF),
    ("centers/new/", EDITORS),
    ("centers/RU-TVE-RC/edit/", TVER_EDITORS | {"operator_user"}),
    ("centers/RU-TVE-RC/status/", TVER_EDITORS),
    ("centers/import/", EDITORS),
    ("centers/export.csv", STAFF),
    ("centers/export.xlsx", STAFF),
    ("institutions/", EDITORS),
    ("institutions/new/", EDITORS),
    ("institutions/{institution}/edit/", EDITORS),
    ("regions/", REFERENCE),
    ("regions/RU-TVE/edit/", REFERENCE),
    ("countries/", REFERENCE),
    ("countries/MN/edit/", REFERENCE),
    ("tokens/", STAFF),
    ("audit/", REFERENCE),
    ("audit/?action=center.&date_from=2020-01-01", REFERENCE),
]


def center_form(institution, **overrides) -> dict:
    data = {name: "" for name in CENTER_FIELDS_POSTED}
    data.update(
        code="RU-TVE-0100",
        kind=Kind.REMOTE,
        status=Status.PLANNED,
        name_ru="Новый ЦУД",
        institution=institution.pk,
        region=Region.objects.get(code="RU-TVE").pk,
    )
    data.update(overrides)
    return data


CENTER_FIELDS_POSTED = (
    "code",
    "kind",
    "status",
    "name_ru",
    "name_en",
    "institution",
    "region",
    "country",
    "regional_center",
    "opened_on",
    "closed_on",
    "address",
    "latitude",
    "longitude",
    "contact_person",
    "email",
    "phone",
    "website",
    "hours",
    "networks",
)


def login(request, client, role):
    if role:
        client.force_login(request.getfixturevalue(role))


def expect(role, allowed, response, path):
    if role is None:
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/en/accounts/login/?next="), path
    else:
        assert response.status_code == (200 if role in allowed else 403), (path, role)


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(request, client, tver_rc, institution, role):
    login(request, client, role)
    for page, allowed in PAGES:
        path = "/en/office/" + page.format(institution=institution.pk)
        expect(role, allowed, client.get(path), path)


@pytest.mark.parametrize("role", ROLES)
def test_actions_by_role(request, client, tver_rc, institution, role):
    """Each POST action, with valid input: done (302) for those allowed, else 403 or sign-in."""
    login(request, client, role)
    office = "/en/office/"
    today = timezone.localdate().isoformat()
    edit = center_form(
        institution, code="RU-TVE-RC", kind=Kind.REGIONAL, name_ru="РЦ", hours="9–18"
    )
    actions = [
        ("centers/new/", center_form(institution), TVER_EDITORS),
        ("centers/RU-TVE-RC/edit/", edit, TVER_EDITORS | {"operator_user"}),
        ("centers/RU-TVE-RC/status/", {"status": "suspended", "changed_on": today}, TVER_EDITORS),
        ("institutions/new/", {"name_ru": "Музей", "kind": "museum"}, EDITORS),
        (f"institutions/{institution.pk}/edit/", {"name_ru": "Б", "kind": "library"}, EDITORS),
        (
            "regions/RU-TVE/edit/",
            {
                "name_ru": "Тверская обл.",
                "name_en": "Tver",
                "federal_district": Region.objects.get(code="RU-TVE").federal_district_id,
            },
            REFERENCE,
        ),
        ("countries/MN/edit/", {"name_ru": "Монголия", "name_en": "Mongolia"}, REFERENCE),
    ]
    for page, data, allowed in actions:
        response = client.post(office + page, data)
        if role is None:
            expect(role, allowed, response, page)
        elif role in allowed:
            errors = response.context["form"].errors if response.context else None
            assert response.status_code == 302, (page, role, errors)
        else:
            # The international department holds EDIT_CENTER, only not in Russia: the form
            # says so on the region field rather than refusing the page.
            expected = 200 if (role, page) == ("international_user", "centers/new/") else 403
            assert response.status_code == expected, (page, role)
    if role == "international_user":
        assert not Center.objects.filter(code="RU-TVE-0100").exists()


def test_import_post_by_role(request, client, tver_rc):
    for role in ROLES:
        client.logout()
        login(request, client, role)
        upload = SimpleUploadedFile("c.csv", b"code,kind,name_ru,institution_ru\n")
        response = client.post("/en/office/centers/import/", {"file": upload})
        if role is None:
            assert response.status_code == 302
        else:
            assert response.status_code == (200 if role in EDITORS else 403), role


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"code": "RU-TVE-RC"}, "code", "already used"),
        ({"kind": Kind.FOREIGN, "country": "MN"}, "region", "not a region"),
        ({"networks": "198.51.100.0/24\n192.0.2.16/28"}, "networks", "RU-TVE-RC"),
        ({"networks": "10.0.0.1/24"}, "networks", "host bits"),
        ({"networks": "not-a-network"}, "networks", "CIDR"),
        ({"latitude": "56.8"}, "latitude", "both latitude and longitude"),
        ({"email": "nobody"}, "email", "valid email"),
    ],
)
def test_create_shows_errors_on_fields_and_keeps_input(
    client, admin_user, tver_rc, institution, overrides, field, fragment
):
    if overrides.get("country") == "MN":
        overrides["country"] = Country.objects.get(code="MN").pk
    client.force_login(admin_user)
    data = center_form(institution, name_ru="Введённое имя", address="ул. Ленина, 1", **overrides)
    response = client.post("/en/office/centers/new/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert fragment in " ".join(form.errors[field])
    html = response.content.decode()
    assert 'class="field has-error"' in html
    assert 'value="Введённое имя"' in html and 'value="ул. Ленина, 1"' in html
    if "networks" in overrides:
        assert overrides["networks"] in html  # the textarea keeps what was typed
    assert Center.objects.count() == 1


def test_a_heads_too_wide_network_is_a_field_error(client, head_tver, tver_rc, institution):
    client.force_login(head_tver)
    response = client.post(
        "/en/office/centers/new/", center_form(institution, networks="10.0.0.0/8")
    )
    assert response.status_code == 200
    assert "10.0.0.0/8 is wider than /16" in " ".join(response.context["form"].errors["networks"])
    assert Center.objects.count() == 1


def test_create_then_edit_networks(client, admin_user, tver_rc, institution):
    client.force_login(admin_user)
    data = center_form(institution, networks="198.51.100.0/24\n2001:db8::/48", status="approved")
    response = client.post("/en/office/centers/new/", data)
    assert response.status_code == 302 and response.headers["Location"] == "/en/office/centers/"
    center = Center.objects.get(code="RU-TVE-0100")
    assert center.status == Status.APPROVED and center.regional_center == tver_rc
    html = client.get("/en/office/centers/RU-TVE-0100/edit/").content.decode()
    assert "198.51.100.0/24\n2001:db8::/48" in html
    data = center_form(institution, name_ru="Переименован", networks="203.0.113.0/24")
    assert client.post("/en/office/centers/RU-TVE-0100/edit/", data).status_code == 302
    center.refresh_from_db()
    assert center.name_ru == "Переименован"
    assert list(center.networks.values_list("cidr", flat=True)) == ["203.0.113.0/24"]


def test_head_cannot_create_or_move_a_center_outside_their_region(
    client, head_tver, tver_rc, institution
):
    client.force_login(head_tver)
    penza = Region.objects.get(code="RU-PNZ").pk
    response = client.post("/en/office/centers/new/", center_form(institution, region=penza))
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Center.objects.filter(code="RU-TVE-0100").exists()
    moved = center_form(institution, code="RU-TVE-RC", kind=Kind.REGIONAL, region=penza)
    response = client.post("/en/office/centers/RU-TVE-RC/edit/", moved)
    assert response.status_code == 200 and "region" in response.context["form"].errors
    tver_rc.refresh_from_db()
    assert tver_rc.region.code == "RU-TVE"


def test_operator_changes_hours_but_not_name(client, operator_user, tver_rc):
    client.force_login(operator_user)
    page = client.get("/en/office/centers/RU-TVE-RC/edit/").content.decode()
    assert 'name="hours"' in page and 'name="name_ru"' not in page
    response = client.post(
        "/en/office/centers/RU-TVE-RC/edit/",
        {"name_ru": "Захвачено", "hours": "Пн–Пт 9–18", "email": "rc@example.org"},
    )
    assert response.status_code == 302
    tver_rc.refresh_from_db()
    assert tver_rc.hours == "Пн–Пт 9–18" and tver_rc.email == "rc@example.org"
    assert tver_rc.name_ru == "Региональный центр в Тверской области"
    bad = client.post("/en/office/centers/RU-TVE-RC/edit/", {"email": "nope", "hours": "x"})
    assert bad.status_code == 200 and "email" in bad.context["form"].errors


def test_status_change_with_history(client, network_user, tver_rc):
    client.force_login(network_user)
    page = client.get("/en/office/centers/RU-TVE-RC/status/")
    choices = [value for value, _label in page.context["form"].fields["status"].choices]
    assert choices == ["", "suspended", "closed"]  # a prompt, then what may follow "open"
    assert page.context["form"]["status"].value() is None  # nothing preselected
    today = timezone.localdate().isoformat()
    response = client.post(
        "/en/office/centers/RU-TVE-RC/status/",
        {"status": "suspended", "changed_on": today, "note": "Ремонт <зала>"},
    )
    assert response.status_code == 302
    tver_rc.refresh_from_db()
    assert tver_rc.status == Status.SUSPENDED
    html = client.get("/en/office/centers/RU-TVE-RC/status/").content.decode()
    assert "Ремонт &lt;зала&gt;" in html and "network" in html
    future = client.post(
        "/en/office/centers/RU-TVE-RC/status/", {"status": "open", "changed_on": "2999-01-01"}
    )
    assert future.status_code == 200 and "changed_on" in future.context["form"].errors


def test_institution_and_reference_forms_show_errors(client, admin_user, institution):
    client.force_login(admin_user)
    response = client.post("/en/office/institutions/new/", {"name_ru": "", "kind": "castle"})
    assert set(response.context["form"].errors) == {"name_ru", "kind"}
    response = client.post(
        f"/en/office/institutions/{institution.pk}/edit/",
        {"name_ru": "Новое имя", "kind": "library", "website": "example.org"},
    )
    assert response.status_code == 302
    institution.refresh_from_db()
    assert institution.name_ru == "Новое имя" and institution.website == "https://example.org"
    response = client.post("/en/office/countries/MN/edit/", {"name_ru": "", "name_en": "Mongolia"})
    assert "name_ru" in response.context["form"].errors
    html = client.get("/en/office/institutions/?q=Новое").content.decode()
    assert "Новое имя" in html


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_import_csv_through_the_page(client, head_tver, tver_rc, run_import):
    client.force_login(head_tver)
    content = (
        "\ufeffcode;kind;name_ru;institution_ru;region;networks\n"
        "RU-TVE-0200;remote;ЦУД 200;Библиотека;RU-TVE;203.0.113.0/28\n"
        "RU-TVE-0201;remote;ЦУД 201;Библиотека;RU-TVE;\n"
    ).encode()
    response = run_import("/en/office/centers/import/", {"file": upload("c.csv", content)})
    assert response.status_code == 302 and "/en/office/imports/" in response.headers["Location"]
    assert Center.objects.filter(code__in=["RU-TVE-0200", "RU-TVE-0201"]).count() == 2
    followed = client.get(response.headers["Location"]).content.decode()
    assert "Created: 2, updated: 0, unchanged: 0." in followed, followed[followed.find("<main") :]
    assert "data-refresh" not in followed  # over: the page stops refreshing itself
    listed = client.get("/en/office/centers/import/").content.decode()
    assert response.headers["Location"] in listed and "c.csv" in listed


def test_import_xlsx_through_the_page(client, admin_user, tver_rc, run_import):
    client.force_login(admin_user)
    workbook = openpyxl.Workbook()
    workbook.active.append(["code", "kind", "name_ru", "institution_ru", "country"])
    workbook.active.append(["MN-0300", "foreign", "Центр", "Посольство", "mn"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = run_import(
        "/en/office/centers/import/", {"file": upload("c.xlsx", buffer.getvalue())}
    )
    assert response.status_code == 302
    center = Center.objects.get(code="MN-0300")
    assert center.country.code == "MN" and center.institution.kind == Institution.Kind.RCSC


def test_import_with_one_bad_row_writes_nothing_and_lists_errors(
    client, admin_user, tver_rc, run_import
):
    client.force_login(admin_user)
    content = (
        "code,kind,name_ru,institution_ru,region\n"
        "RU-TVE-0400,remote,Хороший,Библиотека,RU-TVE\n"
        "RU-TVE-0401,remote,<b>Плохой</b>,Библиотека,RU-ZZZ\n"
        "RU-TVE-0402,remote,Хороший,Библиотека,RU-TVE\n"
    ).encode()
    response = run_import("/en/office/centers/import/", {"file": upload("c.csv", content)})
    page = client.get(response.headers["Location"])
    report = page.context["report"]
    assert [(e.row, e.column) for e in report.errors] == [(3, "region")]
    html = page.content.decode()
    assert "1 error; nothing was imported" in html and "Unknown region code “RU-ZZZ”" in html
    assert not Center.objects.filter(code__startswith="RU-TVE-04").exists()


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("c.csv", b"", "empty"),
        ("c.csv", ",".join(CENTER_COLUMNS).encode() + b"\n", "no rows"),
        ("c.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00binary", "neither"),
        ("c.csv", b"code,name\nA,B\n", "Missing required columns: kind, name_ru, institution_ru"),
        ("c.csv", b"code,name\nA,B\n", "Unknown columns: name."),
        ("c.csv", b"code,kind,name_ru,institution_ru,size\nA,remote,x,y,1\n", "Unknown columns"),
    ],
)
def test_import_refuses_bad_files(client, admin_user, name, content, fragment):
    client.force_login(admin_user)
    response = client.post("/en/office/centers/import/", {"file": upload(name, content)})
    assert response.status_code == 200
    assert fragment in " ".join(response.context["form"].errors["file"])


def test_import_refuses_a_file_over_the_limit(client, admin_user, settings):
    settings.LIBRANET_UPLOAD_MAX_BYTES = 512 * 1024
    client.force_login(admin_user)
    content = ",".join(CENTER_COLUMNS).encode() + b"\n" + b"x" * (600 * 1024)
    response = client.post("/en/office/centers/import/", {"file": upload("c.csv", content)})
    assert "0.5 MB" in " ".join(response.context["form"].errors["file"])


def test_export_csv_imports_back_unchanged(client, admin_user, tver_rc, make_center, run_import):
    make_center(
        name_ru="=1+1",
        phone="+7 900",
        networks=["198.51.100.0/24"],
        latitude="56.1",
        longitude="-35.2",
    )
    make_center(kind=Kind.FOREIGN, code="MN-01")
    client.force_login(admin_user)
    exported = client.get("/en/office/centers/export.csv")
    assert exported["Content-Type"].startswith("text/csv")
    assert "attachment" in exported["Content-Disposition"]
    text = exported.content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(CENTER_COLUMNS)
    assert "'=1+1" in text and "'+7 900" in text
    response = run_import(
        "/en/office/centers/import/", {"file": upload("centers.csv", exported.content)}
    )
    page = client.get(response.headers["Location"]).content.decode()
    assert "Created: 0, updated: 0, unchanged: 3." in page
    assert client.get("/en/office/centers/export.csv").content == exported.content


def test_export_follows_filters_and_scope(client, operator_user, tver_rc, make_center):
    make_center(code="RU-TVE-0500")
    client.force_login(operator_user)
    response = client.get("/en/office/centers/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == list(CENTER_COLUMNS)
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["RU-TVE-RC"]
    text = client.get("/en/office/centers/export.csv?kind=remote").content.decode("utf-8-sig")
    assert text.strip() == ",".join(CENTER_COLUMNS)


def test_markup_in_a_name_is_shown_escaped(client, admin_user, make_center):
    make_center(name_ru="<b>x</b>", name_en="<script>alert(1)</script>")
    client.force_login(admin_user)
    html = client.get("/ru/office/centers/").content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    html = client.get("/en/office/centers/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_pages_render_in_both_languages(client, admin_user, tver_rc, lang):
    client.force_login(admin_user)
    for page in ["", "centers/", "centers/new/", "centers/RU-TVE-RC/edit/", "centers/import/"]:
        response = client.get(f"/{lang}/office/{page}")
        assert response.status_code == 200, page
        assert f'<html lang="{lang}">' in response.content.decode()


def test_centers_list_query_count_is_fixed(
    client, admin_user, tver_rc, make_center, django_assert_max_num_queries
):
    for _ in range(30):
        make_center()
    client.force_login(admin_user)
    # Session, user, the session's second factor (django-otp's device), roles, then the page.
    with django_assert_max_num_queries(7):
        response = client.get("/en/office/centers/?region=RU-TVE")
    assert response.context["page"].paginator.count == 31


def test_list_shows_only_the_users_centers(client, head_tver, tver_rc, penza_rc, make_center):
    make_center(kind=Kind.FOREIGN, code="MN-01")
    client.force_login(head_tver)
    html = client.get("/en/office/centers/").content.decode()
    assert "RU-TVE-RC" in html and "RU-PNZ-RC" not in html and "MN-01" not in html
    assert client.get("/en/office/centers/RU-PNZ-RC/edit/").status_code == 403
