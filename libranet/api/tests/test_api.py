"""The JSON API's doors: public reads with their filters and pages, token writes for each role,
and every kind of bad input answered in JSON with its status and nothing written.

The registry's rules are tested in their services (network/tests); here, that each reaches the
client as the right status and a message on the right field."""

import datetime
import json
from typing import get_args

import pytest
from django.test import Client
from django.utils import timezone

from libranet.accounts.models import ApiToken
from libranet.accounts.services import api_token_create
from libranet.api import schemas
from libranet.audit.models import AuditEntry
from libranet.network.models import Center, Country, Institution, Region

pytestmark = pytest.mark.django_db
Kind, Status = Center.Kind, Center.Status
API = "/api/v1"


class Api:
    """A client that speaks JSON, in English unless told otherwise, with an optional token."""

    def __init__(self, client: Client, secret: str | None = None, language: str = "en") -> None:
        self.client = client
        self.headers = {"Accept-Language": language}
        if secret:
            self.headers["Authorization"] = f"Bearer {secret}"

    def get(self, path: str, **params):
        return self.client.get(API + path, params, headers=self.headers)

    def send(self, method: str, path: str, body=None, *, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        call = getattr(self.client, method.lower())
        return call(API + path, data, content_type="application/json", headers=self.headers)

    def post(self, path: str, body=None, **kwargs):
        return self.send("POST", path, body, **kwargs)

    def patch(self, path: str, body=None, **kwargs):
        return self.send("PATCH", path, body, **kwargs)


def secret_for(user) -> str:
    return api_token_create(user=user, name="test")[1]


@pytest.fixture
def anonymous(client):
    return Api(client)


@pytest.fixture
def as_user(client):
    """``as_user(user)``: the API as that user, by a token issued to them."""
    return lambda user, **kwargs: Api(client, secret_for(user), **kwargs)


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    assert "Traceback" not in body["message"]
    return body


def new_center(institution, /, **overrides) -> dict:
    body = {
        "code": "RU-TVE-0100",
        "kind": "remote",
        "name_ru": "Новый ЦУД",
        "name_en": "New center",
        "institution": institution.pk,
        "region": "RU-TVE",
    }
    body.update(overrides)
    return body


def foreign_center(institution, **overrides) -> dict:
    return new_center(
        institution, code="MN-0001", kind="foreign", region=None, country="MN", **overrides
    )


# --- reads -------------------------------------------------------------------------------------


@pytest.fixture
def registry(tver_rc, penza_rc, make_center, other_institution):
    """A small network: two regional centers, remote centers in Tver, a foreign one."""
    return {
        "tver_rc": tver_rc,
        "penza_rc": penza_rc,
        "library": make_center(
            code="RU-TVE-0001",
            name_ru="ЦУД в Ржеве",
            name_en="Rzhev center",
            address="Ржев, ул. Ленина, 1",
            latitude="56.262877",
            longitude="34.329065",
            opened_on=datetime.date(2015, 5, 20),
        ),
        "museum": make_center(
            code="RU-TVE-0002",
            institution=other_institution,
            status=Status.PLANNED,
            networks=["198.51.100.0/24"],
        ),
        "foreign": make_center(
            code="MN-UB-0001",
            kind=Kind.FOREIGN,
            name_ru="Центр в Улан-Баторе",
            name_en="Center in Ulaanbaatar",
        ),
    }


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def test_list_answers_the_envelope_with_each_items_fields(anonymous, registry):
    response = anonymous.get("/centers")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["count"] == 5 and len(body["items"]) == 5
    item = next(i for i in body["items"] if i["code"] == "RU-TVE-0001")
    assert item == {
        "code": "RU-TVE-0001",
        "kind": "remote",
        "status": "open",
        "name_ru": "ЦУД в Ржеве",
        "name_en": "Rzhev center",
        "region": "RU-TVE",
        "federal_district": "CFD",
        "country": None,
        "regional_center": "RU-TVE-RC",
        "institution": {
            "id": registry["tver_rc"].institution_id,
            "name_ru": "Тверская областная научная библиотека",
            "name_en": "Tver Regional Scientific Library",
            "kind": "library",
        },
        "opened_on": "2015-05-20",
        "closed_on": None,
        "latitude": 56.262877,
        "longitude": 34.329065,
        "updated_at": item["updated_at"],
    }
    foreign = next(i for i in body["items"] if i["code"] == "MN-UB-0001")
    assert [foreign[k] for k in ("region", "country", "federal_district")] == [None, "MN", None]
    assert "networks" not in item  # never in lists


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "regional"}, ["RU-PNZ-RC", "RU-TVE-RC"]),
        ({"kind": "foreign"}, ["MN-UB-0001"]),
        ({"status": "planned"}, ["RU-TVE-0002"]),
        ({"region": "RU-TVE"}, ["RU-TVE-RC", "RU-TVE-0001", "RU-TVE-0002"]),
        ({"region": "ru-pnz"}, ["RU-PNZ-RC"]),
        ({"federal_district": "vfd"}, ["RU-PNZ-RC"]),
        ({"country": "mn"}, ["MN-UB-0001"]),
        ({"q": "ржеве"}, ["RU-TVE-0001"]),
        ({"q": "Rzhev"}, ["RU-TVE-0001"]),
        ({"q": "ленина"}, ["RU-TVE-0001"]),  # the address
        ({"q": "museum"}, ["RU-TVE-0002"]),  # the host institution
        ({"kind": "remote", "status": "open", "region": "RU-TVE"}, ["RU-TVE-0001"]),
        ({"region": "", "q": ""}, None),  # empty codes and texts mean "any", as a form sends
    ],
)
def test_list_filters(anonymous, registry, params, expected):
    found = codes(anonymous.get("/centers", **params))
    if expected is None:
        assert len(found) == 5
    else:
        assert sorted(found) == sorted(expected)


