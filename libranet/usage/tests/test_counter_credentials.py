"""SUSHI credentials: issued with a key shown once, revoked, and the check every COUNTER API
request goes through (customer_id, requestor_id, api_key; never the caller's address)."""

import pytest
from django.core.exceptions import ValidationError

from libranet.audit.models import AuditEntry
from libranet.usage.counter import CounterException
from libranet.usage.credentials import (
    key_hash,
    sushi_authenticate,
    sushi_credential_customer,
    sushi_credential_issue,
    sushi_credential_revoke,
)
from libranet.usage.models import SushiCredential

from .counter_support import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_center):
    return build_world(make_center)


def issue(customer_id, requestor_id="erm.example.org", actor=None):
    return sushi_credential_issue(
        actor=actor, name="ERM of the region", requestor_id=requestor_id, customer_id=customer_id
    )


def test_issuing_stores_only_the_keys_hash(world, network_user):
    credential, key = issue("RU-TVE-RC", actor=network_user)
    stored = SushiCredential.objects.get()
    assert stored.key_hash == key_hash(key) and key not in stored.key_hash
    assert stored.center == world.tver_rc and stored.created_by == network_user
    assert sushi_credential_customer(stored) == "RU-TVE-RC"
    entry = AuditEntry.objects.get(action="sushi_credential.issue")
    assert entry.actor == network_user and entry.changes["customer_id"] == [None, "RU-TVE-RC"]
    library, _key = issue("presidentlib")
    assert library.center is None and sushi_credential_customer(library) == "presidentlib"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"customer_id": "RU-NOWHERE"}, "customer_id", "No center has the code “RU-NOWHERE”"),
        ({"customer_id": "0000000000000000"}, "customer_id", "No center has the code"),
        ({"requestor_id": "has spaces"}, "requestor_id", "no spaces"),
        ({"requestor_id": ""}, "requestor_id", "1 to 100"),
        ({"name": "  "}, "name", "Say who uses the credential."),
    ],
)
def test_issuing_refuses_bad_input(world, fields, field, message):
    given = {"name": "ERM", "requestor_id": "erm", "customer_id": "RU-TVE-RC", **fields}
    with pytest.raises(ValidationError) as raised:
        sushi_credential_issue(actor=None, **given)
    assert message in " ".join(raised.value.message_dict[field])
    assert not SushiCredential.objects.exists()


@pytest.mark.parametrize(
    ("issued_for", "customer_id", "allowed"),
    [
        ("RU-TVE-001", "RU-TVE-001", True),
        ("RU-TVE-001", "RU-TVE-002", False),  # a center cannot read another
        ("RU-TVE-001", "RU-TVE-RC", False),  # nor its regional center
        ("RU-TVE-RC", "RU-TVE-RC", True),
        ("RU-TVE-RC", "RU-TVE-002", True),  # a regional center reads its members
        ("RU-TVE-RC", "RU-PNZ-RC", False),  # not another region
        ("RU-TVE-RC", "presidentlib", False),
        ("presidentlib", "presidentlib", True),
        ("presidentlib", "MN-ULN-01", True),  # the Library reads everyone
        ("presidentlib", "RU-NOWHERE", False),  # an unknown customer
    ],
)
def test_a_credential_reaches_its_customer_and_members(world, issued_for, customer_id, allowed):
    _credential, key = issue(issued_for)
    ask = {"customer_id": customer_id, "requestor_id": "erm.example.org", "api_key": key}
    if allowed:
        assert sushi_authenticate(**ask).customer_id == customer_id
    else:
        with pytest.raises(CounterException) as raised:
            sushi_authenticate(**ask)
        assert (raised.value.code, raised.value.http_status) == (2010, 403)


def test_requests_without_valid_credentials_are_refused(world):
    credential, key = issue("RU-TVE-RC")
    _other, other_key = issue("RU-PNZ-RC", requestor_id="penza-erm")
    cases = [
        ({"customer_id": ""}, 1030, 400, "customer_id missing"),
        ({"requestor_id": "", "api_key": ""}, 1030, 400, "requestor_id, api_key missing"),
        ({"requestor_id": "stranger"}, 2000, 401, "stranger has no valid credential"),
        ({"api_key": "guessed"}, 2020, 401, "not this requestor's"),
        ({"api_key": other_key}, 2020, 401, "not this requestor's"),  # another requestor's key
        ({"customer_id": "0000000000000000"}, 2011, 403, ""),
    ]
    for change, code, status, data in cases:
        ask = {"customer_id": "RU-TVE-RC", "requestor_id": "erm.example.org", "api_key": key}
        with pytest.raises(CounterException) as raised:
            sushi_authenticate(**{**ask, **change})
        assert (raised.value.code, raised.value.http_status) == (code, status)
        assert data in raised.value.data
    credential.refresh_from_db()
    assert credential.last_used_at is None  # a refused request is no use


def test_a_revoked_credential_is_refused_and_use_is_noted(world, network_user):
    credential, key = issue("RU-TVE-RC")
    ask = {"customer_id": "RU-TVE-RC", "requestor_id": "erm.example.org", "api_key": key}
    sushi_authenticate(**ask)
    credential.refresh_from_db()
    assert credential.last_used_at is not None
    sushi_credential_revoke(actor=network_user, credential=credential)
    sushi_credential_revoke(actor=network_user, credential=credential)  # once is enough
    assert AuditEntry.objects.filter(action="sushi_credential.revoke").count() == 1
    with pytest.raises(CounterException) as raised:
        sushi_authenticate(**ask)
    assert raised.value.code == 2000


def test_only_holders_of_the_sushi_capability_issue_and_revoke(world, head_tver, network_user):
    from libranet.network.services import ScopeError

    with pytest.raises(ScopeError, match="SUSHI credentials"):
        issue("RU-TVE-RC", actor=head_tver)
    credential, _key = issue("RU-TVE-RC", actor=network_user)
    with pytest.raises(ScopeError, match="SUSHI credentials"):
        sushi_credential_revoke(actor=head_tver, credential=credential)
    credential.refresh_from_db()
    assert credential.revoked_at is None and SushiCredential.objects.count() == 1
