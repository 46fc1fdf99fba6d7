"""The back office's event form and the joint-event reports' forms."""

import datetime
import zoneinfo
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from libranet.backoffice.forms import GroupedForm
from libranet.revisions import revision_field

from .models import DEFAULT_TIME_ZONE, Event

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
TIME_ZONES = sorted(
    z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV"))
)


def _local_datetime(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Local time at the venue, in the time zone below."),
    )


def event_label(event: Event) -> str:
    """An event in a choice of events (news and video link them): its local date and title."""
    local = timezone.localtime(event.starts_at, zoneinfo.ZoneInfo(event.time_zone))
    return f"{local:%d.%m.%Y} · {event.title}"


class EventForm(GroupedForm):
    groups = (
        (_("The event"), ("kind", "title_ru", "title_en", "centers", "partners")),
        (_("When and where"), ("starts_at", "ends_at", "time_zone", "venue_ru", "venue_en")),
        (_("Online"), ("online", "online_link")),
        (_("Description"), ("description_ru", "description_en", "audience")),
        (
            _("Participation"),
            ("participants_hall", "participants_online", "connection_points"),
        ),
        (_("Video and publishing"), ("video_links", "joint_with_library", "published")),
        (_("Add a photo"), ("photo", "photo_caption_ru", "photo_caption_en")),
    )

    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    centers = forms.ModelMultipleChoiceField(
        label=_("Organising centers"),
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    partners = forms.CharField(label=_("Partners"), max_length=500, required=False)
    starts_at = _local_datetime(_("Starts"))
    ends_at = _local_datetime(_("Ends"))
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[(z, z) for z in TIME_ZONES], initial=DEFAULT_TIME_ZONE
    )
    venue_ru = forms.CharField(label=_("Venue (Russian)"), max_length=500, required=False)
    venue_en = forms.CharField(label=_("Venue (English)"), max_length=500, required=False)
    online = forms.BooleanField(label=_("Held online"), required=False)
    online_link = forms.URLField(
        label=_("Link to join online"), required=False, assume_scheme="https"
    )
    description_ru = forms.CharField(
        label=_("Description (Russian)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Paragraphs, emphasis, lists and links are kept; anything else is removed."),
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    audience = forms.CharField(label=_("Audience"), max_length=300, required=False)
    participants_hall = forms.IntegerField(label=_("Participants in the hall"), min_value=0)
    participants_online = forms.IntegerField(label=_("Participants online"), min_value=0)
    connection_points = forms.IntegerField(label=_("Connection points"), min_value=0)
    video_links = forms.CharField(
        label=_("Video links"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One web address a line."),
    )
    joint_with_library = forms.BooleanField(label=_("Joint event with the Library"), required=False)
    published = forms.BooleanField(label=_("Published on the site"), required=False)
    photo = forms.FileField(label=_("Photo (JPEG, PNG or WebP)"), required=False)
    photo_caption_ru = forms.CharField(
        label=_("Photo caption (Russian)"), max_length=300, required=False
    )
    photo_caption_en = forms.CharField(
        label=_("Photo caption (English)"), max_length=300, required=False
    )
    revision = revision_field()

    def __init__(self, *args: Any, centers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centers"].queryset = centers
        # A new event has no revision yet; an edit's form always carries the one it showed.
        self.fields["revision"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        zone_name = data.get("time_zone") or DEFAULT_TIME_ZONE
        zone = zoneinfo.ZoneInfo(zone_name)
        for name in ("starts_at", "ends_at"):
            value = data.get(name)
            if isinstance(value, datetime.datetime):
                data[name] = timezone.make_aware(value.replace(tzinfo=None), zone)
        data["video_links"] = [
            line.strip() for line in (data.get("video_links") or "").splitlines() if line.strip()
        ]
        return data

    def event_fields(self) -> dict[str, Any]:
        """What the services take, from the cleaned data."""
        skip = {"centers", "photo", "photo_caption_ru", "photo_caption_en", "revision"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}

    @staticmethod
    def initial_for(event: Event) -> dict[str, Any]:
        zone = zoneinfo.ZoneInfo(event.time_zone)
        initial = {
            name: getattr(event, name) for name in EventForm.base_fields if hasattr(event, name)
        }
        initial["starts_at"] = event.starts_at.astimezone(zone).replace(tzinfo=None)
        initial["ends_at"] = event.ends_at.astimezone(zone).replace(tzinfo=None)
        initial["video_links"] = "\n".join(event.video_links or [])
        initial["centers"] = list(event.centers.all())
        initial["revision"] = event.revision
        return initial


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    period_start = forms.DateField(
        label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))


class ConfirmForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the department"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
