"""The back office's forms: they parse and show input; the rules live in the network services."""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.models import ModelChoiceIterator
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from libranet.network.models import Center, Country, FederalDistrict, Institution, Region
from libranet.network.permissions import regions_for
from libranet.network.services import CONTACT_FIELDS, TRANSITIONS, RegistryError

Status = Center.Status
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def add_registry_errors(form: forms.Form, exc: RegistryError) -> None:
    """Show a service's errors on the form: by field where the form has it, else above it."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            target = name if name in form.fields and name != NON_FIELD_ERRORS else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _name_order() -> str:
    return "name_en" if (get_language() or "ru").startswith("en") else "name_ru"


def _date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        **kwargs,
    )


class CodeNameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


# Above this many choices a select would weigh more than it helps: it lists the chosen one only
# and the picker finds the others on the server (without JavaScript the choice then stays).
INLINE_CHOICES_MAX = 500


def picker_attrs(url_name: str, **params: str) -> dict[str, Any]:
    """The data attributes by which ``pickers.js`` turns a select or a code input into a
    search box over one of the pickers' JSON endpoints."""
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return {
        "data-picker": reverse_lazy(f"backoffice:{url_name}"),
        "data-picker-query": query,
        "data-placeholder": _("Type to search"),
        "data-no-results": pgettext_lazy("picker", "No results"),
        "data-clear": _("Clear"),
        "autocomplete": "off",
    }


class PickerSelect(forms.Select):
    """A select searched by ``pickers.js``: all its choices while they are few (so that it
    works without JavaScript), else only the chosen one, the others asked of the server."""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator) or (
            choices.queryset.count() <= INLINE_CHOICES_MAX
        ):
            return super().get_context(name, value, attrs)
        chosen = choices.queryset.filter(pk__in=[v for v in self.format_value(value) if v])
        empty = [("", choices.field.empty_label)] if choices.field.empty_label else []
        self.choices = empty + [choices.choice(obj) for obj in chosen]
        try:
            return super().get_context(name, value, {**(attrs or {}), "data-picker-remote": "1"})
        finally:
            self.choices = choices


def picker_select(url_name: str, **params: str) -> PickerSelect:
    return PickerSelect(attrs=picker_attrs(url_name, **params))


class MapPointInput(forms.NumberInput):
    """The longitude's input followed by a small map (``coordinates.js``) on which a click or
    the dragged marker sets both coordinates; ``latitude`` names the latitude's field."""

    template_name = "backoffice/widgets/map_point.html"

    def __init__(self, *, latitude: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.latitude = latitude

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["latitude_id"] = f"id_{self.latitude}"
        return context


class GroupedForm(forms.Form):
    """A form whose fields are shown in fieldsets: ``groups`` is (legend, field names)."""

    groups: tuple[tuple[Any, tuple[str, ...]], ...] = ()

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.groups
        ]