@pytest.mark.parametrize(
    ("params", "field", "hint"),
    [
        ({"kind": "library"}, "kind", "regional, remote, branch, foreign"),
        ({"kind": ""}, "kind", "regional, remote, branch, foreign"),
        ({"status": ""}, "status", "planned, approved, open, suspended, closed"),
        ({"status": "gone"}, "status", "planned, approved, open, suspended, closed"),
        ({"region": "RU-XXX"}, "region", "RU-XXX"),
        ({"country": "ZZ"}, "country", "ZZ"),
        ({"federal_district": "NOPE"}, "federal_district", "NOPE"),
        ({"limit": 501}, "limit", "500"),
        ({"limit": 0}, "limit", "1"),
        ({"limit": "many"}, "limit", "whole number"),
        ({"offset": -1}, "offset", "0"),
        ({"offset": 10**12}, "offset", "1000000000"),
    ],
)
def test_list_refuses_bad_parameters_naming_them(anonymous, registry, params, field, hint):
    body = assert_json_error(anonymous.get("/centers", **params), 422)
    assert list(body["errors"]) == [field]
    assert hint in body["errors"][field][0]
    assert field in body["message"]


def test_list_pages_by_limit_and_offset(anonymous, registry):
    every = codes(anonymous.get("/centers"))
    first = anonymous.get("/centers", limit=2).json()
    assert first["count"] == 5 and [i["code"] for i in first["items"]] == every[:2]
    last = anonymous.get("/centers", limit=2, offset=4).json()
    assert last["count"] == 5 and [i["code"] for i in last["items"]] == every[4:]
    assert anonymous.get("/centers", offset=10).json() == {"count": 5, "items": []}
    assert len(codes(anonymous.get("/centers", limit=500))) == 5


