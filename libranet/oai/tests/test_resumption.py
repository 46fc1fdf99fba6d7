"""Resumption tokens: keyset pages, the last page's empty token, altered and expired tokens."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from libranet.resources.models import Resource
from libranet.resources.services import resource_delete, resource_update

from .conftest import NS, START, error_codes, identifiers, request_attributes, token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_pages(settings):
    settings.LIBRANET_OAI_RECORDS_PER_PAGE = 3
    settings.LIBRANET_OAI_IDENTIFIERS_PER_PAGE = 4


def harvest(oai, verb="ListRecords", **params):
    """Follow the tokens to the end: the pages' responses."""
    pages = [oai(verb=verb, metadataPrefix="oai_dc", **params)]
    while (last := token(pages[-1])) is not None and last.text:
        pages.append(oai(verb=verb, resumptionToken=last.text))
        assert len(pages) < 50
    return pages


def numbers(pages):
    return [int(i.rsplit("-", 1)[1]) for page in pages for i in identifiers(page)]


def test_pages_follow_tokens_to_an_empty_last_token(oai, make_resource):
    made = [make_resource() for _ in range(7)]
    pages = harvest(oai)
    assert [len(identifiers(p)) for p in pages] == [3, 3, 1]
    assert numbers(pages) == [int(r.identifier.rsplit("-", 1)[1]) for r in made]
    tokens = [token(p) for p in pages]
    assert [t.get("cursor") for t in tokens] == ["0", "3", "6"]
    assert [t.get("completeListSize") for t in tokens] == ["7", "7", "7"]
    assert all(t.text for t in tokens[:2]) and tokens[2].text is None
    assert tokens[2].get("expirationDate") is None
    expires = dt.datetime.fromisoformat(tokens[0].get("expirationDate"))
    expected = timezone.now() + dt.timedelta(hours=24)
    assert abs(expires - expected) < dt.timedelta(minutes=1)
    # A resumed request echoes just the verb and the token.
    assert request_attributes(pages[1]) == {
        "verb": "ListRecords",
        "resumptionToken": tokens[0].text,
    }


def test_a_list_an_exact_multiple_of_the_page(oai, make_resource):
    for _ in range(8):
        make_resource()
    pages = harvest(oai, "ListIdentifiers")
    assert [len(identifiers(p)) for p in pages] == [4, 4]  # no empty third page
    last = token(pages[-1])
    assert last.text is None and last.get("cursor") == "4" and last.get("completeListSize") == "8"


def test_a_list_in_one_page_has_no_token(oai, make_resource):
    for _ in range(3):
        make_resource()
    (page,) = harvest(oai)
    assert token(page) is None


def test_tokens_keep_the_arguments(oai, make_resource, tree):
    day = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    inside = [
        make_resource(collections=[tree["petrine"]], modified_at=day + dt.timedelta(hours=n))
        for n in range(5)
    ]
    make_resource(collections=[tree["maps"]], modified_at=day)  # another set
    make_resource(collections=[tree["petrine"]], modified_at=day + dt.timedelta(days=2))  # later
    make_resource(collections=[tree["petrine"]], modified_at=day - dt.timedelta(days=2))  # sooner
    pages = harvest(oai, set="history", **{"from": "2024-06-01", "until": "2024-06-01"})
    assert numbers(pages) == [int(r.identifier.rsplit("-", 1)[1]) for r in inside]
    assert token(pages[0]).get("completeListSize") == "5"


def test_equal_datestamps_across_a_page_boundary(oai, make_resource):
    made = [make_resource(modified_at=START) for _ in range(7)]  # ties broken by id
    assert numbers(harvest(oai)) == [int(r.identifier.rsplit("-", 1)[1]) for r in made]


