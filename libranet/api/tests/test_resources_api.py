"""The resources API: public reads whose ``readable_here`` answers for the caller and where the
request comes from, the same refusals as the pages (404 staff-only, 410 withdrawn), and staff
writes through the resources' services."""

from typing import get_args

import pytest
from django.utils import timezone

from libranet.api import resource_schemas
from libranet.audit.models import AuditEntry
from libranet.network.models import StaffRole
from libranet.network.places import WORKSTATION_COOKIE, workstation_register
from libranet.public.tests.resources_data import (
    CENTER_ADDRESS,
    OUTSIDE_ADDRESS,
    add_file,
    confirm_reader,
    make_resource,
    media,  # noqa: F401 (a fixture)
)
from libranet.resources.models import AccessLevel, Collection, Resource, ResourceFile
from libranet.resources.search import index_rebuild

from .test_api import Api, assert_json_error, secret_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


@pytest.fixture
def catalogue(tver_rc):
    power = Collection.objects.create(code="power", name_ru="Власть", name_en="Power")
    presidents = Collection.objects.create(
        code="presidents", parent=power, name_ru="Президенты", name_en="Presidents"
    )
    maps = Collection.objects.create(code="maps", name_ru="Карты", name_en="Maps")
    items = {
        "open": make_resource("a:open", title_ru="Открытая книга", title_en="Open book"),
        "readers": make_resource("b:readers", access_level="readers", type="periodical"),
        "on_site": make_resource(
            "c/on.site", access_level="on_site", title_ru="Карта губернии", type="map"
        ),
        "staff": make_resource("d:staff", access_level="staff"),
        "gone": make_resource("e:gone", deleted_at=timezone.now()),
    }
    items["open"].collections.add(presidents)
    items["on_site"].collections.add(maps)
    items["readers"].language = "en"
    items["readers"].save()
    add_file(items["on_site"], label="Лист 1")
    return items


def identifiers(response) -> list[str]:
    return [item["identifier"] for item in response.json()["items"]]


def listing(client, address=OUTSIDE_ADDRESS, **params):
    return client.get("/api/v1/resources", params, REMOTE_ADDR=address)


def test_list_shape_order_and_visibility(client, catalogue):
    response = listing(client)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert identifiers(response) == ["a:open", "b:readers", "c/on.site"]  # by identifier
    item = body["items"][2]
    assert item["title"] == "Карта губернии" and item["title_ru"] == "Карта губернии"
    assert item["type"] == "map" and item["access_level"] == "on_site"
    assert item["readable_here"] is False
    file = item["files"][0]
    stored = ResourceFile.objects.get(resource=catalogue["on_site"])
    assert file == {
        "id": stored.pk,
        "kind": "pdf",
        "label": "Лист 1",
        "content_type": "application/pdf",
        "size": stored.size,
        "url": f"http://testserver/files/{stored.pk}/book.pdf",
    }
    assert item["url"] == "http://testserver/ru/resources/c/on.site/"
    assert body["items"][0]["collections"] == [
        {"code": "presidents", "name_ru": "Президенты", "name_en": "Presidents"}
    ]


def test_title_follows_accept_language(client, catalogue):
    response = client.get("/api/v1/resources", headers={"Accept-Language": "en"})
    assert response.json()["items"][0]["title"] == "Open book"


def test_readable_here_answers_for_the_place(client, catalogue, tver_rc, operator_user):
    def readable(**kwargs):
        return {
            i["identifier"]: i["readable_here"] for i in listing(client, **kwargs).json()["items"]
        }

    assert readable() == {"a:open": True, "b:readers": False, "c/on.site": False}
    assert all(readable(address=CENTER_ADDRESS).values())
    spoofed = client.get(
        "/api/v1/resources", REMOTE_ADDR=OUTSIDE_ADDRESS, HTTP_X_FORWARDED_FOR=CENTER_ADDRESS
    )
    assert [i["readable_here"] for i in spoofed.json()["items"]] == [True, False, False]
    _ws, cookie = workstation_register(actor=operator_user, center=tver_rc, name="зал")
    client.cookies[WORKSTATION_COOKIE] = cookie
    assert readable()["c/on.site"] is True