def test_lists_cost_a_fixed_number_of_queries(
    anonymous, registry, make_center, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        assert anonymous.get("/centers").json()["count"] == 5
    for number in range(10):
        make_center(code=f"RU-TVE-1{number:03d}", networks=[f"203.0.113.{number * 8}/29"])
    with django_assert_max_num_queries(2):
        assert anonymous.get("/centers").json()["count"] == 15
    with django_assert_max_num_queries(3):  # and one to check the region's code
        assert anonymous.get("/centers", region="RU-TVE").json()["count"] == 13
    with django_assert_max_num_queries(2):
        assert anonymous.get("/regions", limit=500).json()["count"] == 85
    with django_assert_max_num_queries(2):
        anonymous.get("/institutions")
    with django_assert_max_num_queries(3):  # the center, its history, its networks
        anonymous.get("/centers/RU-TVE-0001")


def test_detail_reads_one_center_by_code_in_any_case(anonymous, registry):
    response = anonymous.get("/centers/ru-tve-0001")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "RU-TVE-0001"
    assert body["address"] == "Ржев, ул. Ленина, 1"
    assert body["status_history"] == [{"status": "open", "changed_on": "2015-05-20", "note": ""}]
    assert body["networks"] is None  # not for the public


def test_detail_shows_networks_only_to_the_centers_editors(
    as_user, registry, network_user, head_tver, international_user, operator_user
):
    assert as_user(network_user).get("/centers/RU-TVE-RC").json()["networks"] == ["192.0.2.0/26"]
    assert as_user(head_tver).get("/centers/RU-TVE-RC").json()["networks"] == ["192.0.2.0/26"]
    assert as_user(international_user).get("/centers/RU-TVE-RC").json()["networks"] is None
    assert as_user(operator_user).get("/centers/RU-TVE-RC").json()["networks"] is None


def test_detail_of_an_unknown_center_is_a_json_404(anonymous, registry):
    body = assert_json_error(anonymous.get("/centers/NO-SUCH"), 404)
    assert "NO-SUCH" in body["message"]


def test_unknown_paths_and_methods_are_json(anonymous):
    assert_json_error(anonymous.get("/no-such-thing"), 404)
    assert_json_error(anonymous.get("/"), 404)
    response = anonymous.send("DELETE", "/centers")
    body = assert_json_error(response, 405)
    assert "DELETE" in body["message"] and "GET" in response["Allow"]


def test_reference_lists(anonymous, registry):
    regions = anonymous.get("/regions", limit=500).json()
    assert regions["count"] == 85
    tver = next(r for r in regions["items"] if r["code"] == "RU-TVE")
    assert tver == {
        "code": "RU-TVE",
        "name_ru": "Тверская область",
        "name_en": "Tver Region",
        "federal_district": "CFD",
    }
    central = anonymous.get("/regions", federal_district="cfd", limit=500).json()
    assert 0 < central["count"] < 85
    assert {r["federal_district"] for r in central["items"]} == {"CFD"}
    assert_json_error(anonymous.get("/regions", federal_district="XX"), 422)
    districts = anonymous.get("/federal-districts").json()
    assert "CFD" in [d["code"] for d in districts["items"]]
    countries = anonymous.get("/countries", limit=500).json()
    assert {"code": "MN", "name_ru": "Монголия", "name_en": "Mongolia"} in countries["items"]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("тверская", ["Тверская областная научная библиотека"]),
        ("Тверская научная", ["Тверская областная научная библиотека"]),
        ("scientific library", ["Тверская областная научная библиотека"]),
        ("музей", ["Музей"]),
        ("", ["Музей", "Тверская областная научная библиотека"]),
        ("nothing", []),
    ],
)
def test_institutions_are_found_by_words_of_their_names(anonymous, registry, q, found):
    response = anonymous.get("/institutions", q=q)
    assert [i["name_ru"] for i in response.json()["items"]] == found


