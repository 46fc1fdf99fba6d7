"""The demo's partner catalogs: every synthetic library registered as a source of its holding
library in the demo network, at the address ``make run`` serves, and harvested once; the same
works held by several libraries share a work key."""

import datetime
import socket

import pytest
import requests
from django.db import transaction

from libranet.catalogs.demo import holding_library, seed_catalogs
from libranet.catalogs.models import CatalogRecord, CatalogSource, HarvestRun
from libranet.catalogs.provider.catalogs import EPOCH, LIBRARIES, catalogs
from libranet.network.demo import seed_network

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def network(django_db_setup, django_db_blocker):
    """The demo network, seeded once for the module (rolled back at its end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_network(seed=2018, scale=1)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def provider_url(settings):
    """An address nothing serves yet, as the one `make run` gives the demo before it starts
    its own provider there."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.LIBRANET_CATALOG_PROVIDER_URL = f"http://127.0.0.1:{port}"
    return settings.LIBRANET_CATALOG_PROVIDER_URL


def test_the_demo_registers_and_harvests_every_synthetic_catalog(
    network, provider_url, time_machine
):
    time_machine.move_to(EPOCH + datetime.timedelta(days=30))  # after every datestamp
    said = seed_catalogs()
    assert f"Registered and harvested {len(LIBRARIES)} partner catalogs" in said
    for library in LIBRARIES:
        source = CatalogSource.objects.get(base_url=f"{provider_url}/{library.slug}/oai")
        assert source.institution == holding_library(library) is not None
        assert source.metadata_prefix == source.record_format == library.record_format
        assert source.record_link == f"{provider_url}/{library.slug}/record/{{local_id}}"
        run = HarvestRun.objects.get(source=source)
        assert run.state == HarvestRun.State.SUCCEEDED, run.error
        records = catalogs()[library.slug].records
        kept = [r.identifier for r in records if not r.deleted]
        harvested = CatalogRecord.objects.filter(source=source, deleted=False)
        assert sorted(harvested.values_list("identifier", flat=True)) == sorted(kept)
        record = harvested.exclude(title="").first()
        assert record is not None and record.link.startswith(f"{provider_url}/{library.slug}/")
    assert CatalogSource.objects.get(base_url=f"{provider_url}/tver/oai").institution.name_en == (
        "A. M. Gorky Tver Regional Scientific Library"
    )
    # The same work in several libraries: one work key, several sources.
    keys = CatalogRecord.objects.exclude(work_key="").values_list("work_key", "source")
    holders: dict[str, set[int]] = {}
    for key, source in keys:
        holders.setdefault(key, set()).add(source)
    assert sum(len(sources) > 1 for sources in holders.values()) > 50
    # The provider's thread is stopped: `make run` serves that address from now on.
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{provider_url}/tver/oai?verb=Identify", timeout=2)
