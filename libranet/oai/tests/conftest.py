"""OAI-PMH test helpers: resources made straight with the models (their OAI-PMH records rendered
as the services render them), every response validated.

Every response is checked against the protocol's own schema (../shared/standards/oai-pmh); the
schema skips what is inside ``<metadata>``, whose oai_dc schema lives on the web (tests run
offline), so oai_dc is checked here by namespace and element name instead.
"""

import datetime as dt
import gzip
import itertools
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from libranet.resources import harvest
from libranet.resources.models import Collection, Resource

SCHEMA = Path(settings.BASE_DIR).parent / "shared" / "standards" / "oai-pmh" / "OAI-PMH.xsd"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
DC_ELEMENTS = {
    "title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
    "format", "identifier", "source", "language", "relation", "coverage", "rights",
}  # fmt: skip
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
START = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def oai_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def check_oai_dc(root) -> None:
    """Every metadata record is one oai_dc:dc holding only Dublin Core elements."""
    for metadata in root.iterfind(".//oai:metadata", NS):
        (dc,) = metadata
        assert dc.tag == f"{{{NS['oai_dc']}}}dc"
        for child in dc:
            namespace, name = child.tag[1:].split("}")
            assert namespace == NS["dc"] and name in DC_ELEMENTS, child.tag
            assert set(child.attrib) <= {XML_LANG}
            assert len(child) == 0 and child.text


def parse(body: bytes, schema):
    root = etree.fromstring(body)
    if schema is not None:
        schema.assertValid(root)
    check_oai_dc(root)
    return root


@pytest.fixture
def oai(client, oai_schema):
    """Ask /oai (GET, or POST with ``method="post"``); the response with ``.xml``, its root
    element, validated against the schema."""

    def ask(method: str = "get", headers: dict | None = None, **params):
        response = getattr(client, method)("/oai", params, headers=headers or {})
        assert response.status_code == 200
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        body = b"".join(response.streaming_content)
        if response.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        response.body = body
        response.xml = parse(body, oai_schema)
        return response

    return ask


def error_codes(response) -> list[str]:
    return [e.get("code") for e in response.xml.iterfind("oai:error", NS)]


def request_attributes(response) -> dict:
    return dict(response.xml.find("oai:request", NS).attrib)


def identifiers(response) -> list[str]:
    return [e.text for e in response.xml.iterfind(".//oai:header/oai:identifier", NS)]


def token(response):
    return response.xml.find(".//oai:resumptionToken", NS)


@pytest.fixture
def make_resource(db):
    """A resource created straight with the model; a minute apart by default."""

    def make(*, collections=(), **fields):
        number = next(_numbers)
        fields.setdefault("identifier", f"RU-PL-{number:06d}")
        fields.setdefault("title_ru", f"Книга {number}")
        fields.setdefault("type", Resource.Type.BOOK)
        fields.setdefault("access_level", "open")
        fields.setdefault("modified_at", START + dt.timedelta(minutes=number))
        resource = Resource.objects.create(**fields)
        resource.collections.set(collections)
        harvest.store([resource.pk])
        return resource

    return make


@pytest.fixture
def tree(db):
    """history ─ empire ─ petrine; history ─ ussr; maps (a root of its own)."""
    history = Collection.objects.create(code="history", name_ru="История", name_en="History")
    empire = Collection.objects.create(
        code="empire", parent=history, name_ru="Российская империя", description_ru="1721–1917"
    )
    petrine = Collection.objects.create(code="petrine", parent=empire, name_ru="Петровская эпоха")
    ussr = Collection.objects.create(code="ussr", parent=history, name_ru="СССР")
    maps = Collection.objects.create(code="maps", name_ru="Карты", position=1)
    return {c.code: c for c in (history, empire, petrine, ussr, maps)}
