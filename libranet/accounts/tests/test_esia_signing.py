"""The signers and the verifier: RSA everywhere, GOST where the openssl engine is installed,
CryptoPro's argument lists (CryptoPro itself cannot run here)."""

import hashlib
from pathlib import Path

import pytest

from libranet.accounts.esia import signing
from libranet.accounts.esia.signing import (
    CryptoProSigner,
    OpenSSLSigner,
    RSASigner,
    SigningError,
    Verifier,
    certificate_der,
    certificate_hash,
    configured_signer,
    gost_available,
    run_openssl,
)
from libranet.esia_dev.keys import ensure_dev_keys

needs_gost = pytest.mark.skipif(
    not gost_available(), reason="the openssl GOST engine is not installed (libengine-gost-openssl)"
)
DATA = b"client_idopenid fullname email2026.11.24 10:00:00 +0300state"


@pytest.fixture(scope="module")
def gost_keys(tmp_path_factory):
    if not gost_available():
        pytest.skip("the openssl GOST engine is not installed (libengine-gost-openssl)")
    keys, _ = ensure_dev_keys(tmp_path_factory.mktemp("gost"), gost=True)
    return keys


def rsa_signer(keys):
    return RSASigner(key_path=keys.client_key, cert_path=keys.client_cert)


def test_rsa_raw_signature_verifies_and_a_changed_message_does_not(esia_keys):
    signer = rsa_signer(esia_keys)
    signature = signer.sign_raw(DATA)
    verifier = Verifier.from_file(esia_keys.client_cert)
    assert signer.algorithm == verifier.algorithm == "RS256"
    assert verifier.verify_raw(DATA, signature)
    assert not verifier.verify_raw(DATA + b"x", signature)
    assert not Verifier.from_file(esia_keys.provider_cert).verify_raw(DATA, signature)


def test_rsa_detached_cms_verifies_only_against_its_certificate(esia_keys):
    cms = rsa_signer(esia_keys).sign_cms_detached(DATA)
    assert DATA not in cms  # detached: the content is not inside
    assert Verifier.from_file(esia_keys.client_cert).verify_cms_detached(DATA, cms)
    assert not Verifier.from_file(esia_keys.client_cert).verify_cms_detached(DATA + b"x", cms)
    assert not Verifier.from_file(esia_keys.provider_cert).verify_cms_detached(DATA, cms)


def test_openssl_signer_signs_rsa_keys_too(esia_keys):
    signer = OpenSSLSigner(key_path=esia_keys.client_key, cert_path=esia_keys.client_cert)
    verifier = Verifier.from_file(esia_keys.client_cert)
    assert verifier.verify_raw(DATA, signer.sign_raw(DATA))
    assert verifier.verify_cms_detached(DATA, signer.sign_cms_detached(DATA))


def test_certificate_hash_is_the_configured_one(esia_keys, settings):
    """Upper-case hex of the DER certificate, by the hash LIBRANET_ESIA_CERT_HASH names, and
    never by what the machine happens to have: SHA-256 stays SHA-256 with the engine there."""
    pem = esia_keys.client_cert.read_bytes()
    der = certificate_der(pem)
    sha256 = hashlib.sha256(der).hexdigest().upper()
    assert certificate_hash(pem, algorithm="sha256") == sha256
    settings.LIBRANET_ESIA_CERT_HASH = "sha256"
    assert rsa_signer(esia_keys).certificate_hash() == sha256
    with pytest.raises(SigningError, match="gost or sha256"):
        certificate_hash(pem, algorithm="md5")


@needs_gost
def test_gost_certificate_hash(esia_keys, settings):
    pem = esia_keys.client_cert.read_bytes()
    gost = run_openssl(["dgst", "-md_gost12_256", "-binary"], data=certificate_der(pem), gost=True)
    assert certificate_hash(pem, algorithm="gost") == gost.hex().upper()
    settings.LIBRANET_ESIA_CERT_HASH = "gost"
    assert rsa_signer(esia_keys).certificate_hash() == gost.hex().upper()


@needs_gost
def test_gost_hash_is_streebog_256():
    # GOST R 34.11-2012 (256) of the empty message, from the standard's test vectors.
    assert signing.gost_hash(b"").hex() == (
        "3f539a213e97c802cc229d474c6aa32a825a360b2a933a949fd925208d9ce1bb"
    )


@needs_gost
def test_gost_raw_signature_is_64_bytes_s_then_r_big_endian(gost_keys):
    signer = OpenSSLSigner(key_path=gost_keys.client_key, cert_path=gost_keys.client_cert)
    assert signer.algorithm == "GOST3410_2012_256"
    signature = signer.sign_raw(DATA)
    assert len(signature) == 64
    verifier = Verifier.from_file(gost_keys.client_cert)
    assert verifier.algorithm == "GOST3410_2012_256"
    assert verifier.verify_raw(DATA, signature)
    # CryptoPro's byte order (reversed) is not what ESIA reads, nor what we check.
    assert not verifier.verify_raw(DATA, signature[::-1])
    assert not verifier.verify_raw(DATA + b"x", signature)


