"""ESIA's tokens with joserfc: only what ESIA does differently from plain JWT lives here.

- ESIA signs with RS256 or with GOST R 34.10-2012 (``GOST3410_2012_256``), which joserfc does
  not know: a JWS algorithm is registered (in our own registry, not joserfc's global one)
  that hands the work to :mod:`.signing`'s signer and verifier.
- ESIA's header carries ``ver`` and ``sbt``, which a strict registry would refuse.
- ``sub`` is the person's oid as a JSON number, where JWT wants a string.
"""

import time
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey, RSAKey
from joserfc.jws import JWSAlgModel, JWSRegistry
from joserfc.jwt import JWTClaimsRegistry
from joserfc.registry import HeaderParameter

from .signing import GOST3410_2012_256, RS256, Signer, SigningError, Verifier

ALGORITHMS = (RS256, GOST3410_2012_256)


class TokenError(Exception):
    """A token is malformed, wrongly signed, or its claims do not hold. For the log."""


class _BackendKey(OctKey):
    """Carries one of our signers or verifiers through joserfc to the GOST algorithm. It holds
    no key material of its own, and its key type matches no standard algorithm, so it can
    never be taken for an HMAC secret."""

    key_type = "esia-backend"

    def __init__(self, backend: Signer | Verifier):
        super().__init__(b"external-backend", backend)
        self.backend = backend


class _GostAlgorithm(JWSAlgModel):
    name = GOST3410_2012_256
    description = "GOST R 34.10-2012 (256) with GOST R 34.11-2012 (256), as ESIA signs"
    key_type = _BackendKey.key_type

    def sign(self, msg: bytes, key: Any) -> bytes:
        if not isinstance(key.backend, Signer):
            raise TokenError("a verifier cannot sign")
        return key.backend.sign_raw(msg)

    def verify(self, msg: bytes, sig: bytes, key: Any) -> bool:
        if not isinstance(key.backend, Verifier):
            raise TokenError("a signer cannot verify")
        return key.backend.verify_raw(msg, sig)


class EsiaJWSRegistry(JWSRegistry):
    # joserfc keeps its algorithms in class attributes: ours start from a copy of the
    # standard ones (registered when joserfc.jws is imported), so GOST stays out of theirs.
    algorithms = dict(JWSRegistry.algorithms)
    recommended: list[str] = []


EsiaJWSRegistry.register(_GostAlgorithm())


def _registry() -> EsiaJWSRegistry:
    return EsiaJWSRegistry(
        header_registry={
            "ver": HeaderParameter("ESIA token format version", "int"),
            "sbt": HeaderParameter("ESIA token subject type (id, access)", "str"),
        },
        algorithms=list(ALGORITHMS),
    )


class EsiaClaimsRegistry(JWTClaimsRegistry):
    def validate_sub(self, value: object) -> None:
        # ESIA sends the oid as a number.
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        super().validate_sub(value)


def _key_for(backend: Signer | Verifier, *, private: bool) -> OctKey | RSAKey:
    if backend.algorithm == GOST3410_2012_256:
        return _BackendKey(backend)
    if private:
        assert isinstance(backend, Signer)
        return RSAKey.import_key(backend.key_path.read_bytes())
    return RSAKey.import_key(backend.certificate)


def encode(claims: dict[str, Any], *, signer: Signer, subject_type: str = "id") -> str:
    """A token as ESIA issues it (for the local provider and for tests)."""
    header = {"alg": signer.algorithm, "ver": 1, "sbt": subject_type, "typ": "JWT"}
    try:
        return jwt.encode(header, claims, _key_for(signer, private=True), registry=_registry())
    except (JoseError, ValueError, OSError) as error:
        raise TokenError(f"cannot sign the token: {error}") from error


def verify_id_token(
    token: str, *, verifier: Verifier, issuer: str, audience: str, leeway: int = 60
) -> dict[str, Any]:
    """The claims of an id_token whose signature, issuer, audience and times hold."""
    try:
        decoded = jwt.decode(token, _key_for(verifier, private=False), registry=_registry())
    except SigningError:
        raise
    except (JoseError, ValueError, TypeError) as error:
        raise TokenError(f"id_token refused: {error.__class__.__name__}: {error}") from error
    claims = decoded.claims
    registry = EsiaClaimsRegistry(
        now=int(time.time()),
        leeway=leeway,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise TokenError(f"id_token claims refused: {error.__class__.__name__}: {error}") from error
    return claims