def test_an_institution_is_read_by_id(anonymous, institution):
    body = anonymous.get(f"/institutions/{institution.pk}").json()
    assert body["name_en"] == "Tver Regional Scientific Library" and body["kind"] == "library"
    assert_json_error(anonymous.get("/institutions/999999"), 404)
    assert_json_error(anonymous.get("/institutions/abc"), 422)


# --- who may write what ----------------------------------------------------------------------


ROLES = [
    "admin_user",
    "network_user",
    "international_user",
    "head_tver",
    "operator_user",
    "reader_user",
]


def _create_tver(api, ctx):
    return api.post("/centers", new_center(ctx["institution"]))


def _patch_tver(api, ctx):
    return api.patch("/centers/RU-TVE-RC", {"name_en": "Renamed"})


def _patch_penza(api, ctx):
    return api.patch("/centers/RU-PNZ-RC", {"name_en": "Renamed"})


def _tver_contacts(api, ctx):
    return api.patch("/centers/RU-TVE-RC", {"phone": "+7 4822 00-00-00", "hours": "10–18"})


def _suspend_tver(api, ctx):
    return api.post("/centers/RU-TVE-RC/status", {"status": "suspended", "note": "ремонт"})


def _create_foreign(api, ctx):
    return api.post("/centers", foreign_center(ctx["institution"]))


def _create_institution(api, ctx):
    return api.post("/institutions", {"name_ru": "Школа №1", "kind": "school"})


def _patch_institution(api, ctx):
    return api.patch(f"/institutions/{ctx['institution'].pk}", {"website": "https://tv.example"})


ALL = set(ROLES)
EDITORS = {"admin_user", "network_user", "international_user", "head_tver"}
TVER = {"admin_user", "network_user", "head_tver"}
FOREIGN = {"admin_user", "network_user", "international_user"}

# action → its success status and the roles that get it (every other role gets 403)
WRITES = [
    (_create_tver, 201, TVER),
    (_patch_tver, 200, TVER),
    (_patch_penza, 200, {"admin_user", "network_user"}),
    (_tver_contacts, 200, TVER | {"operator_user"}),
    (_suspend_tver, 200, TVER),
    (_create_foreign, 201, FOREIGN),
    (_create_institution, 201, EDITORS),
    (_patch_institution, 200, EDITORS),
]


@pytest.mark.parametrize("role", ROLES)
# Named by the action alone: the same names in every process (pytest-xdist's workers compare them).
@pytest.mark.parametrize(
    ("action", "success", "allowed"),
    WRITES,
    ids=[action.__name__.lstrip("_") for action, _success, _allowed in WRITES],
)
def test_roles_and_writes(
    request, as_user, tver_rc, penza_rc, institution, role, action, success, allowed
):
    user = request.getfixturevalue(role)
    api = as_user(user)
    centers, audit = Center.objects.count(), AuditEntry.objects.count()
    response = action(api, {"institution": institution})
    if role in allowed:
        assert response.status_code == success, response.content
        assert response["Content-Type"].startswith("application/json")
    else:
        assert_json_error(response, 403)
        assert Center.objects.count() == centers
        assert AuditEntry.objects.count() == audit


def test_a_write_is_done_through_the_service_as_the_tokens_user(as_user, head_tver, tver_rc):
    response = as_user(head_tver).post(
        "/centers",
        new_center(tver_rc.institution, status="open", networks=["203.0.113.0/28"]),
    )
    assert response.status_code == 201
    assert response["Location"] == "/api/v1/centers/RU-TVE-0100"
    body = response.json()
    assert body["regional_center"] == "RU-TVE-RC"  # the service's default
    assert body["networks"] == ["203.0.113.0/28"]
    assert body["status_history"][0]["status"] == "open"
    center = Center.objects.get(code="RU-TVE-0100")
    entry = AuditEntry.objects.get(action="center.create", object_id=str(center.pk))
    assert entry.actor == head_tver


