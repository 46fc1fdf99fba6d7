"""Hostile input at every door, as a table: each class of bad request (too large a body, bytes
that are not JSON or not UTF-8, null characters, a huge or repeated query, an unknown host,
broken Content-Length and Content-Type headers, path traversal, very long path segments,
unknown methods, digits that are not ASCII) is sent to each door (a public page, the back
office, the API, /files/, /oai, /sushi/, /healthz), and the answer is checked for its status
and for the door's own format: the site's HTML page in the visitor's language, the API's JSON
(``{"message": ...}`` in the visitor's language), a COUNTER exception, a valid OAI-PMH
document. README "Errors, door by door".
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from jsonschema import Draft202012Validator
from lxml import etree

from libranet.accounts.services import api_token_create
from libranet.doors import server_error
from libranet.usage.tests.counter_support import spec

pytestmark = pytest.mark.django_db

OAI_SCHEMA = Path(settings.BASE_DIR).parent / "shared" / "standards" / "oai-pmh" / "OAI-PMH.xsd"
TOO_LARGE = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


# --- the formats ---------------------------------------------------------------------------------


def html_page(response) -> None:
    """The site's own page (its layout, its language), or its plain 500 page."""
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    assert '<html lang="ru">' in body
    if response.status_code < 500:
        assert 'class="site-header"' in body


def api_json(response) -> None:
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    if response.status_code >= 400:
        assert set(body) <= {"message", "errors"} and CYRILLIC.search(body["message"]), body


def counter_json(response) -> None:
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    if response.status_code >= 400:  # one exception, as COUNTER_API.json defines it
        schema = {**spec()["components"]["schemas"]["Exception"], "$defs": {}}
        Draft202012Validator(schema).validate(body)


@pytest.fixture(scope="module")
def oai_schema():
    return etree.XMLSchema(etree.parse(str(OAI_SCHEMA)))


def oai_xml(response, oai_schema) -> None:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    oai_schema.assertValid(etree.fromstring(b"".join(response)))


def health_json(response) -> None:
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["database"] == "ok"


# --- the doors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Door:
    """Where a door reads a query (``get``), a body (``post``) and a path parameter (``lookup``,
    ``{}`` for the value), and what its answers are: ``ok`` for a success, ``error`` for the
    rest."""

    get: str
    post: str
    lookup: str
    error: Callable[..., None]
    ok: Callable[..., None] | None = None

    def check(self, response, oai_schema) -> None:
        status = response.status_code
        if 300 <= status < 400:
            return  # a redirect (to sign in) has no body to judge
        checker = self.ok if status < 400 and self.ok else self.error
        if checker is oai_xml:
            checker(response, oai_schema)
        else:
            checker(response)


DOORS = {
    "page": Door(
        get="/ru/centers/", post="/ru/accounts/login/", lookup="/ru/centers/{}/", error=html_page
    ),
    # Signed in as the network department: the queries reach the lists, the body a form.
    "office": Door(
        get="/ru/office/centers/",
        post="/ru/office/institutions/new/",
        lookup="/ru/office/centers/{}/edit/",
        error=html_page,
    ),
    # With a staff token, so that a body is read rather than refused for want of one.
    "api": Door(
        get="/api/v1/centers",
        post="/api/v1/institutions",
        lookup="/api/v1/centers/{}",
        error=api_json,
    ),
    "files": Door(
        get="/files/999/book.pdf",
        post="/files/999/book.pdf",
        lookup="/files/999/{}",
        error=html_page,
    ),
    "oai": Door(get="/oai?verb=Identify", post="/oai", lookup="/oai/{}", error=oai_xml),
    "sushi": Door(
        get="/sushi/r51/status",
        post="/sushi/r51/status",
        lookup="/sushi/r51/reports/{}",
        error=counter_json,
    ),
    "healthz": Door(
        get="/healthz", post="/healthz", lookup="/healthz/{}", error=html_page, ok=health_json
    ),
}


# --- the hostile inputs: the request each door gets, and the status each door answers --------


@dataclass(frozen=True)
class Hostile:
    request: Callable[[Door], tuple[str, str, dict[str, Any]]]
    status: dict[str, int]