def test_confirmed_reader_reads_the_readers_level_anywhere(client, catalogue, make_staff):
    client.force_login(confirm_reader(make_staff("anna")))
    items = {i["identifier"]: i for i in listing(client).json()["items"]}
    assert items["b:readers"]["readable_here"] is True
    assert items["c/on.site"]["readable_here"] is False


def test_filters(client, catalogue):
    assert identifiers(listing(client, type="map")) == ["c/on.site"]
    assert identifiers(listing(client, collection="power")) == ["a:open"]  # with sub-collections
    assert identifiers(listing(client, language="en")) == ["b:readers"]
    assert identifiers(listing(client, access_level="readers")) == ["b:readers"]
    assert identifiers(listing(client, readable_here="true")) == ["a:open"]
    assert identifiers(listing(client, readable_here="false")) == ["b:readers", "c/on.site"]
    assert identifiers(listing(client, CENTER_ADDRESS, readable_here="true")) == [
        "a:open",
        "b:readers",
        "c/on.site",
    ]
    assert identifiers(listing(client, q="", language="")) == ["a:open", "b:readers", "c/on.site"]
    for enumerated in ("type", "access_level", "readable_here"):
        assert listing(client, **{enumerated: ""}).status_code == 422
    page = listing(client, limit=1, offset=1).json()
    assert page["count"] == 3 and [i["identifier"] for i in page["items"]] == ["b:readers"]


def test_words_are_found_by_the_search_service(client, catalogue, operator_user):
    index_rebuild()  # the catalogue was made without the services' outbox
    assert identifiers(listing(client, q="губерний")) == ["c/on.site"]  # stemmed: губернии
    assert identifiers(listing(client, q="OPEN BOOK")) == ["a:open"]
    assert identifiers(listing(client, q="губернии", readable_here="true")) == []
    assert identifiers(listing(client, q="губернии", readable_here="false")) == ["c/on.site"]
    inside = listing(client, CENTER_ADDRESS, q="губернии", readable_here="true").json()
    assert inside["count"] == 1 and inside["items"][0]["readable_here"] is True
    assert identifiers(listing(client, q="губернии", type="book")) == []
    assert identifiers(listing(client, q="книга", collection="power")) == ["a:open"]
    assert listing(client, q="книга")["Content-Type"].startswith("application/json")
    staff = Api(client, secret_for(operator_user))  # staff read everything, anywhere
    assert staff.get("/resources", q="книга", readable_here="false").json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "novel"}, "type"),
        ({"access_level": "secret"}, "access_level"),
        ({"collection": "nope"}, "collection"),
        ({"limit": "0"}, "limit"),
        ({"readable_here": "perhaps"}, "readable_here"),
    ],
)
def test_bad_filters_are_422_on_the_parameter(client, catalogue, params, field):
    body = assert_json_error(listing(client, **params), 422)
    assert field in body["errors"]


def test_a_malformed_query_is_no_500(client, catalogue):
    for q in ['"unbalanced', "AND OR NOT (", "x" * 10_000]:
        assert listing(client, q=q).status_code == 200


def test_staff_see_staff_only_resources(client, catalogue, operator_user):
    staff = Api(client, secret_for(operator_user))
    assert "d:staff" in identifiers(staff.get("/resources"))
    assert staff.get("/resources/d:staff").status_code == 200


