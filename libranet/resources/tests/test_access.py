"""The access decision as a table: every level × who × where (the rule is tested here once;
each door's wiring is tested where the door is)."""

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from libranet.accounts.models import EsiaIdentity
from libranet.network.places import (
    WORKSTATION_COOKIE,
    place_of,
    workstation_register,
    workstation_revoke,
)
from libranet.network.services import center_change_status
from libranet.resources.access import decide, readable_levels
from libranet.resources.models import AccessLevel, Resource

pytestmark = pytest.mark.django_db

CENTER_ADDRESS = "192.0.2.10"  # inside tver_rc's 192.0.2.0/26
OUTSIDE_ADDRESS = "203.0.113.5"


@pytest.fixture
def who(reader_user, make_staff, operator_user):
    confirmed = make_staff("confirmed.reader")
    now = timezone.now()
    EsiaIdentity.objects.create(
        user=reader_user,
        oid="1",
        confirmed=False,
        confirmed_checked_at=now,
        consent_accepted_at=now,
    )
    EsiaIdentity.objects.create(
        user=confirmed, oid="2", confirmed=True, confirmed_checked_at=now, consent_accepted_at=now
    )
    from django.contrib.auth.models import AnonymousUser

    return {
        "anonymous": AnonymousUser(),
        "reader": reader_user,
        "confirmed": confirmed,
        "staff": operator_user,
    }


@pytest.fixture
def where(tver_rc, operator_user):
    """Requests from each kind of place, as the place_of(request) door sees them."""
    factory = RequestFactory()
    _ws, cookie = workstation_register(actor=operator_user, center=tver_rc, name="зал 1")
    revoked, revoked_cookie = workstation_register(actor=operator_user, center=tver_rc, name="2")
    workstation_revoke(actor=operator_user, workstation=revoked)

    def request(address, **extra):
        return factory.get("/", REMOTE_ADDR=address, **extra)

    outside = request(OUTSIDE_ADDRESS)
    workstation = request(OUTSIDE_ADDRESS)
    workstation.COOKIES[WORKSTATION_COOKIE] = cookie
    revoked_ws = request(OUTSIDE_ADDRESS)
    revoked_ws.COOKIES[WORKSTATION_COOKIE] = revoked_cookie
    forged = request(OUTSIDE_ADDRESS)
    forged.COOKIES[WORKSTATION_COOKIE] = cookie[:-3] + "abc"
    return {
        "outside": outside,
        "center network": request(CENTER_ADDRESS),
        "workstation": workstation,
        "revoked workstation": revoked_ws,
        "forged cookie": forged,
        # An untrusted client claiming a center's address is still outside.
        "spoofed X-Forwarded-For": request(OUTSIDE_ADDRESS, HTTP_X_FORWARDED_FOR=CENTER_ADDRESS),
    }


INSIDE = {"center network", "workstation"}
ALL_PLACES = [
    "outside",
    "center network",
    "workstation",
    "revoked workstation",
    "forged cookie",
    "spoofed X-Forwarded-For",
]


def expected(level, person, place) -> bool:
    if person == "staff":
        return True
    if level == AccessLevel.OPEN:
        return True
    if level == AccessLevel.READERS:
        return place in INSIDE or person == "confirmed"
    if level == AccessLevel.ON_SITE:
        return place in INSIDE
    return False


@pytest.mark.parametrize("level", AccessLevel.values)
@pytest.mark.parametrize("person", ["anonymous", "reader", "confirmed", "staff"])
@override_settings(LIBRANET_TRUSTED_PROXIES=[])
def test_access_table(level, person, who, where):
    resource = Resource(identifier="x", title_ru="x", type="book", access_level=level)
    for place_name in ALL_PLACES:
        place = place_of(where[place_name])
        decision = decide(resource, who[person], place)
        assert decision.allowed == expected(level, person, place_name), (level, person, place_name)
        assert (level in readable_levels(who[person], place)) == decision.allowed
        assert decision.message


def test_a_center_that_is_not_open_places_nobody(tver_rc, where):
    center_change_status(actor=None, center=tver_rc, status="suspended")
    for name in ("center network", "workstation"):
        assert not place_of(where[name]).inside, name


@override_settings(LIBRANET_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_trusted_proxy_passes_the_center_address_on(tver_rc):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=CENTER_ADDRESS)
    assert place_of(request).center == tver_rc


def test_denials_say_why(who):
    on_site = Resource(identifier="y", title_ru="y", type="book", access_level="on_site")
    readers = Resource(identifier="z", title_ru="z", type="book", access_level="readers")
    outside = place_of(RequestFactory().get("/", REMOTE_ADDR=OUTSIDE_ADDRESS))
    assert decide(on_site, who["confirmed"], outside).reason == "on_site"
    assert decide(readers, who["anonymous"], outside).reason == "sign_in"
    assert decide(readers, who["reader"], outside).reason == "not_confirmed"
    assert decide(readers, who["confirmed"], outside).reason == "confirmed_reader"


def test_only_the_centers_staff_register_its_workstations(tver_rc, make_staff, penza_rc):
    from libranet.network.models import Region, StaffRole
    from libranet.network.services import ScopeError

    head_penza = make_staff(
        "head.penza", StaffRole.Role.REGIONAL_HEAD, region=Region.objects.get(code="RU-PNZ")
    )
    with pytest.raises(ScopeError):
        workstation_register(actor=head_penza, center=tver_rc, name="чужой")


def test_a_workstation_in_use_is_seen_at_most_hourly(where, django_assert_max_num_queries):
    from libranet.network.models import Workstation

    place_of(where["workstation"])
    seen = Workstation.objects.exclude(last_seen_at=None).get()
    where["workstation"]._libranet_place = None  # a new request from the same browser
    with django_assert_max_num_queries(2):  # networks, then the cookie; no write this hour
        assert place_of(where["workstation"]).inside
    assert Workstation.objects.get(pk=seen.pk).last_seen_at == seen.last_seen_at
