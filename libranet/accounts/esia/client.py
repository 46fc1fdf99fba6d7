"""ESIA's authorization-code flow on Authlib's OAuth2Session.

OAuth 2.0 itself is Authlib's; what is ESIA's own is here: the signed ``client_secret`` with
its ``timestamp`` and ``client_certificate_hash`` (a client-auth method registered on the
session), the new ``state`` of the token request that ESIA echoes, the id_token's shape
(:mod:`.tokens`), and the person's resources ``/rs/prns/{oid}`` with their contacts.

Endpoints by ``LIBRANET_ESIA_API_VERSION``:

=========  =======================  =======================
version    authorization            token
=========  =======================  =======================
``v2``     ``/aas/oauth2/v2/ac``    ``/aas/oauth2/v3/te``
``legacy`` ``/aas/oauth2/ac``       ``/aas/oauth2/te``
=========  =======================  =======================

``client_secret`` signs, in this order (no separators):

- v2, authorization: client_id + scope + timestamp + state + redirect_uri, raw GOST signature;
- v2, token: the same with the code appended (and the token request's own new state);
- legacy, both: scope + timestamp + client_id + state, detached CMS signature
  (the legacy token endpoint never signed the code).

Both are sent base64url-encoded without padding.
"""

import base64
import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import requests
from authlib.common.urls import add_params_to_qs, url_decode
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .signing import Signer, SigningError, Verifier, configured_signer
from .tokens import TokenError, verify_id_token

logger = logging.getLogger(__name__)

API_PATHS = {
    "v2": ("/aas/oauth2/v2/ac", "/aas/oauth2/v3/te"),
    "legacy": ("/aas/oauth2/ac", "/aas/oauth2/te"),
}
# ESIA's "yyyy.MM.dd HH:mm:ss Z", e.g. "2026.11.24 10:00:00 +0300".
TIMESTAMP_FORMAT = "%Y.%m.%d %H:%M:%S %z"
# At most this many contact links are followed when ESIA does not embed them.
_MAX_CONTACTS = 20


class Reason(StrEnum):
    NOT_CONFIGURED = "not_configured"
    STATE_MISMATCH = "state_mismatch"
    DENIED = "denied"
    UNAVAILABLE = "unavailable"
    BAD_ANSWER = "bad_answer"
    CLIENT_REFUSED = "client_refused"
    CODE_REFUSED = "code_refused"
    TOKEN_INVALID = "token_invalid"  # noqa: S105 (a reason, not a secret)
    SIGNING_FAILED = "signing_failed"


MESSAGES = {
    Reason.NOT_CONFIGURED: _("Sign-in with Gosuslugi is not configured on this server."),
    Reason.STATE_MISMATCH: _(
        "This answer from Gosuslugi does not belong to a sign-in started in this browser "
        "(it may have been opened twice, or the session has expired). Please start again."
    ),
    Reason.DENIED: _("Sign-in with Gosuslugi was cancelled or refused. You are not signed in."),
    Reason.UNAVAILABLE: _("Gosuslugi did not answer. Please try again in a few minutes."),
    Reason.BAD_ANSWER: _(
        "Gosuslugi answered with something that could not be read. Please try again later."
    ),
    Reason.CLIENT_REFUSED: _(
        "Gosuslugi did not accept this server's request. Please try again later; if it "
        "happens again, tell the Library."
    ),
    Reason.CODE_REFUSED: _(
        "Gosuslugi did not accept this sign-in: it has expired or was used already. "
        "Please start again."
    ),
    Reason.TOKEN_INVALID: _(
        "The answer from Gosuslugi failed its security check, so you were not signed in."
    ),
    Reason.SIGNING_FAILED: _(
        "This server could not sign its request to Gosuslugi. Please try again later."
    ),
}


