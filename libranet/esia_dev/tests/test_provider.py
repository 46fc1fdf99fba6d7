"""The local provider over HTTP, spoken to directly as a client system would: what it refuses,
and the shapes of what it answers."""

import base64
import datetime
import json
import re
import uuid
from html import unescape
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from libranet.accounts.esia.client import client_secret, esia_timestamp, secret_message
from libranet.accounts.esia.signing import RSASigner, certificate_hash, gost_available
from libranet.esia_dev.keys import DEMO_CLIENT_ID, write_rsa_pair

SCOPE = "openid fullname email"
REDIRECT = "http://client.example/cb"


@pytest.fixture
def provider(esia_servers):
    running = esia_servers("rsa")
    running.reset()
    yield running
    running.reset()


def signer_of(keys):
    return RSASigner(key_path=keys.client_key, cert_path=keys.client_cert)


def ac_params(keys, *, signer=None, version="v2", **changes):
    signer = signer or signer_of(keys)
    params = {
        "client_id": DEMO_CLIENT_ID,
        "response_type": "code",
        "scope": SCOPE,
        "state": str(uuid.uuid4()),
        "timestamp": esia_timestamp(),
        "access_type": "online",
        "redirect_uri": REDIRECT,
        "client_certificate_hash": certificate_hash(
            keys.client_cert.read_bytes(), algorithm="sha256"
        ),
    }
    params.update(changes)
    message = secret_message(
        version=version,
        client_id=params["client_id"],
        scope=params["scope"],
        timestamp=params["timestamp"],
        state=params["state"],
        redirect_uri=params["redirect_uri"],
    )
    params.setdefault(
        "client_secret", client_secret(signer=signer, version=version, message=message)
    )
    return params


def authorize(provider, params, path="/aas/oauth2/v2/ac"):
    return requests.get(provider.url + path + "?" + urlencode(params), timeout=10)


def code_for(provider, oid="1000000001", **changes):
    params = ac_params(provider.keys, **changes)
    page = authorize(provider, params)
    link = re.search(r'href="([^"]+)" data-oid="' + oid + '"', page.text).group(1)
    back = requests.get(provider.url + unescape(link), allow_redirects=False, timeout=10)
    location = back.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    query = dict(pair.split("=", 1) for pair in urlsplit(location).query.split("&"))
    assert query["state"] == params["state"]
    return query["code"]


def te_params(keys, code, *, version="v2", **changes):
    params = {
        "client_id": DEMO_CLIENT_ID,
        "code": code,
        "grant_type": "authorization_code",
        "state": str(uuid.uuid4()),
        "redirect_uri": REDIRECT,
        "scope": SCOPE,
        "timestamp": esia_timestamp(),
        "token_type": "Bearer",
        "client_certificate_hash": certificate_hash(
            keys.client_cert.read_bytes(), algorithm="sha256"
        ),
    }
    params.update(changes)
    message = secret_message(
        version=version,
        client_id=params["client_id"],
        scope=params["scope"],
        timestamp=params["timestamp"],
        state=params["state"],
        redirect_uri=params["redirect_uri"],
        code=params["code"],
    )
    params.setdefault(
        "client_secret", client_secret(signer=signer_of(keys), version=version, message=message)
    )
    return params


def exchange(provider, params, path="/aas/oauth2/v3/te"):
    return requests.post(provider.url + path, data=params, timeout=10)


def part(token: str, index: int) -> dict:
    segment = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


# --- the authorization endpoint ----------------------------------------------------------------


def test_a_valid_request_shows_the_test_people(provider):
    page = authorize(provider, ac_params(provider.keys))
    assert page.status_code == 200
    for name in ("Смирнова Анна", "Кузнецов Борис", "Попова Вера", "Соколов Глеб"):
        assert name in page.text


def test_an_unknown_certificate_hash_is_refused(provider):
    page = authorize(provider, ac_params(provider.keys, client_certificate_hash="AB" * 32))
    assert page.status_code == 401 and "ESIA-007055" in page.text


def test_a_client_configured_for_the_other_hash_is_told_so(provider):
    """The provider names certificates by SHA-256 here (LIBRANET_ESIA_CERT_HASH=sha256); a
    client configured for GOST is refused with the setting to align, not a bare code."""
    if not gost_available():
        pytest.skip("the openssl GOST engine is not installed (libengine-gost-openssl)")
    gost = certificate_hash(provider.keys.client_cert.read_bytes(), algorithm="gost")
    page = authorize(provider, ac_params(provider.keys, client_certificate_hash=gost))
    assert page.status_code == 401 and "ESIA-007055" in page.text
    assert "GOST R 34.11-2012 hash" in page.text and "LIBRANET_ESIA_CERT_HASH" in page.text


def test_a_secret_signed_by_another_key_is_refused(provider, tmp_path):
    write_rsa_pair(tmp_path / "k", tmp_path / "c", common_name="intruder")
    intruder = RSASigner(key_path=tmp_path / "k", cert_path=tmp_path / "c")
    page = authorize(provider, ac_params(provider.keys, signer=intruder))
    assert page.status_code == 401 and "ESIA-007053" in page.text


def test_a_secret_over_another_string_is_refused(provider):
    # Signed as legacy, sent to v2: the strings differ, so the signature does not hold.
    page = authorize(provider, ac_params(provider.keys, version="legacy"))
    assert page.status_code == 401 and "ESIA-007053" in page.text


