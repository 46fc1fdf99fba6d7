import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person: staff sign in with a password; readers will come through ESIA (issue 3).

    Roles and their scopes (a center, a region) live in ``network.StaffRole``, since a scope
    points at network objects; a user without a staff role is a reader.
    """

    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="ru"
    )
    # Part of every session's signature: raising it signs the user out everywhere at once.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_session_auth_hash(self) -> str:
        """Django checks this against each session: a new password or epoch ends them all."""
        return salted_hmac(
            "libranet.accounts.User.session",
            f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def get_by_secret(self, secret: str) -> "ApiToken | None":
        return (
            self.filter(key_hash=ApiToken.hash(secret), revoked_at__isnull=True)
            .select_related("user")
            .first()
        )


class ApiToken(models.Model):
    """A bearer token for machine clients; only its hash is stored, the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def new_secret() -> str:
        return "lbn_" + secrets.token_urlsafe(32)


class EsiaIdentity(models.Model):
    """A reader's identity in ESIA (Gosuslugi). The oid is the key; besides it only the
    confirmation flag and the consent's time are kept here, and on the user only the name and
    a verified e-mail: nothing else that ESIA knows is stored."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="esia_identity"
    )
    oid = models.CharField(_("ESIA identifier (oid)"), max_length=20, unique=True)
    # A confirmed account (identity checked in person or by a qualified signature); ESIA's
    # simplified and standard ones are not. Only a confirmed one gets the readers level.
    confirmed = models.BooleanField(_("identity confirmed in ESIA"), default=False)
    confirmed_checked_at = models.DateTimeField(_("confirmation last checked"))
    consent_accepted_at = models.DateTimeField(
        _("personal data consent accepted"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("ESIA identity")
        verbose_name_plural = _("ESIA identities")

    def __str__(self) -> str:
        return f"ESIA {self.oid}"