@needs_gost
def test_gost_detached_cms(gost_keys):
    signer = OpenSSLSigner(key_path=gost_keys.client_key, cert_path=gost_keys.client_cert)
    cms = signer.sign_cms_detached(DATA)
    assert Verifier.from_file(gost_keys.client_cert).verify_cms_detached(DATA, cms)
    assert not Verifier.from_file(gost_keys.provider_cert).verify_cms_detached(DATA, cms)


@needs_gost
def test_openssl_config_names_the_engine_and_is_passed_by_environment(gost_keys, monkeypatch):
    text = signing.openssl_config().read_text()
    assert "engine_id = gost" in text and "gost.so" in text
    calls = []
    real_run = signing.subprocess.run

    def spy(args, **kwargs):
        calls.append((args, kwargs))
        return real_run(args, **kwargs)

    monkeypatch.setattr(signing.subprocess, "run", spy)
    OpenSSLSigner(key_path=gost_keys.client_key, cert_path=gost_keys.client_cert).sign_raw(DATA)
    args, kwargs = calls[-1]
    assert isinstance(args, list) and "shell" not in kwargs
    assert args[1:4] == ["dgst", "-md_gost12_256", "-sign"]
    assert kwargs["env"]["OPENSSL_CONF"] == str(signing.openssl_config())


class FakeCryptoPro:
    """Stands in for CryptoPro's tools: records the argument lists and writes what the real
    ones would (csptest: the signature little-endian; cryptcp: data.sgn; cpverify: a hash)."""

    def __init__(self, signature: bytes):
        self.signature = signature
        self.calls: list[tuple[str, list[str]]] = []

    def __call__(self, tool: str, args: list[str]) -> bytes:
        self.calls.append((tool, args))
        if tool == "csptest":
            Path(args[args.index("-out") + 1]).write_bytes(self.signature[::-1])
        elif tool == "cryptcp":
            Path(args[-1] + ".sgn").write_bytes(b"cms")
        elif tool == "cpverify":
            return b"AB" * 32 + b"\n"
        return b""


def test_cryptopro_argument_lists_and_byte_order(esia_keys, monkeypatch):
    signer = CryptoProSigner(
        cert_path=esia_keys.client_cert,
        container="\\\\.\\HDIMAGE\\libranet",
        thumbprint="0123abcd",
        password="secret",
    )
    fake = FakeCryptoPro(signature=bytes(range(64)))
    monkeypatch.setattr(signer, "_run", fake)

    assert signer.sign_raw(DATA) == bytes(range(64))  # reversed back to s || r
    assert signer.sign_cms_detached(DATA) == b"cms"
    assert signer.certificate_hash() == "AB" * 32
    (tool1, raw), (tool2, cms), (tool3, digest) = fake.calls
    assert tool1 == "csptest" and raw[:8] == [
        "-keyset",
        "-sign",
        "GOST12_256",
        "-container",
        "\\\\.\\HDIMAGE\\libranet",
        "-keytype",
        "exchange",
        "-in",
    ]
    assert raw[-2:] == ["-password", "secret"]
    assert tool2 == "cryptcp" and cms[:5] == ["-signf", "-dir", cms[2], "-der", "-nochain"]
    assert cms[5:8] == ["-cert", "-thumbprint", "0123abcd"] and "-pin" in cms
    assert tool3 == "cpverify" and digest[:3] == ["-mk", "-alg", "GR3411_2012_256"]


def test_cryptopro_missing_tools_is_a_signing_error(esia_keys, tmp_path):
    signer = CryptoProSigner(cert_path=esia_keys.client_cert, container="c", tools_dir=tmp_path)
    with pytest.raises(SigningError, match="csptest could not run"):
        signer.sign_raw(DATA)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("rsa", RSASigner), ("openssl", OpenSSLSigner), ("cryptopro", CryptoProSigner)],
)
def test_the_setting_chooses_the_signer(settings, esia_keys, kind, expected):
    settings.LIBRANET_ESIA_SIGNER = kind
    settings.LIBRANET_ESIA_KEY = str(esia_keys.client_key)
    settings.LIBRANET_ESIA_CERT = str(esia_keys.client_cert)
    assert isinstance(configured_signer(), expected)


def test_an_unknown_signer_is_refused(settings, esia_keys):
    settings.LIBRANET_ESIA_SIGNER = "magic"
    settings.LIBRANET_ESIA_KEY = str(esia_keys.client_key)
    settings.LIBRANET_ESIA_CERT = str(esia_keys.client_cert)
    with pytest.raises(SigningError, match="openssl, cryptopro or rsa"):
        configured_signer()
