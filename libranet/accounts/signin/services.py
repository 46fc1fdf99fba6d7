"""State changes of a user's sign-in: password, second factor, sessions. Each one audited.

Who may do them to whom is decided above (the account's own pages, or an administrator through
``network.staff``); these functions only carry them out correctly.
"""

import base64
import binascii
import math
import time
from typing import Any

from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from libranet.accounts.models import User
from libranet.audit.services import audit_record

# Codes from the step before and after the current one are accepted: a phone's clock may be off.
TOTP_TOLERANCE = 1


class SecondFactorError(ValidationError):
    """A code that does not match, or a second factor that cannot be set up as asked."""


@transaction.atomic
def user_password_set(*, actor: Any, user: User, password: str, reset: bool = False) -> User:
    """Give ``user`` a new password (strong-password rules apply).

    The password is part of every session's signature, so the user's other sessions end; the
    page that called this keeps its own with ``update_session_auth_hash``. A reset by e-mail
    also clears the account's failed sign-ins: the owner has just proved who they are.
    """
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    if reset:
        AccessAttempt.objects.filter(username=user.get_username()).delete()
    audit_record(
        actor=actor, action="user.password_reset" if reset else "user.password_change", obj=user
    )
    return user


@transaction.atomic
def sign_in_failure_record(*, request: Any, user: User, action: str) -> None:
    """Count a wrong secret of ``user`` given at a door other than the sign-in form (the old
    password of the password change, a second-factor code) as a failed sign-in: the same
    counters per account and per address, so the same slow-down and lockout (the door asks
    ``lockout.door_refusal`` first), and an audit row ``action``."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    # Axes marks a request that reached the limit for its middleware to answer with the
    # sign-in page; this door answers in its own page, and refuses the next attempt itself.
    request.axes_locked_out = False
    audit_record(actor=user, action=action, obj=user)


@transaction.atomic
def user_sign_out_everywhere(*, actor: Any, user: User) -> User:
    """End every session of ``user`` at once, on every device (the epoch signs each session)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    audit_record(actor=actor, action="user.sign_out_everywhere", obj=user)
    return user


def totp_new_key() -> str:
    """A fresh secret for a TOTP device (hex, as django-otp stores it)."""
    return random_hex(20)


def totp_key_base32(key: str) -> str:
    """The secret as authenticator apps take it when typed in: base32, in groups of four."""
    text = base64.b32encode(bytes.fromhex(key)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_config_url(*, user: User, key: str) -> str:
    """The ``otpauth://`` address that the QR code carries."""
    return TOTPDevice(user=user, key=key).config_url


def _token(value: str) -> int | None:
    value = "".join(value.split())
    return int(value) if value.isdigit() and len(value) == 6 else None


@transaction.atomic
def totp_device_confirm(*, actor: Any, user: User, key: str, token: str) -> TOTPDevice:
    """Set up ``user``'s authenticator: ``token`` must be its current code for ``key``.

    The new device replaces any earlier one (one authenticator per user, so a lost phone is
    one reset). The code just used cannot be used again to sign in.
    """
    try:
        secret = bytes.fromhex(key)
    except (ValueError, binascii.Error) as exc:
        raise SecondFactorError(_("The setup has expired; start again.")) from exc
    code = _token(token)
    totp = TOTP(secret)
    totp.time = time.time()
    if code is None or not totp.verify(code, tolerance=TOTP_TOLERANCE):
        raise SecondFactorError(
            _("The code does not match. Check the time on your phone and enter the current code.")
        )
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user,
        name=_("Authenticator app"),
        key=key,
        confirmed=True,
        tolerance=TOTP_TOLERANCE,
        last_t=totp.t(),
        drift=totp.drift,
    )
    audit_record(actor=actor, action="user.totp_set", obj=user)
    return device


def totp_device_of(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    if not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def totp_verify(*, device: TOTPDevice, token: str) -> bool:
    """Check a code at sign-in. Wrong codes slow the device down (django-otp's throttling:
    1, 2, 4... seconds between attempts), which the caller reports with ``totp_wait``."""
    code = _token(token)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if code is None:
            device.throttle_increment(commit=True)
            return False
        return bool(device.verify_token(code))


def totp_wait(device: TOTPDevice) -> int:
    """Seconds until the device accepts another code after wrong ones (0: now)."""
    device.refresh_from_db()
    allowed, data = device.verify_is_allowed()
    if allowed or not data or not data.get("locked_until"):
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


@transaction.atomic
def totp_device_remove(*, actor: Any, user: User, action: str = "user.totp_remove") -> int:
    """Remove ``user``'s authenticator; their sessions end, as one made with it may be
    someone else's (a lost phone). Returns how many devices were removed."""
    count, _details = TOTPDevice.objects.filter(user=user).delete()
    if count:
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        audit_record(actor=actor, action=action, obj=user)
    return count
