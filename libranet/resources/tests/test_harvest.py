"""The stored OAI-PMH records (``harvest``): rendered by every service that changes what a
harvester sees, in the change's own transaction, and the same as rendering the row afresh."""

import datetime as dt

import pytest
from lxml import etree

from libranet.resources import harvest
from libranet.resources.models import Collection, Resource
from libranet.resources.services import (
    collection_create,
    resource_create,
    resource_delete,
    resource_file_add,
    resource_update,
)

pytestmark = pytest.mark.django_db

NS = {"dc": harvest.DC_NS, "oai_dc": harvest.OAI_DC_NS}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tree():
    power = collection_create(actor=None, code="power", name_ru="Власть")
    presidents = collection_create(
        actor=None, code="presidents", name_ru="Президенты", parent=power
    )
    maps = collection_create(actor=None, code="maps", name_ru="Карты")
    return {"power": power, "presidents": presidents, "maps": maps}


def make(**fields) -> Resource:
    fields.setdefault("identifier", "pl-000001")
    fields.setdefault("title_ru", "Указ")
    fields.setdefault("type", "book")
    fields.setdefault("access_level", "open")
    return resource_create(actor=None, **fields)


def stored(resource: Resource) -> tuple[str, str]:
    return tuple(  # type: ignore[return-value]
        Resource.objects.values_list("oai_header", "oai_metadata").get(pk=resource.pk)
    )


def fresh(resource: Resource) -> tuple[str, str]:
    """The record rendered now from the row and the tree, as the migration renders it."""
    specs = harvest.set_specs(Collection.objects.values_list("pk", "parent_id", "code"))
    row = Resource.objects.values_list(*harvest.SOURCE_FIELDS).get(pk=resource.pk)
    ids = resource.collections.order_by("pk").values_list("pk", flat=True)
    return harvest.render(row, [specs[pk] for pk in ids])


def dc(metadata: str, name: str) -> list[str]:
    root = etree.fromstring(metadata.replace(harvest.SITE, "https://example.org"))
    return [e.text for e in root.iterfind(f".//dc:{name}", NS)]


def test_create_stores_the_header_and_the_metadata(tree):
    resource = make(
        title_ru="Указ о гербе",
        title_en="A decree <on> the coat of arms",
        creators=["Пётр I"],
        collections=[tree["presidents"], tree["maps"]],
    )
    header, metadata = stored(resource)
    stamp = resource.modified_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert header == (
        f"<header><identifier>oai:{harvest.REPOSITORY}:pl-000001</identifier>"
        f"<datestamp>{stamp}</datestamp>"
        "<setSpec>power:presidents</setSpec><setSpec>maps</setSpec></header>"
    )
    assert dc(metadata, "title") == ["Указ о гербе", "A decree <on> the coat of arms"]
    assert dc(metadata, "identifier") == [
        "https://example.org/ru/resources/pl-000001/",
        "pl-000001",
    ]
    assert (header, metadata) == fresh(resource)


def test_every_change_renders_the_record_again(tree):
    resource = make(collections=[tree["maps"]])
    before = stored(resource)
    resource = resource_update(actor=None, resource=resource, title_ru="Новое название")
    assert dc(stored(resource)[1], "title") == ["Новое название"]
    assert stored(resource) == fresh(resource) != before

    resource_update(actor=None, resource=resource, collections=["presidents"])
    assert "<setSpec>power:presidents</setSpec>" in stored(resource)[0]
    assert stored(resource) == fresh(resource)

    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Resource.objects.filter(pk=resource.pk).update(modified_at=long_ago)
    harvest.store([resource.pk])
    assert "<datestamp>2020-01-01T00:00:00Z</datestamp>" in stored(resource)[0]
    resource_file_add(
        actor=None, resource=resource, kind="pdf", name="a.pdf", content=b"%PDF-1.4\n%%EOF\n"
    )
    resource.refresh_from_db()
    assert "2020-01-01" not in stored(resource)[0]  # a new file moves the datestamp it carries
    assert stored(resource) == fresh(resource)


def test_a_withdrawn_resource_keeps_a_deleted_header_without_metadata(tree):
    resource = resource_delete(actor=None, resource=make(collections=[tree["maps"]]))
    header, metadata = stored(resource)
    assert header.startswith('<header status="deleted">')
    assert "<setSpec>maps</setSpec>" in header
    assert metadata == ""


def test_store_renders_every_resource_when_asked_for_none(tree, monkeypatch):
    made = [make(identifier=f"pl-{n}", collections=[tree["maps"]]) for n in range(3)]
    Resource.objects.update(oai_header="", oai_metadata="")  # as rows were before migration 0004
    monkeypatch.setattr(harvest, "STORE_BATCH", 2)  # three resources cross a batch boundary
    assert harvest.store() == 3
    assert [stored(r) for r in made] == [fresh(r) for r in made]
    assert all(stored(r)[1] for r in made)


def test_one_resource_costs_a_fixed_number_of_queries(tree, django_assert_num_queries):
    resource = make(collections=[tree["maps"], tree["presidents"]])
    # The collections, the memberships, the row, the update.
    with django_assert_num_queries(4):
        harvest.store([resource.pk])


def test_set_specs_follow_the_tree_and_cut_a_loop():
    rows = [(1, None, "power"), (2, 1, "presidents"), (3, 2, "decrees"), (4, 5, "a"), (5, 4, "b")]
    specs = harvest.set_specs(rows)
    assert specs[3] == "power:presidents:decrees"
    assert specs[4] == "b:a" and specs[5] == "a:b"  # a loop never ends the walk


def test_text_that_imitates_a_marker_is_escaped():
    resource = make(title_ru="<?site?> и <?repository?>", identifier="x")
    header, metadata = stored(resource)
    assert metadata.count(harvest.SITE) == 1 and header.count(harvest.REPOSITORY) == 1
    assert "&lt;?site?&gt; и &lt;?repository?&gt;" in metadata
