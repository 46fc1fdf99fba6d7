"""Cooperation agreements between the Library and its partners (decision 7 of the 2020
resolution: renew them), and the renewal rounds that take each through its steps.

An agreement's partner is a host institution; it names the center it concerns (a regional
center or a remote access center), and that center decides who sees it (the permission
module's ``agreements_scope``). Its state is partly stored (draft, active, terminated,
renewed) and partly read from the calendar (expiring, expired): see ``Agreement.state_on``.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from libranet.network.models import Center, Institution, Region
from libranet.revisions import Revisioned


class Prolongation(models.TextChoices):
    NONE = "none", _("none")
    YEARLY = "yearly", _("for a year")
    SAME_TERM = "same_term", _("for the same term")


class State(models.TextChoices):
    """What a page shows: the stored status, or for an active agreement the calendar's word."""

    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("active")
    EXPIRING = "expiring", _("expiring")
    EXPIRED = "expired", _("expired")
    TERMINATED = "terminated", _("terminated")
    RENEWED = "renewed", _("renewed")


class AgreementQuerySet(models.QuerySet):
    def with_relations(self) -> "AgreementQuerySet":
        return self.select_related("institution", "center__region", "center__country")

    def in_state(self, state: str, today: datetime.date) -> "AgreementQuerySet":
        """Agreements in ``state`` (one of ``State``) on ``today``."""
        soon = today + datetime.timedelta(days=settings.LIBRANET_AGREEMENT_EXPIRY_DAYS)
        active = self.filter(status=Agreement.Status.ACTIVE)
        if state == State.EXPIRED:
            return active.filter(ends_on__lt=today)
        if state == State.EXPIRING:
            return active.filter(ends_on__gte=today, ends_on__lte=soon)
        if state == State.ACTIVE:
            return active.filter(ends_on__gt=soon)
        return self.filter(status=state)

    def expiring_within(self, days: int, today: datetime.date) -> "AgreementQuerySet":
        """Active agreements that end between ``today`` and ``days`` days later."""
        return self.filter(
            status=Agreement.Status.ACTIVE,
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=days),
        )


def scan_path(agreement: "Agreement", filename: str) -> str:
    # Under the data folder's media, which no URL serves: the scan view checks who asks.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"agreements/{agreement.pk or 'new'}/scan-{timezone.now():%Y%m%d%H%M%S}.{suffix}"


class Agreement(Revisioned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        TERMINATED = "terminated", _("terminated")
        RENEWED = "renewed", _("renewed")

    number = models.CharField(_("number"), max_length=64)
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("partner institution"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    center = models.ForeignKey(
        Center,
        verbose_name=_("center"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
        help_text=_("The regional or remote access center the agreement concerns."),
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    prolongation = models.CharField(
        _("automatic prolongation"),
        max_length=16,
        choices=Prolongation.choices,
        default=Prolongation.NONE,
    )
    notice_days = models.PositiveIntegerField(
        _("notice (days)"),
        default=30,
        help_text=_("How long before the end a party must announce it will not prolong."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    scan = models.FileField(_("signed scan"), upload_to=scan_path, max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
    )
    # The reminder last sent for this end date (90 or 30 days before it), so each goes once.
    reminded_days = models.PositiveIntegerField(null=True, blank=True, editable=False)
    reminded_ends_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["ends_on", "number"]
        constraints = [
            models.CheckConstraint(
                name="agreement_ends_after_start",
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                violation_error_message=_("An agreement cannot end before it starts."),
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_on"])]

    def __str__(self) -> str:
        return f"№ {self.number} — {self.institution}"

    def state_on(self, today: datetime.date) -> str:
        if self.status != self.Status.ACTIVE:
            return self.status
        if self.ends_on < today:
            return State.EXPIRED
        if (self.ends_on - today).days <= settings.LIBRANET_AGREEMENT_EXPIRY_DAYS:
            return State.EXPIRING
        return State.ACTIVE

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    def get_state_display(self) -> str:
        return str(State(self.state).label)

    @property
    def region(self) -> Region | None:
        return self.center.region if self.center is not None else None


class RenewalRound(models.Model):
    """A round of renewals (decision 7): the agreements it covers were chosen when it was
    created, by a filter (those ending before a date, those of a region, or both)."""

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveIntegerField(_("year"))
    deadline = models.DateField(_("deadline"))
    expiring_before = models.DateField(_("agreements ending before"), null=True, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("renewal round")
        verbose_name_plural = _("renewal rounds")
        ordering = ["-year", "-created_at"]

    def __str__(self) -> str:
        # A title usually names its year already («Перезаключение соглашений 2026»).
        year = str(self.year)
        return self.title if year in self.title else f"{self.title} ({year})"


class Renewal(models.Model):
    """One agreement's way through a round: sent to the partner → signed by the partner →
    signed by the Library (which makes the renewed agreement)."""

    class Step(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent to the partner")
        PARTNER_SIGNED = "partner_signed", _("signed by the partner")
        LIBRARY_SIGNED = "library_signed", _("signed by the Library")

    round = models.ForeignKey(RenewalRound, on_delete=models.CASCADE, related_name="renewals")
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="renewals", verbose_name=_("agreement")
    )
    step = models.CharField(
        _("step"), max_length=16, choices=Step.choices, default=Step.PENDING, db_index=True
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    partner_signed_on = models.DateField(_("signed by the partner on"), null=True, blank=True)
    partner_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    library_signed_on = models.DateField(_("signed by the Library on"), null=True, blank=True)
    library_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    renewed = models.ForeignKey(
        Agreement,
        verbose_name=_("renewed agreement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("renewal")
        verbose_name_plural = _("renewals")
        ordering = ["round", "agreement__ends_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "agreement"], name="renewal_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.agreement}"
