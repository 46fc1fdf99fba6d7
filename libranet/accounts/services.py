"""State changes of accounts: staff users, readers (ESIA) and API tokens."""

import datetime
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from libranet.audit.services import audit_record, audited_revoke

from .models import ApiToken, EsiaIdentity, User


@transaction.atomic
def user_create_staff(
    *,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
    actor: Any = None,
) -> User:
    """Create a staff account; the password must pass the strong-password rules."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(actor=actor, action="user.create", obj=user)
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str, actor: Any = None) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the token and its secret, which is never stored."""
    secret = ApiToken.new_secret()
    token = ApiToken(user=user, name=name, key_hash=ApiToken.hash(secret), prefix=secret[4:12])
    token.full_clean()
    token.save()
    audit_record(actor=actor or user, action="api_token.create", obj=token)
    return token, secret


def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke ``token`` from now on (kept, with its history, for the audit trail)."""
    return audited_revoke(actor=actor, obj=token, action="api_token.revoke")


# A token's last use is recorded at most this often: a busy client costs no write per call.
API_TOKEN_LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def api_token_authenticate(secret: str) -> User | None:
    """The active user a valid, unrevoked token ``secret`` belongs to (None otherwise); notes
    the token's last use."""
    token = ApiToken.objects.get_by_secret(secret) if secret else None
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    since = now - API_TOKEN_LAST_USED_RESOLUTION
    if token.last_used_at is None or token.last_used_at < since:
        # Conditional, so that workers racing on the same token write it once.
        ApiToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=since), pk=token.pk
        ).update(last_used_at=now)
    return token.user


def bearer_secret(request: Any) -> str | None:
    """The secret of an ``Authorization: Bearer <secret>`` header ("" when empty), or None
    when the request carries no bearer credential."""
    scheme, _sep, secret = request.headers.get("Authorization", "").strip().partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


# --- readers (ESIA) ---------------------------------------------------------------------------


class ReaderError(Exception):
    """A reader's account cannot do what was asked; the message is for the person."""


# The audit trail outlives a deleted account, so it never holds a reader's personal data:
# which of these fields changed is recorded, not their values.
_READER_PERSONAL_FIELDS = ("first_name", "last_name", "email")
_HIDDEN = "(personal data)"


def _reader_username() -> str:
    # Random rather than derived from the oid: the username appears in the audit trail, which
    # is never edited, and must not point back at the person once the account is deleted.
    return f"reader-{secrets.token_hex(6)}"


@transaction.atomic
def reader_sign_in_with_esia(
    *, oid: str, confirmed: bool, first_name: str, last_name: str, email: str
) -> User:
    """The reader of an ESIA identity that the caller has verified, created on first sign-in.

    The name, the verified e-mail (or none) and the confirmation flag follow what ESIA says
    at each sign-in; nothing else about the person is stored.
    """
    now = timezone.now()
    identity = (
        EsiaIdentity.objects.select_for_update().select_related("user").filter(oid=oid).first()
    )
    if identity is None:
        user = User(
            username=_reader_username(), first_name=first_name, last_name=last_name, email=email
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        identity = EsiaIdentity(user=user, oid=oid, confirmed=confirmed, confirmed_checked_at=now)
        identity.full_clean()
        identity.save()
        audit_record(
            actor=user, action="reader.create", obj=user, changes={"confirmed": [None, confirmed]}
        )
        return user
    user = identity.user
    if not user.is_active:
        raise ReaderError(_("This reader account is blocked. Please contact the Library."))
    before = {name: getattr(user, name) for name in _READER_PERSONAL_FIELDS}
    user.first_name, user.last_name, user.email = first_name, last_name, email
    changes: dict[str, list[Any]] = {
        name: [_HIDDEN, _HIDDEN]
        for name in _READER_PERSONAL_FIELDS
        if before[name] != getattr(user, name)
    }
    if identity.confirmed != confirmed:
        changes["confirmed"] = [identity.confirmed, confirmed]
    identity.confirmed, identity.confirmed_checked_at = confirmed, now
    user.full_clean()
    user.save(update_fields=list(_READER_PERSONAL_FIELDS))
    identity.full_clean()
    identity.save(update_fields=["confirmed", "confirmed_checked_at"])
    if changes:
        audit_record(actor=user, action="reader.update", obj=user, changes=changes)
    return user


@transaction.atomic
def reader_accept_consent(*, user: User) -> EsiaIdentity:
    """The reader accepts the personal-data consent; until then the account is not usable."""
    identity = EsiaIdentity.objects.select_for_update().filter(user=user).first()
    if identity is None:
        raise ReaderError(_("Only a reader signed in with Gosuslugi gives this consent."))
    if identity.consent_accepted_at is None:
        identity.consent_accepted_at = timezone.now()
        identity.save(update_fields=["consent_accepted_at"])
        audit_record(actor=user, action="reader.consent_accept", obj=user)
    return identity


@transaction.atomic
def reader_delete(*, user: User) -> User:
    """Delete a reader's account at their request: the ESIA identity and every personal
    field go, and all sessions end.

    The user row itself stays, anonymized and inactive, so that its id stays stable: usage
    statistics (a later issue) and the audit trail refer to readers by id, and keep counting
    without knowing who it was. A new sign-in with the same ESIA identity starts a new account.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    deleted = EsiaIdentity.objects.filter(user=locked).delete()[0]
    if not deleted:
        raise ReaderError(_("Only a reader's own account can be deleted here."))
    locked.username = f"deleted-{locked.pk}"
    locked.first_name = locked.last_name = locked.email = ""
    locked.last_login = None
    locked.is_active = False
    locked.set_unusable_password()
    locked.session_epoch += 1  # signs the reader out of every browser
    locked.save()
    audit_record(actor=locked, action="reader.delete", obj=locked)
    return locked
