"""manage.py create_api_token: a token issued through the service, its secret printed once."""

import io

import pytest
from django.core.management import CommandError, call_command

from libranet.accounts.models import ApiToken
from libranet.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_issues_a_token_and_prints_its_secret_once(network_user):
    out, err = run("network", "--name", "harvester")
    secret = out.strip()
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (network_user, "harvester")
    assert ApiToken.objects.get_by_secret(secret) == token
    assert secret not in err and token.prefix in err
    assert token.key_hash != secret  # only the hash is kept
    assert AuditEntry.objects.filter(action="api_token.create").count() == 1


def test_the_printed_secret_opens_the_api(network_user, tver_rc, client):
    secret = run("network")[0].strip()
    response = client.patch(
        "/api/v1/centers/RU-TVE-RC",
        '{"hours": "9–18"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200
    assert ApiToken.objects.get().name == "command line"


def test_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no user “nobody”"):
        run("nobody")
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(reader_user):
    reader_user.is_active = False
    reader_user.save()
    with pytest.raises(CommandError, match="inactive"):
        run("reader")
    assert not ApiToken.objects.exists()


def test_a_name_too_long_is_refused(reader_user):
    with pytest.raises(CommandError, match="100"):
        run("reader", "--name", "x" * 101)
    assert not ApiToken.objects.exists()
