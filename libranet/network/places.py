"""Where a request comes from: inside a center (by the center's IP networks, or from a
workstation its operator registered) or outside all of them.

Only an open center counts: a suspended or closed one opens nothing. The client's address is
read as the audit trail reads it (``X-Forwarded-For`` only from trusted proxies).
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from libranet.audit.context import client_address
from libranet.audit.services import audit_record, audited_revoke

from .models import Center, Workstation
from .permissions import Capability, can
from .services import RegistryError, ScopeError, center_for_address

WORKSTATION_COOKIE = "libranet_workstation"
WORKSTATION_COOKIE_AGE = 5 * 365 * 24 * 3600  # long-lived: revoked on the server, not expired
_SALT = "libranet.network.workstation"
LAST_SEEN_RESOLUTION = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Place:
    """A request's place: the open center it is in (None outside), and how that is known."""

    center: Center | None = None
    via: str = ""  # "network" or "workstation"; "" outside

    @property
    def inside(self) -> bool:
        return self.center is not None


OUTSIDE = Place()


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def place_of(request: Any) -> Place:
    """The place of ``request``, read once and kept on it."""
    cached = getattr(request, "_libranet_place", None)
    if cached is not None:
        return cached
    place = _by_network(request) or _by_workstation(request) or OUTSIDE
    request._libranet_place = place
    return place


def _by_network(request: Any) -> Place | None:
    address = client_address(request)
    center = center_for_address(address) if address else None
    if center is not None and center.status == Center.Status.OPEN:
        return Place(center=center, via="network")
    return None


def workstation_of(request: Any) -> Workstation | None:
    """The workstation this browser's cookie names, if the cookie is genuine (revoked ones
    too: the back office says so)."""
    value = request.COOKIES.get(WORKSTATION_COOKIE)
    if not value:
        return None
    try:
        data = signing.loads(value, salt=_SALT)
        return (
            Workstation.objects.select_related("center", "registered_by")
            .filter(pk=int(data["id"]), secret_hash=_hash(str(data["secret"])))
            .first()
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _by_workstation(request: Any) -> Place | None:
    workstation = workstation_of(request)
    if workstation is None or workstation.revoked_at is not None:
        return None
    if workstation.center.status != Center.Status.OPEN:
        return None
    _seen(workstation)
    return Place(center=workstation.center, via="workstation")


def _seen(workstation: Workstation) -> None:
    """Note the workstation's use at most once an hour: reading costs no write per request."""
    now = timezone.now()
    stale = now - LAST_SEEN_RESOLUTION
    if workstation.last_seen_at is None or workstation.last_seen_at < stale:
        Workstation.objects.filter(
            Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=stale), pk=workstation.pk
        ).update(last_seen_at=now)


@transaction.atomic
def workstation_register(*, actor: Any, center: Center, name: str) -> tuple[Workstation, str]:
    """Register the actor's browser as a workstation of ``center``; returns the workstation and
    the cookie value to set (it holds a secret that is not stored)."""
    if not can(actor, Capability.EDIT_CENTER_CONTACTS, center):
        raise ScopeError(_("Your role does not allow registering workstations of this center."))
    name = name.strip()
    if not name:
        raise RegistryError({"name": _("Give the workstation a name, such as “reading room 1”.")})
    secret = secrets.token_urlsafe(32)
    workstation = Workstation.objects.create(
        center=center, name=name[:100], secret_hash=_hash(secret), registered_by=actor
    )
    audit_record(actor=actor, action="workstation.register", obj=workstation)
    cookie = signing.dumps({"id": workstation.pk, "secret": secret}, salt=_SALT)
    return workstation, cookie


@transaction.atomic
def workstation_revoke(*, actor: Any, workstation: Workstation) -> Workstation:
    """Revoke a workstation: from now on its cookie places nobody in the center."""
    if not can(actor, Capability.EDIT_CENTER_CONTACTS, workstation.center):
        raise ScopeError(_("Your role does not allow revoking workstations of this center."))
    return audited_revoke(actor=actor, obj=workstation, action="workstation.revoke")