def test_detail(client, catalogue):
    response = client.get("/api/v1/resources/c/on.site", REMOTE_ADDR=OUTSIDE_ADDRESS)
    assert response.status_code == 200
    body = response.json()
    assert body["identifier"] == "c/on.site" and body["readable_here"] is False
    assert body["access"]["allowed"] is False and body["access"]["reason"] == "on_site"
    assert body["access"]["message"]
    inside = client.get("/api/v1/resources/c/on.site", REMOTE_ADDR=CENTER_ADDRESS).json()
    assert inside["access"] == {
        "allowed": True,
        "reason": "in_center",
        "message": inside["access"]["message"],
    }


def test_detail_refusals(client, catalogue):
    assert_json_error(client.get("/api/v1/resources/d:staff", REMOTE_ADDR=CENTER_ADDRESS), 404)
    assert_json_error(client.get("/api/v1/resources/e:gone"), 410)
    assert_json_error(client.get("/api/v1/resources/no:such"), 404)


def test_literals_match_the_models():
    assert set(get_args(resource_schemas.ResourceType)) == set(Resource.Type.values)
    assert set(get_args(resource_schemas.AccessLevelName)) == set(AccessLevel.values)
    assert set(get_args(resource_schemas.FileKind)) == set(ResourceFile.Kind.values)


# --- writes -------------------------------------------------------------------------------------


@pytest.fixture
def editor(client, network_user):
    return Api(client, secret_for(network_user))


NEW = {
    "identifier": "pl:new/1",
    "title_ru": "Новая книга",
    "type": "book",
    "access_level": "on_site",
    "date": "1920s",
    "creators": ["Иванов, Иван"],
    "collections": ["maps"],
}


def test_staff_catalogue_change_and_withdraw(client, catalogue, editor):
    created = editor.post("/resources", NEW)
    assert created.status_code == 201, created.content
    assert created["Location"] == "/api/v1/resources/pl:new/1"
    body = created.json()
    assert body["year_from"] == 1920 and body["year_to"] == 1929
    assert [c["code"] for c in body["collections"]] == ["maps"]
    assert AuditEntry.objects.filter(action="resource.create").exists()

    changed = editor.patch("/resources/pl:new/1", {"title_en": "New book", "collections": []})
    assert changed.status_code == 200, changed.content
    assert changed.json()["title_en"] == "New book" and changed.json()["collections"] == []

    assert editor.send("DELETE", "/resources/pl:new/1").status_code == 204
    assert_json_error(editor.get("/resources/pl:new/1"), 410)
    assert_json_error(editor.patch("/resources/pl:new/1", {"title_en": "x"}), 410)


def test_writes_are_refused_beyond_the_role(client, catalogue, make_staff, tver_rc):
    operator = make_staff("op", StaffRole.Role.CENTER_OPERATOR, center=tver_rc)
    as_operator = Api(client, secret_for(operator))
    assert_json_error(as_operator.post("/resources", NEW), 403)
    assert_json_error(as_operator.patch("/resources/a:open", {"title_en": "x"}), 403)
    assert_json_error(as_operator.send("DELETE", "/resources/a:open"), 403)
    assert_json_error(Api(client).post("/resources", NEW), 401)
    assert not Resource.objects.filter(identifier="pl:new/1").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"identifier": "has space"}, "identifier"),
        ({"identifier": "a:open"}, "identifier"),  # taken
        ({"date": "someday"}, "date_text"),
        ({"collections": ["nope"]}, "collections"),
        ({"type": "novel"}, "type"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_writes_are_422_and_write_nothing(client, catalogue, editor, change, field):
    body = assert_json_error(editor.post("/resources", {**NEW, **change}), 422)
    assert field in body["errors"]
    assert Resource.objects.count() == len(catalogue)


def test_a_page_costs_a_fixed_number_of_queries(client, catalogue, django_assert_max_num_queries):
    for number in range(20):
        add_file(make_resource(f"z:{number:02d}", access_level="on_site"))
    # The page, its files and collections, the count, and the place of the request.
    with django_assert_max_num_queries(5):
        response = listing(client, limit=50)
    assert response.json()["count"] == 23
