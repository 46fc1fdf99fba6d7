"""The demo network a visitor believes: centers in real settlements of their region, at them,
with varied addresses and filled contacts in both languages; the seed documents' facts kept."""

import collections
import math
import re

import pytest
from django.db import transaction

from libranet.network.demo import read_settlements, seed_network
from libranet.network.models import Center

pytestmark = pytest.mark.django_db
NEAR_KM = 1.0  # a center stands in its settlement, not 40 km away


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def settlements():
    return read_settlements()


@pytest.fixture(scope="module")
def network(django_db_setup, django_db_blocker):
    """The demo at scale 1, seeded once for the module's tests (each test's own transaction
    is a savepoint inside this one, which is rolled back at the end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_network(seed=2018, scale=1)
        yield list(Center.objects.with_relations().exclude(code__in=FACTS))
        transaction.set_rollback(True)


FACTS = {"RU-TVE-RC", "RU-PNZ-RC", "RU-PNZ-TARKHANY", "RU-TYU-BR"}


def test_every_region_has_real_settlements_with_both_names(settlements):
    assert len(settlements) == 85
    for places in settlements.values():
        assert places
        for place in places:
            assert re.fullmatch(r"[А-ЯЁа-яё][А-ЯЁа-яё .-]*", place.name_ru), place
            assert re.match(r"[A-Z]", place.name_en), place
            assert not re.search(r"[А-ЯЁа-яё\d]", place.name_en), place


def test_centers_stand_in_the_settlement_their_address_names(network, settlements):
    for center in network:
        if center.kind == Center.Kind.FOREIGN:
            continue
        places = settlements[center.region.code]
        lat, lon = float(center.latitude), float(center.longitude)
        nearest = min(places, key=lambda p: distance_km(lat, lon, p.latitude, p.longitude))
        assert distance_km(lat, lon, nearest.latitude, nearest.longitude) < NEAR_KM, center.code
        assert nearest.label_ru in center.address, (center.code, center.address, nearest)
        assert nearest.label_en in center.address_en, (center.code, center.address_en)
        assert nearest.label_ru in center.institution.name_ru or center.kind == "regional"


def test_addresses_are_varied_and_never_twice_in_a_region(network):
    by_region = collections.Counter((c.region_id, c.address) for c in network if c.region_id)
    assert max(by_region.values()) == 1
    street = re.compile(r"(ул\.|пр-т|пер\.|пл\.|бул\.) [^,]+")
    streets = collections.Counter(street.search(c.address)[0] for c in network if c.region_id)
    assert len(streets) > 30 and streets.most_common(1)[0][1] < len(network) / 10


def test_contacts_are_filled_in_both_languages(network):
    for center in network:
        assert center.hours and center.hours_en and center.address_en, center.code
        if center.kind == Center.Kind.FOREIGN:
            continue
        zone = re.fullmatch(r"\+7 \((\d{3})\) \d{3}-\d{2}-\d{2}", center.phone)
        assert zone, center.phone
        assert re.fullmatch(r"[a-z]+@[a-z0-9-]+\.ru", center.email), center.email
        assert center.website == f"https://{center.email.split('@')[1]}/"
        assert re.fullmatch(r"[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+", center.contact_person)


def test_the_seed_documents_facts_are_kept(network):
    tver = Center.objects.select_related("institution").get(code="RU-TVE-RC")
    assert tver.institution.name_en == "A. M. Gorky Tver Regional Scientific Library"
    assert tver.address == "170100, г. Тверь, ул. Свободный пер., 28"
    assert str(tver.opened_on) == "2010-11-25"
    assert Center.objects.get(code="RU-TYU-BR").kind == Center.Kind.BRANCH
    assert Center.objects.filter(kind=Center.Kind.FOREIGN, country__code="MN").exists()


def test_the_same_seed_gives_the_same_network(network):
    first = sorted(Center.objects.values_list("code", "address", "phone", "latitude"))
    # Coordinated centers first (their regional center is protected); the hosts stay and are
    # found again by name.
    Center.objects.exclude(regional_center=None).delete()
    Center.objects.all().delete()
    seed_network(seed=2018, scale=1)
    assert sorted(Center.objects.values_list("code", "address", "phone", "latitude")) == first
