"""The back office's forms of monitoring campaigns: they read what was entered; the rules are
the services' (``services``), whose errors come back onto the fields here."""

from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from libranet.network.models import Center, Region
from libranet.revisions import revision_field

from .models import Campaign, Indicator
from .selectors import AnswerState, CompletionReport
from .services import OPEN_EDITABLE, answer_field


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class CampaignForm(forms.Form):
    title_ru = forms.CharField(label=_("Title (Russian)"), max_length=300)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    period_start = _date_field(_("Period from"))
    period_end = _date_field(_("Period to"))
    coverage = forms.ChoiceField(label=_("Centers covered"), choices=Campaign.Coverage.choices)
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of centers (when covering some kinds)"),
        choices=Center.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions (when covering some regions)"),
        queryset=Region.objects.order_by("name_ru"),
        required=False,
    )
    opens_on = _date_field(_("Opens on"))
    deadline = _date_field(_("Deadline"))
    revision = revision_field()

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["revision"].required = campaign is not None
        if campaign is not None and campaign.state != Campaign.State.DRAFT:
            for name in list(self.fields):
                if name not in (*OPEN_EDITABLE, "revision"):
                    del self.fields[name]

    def campaign_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("revision", None)
        data.pop("regions", None)
        return data


class IndicatorForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    position = forms.IntegerField(label=_("Position"), min_value=1, max_value=999, required=False)
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=300)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300, required=False)
    # No type chosen first: the empty form for a new indicator, left alone, is left out.
    type = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *Indicator.Type.choices])
    unit = forms.CharField(label=_("Unit"), max_length=50, required=False)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    min_value = forms.DecimalField(
        label=_("Smallest value"), required=False, max_digits=18, decimal_places=4
    )
    max_value = forms.DecimalField(
        label=_("Largest value"), required=False, max_digits=18, decimal_places=4
    )
    choices_ru = forms.CharField(
        label=_("Choices (Russian), one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    choices_en = forms.CharField(
        label=_("Choices (English), one a line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    source = forms.ChoiceField(
        label=_("Libranet's figure shown beside the field"),
        choices=[("", "—"), *Indicator.Source.choices],
        required=False,
    )


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=3, can_delete=True, max_num=100)


def indicators_from(formset: Any) -> list[dict[str, Any]]:
    """The indicators a valid formset holds, in the order of their positions (those with no
    position keep theirs after the numbered ones), without the deleted ones."""
    kept = [
        (form.cleaned_data.get("position") or 10_000 + index, index, form.cleaned_data)
        for index, form in enumerate(formset.forms)
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
    return [
        {k: v for k, v in data.items() if k not in ("DELETE", "position")} | {"_form": index}
        for _position, index, data in sorted(kept, key=lambda row: row[:2])
    ]


def add_campaign_errors(
    form: forms.Form, formset: Any, indicators: list[dict[str, Any]], exc: ValidationError
) -> None:
    """A service's errors onto the form's fields, the indicators' onto their forms."""
    for name, messages in exc.message_dict.items():
        for message in messages:
            if name.startswith("indicators.") and formset is not None:
                _prefix, index, field = name.split(".", 2)
                target = formset.forms[indicators[int(index)]["_form"]]
                target.add_error(field if field in target.fields else None, message)
            elif name in form.fields and name != NON_FIELD_ERRORS:
                form.add_error(name, message)
            else:
                form.add_error(None, message)


class ResponseForm(forms.Form):
    """A center's answers: one field per indicator, named ``indicator_<id>``."""

    revision = revision_field()

    def __init__(
        self, *args: Any, indicators: list[Indicator], known: dict[int, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            label = indicator.name + (f", {indicator.unit}" if indicator.unit else "")
            field: forms.Field
            if indicator.type == Indicator.Type.BOOLEAN:
                field = forms.ChoiceField(
                    choices=[("", "—"), ("yes", _("yes")), ("no", _("no"))],
                    widget=forms.RadioSelect,
                )
            elif indicator.type == Indicator.Type.CHOICE:
                field = forms.ChoiceField(choices=[("", "—"), *indicator.choice_pairs()])
            elif indicator.type == Indicator.Type.TEXT:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
            else:
                attrs = {"inputmode": "numeric" if indicator.type == "integer" else "decimal"}
                field = forms.CharField(widget=forms.TextInput(attrs=attrs))
            field.label = label
            field.required = False  # a draft may leave any answer empty; the service decides
            hints: list[str] = []
            low, high = (
                None if bound is None else formats.number_format(bound.normalize())
                for bound in (indicator.min_value, indicator.max_value)
            )
            if low is not None and high is not None:
                hints.append(str(_("from {low} to {high}")).format(low=low, high=high))
            elif low is not None:
                hints.append(str(_("at least {low}")).format(low=low))
            elif high is not None:
                hints.append(str(_("at most {high}")).format(high=high))
            if indicator.required:
                hints.append(str(_("required to submit")))
            field.help_text = "; ".join(hints)
            field.known = known.get(indicator.pk)  # type: ignore[union-attr]
            self.fields[answer_field(indicator)] = field

    def answers(self) -> dict[int, Any]:
        return {i.pk: self.cleaned_data.get(answer_field(i)) for i in self.indicators}

    def answer_fields(self) -> list[Any]:
        return [self[answer_field(i)] for i in self.indicators]


class ReopenForm(forms.Form):
    until = _date_field(_("Reopen until"))


class CentersFilterForm(forms.Form):
    """The campaign pages' filters (GET, kept in the links): the area (a federal district, a
    region; abroad, the group and a country), and on the centers' table the state, a name or
    code, the order. The areas offered are those of ``report`` (the reader's scope)."""

    district = forms.ChoiceField(label=_("Federal district"), required=False)
    region = forms.ChoiceField(label=_("Region or country"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("any")), *AnswerState.choices]
    )
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("place", _("by region")),
            ("state", _("by state, not started first")),
            ("name", _("by name")),
            ("code", _("by code")),
        ],
    )

    def __init__(self, data: Any, *, report: CompletionReport) -> None:
        super().__init__(data)
        district = cast(forms.ChoiceField, self.fields["district"])
        district.choices = [("", _("any")), *((d.code, d.label) for d in report.by_district)]
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            ("", _("any")),
            *((d.label, [(p.code, p.label) for p in d.parts]) for d in report.by_district),
        ]

    def query(self, *, without: tuple[str, ...] = ()) -> str:
        """The query string of the filters chosen, less ``without`` (links that set them)."""
        values = getattr(self, "cleaned_data", {})  # the valid ones
        return urlencode(
            {name: values[name] for name in self.fields if values.get(name) and name not in without}
        )
