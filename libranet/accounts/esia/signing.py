"""Signatures for ESIA behind one small interface, chosen by ``LIBRANET_ESIA_SIGNER``.

A :class:`Signer` makes what ESIA asks of a client system: the raw signature of the v2
``client_secret``, the detached CMS signature of the legacy one, and the hash of the client's
certificate. A :class:`Verifier` checks signatures made with one certificate's key: the
id_tokens that ESIA (or the local provider) signs, and, on the provider's side, client secrets.

Backends:

- ``openssl``: the ``openssl`` command with Debian's ``libengine-gost-openssl`` for GOST R
  34.10-2012 keys (RSA keys work too). Development and testing: the engine is not certified.
- ``cryptopro``: CryptoPro CSP's command-line tools (``csptest`` for the raw signature,
  ``cryptcp`` for CMS, ``cpverify`` for the hash); the certified path production requires.
  It cannot run here (CryptoPro is proprietary), so it is kept small and only its argument
  lists are tested.
- ``rsa``: an RSA key file through ``cryptography``, for development on a machine without the
  GOST engine (the local provider accepts it; the real ESIA wants GOST).

Byte order of a raw GOST signature. OpenSSL's GOST engine (like BouncyCastle) writes the
64 bytes as RFC 4491/7091 do: ``s || r``, each big-endian. CryptoPro's CryptoAPI writes the
same bytes reversed (little-endian). ESIA expects the former: clients that sign with
``csptest`` reverse its output before base64url-encoding it (as the PHP client fr05t1k/esia
does, checked against a live CryptoPro CSP). So the ``openssl`` backend sends its signature
as it is, the ``cryptopro`` backend reverses it, and the verifier reads ``s || r``.

Certificate hash. ESIA identifies the client's certificate by the hex GOST R 34.11-2012
(256-bit) hash of its DER encoding. That hash needs the GOST engine (or CryptoPro); RSA
development certificates may be named by the SHA-256 of the DER instead. Which one is
configuration, ``LIBRANET_ESIA_CERT_HASH`` (``gost`` or ``sha256``), read by the application
and by the local provider alike, never decided by whether the engine happens to be found:
an engine installed or removed while they run changes nothing until they are configured
otherwise. ``cert_hash_problem`` says at start-up why a configuration cannot work (the
system check and the provider's command ask it).
"""

import functools
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from django.conf import settings

logger = logging.getLogger(__name__)

RS256 = "RS256"
GOST3410_2012_256 = "GOST3410_2012_256"
# GOST R 34.10-2012 public keys, 256 and 512 bits (the 512-bit one is recognised to refuse it
# with a clear message: ESIA's client certificates are 256-bit).
_GOST_2012_256_OID = "1.2.643.7.1.1.1.1"
_GOST_2012_512_OID = "1.2.643.7.1.1.1.2"
_RSA_OID = "1.2.840.113549.1.1.1"

# Every openssl call is short; a hung one must not hold a request forever.
_OPENSSL_TIMEOUT = 20


class SigningError(Exception):
    """A signature could not be made or checked for a reason other than a wrong signature
    (a missing tool or engine, an unreadable key). The text is for the log, not for users."""


# --- certificates ----------------------------------------------------------------------------


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER bytes (GOST certificates parse; their keys do not)."""
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as error:
        raise SigningError(f"not a certificate: {error}") from error


def certificate_der(data: bytes) -> bytes:
    return load_certificate(data).public_bytes(serialization.Encoding.DER)


def certificate_pem(data: bytes) -> bytes:
    return load_certificate(data).public_bytes(serialization.Encoding.PEM)


def key_algorithm(data: bytes) -> str:
    """``RS256`` or ``GOST3410_2012_256``: what a certificate's key signs with."""
    oid = load_certificate(data).public_key_algorithm_oid.dotted_string
    if oid == _RSA_OID:
        return RS256
    if oid == _GOST_2012_256_OID:
        return GOST3410_2012_256
    if oid == _GOST_2012_512_OID:
        raise SigningError("GOST R 34.10-2012 512-bit keys are not supported; use 256-bit")
    raise SigningError(f"unsupported key algorithm {oid}")


