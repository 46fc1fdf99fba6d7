"""State changes of accounts: staff users and API tokens."""

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from libranet.audit.services import audit_record

from .models import ApiToken, User


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


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke ``token`` from now on (kept, with its history, for the audit trail)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", obj=token)
    return token
