"""Lockout and slow-down after failed sign-ins, per account and per address.

django-axes counts the failures (``AccessAttempt``: per username, address and browser, with the
time of the last failure) and refuses a locked sign-in in its authentication backend, before the
password is checked. Libranet adds to it:

- a larger limit per address than per account (``LockoutHandler``): many staff of one library
  may sign in from behind one address, and one of them mistyping must not lock out the rest;
- a success clears the account's failures, never the address's: one valid account must not let
  an address go on guessing other accounts' passwords;
- the sign-in page, not a bare error page, says how long the lock lasts
  (``views.lockout_response``);
- a slow-down before the lockout (``slowdown_wait``): from the third failure on, the next
  attempt is refused unless 2, 4, 8... seconds have passed since the last failure. It is a
  refusal, not a sleep, so that an attacker cannot tie up the server's workers;
- every door that takes a secret of the account (the sign-in form, the old password of the
  password change, the second factor's code) is refused while ``door_refusal`` says so, and
  counts its failures in the same counters (``signin.services.sign_in_failure_record``);
- the counters are kept under the username as Django compares it (``normalised_username``,
  Axes' ``AXES_USERNAME_CALLABLE``): a look-alike spelling of a name (full-width letters)
  signs in to the same account, so it must meet the same counters.
"""

import datetime
import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext

from libranet.accounts.models import User
from libranet.audit.context import client_address


def normalised_username(request: Any, credentials: dict | None = None) -> str | None:
    """The username whose failures count (``AXES_USERNAME_CALLABLE``): from the credentials
    given to the authentication, else from the form, stripped and NFKC-normalised as the
    sign-in form and ``User.normalize_username`` make it before the account is looked up."""
    if credentials:
        raw = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        raw = getattr(request, "POST", {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(raw, str) or "\x00" in raw:
        return None  # no account has such a name (forms refuse it); PostgreSQL cannot store it
    return User.normalize_username(raw.strip())


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check for password sign-ins made through a request.

    Other authentications (a provider's callback, a sign-in from code without a request, such
    as the test client's ``login``) pass through: they have no password to guess."""

    def authenticate(self, request: Any, username: Any = None, password: Any = None, **kwargs: Any):
        if request is None or password is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _account_limit() -> int:
    return settings.AXES_FAILURE_LIMIT


def _address_limit() -> int:
    return settings.LIBRANET_LOGIN_FAILURES_PER_ADDRESS


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per account and a larger one per address."""

    def get_failures(self, request: Any, credentials: dict | None = None) -> int:
        # Axes compares this number with AXES_FAILURE_LIMIT (the account's limit): report the
        # account's failures, or the limit itself once the address has reached its own.
        by_account, by_address = (
            sum(a.failures_since_start for a in attempts)
            for attempts in self.get_user_attempts(request, credentials)
        )
        if by_address >= _address_limit():
            return max(by_account, _account_limit())
        return by_account

    def reset_user_attempts(self, request: Any, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def _recent(**lookup: Any) -> list[AccessAttempt]:
    """The failures still counted (within the cool-off), newest first."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return list(
        AccessAttempt.objects.filter(attempt_time__gte=since, **lookup).order_by("-attempt_time")
    )


def _counters(request: Any, username: str | None) -> list[tuple[list[AccessAttempt], int]]:
    """Each counter that applies to this sign-in (the account's, the address's) with its limit."""
    counters = []
    if username:
        counters.append((_recent(username=username), _account_limit()))
    address = client_address(request)
    if address:
        counters.append((_recent(ip_address=address), _address_limit()))
    return counters


def locked_until(request: Any, username: str | None) -> datetime.datetime | None:
    """When this account or address may sign in again, or None if neither is locked.

    A counter's failures expire with the time of their row's last failure, so the lock ends
    when, newest first, the rows that make up the limit are no longer all within the cool-off.
    """
    ends = []
    for attempts, limit in _counters(request, username):
        total = 0
        for attempt in attempts:
            total += attempt.failures_since_start
            if total >= limit:
                ends.append(attempt.attempt_time + settings.AXES_COOLOFF_TIME)
                break
    return max(ends) if ends else None


def slowdown_wait(request: Any, username: str | None) -> int:
    """Seconds this sign-in must still wait after the last failure (0: it may go ahead)."""
    after = settings.LIBRANET_LOGIN_SLOWDOWN_AFTER
    wait = 0.0
    now = timezone.now()
    for attempts, _limit in _counters(request, username):
        failures = sum(a.failures_since_start for a in attempts)
        if failures < after or not attempts:
            continue
        delay = min(2 ** (failures - after + 1), settings.LIBRANET_LOGIN_MAX_DELAY)
        ready = attempts[0].attempt_time + datetime.timedelta(seconds=delay)
        wait = max(wait, (ready - now).total_seconds())
    return math.ceil(wait)


def lockout_message(request: Any, username: str | None) -> str:
    until = locked_until(request, username)
    seconds = (until - timezone.now()).total_seconds() if until else 60
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many failed sign-ins. Try again in {minutes} minute.",
        "Too many failed sign-ins. Try again in {minutes} minutes.",
        minutes,
    ).format(minutes=minutes)


def door_refusal(request: Any, username: str) -> str:
    """Why a secret of this account given now, at any door, must be refused unchecked: the
    account or the address is locked, or the slow-down's wait has not passed; "" to go on."""
    if locked_until(request, username):
        return lockout_message(request, username)
    wait = slowdown_wait(request, username)
    if wait:
        return ngettext(
            "Too many failed sign-ins. Wait {seconds} second and try again.",
            "Too many failed sign-ins. Wait {seconds} seconds and try again.",
            wait,
        ).format(seconds=wait)
    return ""