@pytest.mark.parametrize("minutes", [-10, 10])
def test_a_timestamp_off_by_minutes_is_refused(provider, minutes):
    moment = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=minutes)
    page = authorize(provider, ac_params(provider.keys, timestamp=esia_timestamp(moment)))
    assert page.status_code == 400 and "ESIA-007013" in page.text


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"state": "not-a-uuid"}, "ESIA-007011"),
        ({"scope": "fullname"}, "ESIA-007002"),
        ({"response_type": "token"}, "ESIA-007003"),
        ({"timestamp": "24.11.2026 10:00"}, "ESIA-007012"),
    ],
)
def test_malformed_requests_are_refused(provider, changes, code):
    page = authorize(provider, ac_params(provider.keys, **changes))
    assert page.status_code == 400 and code in page.text


def test_refusing_goes_back_with_access_denied(provider):
    params = ac_params(provider.keys)
    page = authorize(provider, params)
    cancel = re.search(r'href="([^"]*cancel=1[^"]*)"', page.text).group(1)
    back = requests.get(provider.url + unescape(cancel), allow_redirects=False, timeout=10)
    assert "error=access_denied" in back.headers["Location"]
    assert f"state={params['state']}" in back.headers["Location"]


# --- the token endpoint ------------------------------------------------------------------------


def test_tokens_have_esias_shapes_and_the_state_is_echoed(provider):
    params = te_params(provider.keys, code_for(provider))
    answer = exchange(provider, params)
    assert answer.status_code == 200
    body = answer.json()
    assert body["state"] == params["state"]
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert part(body["id_token"], 0) == {"typ": "JWT", "alg": "RS256", "ver": 1, "sbt": "id"}
    assert part(body["access_token"], 0)["sbt"] == "access"
    claims = part(body["id_token"], 1)
    assert claims["iss"] == provider.url + "/" and claims["aud"] == DEMO_CLIENT_ID
    assert claims["sub"] == 1000000001 and claims["urn:esia:amd"] == "PWD"
    assert claims["urn:esia:sbj"] == {
        "urn:esia:sbj:typ": "P",
        "urn:esia:sbj:is_tru": True,
        "urn:esia:sbj:oid": 1000000001,
        "urn:esia:sbj:nam": "OID.1000000001",
    }
    assert {"exp", "iat", "nbf", "auth_time"} <= set(claims)


def test_a_simplified_account_is_not_marked_confirmed(provider):
    body = exchange(provider, te_params(provider.keys, code_for(provider, "1000000004"))).json()
    assert "urn:esia:sbj:is_tru" not in part(body["id_token"], 1)["urn:esia:sbj"]


def test_a_code_is_single_use(provider):
    code = code_for(provider)
    assert exchange(provider, te_params(provider.keys, code)).status_code == 200
    again = exchange(provider, te_params(provider.keys, code))
    assert again.status_code == 400
    assert again.json() == {
        "error": "invalid_grant",
        "error_description": "ESIA-007015: the code was used already",
    }


def test_a_code_is_bound_to_its_redirect_uri(provider):
    answer = exchange(
        provider, te_params(provider.keys, code_for(provider), redirect_uri="http://other/")
    )
    assert answer.json()["error_description"].startswith("ESIA-007018")


def test_an_unknown_code_is_refused(provider):
    answer = exchange(provider, te_params(provider.keys, "made-up"))
    assert answer.json()["error"] == "invalid_grant"


def test_the_token_secret_must_cover_the_code(provider):
    code = code_for(provider)
    params = te_params(provider.keys, code)
    params["code"] = code_for(provider)  # another code than the one signed
    answer = exchange(provider, params)
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


def test_legacy_endpoints_take_a_detached_cms(provider):
    params = ac_params(provider.keys, version="legacy")
    assert authorize(provider, params, "/aas/oauth2/ac").status_code == 200


# --- the person's resources ---------------------------------------------------------------------


def bearer(provider, oid="1000000001"):
    body = exchange(provider, te_params(provider.keys, code_for(provider, oid))).json()
    return {"Authorization": f"Bearer {body['access_token']}"}


def test_person_and_contacts(provider):
    headers = bearer(provider)
    person = requests.get(f"{provider.url}/rs/prns/1000000001", headers=headers, timeout=10).json()
    assert (person["firstName"], person["lastName"], person["trusted"]) == (
        "Анна",
        "Смирнова",
        True,
    )
    embedded = requests.get(
        f"{provider.url}/rs/prns/1000000001/ctts?embed=(elements)", headers=headers, timeout=10
    ).json()
    assert embedded["size"] == 1  # the phone needs the "mobile" scope
    assert embedded["elements"][0] | {"eTag": ""} == {
        "stateFacts": ["Identifiable"],
        "id": 11,
        "type": "EML",
        "vrfStu": "VERIFIED",
        "value": "anna.smirnova@example.org",
        "eTag": "",
    }
    linked = requests.get(
        f"{provider.url}/rs/prns/1000000001/ctts", headers=headers, timeout=10
    ).json()
    assert linked["elements"] == [f"{provider.url}/rs/prns/1000000001/ctts/11"]
    one = requests.get(linked["elements"][0], headers=headers, timeout=10).json()
    assert one["value"] == "anna.smirnova@example.org"


def test_resources_need_the_persons_own_token(provider):
    url = f"{provider.url}/rs/prns/1000000001"
    assert requests.get(url, timeout=10).status_code == 401
    assert (
        requests.get(url, headers={"Authorization": "Bearer nonsense"}, timeout=10).status_code
        == 401
    )
    assert requests.get(url, headers=bearer(provider, "1000000002"), timeout=10).status_code == 403


def test_an_unknown_address_is_a_json_404(provider):
    answer = requests.get(provider.url + "/nothing/here", timeout=10)
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"
