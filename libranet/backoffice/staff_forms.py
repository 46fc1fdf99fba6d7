"""Forms of the staff pages: they parse input; who may grant what is the permission module's."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from libranet.network.models import Center, Region, StaffRole
from libranet.network.permissions import grantable_roles

from .forms import CodeNameChoiceField, GroupedForm, picker_attrs, picker_select

Role = StaffRole.Role


class StaffRoleForm(GroupedForm):
    """A role with its scope and, for an invitation, the person (address, name) and the
    mail's language."""

    email = forms.EmailField(label=_("E-mail"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"))
    center = forms.CharField(
        label=_("Center"),
        max_length=32,
        required=False,
        help_text=_(
            "For a center operator: type the center's name or code and pick it from the list "
            "(without the list, type its code, such as RU-TVE-0001)."
        ),
        widget=forms.TextInput(attrs=picker_attrs("picker_centers")),
    )
    region = CodeNameChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("code"),
        required=False,
        help_text=_("For a regional-center head."),
        widget=picker_select("picker_regions"),
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES, initial="ru"
    )

    groups = (
        (_("Person"), ("email", "first_name", "last_name", "language")),
        (_("Role"), ("role", "center", "region")),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("language", (get_language() or "ru")[:2])
        super().__init__(*args, **kwargs)
        self.user = user
        roles = grantable_roles(user)
        self.fields["role"].choices = [(role.value, role.label) for role in Role if role in roles]
        if Role.REGIONAL_HEAD in roles:
            name = "name_en" if (get_language() or "ru").startswith("en") else "name_ru"
            self.fields["region"].queryset = Region.objects.order_by(name)
        else:
            del self.fields["region"]
        if Role.CENTER_OPERATOR not in roles:
            del self.fields["center"]

    def clean_center(self) -> Center | None:
        code = self.cleaned_data.get("center", "").strip().upper()
        if not code:
            return None
        center = Center.objects.select_related("region").filter(code=code).first()
        if center is None:
            raise forms.ValidationError(_("There is no center {code}.").format(code=code))
        return center

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data.setdefault("center", None)
        data.setdefault("region", None)
        role = data.get("role")
        if role == Role.CENTER_OPERATOR:
            if not data.get("center") and "center" not in self.errors:
                self.add_error("center", _("Choose the center this operator works for."))
            data["region"] = None
        elif role == Role.REGIONAL_HEAD:
            if not data.get("region") and "region" not in self.errors:
                self.add_error("region", _("Choose the region this head is responsible for."))
            data["center"] = None
        else:
            data["center"] = data["region"] = None
        return data


class InvitationAcceptForm(GroupedForm):
    """What the invitee chooses: a username, their name, a strong password (twice)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only; you sign in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    groups = (
        (_("Your account"), ("username", "first_name", "last_name")),
        (_("Password"), ("password", "password2")),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class StaffNameForm(GroupedForm):
    """A staff member's name, as an administrator corrects it."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    groups = ((_("Name"), ("first_name", "last_name")),)


class TotpSetupForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
        help_text=_("After adding the account, enter the six digits the app shows."),
    )
