"""The annual meeting of regional-center heads (its programme, its participants) and its
resolution: priorities, and decisions that become tracked tasks, one per responsible party.

A decision for "every regional center" fans out into one task per open regional center when it
is issued; a decision for a department of the Library into one task. A task is open until its
responsible party closes it with a report; it is late while open past its deadline (computed:
the date decides, so nothing has to run for a task to become late)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from libranet.network.models import Bilingual, Center, Institution, Region
from libranet.revisions import Revisioned


class Meeting(Bilingual, Revisioned, models.Model):
    number = models.CharField(_("number"), max_length=16, help_text=_("In Roman numerals: XI."))
    slug = models.SlugField(
        _("address name"), max_length=80, unique=True, help_text=_("In the page's address.")
    )
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    city_ru = models.CharField(_("host city (Russian)"), max_length=100)
    city_en = models.CharField(_("host city (English)"), max_length=100, blank=True)
    host_institution = models.ForeignKey(
        Institution,
        verbose_name=_("host institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    host_center = models.ForeignKey(
        Center,
        verbose_name=_("host center"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
    )
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    participants_in_hall = models.PositiveIntegerField(_("participants in the hall"), default=0)
    regions_by_video = models.PositiveIntegerField(_("regions by video"), default=0)
    connection_points = models.PositiveIntegerField(_("video connection points"), default=0)
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                name="meeting_ends_after_start",
                condition=Q(ends_on__gte=models.F("starts_on")),
                violation_error_message=_("A meeting cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("meetings_public:meeting", kwargs={"key": self.slug})

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def city(self) -> str:
        return self.localized("city")

    @property
    def description(self) -> str:
        return self.localized("description")


class MeetingAttendance(models.Model):
    """How many people of a region sat in the hall."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT)
    count = models.PositiveIntegerField(_("participants"))

    class Meta:
        ordering = ["region__code"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "region"], name="attendance_once_a_region")
        ]

    def __str__(self) -> str:
        return f"{self.region}: {self.count}"


class ConnectionPoint(models.Model):
    """A place that joined by video: a center of the registry, or named in free text."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="points")
    center = models.ForeignKey(Center, null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.center) if self.center_id else self.name


class Session(Bilingual, models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sessions")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    venue_ru = models.CharField(_("venue (Russian)"), max_length=300, blank=True)
    venue_en = models.CharField(_("venue (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("session")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def venue(self) -> str:
        return self.localized("venue")


class Talk(Bilingual, models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="talks")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    speaker_ru = models.CharField(_("speaker (Russian)"), max_length=200)
    speaker_en = models.CharField(_("speaker (English)"), max_length=200, blank=True)
    affiliation_ru = models.CharField(
        _("position and organisation (Russian)"), max_length=400, blank=True
    )
    affiliation_en = models.CharField(
        _("position and organisation (English)"), max_length=400, blank=True
    )
    center = models.ForeignKey(
        Center, verbose_name=_("center"), null=True, blank=True, on_delete=models.PROTECT
    )
    title_ru = models.CharField(_("title (Russian)"), max_length=400)
    title_en = models.CharField(_("title (English)"), max_length=400, blank=True)

    class Meta:
        verbose_name = _("talk")
        ordering = ["session", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.speaker}: {self.title}"

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def speaker(self) -> str:
        return self.localized("speaker")

    @property
    def affiliation(self) -> str:
        return self.localized("affiliation")


class Resolution(Bilingual, models.Model):
    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="resolution")
    adopted_on = models.DateField(_("adopted on"))
    preamble_ru = models.TextField(_("preamble (Russian)"), blank=True)
    preamble_en = models.TextField(_("preamble (English)"), blank=True)
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("resolution")
        ordering = ["-adopted_on"]

    def __str__(self) -> str:
        return str(_("Resolution of meeting {number}").format(number=self.meeting.number))

    @property
    def preamble(self) -> str:
        return self.localized("preamble")


class Priority(Bilingual, models.Model):
    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="priorities")
    position = models.PositiveSmallIntegerField(_("position"))
    text_ru = models.CharField(_("text (Russian)"), max_length=500)
    text_en = models.CharField(_("text (English)"), max_length=500, blank=True)

    class Meta:
        ordering = ["resolution", "position"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.localized("text")


class Responsible(models.TextChoices):
    """Who answers for a decision: a department of the Library, or every regional center."""

    NETWORK_DEPARTMENT = "network_department", _("network department (ОМиМС)")
    INTERNATIONAL = "international", _("international relations department")
    IT = "it", _("IT department")
    REGIONAL_CENTERS = "regional_centers", _("every regional center")


class Workflow(models.TextChoices):
    """Where in Libranet a decision's work is done: the decision and its tasks link there."""

    NONE = "", _("outside Libranet")
    ZERO_USAGE_MAILING = "zero_usage_mailing", _("the monthly zero-usage mailing")
    MONITORING = "monitoring", _("monitoring campaigns")
    OPENING_PLAN = "opening_plan", _("the opening plan")
    AGREEMENTS = "agreements", _("the renewal of cooperation agreements")
    MEETINGS = "meetings", _("meetings and resolutions")


