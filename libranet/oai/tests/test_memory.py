"""Responses stream: a page of thousands of records needs no more memory than one of hundreds."""

import datetime as dt
import tracemalloc

import pytest

from libranet.resources import harvest
from libranet.resources.models import Collection, Resource

from .conftest import START

pytestmark = pytest.mark.django_db

DESCRIPTION = "Описание документа из фондов Президентской библиотеки. " * 20  # about 1 kB


def catalogue(size: int) -> None:
    maps = Collection.objects.create(code="maps", name_ru="Карты")
    Resource.objects.bulk_create(
        Resource(
            identifier=f"RU-PL-{n:06d}",
            title_ru=f"Книга {n}",
            title_en=f"Book {n}",
            creators=["Иванов, И. И.", "Петров, П. П."],
            subjects=["История", "Россия"],
            description_ru=DESCRIPTION,
            type="book",
            access_level="open",
            modified_at=START + dt.timedelta(seconds=n),
        )
        for n in range(size)
    )
    Resource.collections.through.objects.bulk_create(
        Resource.collections.through(resource_id=pk, collection_id=maps.pk)
        for pk in Resource.objects.values_list("pk", flat=True)
    )
    harvest.store()


def peak_while_streaming(client) -> tuple[int, int]:
    """The peak of memory allocated while one ListRecords response streams, and its size."""
    tracemalloc.start()
    try:
        response = client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"})
        size = 0
        for chunk in response.streaming_content:  # the client closes the response at the end
            size += len(chunk)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("small", "large"), [(500, 4000)])
def test_memory_is_flat_in_the_size_of_the_list(client, settings, django_db_blocker, small, large):
    # One page holds the whole list, so this measures the streaming, not the paging.
    settings.LIBRANET_OAI_RECORDS_PER_PAGE = large
    catalogue(small)
    client.get("/oai", {"verb": "Identify"})  # imports and caches warmed outside the measure
    small_peak, small_size = peak_while_streaming(client)
    Resource.objects.all().delete()
    Collection.objects.all().delete()
    catalogue(large)
    large_peak, large_size = peak_while_streaming(client)
    assert large_size > 7 * small_size  # eight times the records were sent (some 12 MB)...
    # ... in the same memory: a batch or two of rows (records.BATCH) and one chunk of text,
    # whatever the size of the list (a list of 4000 held in memory would take some 10 MB).
    assert large_peak - small_peak < 128 * 1024, (small_peak, large_peak)
