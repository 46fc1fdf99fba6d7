"""Monitoring campaigns (оперативный мониторинг): the network department asks the centers a
set of indicators for a period, by a deadline; each center's operator (or its regional-center
head) answers; the results go to every regional center (decision 3 of the 2020 resolution).

A campaign is a draft until it is opened; open, it takes answers from ``opens_on`` through
``deadline``; after the deadline it is closed, except for a center whose response the
department reopened (``Response.reopened_until``). Closing is by date: nothing runs to close it.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from libranet.network.models import Bilingual, Center, Region
from libranet.revisions import Revisioned


class Campaign(Revisioned, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")

    class Phase(models.TextChoices):
        """Where a campaign stands on a given day (its stored state and its dates)."""

        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("opens soon")
        OPEN = "open", _("taking answers")
        CLOSED = "closed", _("closed")

    class Coverage(models.TextChoices):
        ALL = "all", _("all centers")
        KINDS = "kinds", _("centers of some kinds")
        REGIONS = "regions", _("centers of some regions")

    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    coverage = models.CharField(
        _("centers covered"), max_length=10, choices=Coverage.choices, default=Coverage.ALL
    )
    # The center kinds covered (``Center.Kind`` values) when ``coverage`` is "kinds".
    kinds = models.JSONField(_("kinds of centers"), default=list, blank=True)
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions"), blank=True, related_name="+"
    )
    opens_on = models.DateField(_("opens on"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    results_sent_at = models.DateTimeField(_("results sent at"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("monitoring campaign")
        verbose_name_plural = _("monitoring campaigns")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return Bilingual.localized(self, "title")  # type: ignore[arg-type]

    def kind_labels(self) -> list[str]:
        """The kinds of centers covered, in words."""
        return [str(Center.Kind(kind).label) for kind in self.kinds if kind in Center.Kind.values]

    def phase(self, today: datetime.date) -> "Campaign.Phase":
        if self.state == self.State.DRAFT:
            return self.Phase.DRAFT
        if today < self.opens_on:
            return self.Phase.SCHEDULED
        if today > self.deadline:
            return self.Phase.CLOSED
        return self.Phase.OPEN


class Indicator(models.Model):
    class Type(models.TextChoices):
        INTEGER = "integer", _("whole number")
        DECIMAL = "decimal", _("decimal number")
        BOOLEAN = "boolean", _("yes/no")
        CHOICE = "choice", _("choice")
        TEXT = "text", _("text")

    class Source(models.TextChoices):
        """A figure Libranet already has for a center, shown beside the field."""

        SESSIONS = "usage:sessions", _("sessions of the period (usage statistics)")
        SEARCHES = "usage:searches", _("searches of the period (usage statistics)")
        INVESTIGATIONS = "usage:investigations", _("record views of the period (usage statistics)")
        REQUESTS = "usage:requests", _("file requests of the period (usage statistics)")
        WORKSTATIONS = "registry:workstations", _("registered workstations (registry)")
        NETWORKS = "registry:networks", _("IP networks (registry)")

    NUMERIC = (Type.INTEGER, Type.DECIMAL)

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    required = models.BooleanField(_("required"), default=True)
    min_value = models.DecimalField(
        _("smallest value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("largest value"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    # One choice a line, the same number of lines in both languages.
    choices_ru = models.TextField(_("choices (Russian), one a line"), blank=True)
    choices_en = models.TextField(_("choices (English), one a line"), blank=True)
    source = models.CharField(
        _("Libranet's figure"), max_length=30, choices=Source.choices, blank=True
    )

    class Meta:
        ordering = ["campaign", "position", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return Bilingual.localized(self, "name")  # type: ignore[arg-type]

    @property
    def is_numeric(self) -> bool:
        return self.type in self.NUMERIC

    def choice_pairs(self) -> list[tuple[str, str]]:
        """(stored value, label in the active language): the Russian text is what is stored."""
        russian = [c.strip() for c in self.choices_ru.splitlines() if c.strip()]
        english = [c.strip() for c in self.choices_en.splitlines() if c.strip()]
        english_active = (get_language() or "ru").startswith("en")
        labels = english if english_active and len(english) == len(russian) else russian
        return list(zip(russian, labels, strict=True))


class Response(Revisioned, models.Model):
    """A center's answers to a campaign: a draft until submitted; corrected until the deadline
    (or ``reopened_until``, when the department reopened it after the deadline)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("saved at"), auto_now=True)
    reopened_until = models.DateField(_("reopened until"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign response")
        verbose_name_plural = _("campaign responses")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "center"], name="campaign_response_unique")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.center.code}"


class Answer(models.Model):
    """One indicator's answer: ``text`` as entered (normalised), with the parsed value in
    ``number`` (whole and decimal numbers) or ``flag`` (yes/no) so results add up in SQL."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(blank=True)
    number = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    flag = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "indicator"], name="campaign_answer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.text}"
