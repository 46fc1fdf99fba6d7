"""The collections' reads: one resource for its page, lists with filters and "readable here",
the collection tree."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from libranet.network.places import OUTSIDE, Place
from libranet.resources.selectors import (
    ResourceFilters,
    ResourceGone,
    collection_descendant_ids,
    collection_tree,
    resource_get,
    resource_list,
)
from libranet.resources.services import (
    collection_create,
    resource_create,
    resource_delete,
    resource_file_add,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tree():
    power = collection_create(actor=None, code="power", name_ru="Государственная власть")
    presidents = collection_create(
        actor=None, code="presidents", name_ru="Президенты России", parent=power, position=1
    )
    elections = collection_create(
        actor=None, code="elections", name_ru="Выборы", parent=power, position=2
    )
    territory = collection_create(
        actor=None, code="territory", name_ru="Территория России", position=3
    )
    return {c.code: c for c in (power, presidents, elections, territory)}


@pytest.fixture
def resources(tree):
    made = {}
    rows = [
        ("pl-1", "book", "open", "ru", "presidents"),
        ("pl-2", "map", "readers", "ru", "territory"),
        ("pl-3", "photograph", "on_site", "en", "elections"),
        ("pl-4", "sound", "staff", "ru", "power"),
    ]
    for identifier, kind, level, language, collection in rows:
        made[identifier] = resource_create(
            actor=None,
            identifier=identifier,
            title_ru=f"Ресурс {identifier}",
            type=kind,
            access_level=level,
            language=language,
            collections=[tree[collection]],
        )
        resource_file_add(
            actor=None, resource=made[identifier], kind="pdf", name="a.pdf", content=PDF
        )
    return made


def test_resource_get_for_a_page(resources, operator_user):
    resource = resource_get("pl-1")
    assert resource.identifier == "pl-1" and [f.kind for f in resource.files.all()] == ["pdf"]
    with pytest.raises(Http404):
        resource_get("pl-404")
    # Staff-only metadata exists only for staff.
    with pytest.raises(Http404):
        resource_get("pl-4", user=AnonymousUser())
    assert resource_get("pl-4", user=operator_user).identifier == "pl-4"


def test_a_withdrawn_resource_is_gone_for_everyone(resources, admin_user):
    resource_delete(actor=None, resource=resources["pl-1"])
    for user in (None, admin_user):
        with pytest.raises(ResourceGone) as excinfo:
            resource_get("pl-1", user=user)
        assert excinfo.value.resource.identifier == "pl-1"
    assert issubclass(ResourceGone, Http404)


def identifiers(queryset) -> list[str]:
    return [r.identifier for r in queryset]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["pl-1", "pl-2", "pl-3"]),
        ({"type": "map"}, ["pl-2"]),
        ({"language": "EN"}, ["pl-3"]),
        ({"access_level": "readers"}, ["pl-2"]),
        ({"collection": "power"}, ["pl-1", "pl-3"]),  # its descendants too; pl-4 is staff-only
        ({"collection": "presidents"}, ["pl-1"]),
        ({"collection": "nowhere"}, []),
        ({"type": "novel"}, []),
        ({"readable_here": "1"}, ["pl-1"]),
    ],
)
def test_resource_list_filters_for_anonymous_outside(resources, query, expected):
    filters = ResourceFilters.from_mapping(query)
    found = resource_list(filters=filters, user=AnonymousUser(), place=OUTSIDE)
    assert identifiers(found) == expected


def test_readable_here_follows_the_access_decision(resources, tver_rc, operator_user):
    inside = Place(center=tver_rc, via="network")
    found = resource_list(filters=ResourceFilters(), user=AnonymousUser(), place=inside)
    assert {r.identifier: r.readable_here for r in found} == {
        "pl-1": True,
        "pl-2": True,
        "pl-3": True,
    }
    outside = resource_list(filters=ResourceFilters(), user=AnonymousUser(), place=OUTSIDE)
    assert {r.identifier: r.readable_here for r in outside} == {
        "pl-1": True,
        "pl-2": False,
        "pl-3": False,
    }
    staff = resource_list(
        filters=ResourceFilters(readable_here=True), user=operator_user, place=OUTSIDE
    )
    assert identifiers(staff) == ["pl-1", "pl-2", "pl-3", "pl-4"]


def test_a_page_of_the_list_costs_a_fixed_number_of_queries(
    resources, tree, django_assert_num_queries
):
    for n in range(20):
        resource_create(
            actor=None,
            identifier=f"pl-more-{n:02d}",
            title_ru="Ещё",
            type="book",
            access_level="open",
            collections=[tree["presidents"], tree["power"]],
        )
    queryset = resource_list(
        filters=ResourceFilters(collection="power"), user=AnonymousUser(), place=OUTSIDE
    )
    # The page, its files, its collections (the tree was read once, building the filter).
    with django_assert_num_queries(3):
        page = list(queryset[:10])
        for resource in page:
            list(resource.files.all())
            [c.code for c in resource.collections.all()]
    assert len(page) == 10


def test_collection_tree(tree):
    nodes = collection_tree()
    assert [n.collection.code for n in nodes] == ["power", "territory"]
    power = nodes[0]
    assert [c.collection.code for c in power.children] == ["presidents", "elections"]
    assert power.children[0].path == ["power", "presidents"] and power.children[0].depth == 1
    assert [n.collection.code for n in power.walk()] == ["power", "presidents", "elections"]
    assert collection_descendant_ids("power") == {
        tree["power"].pk,
        tree["presidents"].pk,
        tree["elections"].pk,
    }
    assert collection_descendant_ids("nowhere") == set()
