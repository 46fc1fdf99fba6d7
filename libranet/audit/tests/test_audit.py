"""The audit trail: each change with who, when, what and from which address."""

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from libranet.audit.context import client_address
from libranet.audit.models import AuditEntry
from libranet.audit.selectors import AuditFilters, audit_list

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("198.51.100.7", "", "198.51.100.7"),
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # not our proxy: header ignored
        ("10.0.0.2", "203.0.113.9", "203.0.113.9"),
        ("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.3", "203.0.113.9"),  # spoofed left part
        ("10.0.0.2", "not-an-address", "10.0.0.2"),
        ("10.0.0.2", "2001:db8::1", "2001:db8::1"),
    ],
)
@override_settings(LIBRANET_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_client_address_believes_only_trusted_proxies(remote, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_a_change_through_a_page_records_actor_and_address(client, admin_user, tver_rc):
    client.force_login(admin_user)
    response = client.post(
        f"/en/office/centers/{tver_rc.code}/status/",
        {"status": "suspended", "changed_on": timezone.localdate().isoformat(), "note": "ремонт"},
        REMOTE_ADDR="198.51.100.23",
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="center.status")
    assert entry.actor == admin_user and entry.address == "198.51.100.23"
    assert entry.changes["status"] == ["open", "suspended"]


def test_changes_outside_requests_have_no_address(tver_rc):
    assert AuditEntry.objects.get(action="center.create").address is None


def test_filters(make_center, admin_user, client, tver_rc):
    client.force_login(admin_user)
    client.post(
        f"/en/office/centers/{tver_rc.code}/status/",
        {"status": "suspended", "changed_on": timezone.localdate().isoformat()},
    )
    assert audit_list(filters=AuditFilters(action="center.")).count() == 2
    assert audit_list(filters=AuditFilters(action="center.status")).count() == 1
    assert audit_list(filters=AuditFilters(actor="adm")).count() == 1
    assert audit_list(filters=AuditFilters(target="center in Tver")).count() == 2
    assert audit_list(filters=AuditFilters(target="nothing-like-it")).count() == 0


def test_audit_page_lists_and_filters(client, network_user, tver_rc, django_assert_max_num_queries):
    client.force_login(network_user)
    with django_assert_max_num_queries(8):
        html = client.get("/en/office/audit/?action=center.create").content.decode()
    assert tver_rc.name_en in html and "1 entry" in html
    response = client.get("/en/office/audit/?date_from=yesterday&address=not-ip")
    assert response.status_code == 200  # bad filters are field errors, never a 500
    assert "Enter a valid date." in response.content.decode()


def test_changes_keep_lists_and_mappings_as_json_not_reprs():
    from libranet.audit.presentation import value_text
    from libranet.audit.services import model_changes

    changes = model_changes(
        {"creators": [], "extra": None},
        {"creators": ("Соколов Г. М.", "Иванов И. И."), "extra": {"pages": 3}},
    )
    assert changes == {
        "creators": [[], ["Соколов Г. М.", "Иванов И. И."]],
        "extra": [None, {"pages": 3}],
    }
    assert value_text(changes["creators"][1]) == "Соколов Г. М., Иванов И. И."
