"""Partner catalogs' fixtures: a provider on loopback and a source registered at it (the
harvests); sources and harvested records made directly, as harvesting writes them, each
record's ``work_key`` from ``works.work_key`` (the union search)."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from libranet.catalogs.models import CatalogRecord, CatalogSource
from libranet.catalogs.services import source_register
from libranet.catalogs.works import title_key, work_key
from libranet.network.models import Center, Institution, Region

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


_numbers = itertools.count(1)


@pytest.fixture
def make_catalog_source(db):
    def make(institution, **fields):
        number = next(_numbers)
        fields.setdefault("name", f"Каталог {institution.name_ru}")
        fields.setdefault("base_url", f"https://catalog{number}.example.org/oai")
        fields.setdefault("metadata_prefix", "marc21")
        fields.setdefault("record_format", "marc21")
        fields.setdefault("record_link", "https://catalog.example.org/record/{local_id}")
        return CatalogSource.objects.create(institution=institution, **fields)

    return make


@pytest.fixture
def make_catalog_record(db):
    def make(source, title, *, creators=(), year=None, isbns=(), **fields):
        fields.setdefault("identifier", f"oai:{source.pk}:{next(_numbers)}")
        fields.setdefault("datestamp", "2026-01-01")
        fields.setdefault("type", "book")
        fields.setdefault("language", "ru")
        fields.setdefault("harvested_at", timezone.now())
        creators, isbns = list(creators), list(isbns)
        return CatalogRecord.objects.create(
            source=source,
            title=title,
            creators=creators,
            year=year,
            date_text=str(year or ""),
            isbns=isbns,
            work_key=work_key(title=title, creators=creators, year=year, isbns=isbns),
            title_key=title_key(title=title, creators=creators, year=year),
            **fields,
        )

    return make


@pytest.fixture
def partner_libraries(db, institution, tver_rc, make_center):
    """Two holding libraries with their centers placed: Tver (the visitor's center in the
    tests, tver_rc) and Penza, 600 km away."""
    Center.objects.filter(pk=tver_rc.pk).update(latitude="56.859611", longitude="35.911896")
    penza = Institution.objects.create(
        name_ru="Пензенская областная библиотека им. М. Ю. Лермонтова",
        name_en="Lermontov Penza Regional Library",
        kind="library",
    )
    make_center(
        code="RU-PNZ-RC",
        kind=Center.Kind.REGIONAL,
        region=Region.objects.get(code="RU-PNZ"),
        institution=penza,
        latitude="53.195042",
        longitude="45.018316",
    )
    tver_rc.refresh_from_db()
    return institution, penza
