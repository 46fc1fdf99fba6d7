"""ESIA's differences from plain OAuth 2.0 / OpenID Connect: the timestamp, the signed strings,
the client_secret encodings, and the id_token's header and claims."""

import base64
import datetime
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from libranet.accounts.esia.client import (
    EsiaClient,
    EsiaConfig,
    b64url,
    esia_timestamp,
    secret_message,
)
from libranet.accounts.esia.signing import (
    OpenSSLSigner,
    RSASigner,
    Verifier,
    gost_available,
    key_algorithm,
)
from libranet.accounts.esia.tokens import TokenError, encode, verify_id_token
from libranet.esia_dev.keys import ensure_dev_keys

from .esia_helpers import query_of

ISSUER = "http://esia-portal1.test.gosuslugi.ru/"


def test_timestamp_is_esias_format_in_moscow_time():
    moment = datetime.datetime(2026, 11, 24, 7, 0, 0, tzinfo=datetime.UTC)
    assert esia_timestamp(moment) == "2026.11.24 10:00:00 +0300"


def test_v2_signs_client_id_scope_timestamp_state_redirect_uri_then_code():
    parts = {
        "client_id": "LIB",
        "scope": "openid fullname",
        "timestamp": "2026.11.24 10:00:00 +0300",
        "state": "S",
        "redirect_uri": "https://lib.example/cb",
    }
    assert secret_message(version="v2", **parts) == (
        "LIBopenid fullname2026.11.24 10:00:00 +0300Shttps://lib.example/cb"
    )
    assert secret_message(version="v2", code="C", **parts).endswith("https://lib.example/cbC")


def test_legacy_signs_scope_timestamp_client_id_state_and_never_the_code():
    parts = {
        "client_id": "LIB",
        "scope": "openid fullname",
        "timestamp": "2026.11.24 10:00:00 +0300",
        "state": "S",
        "redirect_uri": "https://lib.example/cb",
    }
    expected = "openid fullname2026.11.24 10:00:00 +0300LIBS"
    assert secret_message(version="legacy", **parts) == expected
    assert secret_message(version="legacy", code="C", **parts) == expected


def test_base64url_without_padding():
    assert b64url(b"\xfb\xff\xfe") == "-__-"
    assert b64url(b"a") == "YQ"


def config(keys, version="v2") -> EsiaConfig:
    return EsiaConfig(
        base_url="http://esia.example",
        client_id="LIBRANET-DEMO",
        scope="openid fullname email",
        version=version,
        issuer=ISSUER,
        provider_cert=str(keys.provider_cert),
    )


def decoded(secret: str) -> bytes:
    return base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))


@pytest.mark.parametrize("version", ["v2", "legacy"])
def test_authorization_url_is_signed_over_the_right_string(esia_keys, version):
    signer = RSASigner(key_path=esia_keys.client_key, cert_path=esia_keys.client_cert)
    client = EsiaClient(config=config(esia_keys, version), signer=signer)
    url = client.authorization_url(
        state="5f1b6f2c-0000-4000-8000-000000000000", redirect_uri="https://lib.example/cb"
    )
    params = query_of(url)
    assert url.startswith(
        "http://esia.example/aas/oauth2/v2/ac?"
        if version == "v2"
        else "http://esia.example/aas/oauth2/ac?"
    )
    message = secret_message(
        version=version,
        client_id=params["client_id"],
        scope=params["scope"],
        timestamp=params["timestamp"],
        state=params["state"],
        redirect_uri=params["redirect_uri"],
    ).encode()
    verifier = Verifier.from_file(esia_keys.client_cert)
    if version == "v2":
        assert verifier.verify_raw(message, decoded(params["client_secret"]))
    else:
        assert verifier.verify_cms_detached(message, decoded(params["client_secret"]))
    assert params["client_certificate_hash"] == signer.certificate_hash()


# --- id_token ---------------------------------------------------------------------------------


