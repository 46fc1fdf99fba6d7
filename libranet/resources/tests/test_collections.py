"""Renaming and moving collections (``collection_update``): the rules, the audit row, and what
a move does to the records of the resources below it (OAI-PMH datestamps and set specs, search
documents), in the same transaction."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from libranet.audit.models import AuditEntry
from libranet.network.places import OUTSIDE
from libranet.resources.models import Collection, Resource, SearchIndexChange
from libranet.resources.search import SearchFilters, index_apply_changes, search
from libranet.resources.services import (
    ResourceError,
    ResourcePermissionError,
    collection_create,
    collection_update,
    resource_create,
)

pytestmark = pytest.mark.django_db

LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def tree():
    """power ─ presidents ─ decrees; territory ─ maps."""
    power = collection_create(actor=None, code="power", name_ru="Власть")
    presidents = collection_create(
        actor=None, code="presidents", name_ru="Президенты", parent=power
    )
    decrees = collection_create(actor=None, code="decrees", name_ru="Указы", parent=presidents)
    territory = collection_create(actor=None, code="territory", name_ru="Территория")
    maps = collection_create(actor=None, code="maps", name_ru="Карты", parent=territory)
    return {c.code: c for c in (power, presidents, decrees, territory, maps)}


def make(identifier, *collections):
    resource = resource_create(
        actor=None,
        identifier=identifier,
        title_ru=f"Документ {identifier}",
        type="book",
        access_level="open",
        collections=list(collections),
    )
    # As if catalogued long ago: what a move re-dates shows against this.
    Resource.objects.filter(pk=resource.pk).update(modified_at=LONG_AGO)
    return resource


def errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_rename_and_reorder_change_no_record(tree, network_user):
    resource = make("pl-1", "presidents")
    SearchIndexChange.objects.all().delete()
    collection_update(
        actor=network_user,
        collection=tree["presidents"],
        name_ru="Президенты России",
        name_en="Presidents of Russia",
        description_ru="Документы о президентах",
        position=3,
    )
    saved = Collection.objects.get(code="presidents")
    assert (saved.name_ru, saved.name_en, saved.position) == (
        "Президенты России",
        "Presidents of Russia",
        3,
    )
    entry = AuditEntry.objects.get(action="collection.update")
    assert entry.actor == network_user
    assert entry.changes["name_ru"] == ["Президенты", "Президенты России"]
    # Names are not in a resource's record (set names come from the tree when asked).
    resource.refresh_from_db()
    assert resource.modified_at == LONG_AGO
    assert not SearchIndexChange.objects.exists()


def test_a_move_redates_and_rerenders_every_resource_below(tree, admin_user):
    inside = make("pl-1", "presidents")
    deeper = make("pl-2", "decrees", "maps")
    elsewhere = make("pl-3", "maps")
    SearchIndexChange.objects.all().delete()

    collection_update(actor=admin_user, collection=tree["presidents"], parent=tree["territory"])

    for resource in (inside, deeper):
        resource.refresh_from_db()
        assert resource.modified_at > LONG_AGO
        assert f"<datestamp>{resource.modified_at:%Y-%m-%dT%H:%M:%S}Z</datestamp>" in (
            resource.oai_header
        )
    assert "<setSpec>territory:presidents</setSpec>" in inside.oai_header
    assert "<setSpec>territory:presidents:decrees</setSpec>" in deeper.oai_header
    assert "<setSpec>territory:maps</setSpec>" in deeper.oai_header
    assert "power" not in inside.oai_header + deeper.oai_header
    elsewhere.refresh_from_db()
    assert elsewhere.modified_at == LONG_AGO
    assert set(SearchIndexChange.objects.values_list("resource_id", flat=True)) == {
        inside.pk,
        deeper.pk,
    }
    entry = AuditEntry.objects.get(action="collection.move")
    assert entry.changes == {"parent": ["power", "territory"], "resources": [None, 2]}


def test_search_follows_a_move(tree):
    make("pl-1", "decrees")
    index_apply_changes()

    def found(code):
        filters = SearchFilters(collections=(code,))
        results = search(query="", user=AnonymousUser(), place=OUTSIDE, filters=filters)
        return [hit.identifier for hit in results.hits]

    assert found("power") == ["pl-1"] and found("territory") == []
    collection_update(actor=None, collection=tree["presidents"], parent="territory")
    index_apply_changes()
    assert found("power") == [] and found("territory") == ["pl-1"]


def test_a_collection_moves_to_the_top(tree):
    resource = make("pl-1", "decrees")
    collection_update(actor=None, collection=tree["presidents"], parent=None)
    resource.refresh_from_db()
    assert "<setSpec>presidents:decrees</setSpec>" in resource.oai_header
    assert Collection.objects.get(code="presidents").parent is None


@pytest.mark.parametrize(
    ("moved", "parent", "message"),
    [
        ("presidents", "presidents", "cannot be placed under itself"),
        ("power", "decrees", "cannot be moved under one of its own sub-collections"),
        ("presidents", "decrees", "cannot be moved under one of its own sub-collections"),
        ("power", "nowhere", "Unknown collection code: nowhere."),
    ],
)
def test_a_move_that_would_make_a_loop_is_refused(tree, moved, parent, message):
    resource = make("pl-1", "decrees")
    with pytest.raises(ResourceError) as excinfo:
        collection_update(actor=None, collection=tree[moved], parent=parent)
    assert message in " ".join(errors(excinfo)["parent"])
    assert Collection.objects.get(code="power").parent is None
    assert Collection.objects.get(code="presidents").parent_id == tree["power"].pk
    resource.refresh_from_db()
    assert resource.modified_at == LONG_AGO
    assert not AuditEntry.objects.filter(action__startswith="collection.m").exists()


def test_bad_values_are_refused_by_field_and_change_nothing(tree):
    with pytest.raises(ResourceError) as excinfo:
        collection_update(actor=None, collection=tree["maps"], name_ru="  ", position=-1)
    assert set(errors(excinfo)) == {"name_ru", "position"}
    with pytest.raises(ResourceError) as excinfo:
        collection_update(actor=None, collection=tree["maps"], name_ru="x" * 301)
    assert set(errors(excinfo)) == {"name_ru"}
    assert Collection.objects.get(code="maps").name_ru == "Карты"


def test_the_code_is_the_set_spec_and_never_changes(tree):
    with pytest.raises(ResourceError) as excinfo:
        collection_update(actor=None, collection=tree["maps"], code="atlases")
    assert "set spec" in errors(excinfo)["code"][0]
    with pytest.raises(TypeError):
        collection_update(actor=None, collection=tree["maps"], colour="red")


def test_nothing_changed_writes_nothing(tree):
    collection_update(
        actor=None, collection=tree["maps"], name_ru="Карты", parent="territory", position=0
    )
    assert not AuditEntry.objects.filter(
        object_id=str(tree["maps"].pk),
        action__in=[
            "collection.update",
            "collection.move",
        ],
    ).exists()


@pytest.mark.parametrize(("role", "allowed"), [("operator_user", False), ("network_user", True)])
def test_only_editors_of_the_collections_change_them(request, tree, role, allowed):
    user = request.getfixturevalue(role)
    if allowed:
        collection_update(actor=user, collection=tree["maps"], name_en="Maps")
    else:
        with pytest.raises(ResourcePermissionError):
            collection_update(actor=user, collection=tree["maps"], name_en="Maps")
    assert (Collection.objects.get(code="maps").name_en == "Maps") is allowed
