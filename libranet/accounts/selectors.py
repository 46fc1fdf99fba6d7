"""Reads about accounts that apply rules: who is a reader, and what is stored about them."""

from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .models import EsiaIdentity


def esia_identity_of(user: Any) -> EsiaIdentity | None:
    """The ESIA identity of an active signed-in user, or None (staff, visitors)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.esia_identity  # cached on the user by Django after the first read
    except EsiaIdentity.DoesNotExist:
        return None


def is_reader(user: Any) -> bool:
    return esia_identity_of(user) is not None


def reader_needs_consent(user: Any) -> bool:
    identity = esia_identity_of(user)
    return identity is not None and identity.consent_accepted_at is None


def is_confirmed_reader(user: Any) -> bool:
    """Whether the user gets the ``readers`` access level: a reader whose identity ESIA
    confirms and who has accepted the personal-data consent. Simplified ESIA accounts,
    staff accounts and visitors do not."""
    identity = esia_identity_of(user)
    return bool(identity and identity.confirmed and identity.consent_accepted_at)


def reader_stored_data(user: Any) -> list[tuple[str, str]]:
    """Everything stored about a reader, as (label, value) rows for their own page; a test
    checks it against the models' fields so that nothing stored goes unshown."""
    identity = esia_identity_of(user)
    if identity is None:
        return []

    def when(moment) -> str:
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "—"

    return [
        (str(_("ESIA identifier (oid)")), identity.oid),
        (str(_("Last name")), user.last_name or "—"),
        (str(_("First name")), user.first_name or "—"),
        (str(_("E-mail (verified in ESIA)")), user.email or "—"),
        (str(_("Identity confirmed in ESIA")), str(_("yes") if identity.confirmed else _("no"))),
        (str(_("Confirmation last checked")), when(identity.confirmed_checked_at)),
        (str(_("Personal data consent accepted")), when(identity.consent_accepted_at)),
        (str(_("Account name")), user.get_username()),
        (str(_("Account created")), when(user.date_joined)),
        (str(_("Last sign-in")), when(user.last_login)),
        (str(_("Preferred language")), user.get_preferred_language_display()),
    ]
