"""The demo's OAI-PMH provider, harvested over the loopback by Sickle (an independent client),
every response validated against the protocol's schema; and the synthetic catalogs it serves:
the same on every run, valid ISBNs, titles shared across libraries."""

import base64
import collections
import datetime
import hashlib
import io
import math
import subprocess
import sys
from pathlib import Path

import pymarc
import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from lxml import etree
from sickle import Sickle
from sickle.oaiexceptions import BadResumptionToken, IdDoesNotExist, NoRecordsMatch
from stdnum import isbn as stdnum_isbn

from libranet.catalogs import works
from libranet.catalogs.management.commands import catalog_provider
from libranet.catalogs.provider import catalogs as synthetic
from libranet.catalogs.provider.catalogs import EPOCH, LIBRARIES, build_catalog, catalogs
from libranet.catalogs.provider.metadata import DC_NS, MARC_NS, OAI_DC_NS
from libranet.catalogs.provider.server import provider_in_thread

SCHEMA = Path(settings.BASE_DIR).parent / "shared" / "standards" / "oai-pmh" / "OAI-PMH.xsd"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
PAGE = 37  # small pages: every list takes several, the last one short


@pytest.fixture(scope="module")
def oai_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@pytest.fixture(scope="module")
def provider():
    with provider_in_thread(page_size=PAGE) as url:
        yield url


class Responses:
    """Every response a client received, each checked against the schema as it arrives."""

    def __init__(self, schema):
        self.schema = schema
        self.seen: list[etree._Element] = []

    def __call__(self, response, *args, **kwargs):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("text/xml")
        root = etree.fromstring(response.content)
        self.schema.assertValid(root)
        self.seen.append(root)


@pytest.fixture
def responses(oai_schema):
    return Responses(oai_schema)


def client(provider: str, slug: str, responses: Responses, **options) -> Sickle:
    return Sickle(f"{provider}/{slug}/oai", hooks={"response": [responses]}, **options)


def expected(slug: str, *, prefix=None, set_spec=None, start=None, end=None):
    return [
        record
        for record in catalogs()[slug].records
        if (set_spec is None or set_spec in record.sets)
        and (start is None or record.datestamp >= start)
        and (end is None or record.datestamp <= end)
    ]


LISTS = [(library.slug, prefix) for library in LIBRARIES for prefix in library.formats]


@pytest.mark.parametrize(("slug", "prefix"), LISTS)
def test_sickle_harvests_every_record_of_every_repository_page_by_page(
    provider, responses, slug, prefix
):
    harvested = list(client(provider, slug, responses).ListRecords(metadataPrefix=prefix))
    records = expected(slug)
    assert [r.header.identifier for r in harvested] == [r.identifier for r in records]
    assert len(responses.seen) == math.ceil(len(records) / PAGE) > 2
    tokens = [t for root in responses.seen for t in root.iter(f"{OAI}resumptionToken")]
    sizes = {t.get("completeListSize") for t in tokens}
    assert sizes == {str(len(records))}
    last_token = responses.seen[-1].find(f".//{OAI}resumptionToken")
    assert last_token is not None and not last_token.text  # the list is complete
    deleted = {r.identifier for r in records if r.deleted}
    assert deleted and {r.header.identifier for r in harvested if r.deleted} == deleted
    for record in harvested:
        element = record.xml
        header = element.find(f"{OAI}header")
        if record.header.identifier in deleted:
            assert header.get("status") == "deleted"
            assert element.find(f"{OAI}metadata") is None
            continue
        assert header.get("status") is None
        (metadata,) = element.find(f"{OAI}metadata")
        namespace = OAI_DC_NS if prefix == "oai_dc" else MARC_NS
        assert metadata.tag in (f"{{{OAI_DC_NS}}}dc", f"{{{MARC_NS}}}record")
        assert metadata.tag.startswith(f"{{{namespace}}}")


