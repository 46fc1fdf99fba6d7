"""Harvesting the project's own /oai over loopback (the live server): every resource, then an
incremental run that takes only what changed, a deleted resource coming back deleted."""

import datetime as dt

import pytest

from libranet.catalogs.harvesting import harvest_source
from libranet.catalogs.services import source_register
from libranet.network.services import institution_create
from libranet.oai.tests.conftest import make_resource, tree  # noqa: F401 (fixtures)
from libranet.resources import harvest

pytestmark = pytest.mark.django_db(transaction=True)
MOMENT = dt.datetime(2026, 2, 2, 9, 30, tzinfo=dt.UTC)


def test_the_projects_own_provider(live_server, settings, time_machine, make_resource, tree):  # noqa: F811
    settings.LIBRANET_OAI_RECORDS_PER_PAGE = 4
    time_machine.move_to(MOMENT, tick=False)
    made = [make_resource(collections=[tree["maps"]]) for _ in range(9)]
    make_resource(identifier="RU-PL-STAFF", access_level="staff")  # not offered to harvesters
    library = institution_create(
        actor=None, name_ru="Библиотека", name_en="Library", kind="library"
    )
    source = source_register(
        actor=None,
        institution=library,
        base_url=f"{live_server.url}/oai",
        metadata_prefix="oai_dc",
        record_format="oai_dc",
        sets=["maps"],
    )
    assert (source.repository_name, source.granularity) == ("Libranet", "YYYY-MM-DDThh:mm:ssZ")

    first = harvest_source(source)
    assert (first.state, first.new, first.pages) == ("succeeded", 9, 3)
    assert source.records.count() == 9
    record = source.records.get(identifier=f"oai:libranet:{made[0].identifier}")
    assert record.title == made[0].title_ru and record.type == "book"
    source.refresh_from_db()
    assert source.harvested_from == "2026-02-02T09:30:00Z"

    time_machine.move_to(MOMENT + dt.timedelta(hours=1), tick=False)
    changed, gone = made[1], made[2]
    changed.title_ru, changed.modified_at = "Новое заглавие", MOMENT + dt.timedelta(hours=1)
    changed.save()
    gone.deleted_at = gone.modified_at = MOMENT + dt.timedelta(hours=1)
    gone.save()
    harvest.store([changed.pk, gone.pk])

    second = harvest_source(source)
    assert (second.kind, second.from_datestamp) == ("incremental", "2026-02-02T09:30:00Z")
    assert (second.state, second.new, second.updated, second.deleted) == ("succeeded", 0, 1, 1)
    assert source.records.count() == 9
    assert source.records.get(identifier=f"oai:libranet:{changed.identifier}").title == (
        "Новое заглавие"
    )
    assert source.records.get(identifier=f"oai:libranet:{gone.identifier}").deleted
