"""The local ESIA-compatible provider: what it checks and what it answers, without HTTP.

It keeps registered client systems (a certificate each, found by its hash), checks a
client's ``client_secret`` over the same string ESIA signs against that certificate, refuses
a timestamp off by more than a few minutes, issues codes that are single-use, expire after
a minute and are bound to the client and the ``redirect_uri``, echoes the token request's
``state``, and answers with tokens of ESIA's header and claim shapes and the person's
``/rs/prns`` resources. State lives in this process's memory: it is a development tool.

For tests it can misbehave on purpose (``fault``, ``claim_overrides``) so that each check on
the client's side can be seen to refuse.
"""

import base64
import binascii
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from libranet.accounts.esia.client import API_PATHS, TIMESTAMP_FORMAT, secret_message
from libranet.accounts.esia.signing import (
    CERT_HASHES,
    GOST3410_2012_256,
    OpenSSLSigner,
    RSASigner,
    Signer,
    SigningError,
    Verifier,
    certificate_hash,
    key_algorithm,
)
from libranet.accounts.esia.tokens import encode

from .people import BY_OID, TestPerson

CODE_TTL = 60  # seconds
TOKEN_TTL = 3600
MAX_SKEW = 300  # seconds between the client's timestamp and the provider's clock


class ProviderError(Exception):
    """A refused request, with ESIA-like error code and description."""

    def __init__(self, error: str, description: str, *, status: int = 400):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class Client:
    client_id: str
    certificate: bytes
    hashes: frozenset[str]

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.certificate)


@dataclass(frozen=True)
class AuthorizationRequest:
    """An authorization request that passed every check, waiting for a person to be picked."""

    version: str
    client_id: str
    redirect_uri: str
    scope: str
    state: str


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    scope: str
    oid: str
    issued_at: float
    used: bool = False


