from django import forms
from django.utils.translation import gettext_lazy as _

from libranet.backoffice.forms import GroupedForm, picker_select
from libranet.network.models import Institution
from libranet.revisions import revision_field

from .models import HarvestSchedule, RecordFormat


class SourceForm(GroupedForm):
    """A partner catalog's settings; the service checks the source and says what is wrong."""

    institution = forms.ModelChoiceField(
        label=_("Holding library"),
        queryset=Institution.objects.all(),
        help_text=_("The institution of the registry whose catalog this is."),
        widget=picker_select("picker_institutions"),
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=300,
        required=False,
        help_text=_("Empty: the name the repository gives itself."),
    )
    base_url = forms.CharField(
        label=_("OAI-PMH base URL"),
        max_length=500,
        help_text=_("Such as https://catalog.example.org/oai (http or https)."),
        widget=forms.URLInput,
    )
    metadata_prefix = forms.CharField(
        label=_("Metadata prefix"),
        max_length=64,
        initial=RecordFormat.MARC21.value,
        help_text=_("As the source names it: marc21, oai_dc…"),
    )
    record_format = forms.ChoiceField(
        label=_("Record format"), choices=RecordFormat.choices, initial=RecordFormat.MARC21
    )
    sets = forms.CharField(
        label=_("Sets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One set spec per line; empty: the whole catalog."),
    )
    schedule = forms.ChoiceField(label=_("Schedule"), choices=HarvestSchedule.choices)
    record_link = forms.CharField(
        label=_("Link to a record"),
        max_length=500,
        required=False,
        help_text=_(
            "The record's page in the partner's catalog, with {identifier} or {local_id} "
            "where its identifier goes."
        ),
    )
    revision = revision_field()

    groups = (
        (_("Source"), ("institution", "name", "base_url", "metadata_prefix", "record_format")),
        (_("Harvesting"), ("sets", "schedule", "record_link")),
    )

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["revision"]

    def clean_sets(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["sets"].splitlines() if line.strip()]
