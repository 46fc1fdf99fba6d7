import datetime as dt

import pytest

from libranet.catalogs.services import source_register

from .provider import FakeRecord, Provider, serve

# The clock of the tests that read "now" (the harvests' times, the schedule).
NOW = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _quick_harvests(settings):
    settings.LIBRANET_HARVEST_RETRIES = 2
    settings.LIBRANET_HARVEST_RETRY_AFTER = 0
    settings.LIBRANET_HARVEST_TIMEOUT = 5
    settings.LIBRANET_HARVEST_CHECK_TIMEOUT = 5


@pytest.fixture
def provider():
    """A provider of ten records, three to a page, on loopback."""
    repository = Provider(
        records=[
            FakeRecord(
                identifier=f"oai:test:{n}",
                datestamp=f"2026-01-0{1 + n // 3}T10:00:0{n % 3}Z",
                title=f"Книга {n}",
                sets=("books",),
            )
            for n in range(10)
        ]
    )
    server = serve(repository)
    yield repository
    server.shutdown()
    server.server_close()


@pytest.fixture
def source(provider, institution):
    """The provider registered (checked); its log of requests then starts afresh."""
    registered = source_register(
        actor=None,
        institution=institution,
        base_url=provider.url,
        metadata_prefix="oai_dc",
        record_format="oai_dc",
        record_link="https://catalog.example.org/record/{local_id}",
    )
    provider.requests.clear()
    return registered
