"""SUSHI credentials in the back office: issued with the key shown once, listed with their
use, revoked; only for those who manage SUSHI (the network department, administrators)."""

import re

import pytest

from libranet.audit.models import AuditEntry
from libranet.network.models import StaffRole
from libranet.usage.credentials import key_hash
from libranet.usage.models import SushiCredential

pytestmark = pytest.mark.django_db
PAGE = "/en/office/sushi/"


def issue(client, **fields):
    data = {"name": "Tver ERM", "requestor_id": "erm@tver.example", "customer_id": "RU-TVE-RC"}
    return client.post(PAGE, {**data, **fields})


def test_issue_list_use_and_revoke(client, world, network_user):
    client.force_login(network_user)
    response = issue(client)
    html = response.content.decode()
    key = re.search(r'id="credential-key">([\w-]+)<', html).group(1)
    credential = SushiCredential.objects.get()
    assert credential.key_hash == key_hash(key) and credential.created_by == network_user
    assert 'id="sushi-endpoint">http://127.0.0.1:8000/sushi<' in html
    assert "no-store" in response.headers["Cache-Control"]

    ask = {"customer_id": "RU-TVE-RC", "requestor_id": "erm@tver.example", "api_key": key}
    assert client.get("/sushi/r51/members", ask).status_code == 200
    page = client.get(PAGE).content.decode()
    assert key not in page  # shown once
    row = re.search(r"<tr>\s*<td class=\"code\"[^>]*>erm@tver.example</td>(.*?)</tr>", page, re.S)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    assert "RU-TVE-RC" in cells[0] and cells[1] == "Tver ERM"
    assert cells[3] != "—" and cells[4] == "active"  # last used: just now

    revoked = client.post(f"/en/office/sushi/{credential.pk}/revoke/")
    assert revoked.status_code == 302
    assert AuditEntry.objects.filter(action="sushi_credential.revoke", actor=network_user).exists()
    assert client.get("/sushi/r51/members", ask).json()["Code"] == 2000
    assert "revoked" in client.get(PAGE).content.decode()


def test_a_credential_for_the_whole_library(client, world, admin_user):
    client.force_login(admin_user)
    issue(client, customer_id="presidentlib", requestor_id="consortium")
    assert SushiCredential.objects.get().center is None
    assert "the whole Library" in client.get(PAGE).content.decode()


def test_bad_input_is_a_form_error(client, world, network_user):
    client.force_login(network_user)
    html = issue(client, customer_id="RU-NOWHERE", requestor_id="two words").content.decode()
    assert "No center has the code “RU-NOWHERE”" in html and "no spaces" in html
    assert not SushiCredential.objects.exists()


@pytest.fixture
def operator(make_staff, world):
    return make_staff("operator.torzhok", StaffRole.Role.CENTER_OPERATOR, center=world.tver_a)


@pytest.mark.parametrize("role", ["head_tver", "operator", "international_user"])
def test_only_those_who_manage_sushi(client, world, network_user, role, request):
    client.force_login(network_user)
    issue(client)
    credential = SushiCredential.objects.get()
    assert "SUSHI credentials" in client.get("/en/office/").content.decode()
    client.force_login(request.getfixturevalue(role))
    assert "SUSHI credentials" not in client.get("/en/office/").content.decode()
    assert client.get(PAGE).status_code == 403
    assert issue(client, requestor_id="sneaky").status_code == 403
    assert client.post(f"/en/office/sushi/{credential.pk}/revoke/").status_code == 403
    assert SushiCredential.objects.get().revoked_at is None
    client.logout()
    assert client.get(PAGE).status_code == 302  # to the sign-in page
