"""The reports' query forms (GET): month, grouping, filters. They only parse and check; the
figures come from ``libranet.usage.reports``."""

import datetime
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from libranet.dates import DateInputError, month_text, parse_month
from libranet.network.models import Center, Region
from libranet.usage.reports import (
    GROUPINGS,
    INDICATOR_NAMES,
    MONTHLY_INDICATORS,
    add_months,
    check_month,
    month_start,
)

FIRST_MONTH = datetime.date(2000, 1, 1)  # the network's first centers opened after this


def last_complete_month() -> datetime.date:
    return add_months(month_start(timezone.localdate()), -1)


class MonthField(forms.Field):
    """A month as YYYY-MM (the browser's month picker sends that), never one not yet begun."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "size": 8})

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        try:
            return parse_month(str(value), parameter="month")
        except DateInputError as exc:
            # The page shows the field's label before the reason.
            raise forms.ValidationError(exc.reason, code="invalid") from exc

    def validate(self, value: datetime.date | None) -> None:
        super().validate(value)
        if value is None:
            return
        if value < FIRST_MONTH:
            raise forms.ValidationError(
                _("There is no usage before %(first)s: choose a later month."),
                params={"first": month_text(FIRST_MONTH)},
                code="too_early",
            )
        try:
            check_month(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="future") from exc


class ReportForm(forms.Form):
    """What both reports ask: the month (by default the last complete one) and which of the
    centers in the reader's scope to count."""

    month = MonthField(label=_("Month"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("any")), *Center.Kind.choices]
    )
    region = forms.ChoiceField(label=_("Region"), required=False)

    extra_query_fields: tuple[str, ...] = ()  # a subclass's own fields that links carry

    def __init__(self, data: Any, *, scope: QuerySet) -> None:
        # The month shown is in the picker too, also when the query names none.
        data = data.copy()
        if not data.get("month"):
            data["month"] = month_text(last_complete_month())
        super().__init__(data)
        self.scope = scope
        regions = Region.objects.filter(centers__in=scope).distinct()
        choices: list[tuple[str, Any]] = [(r.code, r.name) for r in regions]
        choices.sort(key=lambda choice: choice[1])  # by name in the page's language
        cast(forms.ChoiceField, self.fields["region"]).choices = [("", _("any")), *choices]

    def clean_month(self) -> datetime.date:
        return self.cleaned_data["month"]

    def centers(self) -> QuerySet:
        """The scope narrowed by the filters."""
        centers = self.scope
        if self.cleaned_data.get("kind"):
            centers = centers.filter(kind=self.cleaned_data["kind"])
        if self.cleaned_data.get("region"):
            centers = centers.filter(region__code=self.cleaned_data["region"])
        return centers

    def query(self) -> str:
        """This report's query string, for its downloads."""
        names = ("month", "kind", "region", *self.extra_query_fields)
        values = {name: self.cleaned_data.get(name) or "" for name in names}
        values["month"] = month_text(self.cleaned_data["month"])
        return urlencode({name: value for name, value in values.items() if value})


class IndicatorsForm(ReportForm):
    by = forms.ChoiceField(label=_("Group by"), required=False, choices=GROUPINGS.items())
    center = forms.CharField(label=_("Center code"), required=False, max_length=32)
    chart = forms.ChoiceField(
        label=_("Chart of"),
        required=False,
        choices=[(m.label, INDICATOR_NAMES[m]) for m in MONTHLY_INDICATORS],
    )

    extra_query_fields = ("by", "center", "chart")

    def clean_by(self) -> str:
        return self.cleaned_data["by"] or "center"

    def clean_chart(self) -> str:
        return self.cleaned_data["chart"] or MONTHLY_INDICATORS[0].label

    def clean_center(self) -> str:
        code = self.cleaned_data["center"].strip().upper()
        if code and not self.scope.filter(code=code).exists():
            raise forms.ValidationError(
                _("No center with the code “%(code)s” among the centers you may see."),
                params={"code": code},
                code="unknown",
            )
        return code

    def centers(self) -> QuerySet:
        centers = super().centers()
        if self.cleaned_data.get("center"):
            centers = centers.filter(code=self.cleaned_data["center"])
        return centers
