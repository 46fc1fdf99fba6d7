"""An independent harvester, Sickle, against the live server: every page of every list, over
HTTP with gzip (requests asks for it), each response validated against the schema."""

import gzip

import pytest
import requests
from sickle import Sickle
from sickle.oaiexceptions import BadResumptionToken, NoRecordsMatch

from .conftest import NS, parse

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def harvester(live_server, oai_schema, settings):
    settings.LIBRANET_OAI_RECORDS_PER_PAGE = 4
    settings.LIBRANET_OAI_IDENTIFIERS_PER_PAGE = 5
    seen = []

    def validate(response, *args, **kwargs):
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        # requests has already unpacked the body; check it is what the schema allows.
        parse(response.content, oai_schema)
        seen.append(response)

    def make(**options):
        client = Sickle(
            f"{live_server.url}/oai", max_retries=0, hooks={"response": [validate]}, **options
        )
        client.seen = seen
        return client

    return make


@pytest.fixture
def catalogue(make_resource, tree):
    """11 live records and one deleted: 12, three pages of 4 exactly; and one staff-only."""
    made = [
        make_resource(collections=[tree["petrine"]] if n % 3 == 0 else [tree["maps"]])
        for n in range(11)
    ]
    made.append(make_resource(identifier="RU-PL-DELETED", deleted_at=made[0].modified_at))
    make_resource(identifier="RU-PL-STAFF", access_level="staff")
    return made


def test_sickle_harvests_every_record_across_pages(harvester, catalogue):
    sickle = harvester()
    records = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    assert [r.header.identifier for r in records] == [
        f"oai:libranet:{r.identifier}" for r in catalogue
    ]
    # 12 records in pages of 4: three requests, the third ending the list with an empty token.
    assert len(sickle.seen) == 3
    last = parse(sickle.seen[-1].content, None).find(".//oai:resumptionToken", NS)
    assert (last.text, last.get("cursor"), last.get("completeListSize")) == (None, "8", "12")
    assert [r.header.deleted for r in records] == [False] * 11 + [True]
    first = records[0]
    assert first.metadata["title"] == [catalogue[0].title_ru]
    assert first.metadata["identifier"][1] == catalogue[0].identifier
    assert first.header.setSpecs == ["history:empire:petrine"]
    assert "RU-PL-STAFF" not in b"".join(r.content for r in sickle.seen).decode()


def test_sickle_lists_identifiers_and_sets(harvester, catalogue):
    sickle = harvester()
    assert len(list(sickle.ListIdentifiers(metadataPrefix="oai_dc"))) == 12  # 5 + 5 + 2
    assert len(sickle.seen) == 3
    assert len(list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="maps"))) == 7
    assert len(list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set="history"))) == 4
    assert len(list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=True))) == 11


def test_sickle_over_post_and_the_other_verbs(harvester, catalogue):
    sickle = harvester(http_method="POST")
    assert sickle.Identify().repositoryName == "Libranet"
    assert [s.setSpec for s in sickle.ListSets()][:3] == [
        "history",
        "history:empire",
        "history:empire:petrine",
    ]
    assert [f.metadataPrefix for f in sickle.ListMetadataFormats()] == ["oai_dc"]
    record = sickle.GetRecord(
        identifier=f"oai:libranet:{catalogue[1].identifier}", metadataPrefix="oai_dc"
    )
    assert record.metadata["title"] == [catalogue[1].title_ru]
    assert len(list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))) == 12


def test_sickle_sees_protocol_errors(harvester, catalogue):
    sickle = harvester()
    with pytest.raises(NoRecordsMatch):
        next(sickle.ListRecords(metadataPrefix="oai_dc", **{"from": "2099-01-01"}))
    with pytest.raises(BadResumptionToken):
        next(sickle.ListRecords(resumptionToken="forged"))


def test_gzip_stream_is_one_valid_gzip_member(live_server, catalogue):
    response = requests.get(
        f"{live_server.url}/oai",
        {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
        headers={"Accept-Encoding": "gzip"},
        stream=True,
        timeout=10,
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Content-Length" not in response.headers  # streamed (chunked)
    body = gzip.decompress(response.raw.read(decode_content=False))
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert body.endswith(b"</OAI-PMH>\n")