@pytest.mark.parametrize("slug", [library.slug for library in LIBRARIES])
def test_identify_and_formats(provider, responses, slug):
    sickle = client(provider, slug, responses)
    identify = sickle.Identify()
    library = catalogs()[slug].library
    assert identify.repositoryName.startswith(library.name_ru)
    assert identify.baseURL == f"{provider}/{slug}/oai"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.deletedRecord == "persistent"
    assert identify.earliestDatestamp == f"{catalogs()[slug].earliest_datestamp:%Y-%m-%dT%H:%M:%SZ}"
    formats = [f.metadataPrefix for f in sickle.ListMetadataFormats()]
    assert formats == list(library.formats) and "oai_dc" in formats
    assert [s.setSpec for s in sickle.ListSets()] == [spec for spec, _ in library.sets]


@pytest.mark.parametrize(
    ("slug", "set_spec"), [(lib.slug, s) for lib in LIBRARIES for s, _ in lib.sets]
)
def test_a_set_gives_its_records_only(provider, responses, slug, set_spec):
    headers = list(
        client(provider, slug, responses).ListIdentifiers(metadataPrefix="oai_dc", set=set_spec)
    )
    wanted = expected(slug, set_spec=set_spec)
    assert wanted and [h.identifier for h in headers] == [r.identifier for r in wanted]
    assert all(set_spec in h.setSpecs for h in headers)


def test_from_and_until_bound_the_datestamps(provider, responses):
    records = catalogs()["tver"].records
    start, end = records[50].datestamp, records[200].datestamp
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    headers = client(provider, "tver", responses).ListIdentifiers(
        metadataPrefix="marc21", **{"from": start.strftime(stamp), "until": end.strftime(stamp)}
    )
    assert [h.identifier for h in headers] == [r.identifier for r in records[50:201]]
    # A day-granular until counts the whole day.
    day = end.date()
    headers = client(provider, "tver", responses).ListIdentifiers(
        metadataPrefix="marc21", until=day.isoformat()
    )
    last = datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=datetime.UTC)
    assert len(list(headers)) == len(expected("tver", end=last)) >= 201


def test_a_made_up_resumption_token_is_refused(provider, responses):
    sickle = client(provider, "penza", responses)
    with pytest.raises(BadResumptionToken):
        list(sickle.ListRecords(resumptionToken="bm8tc3VjaC10b2tlbg=="))
    with pytest.raises(BadResumptionToken):
        list(sickle.ListIdentifiers(resumptionToken="made-up"))
    # Well formed, but past the end of the list.
    past = base64.b64encode(b"metadataPrefix=rusmarc&c=100000&s=332").decode()
    with pytest.raises(BadResumptionToken):
        list(sickle.ListRecords(resumptionToken=past))
    codes = [root.find(f"{OAI}error").get("code") for root in responses.seen]
    assert codes == ["badResumptionToken"] * 3


def test_errors_of_the_protocol(provider, responses):
    sickle = client(provider, "tyumen", responses)
    with pytest.raises(NoRecordsMatch):
        list(sickle.ListRecords(metadataPrefix="oai_dc", set="no-such-set"))
    with pytest.raises(IdDoesNotExist):
        sickle.GetRecord(identifier="oai:tonb.ru:0", metadataPrefix="oai_dc")
    body = requests.get(f"{provider}/tyumen/oai", params={"verb": "ListRecords"}, timeout=10)
    responses(body)
    assert etree.fromstring(body.content).find(f"{OAI}error").get("code") == "badArgument"
    repeated = "verb=Identify&verb=Identify"
    body = requests.get(f"{provider}/tyumen/oai?{repeated}", timeout=10)
    responses(body)
    assert etree.fromstring(body.content).find(f"{OAI}error").get("code") == "badArgument"
    body = requests.get(f"{provider}/tyumen/oai", params={"verb": "Harvest"}, timeout=10)
    responses(body)
    assert etree.fromstring(body.content).find(f"{OAI}error").get("code") == "badVerb"