# The page each workflow starts from (URL names of the back office).
WORKFLOW_PAGES = {
    Workflow.ZERO_USAGE_MAILING: "backoffice:mailings",
    Workflow.MONITORING: "campaigns:list",
    Workflow.OPENING_PLAN: "planning:rounds",
    Workflow.AGREEMENTS: "agreements:rounds",
    Workflow.MEETINGS: "backoffice:meetings:list",
}


class TaskState(models.TextChoices):
    OPEN = "open", _("open")
    LATE = "late", _("late")  # computed: open past the deadline; never stored
    DONE = "done", _("done")


class Decision(Bilingual, models.Model):
    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="decisions")
    number = models.PositiveSmallIntegerField(_("number"))
    text_ru = models.TextField(_("text (Russian)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    responsible = models.CharField(_("responsible"), max_length=32, choices=Responsible.choices)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    recurrence_ru = models.CharField(
        _("recurrence (Russian)"),
        max_length=200,
        blank=True,
        help_text=_("For a recurring decision, such as “every month”."),
    )
    recurrence_en = models.CharField(_("recurrence (English)"), max_length=200, blank=True)
    workflow = models.CharField(
        _("done in Libranet through"),
        max_length=32,
        choices=Workflow.choices,
        blank=True,
        default=Workflow.NONE,
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        ordering = ["resolution", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "number"],
                name="decision_number_once",
                violation_error_message=_("The resolution has a decision with this number."),
            )
        ]

    def __str__(self) -> str:
        return str(_("Decision {number}").format(number=self.number))

    @property
    def text(self) -> str:
        return self.localized("text")

    @property
    def recurrence(self) -> str:
        return self.localized("recurrence")

    @property
    def workflow_url(self) -> str:
        """The page where the decision's work is done, or "" when it is done outside."""
        name = WORKFLOW_PAGES.get(Workflow(self.workflow)) if self.workflow else None
        return reverse(name) if name else ""

    @property
    def for_regional_centers(self) -> bool:
        return self.responsible == Responsible.REGIONAL_CENTERS


class Task(Revisioned, models.Model):
    """One responsible party's share of a decision: a regional center's, or a department's."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="tasks")
    center = models.ForeignKey(
        Center,
        verbose_name=_("regional center"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_tasks",
    )
    department = models.CharField(
        _("department"), max_length=32, choices=Responsible.choices, blank=True
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    report = models.TextField(_("report"), blank=True)
    file = models.FileField(_("file"), upload_to="meetings/tasks/%Y/", blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the pages' selectors, which judge a list of tasks on one day (``state_on``).
    state: str

    class Meta:
        verbose_name = _("task")
        ordering = ["decision", "center__code", "pk"]
        constraints = [
            # Issuing twice makes no second task (the fan-out is idempotent).
            models.UniqueConstraint(
                fields=["decision", "center"],
                condition=Q(center__isnull=False),
                name="task_once_per_center",
            ),
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(center__isnull=True),
                name="task_once_per_department",
            ),
            models.CheckConstraint(
                name="task_center_or_department",
                condition=(Q(center__isnull=False) & Q(department=""))
                | (Q(center__isnull=True) & ~Q(department="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} · {self.party}"

    @property
    def party(self) -> str:
        """The responsible party, named."""
        return str(self.center) if self.center_id else str(self.get_department_display())

    def state_on(self, today: datetime.date) -> str:
        if self.done:
            return TaskState.DONE
        if self.deadline is not None and today > self.deadline:
            return TaskState.LATE
        return TaskState.OPEN
