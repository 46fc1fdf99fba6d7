"""The opening plan's forms: they read the input; the rules are the services'."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from libranet.backoffice.forms import GroupedForm, picker_select
from libranet.network.models import Institution
from libranet.network.permissions import planning_regions_for
from libranet.revisions import revision_field

from .models import Proposal


class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("Year planned for"), min_value=2000, max_value=2100)
    deadline = forms.DateField(
        label=_("Deadline for proposals"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ProposalForm(GroupedForm):
    region = forms.ModelChoiceField(label=_("Region"), queryset=None)
    institution = forms.ModelChoiceField(
        label=_("Host institution"),
        queryset=Institution.objects.order_by("name_ru", "pk"),
        required=False,
        widget=picker_select("picker_institutions"),
        help_text=_("An institution of the registry; or leave empty and name a new one below."),
    )
    new_institution_name = forms.CharField(
        label=_("New host institution: name"), max_length=300, required=False
    )
    new_institution_kind = forms.ChoiceField(
        label=_("New host institution: kind"),
        choices=[("", "—"), *Institution.Kind.choices],
        required=False,
    )
    new_institution_address = forms.CharField(
        label=_("New host institution: address"), max_length=500, required=False
    )
    name_ru = forms.CharField(label=_("Center's name (Russian)"), max_length=300)
    name_en = forms.CharField(label=_("Center's name (English)"), max_length=300, required=False)
    address = forms.CharField(label=_("Address"), max_length=500)
    planned_month = forms.CharField(
        label=_("Planned month"),
        max_length=7,
        widget=forms.TextInput(attrs={"placeholder": "2027-03", "inputmode": "numeric"}),
        help_text=_("Year and month, such as 2027-03."),
    )
    premises = forms.CharField(
        label=_("Premises"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The room, the seats for readers, the workstations."),
    )
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 4})
    )
    revision = revision_field()

    groups = (
        (_("Where"), ("region", "address", "planned_month")),
        (
            _("Host institution"),
            (
                "institution",
                "new_institution_name",
                "new_institution_kind",
                "new_institution_address",
            ),
        ),
        (_("The center"), ("name_ru", "name_en", "premises", "justification")),
    )

    def __init__(self, *args: Any, user: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = planning_regions_for(user).order_by("name_ru")
        if creating:
            del self.fields["revision"]

    @staticmethod
    def initial_for(proposal: Proposal) -> dict[str, Any]:
        initial = {
            name: getattr(proposal, name)
            for name in ProposalForm.base_fields
            if name not in ("planned_month", "revision")
        }
        initial["planned_month"] = f"{proposal.planned_month:%Y-%m}"
        initial["revision"] = proposal.revision
        return initial


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Proposal.State.APPROVED, _("Approve: the center is registered as planned")),
            (Proposal.State.REJECTED, _("Reject")),
            (Proposal.State.RETURNED, _("Return for changes (say what in the comment)")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when the proposal is returned: say what to change."),
    )
    revision = revision_field()


class ProposalFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("any")), *Proposal.State.choices], required=False
    )
    region = forms.ChoiceField(label=_("Region"), choices=[], required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("any"))] + [
            (region.code, region.name) for region in planning_regions_for(user).order_by("name_ru")
        ]