CERT_HASHES = {"gost": "GOST R 34.11-2012", "sha256": "SHA-256"}  # LIBRANET_ESIA_CERT_HASH


def certificate_hash(data: bytes, *, algorithm: str) -> str:
    """ESIA's ``client_certificate_hash``: the upper-case hex hash of the DER certificate by
    ``algorithm`` (``gost``: GOST R 34.11-2012, 256 bits; ``sha256``)."""
    der = certificate_der(data)
    if algorithm == "gost":
        return gost_hash(der).hex().upper()
    if algorithm == "sha256":
        return hashlib.sha256(der).hexdigest().upper()
    raise SigningError(f"LIBRANET_ESIA_CERT_HASH={algorithm!r}: use gost or sha256")


def cert_hash_problem(algorithm: str, *, signer: str = "") -> str:
    """Why certificates cannot be named by ``algorithm`` on this machine with ``signer``
    (``LIBRANET_ESIA_SIGNER``), for a person to fix; "" when they can."""
    if algorithm not in CERT_HASHES:
        return f"LIBRANET_ESIA_CERT_HASH is {algorithm!r}; it must be gost or sha256."
    if algorithm == "sha256" and signer == "cryptopro":
        return (
            "LIBRANET_ESIA_CERT_HASH is sha256, but CryptoPro names the certificate by its "
            "GOST hash: set LIBRANET_ESIA_CERT_HASH=gost."
        )
    if algorithm == "gost" and signer != "cryptopro" and not gost_available():
        return (
            "LIBRANET_ESIA_CERT_HASH is gost, but openssl's GOST engine is not installed here: "
            "install it (apt-get install libengine-gost-openssl), or use RSA development keys "
            "with LIBRANET_ESIA_SIGNER=rsa and LIBRANET_ESIA_CERT_HASH=sha256."
        )
    return ""


# --- openssl ---------------------------------------------------------------------------------


@functools.cache
def openssl_binary() -> str | None:
    return shutil.which("openssl")


def gost_engine_path() -> Path | None:
    """The GOST engine's shared object, from ``openssl version -e`` (Debian:
    /usr/lib/<arch>/engines-3/gost.so), or None. Not remembered: an engine installed while
    the site runs is used from the next call on."""
    binary = openssl_binary()
    if not binary:
        return None
    result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [binary, "version", "-e"], capture_output=True, timeout=_OPENSSL_TIMEOUT, check=False
    )
    match = re.search(rb'ENGINESDIR: "([^"]+)"', result.stdout)
    if not match:
        return None
    path = Path(os.fsdecode(match.group(1))) / "gost.so"
    return path if path.exists() else None


def openssl_config() -> Path:
    """An openssl.cnf that loads the GOST engine, written once into the data folder; each
    openssl call gets it through OPENSSL_CONF (the system's own config stays untouched)."""
    engine = gost_engine_path()
    if engine is None:
        raise SigningError(
            "the GOST engine is not installed (apt-get install libengine-gost-openssl)"
        )
    text = (
        "openssl_conf = openssl_def\n"
        "[openssl_def]\n"
        "engines = engine_section\n"
        "[engine_section]\n"
        "gost = gost_section\n"
        "[gost_section]\n"
        "engine_id = gost\n"
        f"dynamic_path = {engine}\n"
        "default_algorithms = ALL\n"
    )
    path = Path(settings.DATA_DIR) / "openssl-gost.cnf"
    if not path.exists() or path.read_text() != text:
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text)
        partial.replace(path)  # atomic: a concurrent reader never sees half a file
    return path


