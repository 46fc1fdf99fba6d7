"""Harvests against a fault-injecting provider on loopback: pages and tokens, retries, a
corrupted page resumed by the next run, a record changed mid-harvest, a loop, HTML, an expired
token, deleted records, failures, the incremental run's ``from``."""

import pytest

from libranet.catalogs.harvesting import harvest_source
from libranet.catalogs.models import CatalogRecord, HarvestRun

from .conftest import NOW
from .provider import FakeRecord, Provider, serve, token_after

pytestmark = pytest.mark.django_db
Succeeded, Failed = HarvestRun.State.SUCCEEDED, HarvestRun.State.FAILED


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def identifiers(source):
    return sorted(source.records.values_list("identifier", flat=True))


def titles(source):
    return dict(source.records.values_list("identifier", "title"))


ALL = sorted(f"oai:test:{n}" for n in range(10))


def test_a_full_harvest_follows_every_token(source, provider):
    seen = []
    run = harvest_source(source, progress=lambda done, total: seen.append((done, total)))
    assert (run.state, run.kind, run.pages, run.new, run.updated) == (Succeeded, "full", 4, 10, 0)
    assert seen == [(3, 10), (6, 10), (9, 10), (10, 10)]
    assert identifiers(source) == ALL
    record = source.records.get(identifier="oai:test:4")
    assert (record.title, record.creators, record.type, record.datestamp) == (
        "Книга 4",
        ["Иванов, И. И."],
        "book",
        "2026-01-02T10:00:01Z",
    )
    assert record.harvested_at == NOW
    assert record.source_xml.startswith("<record") and "Книга 4" in record.source_xml
    assert record.link == "https://catalog.example.org/record/4"
    source.refresh_from_db()
    assert source.harvested_from == provider.response_date
    assert run.resumption_token == "" and run.finished_at == NOW


def test_the_next_run_is_incremental_from_the_last_start(source, provider):
    harvest_source(source)
    provider.records[0].title, provider.records[0].datestamp = "Новое", "2026-01-15T09:30:00Z"
    provider.response_date = "2026-01-15T10:00:00Z"
    run = harvest_source(source)
    assert (run.kind, run.from_datestamp, run.new, run.updated) == (
        "incremental",
        "2026-01-15T09:00:00Z",
        0,
        1,
    )
    assert provider.requests[-1][1]["from"] == "2026-01-15T09:00:00Z"
    assert titles(source)["oai:test:0"] == "Новое"
    full = harvest_source(source, full=True)
    assert (full.kind, full.from_datestamp, full.updated) == ("full", "", 10)


def test_a_day_granularity_source_is_asked_from_a_date(source, provider):
    provider.granularity = "YYYY-MM-DD"
    source.granularity = "YYYY-MM-DD"
    source.save()
    harvest_source(source)
    source.refresh_from_db()
    assert source.harvested_from == "2026-01-15"
    harvest_source(source)
    assert provider.requests[-1][1]["from"] == "2026-01-15"


def test_a_dropped_connection_is_retried(source, provider):
    provider.faults = {2: "drop"}
    run = harvest_source(source)
    assert (run.state, run.new) == (Succeeded, 10)
    assert provider.requests[1][1] == provider.requests[2][1]


def test_503_with_retry_after_is_honoured(source, provider):
    provider.faults = {2: 503}
    provider.retry_after = "1"
    run = harvest_source(source)
    assert (run.state, run.new) == (Succeeded, 10)
    (asked, params), (again, same) = provider.requests[1:3]
    assert params == same and again - asked >= 0.9


def test_5xx_beyond_the_retries_fails_the_run_keeping_its_pages(source, provider):
    provider.faults = {2: 500, 3: 500, 4: 500}
    provider.retry_after = "0"
    run = harvest_source(source)
    assert (run.state, run.new, run.pages) == (Failed, 3, 1)
    assert "HTTP error 500" in run.error
    assert run.resumption_token == token_after("", "", provider.records[2])


def test_a_corrupted_page_fails_the_run_and_the_next_resumes_from_its_token(source, provider):
    provider.faults = {2: "corrupt"}
    failed = harvest_source(source)
    assert (failed.state, failed.pages, failed.new) == (Failed, 1, 3)
    assert "malformed XML" in failed.error
    third = token_after("", "", provider.records[2])
    assert failed.resumption_token == third
    assert source.records.count() == 3

    resumed = harvest_source(source)
    assert (resumed.state, resumed.resumed_from, resumed.new, resumed.updated) == (
        Succeeded,
        failed,
        7,
        0,
    )
    assert provider.requests[-3][1] == {"verb": "ListRecords", "resumptionToken": third}
    assert identifiers(source) == ALL  # none lost, none twice
    source.refresh_from_db()
    # The chain started with the failed run: the next incremental run asks from its start.
    assert source.harvested_from == "2026-01-15T09:00:00Z"


def test_a_record_changed_between_two_pages_is_kept_once_in_its_last_state(source, provider):
    def change(page):
        if page == 1:
            provider.records[0].title = "Исправленное заглавие"
            provider.records[0].datestamp = "2026-01-09T00:00:00Z"  # now listed last

    provider.after_page = change
    run = harvest_source(source)
    assert (run.state, run.new, run.updated) == (Succeeded, 10, 1)
    assert identifiers(source) == ALL
    assert titles(source)["oai:test:0"] == "Исправленное заглавие"


def test_a_source_looping_on_one_token_fails_with_that_reason(source, provider):
    provider.faults = {3: "loop"}
    run = harvest_source(source)
    assert run.state == Failed
    assert "same resumption token twice" in run.error
    assert run.resumption_token == ""  # resuming from it would loop again
    assert source.records.count() == 6


