"""API tokens in the back office: shown once, working as their owner, revocable."""

import re

import pytest

from libranet.accounts.models import ApiToken
from libranet.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def create(client, name="export script"):
    html = client.post("/en/office/tokens/", {"name": name}).content.decode()
    match = re.search(r'id="token-secret">(lbn_[\w-]+)<', html)
    return match.group(1) if match else None


def test_token_is_shown_once_and_acts_as_its_owner(client, head_tver, tver_rc, penza_rc):
    client.force_login(head_tver)
    secret = create(client)
    assert secret and ApiToken.objects.get(user=head_tver).key_hash == ApiToken.hash(secret)
    page = client.get("/en/office/tokens/")
    assert secret not in page.content.decode() and "export script" in page.content.decode()
    assert "no-store" in page.headers["Cache-Control"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    own = client.patch(
        f"/api/v1/centers/{tver_rc.code}",
        {"hours": "9–18"},
        content_type="application/json",
        **auth,
    )
    other = client.patch(
        f"/api/v1/centers/{penza_rc.code}",
        {"hours": "9–18"},
        content_type="application/json",
        **auth,
    )
    assert own.status_code == 200 and other.status_code == 403  # scoped like its owner
    assert ApiToken.objects.get(user=head_tver).last_used_at is not None


def test_revoked_token_is_refused(client, head_tver, tver_rc):
    client.force_login(head_tver)
    secret = create(client)
    token = ApiToken.objects.get(user=head_tver)
    response = client.post(f"/en/office/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="api_token.revoke").exists()
    client.logout()
    answer = client.patch(
        f"/api/v1/centers/{tver_rc.code}",
        {"hours": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert answer.status_code == 401


def test_others_tokens_are_out_of_reach(client, head_tver, network_user):
    client.force_login(network_user)
    create(client)
    token = ApiToken.objects.get(user=network_user)
    client.force_login(head_tver)
    assert client.post(f"/en/office/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_a_token_needs_a_name(client, head_tver):
    client.force_login(head_tver)
    response = client.post("/en/office/tokens/", {"name": ""})
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()
