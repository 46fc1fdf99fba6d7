"""The audit trail in words: action names, objects named and linked, changes as before/after
pairs with their fields' labels, values as text (never a Python repr), in the page's language."""

import datetime

import pytest
from django.utils import timezone, translation

from libranet.audit.models import AuditEntry
from libranet.audit.presentation import action_choices, action_label, present
from libranet.network.models import Region
from libranet.network.services import center_change_status, center_update

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    """Every entry is recorded on 25 November 2026 (fixtures included: autouse runs first)."""
    time_machine.move_to(NOW, tick=False)


def test_actions_are_named_in_the_reader_language():
    assert action_label("center.status") == "center status changed"
    with translation.override("ru"):
        assert action_label("center.status") == "изменён статус центра"
    assert action_label("something.new") == "something.new"  # unknown: its code, not a blank
    assert ("center.update", "center changed") in action_choices()
    assert ("something.new", "something.new") in action_choices(["something.new"])


def test_a_center_update_reads_as_words(admin_user, tver_rc, institution):
    center_update(
        actor=admin_user,
        center=tver_rc,
        name_en="Tver hub",
        region=Region.objects.get(code="RU-PNZ"),
        networks=["192.0.2.0/26", "198.51.100.0/24"],
    )
    [view] = present(AuditEntry.objects.filter(action="center.update").select_related("actor"))
    assert view.action == "center changed"
    assert view.object_kind == "center" and view.object_name == "Tver hub"
    assert view.object_url == f"/en/office/centers/{tver_rc.code}/edit/"
    changes = {c.label: (c.before, c.after) for c in view.changes}
    assert changes["name (English)"] == ("Regional center in Tver Region", "Tver hub")
    assert changes["region"] == ("Tver Region", "Penza Region")  # names, not keys
    assert changes["IP networks"] == ("192.0.2.0/26", "192.0.2.0/26, 198.51.100.0/24")
    text = repr([(c.before, c.after) for c in view.changes])
    assert "[" not in text.strip("[]") and "None" not in text


def test_a_status_change_with_its_date_and_the_actor_by_name(admin_user, tver_rc):
    admin_user.first_name, admin_user.last_name = "Анна", "Петрова"
    admin_user.save()
    center_change_status(
        actor=admin_user, center=tver_rc, status="suspended", changed_on=NOW.date()
    )
    entry = AuditEntry.objects.select_related("actor").get(action="center.status")
    with translation.override("ru"):
        [view] = present([entry])
    assert view.actor_name == "Анна Петрова (admin)"
    changes = {c.label: c for c in view.changes}
    assert (changes["статус"].before, changes["статус"].after) == ("открыт", "приостановлен")
    assert changes["дата изменения"].after == "25.11.2026" and not changes["дата изменения"].paired


def test_a_created_center_lists_its_networks_as_a_value(tver_rc):
    [view] = present(AuditEntry.objects.filter(action="center.create"))
    [networks] = view.changes
    assert not networks.paired and networks.after == "192.0.2.0/26"
    assert view.actor_name == ""  # the system; the page says so


def test_a_deleted_object_keeps_its_recorded_name(network_user):
    entry = AuditEntry.objects.create(
        action="resource.delete",
        object_type="resources.resource",
        object_id="314",
        object_repr="prlib-314 Устав",
        changes={"flags": {"public": True}, "empty": [], "values": [1, 2, 3]},
    )
    [view] = present([entry])
    assert view.object_name == "prlib-314 Устав" and view.object_url is None
    changes = {c.label: c.after for c in view.changes}
    assert changes == {"flags": "public: yes", "empty": "—", "values": "1, 2, 3"}


def test_the_page_filters_by_action_from_a_list_and_by_name(client, network_user, tver_rc):
    network_user.first_name = "Nina"
    network_user.save()
    center_change_status(
        actor=network_user, center=tver_rc, status="suspended", changed_on=timezone.localdate()
    )
    client.force_login(network_user)
    page = client.get("/en/office/audit/?action=center.status&actor=nin")
    html = page.content.decode()
    assert '<option value="center.status" selected>center status changed</option>' in html
    assert "1 entry" in html and "Nina (network)" in html
    assert f'href="/en/office/centers/{tver_rc.code}/edit/"' in html
    assert "network.center #" not in html and "center.status</td>" not in html


def test_a_page_costs_a_fixed_number_of_queries(
    client, network_user, make_center, django_assert_max_num_queries
):
    for _ in range(12):
        center = make_center()
        center_update(actor=network_user, center=center, region=Region.objects.get(code="RU-PNZ"))
    client.force_login(network_user)
    with django_assert_max_num_queries(12):
        html = client.get("/en/office/audit/").content.decode()
    assert html.count("center changed</td>") == 12 and "Penza Region" in html
