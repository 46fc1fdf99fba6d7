"""The back office's forms of videos: they read what was typed; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from libranet.backoffice.forms import GroupedForm
from libranet.events.forms import event_label
from libranet.revisions import revision_field

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VideoForm(GroupedForm):
    center: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Center"), queryset=None)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    description_ru = forms.CharField(
        label=_("Description (Russian)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    link = forms.CharField(
        label=_("Link to the video"),
        max_length=500,
        required=False,
        help_text=_("On YouTube, VK Video or RUTUBE; or upload the file below."),
    )
    file = forms.FileField(
        label=_("Video file"), required=False, help_text=_("MP4 or WebM."), allow_empty_file=False
    )
    event = forms.ModelChoiceField(
        label=_("Event"),
        queryset=None,
        required=False,
        help_text=_("Your centers' events of the last two years."),
    )
    event_name = forms.CharField(
        label=_("Or the event's name"),
        max_length=300,
        required=False,
        help_text=_("When the event is not entered in Libranet."),
    )
    event_date = forms.DateField(label=_("Date of the event"), widget=DATE, required=False)
    consent = forms.BooleanField(
        label=_("The people filmed consented to the publication"), required=False
    )
    consent_note = forms.CharField(
        label=_("Note on the consent"),
        max_length=500,
        required=False,
        help_text=_("How and from whom the consent was obtained."),
    )

    groups = (
        (_("Video"), ("center", "title_ru", "title_en", "description_ru", "description_en")),
        (_("Where it is"), ("link", "file")),
        (_("Event"), ("event", "event_name", "event_date")),
        (_("Consent"), ("consent", "consent_note")),
    )

    def __init__(self, *args, centers=None, events=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = centers  # type: ignore[attr-defined]
        self.fields["event"].queryset = events  # type: ignore[attr-defined]
        self.fields["event"].label_from_instance = event_label  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Accept")), ("0", _("Decline"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when the video is declined."),
    )
    revision = revision_field()


class PublishForm(forms.Form):
    published_url = forms.CharField(
        label=_("Published at"),
        max_length=500,
        help_text=_("The video's address on the Library's channel."),
    )
    revision = revision_field()
