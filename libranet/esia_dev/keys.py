"""Keys and certificates for the demo: the local provider's, and one client system's.

RSA by default, so a fresh machine needs nothing but Python; GOST R 34.10-2012 with the
openssl GOST engine where it is installed (``--gost``). Self-signed: the provider trusts the
registered certificate itself, as ESIA's test stand does.
"""

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from libranet.accounts.esia.signing import GOST3410_2012_256, key_algorithm, run_openssl

DEMO_CLIENT_ID = "LIBRANET-DEMO"
_VALID_DAYS = 3650


@dataclass(frozen=True)
class DevKeys:
    """Where the demo's keys live inside the provider's folder."""

    directory: Path

    @property
    def provider_key(self) -> Path:
        return self.directory / "provider.key"

    @property
    def provider_cert(self) -> Path:
        return self.directory / "provider.crt"

    @property
    def client_key(self) -> Path:
        return self.directory / "client.key"

    @property
    def client_cert(self) -> Path:
        return self.directory / "client.crt"

    @property
    def clients(self) -> Path:
        """Registered client systems: ``<client_id>.crt`` each, as on ESIA's portal."""
        return self.directory / "clients"


def write_rsa_pair(key_path: Path, cert_path: Path, *, common_name: str) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=_VALID_DAYS))
        .sign(key, hashes.SHA256())
    )
    _write_private(
        key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def write_gost_pair(key_path: Path, cert_path: Path, *, common_name: str) -> None:
    """A GOST R 34.10-2012 (256, parameter set A) key and self-signed certificate."""
    key_pem = run_openssl(
        ["genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A"], gost=True
    )
    _write_private(key_path, key_pem)
    run_openssl(
        [
            "req",
            "-new",
            "-x509",
            "-key",
            str(key_path),
            "-out",
            str(cert_path),
            "-days",
            str(_VALID_DAYS),
            "-subj",
            f"/CN={common_name}",
            "-md_gost12_256",
        ],
        gost=True,
    )


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def _matches(cert: Path, gost: bool) -> bool:
    if not cert.exists():
        return False
    return (key_algorithm(cert.read_bytes()) == GOST3410_2012_256) == gost


def ensure_dev_keys(
    directory: Path, *, client_id: str = DEMO_CLIENT_ID, gost: bool = False, force: bool = False
) -> tuple[DevKeys, list[str]]:
    """Make what is missing (or everything, with ``force``) and register the client's
    certificate with the provider; returns the paths and what was written."""
    keys = DevKeys(Path(directory))
    keys.clients.mkdir(parents=True, exist_ok=True)
    write = write_gost_pair if gost else write_rsa_pair
    written = []
    for key, cert, name in (
        (keys.provider_key, keys.provider_cert, "Libranet local ESIA provider"),
        (keys.client_key, keys.client_cert, "Libranet demo client system"),
    ):
        if force or not key.exists() or not _matches(cert, gost):
            write(key, cert, common_name=name)
            written.append(str(cert))
    registered = keys.clients / f"{client_id}.crt"
    if force or not registered.exists() or registered.read_bytes() != keys.client_cert.read_bytes():
        registered.write_bytes(keys.client_cert.read_bytes())
        written.append(str(registered))
    return keys, written