def test_operator_may_change_only_contacts(as_user, operator_user, tver_rc):
    api = as_user(operator_user)
    response = api.patch("/centers/RU-TVE-RC", {"email": "rc@example.org", "name_en": "X"})
    body = assert_json_error(response, 403)
    assert list(body["errors"]) == ["name_en"]
    tver_rc.refresh_from_db()
    assert tver_rc.email == "" and tver_rc.name_en != "X"
    response = api.patch("/centers/RU-TVE-RC", {"email": "rc@example.org"})
    assert response.status_code == 200 and response.json()["email"] == "rc@example.org"


def test_patch_changes_only_the_given_fields(as_user, network_user, tver_rc):
    api = as_user(network_user)
    before = api.get("/centers/RU-TVE-RC").json()
    response = api.patch("/centers/ru-tve-rc", {"hours": "9–18", "networks": ["192.0.2.128/25"]})
    after = response.json()
    assert response.status_code == 200
    assert after["hours"] == "9–18" and after["networks"] == ["192.0.2.128/25"]
    unchanged = {k for k in before if k not in ("hours", "networks", "updated_at")}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    # Networks not given stay as they are.
    assert api.patch("/centers/RU-TVE-RC", {"name_en": "RC"}).json()["networks"] == [
        "192.0.2.128/25"
    ]


