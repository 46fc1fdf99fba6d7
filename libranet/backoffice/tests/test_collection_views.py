"""The back office's collection tree: who may use it, the tree as a list, making, renaming and
moving a collection through the form (the rules are tested once, in
libranet/resources/tests/test_collections.py)."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from libranet.resources.models import Collection, Resource
from libranet.resources.services import collection_create, resource_create

pytestmark = pytest.mark.django_db

LIST = "/en/office/collections/"
NEW = "/en/office/collections/new/"
ROLES = [
    "admin_user",
    "network_user",
    "international_user",
    "head_tver",
    "operator_user",
    "reader_user",
    None,
]
EDITORS = {"admin_user", "network_user"}
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def edit_url(code: str) -> str:
    return f"/en/office/collections/{code}/edit/"


@pytest.fixture
def tree():
    """power ─ presidents ─ decrees; territory."""
    power = collection_create(actor=None, code="power", name_ru="Власть", name_en="Power")
    presidents = collection_create(
        actor=None, code="presidents", name_ru="Президенты", parent=power, position=1
    )
    decrees = collection_create(actor=None, code="decrees", name_ru="Указы", parent=presidents)
    territory = collection_create(actor=None, code="territory", name_ru="Территория", position=2)
    return {c.code: c for c in (power, presidents, decrees, territory)}


def form_data(collection: Collection, **changes) -> dict:
    data = {
        "name_ru": collection.name_ru,
        "name_en": collection.name_en,
        "description_ru": collection.description_ru,
        "description_en": collection.description_en,
        "parent": collection.parent.code if collection.parent_id else "",
        "position": collection.position,
    }
    return {**data, **changes}


@pytest.mark.parametrize("role", ROLES)
def test_the_pages_by_role(request, client, tree, role):
    if role:
        client.force_login(request.getfixturevalue(role))
    answers = [client.get(url).status_code for url in (LIST, NEW, edit_url("power"))]
    posted = client.post(edit_url("power"), form_data(tree["power"], name_en="State power"))
    if role is None:
        assert answers == [302, 302, 302] and posted.status_code == 302
        assert "/accounts/login/" in posted.headers["Location"]
    elif role in EDITORS:
        assert answers == [200, 200, 200] and posted.status_code == 302
        assert 'href="/en/office/collections/"' in client.get(LIST).content.decode()
    else:
        assert answers == [403, 403, 403] and posted.status_code == 403
    assert (Collection.objects.get(code="power").name_en == "State power") is (role in EDITORS)


def test_the_tree_is_listed_with_set_specs(
    client, network_user, tree, django_assert_max_num_queries
):
    resource_create(
        actor=None,
        identifier="pl-1",
        title_ru="Указ",
        type="book",
        access_level="open",
        collections=["decrees"],
    )
    client.force_login(network_user)
    client.get(LIST)  # the session and the user, once
    with django_assert_max_num_queries(6):
        html = client.get(LIST).content.decode()
    order = [html.index(f"<code>{spec}</code>") for spec in (
        "power", "power:presidents", "power:presidents:decrees", "territory"
    )]  # fmt: skip
    assert order == sorted(order)  # parents before their children, in the tree's order
    # The decree, counted where it is.
    assert '<td class="number" data-label="Resources">1</td>' in html


def test_a_new_collection_goes_where_it_is_put(client, network_user, tree):
    client.force_login(network_user)
    data = {"code": "maps", "name_ru": "Карты", "parent": "territory", "position": 0}
    response = client.post(NEW, data)
    assert response.status_code == 302
    assert Collection.objects.get(code="maps").parent == tree["territory"]
    taken = client.post(NEW, {**data, "name_ru": "Ещё карты"})
    assert "Collection code maps is already used." in taken.content.decode()


def test_the_code_is_not_edited_and_the_parent_choices_leave_out_the_subtree(
    client, network_user, tree
):
    client.force_login(network_user)
    response = client.get(edit_url("presidents"))
    form = response.context["form"]
    assert "code" not in form.fields
    assert [value for value, _label in form.fields["parent"].choices] == ["", "power", "territory"]
    refused = client.post(edit_url("presidents"), form_data(tree["presidents"], parent="decrees"))
    assert refused.status_code == 200 and refused.context["form"].errors["parent"]
    assert Collection.objects.get(code="presidents").parent == tree["power"]


def test_a_move_through_the_form_redates_the_resources_below(client, admin_user, tree):
    resource = resource_create(
        actor=None,
        identifier="pl-1",
        title_ru="Указ",
        type="book",
        access_level="open",
        collections=["decrees"],
    )
    Resource.objects.filter(pk=resource.pk).update(modified_at=LONG_AGO)
    client.force_login(admin_user)
    response = client.post(
        edit_url("presidents"), form_data(tree["presidents"], parent="territory", position=5)
    )
    assert response.status_code == 302
    moved = Collection.objects.get(code="presidents")
    assert (moved.parent, moved.position) == (tree["territory"], 5)
    resource.refresh_from_db()
    assert resource.modified_at > LONG_AGO
    assert "<setSpec>territory:presidents:decrees</setSpec>" in resource.oai_header
    (message,) = get_messages(response.wsgi_request)
    assert "is moved" in str(message)


def test_an_unknown_collection_is_404(client, network_user):
    client.force_login(network_user)
    assert client.get(edit_url("nowhere")).status_code == 404
