"""SUSHI credentials: staff issue them (the API key is shown once and stored hashed) and revoke
them; every COUNTER API request is checked here by customer_id, requestor_id and api_key, and
never by the caller's address, which the Code of Practice forbids.

A credential for the whole Library reaches every customer; one for a center reaches that
center and, for a regional center, the centers it coordinates (its members).
"""

import datetime
import hashlib
import logging
import math
import re
import secrets
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from libranet.audit.services import audit_record, audited_revoke
from libranet.network.permissions import Capability, can
from libranet.network.services import ScopeError

from .counter import WORLD_CUSTOMER_ID, CounterException, Customer, customer_for
from .models import SushiCredential

logger = logging.getLogger(__name__)

# Where requests are counted while the shared cache is down (see ``sushi_rate_limit``).
PROCESS_COUNTS = LocMemCache("sushi-rate", {})

REQUESTOR_ID_RE = re.compile(r"^[A-Za-z0-9._@:+-]{1,100}$")
# A credential's last use is recorded at most this often: a harvest costs no write per call.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def _require_manager(actor: Any) -> None:
    """Every door passes its user; ``None`` is the system itself (a command, the tests)."""
    if actor is not None and not can(actor, Capability.MANAGE_SUSHI):
        raise ScopeError(_("Your role does not allow managing SUSHI credentials."))


@transaction.atomic
def sushi_credential_issue(
    *, actor: Any, name: str, requestor_id: str, customer_id: str
) -> tuple[SushiCredential, str]:
    """Issue a credential for a customer (a center's code, or the Library's customer_id);
    returns it with its API key, which is never stored."""
    _require_manager(actor)
    name, requestor_id, customer_id = name.strip(), requestor_id.strip(), customer_id.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Say who uses the credential.")
    if not REQUESTOR_ID_RE.match(requestor_id):
        errors["requestor_id"] = _(
            "A requestor ID is 1 to 100 Latin letters, digits and the signs . _ @ : + - "
            "(no spaces)."
        )
    customer = customer_for(customer_id) if customer_id != WORLD_CUSTOMER_ID else None
    if customer is None:
        errors["customer_id"] = _(
            "No center has the code “{code}”: give a center's code, or {library} for the "
            "whole Library."
        ).format(code=customer_id, library=settings.LIBRANET_SUSHI_LIBRARY_CUSTOMER_ID)
    if errors or customer is None:
        raise ValidationError(errors)
    api_key = secrets.token_urlsafe(32)
    credential = SushiCredential(
        requestor_id=requestor_id,
        center=customer.center,
        name=name,
        key_hash=key_hash(api_key),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    # The issuer is none when a command or the system issues: not a field anyone fills in.
    credential.full_clean(exclude=["created_by"])
    credential.save()
    audit_record(
        actor=actor,
        action="sushi_credential.issue",
        obj=credential,
        changes={"requestor_id": [None, requestor_id], "customer_id": [None, customer_id]},
    )
    return credential, api_key


def sushi_credential_revoke(*, actor: Any, credential: SushiCredential) -> SushiCredential:
    """Revoke a credential from now on (kept, with its history, for the audit trail)."""
    _require_manager(actor)
    return audited_revoke(actor=actor, obj=credential, action="sushi_credential.revoke")


def sushi_credential_customer(credential: SushiCredential) -> str:
    """The customer_id a credential was issued for."""
    return (
        credential.center.code if credential.center else settings.LIBRANET_SUSHI_LIBRARY_CUSTOMER_ID
    )


def _reaches(credential: SushiCredential, customer: Customer) -> bool:
    if credential.center_id is None:
        return True
    center = customer.center
    return center is not None and credential.center_id in (center.pk, center.regional_center_id)


def sushi_authenticate(*, customer_id: str, requestor_id: str, api_key: str) -> Customer:
    """The customer a COUNTER API request may read, or the exception that refuses it: 1030
    when something is missing, 2000 for an unknown (or revoked) requestor, 2020 for a key
    that is not the requestor's, 2011 for "The World", 2010 for a customer out of reach."""
    given = {"customer_id": customer_id, "requestor_id": requestor_id, "api_key": api_key}
    missing = [name for name, value in given.items() if not (value or "").strip()]
    if missing:
        raise CounterException(1030, f"{', '.join(missing)} missing")
    active = SushiCredential.objects.filter(requestor_id=requestor_id, revoked_at__isnull=True)
    credential = active.filter(key_hash=key_hash(api_key)).select_related("center").first()
    if credential is None:
        if not active.exists():
            raise CounterException(2000, f"requestor_id {requestor_id} has no valid credential")
        raise CounterException(2020, "the api_key is not this requestor's")
    if customer_id == WORLD_CUSTOMER_ID:
        raise CounterException(2011)
    customer = customer_for(customer_id)
    if customer is None or not _reaches(credential, customer):
        raise CounterException(
            2010, f"customer_id {customer_id} is unknown or out of this credential's reach"
        )
    now = timezone.now()
    since = now - LAST_USED_RESOLUTION
    # Conditional, so that requests racing on the same credential write it once.
    SushiCredential.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=since), pk=credential.pk
    ).update(last_used_at=now)
    return customer


def _window_count(counts: BaseCache, key: str, window: int) -> int | None:
    """Count one more request under ``key`` in ``counts``; None if that cache did not answer
    (a shared cache that is down answers every command with nothing: see CACHES)."""
    counts.add(key, 0, timeout=window + 1)
    try:
        return counts.incr(key)
    except ValueError:  # expired between the two calls
        counts.set(key, 1, timeout=window + 1)
        return 1


def sushi_rate_limit(*, customer: Customer) -> None:
    """Count a COUNTER API request of ``customer`` and refuse it with Exception 1020 (HTTP
    429, with the seconds to wait) past ``LIBRANET_SUSHI_RATE_REQUESTS`` in the current window
    of ``LIBRANET_SUSHI_RATE_WINDOW`` seconds. Fixed windows counted in the cache: one atomic
    increment per request, shared by every worker that shares the cache.

    When the shared cache does not answer, the request is counted in this process's memory
    instead: the limit still holds, per process (so at most the limit times the processes),
    rather than refusing every harvest while the cache is down or letting a runaway harvester
    at the database unchecked."""
    limit, window = settings.LIBRANET_SUSHI_RATE_REQUESTS, settings.LIBRANET_SUSHI_RATE_WINDOW
    if limit <= 0 or window <= 0:
        return
    now = time.time()
    start = int(now // window) * window
    key = f"sushi-rate:{customer.customer_id}:{start}"
    count = _window_count(cache, key, window)
    if count is None:
        logger.warning("SUSHI rate limit: the cache does not answer; counting in this process")
        count = _window_count(PROCESS_COUNTS, key, window)
    if count is not None and count > limit:
        wait = max(1, math.ceil(start + window - now))
        raise CounterException(
            1020,
            f"at most {limit} requests in {window} seconds for customer_id "
            f"{customer.customer_id}; retry after {wait} seconds",
            retry_after=wait,
        )