def _with_query(path: str, query: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{query}"


def _post(body: bytes, content_type: str, **extra: Any) -> Callable[[Door], tuple]:
    return lambda door: ("POST", door.post, {"data": body, "content_type": content_type, **extra})


def _get(query: str = "", **extra: Any) -> Callable[[Door], tuple]:
    return lambda door: ("GET", _with_query(door.get, query) if query else door.get, extra)


def _path(value: str) -> Callable[[Door], tuple]:
    return lambda door: ("GET", door.lookup.format(value), {})


# What the doors answer to a request they serve (there is no file 999), to a body they read
# (a form shown again with its errors, a 422, an OAI-PMH badVerb), and to a body sent to a
# door that takes none.
SERVED = dict.fromkeys(["page", "office", "api", "oai", "sushi", "healthz"], 200) | {"files": 404}
SERVED_BODY = {"page": 200, "office": 200, "api": 422, "oai": 200}  # a form re-shown, 422, badVerb
GET_ONLY = {"files": 405, "sushi": 405, "healthz": 405}

HOSTILE = {
    # Over DATA_UPLOAD_MAX_MEMORY_SIZE: 413. A form's fields are read (for null characters)
    # before any view, a JSON body where it is read.
    "oversized form": Hostile(
        _post(b"x=" + b"a" * TOO_LARGE, "application/x-www-form-urlencoded"),
        dict.fromkeys(DOORS, 413),
    ),
    "oversized JSON body": Hostile(
        _post(b'{"name_ru": "' + b"a" * TOO_LARGE + b'"}', "application/json"),
        {"page": 200, "office": 200, "api": 413, "oai": 200, **GET_ONLY},
    ),
    "invalid JSON": Hostile(
        _post(b'{"name_ru": ', "application/json"), {**SERVED_BODY, "api": 400, **GET_ONLY}
    ),
    "non-UTF-8 body": Hostile(
        _post(b"\xff\xfe\xfa", "application/json"), {**SERVED_BODY, "api": 400, **GET_ONLY}
    ),
    "non-UTF-8 form": Hostile(
        _post(b"verb=\xff\xfe&username=\xfa", "application/x-www-form-urlencoded"),
        {**SERVED_BODY, "api": 400, **GET_ONLY},  # the API reads JSON only
    ),
    "non-UTF-8 query": Hostile(_get("q=%FF%FE%FA&verb=%FF"), SERVED),
    "NUL in the query": Hostile(_get("q=a%00b"), dict.fromkeys(DOORS, 400)),
    # Where the path leads to a view, 400 before it; where it leads nowhere (OAI-PMH and
    # /healthz take no path parameter, a SUSHI report's is a slug), 404.
    "NUL in the path": Hostile(
        _path("a%00b"),
        {"page": 400, "office": 400, "api": 400, "files": 400, "oai": 404, "sushi": 404}
        | {"healthz": 404},
    ),
    "NUL in a form": Hostile(
        _post(
            b"username=a%00b&password=x&verb=a%00b&email=a%00b", "application/x-www-form-urlencoded"
        ),
        dict.fromkeys(DOORS, 400),
    ),
    "huge query string": Hostile(_get("q=" + "a" * 20_000), SERVED),
    "repeated parameters": Hostile(
        _get("q=a&q=b&verb=Identify&limit=1&limit=2&customer_id=a&customer_id=b"),
        SERVED,
    ),
    # More than DATA_UPLOAD_MAX_NUMBER_FIELDS: Django refuses to parse the query.
    "too many parameters": Hostile(
        _get("&".join(["q=a"] * (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))),
        dict.fromkeys(DOORS, 400),
    ),
    "unknown Host": Hostile(_get(HTTP_HOST="evil.example"), dict.fromkeys(DOORS, 400)),
    "malformed Content-Length": Hostile(
        _post(b"username=a", "application/x-www-form-urlencoded", CONTENT_LENGTH="12abc"),
        dict.fromkeys(DOORS, 400),  # refused before any view would fail reading the body
    ),
    "multipart without a boundary": Hostile(
        _post(
            b"--x\r\nContent-Disposition: form-data\r\n\r\na\r\n--x--\r\n", "multipart/form-data"
        ),
        {"page": 400, "office": 400, "api": 400, "oai": 400, **GET_ONLY},
    ),
    "unknown Content-Type": Hostile(
        _post(b"<x/>", "application/x-unknown; charset=klingon"),
        {**SERVED_BODY, "api": 400, **GET_ONLY},
    ),
    "path traversal": Hostile(_path("..%2f..%2f..%2fetc%2fpasswd"), dict.fromkeys(DOORS, 404)),
    "very long path segment": Hostile(_path("A" * 5000), dict.fromkeys(DOORS, 404)),
    "unknown method": Hostile(lambda door: ("BREW", door.get, {}), dict.fromkeys(DOORS, 405)),
    "non-ASCII digits": Hostile(
        _get("page=%D9%A2&limit=%D9%A2&offset=%D9%A2"),  # Arabic-Indic two
        SERVED | {"api": 422},
    ),
}


def test_the_table_covers_every_door():
    assert all(set(hostile.status) == set(DOORS) for hostile in HOSTILE.values())


@pytest.fixture
def clients(tver_rc, network_user, admin_user):
    """A client for each door: the office's signed in as the network department, the API's
    with a staff token; every one asking for Russian."""
    token = api_token_create(user=admin_user, name="hostile")[1]
    office = Client(HTTP_ACCEPT_LANGUAGE="ru")
    office.force_login(network_user)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="ru")
    api = Client(HTTP_ACCEPT_LANGUAGE="ru", HTTP_AUTHORIZATION=f"Bearer {token}")
    return {name: anonymous for name in DOORS} | {"office": office, "api": api}


@pytest.mark.parametrize("door_name", DOORS)
@pytest.mark.parametrize("hostile_name", HOSTILE)
def test_hostile_input(clients, oai_schema, hostile_name, door_name):
    door, hostile = DOORS[door_name], HOSTILE[hostile_name]
    expected = hostile.status[door_name]
    method, path, options = hostile.request(door)
    response = clients[door_name].generic(method, path, **options)
    assert response.status_code == expected, (method, path[:200], response.content[:500])
    door.check(response, oai_schema)
    if expected == 405:
        assert response["Allow"]


@pytest.mark.parametrize("door_name", DOORS)
def test_a_failure_answers_in_the_doors_format(rf, oai_schema, door_name):
    """handler500, as Django calls it for an exception no view caught: 503 with Exception 1000
    at SUSHI (as Appendix D gives it), 500 elsewhere."""
    door = DOORS[door_name]
    with translation.override("ru"):  # as LocaleMiddleware leaves it for the handler
        response = server_error(rf.get(door.get))
    assert response.status_code == (503 if door_name == "sushi" else 500)
    if door.error is html_page:  # the plain page: the failure may be in what a layout reads
        assert b"Server error" in response.content
    else:
        door.check(response, oai_schema)
    if door_name == "sushi":
        assert json.loads(response.content)["Code"] == 1000