def test_get_record_over_post_and_a_deleted_one(provider, responses):
    catalog = catalogs()["penza"]
    kept = next(r for r in catalog.records if not r.deleted and r.edition.isbn)
    gone = next(r for r in catalog.records if r.deleted)
    sickle = client(provider, "penza", responses, http_method="POST")
    record = sickle.GetRecord(identifier=kept.identifier, metadataPrefix="rusmarc")
    assert not record.deleted and record.header.datestamp == f"{kept.datestamp:%Y-%m-%dT%H:%M:%SZ}"
    record = sickle.GetRecord(identifier=gone.identifier, metadataPrefix="rusmarc")
    assert record.deleted and record.xml.find(f"{OAI}metadata") is None


def _marc(provider, slug, prefix, record):
    body = requests.get(
        f"{provider}/{slug}/oai",
        params={"verb": "GetRecord", "identifier": record.identifier, "metadataPrefix": prefix},
        timeout=10,
    )
    element = etree.fromstring(body.content).find(f".//{{{MARC_NS}}}record")
    (parsed,) = pymarc.parse_xml_to_array(io.BytesIO(etree.tostring(element)))
    return parsed


def test_marc21_is_read_by_pymarc(provider):
    record = next(r for r in catalogs()["tver"].records if not r.deleted and r.edition.isbn)
    marc = _marc(provider, "tver", "marc21", record)
    work = record.edition.work
    assert marc["245"]["a"].rstrip(" :/.") == work.title
    assert marc["020"]["a"] == record.edition.isbn
    assert marc["264"]["c"] == f"{record.edition.year}."
    assert marc["008"].data[35:38] == work.language
    if work.authors:
        assert marc["100"]["a"] == work.authors[0].inverted + ","


def test_rusmarc_carries_the_unimarc_fields(provider):
    record = next(
        r
        for r in catalogs()["penza"].records
        if not r.deleted
        and r.edition.isbn
        and r.edition.work.authors
        and r.edition.work.kind == "classics"
    )
    marc = _marc(provider, "penza", "rusmarc", record)
    edition, work = record.edition, record.edition.work
    assert marc["200"]["a"] == work.title
    assert marc["700"]["a"] == work.authors[0].family
    assert marc["700"]["g"] == work.authors[0].given
    assert (marc["210"]["a"], marc["210"]["c"], marc["210"]["d"]) == (
        edition.city,
        edition.publisher.name,
        str(edition.year),
    )
    assert marc["010"]["a"] == edition.isbn
    assert marc["101"]["a"] == "rus"
    assert [f["a"] for f in marc.get_fields("606")] == list(work.subjects)


def test_dublin_core_fields(provider, responses):
    record = next(r for r in catalogs()["tyumen"].records if not r.deleted and r.edition.isbn)
    got = client(provider, "tyumen", responses).GetRecord(
        identifier=record.identifier, metadataPrefix="oai_dc"
    )
    dc = got.xml.find(f".//{{{OAI_DC_NS}}}dc")
    values = collections.defaultdict(list)
    for element in dc:
        assert element.tag.startswith(f"{{{DC_NS}}}")
        values[element.tag.split("}")[1]].append(element.text)
    assert values["identifier"] == [record.edition.isbn]
    # This library writes "е" for "ё"; the work key folds them, so the grouping holds.
    assert values["title"] == [record.edition.work.full_title.replace("ё", "е")]
    assert values["date"] == [str(record.edition.year)]
    assert values["creator"] == [a.inverted for a in record.edition.work.authors]


def test_record_pages_link_back(provider):
    catalog = catalogs()["tver"]
    kept = next(r for r in catalog.records if not r.deleted)
    gone = next(r for r in catalog.records if r.deleted)
    page = requests.get(f"{provider}/tver/record/{kept.local_id}", timeout=10)
    assert page.status_code == 200 and kept.edition.publisher.name in page.text
    assert requests.get(f"{provider}/tver/record/{gone.local_id}", timeout=10).status_code == 410
    assert requests.get(f"{provider}/tver/record/1", timeout=10).status_code == 404
    assert requests.get(f"{provider}/nowhere/oai", timeout=10).status_code == 404
    index = requests.get(f"{provider}/", timeout=10)
    assert all(f"/{lib.slug}/oai" in index.text for lib in LIBRARIES)