def test_changes_during_a_harvest_are_not_skipped(oai, make_resource):
    made = [make_resource() for _ in range(6)]
    first = oai(verb="ListRecords", metadataPrefix="oai_dc")
    # While the harvester holds the token: one sent record and one not yet sent change, and a
    # new one is added. Each comes at the end of the list; nothing is lost.
    resource_update(actor=None, resource=made[0], title_ru="Исправлено")
    resource_delete(actor=None, resource=made[4])
    added = make_resource(modified_at=timezone.now() + dt.timedelta(seconds=1))
    pages = [first]
    while (last := token(pages[-1])).text:
        pages.append(oai(verb="ListRecords", resumptionToken=last.text))
        assert len(pages) < 10
    order = [made[i] for i in (0, 1, 2, 3, 5, 0, 4)] + [added]
    assert numbers(pages) == [int(r.identifier.rsplit("-", 1)[1]) for r in order]
    # The records sent again are as they are now: corrected, and withdrawn.
    sent = [r for page in pages for r in page.xml.iterfind(".//oai:record", NS)]
    assert sent[5].findtext(".//dc:title", namespaces=NS) == "Исправлено"
    assert sent[6].find("oai:header", NS).get("status") == "deleted"
    # The size counted at the start grows to what was actually sent.
    assert token(pages[-1]).get("completeListSize") == "8"


def test_an_altered_token_is_refused(oai, make_resource):
    for _ in range(4):
        make_resource()
    good = token(oai(verb="ListRecords", metadataPrefix="oai_dc")).text
    head, _, signature = good.rpartition(":")
    for bad in (
        good[:-1] + ("A" if good[-1] != "A" else "B"),
        head.replace("e", "f", 1) + ":" + signature,
        "not-a-token",
        good + "x",
    ):
        response = oai(verb="ListRecords", resumptionToken=bad)
        assert error_codes(response) == ["badResumptionToken"]
        assert request_attributes(response) == {"verb": "ListRecords", "resumptionToken": bad}
    # A token of one verb does not resume another.
    assert error_codes(oai(verb="ListIdentifiers", resumptionToken=good)) == ["badResumptionToken"]
    # Sets come in one response, so there is no token to resume them.
    assert error_codes(oai(verb="ListSets", resumptionToken=good)) == ["badResumptionToken"]


def test_an_expired_token_is_refused(oai, make_resource, settings):
    settings.LIBRANET_OAI_TOKEN_HOURS = 2
    for _ in range(4):
        make_resource()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        good = token(oai(verb="ListRecords", metadataPrefix="oai_dc")).text
        traveller.shift(dt.timedelta(hours=1, minutes=59))
        assert identifiers(oai(verb="ListRecords", resumptionToken=good))
        traveller.shift(dt.timedelta(minutes=1))
        response = oai(verb="ListRecords", resumptionToken=good)
    assert error_codes(response) == ["badResumptionToken"]
    assert "expired" in response.xml.findtext("oai:error", namespaces=NS)


def test_a_resumed_list_whose_records_left_it(oai, make_resource):
    made = [make_resource() for _ in range(4)]
    good = token(oai(verb="ListRecords", metadataPrefix="oai_dc")).text
    Resource.objects.filter(pk=made[3].pk).update(access_level="staff")
    assert error_codes(oai(verb="ListRecords", resumptionToken=good)) == ["noRecordsMatch"]


def test_a_page_costs_a_fixed_number_of_queries_and_never_an_offset(oai, make_resource, tree):
    for n in range(9):
        make_resource(collections=[tree["maps"], tree["ussr"]] if n % 2 else [])
    with CaptureQueriesContext(connection) as first:
        page = oai(verb="ListRecords", metadataPrefix="oai_dc", set="history")
    with CaptureQueriesContext(connection) as resumed:
        oai(verb="ListRecords", resumptionToken=token(page).text)
    # The tree (for the set), the count (first page only), the page's rows: their sets come
    # rendered with them.
    assert len(first) == 3 and len(resumed) == 2
    assert not any("OFFSET" in q["sql"].upper() for q in [*first, *resumed])
