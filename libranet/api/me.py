"""Who is calling: ``GET /api/v1/me`` answers for the signed-in user (by token or session)."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from libranet.accounts.selectors import esia_identity_of, is_confirmed_reader
from libranet.network.permissions import roles_of

from .auth import WRITE_AUTH

router = Router(tags=["me"])


class RoleOut(Schema):
    role: str
    label: str
    center: str | None  # the operator's center code
    region: str | None  # the head's region code


class IdentityOut(Schema):
    provider: str
    confirmed: bool
    consent_accepted: bool


class MeOut(Schema):
    username: str
    first_name: str
    last_name: str
    roles: list[RoleOut]
    identity: IdentityOut | None
    readers_access: bool


@router.get(
    "/me",
    auth=WRITE_AUTH,
    response={200: MeOut},
    summary="The signed-in user",
)
def me(request: HttpRequest) -> dict[str, Any]:
    """The user behind the token or session: their staff roles with scope (a center for an
    operator, a region for a regional-center head), their ESIA identity and whether it is
    confirmed, and whether they get the readers' access level. 401 for anyone else."""
    user = request.auth  # type: ignore[attr-defined]
    identity = esia_identity_of(user)
    roles = [
        {
            "role": role.role,
            "label": str(role.get_role_display()),
            "center": role.center.code if role.center_id else None,
            "region": role.region.code if role.region_id else None,
        }
        for role in roles_of(user)
    ]
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "roles": roles,
        "identity": identity
        and {
            "provider": "esia",
            "confirmed": identity.confirmed,
            "consent_accepted": identity.consent_accepted_at is not None,
        },
        "readers_access": is_confirmed_reader(user),
    }
