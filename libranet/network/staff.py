"""Staff accounts as the network sees them: who works where, granting a role to an existing
account, deactivating an account, resetting a lost second factor. Scopes as in
``permissions.can_grant``; every change audited."""

from itertools import groupby
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from libranet.accounts.models import User
from libranet.accounts.signin.services import totp_device_remove
from libranet.audit.services import audit_record, model_changes

from .models import Center, Invitation, Region, StaffRole
from .permissions import Capability, can, can_grant, can_manage_account, grantable_scope
from .services import RegistryError, ScopeError, staff_role_assign

# --- reads ------------------------------------------------------------------------------------


def staff_list(*, user: Any) -> list[tuple[User, list[StaffRole]]]:
    """The staff whose roles ``user`` could grant, each with those roles (one query)."""
    roles = (
        StaffRole.objects.filter(grantable_scope(user))
        .select_related("user", "center", "region")
        .order_by("user__username", "role", "id")
    )
    return [(account, list(rows)) for account, rows in groupby(roles, key=lambda r: r.user)]


def invitation_list(*, user: Any) -> QuerySet[Invitation]:
    """The unused invitations (pending or expired) that ``user`` may manage, newest first."""
    return (
        Invitation.objects.filter(grantable_scope(user))
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("center", "region", "invited_by")
    )


# --- changes ----------------------------------------------------------------------------------


@transaction.atomic
def staff_role_grant(
    *,
    actor: Any,
    user: User,
    role: str,
    center: Center | None = None,
    region: Region | None = None,
) -> StaffRole:
    """Give an existing, active account a role (the alternative to inviting its address)."""
    if actor is not None and not can_grant(actor, role, center, region):
        raise ScopeError(
            {"role": _("Your role does not allow granting this role with this scope.")}
        )
    if not user.is_active:
        raise ScopeError(
            _("The account {username} is deactivated; an administrator can reactivate it.").format(
                username=user.get_username()
            )
        )
    return staff_role_assign(actor=actor, user=user, role=role, center=center, region=region)


@transaction.atomic
def staff_name_update(*, actor: Any, user: User, first_name: str, last_name: str) -> User:
    """Correct a staff member's name as the staff pages and the audit trail show it; by those
    who manage the account (see ``can_manage_account``)."""
    if actor is not None and not can_manage_account(actor, user):
        raise ScopeError(_("Your role does not allow changing this account."))
    before = {"first_name": user.first_name, "last_name": user.last_name}
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise RegistryError(exc.message_dict) from exc
    user.save(update_fields=["first_name", "last_name"])
    changes = model_changes(before, {"first_name": user.first_name, "last_name": user.last_name})
    if changes:
        audit_record(actor=actor, action="user.name_change", obj=user, changes=changes)
    return user


@transaction.atomic
def staff_deactivate(*, actor: Any, user: User) -> User:
    """Close a staff account: it can no longer sign in, its sessions end and its API tokens stop
    working. Kept, with its history, for the audit trail."""
    if actor is not None and not can_manage_account(actor, user):
        raise ScopeError(_("Your role does not allow deactivating this account."))
    if user.is_active:
        User.objects.filter(pk=user.pk).update(
            is_active=False, session_epoch=F("session_epoch") + 1
        )
        user.refresh_from_db(fields=["is_active", "session_epoch"])
        audit_record(actor=actor, action="user.deactivate", obj=user)
    return user


@transaction.atomic
def staff_second_factor_reset(*, actor: Any, user: User) -> int:
    """Remove ``user``'s authenticator (a lost phone): they set up a new one at their next
    sign-in, and their sessions end. Administrators only."""
    if actor is not None and not can(actor, Capability.RESET_SECOND_FACTOR):
        raise ScopeError(_("Only an administrator can reset a second factor."))
    return totp_device_remove(actor=actor, user=user, action="user.totp_reset")