def claims(**changes):
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "sub": 1000000001,  # a number, as ESIA sends it
        "aud": "LIBRANET-DEMO",
        "nbf": now,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
        "urn:esia:amd": "PWD",
        "urn:esia:sbj": {
            "urn:esia:sbj:typ": "P",
            "urn:esia:sbj:is_tru": True,
            "urn:esia:sbj:oid": 1000000001,
            "urn:esia:sbj:nam": "OID.1000000001",
        },
    }
    return {**base, **changes}


def signer_for(key, cert):
    gost = key_algorithm(cert.read_bytes()) == "GOST3410_2012_256"
    return (OpenSSLSigner if gost else RSASigner)(key_path=key, cert_path=cert)


def provider_signer(keys):
    return signer_for(keys.provider_key, keys.provider_cert)


@pytest.fixture(params=["rsa", "gost"])
def token_keys(request, esia_keys, tmp_path_factory):
    if request.param == "rsa":
        return esia_keys
    if not gost_available():
        pytest.skip("the openssl GOST engine is not installed (libengine-gost-openssl)")
    keys, _ = ensure_dev_keys(tmp_path_factory.mktemp("gost-tokens"), gost=True)
    return keys


def header_of(token: str) -> dict:
    segment = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def check(token: str, keys, **options):
    return verify_id_token(
        token,
        verifier=Verifier.from_file(keys.provider_cert),
        issuer=options.get("issuer", ISSUER),
        audience=options.get("audience", "LIBRANET-DEMO"),
    )


def test_esia_header_and_claims_are_accepted(token_keys):
    token = encode(claims(), signer=provider_signer(token_keys))
    header = header_of(token)
    assert header["ver"] == 1 and header["sbt"] == "id" and header["typ"] == "JWT"
    assert header["alg"] in ("RS256", "GOST3410_2012_256")
    assert check(token, token_keys)["urn:esia:sbj"]["urn:esia:sbj:is_tru"] is True


@pytest.mark.parametrize(
    ("changes", "options"),
    [
        ({"iss": "http://esia.example/"}, {}),
        ({}, {"issuer": "http://esia.gosuslugi.ru/"}),
        ({"aud": "OTHER"}, {}),
        ({"exp": -600}, {}),
        ({"nbf": +600}, {}),
    ],
)
def test_wrong_claims_are_refused(token_keys, changes, options):
    # Times are offsets from when the test runs, not from when it was collected: a slow suite
    # reaches a "future" nbf computed at collection.
    changes = {k: int(time.time()) + v if k in ("exp", "nbf") else v for k, v in changes.items()}
    token = encode(claims(**changes), signer=provider_signer(token_keys))
    with pytest.raises(TokenError):
        check(token, token_keys, **options)


def test_a_token_signed_by_another_key_is_refused(token_keys):
    other = signer_for(token_keys.client_key, token_keys.client_cert)
    token = encode(claims(), signer=other)
    with pytest.raises(TokenError):
        check(token, token_keys)


def test_a_changed_payload_is_refused(token_keys):
    header, _payload, signature = encode(claims(), signer=provider_signer(token_keys)).split(".")
    forged = b64url(json.dumps(claims(sub=1, **{"urn:esia:sbj": {}})).encode())
    with pytest.raises(TokenError):
        check(f"{header}.{forged}.{signature}", token_keys)


def test_hmac_with_the_certificate_as_secret_is_refused(esia_keys):
    """The classic algorithm confusion: HS256 keyed with the public certificate."""
    secret = OctKey.import_key(b"not-the-certificate-but-any-secret-bytes")
    token = jwt.encode({"alg": "HS256"}, claims(), secret)
    with pytest.raises(TokenError):
        check(token, esia_keys)


def test_unsigned_token_is_refused(esia_keys):
    header = b64url(json.dumps({"alg": "none"}).encode())
    payload = b64url(json.dumps(claims()).encode())
    token = f"{header}.{payload}."
    with pytest.raises(TokenError):
        check(token, esia_keys)