class EsiaError(Exception):
    """Sign-in refused. ``message`` is for the person, ``detail`` for the log."""

    def __init__(self, reason: Reason, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail

    @property
    def message(self) -> str:
        return str(MESSAGES[self.reason])


@dataclass(frozen=True)
class EsiaConfig:
    base_url: str
    client_id: str
    scope: str
    version: str
    issuer: str
    provider_cert: str
    redirect_uri: str = ""
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    leeway: int = 60

    @classmethod
    def from_settings(cls) -> "EsiaConfig":
        config = cls(
            base_url=settings.LIBRANET_ESIA_BASE_URL,
            client_id=settings.LIBRANET_ESIA_CLIENT_ID,
            scope=" ".join(settings.LIBRANET_ESIA_SCOPE.split()),
            version=settings.LIBRANET_ESIA_API_VERSION,
            issuer=settings.LIBRANET_ESIA_ISSUER,
            provider_cert=settings.LIBRANET_ESIA_PROVIDER_CERT,
            redirect_uri=settings.LIBRANET_ESIA_REDIRECT_URI,
            connect_timeout=settings.LIBRANET_ESIA_CONNECT_TIMEOUT,
            read_timeout=settings.LIBRANET_ESIA_READ_TIMEOUT,
            leeway=settings.LIBRANET_ESIA_LEEWAY,
        )
        missing = [
            name
            for name, value in (
                ("LIBRANET_ESIA_BASE_URL", config.base_url),
                ("LIBRANET_ESIA_CLIENT_ID", config.client_id),
                ("LIBRANET_ESIA_ISSUER", config.issuer),
                ("LIBRANET_ESIA_PROVIDER_CERT", config.provider_cert),
            )
            if not value
        ]
        if missing:
            raise EsiaError(Reason.NOT_CONFIGURED, "unset: " + ", ".join(missing))
        if config.version not in API_PATHS:
            raise EsiaError(Reason.NOT_CONFIGURED, f"LIBRANET_ESIA_API_VERSION={config.version!r}")
        return config

    @property
    def authorization_endpoint(self) -> str:
        return self.base_url + API_PATHS[self.version][0]

    @property
    def token_endpoint(self) -> str:
        return self.base_url + API_PATHS[self.version][1]

    def person_url(self, oid: str) -> str:
        return f"{self.base_url}/rs/prns/{oid}"

    def contacts_url(self, oid: str) -> str:
        return f"{self.base_url}/rs/prns/{oid}/ctts?embed=(elements)"


@dataclass(frozen=True)
class EsiaPerson:
    """What a sign-in learns about a person, and all of it that may be kept."""

    oid: str
    confirmed: bool
    first_name: str
    last_name: str
    email: str  # a verified address, or ""


def esia_timestamp(moment: datetime | None = None) -> str:
    """ESIA's timestamp, in the site's time zone (Moscow by default)."""
    return timezone.localtime(moment or timezone.now()).strftime(TIMESTAMP_FORMAT)


def secret_message(
    *,
    version: str,
    client_id: str,
    scope: str,
    timestamp: str,
    state: str,
    redirect_uri: str,
    code: str = "",
) -> str:
    """The string that ``client_secret`` signs (see the module's docstring)."""
    if version == "v2":
        return client_id + scope + timestamp + state + redirect_uri + code
    return scope + timestamp + client_id + state


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def client_secret(*, signer: Signer, version: str, message: str) -> str:
    data = message.encode()
    if version == "v2":
        return b64url(signer.sign_raw(data))
    return b64url(signer.sign_cms_detached(data))


class _EsiaClientAuth:
    """Authlib client-auth method for ESIA's token endpoint: instead of a shared secret, the
    request carries a new state, a timestamp, the certificate's hash and the signature."""

    name = "esia_client_secret"

    def __init__(self, client: "EsiaClient", now: datetime | None):
        self.client = client
        self.now = now
        self.state = str(uuid.uuid4())

    def __call__(self, auth: Any, method: str, uri: str, headers: dict, body: str):
        config = self.client.config
        params = dict(url_decode(body))
        timestamp = esia_timestamp(self.now)
        message = secret_message(
            version=config.version,
            client_id=config.client_id,
            scope=config.scope,
            timestamp=timestamp,
            state=self.state,
            redirect_uri=params.get("redirect_uri", ""),
            code=params.get("code", ""),
        )
        extra = [
            ("client_id", config.client_id),
            (
                "client_secret",
                client_secret(signer=self.client.signer, version=config.version, message=message),
            ),
            ("state", self.state),
            ("scope", config.scope),
            ("timestamp", timestamp),
            ("token_type", "Bearer"),
            ("client_certificate_hash", self.client.signer.certificate_hash()),
        ]
        body = add_params_to_qs(body, [(k, v) for k, v in extra if k not in params])
        return uri, headers, body


class EsiaClient:
    """One sign-in's conversation with ESIA."""

    def __init__(self, *, config: EsiaConfig, signer: Signer):
        self.config = config
        self.signer = signer

    @classmethod
    def from_settings(cls) -> "EsiaClient":
        config = EsiaConfig.from_settings()
        try:
            signer = configured_signer()
        except SigningError as error:
            raise EsiaError(Reason.NOT_CONFIGURED, str(error)) from error
        return cls(config=config, signer=signer)

    def _session(self, auth: _EsiaClientAuth | None = None) -> OAuth2Session:
        session = OAuth2Session(
            client_id=self.config.client_id,
            scope=self.config.scope,
            token_endpoint_auth_method=_EsiaClientAuth.name,
            default_timeout=(self.config.connect_timeout, self.config.read_timeout),
        )
        if auth is not None:
            session.register_client_auth_method(auth)
        return session

    def authorization_url(
        self, *, state: str, redirect_uri: str, now: datetime | None = None
    ) -> str:
        """Where to send the person: ESIA's page, with this system's signed request."""
        timestamp = esia_timestamp(now)
        message = secret_message(
            version=self.config.version,
            client_id=self.config.client_id,
            scope=self.config.scope,
            timestamp=timestamp,
            state=state,
            redirect_uri=redirect_uri,
        )
        try:
            secret = client_secret(signer=self.signer, version=self.config.version, message=message)
            certificate_hash = self.signer.certificate_hash()
        except SigningError as error:
            raise EsiaError(Reason.SIGNING_FAILED, str(error)) from error
        with self._session() as session:
            url, _state = session.create_authorization_url(
                self.config.authorization_endpoint,
                state=state,
                redirect_uri=redirect_uri,
                timestamp=timestamp,
                access_type="online",
                client_certificate_hash=certificate_hash,
                client_secret=secret,
            )
        return url

    def sign_in(self, *, code: str, redirect_uri: str, now: datetime | None = None) -> EsiaPerson:
        """Exchange the code, check the id_token, read the person: everything a sign-in
        needs, or EsiaError."""
        auth = _EsiaClientAuth(self, now)
        with self._session(auth) as session:
            token = self._exchange(session, auth, code=code, redirect_uri=redirect_uri)
            oid, confirmed = self._identity(token)
            person = self._get_json(session, self.config.person_url(oid))
            contacts = self._get_json(session, self.config.contacts_url(oid))
            email = self._verified_email(session, contacts)
        return EsiaPerson(
            oid=oid,
            confirmed=confirmed,
            first_name=_text(person.get("firstName")),
            last_name=_text(person.get("lastName")),
            email=email,
        )

    def _exchange(
        self, session: OAuth2Session, auth: _EsiaClientAuth, *, code: str, redirect_uri: str
    ) -> dict[str, Any]:
        try:
            token = session.fetch_token(
                self.config.token_endpoint,
                grant_type="authorization_code",
                code=code,
                redirect_uri=redirect_uri,
            )
        except SigningError as error:
            raise EsiaError(Reason.SIGNING_FAILED, str(error)) from error
        except OAuthError as error:
            # invalid_grant: the code is unknown, used, expired or bound elsewhere.
            reason = (
                Reason.CODE_REFUSED if error.error == "invalid_grant" else Reason.CLIENT_REFUSED
            )
            raise EsiaError(
                reason, f"token endpoint: {error.error}: {error.description}"
            ) from error
        except (requests.ConnectionError, requests.Timeout) as error:
            raise EsiaError(Reason.UNAVAILABLE, f"token endpoint: {error}") from error
        except (requests.RequestException, ValueError) as error:
            raise EsiaError(Reason.BAD_ANSWER, f"token endpoint: {error}") from error
        if token.get("state") != auth.state:
            raise EsiaError(
                Reason.TOKEN_INVALID, "token endpoint echoed another state than the request's"
            )
        if not isinstance(token.get("id_token"), str) or not token.get("access_token"):
            raise EsiaError(Reason.BAD_ANSWER, "token endpoint answered without tokens")
        return token

    def _identity(self, token: dict[str, Any]) -> tuple[str, bool]:
        try:
            verifier = Verifier.from_file(self.config.provider_cert)
            claims = verify_id_token(
                token["id_token"],
                verifier=verifier,
                issuer=self.config.issuer,
                audience=self.config.client_id,
                leeway=self.config.leeway,
            )
        except SigningError as error:
            raise EsiaError(Reason.SIGNING_FAILED, f"verifying the id_token: {error}") from error
        except TokenError as error:
            raise EsiaError(Reason.TOKEN_INVALID, str(error)) from error
        subject = claims.get("urn:esia:sbj")
        subject = subject if isinstance(subject, dict) else {}
        oid = str(subject.get("urn:esia:sbj:oid", claims["sub"]))
        if oid != str(claims["sub"]) or not re.fullmatch(r"[0-9]{1,20}", oid):
            raise EsiaError(Reason.TOKEN_INVALID, f"id_token names no valid oid: {oid!r}")
        if subject.get("urn:esia:sbj:typ", "P") != "P":
            raise EsiaError(Reason.TOKEN_INVALID, "id_token's subject is not a person")
        # ESIA leaves is_tru out for a simplified account: only an explicit true counts.
        return oid, subject.get("urn:esia:sbj:is_tru") is True

    def _get_json(self, session: OAuth2Session, url: str) -> dict[str, Any]:
        try:
            response = session.get(url, headers={"Accept": "application/json"})
        except (requests.ConnectionError, requests.Timeout) as error:
            raise EsiaError(Reason.UNAVAILABLE, f"{url}: {error}") from error
        except requests.RequestException as error:
            raise EsiaError(Reason.BAD_ANSWER, f"{url}: {error}") from error
        if response.status_code != 200:
            raise EsiaError(Reason.BAD_ANSWER, f"{url}: HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as error:
            raise EsiaError(Reason.BAD_ANSWER, f"{url}: not JSON") from error
        if not isinstance(data, dict):
            raise EsiaError(Reason.BAD_ANSWER, f"{url}: not a JSON object")
        return data

    def _verified_email(self, session: OAuth2Session, contacts: dict[str, Any]) -> str:
        """The first e-mail that ESIA marks verified; unverified ones are never copied."""
        elements = contacts.get("elements")
        if not isinstance(elements, list):
            return ""
        for element in elements[:_MAX_CONTACTS]:
            if isinstance(element, str):
                # Not embedded: a link to the contact. Our bearer token goes only to ESIA.
                if not element.startswith(self.config.base_url + "/"):
                    continue
                element = self._get_json(session, element)
            if not isinstance(element, dict):
                continue
            if element.get("type") != "EML" or element.get("vrfStu") != "VERIFIED":
                continue
            address = _text(element.get("value"), limit=254)
            try:
                validate_email(address)
            except ValidationError:
                continue
            return address
        return ""


def _text(value: Any, *, limit: int = 150) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""
