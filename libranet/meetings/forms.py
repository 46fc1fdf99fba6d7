"""The back office's forms of meetings, resolutions and tasks: they read what was typed; the
rules are the services'."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from libranet.backoffice.forms import GroupedForm
from libranet.network.models import Center, Institution, Region
from libranet.revisions import revision_field

from .models import Responsible, Workflow

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class MeetingForm(GroupedForm):
    number = forms.CharField(
        label=_("Number"), max_length=16, help_text=_("In Roman numerals: XI.")
    )
    slug = forms.SlugField(
        label=_("Address name"), max_length=80, help_text=_("Latin letters, digits and dashes.")
    )
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    city_ru = forms.CharField(label=_("Host city (Russian)"), max_length=100)
    city_en = forms.CharField(label=_("Host city (English)"), max_length=100, required=False)
    host_institution = forms.ModelChoiceField(
        label=_("Host institution"),
        queryset=Institution.objects.order_by("name_ru"),
        required=False,
    )
    host_center = forms.ModelChoiceField(
        label=_("Host center"), queryset=Center.objects.order_by("code"), required=False
    )
    description_ru = forms.CharField(
        label=_("Description (Russian)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    participants_in_hall = forms.IntegerField(label=_("Participants in the hall"), min_value=0)
    attendance = forms.CharField(
        label=_("Participants in the hall by region"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One region a line: its code and the number, such as “RU-PNZ 12”."),
    )
    regions_by_video = forms.IntegerField(label=_("Regions by video"), min_value=0)
    connection_points = forms.IntegerField(label=_("Video connection points"), min_value=0)
    points = forms.CharField(
        label=_("Connection points"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One a line: a center's code, or the place's name."),
    )
    revision = revision_field()

    groups = (
        (_("Meeting"), ("number", "slug", "title_ru", "title_en", "starts_on", "ends_on")),
        (_("Host"), ("city_ru", "city_en", "host_institution", "host_center")),
        (_("Description"), ("description_ru", "description_en")),
        (
            _("Participants"),
            (
                "participants_in_hall",
                "attendance",
                "regions_by_video",
                "connection_points",
                "points",
            ),
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["revision"].required = False

    def clean_attendance(self) -> list[tuple[Region, int]]:
        rows = []
        regions = {r.code.upper(): r for r in Region.objects.all()}
        for line in _lines(self.cleaned_data["attendance"]):
            code, _space, count = line.partition(" ")
            region = regions.get(code.strip().upper())
            if region is None:
                raise ValidationError(_("Unknown region code: {code}.").format(code=code))
            if not count.strip().isdigit():
                raise ValidationError(_("Give a number after {code}.").format(code=code))
            rows.append((region, int(count)))
        return rows

    def clean_points(self) -> list[tuple[Center | None, str]]:
        lines = _lines(self.cleaned_data["points"])
        centers = {c.code: c for c in Center.objects.filter(code__in=lines)}
        return [(centers[line], "") if line in centers else (None, line[:300]) for line in lines]


class SessionForm(GroupedForm):
    position = forms.IntegerField(label=_("Position"), min_value=1, initial=1)
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    date = forms.DateField(label=_("Date"), widget=DATE)
    starts_at = forms.TimeField(label=_("Starts at"), widget=TIME, required=False)
    ends_at = forms.TimeField(label=_("Ends at"), widget=TIME, required=False)
    venue_ru = forms.CharField(label=_("Venue (Russian)"), max_length=300, required=False)
    venue_en = forms.CharField(label=_("Venue (English)"), max_length=300, required=False)

    groups = (
        (
            _("Session"),
            (
                "position",
                "title_ru",
                "title_en",
                "date",
                "starts_at",
                "ends_at",
                "venue_ru",
                "venue_en",
            ),
        ),
    )


class TalkForm(forms.Form):
    speaker_ru = forms.CharField(label=_("Speaker (Russian)"), max_length=200)
    speaker_en = forms.CharField(label=_("Speaker (English)"), max_length=200, required=False)
    affiliation_ru = forms.CharField(
        label=_("Position and organisation (Russian)"), max_length=400, required=False
    )
    affiliation_en = forms.CharField(
        label=_("Position and organisation (English)"), max_length=400, required=False
    )
    center = forms.ModelChoiceField(
        label=_("Center"), queryset=Center.objects.order_by("code"), required=False
    )
    title_ru = forms.CharField(label=_("Talk (Russian)"), max_length=400)
    title_en = forms.CharField(label=_("Talk (English)"), max_length=400, required=False)


TalkFormSet = forms.formset_factory(TalkForm, extra=2, can_delete=True)


class ResolutionForm(GroupedForm):
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DATE)
    preamble_ru = forms.CharField(
        label=_("Preamble (Russian)"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    preamble_en = forms.CharField(
        label=_("Preamble (English)"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    signed_by = forms.CharField(label=_("Signed by"), max_length=200, required=False)
    priorities_ru = forms.CharField(
        label=_("Priorities (Russian)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("One priority a line."),
    )
    priorities_en = forms.CharField(
        label=_("Priorities (English)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("The same priorities in the same order."),
    )

    groups = (
        (_("Resolution"), ("adopted_on", "signed_by", "preamble_ru", "preamble_en")),
        (_("Priorities"), ("priorities_ru", "priorities_en")),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        russian = _lines(data.get("priorities_ru") or "")
        english = _lines(data.get("priorities_en") or "")
        if english and len(english) != len(russian):
            self.add_error(
                "priorities_en", _("Give as many English lines as Russian ones, in the same order.")
            )
        data["priorities"] = [
            (ru, english[n] if n < len(english) else "") for n, ru in enumerate(russian)
        ]
        return data


class DecisionForm(GroupedForm):
    number = forms.IntegerField(label=_("Number"), min_value=1)
    text_ru = forms.CharField(label=_("Text (Russian)"), widget=forms.Textarea(attrs={"rows": 3}))
    text_en = forms.CharField(
        label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    responsible = forms.ChoiceField(label=_("Responsible"), choices=Responsible.choices)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE, required=False)
    recurrence_ru = forms.CharField(
        label=_("Recurrence (Russian)"),
        max_length=200,
        required=False,
        help_text=_("For a recurring decision, such as “every month”."),
    )
    recurrence_en = forms.CharField(label=_("Recurrence (English)"), max_length=200, required=False)
    workflow = forms.ChoiceField(
        label=_("Done in Libranet through"),
        choices=Workflow.choices,
        required=False,
        help_text=_("The decision and its tasks link to that workflow's pages."),
    )

    groups = (
        (
            _("Decision"),
            (
                "number",
                "text_ru",
                "text_en",
                "responsible",
                "deadline",
                "recurrence_ru",
                "recurrence_en",
                "workflow",
            ),
        ),
    )


class TaskCloseForm(GroupedForm):
    report = forms.CharField(
        label=_("Report"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was done, with dates and figures."),
    )
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https", max_length=500)
    file = forms.FileField(label=_("File"), required=False)
    revision = revision_field()

    groups = ((_("Outcome"), ("report", "link", "file")),)