def test_an_html_answer_fails_the_run(source, provider):
    provider.faults = {1: "html"}
    run = harvest_source(source)
    assert run.state == Failed
    assert "web page (HTML)" in run.error
    assert source.records.count() == 0


def test_an_expired_token_restarts_the_list_from_the_stopped_runs_from(source, provider):
    provider.faults = {2: "corrupt", 3: "badtoken"}
    failed = harvest_source(source)
    resumed = harvest_source(source)
    assert resumed.state == Succeeded and resumed.resumed_from == failed
    assert provider.requests[3][1] == {"verb": "ListRecords", "metadataPrefix": "oai_dc"}
    assert (resumed.new, resumed.updated) == (7, 3)
    assert identifiers(source) == ALL


def test_a_bad_token_in_the_middle_of_a_run_fails_it(source, provider):
    provider.faults = {2: "badtoken"}
    run = harvest_source(source)
    assert run.state == Failed and "badResumptionToken" in run.error
    assert run.resumption_token == ""


def test_deleted_records_and_records_that_cannot_be_read(source, provider):
    harvest_source(source)
    provider.records[1].deleted = True
    provider.records[1].datestamp = "2026-01-15T09:10:00Z"
    provider.records[2].title = ""
    provider.records[2].datestamp = "2026-01-15T09:10:00Z"
    provider.response_date = "2026-01-15T10:00:00Z"
    run = harvest_source(source)
    assert (run.state, run.deleted, run.failed, run.updated) == (Succeeded, 1, 1, 0)
    assert run.failures == [{"identifier": "oai:test:2", "reason": "The record has no title."}]
    gone = CatalogRecord.objects.get(source=source, identifier="oai:test:1")
    assert gone.deleted and gone.title == "" and 'status="deleted"' in gone.source_xml
    assert titles(source)["oai:test:2"] == "Книга 2"  # the old copy stays


def test_an_unreachable_source_fails_the_run(source, provider, settings):
    settings.LIBRANET_HARVEST_RETRIES = 0
    source.base_url = "http://127.0.0.1:9/oai"
    run = harvest_source(source)
    assert run.state == Failed and "cannot be reached" in run.error


def test_a_source_with_sets_is_harvested_set_by_set_and_resumed_in_its_set(source, provider):
    for n, record in enumerate(provider.records):
        record.sets = ("books",) if n < 5 else ("maps",)
    source.sets = ["books", "maps"]
    source.save()
    provider.faults = {4: "corrupt"}  # the second page of "maps"
    failed = harvest_source(source)
    assert failed.new == 8
    assert failed.resumption_token == "maps " + token_after("", "maps", provider.records[7])
    resumed = harvest_source(source)
    assert (resumed.state, resumed.new) == (Succeeded, 2)
    assert identifiers(source) == ALL


def test_nothing_changed_is_a_successful_empty_run(source, provider):
    harvest_source(source)
    provider.response_date = "2026-01-15T10:00:00Z"
    run = harvest_source(source)  # noRecordsMatch: nothing since the last start
    assert (run.state, run.pages, run.new, run.updated) == (Succeeded, 1, 0, 0)
    source.refresh_from_db()
    assert source.harvested_from == "2026-01-15T10:00:00Z"


def test_an_unexpected_error_fails_the_run_and_does_not_escape(source, provider, monkeypatch):
    def broken(metadata, record_format):
        raise RuntimeError("disk full")

    monkeypatch.setattr("libranet.catalogs.harvesting.map_record", broken)
    run = harvest_source(source)
    assert run.state == Failed and run.error == "Unexpected error: disk full"
    assert run.resumption_token == "" and source.records.count() == 0


@pytest.fixture
def second_provider():
    repository = Provider()
    server = serve(repository)
    yield repository
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("isbn_first", [True, False], ids=["isbn-first", "isbn-later"])
def test_a_copy_without_isbn_joins_the_isbn_work_of_its_title(
    source, provider, second_provider, institution, make_catalog_source, time_machine, isbn_first
):
    """One edition in two catalogs, only one of which gives its ISBN, is one work whichever is
    harvested first; a copy re-keyed later is marked harvested then, so the search moves it."""
    other = make_catalog_source(
        institution, name="Другой каталог", base_url=second_provider.url,
        metadata_prefix="oai_dc", record_format="oai_dc",
    )  # fmt: skip
    shared = {"title": "Обломов : роман", "creator": "Гончаров, И. А.", "date": "2014"}
    without = FakeRecord("oai:b:1", "2026-01-01T10:00:00Z", **shared)
    provider.records = [
        FakeRecord("oai:a:1", "2026-01-01T10:00:00Z", isbn="978-5-17-090630-7", **shared)
    ]
    second_provider.records = [
        without,
        FakeRecord("oai:b:2", "2026-01-01T10:00:00Z", **{**shared, "date": "1990"}),
    ]
    for catalog in (source, other) if isbn_first else (other, source):
        assert harvest_source(catalog).state == Succeeded
        time_machine.shift(60)
    isbn_record = source.records.get()
    copy, older = other.records.get(identifier="oai:b:1"), other.records.get(identifier="oai:b:2")
    assert isbn_record.work_key == copy.work_key == "isbn:9785170906307"
    assert copy.title_key == isbn_record.title_key != older.title_key
    assert older.work_key == older.title_key  # another year: another edition, its own work
    if not isbn_first:  # re-keyed by the ISBN record's harvest, after its own
        assert copy.harvested_at == source.runs.get().started_at
    # Harvesting the copy again keeps it in the work.
    second_provider.records = [without]
    harvest_source(other, full=True)
    copy.refresh_from_db()
    assert copy.work_key == "isbn:9785170906307"