# --- The synthetic catalogs -------------------------------------------------------------------


DIGEST = """
import hashlib
from libranet.catalogs.provider.catalogs import catalogs
text = repr([(slug, c.records) for slug, c in catalogs().items()])
print(hashlib.sha256(text.encode()).hexdigest())
"""


def test_the_catalogs_are_the_same_on_every_run():
    for library in LIBRARIES:
        assert build_catalog(library) == catalogs()[library.slug]
    assert synthetic.common_pool.__wrapped__() == synthetic.common_pool()
    # Another process, with other hash seeds, builds the very same catalogs.
    digests = {
        subprocess.run(
            [sys.executable, "-c", DIGEST],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": hash_seed},
            cwd=settings.BASE_DIR,
        ).stdout.strip()
        for hash_seed in ("1", "2")
    }
    text = repr([(slug, c.records) for slug, c in catalogs().items()])
    assert digests == {hashlib.sha256(text.encode()).hexdigest()}


def test_catalogs_are_believable():
    for catalog in catalogs().values():
        records = catalog.records
        assert 250 <= len(records) <= 5000
        assert len(catalog.by_identifier) == len(records)  # identifiers unique
        assert 0 < sum(r.deleted for r in records) < len(records) * 0.05
        assert records == sorted(records, key=lambda r: (r.datestamp, r.identifier))
        assert EPOCH - datetime.timedelta(days=7 * 365) < records[0].datestamp
        assert records[-1].datestamp < EPOCH  # never in the future: the epoch has passed
        assert all(r.datestamp.year >= r.edition.year - 1 for r in records)
        assert {s for r in records for s in r.sets} == {s for s, _ in catalog.library.sets}
        languages = {r.edition.work.language for r in records}
        assert "rus" in languages


def test_isbns_are_valid_and_name_one_edition():
    editions = {}
    for catalog in catalogs().values():
        for record in catalog.records:
            edition = record.edition
            if not edition.isbn:
                assert edition.year < 1990 or edition.publisher.isbn_prefix is None
                continue
            assert stdnum_isbn.is_valid(edition.isbn), edition.isbn
            assert stdnum_isbn.format(edition.isbn) == edition.isbn  # hyphenated as printed
            assert len(stdnum_isbn.compact(edition.isbn)) == (10 if edition.year < 2007 else 13)
            assert editions.setdefault(works.isbn13(edition.isbn), edition) == edition


def _work_key(record) -> str:
    work, edition = record.edition.work, record.edition
    return works.work_key(
        title=work.full_title,
        creators=[a.inverted for a in work.authors],
        year=edition.year,
        isbns=works.isbns([edition.isbn]),
    )


def test_the_same_works_are_held_by_several_libraries():
    holders = collections.defaultdict(set)
    for slug, catalog in catalogs().items():
        for record in catalog.records:
            if not record.deleted:
                holders[_work_key(record)].add(slug)
    shared = {key: slugs for key, slugs in holders.items() if len(slugs) > 1}
    by_isbn = [k for k in shared if k.startswith("isbn:")]
    by_title = [k for k in shared if k.startswith("work:")]
    assert len(by_isbn) > 50 and len(by_title) > 20
    assert any(len(slugs) == len(LIBRARIES) for slugs in shared.values())


def test_the_command_serves_every_library(monkeypatch):
    served = {}

    class Server:
        def serve_forever(self):
            raise KeyboardInterrupt

        def server_close(self):
            served["closed"] = True

    def make_server(host, port, *, page_size):
        served.update(host=host, port=port, page_size=page_size)
        return Server()

    monkeypatch.setattr(catalog_provider, "make_server", make_server)
    out = io.StringIO()
    call_command("catalog_provider", "--host", "127.0.0.1", "--port", "8765", stdout=out)
    assert served == {"host": "127.0.0.1", "port": 8765, "page_size": 100, "closed": True}
    assert all(f"http://127.0.0.1:8765/{lib.slug}/oai" in out.getvalue() for lib in LIBRARIES)
