"""Video of the centers' best events, submitted for the Library's channel (resolution of 2020,
decision 8): a link to a hosting service or an uploaded file, with the consent of the people
filmed. The department accepts or declines it (with a comment), then records where it was
published; published videos are on the public video page."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from libranet.network.models import Bilingual, Center
from libranet.revisions import Revisioned

from .hosting import HostedVideo, parse_video_link


class VideoState(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    PUBLISHED = "published", _("published")


class Video(Bilingual, Revisioned, models.Model):
    center = models.ForeignKey(
        Center, verbose_name=_("center"), on_delete=models.PROTECT, related_name="videos"
    )
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    link = models.URLField(
        _("link to the video"),
        max_length=500,
        blank=True,
        help_text=_("On YouTube, VK Video or RUTUBE."),
    )
    file = models.FileField(_("video file"), upload_to="videos/%Y/", blank=True)
    # The event filmed: one entered in Libranet, else its name as typed.
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="videos",
    )
    event_name = models.CharField(_("name of the event"), max_length=300, blank=True)
    event_date = models.DateField(_("date of the event"), null=True, blank=True)
    consent = models.BooleanField(_("the people filmed consented to publication"), default=False)
    consent_note = models.CharField(_("note on the consent"), max_length=500, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=VideoState.choices, default=VideoState.SUBMITTED
    )
    decision_comment = models.TextField(_("comment on the decision"), blank=True)
    published_url = models.URLField(_("published at"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def description(self) -> str:
        return self.localized("description")

    @property
    def event_title(self) -> str:
        event = self.event if self.event_id else None  # no query for a video of no event
        return event.title if event is not None else self.event_name

    @property
    def hosted(self) -> HostedVideo | None:
        """The player to embed: the Library's channel's copy if it is one video, else the
        center's link."""
        return parse_video_link(self.published_url) or parse_video_link(self.link)

    @property
    def file_url(self) -> str:
        return reverse("video_file", kwargs={"pk": self.pk}) if self.file else ""

    @property
    def file_type(self) -> str:
        return "video/webm" if self.file.name.lower().endswith(".webm") else "video/mp4"