def run_openssl(args: list[str], *, data: bytes = b"", gost: bool = False) -> bytes:
    """Run ``openssl`` with an argument list (never a shell); its stdout, or SigningError."""
    binary = openssl_binary()
    if not binary:
        raise SigningError("the openssl command is not installed")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if gost:
        env["OPENSSL_CONF"] = str(openssl_config())
    try:
        result = subprocess.run(  # noqa: S603 (an argument list; paths and names we chose)
            [binary, *args],
            input=data,
            capture_output=True,
            env=env,
            timeout=_OPENSSL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise SigningError(f"openssl {args[0]} timed out") from error
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()[:500]
        raise SigningError(f"openssl {args[0]} failed ({result.returncode}): {message}")
    return result.stdout


def gost_available() -> bool:
    """Whether this machine's openssl signs and hashes with GOST (the engine is installed),
    asked afresh each time: it tells a person what to fix, it decides nothing by itself."""
    try:
        run_openssl(["dgst", "-md_gost12_256", "-binary"], data=b"", gost=True)
    except SigningError:
        return False
    return True


def gost_hash(data: bytes) -> bytes:
    """GOST R 34.11-2012 (Streebog), 256 bits."""
    return run_openssl(["dgst", "-md_gost12_256", "-binary"], data=data, gost=True)


# --- signers ---------------------------------------------------------------------------------


class Signer(ABC):
    """Signs for one client system with its key and certificate."""

    name: ClassVar[str]

    def __init__(self, *, key_path: str | Path, cert_path: str | Path):
        self.key_path = Path(key_path)
        self.cert_path = Path(cert_path)

    @functools.cached_property
    def certificate(self) -> bytes:
        try:
            return certificate_pem(self.cert_path.read_bytes())
        except OSError as error:
            raise SigningError(f"cannot read the certificate {self.cert_path}: {error}") from error

    @property
    def algorithm(self) -> str:
        """The JWS name of what this signer's raw signatures are: RS256 or GOST3410_2012_256."""
        return key_algorithm(self.certificate)

    def certificate_hash(self) -> str:
        return certificate_hash(self.certificate, algorithm=settings.LIBRANET_ESIA_CERT_HASH)

    @abstractmethod
    def sign_raw(self, data: bytes) -> bytes:
        """The bare signature: 64 bytes ``s || r`` for GOST, PKCS#1 v1.5 SHA-256 for RSA."""

    @abstractmethod
    def sign_cms_detached(self, data: bytes) -> bytes:
        """A detached CMS (PKCS#7) SignedData over ``data``, DER-encoded."""


class OpenSSLSigner(Signer):
    """The ``openssl`` command; GOST keys through the GOST engine."""

    name = "openssl"

    @property
    def _gost(self) -> bool:
        return self.algorithm == GOST3410_2012_256

    def sign_raw(self, data: bytes) -> bytes:
        digest = "-md_gost12_256" if self._gost else "-sha256"
        return run_openssl(
            ["dgst", digest, "-sign", str(self.key_path)], data=data, gost=self._gost
        )

    def sign_cms_detached(self, data: bytes) -> bytes:
        with tempfile.TemporaryDirectory(prefix="libranet-cms-") as folder:
            cert = Path(folder, "signer.pem")
            cert.write_bytes(self.certificate)
            # Detached is openssl cms's default (-nodetach would embed the content).
            return run_openssl(
                [
                    "cms",
                    "-sign",
                    "-binary",
                    "-md",
                    "md_gost12_256" if self._gost else "sha256",
                    "-outform",
                    "DER",
                    "-signer",
                    str(cert),
                    "-inkey",
                    str(self.key_path),
                ],
                data=data,
                gost=self._gost,
            )


class RSASigner(Signer):
    """An RSA key file through ``cryptography``: development without the GOST engine."""

    name = "rsa"

    @functools.cached_property
    def _key(self) -> rsa.RSAPrivateKey:
        try:
            key = serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)
        except (OSError, ValueError) as error:
            raise SigningError(f"cannot read the RSA key {self.key_path}: {error}") from error
        if not isinstance(key, rsa.RSAPrivateKey):
            raise SigningError(f"{self.key_path} is not an RSA key")
        return key

    def sign_raw(self, data: bytes) -> bytes:
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def sign_cms_detached(self, data: bytes) -> bytes:
        return (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(data)
            .add_signer(load_certificate(self.certificate), self._key, hashes.SHA256())
            .sign(
                serialization.Encoding.DER,
                [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
            )
        )


class CryptoProSigner(Signer):
    """CryptoPro CSP's command-line tools, as their documentation gives the arguments.

    The key lives in a CryptoPro container (``LIBRANET_ESIA_CRYPTOPRO_CONTAINER``, e.g.
    ``\\\\.\\HDIMAGE\\libranet``) and its certificate in the user's store, found by its SHA-1
    thumbprint (``LIBRANET_ESIA_CRYPTOPRO_THUMBPRINT``) for ``cryptcp``. Untested here: no
    CryptoPro on this machine or in CI.
    """

    name = "cryptopro"

    def __init__(
        self,
        *,
        key_path: str | Path = "",
        cert_path: str | Path,
        container: str,
        thumbprint: str = "",
        password: str = "",
        tools_dir: str | Path = "/opt/cprocsp/bin/amd64",
    ):
        super().__init__(key_path=key_path, cert_path=cert_path)
        self.container = container
        self.thumbprint = thumbprint
        self.password = password
        self.tools_dir = Path(tools_dir)

    def _run(self, tool: str, args: list[str]) -> bytes:
        binary = self.tools_dir / tool
        try:
            result = subprocess.run(  # noqa: S603 (an argument list, no shell)
                [str(binary), *args], capture_output=True, timeout=_OPENSSL_TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SigningError(f"{tool} could not run: {error}") from error
        if result.returncode != 0:
            output = (result.stdout + result.stderr).decode(errors="replace").strip()[-500:]
            raise SigningError(f"{tool} failed ({result.returncode}): {output}")
        return result.stdout

    def hash_arguments(self, source: Path) -> list[str]:
        return ["-mk", "-alg", "GR3411_2012_256", str(source)]

    def sign_raw_arguments(self, source: Path, target: Path) -> list[str]:
        arguments = [
            "-keyset",
            "-sign",
            "GOST12_256",
            "-container",
            self.container,
            "-keytype",
            "exchange",
            "-in",
            str(source),
            "-out",
            str(target),
        ]
        if self.password:
            arguments += ["-password", self.password]
        return arguments

    def sign_cms_arguments(self, source: Path, folder: Path) -> list[str]:
        arguments = ["-signf", "-dir", str(folder), "-der", "-nochain"]
        arguments += ["-cert", "-thumbprint", self.thumbprint]
        if self.password:
            arguments += ["-pin", self.password]
        return [*arguments, str(source)]

    def certificate_hash(self) -> str:
        """By ``cpverify``, so production needs no uncertified GOST code at all."""
        with tempfile.TemporaryDirectory(prefix="libranet-csp-") as folder:
            source = Path(folder, "certificate.cer")
            source.write_bytes(certificate_der(self.certificate))
            output = self._run("cpverify", self.hash_arguments(source)).decode(errors="replace")
        match = re.search(r"\b[0-9A-Fa-f]{64}\b", output)
        if not match:
            raise SigningError(f"cpverify printed no hash: {output[:200]}")
        return match.group(0).upper()

    def sign_raw(self, data: bytes) -> bytes:
        with tempfile.TemporaryDirectory(prefix="libranet-csp-") as folder:
            source, target = Path(folder, "data"), Path(folder, "signature")
            source.write_bytes(data)
            self._run("csptest", self.sign_raw_arguments(source, target))
            # CryptoAPI writes the signature little-endian; ESIA reads s || r big-endian.
            return target.read_bytes()[::-1]

    def sign_cms_detached(self, data: bytes) -> bytes:
        with tempfile.TemporaryDirectory(prefix="libranet-csp-") as folder:
            source = Path(folder, "data")
            source.write_bytes(data)
            self._run("cryptcp", self.sign_cms_arguments(source, Path(folder)))
            return Path(folder, "data.sgn").read_bytes()


# --- verification ----------------------------------------------------------------------------


class Verifier:
    """Checks signatures made with the key of one certificate: RSA through ``cryptography``,
    GOST and CMS through ``openssl`` (CMS needs no engine for RSA)."""

    def __init__(self, certificate: bytes):
        self.certificate = certificate_pem(certificate)
        self.algorithm = key_algorithm(self.certificate)

    @classmethod
    def from_file(cls, path: str | Path) -> "Verifier":
        try:
            return cls(Path(path).read_bytes())
        except OSError as error:
            raise SigningError(f"cannot read the certificate {path}: {error}") from error

    def verify_raw(self, data: bytes, signature: bytes) -> bool:
        if self.algorithm == RS256:
            public_key = load_certificate(self.certificate).public_key()
            assert isinstance(public_key, rsa.RSAPublicKey)
            try:
                public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                return False
            return True
        with tempfile.TemporaryDirectory(prefix="libranet-verify-") as folder:
            public = Path(folder, "public.pem")
            public.write_bytes(
                run_openssl(["x509", "-pubkey", "-noout"], data=self.certificate, gost=True)
            )
            signature_file = Path(folder, "signature")
            signature_file.write_bytes(signature)
            try:
                run_openssl(
                    [
                        "dgst",
                        "-md_gost12_256",
                        "-verify",
                        str(public),
                        "-signature",
                        str(signature_file),
                    ],
                    data=data,
                    gost=True,
                )
            except SigningError as error:
                logger.info("GOST signature refused: %s", error)
                return False
            return True

    def verify_cms_detached(self, data: bytes, cms: bytes) -> bool:
        """True when ``cms`` signs ``data`` with this certificate's key. The chain is not
        checked (-noverify): the certificate itself is the registered trust anchor, and
        -nointern accepts no signer certificate but it."""
        gost = self.algorithm == GOST3410_2012_256
        with tempfile.TemporaryDirectory(prefix="libranet-verify-") as folder:
            paths = {name: Path(folder, name) for name in ("cert.pem", "data", "cms.der")}
            paths["cert.pem"].write_bytes(self.certificate)
            paths["data"].write_bytes(data)
            paths["cms.der"].write_bytes(cms)
            try:
                run_openssl(
                    [
                        "cms",
                        "-verify",
                        "-binary",
                        "-inform",
                        "DER",
                        "-in",
                        str(paths["cms.der"]),
                        "-content",
                        str(paths["data"]),
                        "-certfile",
                        str(paths["cert.pem"]),
                        "-nointern",
                        "-noverify",
                        "-out",
                        os.devnull,
                    ],
                    gost=gost,
                )
            except SigningError as error:
                logger.info("CMS signature refused: %s", error)
                return False
            return True


# --- the configured signer -------------------------------------------------------------------


def configured_signer() -> Signer:
    """The signer ``LIBRANET_ESIA_SIGNER`` names, with the key and certificate of settings."""
    kind = settings.LIBRANET_ESIA_SIGNER
    cert = settings.LIBRANET_ESIA_CERT
    if not cert:
        raise SigningError("LIBRANET_ESIA_CERT is not set")
    if kind == "cryptopro":
        return CryptoProSigner(
            cert_path=cert,
            container=settings.LIBRANET_ESIA_CRYPTOPRO_CONTAINER,
            thumbprint=settings.LIBRANET_ESIA_CRYPTOPRO_THUMBPRINT,
            password=settings.LIBRANET_ESIA_CRYPTOPRO_PASSWORD,
            tools_dir=settings.LIBRANET_ESIA_CRYPTOPRO_BIN,
        )
    if not settings.LIBRANET_ESIA_KEY:
        raise SigningError("LIBRANET_ESIA_KEY is not set")
    if kind == "openssl":
        return OpenSSLSigner(key_path=settings.LIBRANET_ESIA_KEY, cert_path=cert)
    if kind == "rsa":
        return RSASigner(key_path=settings.LIBRANET_ESIA_KEY, cert_path=cert)
    raise SigningError(f"LIBRANET_ESIA_SIGNER={kind!r}: use openssl, cryptopro or rsa")
