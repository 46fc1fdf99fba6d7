"""The six verbs, their arguments and every error code, through GET and POST on /oai."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from libranet.oai import protocol
from libranet.resources.services import collection_update

from .conftest import NS, START, error_codes, identifiers, request_attributes, token

pytestmark = pytest.mark.django_db

DC = "oai:metadata/oai_dc:dc/dc:"


def dc(record, name):
    return [
        (e.text, e.get("{http://www.w3.org/XML/1998/namespace}lang"))
        for e in record.iterfind(DC + name, NS)
    ]


def test_identify_describes_the_repository(oai, make_resource, settings):
    settings.LIBRANET_OAI_REPOSITORY_NAME = "Президентская библиотека"
    settings.LIBRANET_SITE_URL = "https://network.example.org"
    settings.LIBRANET_OAI_ADMIN_EMAIL = "oai@prlib.example.org"
    make_resource(modified_at=START + dt.timedelta(days=2))
    make_resource(modified_at=START + dt.timedelta(seconds=5, microseconds=700))
    make_resource(modified_at=START, access_level="staff")  # never seen, not even its date

    identify = oai(verb="Identify").xml.find("oai:Identify", NS)

    def get(name):
        return [e.text for e in identify.iterfind(f"oai:{name}", NS)]

    assert get("repositoryName") == ["Президентская библиотека"]
    assert get("baseURL") == ["https://network.example.org/oai"]
    assert get("protocolVersion") == ["2.0"]
    assert get("adminEmail") == ["oai@prlib.example.org"]
    assert get("earliestDatestamp") == ["2024-03-01T12:00:05Z"]
    assert get("deletedRecord") == ["persistent"]
    assert get("granularity") == ["YYYY-MM-DDThh:mm:ssZ"]
    assert get("compression") == ["gzip"]
    # "libranet" is no domain name, so no oai-identifier description is claimed.
    assert identify.find("oai:description", NS) is None


def test_identify_defaults_and_the_oai_identifier_description(oai, settings):
    settings.DEFAULT_FROM_EMAIL = "Libranet <libranet@localhost>"
    settings.LIBRANET_OAI_REPOSITORY_ID = "prlib.ru"
    response = oai(verb="Identify")
    identify = response.xml.find("oai:Identify", NS)
    # The sender address of mail, made acceptable to the schema's dotted-domain pattern.
    assert identify.findtext("oai:adminEmail", namespaces=NS) == "libranet@localhost.localdomain"
    # No records yet: the earliest datestamp is no later than now.
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) <= response.xml.findtext(
        "oai:responseDate", namespaces=NS
    )
    ns = {"id": "http://www.openarchives.org/OAI/2.0/oai-identifier"}
    description = identify.find("oai:description/id:oai-identifier", {**NS, **ns})
    assert description.findtext("id:repositoryIdentifier", namespaces=ns) == "prlib.ru"
    assert description.findtext("id:sampleIdentifier", namespaces=ns).startswith("oai:prlib.ru:")


def test_post_is_answered_like_get(oai, make_resource):
    make_resource(identifier="RU-PL-POST")
    got = oai(verb="GetRecord", identifier="oai:libranet:RU-PL-POST", metadataPrefix="oai_dc")
    posted = oai(
        "post", verb="GetRecord", identifier="oai:libranet:RU-PL-POST", metadataPrefix="oai_dc"
    )
    assert identifiers(posted) == identifiers(got) == ["oai:libranet:RU-PL-POST"]
    assert request_attributes(posted) == {
        "verb": "GetRecord",
        "identifier": "oai:libranet:RU-PL-POST",
        "metadataPrefix": "oai_dc",
    }
    assert error_codes(oai("post")) == ["badVerb"]


def test_other_methods_are_refused(client):
    assert client.put("/oai?verb=Identify").status_code == 405


def test_response_date_is_utc_and_the_request_is_echoed(oai, make_resource):
    make_resource()
    response = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2024-01-01"})
    date = response.xml.findtext("oai:responseDate", namespaces=NS)
    assert date.endswith("Z") and len(date) == 20
    assert request_attributes(response) == {
        "verb": "ListIdentifiers",
        "metadataPrefix": "oai_dc",
        "from": "2024-01-01",
    }
    assert response.xml.findtext("oai:request", namespaces=NS) == "http://127.0.0.1:8000/oai"


def test_the_site_address_falls_back_to_the_request_host(oai, make_resource, settings):
    settings.LIBRANET_SITE_URL = ""
    make_resource(identifier="RU-PL-HOST")
    response = oai(verb="GetRecord", identifier="oai:libranet:RU-PL-HOST", metadataPrefix="oai_dc")
    assert response.xml.findtext("oai:request", namespaces=NS) == "http://testserver/oai"
    assert ("http://testserver/ru/resources/RU-PL-HOST/", None) in dc(
        response.xml.find(".//oai:record", NS), "identifier"
    )


def test_get_record_writes_oai_dc_in_both_languages(oai, make_resource, tree):
    make_resource(
        identifier="RU-PL-1703",
        title_ru="Ведомости",
        title_en="Vedomosti",
        creators=["Пётр I", {"ru": "Поликарпов, Ф. П.", "en": "Polikarpov, F. P."}],
        subjects=["Газеты", {"ru": "Россия — История", "en": "Russia — History"}],
        description_ru="Первая печатная газета <в России> & всё",
        description_en="The first printed newspaper in Russia",
        date_text="1703-01-02",
        type="periodical",
        language="ru",
        rights="Общественное достояние\x0b",  # a control character XML cannot carry: dropped
        collections=[tree["petrine"], tree["maps"]],
    )
    response = oai(verb="GetRecord", identifier="oai:libranet:RU-PL-1703", metadataPrefix="oai_dc")
    record = response.xml.find("oai:GetRecord/oai:record", NS)
    header = record.find("oai:header", NS)
    assert header.get("status") is None
    assert header.findtext("oai:identifier", namespaces=NS) == "oai:libranet:RU-PL-1703"
    assert header.findtext("oai:datestamp", namespaces=NS).endswith("Z")
    assert [e.text for e in header.iterfind("oai:setSpec", NS)] == [
        "history:empire:petrine",
        "maps",
    ]
    assert dc(record, "title") == [("Ведомости", "ru"), ("Vedomosti", "en")]
    assert dc(record, "creator") == [
        ("Пётр I", None),
        ("Поликарпов, Ф. П.", "ru"),
        ("Polikarpov, F. P.", "en"),
    ]
    assert dc(record, "subject") == [
        ("Газеты", None),
        ("Россия — История", "ru"),
        ("Russia — History", "en"),
    ]
    assert dc(record, "description") == [
        ("Первая печатная газета <в России> & всё", "ru"),
        ("The first printed newspaper in Russia", "en"),
    ]
    assert dc(record, "date") == [("1703-01-02", None)]
    assert dc(record, "type") == [("Text", None), ("periodical", None)]
    assert dc(record, "language") == [("ru", None)]
    assert dc(record, "rights") == [("Общественное достояние", None)]
    assert dc(record, "identifier") == [
        ("http://127.0.0.1:8000/ru/resources/RU-PL-1703/", None),
        ("RU-PL-1703", None),
    ]


@pytest.mark.parametrize(
    ("kind", "dcmi"),
    [
        ("photograph", "StillImage"),
        ("map", "StillImage"),
        ("sound", "Sound"),
        ("video", "MovingImage"),
    ],
)
def test_types_map_to_the_dcmi_vocabulary(oai, make_resource, kind, dcmi):
    make_resource(identifier="T", type=kind)
    response = oai(verb="GetRecord", identifier="oai:libranet:T", metadataPrefix="oai_dc")
    assert dc(response.xml.find(".//oai:record", NS), "type") == [(dcmi, None), (kind, None)]


def test_identifiers_with_unusual_characters_go_both_ways(oai, make_resource):
    make_resource(identifier="pl:books/1703.2&x")
    make_resource(identifier="фонд 1%")
    listed = identifiers(oai(verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert listed == [
        "oai:libranet:pl:books/1703.2&x",
        "oai:libranet:%D1%84%D0%BE%D0%BD%D0%B4%201%25",
    ]
    for oai_id in listed:
        response = oai(verb="GetRecord", identifier=oai_id, metadataPrefix="oai_dc")
        assert identifiers(response) == [oai_id]
    page = dc(response.xml.find(".//oai:record", NS), "identifier")[0][0]
    assert page == "http://127.0.0.1:8000/ru/resources/%D1%84%D0%BE%D0%BD%D0%B4%201%25/"


@pytest.mark.parametrize("identifier", ["pl-000123", "pl:books/1703.2", "ark:/12345/x1", "a b&c"])
def test_the_page_link_is_the_record_page(oai, make_resource, identifier):
    make_resource(identifier=identifier)
    record = oai(verb="ListRecords", metadataPrefix="oai_dc").xml.find(".//oai:record", NS)
    with translation.override("ru"):
        path = reverse("public:resource", kwargs={"identifier": identifier})
    assert dc(record, "identifier")[0] == (f"http://127.0.0.1:8000{path}", None)


def test_deleted_records_persist_without_metadata(oai, make_resource):
    make_resource(identifier="GONE", deleted_at=START, modified_at=START + dt.timedelta(days=1))
    make_resource(identifier="HERE")
    response = oai(verb="ListRecords", metadataPrefix="oai_dc")
    records = response.xml.findall(".//oai:record", NS)
    assert [r.findtext("oai:header/oai:identifier", namespaces=NS) for r in records] == [
        "oai:libranet:HERE",
        "oai:libranet:GONE",
    ]
    assert records[1].find("oai:header", NS).get("status") == "deleted"
    assert records[1].find("oai:metadata", NS) is None
    got = oai(verb="GetRecord", identifier="oai:libranet:GONE", metadataPrefix="oai_dc")
    assert got.xml.find(".//oai:header", NS).get("status") == "deleted"
    assert got.xml.find(".//oai:metadata", NS) is None
    headers = oai(verb="ListIdentifiers", metadataPrefix="oai_dc").xml.findall(".//oai:header", NS)
    assert [h.get("status") for h in headers] == [None, "deleted"]


@pytest.mark.parametrize("deleted", [False, True])
def test_staff_only_resources_never_appear(oai, make_resource, tree, deleted):
    make_resource(identifier="OPEN", collections=[tree["maps"]])
    make_resource(
        identifier="SECRET",
        access_level="staff",
        collections=[tree["maps"]],
        deleted_at=START if deleted else None,
    )
    for params in (
        {"verb": "ListRecords"},
        {"verb": "ListIdentifiers"},
        {"verb": "ListRecords", "set": "maps"},
    ):
        response = oai(metadataPrefix="oai_dc", **params)
        assert identifiers(response) == ["oai:libranet:OPEN"]
        assert b"SECRET" not in response.body
    for params in (
        {"verb": "GetRecord", "metadataPrefix": "oai_dc"},
        {"verb": "ListMetadataFormats"},
    ):
        response = oai(identifier="oai:libranet:SECRET", **params)
        assert error_codes(response) == ["idDoesNotExist"]


def test_list_metadata_formats(oai, make_resource):
    make_resource(identifier="ONE")
    for params in ({}, {"identifier": "oai:libranet:ONE"}):
        response = oai(verb="ListMetadataFormats", **params)
        formats = response.xml.findall(".//oai:metadataFormat", NS)
        assert [f.findtext("oai:metadataPrefix", namespaces=NS) for f in formats] == ["oai_dc"]
        assert formats[0].findtext("oai:metadataNamespace", namespaces=NS) == (
            "http://www.openarchives.org/OAI/2.0/oai_dc/"
        )
    response = oai(verb="ListMetadataFormats", identifier="oai:libranet:NONE")
    assert error_codes(response) == ["idDoesNotExist"]
    assert request_attributes(response)["identifier"] == "oai:libranet:NONE"


def test_no_metadata_formats_for_an_item_is_an_error(oai, make_resource, monkeypatch):
    make_resource(identifier="ONE")
    monkeypatch.setattr(protocol, "formats_for", lambda row: [])
    response = oai(verb="ListMetadataFormats", identifier="oai:libranet:ONE")
    assert error_codes(response) == ["noMetadataFormats"]


def test_list_sets_follows_the_collection_tree(oai, tree):
    response = oai(verb="ListSets")
    sets = response.xml.findall(".//oai:set", NS)
    assert [
        (s.findtext("oai:setSpec", namespaces=NS), s.findtext("oai:setName", namespaces=NS))
        for s in sets
    ] == [
        ("history", "История"),
        ("history:empire", "Российская империя"),
        ("history:empire:petrine", "Петровская эпоха"),
        ("history:ussr", "СССР"),
        ("maps", "Карты"),
    ]
    described = sets[0].find("oai:setDescription/oai_dc:dc", NS)
    assert described.findtext("dc:title", namespaces=NS) == "History"
    assert token(response) is None


def test_no_collections_no_sets(oai, make_resource):
    make_resource()
    assert error_codes(oai(verb="ListSets")) == ["noSetHierarchy"]
    response = oai(verb="ListRecords", metadataPrefix="oai_dc", set="history")
    assert error_codes(response) == ["noSetHierarchy"]


def test_a_set_holds_its_descendants(oai, make_resource, tree):
    make_resource(identifier="PETRINE", collections=[tree["petrine"]])
    make_resource(identifier="EMPIRE", collections=[tree["empire"]])
    make_resource(identifier="BOTH", collections=[tree["ussr"], tree["petrine"], tree["maps"]])
    make_resource(identifier="MAP", collections=[tree["maps"]])
    make_resource(identifier="NONE")

    def listed(spec):
        response = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)
        return [i.removeprefix("oai:libranet:") for i in identifiers(response)]

    assert listed("history") == ["PETRINE", "EMPIRE", "BOTH"]  # once each, though in two
    assert listed("history:empire") == ["PETRINE", "EMPIRE", "BOTH"]
    assert listed("history:empire:petrine") == ["PETRINE", "BOTH"]
    assert listed("history:ussr") == ["BOTH"]
    assert listed("maps") == ["BOTH", "MAP"]
    # A set is named by its full spec only.
    response = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="empire")
    assert error_codes(response) == ["noRecordsMatch"]


def test_a_moved_collection_reaches_harvesters_of_changes(oai, make_resource, tree):
    make_resource(identifier="PETRINE", collections=[tree["petrine"]])
    make_resource(identifier="MAP", collections=[tree["maps"]])
    moved_at = timezone.now().replace(microsecond=0)
    # The empire goes under the maps (a test tree): its sets' specs change, and so do the
    # records in them, which an incremental harvest from the moment of the move then sees.
    collection_update(actor=None, collection=tree["empire"], parent=tree["maps"])
    since = {"from": moved_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    changed = oai(verb="ListRecords", metadataPrefix="oai_dc", **since)
    assert identifiers(changed) == ["oai:libranet:PETRINE"]
    header = changed.xml.find(".//oai:header", NS)
    assert [s.text for s in header.iterfind("oai:setSpec", NS)] == ["maps:empire:petrine"]
    listed = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", set="maps:empire")
    assert identifiers(listed) == ["oai:libranet:PETRINE"]
    sets = oai(verb="ListSets").xml.iterfind(".//oai:setSpec", NS)
    assert "maps:empire:petrine" in [s.text for s in sets]


def test_from_and_until_to_the_day_and_to_the_second(oai, make_resource):
    day = dt.datetime(2024, 5, 10, tzinfo=dt.UTC)
    make_resource(identifier="EVE", modified_at=day - dt.timedelta(microseconds=1))
    make_resource(identifier="MORNING", modified_at=day)
    make_resource(identifier="NOON", modified_at=day + dt.timedelta(hours=12, microseconds=500))
    make_resource(
        identifier="NIGHT", modified_at=day + dt.timedelta(hours=23, minutes=59, seconds=59.9)
    )
    make_resource(identifier="NEXT", modified_at=day + dt.timedelta(days=1))

    def listed(**params):
        response = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
        if error_codes(response):
            return error_codes(response)
        return [i.removeprefix("oai:libranet:") for i in identifiers(response)]

    assert listed(**{"from": "2024-05-10", "until": "2024-05-10"}) == ["MORNING", "NOON", "NIGHT"]
    assert listed(**{"from": "2024-05-11"}) == ["NEXT"]
    assert listed(until="2024-05-09") == ["EVE"]
    # Seconds: both bounds inclusive at the second, whatever the fraction stored.
    assert listed(**{"from": "2024-05-10T12:00:00Z", "until": "2024-05-10T12:00:00Z"}) == ["NOON"]
    assert listed(**{"from": "2024-05-10T12:00:01Z", "until": "2024-05-10T23:59:59Z"}) == ["NIGHT"]
    assert listed(**{"until": "2024-05-09T23:59:59Z"}) == ["EVE"]
    # Each record's datestamp lies within the bounds asked for.
    response = oai(verb="ListIdentifiers", metadataPrefix="oai_dc", until="2024-05-10T12:00:00Z")
    stamps = [e.text for e in response.xml.iterfind(".//oai:datestamp", NS)]
    assert stamps == ["2024-05-09T23:59:59Z", "2024-05-10T00:00:00Z", "2024-05-10T12:00:00Z"]
    assert listed(**{"from": "2030-01-01"}) == ["noRecordsMatch"]
    assert listed(until="2000-01-01T00:00:00Z") == ["noRecordsMatch"]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2024-05-10", "until": "2024-05-10T00:00:00Z"},  # mixed granularities
        {"from": "2024-05-11", "until": "2024-05-10"},  # until before from
        {"from": "2024-05-10T10:00:01Z", "until": "2024-05-10T10:00:00Z"},
        {"from": "2024-02-30"},  # no such day
        {"from": "10.05.2024"},
        {"until": "2024-05-10T10:00:00"},  # no Z
        {"until": "2024-05-10T10:00:00.5Z"},  # finer than the repository
        {"until": "2024-05-10T10:00:00+03:00"},
        {"set": "bad set!"},
        {"set": ":history"},
        {"metadataPrefix": "oai dc"},
        {"identifier": "oai:libranet:X"},  # not an argument of ListRecords
        {"foo": "bar"},
        {"from": ""},
    ],
)
def test_bad_arguments_of_lists(oai, make_resource, params):
    make_resource()
    response = oai(verb="ListRecords", **{"metadataPrefix": "oai_dc", **params})
    assert error_codes(response) == ["badArgument"]
    assert request_attributes(response) == {}  # the arguments are not echoed (4.2)


@pytest.mark.parametrize(
    "query",
    [
        "verb=GetRecord&identifier=oai:libranet:X",  # metadataPrefix missing
        "verb=GetRecord&metadataPrefix=oai_dc",  # identifier missing
        "verb=GetRecord&identifier=oai:libranet:X&identifier=oai:libranet:Y&metadataPrefix=oai_dc",
        "verb=GetRecord&identifier=oai:libranet:a%20b&metadataPrefix=oai_dc",  # not a URI
        "verb=ListRecords",  # metadataPrefix missing
        "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc",
        "verb=ListRecords&resumptionToken=abc&metadataPrefix=oai_dc",  # token not alone
        "verb=ListIdentifiers&resumptionToken=abc&from=2024-01-01",
        "verb=ListSets&resumptionToken=abc&set=history",
        "verb=Identify&metadataPrefix=oai_dc",
        "verb=ListMetadataFormats&identifier=",
        "verb=ListSets&foo=bar",
    ],
)
def test_bad_arguments(client, oai_schema, query):
    from .conftest import parse

    response = client.get(f"/oai?{query}")
    root = parse(b"".join(response.streaming_content), oai_schema)
    assert [e.get("code") for e in root.iterfind("oai:error", NS)] == ["badArgument"]
    assert dict(root.find("oai:request", NS).attrib) == {}


@pytest.mark.parametrize(
    "query", ["", "verb=Nonsense", "verb=Identify&verb=Identify", "verb=identify"]
)
def test_bad_verbs(client, oai_schema, query):
    from .conftest import parse

    root = parse(b"".join(client.get(f"/oai?{query}").streaming_content), oai_schema)
    assert [e.get("code") for e in root.iterfind("oai:error", NS)] == ["badVerb"]
    assert dict(root.find("oai:request", NS).attrib) == {}


def test_only_oai_dc_is_disseminated(oai, make_resource):
    make_resource(identifier="ONE")
    for params in (
        {"verb": "ListRecords"},
        {"verb": "ListIdentifiers"},
        {"verb": "GetRecord", "identifier": "oai:libranet:ONE"},
    ):
        response = oai(metadataPrefix="marc21", **params)
        assert error_codes(response) == ["cannotDisseminateFormat"]
        assert request_attributes(response)["metadataPrefix"] == "marc21"  # echoed


@pytest.mark.parametrize(
    "identifier", ["oai:libranet:NOPE", "oai:other.org:ONE", "ONE", "oai:libranet:"]
)
def test_unknown_identifiers(oai, make_resource, identifier):
    make_resource(identifier="ONE")
    response = oai(verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert error_codes(response) == ["idDoesNotExist"]
    assert request_attributes(response)["identifier"] == identifier


def test_empty_repository_has_no_records(oai):
    for verb in ("ListRecords", "ListIdentifiers"):
        assert error_codes(oai(verb=verb, metadataPrefix="oai_dc")) == ["noRecordsMatch"]


def test_gzip_when_the_harvester_asks(oai, make_resource):
    make_resource()
    plain = oai(verb="ListRecords", metadataPrefix="oai_dc")
    assert plain.get("Content-Encoding") is None
    assert "Accept-Encoding" in plain["Vary"]
    zipped = oai(
        verb="ListRecords", metadataPrefix="oai_dc", headers={"Accept-Encoding": "gzip, deflate"}
    )
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert identifiers(zipped) == identifiers(plain)


def test_responses_stream(client, make_resource):
    make_resource()
    response = client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    assert response.streaming
    assert not response.has_header("Content-Length")
    b"".join(response.streaming_content)
