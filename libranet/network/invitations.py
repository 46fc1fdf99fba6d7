"""Invitations to staff accounts: create, send again, withdraw, accept. Each in one transaction,
audited, with the mail sent only once the transaction commits.

Who may invite whom is ``permissions.can_grant``: an inviter grants only roles and scopes inside
their own, and the rule is checked again when the invitation is accepted (an inviter who has
lost the role since cannot hand it out through an old link).
"""

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from libranet.accounts.models import User
from libranet.accounts.services import user_create_staff
from libranet.audit.services import audit_record
from libranet.mail.services import mail_send

from .models import Center, Invitation, Region
from .permissions import can_grant
from .services import RegistryError, ScopeError, staff_role_assign


class InvitationError(RegistryError):
    """An invitation cannot be created, sent or accepted as asked; the message says why."""


class AccountExists(InvitationError):
    """The address already belongs to an account: grant the role to that account instead."""

    def __init__(self, user: User) -> None:
        self.user = user
        super().__init__(
            {
                "email": _(
                    "An account with this e-mail already exists ({username}). Grant the role "
                    "to that account instead of inviting it."
                ).format(username=user.get_username())
            }
        )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _valid_days() -> datetime.timedelta:
    return datetime.timedelta(days=settings.LIBRANET_INVITATION_DAYS)


def invitation_link(token: str, language: str) -> str:
    """The absolute address of the acceptance page for ``token``, in ``language``.

    The page belongs to the back office (a face above this app); it is reached by its URL name
    alone, as mail must carry an address."""
    with translation.override(language):
        path = reverse("invitations:accept", kwargs={"token": token})
    return settings.LIBRANET_SITE_URL + path


def _send(invitation: Invitation, token: str) -> None:
    inviter = invitation.invited_by
    mail_send(
        to=invitation.email,
        template="invitation",
        context={
            "invitation": invitation,
            "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else "",
            "link": invitation_link(token, invitation.language),
            "days": settings.LIBRANET_INVITATION_DAYS,
        },
        language=invitation.language,
        key=f"invitation:{invitation.pk}:{invitation.times_sent}",
        secret=True,
    )


def _authorize(actor: Any, role: str, center: Center | None, region: Region | None) -> None:
    if actor is not None and not can_grant(actor, role, center, region):
        raise ScopeError(
            {"role": _("Your role does not allow granting this role with this scope.")}
        )


def _existing_account(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


@transaction.atomic
def invitation_create(
    *,
    actor: Any,
    email: str,
    role: str,
    center: Center | None = None,
    region: Region | None = None,
    language: str = "ru",
    first_name: str = "",
    last_name: str = "",
) -> tuple[Invitation, str]:
    """Invite ``email`` to a staff account with ``role`` in its scope; mail the link.

    Returns the invitation and the link's token, which is not stored (only its hash is).
    Refused: a role or scope beyond the actor's, an address that already has an account
    (``AccountExists``), an address already invited to the same role and scope.
    """
    email = BaseUserManager.normalize_email(email.strip())
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
        center=center,
        region=region,
        language=language,
        invited_by=actor if getattr(actor, "pk", None) else None,
        token_hash=token_hash(token),
        sent_at=now,
        expires_at=now + _valid_days(),
    )
    try:
        invitation.full_clean()
    except ValidationError as exc:
        raise InvitationError(exc.message_dict) from exc
    _authorize(actor, role, center, region)
    existing = _existing_account(email)
    if existing is not None:
        raise AccountExists(existing)
    duplicate = Invitation.objects.filter(
        email__iexact=email,
        role=role,
        center=center,
        region=region,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).exists()
    if duplicate:
        raise InvitationError(
            {
                "email": _(
                    "{email} is already invited to this role; send that invitation again from "
                    "the list instead."
                ).format(email=email)
            }
        )
    invitation.save()
    audit_record(
        actor=actor,
        action="invitation.create",
        obj=invitation,
        changes={"email": email, "role": role, "scope": str(invitation.scope or "")},
    )
    _send(invitation, token)
    return invitation, token


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link's token stands for (whatever its state), or None."""
    if not token:
        return None
    return (
        Invitation.objects.select_related("center", "region", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why this invitation cannot be accepted, in words for the invitee; None if it can."""
    if invitation is None:
        return _(
            "This invitation link is not valid. Check that it was copied whole, or ask for a "
            "new invitation."
        )
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        return _("This invitation has already been used. Sign in with the account created with it.")
    if state == Invitation.State.REVOKED:
        return _("This invitation was withdrawn. Ask the person who invited you for a new one.")
    if state == Invitation.State.EXPIRED:
        return _(
            "This invitation expired on {date}. Ask the person who invited you to send it again."
        ).format(date=formats.date_format(timezone.localtime(invitation.expires_at)))
    return None


@transaction.atomic
def invitation_accept(
    *, token: str, username: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """Create the invitee's account with the invited role, all at once or not at all.

    The password must pass the strong-password rules; the link then stops working.
    """
    invitation = invitation_by_token(token)
    if invitation is not None:  # lock it: two clicks on the link must not make two accounts
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = invitation_problem(invitation)
    if problem:
        raise InvitationError(problem)
    assert invitation is not None
    inviter = invitation.invited_by
    if inviter is not None and not can_grant(
        inviter, invitation.role, invitation.center, invitation.region
    ):
        raise InvitationError(
            _("The person who invited you can no longer grant this role. Ask for a new invitation.")
        )
    if _existing_account(invitation.email) is not None:
        raise InvitationError(
            _(
                "An account with this e-mail already exists. Sign in with it, and ask the person "
                "who invited you to grant the role to that account."
            )
        )
    candidate = User(
        username=username.strip(),
        email=invitation.email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    errors: dict[str, list[str]] = {}
    try:
        candidate.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise InvitationError(errors)
    user = user_create_staff(
        username=candidate.username,
        password=password,
        email=invitation.email,
        first_name=candidate.first_name,
        last_name=candidate.last_name,
        actor=inviter,
    )
    user.preferred_language = invitation.language
    user.save(update_fields=["preferred_language"])
    staff_role_assign(
        actor=inviter,
        user=user,
        role=invitation.role,
        center=invitation.center,
        region=invitation.region,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(actor=user, action="invitation.accept", obj=invitation)
    return user


def _lock_open(invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state in (Invitation.State.ACCEPTED, Invitation.State.REVOKED):
        raise InvitationError(
            _("This invitation is already {state}.").format(state=invitation.get_state_display())
        )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Any, invitation: Invitation) -> Invitation:
    """Withdraw an invitation that has not been used: its link stops working."""
    invitation = _lock_open(invitation)
    _authorize(actor, invitation.role, invitation.center, invitation.region)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="invitation.revoke", obj=invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, actor: Any, invitation: Invitation) -> tuple[Invitation, str]:
    """Send an unused invitation again with a new link, valid for the full term from now;
    the previous link stops working."""
    invitation = _lock_open(invitation)
    _authorize(actor, invitation.role, invitation.center, invitation.region)
    existing = _existing_account(invitation.email)
    if existing is not None:
        raise AccountExists(existing)
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = token_hash(token)
    invitation.sent_at = now
    invitation.expires_at = now + _valid_days()
    invitation.times_sent += 1
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "times_sent"])
    audit_record(actor=actor, action="invitation.resend", obj=invitation)
    _send(invitation, token)
    return invitation, token
