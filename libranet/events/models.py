"""The network's events: what the centers organise (contests, lectures, meetings...), shown on
the public calendar, and the regional centers' yearly reports of their joint events with the
Library."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from libranet.network.models import Bilingual, Center
from libranet.revisions import Revisioned

DEFAULT_TIME_ZONE = "Europe/Moscow"


class Event(Bilingual, Revisioned, models.Model):
    class Kind(models.TextChoices):
        CONTEST = "contest", _("contest")
        LECTURE = "lecture", _("lecture")
        EXHIBITION = "exhibition", _("exhibition")
        BOOK_PRESENTATION = "book_presentation", _("book presentation")
        ROUND_TABLE = "round_table", _("round table")
        MEETING = "meeting", _("meeting")
        VIDEO_CONFERENCE = "video_conference", _("video conference")
        FORUM = "forum", _("forum")
        OTHER = "other", _("other")

    centers = models.ManyToManyField(
        Center, verbose_name=_("organising centers"), related_name="events"
    )
    partners = models.CharField(_("partners"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIME_ZONE)
    venue_ru = models.CharField(_("venue (Russian)"), max_length=500, blank=True)
    venue_en = models.CharField(_("venue (English)"), max_length=500, blank=True)
    online = models.BooleanField(_("online"), default=False)
    online_link = models.URLField(_("link to join online"), blank=True)
    audience = models.CharField(_("audience"), max_length=300, blank=True)
    participants_hall = models.PositiveIntegerField(_("participants in the hall"), default=0)
    participants_online = models.PositiveIntegerField(_("participants online"), default=0)
    connection_points = models.PositiveIntegerField(_("connection points"), default=0)
    video_links = models.JSONField(_("video links"), default=list, blank=True)
    joint_with_library = models.BooleanField(_("joint event with the Library"), default=False)
    published = models.BooleanField(_("published"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def description(self) -> str:
        return self.localized("description")

    @property
    def venue(self) -> str:
        return self.localized("venue")


def photo_path(photo: "EventPhoto", filename: str) -> str:
    # Served by the photo view, never by a media URL.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"events/{photo.event_id}/photo-{timezone.now():%Y%m%d%H%M%S%f}.{suffix}"


class EventPhoto(Bilingual, models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=255)
    content_type = models.CharField(max_length=40)
    caption_ru = models.CharField(_("caption (Russian)"), max_length=300, blank=True)
    caption_en = models.CharField(_("caption (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("event photo")
        verbose_name_plural = _("event photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name

    @property
    def caption(self) -> str:
        return self.localized("caption")


class ReportingRound(models.Model):
    """A call for the regional centers' joint events with the Library over a period."""

    title = models.CharField(_("title"), max_length=300)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    deadline = models.DateField(_("deadline"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-period_end", "-pk"]

    def __str__(self) -> str:
        return self.title


class JointEventReport(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        CONFIRMED = "confirmed", _("confirmed")

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="reports")
    regional_center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="joint_event_reports"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PENDING
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    events = models.ManyToManyField(Event, blank=True, related_name="joint_reports")

    class Meta:
        verbose_name = _("joint-event report")
        verbose_name_plural = _("joint-event reports")
        ordering = ["regional_center__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "regional_center"], name="joint_report_one_per_center"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.regional_center}"