class CenterForm(GroupedForm):
    """Every field of a center's card, its networks, and (on creation) its first status."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "2–32 Latin capitals, digits, dots, dashes or underscores, such as RU-TVE-0001."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Center.Kind.choices)
    status = forms.ChoiceField(
        label=_("Initial status"), choices=Status.choices, initial=Status.PLANNED
    )
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=300)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300, required=False)
    institution = forms.ModelChoiceField(
        label=_("Host institution"),
        queryset=Institution.objects,
        widget=picker_select("picker_institutions"),
    )
    region = CodeNameChoiceField(
        label=_("Region"),
        queryset=Region.objects,
        required=False,
        help_text=_("For a center in Russia."),
        widget=picker_select("picker_regions"),
    )
    country = CodeNameChoiceField(
        label=_("Country"),
        queryset=Country.objects,
        required=False,
        help_text=_("For a foreign center."),
        widget=picker_select("picker_countries"),
    )
    regional_center = CodeNameChoiceField(
        label=_("Coordinating regional center"),
        queryset=Center.objects.filter(kind=Center.Kind.REGIONAL),
        required=False,
        help_text=_("For a remote access center; empty means the regional center of its region."),
        widget=picker_select("picker_centers", kind=Center.Kind.REGIONAL, value="pk"),
    )
    opened_on = _date_field(_("Opened on"), required=False)
    closed_on = _date_field(_("Closed on"), required=False)
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    address_en = forms.CharField(
        label=_("Address (English)"),
        max_length=500,
        required=False,
        help_text=_("For readers abroad; English pages show the Russian address without it."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        widget=MapPointInput(latitude="latitude"),
        help_text=_(
            "Click the map or drag the marker to fill in the latitude and longitude; typing "
            "them moves the marker."
        ),
    )
    contact_person = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=100, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    hours = forms.CharField(label=_("Opening hours"), max_length=500, required=False)
    hours_en = forms.CharField(label=_("Opening hours (English)"), max_length=500, required=False)
    networks = forms.CharField(
        label=_("IP networks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_("One network per line in CIDR notation, such as 192.0.2.0/24."),
    )

    groups = (
        (_("Center"), ("code", "kind", "status", "name_ru", "name_en", "institution")),
        (
            _("Place"),
            (
                *("region", "country", "regional_center"),
                *("address", "address_en", "latitude", "longitude"),
            ),
        ),
        (_("Dates"), ("opened_on", "closed_on")),
        (_("Contacts"), ("contact_person", "email", "phone", "website", "hours", "hours_en")),
        (_("Access"), ("networks",)),
    )

    def __init__(self, *args: Any, creating: bool, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            # The code names the center in links, imports and SUSHI: it is kept for good, and
            # the page shows it above the form.
            del self.fields["status"]
            del self.fields["code"]
        order = _name_order()
        self.fields["institution"].queryset = Institution.objects.order_by(order, "pk")
        self.fields["region"].queryset = regions_for(user).order_by(order)
        self.fields["country"].queryset = Country.objects.order_by(order)
        self.fields["regional_center"].queryset = Center.objects.filter(
            kind=Center.Kind.REGIONAL
        ).order_by("code")

    @staticmethod
    def initial_for(center: Center) -> dict[str, Any]:
        initial = {name: getattr(center, name) for name in CenterForm.base_fields}
        initial["networks"] = "\n".join(n.cidr for n in center.networks.all())
        for name in ("latitude", "longitude"):  # 56.86, not 56.860000
            if initial[name] is not None:
                initial[name] = f"{initial[name]:f}".rstrip("0").rstrip(".")
        return initial


class ContactsForm(GroupedForm):
    """What a center operator keeps: contacts and opening hours."""

    contact_person = CenterForm.base_fields["contact_person"]
    email = CenterForm.base_fields["email"]
    phone = CenterForm.base_fields["phone"]
    website = CenterForm.base_fields["website"]
    hours = CenterForm.base_fields["hours"]
    hours_en = CenterForm.base_fields["hours_en"]

    groups = ((_("Contacts"), CONTACT_FIELDS),)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    changed_on = _date_field(_("Date"), initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS[center.status]
        # No preselected move: the choice starts empty, so that saving without choosing
        # changes nothing by accident.
        self.fields["status"].choices = [("", _("— choose the new status —"))] + [
            (s.value, s.label) for s in Status if s in allowed
        ]
        self.fields["status"].error_messages["required"] = _("Choose the new status.")


class InstitutionForm(GroupedForm):
    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=300)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Institution.Kind.choices)
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    address_en = CenterForm.base_fields["address_en"]
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    groups = (
        (_("Institution"), ("name_ru", "name_en", "kind", "address", "address_en", "website")),
    )


class ReferenceForm(GroupedForm):
    """Names of a region or a country; a region also has its federal district."""

    name_ru = forms.CharField(label=_("Name (Russian)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    federal_district = forms.ModelChoiceField(
        label=_("Federal district"), queryset=FederalDistrict.objects
    )

    groups = ((_("Names"), ("name_ru", "name_en", "federal_district")),)

    def __init__(self, *args: Any, with_district: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_district:
            self.fields["federal_district"].queryset = FederalDistrict.objects.order_by(
                _name_order()
            )
        else:
            del self.fields["federal_district"]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        help_text=_("CSV (UTF-8, comma or semicolon) or Excel workbook (.xlsx)."),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, such as “statistics export script”."),
    )


class AuditFilterForm(forms.Form):
    """The audit page's filters (GET): every field optional, a bad date is a field error."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(
        label=_("Who"),
        max_length=150,
        required=False,
        help_text=_("A name or username, or part of it."),
    )
    target = forms.CharField(label=_("Object"), max_length=200, required=False)
    address = forms.GenericIPAddressField(label=_("Address"), required=False)
    date_from = _date_field(_("From"), required=False)
    date_to = _date_field(_("To"), required=False)

    def __init__(self, *args: Any, actions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("any action")), *actions]
