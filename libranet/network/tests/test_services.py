"""The registry's rules, each tested once in its service (and in the database where it holds)."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from libranet.audit.models import AuditEntry
from libranet.network.models import Center, CenterNetwork, Country, Region
from libranet.network.services import (
    RegistryError,
    center_change_status,
    center_close,
    center_for_address,
    center_update,
    institution_update,
    parse_networks,
)

Kind, Status = Center.Kind, Center.Status


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


def test_center_in_russia_needs_region_and_no_country(make_center):
    with pytest.raises(RegistryError) as exc:
        make_center(kind=Kind.REMOTE, region=None, country=Country.objects.get(code="DE"))
    assert set(errors_of(exc)) == {"region", "country"}


def test_foreign_center_with_region_is_refused(make_center):
    with pytest.raises(RegistryError) as exc:
        make_center(kind=Kind.FOREIGN, region=Region.objects.get(code="RU-TVE"))
    assert "not a region" in " ".join(errors_of(exc)["region"])


def test_database_refuses_foreign_center_with_region(make_center):
    center = make_center(kind=Kind.FOREIGN)
    with pytest.raises(IntegrityError), transaction.atomic():
        Center.objects.filter(pk=center.pk).update(region=Region.objects.get(code="RU-TVE"))


def test_codes_are_unique_and_normalized(make_center):
    make_center(code="ru-tve-0001")
    assert Center.objects.filter(code="RU-TVE-0001").exists()
    with pytest.raises(RegistryError) as exc:
        make_center(code="RU-TVE-0001")
    assert "already used" in errors_of(exc)["code"][0]


@pytest.mark.parametrize("code", ["", "X", "код", "A B", "<script>", "A" * 40])
def test_malformed_codes_are_refused(make_center, code):
    with pytest.raises(RegistryError) as exc:
        make_center(code=code)
    assert "code" in errors_of(exc)


def test_one_open_regional_center_per_region(tver_rc, make_center):
    with pytest.raises(RegistryError) as exc:
        make_center(kind=Kind.REGIONAL, code="RU-TVE-RC2")
    assert "RU-TVE-RC" in errors_of(exc)["status"][0]
    # A planned second one is allowed, and the database holds the rule too.
    planned = make_center(kind=Kind.REGIONAL, code="RU-TVE-RC2", status=Status.PLANNED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Center.objects.filter(pk=planned.pk).update(status=Status.OPEN)


def test_remote_center_is_coordinated_by_its_regions_regional_center(
    tver_rc, penza_rc, make_center
):
    center = make_center()
    assert center.regional_center == tver_rc  # defaulted from the region
    with pytest.raises(RegistryError) as exc:
        make_center(regional_center=penza_rc)
    assert "own region" in errors_of(exc)["regional_center"][0]
    other_remote = make_center()
    with pytest.raises(RegistryError) as exc:
        make_center(regional_center=other_remote)
    assert "not a regional center" in errors_of(exc)["regional_center"][0]


def test_moving_a_remote_center_to_another_region_moves_its_coordinator(
    tver_rc, penza_rc, make_center
):
    center = make_center()
    center = center_update(actor=None, center=center, region=Region.objects.get(code="RU-PNZ"))
    assert center.regional_center == penza_rc


@pytest.mark.parametrize("value", ["10.0.0.1/24", "300.1.1.0/24", "fe80::/129", "abc", "10.0.0.0/"])
def test_malformed_networks_are_named(value):
    with pytest.raises(RegistryError) as exc:
        parse_networks([value])
    assert value.strip() in errors_of(exc)["networks"][0]


def test_networks_of_two_centers_never_overlap(tver_rc, make_center):
    with pytest.raises(RegistryError) as exc:
        make_center(networks=["192.0.2.32/27"])
    message = errors_of(exc)["networks"][0]
    assert "RU-TVE-RC" in message and "192.0.2.0/26" in message
    make_center(networks=["192.0.2.64/26", "2001:db8:1::/48"])  # adjacent is fine
    with pytest.raises(RegistryError):
        make_center(networks=["2001:db8:1:5::/64"])


def test_overlap_within_one_list_is_refused():
    with pytest.raises(RegistryError) as exc:
        parse_networks("10.0.0.0/8, 10.1.0.0/16")
    assert "overlap" in errors_of(exc)["networks"][0]


@pytest.mark.parametrize(
    ("cidr", "first", "last"),
    [
        ("192.0.2.0/28", "c0000200", "c000020f"),  # the same start
        ("192.0.2.16/28", "c0000210", "c000021f"),  # inside the other
        ("192.0.0.0/16", "c0000000", "c000ffff"),  # around it
        ("192.0.2.48/28", "c0000230", "c000023f"),  # at its end
    ],
)
def test_database_trigger_refuses_overlap(tver_rc, make_center, cidr, first, last):
    other = make_center(networks=["192.0.1.0/24", "192.0.3.0/24"])  # its own neighbours
    with pytest.raises(IntegrityError), transaction.atomic():
        CenterNetwork.objects.create(center=other, cidr=cidr, version=4, first=first, last=last)
    CenterNetwork.objects.create(  # beside it is fine, as is touching one's own
        center=other, cidr="192.0.2.64/26", version=4, first="c0000240", last="c000027f"
    )


def test_center_for_address(tver_rc):
    assert center_for_address("192.0.2.17") == tver_rc
    assert center_for_address("192.0.2.200") is None
    assert center_for_address("not an ip") is None


def test_status_history_and_closing_keeps_the_center(make_center):
    center = make_center(status=Status.PLANNED)
    today = timezone.localdate()
    center_change_status(actor=None, center=center, status=Status.APPROVED)
    center = center_change_status(actor=None, center=center, status=Status.OPEN)
    assert center.opened_on == today
    center = center_close(actor=None, center=center, note="moved")
    assert center.status == Status.CLOSED and center.closed_on == today
    assert list(center.status_history.values_list("status", flat=True)) == [
        "planned",
        "approved",
        "open",
        "closed",
    ]
    assert Center.objects.filter(pk=center.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(center.pk), action="center.status").count() == 3


def test_forbidden_transitions_and_dates(make_center):
    center = make_center(status=Status.PLANNED)
    with pytest.raises(RegistryError) as exc:
        center_change_status(actor=None, center=center, status=Status.SUSPENDED)
    assert "status" in errors_of(exc)
    with pytest.raises(RegistryError):
        center_change_status(actor=None, center=center, status="bogus")
    with pytest.raises(RegistryError) as exc:
        center_change_status(
            actor=None,
            center=center,
            status=Status.APPROVED,
            changed_on=timezone.localdate() + datetime.timedelta(days=2),
        )
    assert "changed_on" in errors_of(exc)


@pytest.mark.parametrize(
    ("networks", "refused"),
    [
        (["10.0.0.0/8"], "10.0.0.0/8"),
        (["10.0.0.0/15"], "10.0.0.0/15"),
        (["10.0.0.0/16", "2001:db8::/48"], None),  # the widest allowed
        (["2001:db8::/32"], "2001:db8::/32"),
    ],
)
def test_a_head_may_not_give_a_center_too_wide_a_network(
    head_tver, network_user, institution, networks, refused
):
    """Every address of a center's networks reads on-site material: without the network
    department's capability a network is at most a /16 (IPv4) or a /48 (IPv6)."""
    from libranet.network.services import center_create

    fields = {
        "code": "RU-TVE-WIDE",
        "kind": Kind.REMOTE,
        "name_ru": "Центр",
        "institution": institution,
        "region": Region.objects.get(code="RU-TVE"),
        "networks": networks,
    }
    if refused:
        with pytest.raises(RegistryError) as exc:
            center_create(actor=head_tver, **fields)
        (message,) = errors_of(exc)["networks"]
        limit = "/16" if ":" not in refused else "/48"
        assert f"Network {refused} is wider than {limit}" in message
        assert not Center.objects.filter(code="RU-TVE-WIDE").exists()
    center = center_create(actor=network_user, **fields)  # the department may
    assert sorted(center.networks.values_list("cidr", flat=True)) == sorted(networks)


