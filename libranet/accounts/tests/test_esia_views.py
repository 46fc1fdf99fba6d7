"""The ESIA sign-in end to end: our views through Django's test client, the provider over real
HTTP (its authorization page, token endpoint and person resources), and each way it can fail.

A failure must show a clear page, be logged, and leave no account behind.
"""

import logging
import socket
import time

import pytest

from libranet.accounts.models import EsiaIdentity, User
from libranet.accounts.selectors import is_confirmed_reader
from libranet.audit.models import AuditEntry
from libranet.esia_dev.testing import configure_site_for

from .esia_helpers import (
    CONFIRMED,
    NO_EMAIL,
    SIMPLIFIED,
    UNVERIFIED_EMAIL,
    pick,
    query_of,
    sign_in,
    start,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_browser(client):
    """/accounts/esia/… has no language prefix: its pages follow the browser's language."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def signed_in_user(client):
    return User.objects.get(pk=client.session["_auth_user_id"])


def assert_refused(response, status: int, reason: str, caplog, text: str):
    assert response.status_code == status
    assert f'data-reason="{reason}"' in response.content.decode()
    assert text in response.content.decode()
    assert any("ESIA sign-in refused (" + reason in r.getMessage() for r in caplog.records)
    assert "_auth_user_id" not in response.wsgi_request.session
    assert not User.objects.exists()
    assert not EsiaIdentity.objects.exists()


# --- it works ---------------------------------------------------------------------------------


def test_confirmed_person_signs_up_and_is_sent_to_the_consent(client, esia_provider):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"  # a Russian browser: the Russian consent
    response = sign_in(client, CONFIRMED, next_url="/ru/centers/")

    assert response.status_code == 302
    assert response["Location"] == "/ru/accounts/me/consent/?next=%2Fru%2Fcenters%2F"
    user = signed_in_user(client)
    identity = user.esia_identity
    assert (identity.oid, identity.confirmed, identity.consent_accepted_at) == (
        CONFIRMED,
        True,
        None,
    )
    assert (user.first_name, user.last_name, user.email) == (
        "Анна",
        "Смирнова",
        "anna.smirnova@example.org",
    )
    assert not user.has_usable_password()
    assert not is_confirmed_reader(user)  # not before the consent
    assert AuditEntry.objects.filter(action="reader.create", object_id=str(user.pk)).exists()


def test_second_sign_in_finds_the_same_reader(client, esia_provider):
    sign_in(client, CONFIRMED)
    first = signed_in_user(client)
    client.logout()
    sign_in(client, CONFIRMED)
    assert signed_in_user(client) == first
    assert User.objects.count() == 1


def test_simplified_account_is_not_a_confirmed_reader(client, esia_provider):
    sign_in(client, SIMPLIFIED)
    user = signed_in_user(client)
    assert user.esia_identity.confirmed is False
    client.post("/ru/accounts/me/consent/", {"accept": "on"})
    user.refresh_from_db()
    user.esia_identity.refresh_from_db()
    assert user.esia_identity.consent_accepted_at is not None
    assert not is_confirmed_reader(user)


def test_person_without_e_mail_signs_in_without_one(client, esia_provider):
    sign_in(client, NO_EMAIL)
    user = signed_in_user(client)
    assert (user.last_name, user.email) == ("Кузнецов", "")


def test_unverified_e_mail_is_not_copied(client, esia_provider):
    sign_in(client, UNVERIFIED_EMAIL)
    user = signed_in_user(client)
    assert (user.last_name, user.email) == ("Попова", "")


def test_legacy_endpoints_with_a_detached_cms_signature(client, esia_provider, settings):
    settings.LIBRANET_ESIA_API_VERSION = "legacy"
    authorization = start(client)
    assert "/aas/oauth2/ac?" in authorization
    response = client.get(pick(authorization, CONFIRMED))
    assert response.status_code == 302
    assert signed_in_user(client).esia_identity.oid == CONFIRMED


def test_gost_keys_on_both_sides(client, esia_servers, settings):
    """The client signs with GOST through openssl; the provider signs its tokens with GOST
    (GOST3410_2012_256) and the client checks them through the same engine."""
    running = esia_servers("gost")  # skipped where the engine is missing
    running.reset()
    configure_site_for(settings, running)
    response = sign_in(client, CONFIRMED)
    assert response.status_code == 302
    assert signed_in_user(client).esia_identity.confirmed is True


def test_a_foreign_next_address_is_dropped(client, esia_provider):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    response = sign_in(client, CONFIRMED, next_url="https://evil.example/steal")
    assert response["Location"] == "/ru/accounts/me/consent/"


def test_the_authorization_request_carries_what_esia_asks(client, esia_provider):
    params = query_of(start(client))
    assert set(params) == {
        "client_id",
        "response_type",
        "scope",
        "state",
        "timestamp",
        "access_type",
        "redirect_uri",
        "client_certificate_hash",
        "client_secret",
    }
    assert params["response_type"] == "code" and params["access_type"] == "online"
    assert params["scope"] == "openid fullname email"
    assert params["redirect_uri"] == "http://testserver/accounts/esia/callback/"
    assert client.session["libranet_esia_signin"]["state"] == params["state"]


# --- refused ----------------------------------------------------------------------------------


def test_state_that_does_not_match_is_refused(client, esia_provider, caplog):
    callback = pick(start(client), CONFIRMED)
    forged = callback.replace("state=", "state=0")
    assert_refused(client.get(forged), 400, "state_mismatch", caplog, "start again")


def test_an_answer_without_a_started_sign_in_is_refused(client, esia_provider, caplog):
    other = pick(start(client), CONFIRMED)
    client.cookies.clear()  # another browser: no session with a state
    assert_refused(client.get(other), 400, "state_mismatch", caplog, "start again")


def test_the_person_refusing_on_esia_is_a_clear_page(client, esia_provider, caplog):
    authorization = start(client)
    state = query_of(authorization)["state"]
    response = client.get(
        "/accounts/esia/callback/",
        {"error": "access_denied", "error_description": "ESIA-007007", "state": state},
    )
    assert_refused(response, 403, "denied", caplog, "cancelled")


def test_replayed_code_is_refused(client, esia_provider, caplog):
    callback = pick(start(client), CONFIRMED)
    client.get(callback)
    User.objects.all().delete()  # start clean: the second attempt must create nothing
    client.logout()
    replay = callback.split("&state=")[0] + "&state=" + query_of(start(client))["state"]
    assert_refused(client.get(replay), 400, "code_refused", caplog, "used already")


def test_expired_code_is_refused(client, esia_provider, caplog):
    esia_provider.provider.code_ttl = -1  # every code is already past its minute
    callback = pick(start(client), CONFIRMED)
    assert_refused(client.get(callback), 400, "code_refused", caplog, "expired")


def test_code_used_with_another_redirect_uri_is_refused(client, esia_provider, caplog):
    callback = pick(start(client), CONFIRMED)
    session = client.session
    pending = session["libranet_esia_signin"]
    pending["redirect_uri"] = "http://testserver/elsewhere/"
    session["libranet_esia_signin"] = pending
    session.save()
    assert_refused(client.get(callback), 400, "code_refused", caplog, "start again")


def test_id_token_with_a_wrong_signature_is_refused(client, esia_provider, settings, caplog):
    # We trust another certificate than the one whose key signed the token.
    settings.LIBRANET_ESIA_PROVIDER_CERT = str(esia_provider.keys.client_cert)
    callback = pick(start(client), CONFIRMED)
    assert_refused(client.get(callback), 502, "token_invalid", caplog, "security check")


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"iss": "http://esia.example/"}, "iss"),
        ({"aud": "SOMEONE-ELSE"}, "aud"),
        ({"exp": int(time.time()) - 3600}, "exp"),
        ({"nbf": int(time.time()) + 3600}, "not yet valid"),
    ],
)
def test_id_token_with_wrong_claims_is_refused(client, esia_provider, caplog, claims, why):
    esia_provider.provider.claim_overrides = claims
    callback = pick(start(client), CONFIRMED)
    assert_refused(client.get(callback), 502, "token_invalid", caplog, "security check")
    assert any(why in r.getMessage() for r in caplog.records)


def test_provider_down_is_refused(client, esia_provider, settings, caplog):
    callback = pick(start(client), CONFIRMED)
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    settings.LIBRANET_ESIA_BASE_URL = f"http://127.0.0.1:{closed}"
    assert_refused(client.get(callback), 502, "unavailable", caplog, "did not answer")


def test_provider_answering_html_is_refused(client, esia_provider, caplog):
    esia_provider.provider.fault = "html"
    callback = pick(start(client), CONFIRMED)
    assert_refused(client.get(callback), 502, "bad_answer", caplog, "could not be read")


def test_not_configured_says_so(client, settings, caplog):
    settings.LIBRANET_ESIA_BASE_URL = ""
    with caplog.at_level(logging.ERROR):
        response = client.get("/accounts/esia/login/")
    assert response.status_code == 503
    assert "not configured" in response.content.decode()


def test_a_failure_while_saving_leaves_no_account(client, esia_provider, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr("libranet.accounts.services.audit_record", broken)
    callback = pick(start(client), CONFIRMED)
    with pytest.raises(RuntimeError):
        client.get(callback)
    assert not User.objects.exists()
    assert not EsiaIdentity.objects.exists()


def test_blocked_reader_is_refused(client, esia_provider):
    sign_in(client, CONFIRMED)
    User.objects.update(is_active=False)
    client.logout()
    response = sign_in(client, CONFIRMED)
    assert response.status_code == 403
    assert "blocked" in response.content.decode()
    assert "_auth_user_id" not in client.session