@dataclass
class Provider:
    issuer: str
    key_path: Path
    cert_path: Path
    clients_dir: Path
    # How clients name their certificates (LIBRANET_ESIA_CERT_HASH, as the application does).
    cert_hash: str
    code_ttl: int = CODE_TTL
    max_skew: int = MAX_SKEW
    # Test hooks: "html" makes the token endpoint answer a web page; claim_overrides are
    # merged into the id_token's claims.
    fault: str = ""
    claim_overrides: dict[str, Any] = field(default_factory=dict)
    clock: Any = time.time
    _grants: dict[str, Grant] = field(default_factory=dict)
    _tokens: dict[str, tuple[str, str, float]] = field(default_factory=dict)  # oid, scope, until
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- set-up ---------------------------------------------------------------------------

    @property
    def signer(self) -> Signer:
        cert = self.cert_path.read_bytes()
        kind = OpenSSLSigner if key_algorithm(cert) == GOST3410_2012_256 else RSASigner
        return kind(key_path=self.key_path, cert_path=self.cert_path)

    def clients(self, algorithm: str = "") -> dict[str, Client]:
        """Registered clients by certificate hash (``cert_hash``'s, or ``algorithm``'s), read
        afresh so a new registration counts."""
        algorithm = algorithm or self.cert_hash
        found: dict[str, Client] = {}
        for path in sorted(self.clients_dir.glob("*.crt")):
            certificate = path.read_bytes()
            name = certificate_hash(certificate, algorithm=algorithm)
            found[name] = Client(
                client_id=path.stem, certificate=certificate, hashes=frozenset({name})
            )
        return found

    def _other_hash(self, digest: str) -> str:
        """The other algorithm whose hash of a registered certificate ``digest`` is, if any:
        the client was configured otherwise than this provider."""
        for algorithm in CERT_HASHES:
            if algorithm == self.cert_hash:
                continue
            try:
                if digest in self.clients(algorithm):
                    return algorithm
            except SigningError:  # that algorithm cannot run here
                continue
        return ""

    # --- checks shared by both endpoints --------------------------------------------------

    def _client(self, params: dict[str, str]) -> Client:
        digest = params.get("client_certificate_hash", "").strip().upper()
        client = self.clients().get(digest)
        if client is None:
            description = "ESIA-007055: unknown client_certificate_hash"
            other = self._other_hash(digest)
            if other:
                description += (
                    f" (it is the certificate's {CERT_HASHES[other]} hash; this provider "
                    f"names certificates by their {CERT_HASHES[self.cert_hash]} hash: give the "
                    "application and the provider the same LIBRANET_ESIA_CERT_HASH)"
                )
            raise ProviderError("invalid_client", description, status=401)
        if client.client_id != params.get("client_id"):
            raise ProviderError(
                "invalid_client", "ESIA-007004: the certificate is not this client's", status=401
            )
        return client

    def _check_timestamp(self, text: str) -> None:
        try:
            moment = datetime.strptime(text, TIMESTAMP_FORMAT)  # noqa: DTZ007 (it ends in %z)
        except ValueError as error:
            raise ProviderError(
                "invalid_request", "ESIA-007012: timestamp is not yyyy.MM.dd HH:mm:ss Z"
            ) from error
        if abs(moment.timestamp() - self.clock()) > self.max_skew:
            raise ProviderError("invalid_request", "ESIA-007013: timestamp too far from now")

    def _check_secret(self, client: Client, version: str, params: dict[str, str]) -> None:
        message = secret_message(
            version=version,
            client_id=client.client_id,
            scope=params.get("scope", ""),
            timestamp=params.get("timestamp", ""),
            state=params.get("state", ""),
            redirect_uri=params.get("redirect_uri", ""),
            code=params.get("code", ""),
        ).encode()
        secret = params.get("client_secret", "")
        try:
            signature = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
        except (binascii.Error, ValueError):
            signature = b""
        verifier = client.verifier
        try:
            if version == "v2":
                valid = bool(signature) and verifier.verify_raw(message, signature)
            else:
                valid = bool(signature) and verifier.verify_cms_detached(message, signature)
        except SigningError as error:
            raise ProviderError("server_error", f"cannot verify: {error}", status=500) from error
        if not valid:
            raise ProviderError("invalid_client", "ESIA-007053: client_secret is wrong", status=401)

    @staticmethod
    def _check_state(state: str) -> None:
        try:
            uuid.UUID(state)
        except ValueError as error:
            raise ProviderError("invalid_request", "ESIA-007011: state is not a UUID") from error

    # --- authorization endpoint -----------------------------------------------------------

    def authorize(self, version: str, params: dict[str, str]) -> AuthorizationRequest:
        """Check an authorization request; the person is picked afterwards."""
        if params.get("response_type") != "code":
            raise ProviderError("unsupported_response_type", "ESIA-007003: response_type=code")
        if "openid" not in params.get("scope", "").split():
            raise ProviderError("invalid_scope", "ESIA-007002: the scope must include openid")
        redirect_uri = params.get("redirect_uri", "")
        if not redirect_uri.startswith(("http://", "https://")):
            raise ProviderError("invalid_request", "ESIA-007005: redirect_uri is missing")
        self._check_state(params.get("state", ""))
        self._check_timestamp(params.get("timestamp", ""))
        client = self._client(params)
        self._check_secret(client, version, params)
        return AuthorizationRequest(
            version=version,
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            scope=params["scope"],
            state=params["state"],
        )

    def issue_code(self, request: AuthorizationRequest, oid: str) -> str:
        if oid not in BY_OID:
            raise ProviderError("invalid_request", "no such test person")
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._grants[code] = Grant(
                client_id=request.client_id,
                redirect_uri=request.redirect_uri,
                scope=request.scope,
                oid=oid,
                issued_at=self.clock(),
            )
        return code

    # --- token endpoint -------------------------------------------------------------------

    def token(self, version: str, params: dict[str, str]) -> dict[str, Any]:
        if params.get("grant_type") != "authorization_code":
            raise ProviderError("unsupported_grant_type", "ESIA-007008: authorization_code only")
        self._check_state(params.get("state", ""))
        self._check_timestamp(params.get("timestamp", ""))
        client = self._client(params)
        self._check_secret(client, version, params)
        with self._lock:
            grant = self._grants.get(params.get("code", ""))
            if grant is None:
                raise ProviderError("invalid_grant", "ESIA-007014: unknown code")
            if grant.used:
                raise ProviderError("invalid_grant", "ESIA-007015: the code was used already")
            grant.used = True  # even if refused below: a code is tried once
        if self.clock() - grant.issued_at > self.code_ttl:
            raise ProviderError("invalid_grant", "ESIA-007016: the code has expired")
        if grant.client_id != client.client_id:
            raise ProviderError("invalid_grant", "ESIA-007017: the code is another client's")
        if grant.redirect_uri != params.get("redirect_uri"):
            raise ProviderError("invalid_grant", "ESIA-007018: redirect_uri differs")
        return self._tokens_for(grant, client, params["state"])

    def _tokens_for(self, grant: Grant, client: Client, state: str) -> dict[str, Any]:
        person = BY_OID[grant.oid]
        now = int(self.clock())
        signer = self.signer
        common = {"iss": self.issuer, "nbf": now, "iat": now, "exp": now + TOKEN_TTL}
        id_claims = {
            **common,
            "sub": int(person.oid),
            "aud": client.client_id,
            "auth_time": now,
            "urn:esia:amd": "PWD",
            "urn:esia:sid": str(uuid.uuid4()),
            "urn:esia:sbj": self._subject(person),
            **self.claim_overrides,
        }
        access_claims = {
            **common,
            "client_id": client.client_id,
            "scope": grant.scope,
            "urn:esia:sbj_id": int(person.oid),
            "urn:esia:sid": id_claims["urn:esia:sid"],
        }
        access_token = encode(access_claims, signer=signer, subject_type="access")
        with self._lock:
            self._tokens[access_token] = (person.oid, grant.scope, now + TOKEN_TTL)
        return {
            "access_token": access_token,
            "id_token": encode(id_claims, signer=signer, subject_type="id"),
            "state": state,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL,
            "refresh_token": str(uuid.uuid4()),
        }

    @staticmethod
    def _subject(person: TestPerson) -> dict[str, Any]:
        subject: dict[str, Any] = {
            "urn:esia:sbj:typ": "P",
            "urn:esia:sbj:oid": int(person.oid),
            "urn:esia:sbj:nam": f"OID.{person.oid}",
        }
        # ESIA names a confirmed account; a simplified one says nothing.
        if person.confirmed:
            subject["urn:esia:sbj:is_tru"] = True
        return subject

    # --- resources ------------------------------------------------------------------------

    def _bearer(self, authorization: str, oid: str) -> str:
        """The scope of a valid access token for this person's data, or ProviderError."""
        scheme, _, token = authorization.partition(" ")
        with self._lock:
            found = self._tokens.get(token) if scheme.lower() == "bearer" else None
        if found is None or found[2] < self.clock():
            raise ProviderError("invalid_token", "ESIA-008001: no valid access token", status=401)
        if found[0] != oid:
            raise ProviderError("access_denied", "ESIA-008002: another person's data", status=403)
        return found[1]

    def person(self, oid: str, authorization: str) -> dict[str, Any]:
        scope = self._bearer(authorization, oid).split()
        person = BY_OID[oid]
        data: dict[str, Any] = {
            "stateFacts": ["EntityRoot"],
            "eTag": secrets.token_hex(20).upper(),
            "trusted": person.confirmed,
            "status": "REGISTERED",
            "verifying": False,
            "updatedOn": int(self.clock()),
        }
        if "fullname" in scope:
            data.update(
                firstName=person.first_name,
                lastName=person.last_name,
                middleName=person.middle_name,
            )
        return data

    def contacts(self, oid: str, authorization: str, *, embed: bool, base_url: str) -> dict:
        scope = self._bearer(authorization, oid).split()
        visible = [
            contact
            for contact in BY_OID[oid].contacts
            if (contact.type in ("EML", "CEM") and "email" in scope)
            or (contact.type in ("MBT", "PHN") and "mobile" in scope)
        ]
        elements: list[Any] = [
            self._contact(contact) if embed else f"{base_url}/rs/prns/{oid}/ctts/{contact.id}"
            for contact in visible
        ]
        return {
            "stateFacts": ["hasSize"],
            "size": len(elements),
            "eTag": secrets.token_hex(20).upper(),
            "elements": elements,
        }

    def contact(self, oid: str, contact_id: int, authorization: str) -> dict[str, Any]:
        self.contacts(oid, authorization, embed=True, base_url="")  # same checks
        for contact in BY_OID[oid].contacts:
            if contact.id == contact_id:
                return self._contact(contact)
        raise ProviderError("not_found", "ESIA-008004: no such contact", status=404)

    @staticmethod
    def _contact(contact: Any) -> dict[str, Any]:
        return {
            "stateFacts": ["Identifiable"],
            "id": contact.id,
            "type": contact.type,
            "vrfStu": contact.status,
            "value": contact.value,
            "eTag": secrets.token_hex(20).upper(),
        }


def version_of(path: str) -> str:
    """Which API a request came to, by its path."""
    for version, paths in API_PATHS.items():
        if path in paths:
            return version
    raise ProviderError("invalid_request", "unknown endpoint", status=404)
