"""The annual opening plan (decisions 5 and 6 of the 2020 resolution): a planning round for a
year, the regional centers' proposals of new remote access centers, and the department's
decisions on them, each kept so that the regional center sees every one."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from libranet.network.models import Bilingual, Center, Institution, Region
from libranet.revisions import Revisioned


class PlanningRound(models.Model):
    """The collection of proposals for one year's openings, with its deadline."""

    class State(models.TextChoices):
        OPEN = "open", _("open for proposals")
        CLOSED = "closed", _("closed")

    year = models.PositiveSmallIntegerField(_("year planned for"), unique=True)
    deadline = models.DateField(_("deadline for proposals"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("planning round")
        verbose_name_plural = _("planning rounds")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(_("Opening plan {year}").format(year=self.year))

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class Proposal(Bilingual, Revisioned):
    """A regional center's proposal of a new remote access center for a round's year."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for changes")
        APPROVED = "approved", pgettext_lazy("proposal state", "approved")
        REJECTED = "rejected", _("rejected")

    round = models.ForeignKey(
        PlanningRound,
        verbose_name=_("planning round"),
        on_delete=models.CASCADE,
        related_name="proposals",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The host: an institution of the registry, or a new one described here (registered when
    # the proposal is approved).
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("host institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_institution_name = models.CharField(
        _("new host institution: name"), max_length=300, blank=True
    )
    new_institution_kind = models.CharField(
        _("new host institution: kind"),
        max_length=20,
        choices=Institution.Kind.choices,
        blank=True,
    )
    new_institution_address = models.CharField(
        _("new host institution: address"), max_length=500, blank=True
    )
    name_ru = models.CharField(_("center's name (Russian)"), max_length=300)
    name_en = models.CharField(_("center's name (English)"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=500)
    planned_month = models.DateField(_("planned month"))  # the first day of the month
    premises = models.TextField(_("premises (room, seats, workstations)"))
    justification = models.TextField(_("justification"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    times_submitted = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    center = models.OneToOneField(
        Center,
        verbose_name=_("planned center"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opening_proposal",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("opening proposal")
        verbose_name_plural = _("opening proposals")
        ordering = ["round", "region__name_ru", "planned_month", "id"]
        indexes = [models.Index(fields=["round", "state"])]

    @property
    def host_name(self) -> str:
        return self.institution.name if self.institution else self.new_institution_name

    @property
    def editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.RETURNED)


class ProposalDecision(models.Model):
    """One decision of the department on a proposal, kept: the regional center sees them all."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="decisions")
    state = models.CharField(_("decision"), max_length=12, choices=Proposal.State.choices)
    comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("decision on a proposal")
        verbose_name_plural = _("decisions on proposals")
        ordering = ["proposal", "decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_state_display()} {self.decided_at:%Y-%m-%d}"