def test_the_widest_network_is_configurable_and_a_wide_one_may_stay(
    settings, head_tver, network_user, make_center
):
    settings.LIBRANET_NETWORK_WIDEST_IPV4 = 24
    center = make_center(networks=["198.51.100.0/24"])
    with pytest.raises(RegistryError) as exc:
        center_update(actor=head_tver, center=center, networks=["198.51.0.0/23"])
    assert "wider than /24" in errors_of(exc)["networks"][0]
    center_update(actor=network_user, center=center, networks=["198.50.0.0/16"])
    # A head still edits the card, keeping the network the department registered.
    center_update(actor=head_tver, center=center, hours="10–18", networks=["198.50.0.0/16"])
    with pytest.raises(RegistryError):
        center_update(actor=head_tver, center=center, networks=["198.50.0.0/16", "10.0.0.0/8"])


def test_update_is_all_or_nothing(tver_rc, make_center):
    center = make_center(networks=["198.51.100.0/24"])
    with pytest.raises(RegistryError):
        center_update(
            actor=None,
            center=center,
            name_ru="Новое имя",
            networks=["198.51.100.0/24", "192.0.2.0/30"],
        )
    center.refresh_from_db()
    assert center.name_ru != "Новое имя"
    assert list(center.networks.values_list("cidr", flat=True)) == ["198.51.100.0/24"]