def test_status_change_keeps_the_dated_history(as_user, network_user, tver_rc):
    api = as_user(network_user)
    today = timezone.localdate().isoformat()
    response = api.post(
        "/centers/RU-TVE-RC/status", {"status": "closed", "changed_on": today, "note": "переезд"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "closed" and body["closed_on"] == today
    last = body["status_history"][-1]
    assert last == {"status": "closed", "changed_on": today, "note": "переезд"}
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    body = assert_json_error(
        api.post("/centers/RU-TVE-RC/status", {"status": "open", "changed_on": yesterday}), 422
    )
    assert list(body["errors"]) == ["changed_on"]
    body = assert_json_error(api.post("/centers/RU-TVE-RC/status", {"status": "suspended"}), 422)
    assert list(body["errors"]) == ["status"]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    body = assert_json_error(
        api.post("/centers/RU-TVE-RC/status", {"status": "open", "changed_on": tomorrow}), 422
    )
    assert list(body["errors"]) == ["changed_on"]
    assert_json_error(api.post("/centers/NOPE/status", {"status": "open"}), 404)


def test_institutions_are_written_through_their_service(as_user, network_user, institution):
    api = as_user(network_user)
    response = api.post("/institutions", {"name_ru": "Школа", "name_en": None, "kind": "school"})
    assert response.status_code == 201
    created = response.json()
    assert created["name_en"] == "" and response["Location"].endswith(f"/{created['id']}")
    body = assert_json_error(api.post("/institutions", {"name_ru": "", "kind": "zoo"}), 422)
    assert set(body["errors"]) == {"kind"}  # the body's shape first
    body = assert_json_error(api.post("/institutions", {"name_ru": "", "kind": "school"}), 422)
    assert set(body["errors"]) == {"name_ru"}  # then the model's rules
    response = api.patch(f"/institutions/{institution.pk}", {"name_en": "Tver Library"})
    assert response.json()["name_en"] == "Tver Library"
    assert response.json()["name_ru"] == institution.name_ru
    assert_json_error(api.patch("/institutions/999999", {"name_en": "x"}), 404)
    body = assert_json_error(api.patch(f"/institutions/{institution.pk}", {"website": "no"}), 422)
    assert list(body["errors"]) == ["website"]


# --- authentication --------------------------------------------------------------------------


def _revoked(user) -> str:
    secret = secret_for(user)
    ApiToken.objects.update(revoked_at=timezone.now())
    return secret


def _inactive(user) -> str:
    secret = secret_for(user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    return secret


@pytest.mark.parametrize(
    ("header", "invalid"),
    [
        (lambda user: None, False),
        (lambda user: "Bearer", True),
        (lambda user: "Bearer lbn_not-a-token", True),
        (lambda user: f"Token {secret_for(user)}", False),  # not our scheme
        (lambda user: f"Bearer {_revoked(user)}", True),
        (lambda user: f"Bearer {_inactive(user)}", True),
    ],
)
def test_writes_need_a_valid_token(client, network_user, institution, header, invalid):
    value = header(network_user)
    headers = {"Authorization": value} if value else {}
    response = client.post(
        f"{API}/centers",
        json.dumps(new_center(institution)),
        content_type="application/json",
        headers=headers,
    )
    assert_json_error(response, 401)
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    assert ('error="invalid_token"' in challenge) is invalid
    assert not Center.objects.exists()


def test_a_bad_token_is_refused_even_on_public_reads(client, registry):
    response = client.get(f"{API}/centers/RU-TVE-RC", headers={"Authorization": "Bearer nope"})
    assert_json_error(response, 401)


def test_token_use_is_recorded_at_most_once_a_minute(as_user, network_user, tver_rc):
    api = as_user(network_user)
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    api.get("/centers/RU-TVE-RC")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get("/centers/RU-TVE-RC")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.update(last_used_at=first - datetime.timedelta(minutes=2))
    api.get("/centers/RU-TVE-RC")
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(minutes=1)


def test_a_signed_in_staff_session_writes_with_its_csrf_token(network_user, tver_rc):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(network_user)
    body = json.dumps({"hours": "10–17"})
    response = browser.patch(f"{API}/centers/RU-TVE-RC", body, content_type="application/json")
    assert_json_error(response, 403)  # no CSRF token
    browser.get("/ru/office/")  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    response = browser.patch(
        f"{API}/centers/RU-TVE-RC",
        body,
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200 and response.json()["hours"] == "10–17"


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"region": "RU-XXX"}, "region", "RU-XXX"),
        ({"regional_center": "NOPE"}, "regional_center", "NOPE"),
        ({"institution": 999999}, "institution", "999999"),
        ({"networks": ["192.0.2.0/27"]}, "networks", "RU-TVE-RC"),  # overlaps Tver's /26
        ({"networks": ["10.0.0.0/33"]}, "networks", "10.0.0.0/33"),
        ({"networks": ["10.0.0.1/24"]}, "networks", "10.0.0.0/24"),  # host bits: suggested
        ({"networks": ["10.0.0.0/24", "10.0.0.0/25"]}, "networks", "overlap"),
        ({"code": "RU-TVE-RC"}, "code", "already used"),
        ({"code": "<b>x</b>"}, "code", "capital"),
        ({"country": "MN"}, "country", "region, not a country"),
        ({"kind": "foreign", "country": "MN"}, "region", "not a region"),
        ({"kind": "branch", "regional_center": "RU-TVE-RC"}, "regional_center", "remote"),
        ({"kind": "regional", "status": "open"}, "status", "RU-TVE-RC"),
        ({"closed_on": "2020-01-01", "opened_on": "2021-01-01"}, "closed_on", "close"),
        ({"latitude": 56.8}, "latitude", "both"),
        ({"latitude": 91, "longitude": 0}, "latitude", "90"),
        ({"email": "not an email"}, "email", "mail"),
        ({"website": "javascript:alert(1)"}, "website", "URL"),
        ({"opened_on": "01.03.2024"}, "opened_on", "YYYY-MM-DD"),
        ({"kind": "library"}, "kind", "remote"),
        ({"status": "gone"}, "status", "planned"),
        ({"name_ru": None}, "name_ru", "text"),
        ({"name_ru": ""}, "name_ru", "blank"),
        ({"name_ru": "x" * 301}, "name_ru", "300"),
        ({"name_ru": "a\x00b"}, "name_ru", "null characters"),
        ({"latitude": "NaN", "longitude": 0}, "latitude", "number"),
        ({"networks": "192.0.2.0/24"}, "networks", "list"),
        ({"colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_create_refuses_bad_input_naming_the_field_and_writes_nothing(
    as_user, network_user, tver_rc, change, field, words
):
    body = new_center(tver_rc.institution, **change)
    api = as_user(network_user)
    centers, audit = Center.objects.count(), AuditEntry.objects.count()
    answer = assert_json_error(api.post("/centers", body), 422)
    assert field in answer["errors"], answer
    assert words.lower() in " ".join(answer["errors"][field]).lower(), answer
    assert field in answer["message"]
    assert Center.objects.count() == centers and AuditEntry.objects.count() == audit


def test_a_heads_too_wide_network_is_refused_naming_the_limit(as_user, head_tver, tver_rc):
    body = new_center(tver_rc.institution, networks=["10.0.0.0/8"])
    answer = assert_json_error(as_user(head_tver).post("/centers", body), 422)
    assert "10.0.0.0/8 is wider than /16" in answer["errors"]["networks"][0]
    assert not Center.objects.filter(code=body["code"]).exists()


@pytest.mark.parametrize("missing", ["code", "kind", "name_ru", "institution"])
def test_create_names_each_missing_required_field(as_user, network_user, institution, missing):
    body = new_center(institution)
    del body[missing]
    answer = assert_json_error(as_user(network_user).post("/centers", body), 422)
    assert answer["errors"] == {missing: ["This field is required."]}


def test_messages_follow_accept_language(as_user, network_user, institution):
    body = new_center(institution)
    del body["name_ru"]
    answer = as_user(network_user, language="ru").post("/centers", body).json()
    assert answer["errors"] == {"name_ru": ["Обязательное поле."]}


def test_patch_refuses_bad_input_and_writes_nothing(as_user, network_user, tver_rc, penza_rc):
    api = as_user(network_user)
    before = api.get("/centers/RU-TVE-RC").json()
    cases = [
        ({"region": "RU-XXX"}, "region"),
        ({"region": None}, "region"),
        ({"code": None}, "code"),
        ({"institution": None}, "institution"),
        ({"code": "RU-PNZ-RC"}, "code"),
        ({"status": "closed"}, "status"),  # has its own endpoint, which the message names
        ({"networks": ["192.0.2.0/24", "bad"]}, "networks"),
    ]
    for change, field in cases:
        answer = assert_json_error(api.patch("/centers/RU-TVE-RC", change), 422)
        assert field in answer["errors"], (change, answer)
    assert "/status" in api.patch("/centers/RU-TVE-RC", {"status": "closed"}).json()["message"]
    after = api.get("/centers/RU-TVE-RC").json()
    assert after == before


def test_malformed_json_is_a_400(as_user, network_user, tver_rc):
    api = as_user(network_user)
    for raw in ['{"code": ', "not json", b"\xff\xfe".decode("latin-1")]:
        answer = assert_json_error(api.post("/centers", raw=raw), 400)
        assert "JSON" in answer["message"]
    for raw in ["[1, 2]", "null", '"text"']:
        answer = assert_json_error(api.post("/centers", raw=raw), 422)
        assert "JSON object" in answer["message"]
    answer = assert_json_error(api.post("/centers", raw=""), 422)
    assert "JSON body" in answer["message"]
    assert Center.objects.count() == 1


def test_markup_is_stored_as_given_and_answered_as_json(as_user, network_user, institution):
    markup = '<script>alert("x")</script> & <b>'
    api = as_user(network_user)
    response = api.post("/centers", new_center(institution, name_ru=markup, hours=markup))
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["name_ru"] == markup
    assert Center.objects.get().name_ru == markup
    read = api.get("/centers/RU-TVE-0100")
    assert read["Content-Type"].startswith("application/json")
    assert read.json()["hours"] == markup


def test_an_unexpected_failure_is_a_json_500_without_a_trace(monkeypatch, registry):
    def broken(**kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("libranet.api.centers.center_list", broken)
    client = Client(raise_request_exception=False)
    response = client.get(f"{API}/centers", headers={"Accept-Language": "en"})
    body = assert_json_error(response, 500)
    assert "secret detail" not in response.content.decode()
    assert body == {"message": "Internal error; it has been logged."}


# --- the document --------------------------------------------------------------------------------


def test_openapi_document(anonymous):
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/centers"])
    assert {"get", "patch"} <= set(paths["/api/v1/centers/{code}"])
    assert "post" in paths["/api/v1/centers/{code}/status"]
    for path in paths.values():
        for operation in path.values():
            assert operation["summary"] and operation["description"]
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["ApiTokenAuth"]["description"],
    }
    assert paths["/api/v1/centers"]["post"]["security"][0] == {"ApiTokenAuth": []}
    assert "security" not in paths["/api/v1/centers"]["get"]


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/api/v1/centers", "get", {400, 422}),  # a public list: no token needed, none read
        ("/api/v1/centers", "post", {400, 401, 403, 413, 422}),
        ("/api/v1/centers/{code}", "get", {400, 401, 404}),  # a token, if given, is read
        ("/api/v1/institutions/{institution_id}", "get", {400, 404, 422}),
        ("/api/v1/me", "get", {400, 401}),
        ("/api/v1/resources/{identifier}", "delete", {400, 401, 403, 404, 410}),
    ],
)
def test_openapi_lists_every_error_status_with_the_error_schema(anonymous, path, method, statuses):
    responses = anonymous.get("/openapi.json").json()["paths"][path][method]["responses"]
    errors = {int(status): answer for status, answer in responses.items() if int(status) >= 400}
    assert set(errors) == statuses
    for answer in errors.values():
        schema = answer["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorOut"} and answer["description"]


def test_openapi_enumerated_filters_take_no_empty_value(anonymous):
    parameters = anonymous.get("/openapi.json").json()["paths"]["/api/v1/centers"]["get"]
    kind = next(p for p in parameters["parameters"] if p["name"] == "kind")["schema"]
    (choices,) = [option["enum"] for option in kind["anyOf"] if "enum" in option]
    assert "" not in choices and "regional" in choices


def test_swagger_ui_page_loads(anonymous):
    response = anonymous.get("/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_schema_choices_are_the_models():
    assert list(get_args(schemas.CenterKind)) == Center.Kind.values
    assert list(get_args(schemas.CenterStatus)) == Center.Status.values
    assert list(get_args(schemas.InstitutionKind)) == Institution.Kind.values


def test_reference_objects_exist_for_the_fixtures():
    # The tests above lean on the shipped reference data.
    assert Region.objects.filter(code__in=["RU-TVE", "RU-PNZ"]).count() == 2
    assert Country.objects.filter(code="MN").exists()


def test_english_address_and_hours_round_trip(as_user, network_user, institution):
    api = as_user(network_user)
    body = new_center(institution, address="г. Тверь, ул. Советская, 1", hours="Пн–Пт 9–18")
    body.update(address_en="1 Sovetskaya St, Tver", hours_en="Mon–Fri 9 am–6 pm")
    created = api.post("/centers", body)
    assert created.status_code == 201, created.content
    read = api.get("/centers/RU-TVE-0100").json()
    assert (read["address_en"], read["hours_en"]) == ("1 Sovetskaya St, Tver", "Mon–Fri 9 am–6 pm")
    changed = api.patch("/centers/RU-TVE-0100", {"hours_en": None}).json()
    assert changed["hours_en"] == "" and changed["address_en"] == "1 Sovetskaya St, Tver"

    response = api.patch(f"/institutions/{institution.pk}", {"address_en": "28 Svobodny Lane"})
    assert response.status_code == 200 and response.json()["address_en"] == "28 Svobodny Lane"
    assert api.get(f"/institutions/{institution.pk}").json()["address_en"] == "28 Svobodny Lane"
