"""The agreement pages' forms: they parse and show input; the rules live in the services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from libranet.backoffice.forms import (
    CodeNameChoiceField,
    GroupedForm,
    _date_field,
    picker_select,
)
from libranet.network.models import Center, Institution, Region
from libranet.network.permissions import Capability, centers_for
from libranet.revisions import revision_field

from .models import Prolongation, Renewal


class AgreementForm(GroupedForm):
    number = forms.CharField(label=_("Number"), max_length=64)
    center = CodeNameChoiceField(
        label=_("Center"),
        queryset=Center.objects.all(),
        required=False,
        help_text=_("The regional or remote access center the agreement concerns."),
        widget=picker_select("picker_centers", value="pk"),
    )
    institution = forms.ModelChoiceField(
        label=_("Partner institution"),
        queryset=Institution.objects.all(),
        required=False,
        help_text=_("Empty: the center's host institution."),
        widget=picker_select("picker_institutions"),
    )
    signed_on = _date_field(_("Signed on"), required=False)
    starts_on = _date_field(_("Starts on"))
    ends_on = _date_field(_("Ends on"), required=False)
    term_years = forms.IntegerField(
        label=_("Term (years)"),
        required=False,
        min_value=1,
        max_value=50,
        help_text=_("Instead of the end date: the end is the term's last day."),
    )
    prolongation = forms.ChoiceField(
        label=_("Automatic prolongation"), choices=Prolongation.choices
    )
    notice_days = forms.IntegerField(
        label=_("Notice (days)"),
        min_value=0,
        max_value=3650,
        initial=30,
        help_text=_("How long before the end a party must announce it will not prolong."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    revision = revision_field()

    groups = (
        (_("Parties"), ("number", "center", "institution")),
        (_("Dates"), ("signed_on", "starts_on", "ends_on", "term_years")),
        (_("Prolongation"), ("prolongation", "notice_days", "notes")),
    )

    def __init__(self, *args: Any, user: Any, editing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The centers whose agreements this user manages (those of their reach).
        self.fields["center"].queryset = centers_for(user, Capability.EDIT_CENTER).order_by("code")
        if not editing:
            del self.fields["revision"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("ends_on") and not data.get("term_years") and not self.errors:
            self.add_error("ends_on", _("Give the end date or the term in years."))
        return data


class ActivateForm(forms.Form):
    signed_on = _date_field(_("Signed on"))


class ScanForm(forms.Form):
    scan = forms.FileField(
        label=_("Signed scan"),
        help_text=_("A PDF, JPEG or PNG file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class TerminateForm(forms.Form):
    terminated_on = _date_field(_("Terminated on"))
    note = forms.CharField(label=_("Reason"), max_length=500, required=False)


class RoundForm(GroupedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    deadline = _date_field(_("Deadline"))
    expiring_before = _date_field(
        _("Agreements ending before"),
        required=False,
        help_text=_("The round covers the active agreements that end before this date…"),
    )
    region = CodeNameChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("name_ru"),
        required=False,
        help_text=_("…and/or those of the centers of this region."),
    )

    groups = (
        (_("Round"), ("title", "year", "deadline")),
        (_("Agreements covered"), ("expiring_before", "region")),
    )


class StepForm(forms.Form):
    """The next step of one renewal; the Library's signature also gives the renewed agreement."""

    step = forms.ChoiceField(choices=Renewal.Step.choices, widget=forms.HiddenInput)
    on = _date_field(_("Date"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    number = forms.CharField(label=_("New number"), max_length=64, required=False)
    starts_on = _date_field(_("Starts on"), required=False)
    ends_on = _date_field(_("Ends on"), required=False)
    term_years = forms.IntegerField(
        label=_("Term (years)"), required=False, min_value=1, max_value=50
    )
    scan = forms.FileField(label=_("Signed scan"), required=False)
