"""GET /api/v1/me: the caller by token or session, with roles, scope and identity."""

import pytest
from django.utils import timezone

from libranet.accounts.models import EsiaIdentity
from libranet.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def test_anonymous_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["message"]


def test_staff_by_token_with_role_and_scope(client, head_tver):
    _token, secret = api_token_create(user=head_tver, name="script")
    body = client.get(
        "/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert body["username"] == "head.tver" and body["identity"] is None
    assert body["roles"] == [
        {
            "role": "regional_head",
            "label": "regional-center head",
            "center": None,
            "region": "RU-TVE",
        }
    ]
    assert body["readers_access"] is False


def test_operator_scope_is_a_center(client, operator_user, tver_rc):
    client.force_login(operator_user)
    body = client.get("/api/v1/me").json()
    assert [(r["role"], r["center"]) for r in body["roles"]] == [("center_operator", tver_rc.code)]


@pytest.mark.parametrize(("confirmed", "access"), [(True, True), (False, False)])
def test_reader_identity_and_readers_access(client, reader_user, confirmed, access):
    now = timezone.now()
    EsiaIdentity.objects.create(
        user=reader_user,
        oid="1000123",
        confirmed=confirmed,
        confirmed_checked_at=now,
        consent_accepted_at=now,
    )
    client.force_login(reader_user)
    body = client.get("/api/v1/me").json()
    assert body["roles"] == []
    assert body["identity"] == {
        "provider": "esia",
        "confirmed": confirmed,
        "consent_accepted": True,
    }
    assert body["readers_access"] is access