def test_search_text_follows_institution_rename(make_center, institution):
    center = make_center()
    institution_update(actor=None, institution=institution, name_ru="Библиотека имени Ёлкина")
    center.refresh_from_db()
    assert "библиотека имени елкина" in center.search_text


def test_updates_are_audited_with_changes(make_center, admin_user):
    center = make_center()
    center_update(actor=admin_user, center=center, hours="10–18")
    entry = AuditEntry.objects.get(action="center.update")
    assert entry.actor == admin_user and entry.changes["hours"] == ["", "10–18"]


def test_services_hold_the_actors_scope(
    head_tver, operator_user, international_user, tver_rc, penza_rc, make_center
):
    """Every door passes its user; the services refuse what the role does not cover."""
    from libranet.network.services import ScopeError, center_create, center_update_contacts

    tver_remote = make_center()
    with pytest.raises(ScopeError) as exc:
        center_update(actor=head_tver, center=penza_rc, name_ru="Чужой")
    assert "code" in errors_of(exc)
    with pytest.raises(ScopeError) as exc:  # moving a center out of the head's region
        center_update(actor=head_tver, center=tver_remote, region=Region.objects.get(code="RU-PNZ"))
    assert "region" in errors_of(exc)
    with pytest.raises(ScopeError) as exc:
        center_create(
            actor=international_user,
            code="RU-TVE-0999",
            kind=Kind.REMOTE,
            name_ru="Нет",
            institution=tver_rc.institution,
            region=Region.objects.get(code="RU-TVE"),
        )
    assert "region" in errors_of(exc)
    with pytest.raises(ScopeError):
        center_change_status(actor=operator_user, center=tver_rc, status=Status.SUSPENDED)
    with pytest.raises(ScopeError):
        center_update_contacts(actor=operator_user, center=tver_remote, hours="9–18")
    center_update_contacts(actor=operator_user, center=tver_rc, hours="Пн–Пт 9–18")
    center_update(actor=head_tver, center=tver_remote, name_ru="Свой")
    assert Center.objects.get(pk=tver_remote.pk).name_ru == "Свой"
    assert Center.objects.get(pk=penza_rc.pk).name_ru != "Чужой"


def test_coordinates_out_of_range_are_refused_by_field(make_center):
    with pytest.raises(RegistryError) as exc:
        make_center(latitude=Decimal("91"), longitude=Decimal("-181"))
    assert set(errors_of(exc)) == {"latitude", "longitude"}
