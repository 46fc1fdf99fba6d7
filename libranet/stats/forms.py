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
from libranet.usage.overview import COLUMN_KEYS, HISTORY_MONTHS, SORT_KEYS
from libranet.usage.reports import INDICATOR_NAMES, add_months, check_month, month_start

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


class OverviewForm(forms.Form):
    """What a level of the drill-down asks: the month (by default the last complete one), the
    indicator its charts, lists and map show, the table's order, and at the centers' level a
    name to look for."""

    month = MonthField(label=_("Month"), required=False)
    indicator = forms.ChoiceField(
        label=_("Indicator"),
        required=False,
        choices=[(key, INDICATOR_NAMES[metric]) for metric, key in COLUMN_KEYS.items()],
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[(f"{sign}{key}", f"{sign}{key}") for key in SORT_KEYS for sign in ("", "-")],
        error_messages={
            "invalid_choice": _(
                "The table cannot be sorted by “%(value)s”: choose one of its column headings."
            )
        },
    )
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)
    months = forms.TypedChoiceField(
        label=_("Months"),
        required=False,
        coerce=int,
        choices=[(str(n), str(n)) for n in HISTORY_MONTHS],
        empty_value=HISTORY_MONTHS[0],
    )

    def __init__(self, data: Any) -> None:
        data = data.copy()
        if not data.get("month"):
            data["month"] = month_text(last_complete_month())
        super().__init__(data)

    def clean_indicator(self) -> str:
        return self.cleaned_data["indicator"] or next(iter(COLUMN_KEYS.values()))

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or "name"

    def metric(self):
        key = self.cleaned_data["indicator"]
        return next(metric for metric, name in COLUMN_KEYS.items() if name == key)

    def query(self, *, without: tuple[str, ...] = ()) -> str:
        """The query string of this page's settings, less ``without`` (links that set them)."""
        values = {
            "month": month_text(self.cleaned_data["month"]),
            "indicator": self.cleaned_data["indicator"],
            "sort": self.cleaned_data["sort"],
            "q": self.cleaned_data["q"],
        }
        return urlencode({k: v for k, v in values.items() if v and k not in without})
