"""Roles × capabilities, decided by the one permission module."""

import pytest

from libranet.network.models import Center, Region
from libranet.network.permissions import Capability, can, centers_for

C = Capability
pytestmark = pytest.mark.django_db


@pytest.fixture
def centers(tver_rc, penza_rc, make_center):
    return {
        "tver_rc": tver_rc,
        "tver_remote": make_center(),
        "penza_rc": penza_rc,
        "foreign": make_center(kind=Center.Kind.FOREIGN),
    }


# role fixture → centers on which it may edit everything / only contacts
MATRIX = [
    ("admin_user", {"tver_rc", "tver_remote", "penza_rc", "foreign"}, set()),
    ("network_user", {"tver_rc", "tver_remote", "penza_rc", "foreign"}, set()),
    ("international_user", {"foreign"}, set()),
    ("head_tver", {"tver_rc", "tver_remote"}, set()),
    ("operator_user", set(), {"tver_rc"}),
    ("reader_user", set(), set()),
]


@pytest.mark.parametrize(("role", "editable", "contacts_only"), MATRIX)
def test_center_capabilities_by_role(request, centers, role, editable, contacts_only):
    user = request.getfixturevalue(role)
    for name, center in centers.items():
        assert can(user, C.EDIT_CENTER, center) == (name in editable), name
        assert can(user, C.EDIT_CENTER_CONTACTS, center) == (
            name in editable or name in contacts_only
        ), name
    visible = set(centers_for(user, C.EDIT_CENTER).values_list("code", flat=True))
    assert visible == {centers[n].code for n in editable}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            "admin_user",
            {
                C.VIEW_BACKOFFICE,
                C.IMPORT_CENTERS,
                C.EXPORT_CENTERS,
                C.EDIT_INSTITUTION,
                C.EDIT_REFERENCE_DATA,
                C.VIEW_AUDIT,
                C.REGISTER_WIDE_NETWORKS,
            },
        ),
        (
            "network_user",
            {
                C.VIEW_BACKOFFICE,
                C.IMPORT_CENTERS,
                C.EXPORT_CENTERS,
                C.EDIT_INSTITUTION,
                C.EDIT_REFERENCE_DATA,
                C.VIEW_AUDIT,
                C.REGISTER_WIDE_NETWORKS,
            },
        ),
        (
            "international_user",
            {C.VIEW_BACKOFFICE, C.IMPORT_CENTERS, C.EXPORT_CENTERS, C.EDIT_INSTITUTION},
        ),
        ("head_tver", {C.VIEW_BACKOFFICE, C.IMPORT_CENTERS, C.EXPORT_CENTERS, C.EDIT_INSTITUTION}),
        ("operator_user", {C.VIEW_BACKOFFICE, C.EXPORT_CENTERS}),
        ("reader_user", set()),
    ],
)
def test_global_capabilities_by_role(request, role, expected):
    user = request.getfixturevalue(role)
    global_caps = {
        C.VIEW_BACKOFFICE,
        C.IMPORT_CENTERS,
        C.EXPORT_CENTERS,
        C.EDIT_INSTITUTION,
        C.EDIT_REFERENCE_DATA,
        C.VIEW_AUDIT,
        C.REGISTER_WIDE_NETWORKS,
    }
    assert {c for c in global_caps if can(user, c)} == expected


def test_head_may_create_only_in_own_region(head_tver, institution):
    mine = Center(kind=Center.Kind.REMOTE, region=Region.objects.get(code="RU-TVE"))
    theirs = Center(kind=Center.Kind.REMOTE, region=Region.objects.get(code="RU-PNZ"))
    assert can(head_tver, C.EDIT_CENTER, mine)
    assert not can(head_tver, C.EDIT_CENTER, theirs)


def test_anonymous_has_nothing(centers):
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), C.VIEW_BACKOFFICE)
    assert not can(AnonymousUser(), C.EDIT_CENTER, centers["tver_rc"])
