"""COUNTER Release 5.1 reports built from the daily roll-ups: PR, PR_P1, TR, TR_B1 and IR.

The customer is a center (its own usage and that of the centers it coordinates), or the whole
Library (every center's usage and the usage outside any center). A report is a few GROUP BY
queries over ``DailyItemUsage`` and ``DailyCenterUsage`` joined to the resources, summed per
month: every metric is additive over days.

How the collections map onto COUNTER's model (Code of Practice 5.1, section 3.3):

- A book or a periodical is a title, reported in TR (a resource is its own title); every other
  resource is an item, reported in IR. TR's Data_Types do not include items, and IR's do not
  include Book or Journal, so each resource is in exactly one of them; PR covers all.
- Data_Type from the resource's type (``DATA_TYPES``); Unique_Title metrics only for books,
  the one Data_Type COUNTER defines them for.
- Access_Type from the access level at the time of use (kept with the usage): open to
  everyone is Free_To_Read (free to read, with no open licence claimed), every other level is
  Controlled. Access_Method is always Regular (no text and data mining is counted).
- YOP is the resource's first year (``year_from``), 0001 when unknown, as COUNTER asks.
- Item_ID is Proprietary ``<platform id>:<identifier>``; Institution_ID is Proprietary
  ``<platform id>:<customer_id>``, where a center's customer_id is its code.

A COUNTER exception is either fatal (``CounterException`` with a non-200 status, answered
alone) or a note in the report's header (3030, 3031, 3032, 3040, 3050, 3060, 3062, 3063).
"""

import calendar
import datetime
import functools
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Min, Model, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from libranet import dates
from libranet.network.models import Center, Country
from libranet.resources.models import AccessLevel, Resource

from .models import DailyCenterUsage, DailyItemUsage, Metric, RolledUpDay

RELEASE = "5.1"
WORLD_CUSTOMER_ID = "0000000000000000"  # COUNTER's "The World": global reports

# --- exceptions (Appendix D) -----------------------------------------------------------------

# Code -> (the standard's message, the HTTP status of a request that fails with it; 200 for the
# exceptions that only go into a report's header).
EXCEPTIONS: dict[int, tuple[str, int]] = {
    1000: ("Service Not Available", 503),
    1020: ("Client has made too many requests", 429),
    1030: ("Insufficient Information to Process Request", 400),
    2000: ("Requestor Not Authorized to Access Service", 401),
    2010: ("Requestor is Not Authorized to Access Usage for Institution", 403),
    2011: ("Global Reports Not Supported", 403),
    2020: ("APIKey Invalid", 401),
    # Release 5's code for a report the service does not offer; 5.1 asks for a 404 on a wrong
    # path, which is the status given with it (libranet.doors answers every unknown path so).
    3000: ("Report Not Supported", 404),
    3020: ("Invalid Date Arguments", 400),
    3030: ("No Usage Available for Requested Dates", 200),
    3031: ("Usage Not Ready for Requested Dates", 200),
    3032: ("Usage No Longer Available for Requested Dates", 200),
    3040: ("Partial Data Returned", 200),
    3050: ("Parameter Not Recognized in this Context", 200),
    3060: ("Invalid ReportFilter Value", 200),
    3062: ("Invalid ReportAttribute Value", 200),
    3063: ("Components Not Supported", 200),
}


class CounterException(Exception):
    """A COUNTER exception: raised, it is the whole answer (with ``http_status``); collected,
    it goes into a report's header. ``data`` says, in English as the protocol's messages, what
    exactly was wrong."""

    def __init__(self, code: int, data: str = "", *, retry_after: int | None = None) -> None:
        self.code = code
        self.message, self.http_status = EXCEPTIONS[code]
        self.data = data
        self.retry_after = retry_after  # seconds, for the Retry-After header (1020)
        super().__init__(f"{code}: {self.message}" + (f" ({data})" if data else ""))

    def as_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"Code": self.code, "Message": self.message}
        if self.data:
            answer["Data"] = self.data
        return answer


# --- how resources map onto COUNTER ----------------------------------------------------------

Type = Resource.Type
DATA_TYPES: dict[str, str] = {
    Type.BOOK: "Book",
    Type.PERIODICAL: "Journal",
    Type.MANUSCRIPT: "Other",
    Type.ARCHIVAL: "Other",
    Type.PHOTOGRAPH: "Image",
    Type.MAP: "Image",
    Type.SOUND: "Sound",
    Type.VIDEO: "Audiovisual",
    Type.OTHER: "Other",
}
TITLE_TYPES = (Type.BOOK, Type.PERIODICAL)  # reported in TR; the other types in IR
ITEM_TYPES = tuple(t for t in Type if t not in TITLE_TYPES)
TITLE_METRICS = ("Unique_Title_Investigations", "Unique_Title_Requests")
TITLE_METRIC_DATA_TYPES = ("Book",)
UNKNOWN_YOP = "0001"


def data_type(resource_type: str) -> str:
    return DATA_TYPES.get(resource_type, "Unspecified")


def access_type(access_level: str) -> str:
    return "Free_To_Read" if access_level == AccessLevel.OPEN else "Controlled"


def yop(year: int | None) -> str:
    return f"{year:04d}" if year is not None and 1 <= year <= 9999 else UNKNOWN_YOP


def item_id(identifier: str) -> str:
    return f"{settings.LIBRANET_SUSHI_PLATFORM_ID}:{identifier}"


def library_name() -> str:
    return _("Presidential Library")


# --- the reports -----------------------------------------------------------------------------

PLATFORM, TITLE, ITEM = "platform", "title", "item"
METRICS = {metric.label: metric for metric in Metric}
EXTENSIONS = (
    "Institution_Name",
    "Customer_ID",
    "Country_Name",
    "Country_Code",
    "Subdivision_Name",
    "Subdivision_Code",
    "Attributed",
)
_ITEM_METRICS = (
    "Total_Item_Investigations",
    "Total_Item_Requests",
    "Unique_Item_Investigations",
    "Unique_Item_Requests",
)
_DENIALS = ("Limit_Exceeded", "No_License")
_COMMON = ("customer_id", "requestor_id", "api_key", "platform", "begin_date", "end_date")
_MASTER = ("metric_type", "data_type", "access_method", "attributes_to_show", "granularity")
_EXTENSION_FILTERS = ("attributed", "country_code", "subdivision_code")
_PR_DATA_TYPES = (
    "Article", "Audiovisual", "Book", "Book_Segment", "Conference", "Conference_Item",
    "Database_Full_Item", "Dataset", "Image", "Interactive_Resource", "Journal", "Multimedia",
    "News_Item", "Newspaper_or_Newsletter", "Other", "Patent", "Platform", "Reference_Item",
    "Reference_Work", "Report", "Software", "Sound", "Standard", "Thesis_or_Dissertation",
    "Unspecified",
)  # fmt: skip
_TR_DATA_TYPES = (
    "Book", "Conference", "Journal", "Newspaper_or_Newsletter", "Other", "Patent",
    "Reference_Work", "Report", "Standard", "Thesis_or_Dissertation", "Unspecified",
)  # fmt: skip
_IR_DATA_TYPES = (
    "Article", "Audiovisual", "Book_Segment", "Conference_Item", "Database_Full_Item",
    "Dataset", "Image", "Interactive_Resource", "Multimedia", "News_Item", "Other", "Patent",
    "Reference_Item", "Report", "Software", "Sound", "Standard", "Thesis_or_Dissertation",
    "Unspecified",
)  # fmt: skip


@dataclass(frozen=True)
class ReportKind:
    """One COUNTER Report or Standard View: what it counts, which Data_Types, filters and
    attributes it takes (the enumerations of COUNTER_API.json), and a Standard View's fixed
    filters (``fixed``) and always-shown attributes (``shown``)."""

    report_id: str
    name: str
    description: str
    level: str
    metrics: tuple[str, ...]
    data_types: tuple[str, ...]
    parameters: tuple[str, ...] = _COMMON
    attributes: tuple[str, ...] = ()
    fixed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    shown: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return self.report_id.lower()


PR = ReportKind(
    report_id="PR",
    name="Platform Report",
    description="Platform-level usage summarized by Metric_Type, Data_Type and Access_Method.",
    level=PLATFORM,
    metrics=("Searches_Platform", *_ITEM_METRICS, *TITLE_METRICS),
    data_types=_PR_DATA_TYPES,
    parameters=_COMMON + _MASTER + _EXTENSION_FILTERS,
    attributes=("Access_Method", *EXTENSIONS),
)
PR_P1_METRICS = (
    "Searches_Platform",
    "Total_Item_Requests",
    "Unique_Item_Requests",
    "Unique_Title_Requests",
)
PR_P1 = ReportKind(
    report_id="PR_P1",
    name="Platform Usage",
    description="Platform-level searches and requests by Data_Type (Standard View of PR).",
    level=PLATFORM,
    metrics=PR_P1_METRICS,
    data_types=_PR_DATA_TYPES,
    fixed={"Access_Method": ("Regular",), "Metric_Type": PR_P1_METRICS},
)
TR = ReportKind(
    report_id="TR",
    name="Title Report",
    description="Usage of books and periodicals at the title level.",
    level=TITLE,
    metrics=(*_ITEM_METRICS, *TITLE_METRICS, *_DENIALS),
    data_types=_TR_DATA_TYPES,
    parameters=_COMMON + _MASTER + ("access_type", "yop", "item_id") + _EXTENSION_FILTERS,
    attributes=("YOP", "Access_Type", "Access_Method", *EXTENSIONS, "Book_Segment_Count"),
)
TR_B1_METRICS = ("Total_Item_Requests", "Unique_Title_Requests")
TR_B1 = ReportKind(
    report_id="TR_B1",
    name="Book Requests (Controlled)",
    description="Requests of books with controlled access, by title and YOP (Standard View).",
    level=TITLE,
    metrics=TR_B1_METRICS,
    data_types=("Book", "Reference_Work"),
    fixed={
        "Access_Method": ("Regular",),
        "Access_Type": ("Controlled",),
        "Data_Type": ("Book", "Reference_Work"),
        "Metric_Type": TR_B1_METRICS,
    },
    shown=("YOP",),
)
IR = ReportKind(
    report_id="IR",
    name="Item Report",
    description="Usage of items: photographs, maps, manuscripts, archival documents, sound, "
    "video and other resources that are not books or periodicals.",
    level=ITEM,
    metrics=(*_ITEM_METRICS, *_DENIALS),
    data_types=_IR_DATA_TYPES,
    parameters=_COMMON
    + _MASTER
    + ("access_type", "yop", "include_parent_details", "include_component_details")
    + ("item_id", "author")
    + _EXTENSION_FILTERS,
    attributes=(
        "YOP",
        "Access_Type",
        "Access_Method",
        "Authors",
        "Publication_Date",
        "Article_Version",
        *EXTENSIONS,
    ),
)
REPORTS = {kind.path: kind for kind in (PR, PR_P1, TR, TR_B1, IR)}

# The values of the enumerated filters (the same in every report that takes them).
_ENUM_FILTERS = {
    "Access_Method": ("Regular", "TDM"),
    "Access_Type": ("Controlled", "Open", "Free_To_Read"),
    "Attributed": ("Yes", "No"),
}
_FILTER_NAMES = {
    "metric_type": "Metric_Type",
    "data_type": "Data_Type",
    "access_method": "Access_Method",
    "access_type": "Access_Type",
    "yop": "YOP",
    "item_id": "Item_ID",
    "author": "Author",
    "attributed": "Attributed",
    "country_code": "Country_Code",
    "subdivision_code": "Subdivision_Code",
}
_YOP_RE = re.compile(r"([0-9]{4})(?:-([0-9]{4}))?", re.ASCII)
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_SUBDIVISION_RE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")

# --- customers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Customer:
    """Whose usage a report covers: a center (``center``) or the whole Library (``None``)."""

    customer_id: str
    name: str
    center: Center | None

    @property
    def institution_id(self) -> dict[str, list[str]]:
        return {"Proprietary": [item_id(self.customer_id)]}


def library_customer() -> Customer:
    return Customer(settings.LIBRANET_SUSHI_LIBRARY_CUSTOMER_ID, library_name(), None)


def center_customer(center: Center) -> Customer:
    return Customer(center.code, center.name, center)


def customer_for(customer_id: str) -> Customer | None:
    """The customer a customer_id names: the Library's id, or a center's code."""
    if customer_id == settings.LIBRANET_SUSHI_LIBRARY_CUSTOMER_ID:
        return library_customer()
    center = Center.objects.filter(code=customer_id).first()
    return center_customer(center) if center else None


def _reported_centers() -> Any:
    # Centers only planned or approved never had a reader: they are no one's members.
    return Center.objects.exclude(status__in=[Center.Status.PLANNED, Center.Status.APPROVED])


def customer_members(customer: Customer) -> list[Customer]:
    """The institutions whose usage a customer's reports sum, each with its own customer_id:
    a regional center's members are the centers it coordinates; the Library's, the centers no
    one coordinates (regional centers, foreign centers, branches). A customer with none is its
    own only member, as the member list is never empty."""
    if customer.center is None:
        centers = _reported_centers().filter(regional_center__isnull=True)
    else:
        centers = _reported_centers().filter(regional_center=customer.center)
    members = [center_customer(center) for center in centers.order_by("code")]
    return members or [customer]


def covered_centers(customer: Customer) -> list[int] | None:
    """The centers whose usage a customer's reports cover (None: all usage, even outside
    every center): a center and the centers it coordinates."""
    if customer.center is None:
        return None
    coordinated = Center.objects.filter(regional_center=customer.center).values_list(
        "pk", flat=True
    )
    return [customer.center.pk, *coordinated]


def member_list(customer: Customer) -> list[dict[str, Any]]:
    """The /members answer. Requestor_ID is left out: the requestor that asked may ask for
    every member (Code of Practice: omitted when it is the request's own)."""
    answer = []
    for member in customer_members(customer):
        entry: dict[str, Any] = {
            "Customer_ID": member.customer_id,
            "Institution_Name": member.name,
            "Institution_ID": member.institution_id,
        }
        if member.center is not None:
            entry["Notes"] = str(member.center.get_kind_display())
        answer.append(entry)
    return answer


# --- months and what the roll-ups hold for them ----------------------------------------------


def _next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _month_end(month: datetime.date) -> datetime.date:
    return _next_month(month) - datetime.timedelta(days=1)


def _months(begin: datetime.date, end: datetime.date) -> list[datetime.date]:
    months = []
    while begin <= end:
        months.append(begin)
        begin = _next_month(begin)
    return months


def _spans(months: list[datetime.date]) -> str:
    """Months as runs: "2024-01 to 2024-03, 2024-06"."""
    runs: list[list[datetime.date]] = []
    for month in months:
        if runs and _next_month(runs[-1][-1]) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    return ", ".join(
        dates.month_text(run[0])
        if len(run) == 1
        else f"{dates.month_text(run[0])} to {dates.month_text(run[-1])}"
        for run in runs
    )


def available_months(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The first and last month before the current one with rolled-up days (the previous
    month for both when none is rolled up yet: nothing earlier could be)."""
    current = (today or timezone.localdate()).replace(day=1)
    span = RolledUpDay.objects.filter(day__lt=current).aggregate(first=Min("day"), last=Max("day"))
    previous = (current - datetime.timedelta(days=1)).replace(day=1)
    first = span["first"].replace(day=1) if span["first"] else previous
    last = span["last"].replace(day=1) if span["last"] else previous
    return first, last


# --- a report request ------------------------------------------------------------------------


@dataclass
class ReportRequest:
    """A report request, checked: the months, the filters and attributes that apply, and the
    exceptions the report's header will carry."""

    kind: ReportKind
    customer: Customer
    begin: datetime.date  # first day of the first month
    end: datetime.date  # first day of the last month
    filters: dict[str, Any] = field(default_factory=dict)  # Report_Filters besides the dates
    attributes: list[str] = field(default_factory=list)  # Attributes_To_Show
    report_attributes: dict[str, str] = field(default_factory=dict)  # Granularity, Include_*
    exceptions: list[CounterException] = field(default_factory=list)
    processed: list[datetime.date] = field(default_factory=list)  # months with rolled-up days

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(self.filters.get("Metric_Type", self.kind.metrics))

    @property
    def shown(self) -> tuple[str, ...]:
        return (*self.kind.shown, *self.attributes)

    @property
    def by_institution(self) -> bool:
        """Whether usage is broken down by institution (an institution attribute is shown)."""
        return any(name in self.attributes for name in EXTENSIONS)

    @property
    def total(self) -> bool:
        return self.report_attributes.get("Granularity") == "Total"

    def allows(self, name: str, value: str) -> bool:
        chosen = self.filters.get(name)
        return chosen is None or value in chosen


def _flat(params: Any) -> dict[str, str]:
    """The parameters, a repeated one joined by "|" as one list."""
    if hasattr(params, "getlist"):
        return {name: "|".join(params.getlist(name)) for name in params}
    return dict(params)


def _values(text: str) -> list[str]:
    seen: list[str] = []
    for value in (v.strip() for v in text.split("|")):
        if value and value not in seen:
            seen.append(value)
    return seen


def _month(value: str, name: str) -> datetime.date:
    """The first day of the month of ``value`` (yyyy-mm or yyyy-mm-dd); 3020 when it is none,
    with the reason in English, as the protocol's messages are."""
    with translation.override("en"):
        try:
            return dates.parse_month_or_day(value, parameter=name).replace(day=1)
        except dates.DateInputError as exc:
            raise CounterException(3020, str(exc)) from None


def parse_report_request(
    kind: ReportKind, customer: Customer, params: Any, *, today: datetime.date | None = None
) -> ReportRequest:
    """Check a report request's parameters (customer and credentials already checked).

    Missing dates are 1030 and wrong ones 3020, both fatal; so is a begin_date in the current
    month or later. An end_date in the current month or later is moved back to the previous
    month (3031). Unknown parameters (3050), filter values (3060) and attributes (3062, 3063)
    are left out and noted, as the Code of Practice asks."""
    params = _flat(params)
    today = today or timezone.localdate()
    current = today.replace(day=1)
    missing = [name for name in ("begin_date", "end_date") if not params.get(name, "").strip()]
    if missing:
        raise CounterException(1030, f"{' and '.join(missing)} missing")
    begin = _month(params["begin_date"], "begin_date")
    end = _month(params["end_date"], "end_date")
    if end < begin:
        raise CounterException(3020, "end_date is before begin_date")
    if begin >= current:
        raise CounterException(
            3020,
            f"begin_date {dates.month_text(begin)} is not a past month; usage is reported by month",
        )
    request = ReportRequest(kind=kind, customer=customer, begin=begin, end=end)
    if end >= current:
        request.end = (current - datetime.timedelta(days=1)).replace(day=1)
        request.exceptions.append(
            CounterException(
                3031,
                f"{_spans(_months(current, end))} not ready: End_Date set to the last day of "
                f"{dates.month_text(request.end)}",
            )
        )
    unknown = sorted(name for name in params if name not in kind.parameters)
    if unknown:
        request.exceptions.append(CounterException(3050, ", ".join(unknown)))
    _parse_filters(request, params)
    _parse_attributes(request, params)
    return request


def _enum(values: list[str], allowed: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Values in the spelling of ``allowed`` (matched whatever their case), in its order, and
    the values it does not know."""
    by_fold = {value.casefold(): value for value in allowed}
    good = {by_fold[v.casefold()] for v in values if v.casefold() in by_fold}
    return [v for v in allowed if v in good], [v for v in values if v.casefold() not in by_fold]


def _parse_filters(request: ReportRequest, params: dict[str, str]) -> None:
    kind = request.kind
    bad: list[str] = []
    platform = params.get("platform", "").strip()
    if platform:
        if platform.casefold() == settings.LIBRANET_SUSHI_PLATFORM.casefold():
            request.filters["Platform"] = settings.LIBRANET_SUSHI_PLATFORM
        else:
            bad.append(
                f"platform={platform} (this service reports {settings.LIBRANET_SUSHI_PLATFORM})"
            )
    for parameter, name in _FILTER_NAMES.items():
        text = params.get(parameter, "").strip()
        if parameter not in kind.parameters or not text:
            continue
        values = _values(text)
        if name == "Metric_Type":
            good, wrong = _enum(values, kind.metrics)
            if len(good) == 1 and kind.level != ITEM and good != ["Searches_Platform"]:
                # COUNTER_API.json wants two Metric_Types in every PR and TR Performance (but
                # Searches_Platform's): one alone would make a report no schema allows.
                wrong.append(f"{good.pop()} alone (PR and TR report two or more)")
        elif name == "Data_Type":
            good, wrong = _enum(values, kind.data_types)
        elif name in _ENUM_FILTERS:
            good, wrong = _enum(values, _ENUM_FILTERS[name])
        elif name == "YOP":
            good = [v for v in values if _yop_range(v)]
            wrong = [v for v in values if not _yop_range(v)]
        elif name in ("Country_Code", "Subdivision_Code"):
            pattern = _COUNTRY_RE if name == "Country_Code" else _SUBDIVISION_RE
            good = [v.upper() for v in values if pattern.match(v.upper())]
            wrong = [v for v in values if not pattern.match(v.upper())]
        else:  # Item_ID, Author: one free value
            good, wrong = [text], []
        if name in ("Attributed", "Country_Code", "Subdivision_Code", "Item_ID", "Author"):
            # The header holds one value of these: a list is not a filter this service knows.
            if len(good) > 1 or (name in ("Item_ID", "Author") and len(text) < 2):
                good, wrong = [], [text]
            request.filters.update({name: good[0]} if good else {})
        elif good:
            request.filters[name] = good
        bad.extend(f"{parameter}={value}" for value in wrong)
    if bad:
        request.exceptions.append(CounterException(3060, "; ".join(bad)))
    request.filters.update({name: list(values) for name, values in kind.fixed.items()})


def _yop_range(value: str) -> tuple[int, int] | None:
    match = _YOP_RE.fullmatch(value)
    if not match:
        return None
    first = int(match.group(1))
    last = int(match.group(2) or first)
    return (first, last) if first <= last else None


def _parse_attributes(request: ReportRequest, params: dict[str, str]) -> None:
    kind = request.kind
    bad: list[str] = []
    if "attributes_to_show" in kind.parameters and params.get("attributes_to_show"):
        good, wrong = _enum(_values(params["attributes_to_show"]), kind.attributes)
        request.attributes = good
        bad.extend(f"attributes_to_show={value}" for value in wrong)
    granularity = params.get("granularity", "").strip()
    if "granularity" in kind.parameters and granularity:
        good, wrong = _enum([granularity], ("Month", "Total"))
        request.report_attributes.update({"Granularity": good[0]} if good else {})
        bad.extend(f"granularity={value}" for value in wrong)
    for parameter, name in (
        ("include_parent_details", "Include_Parent_Details"),
        ("include_component_details", "Include_Component_Details"),
    ):
        value = params.get(parameter, "").strip()
        if parameter not in kind.parameters or not value:
            continue
        good, wrong = _enum([value], ("False", "True"))
        bad.extend(f"{parameter}={v}" for v in wrong)
        if good == ["True"] and name == "Include_Component_Details":
            request.exceptions.append(CounterException(3063, "items have no components here"))
        elif good:
            request.report_attributes[name] = good[0]
    if bad:
        request.exceptions.append(CounterException(3062, "; ".join(bad)))


def _availability(request: ReportRequest) -> list[datetime.date]:
    """The months of the request with rolled-up days; notes those without (3031, or 3032
    before the first one ever) and those with only some (3040). A request starting before the
    first month with data starts at it instead."""
    days = {
        row["month"]: row["days"]
        for row in RolledUpDay.objects.filter(
            day__gte=request.begin, day__lte=_month_end(request.end)
        )
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(days=Count("day"))
    }
    first_day = RolledUpDay.objects.aggregate(first=Min("day"))["first"]
    if first_day is not None and request.begin < first_day.replace(day=1) <= request.end:
        gone = _months(request.begin, _next_month(first_day.replace(day=1)) - datetime.timedelta(1))
        request.exceptions.append(
            CounterException(
                3032,
                f"usage is available from {dates.month_text(first_day)}; Begin_Date set to its "
                f"first day ({_spans(gone)} requested)",
            )
        )
        request.begin = first_day.replace(day=1)
    not_ready, partial, processed = [], [], []
    for month in _months(request.begin, request.end):
        count = days.get(month, 0)
        if count == 0:
            not_ready.append(month)
            continue
        processed.append(month)
        length = calendar.monthrange(month.year, month.month)[1]
        if count < length:
            partial.append(f"{dates.month_text(month)}: {count} of {length} days processed")
    if not_ready:
        code = 3032 if first_day is not None and request.end < first_day else 3031
        request.exceptions.append(CounterException(code, f"{_spans(not_ready)} not processed"))
    if partial:
        request.exceptions.append(CounterException(3040, "; ".join(partial)))
    return processed


# --- building a report -----------------------------------------------------------------------

Performance = dict[str, dict[str, int]]  # Metric_Type -> "yyyy-mm" -> count


def _center_filter(request: ReportRequest) -> Q:
    """Which roll-up rows the customer and the institution filters leave in."""
    covered = covered_centers(request.customer)
    q = Q() if covered is None else Q(center_id__in=covered)
    country = request.filters.get("Country_Code")
    subdivision = request.filters.get("Subdivision_Code")
    if country or subdivision:
        centers = Center.objects.all()
        if country:
            # Centers in Russia have a region and no country.
            in_russia = Q(country__isnull=True) if country == "RU" else Q(pk__in=[])
            centers = centers.filter(Q(country__code=country) | in_russia)
        if subdivision:
            centers = centers.filter(region__code=subdivision)
        q &= Q(center_id__in=centers.values("pk"))
    attributed = request.filters.get("Attributed")
    if attributed:
        q &= Q(center__isnull=attributed == "No")
    return q


def _usage(
    request: ReportRequest,
    model: type[Model],
    metrics: Iterable[str],
    group: list[str],
    resources: Q | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The roll-up rows' sums per metric and ``group`` for the request's customer, each with
    its period: a month ("yyyy-mm"), or with Granularity=Total the first month for all.

    One GROUP BY per processed month rather than one on a month computed from each row: no
    function runs per row (SQLite would call Python for it), and each month is a range of
    the (day, center) index."""
    wanted = [METRICS[m] for m in metrics if m in METRICS]
    if not wanted or not request.allows("Access_Method", "Regular"):
        return
    if request.by_institution:
        group = [*group, "center"]
    rows = model._default_manager.filter(_center_filter(request), metric__in=wanted)
    if resources is not None:
        rows = rows.filter(resources)
    if request.total:
        periods = [(request.begin, _month_end(request.end))]
    else:
        periods = [(month, _month_end(month)) for month in request.processed]
    for first, last in periods:
        sums = rows.filter(day__gte=first, day__lte=last).values("metric", *group)
        for row in sums.annotate(total=Sum("value")).order_by():
            yield dates.month_text(first), row


def _add(performance: Performance, period: str, row: dict[str, Any]) -> None:
    if row["total"]:
        counts = performance.setdefault(Metric(row["metric"]).label, {})
        counts[period] = counts.get(period, 0) + row["total"]


def _performance(request: ReportRequest, performance: Performance) -> dict[str, dict[str, int]]:
    return {m: dict(sorted(performance[m].items())) for m in request.metrics if performance.get(m)}


def _institutions(request: ReportRequest, center_ids: Iterable[int | None]) -> Callable:
    """A function giving the institution attributes shown for a center id (None: outside
    every center, "Attributed": "No")."""
    shown = [name for name in EXTENSIONS if name in request.attributes]
    if not shown:
        return lambda center_id: {}
    centers = Center.objects.select_related("region", "country").in_bulk(
        [pk for pk in set(center_ids) if pk is not None]
    )
    russia = Country.objects.filter(code="RU").first()

    def attributes(center_id: int | None) -> dict[str, str]:
        center = centers.get(center_id) if center_id is not None else None
        values = {"Attributed": "No" if center_id is None else "Yes"}
        if center is not None:
            country = center.country or russia
            values.update(
                Institution_Name=center.name,
                Customer_ID=center.code,
                Country_Code=country.code if country else "RU",
            )
            if country:
                values["Country_Name"] = country.name
            if center.region:
                values["Subdivision_Name"] = center.region.name
                values["Subdivision_Code"] = center.region.code
        return {name: values[name] for name in shown if name in values}

    return attributes


def _resource_types(request: ReportRequest, types: Iterable[str]) -> list[str]:
    return [t for t in types if request.allows("Data_Type", data_type(t))]


def _platform_items(request: ReportRequest) -> list[dict[str, Any]]:
    groups: dict[tuple[int | None, str], Performance] = {}
    types = _resource_types(request, Type)
    item_metrics = [m for m in request.metrics if m != "Searches_Platform"]
    # Resources are only ever marked deleted (OAI-PMH keeps them): the join loses no usage.
    for period, row in _usage(
        request, DailyItemUsage, item_metrics, ["resource__type"], Q(resource__type__in=types)
    ):
        kind = data_type(row["resource__type"])
        if Metric(row["metric"]).label in TITLE_METRICS and kind not in TITLE_METRIC_DATA_TYPES:
            continue
        _add(groups.setdefault((row.get("center"), kind), {}), period, row)
    if request.allows("Data_Type", "Platform") and "Searches_Platform" in request.metrics:
        for period, row in _usage(request, DailyCenterUsage, ["Searches_Platform"], []):
            _add(groups.setdefault((row.get("center"), "Platform"), {}), period, row)
    institutions = _institutions(request, (center for center, _kind in groups))
    performances = []
    for (center, kind), performance in sorted(
        groups.items(), key=lambda g: (_order(g[0][0]), g[0][1])
    ):
        entry: dict[str, Any] = {"Data_Type": kind}
        if "Access_Method" in request.shown:
            entry["Access_Method"] = "Regular"
        entry.update(institutions(center))
        entry["Performance"] = _performance(request, performance)
        if entry["Performance"]:
            performances.append(entry)
    if not performances:
        return []
    return [{"Platform": settings.LIBRANET_SUSHI_PLATFORM, "Attribute_Performance": performances}]


def _order(center: int | None) -> tuple[bool, int]:
    # Usage outside every center first, then the centers in the order they were registered.
    return (center is not None, center or 0)


def _resource_filter(request: ReportRequest, types: Iterable[str]) -> Q:
    filters = [Q(resource__type__in=_resource_types(request, types))]
    access = request.filters.get("Access_Type")
    if access is not None:  # the level at the time of use, kept with the usage
        levels = [level for level in AccessLevel if access_type(level) in access]
        filters.append(Q(access_level__in=levels))
    if "YOP" in request.filters:
        ranges = [r for r in map(_yop_range, request.filters["YOP"]) if r]
        filters.append(functools.reduce(operator.or_, map(_yop_q, ranges)))
    if "Item_ID" in request.filters:
        identifier = request.filters["Item_ID"].removeprefix("Proprietary:")
        identifier = identifier.removeprefix(f"{settings.LIBRANET_SUSHI_PLATFORM_ID}:")
        filters.append(Q(resource__identifier=identifier))
    return functools.reduce(operator.and_, filters)


def _yop_q(years: tuple[int, int]) -> Q:
    first, last = years
    q = Q(resource__year_from__gte=first, resource__year_from__lte=last)
    if first <= 1 <= last:  # unknown YOP is 0001
        q |= Q(resource__year_from__isnull=True) | Q(resource__year_from__lt=1)
    return q


# Per resource: the performance by (center, Access_Type at the time of use), each None when
# the report does not show it.
Usage = dict[int, dict[tuple[int | None, str | None], Performance]]


def _resource_usage(
    request: ReportRequest, types: Iterable[str]
) -> tuple[Usage, dict[int, Resource]]:
    """Per resource, and (when they are shown) center and Access_Type, the usage's
    performance."""
    usage: Usage = {}
    by_access = "Access_Type" in request.shown
    group = ["resource", "access_level"] if by_access else ["resource"]
    for period, row in _usage(
        request, DailyItemUsage, request.metrics, group, _resource_filter(request, types)
    ):
        access = access_type(row["access_level"]) if by_access else None
        by_center = usage.setdefault(row["resource"], {})
        _add(by_center.setdefault((row.get("center"), access), {}), period, row)
    resources = Resource.objects.in_bulk(list(usage))
    author = request.filters.get("Author", "").casefold()
    if author:
        resources = {
            pk: r for pk, r in resources.items() if author in (c.casefold() for c in r.creators)
        }
    return usage, resources


def _attribute_performances(
    request: ReportRequest,
    resource: Resource,
    by_center: dict[tuple[int | None, str | None], Performance],
    institutions: Callable,
) -> list[dict[str, Any]]:
    kind = data_type(resource.type)
    entries = []
    ordered = sorted(by_center.items(), key=lambda e: (_order(e[0][0]), e[0][1] or ""))
    for (center, access), performance in ordered:
        if kind not in TITLE_METRIC_DATA_TYPES:
            performance = {m: c for m, c in performance.items() if m not in TITLE_METRICS}
        entry: dict[str, Any] = {"Data_Type": kind}
        if "YOP" in request.shown:
            entry["YOP"] = yop(resource.year_from)
        if access is not None:
            entry["Access_Type"] = access
        if "Access_Method" in request.shown:
            entry["Access_Method"] = "Regular"
        entry.update(institutions(center))
        entry["Performance"] = _performance(request, performance)
        if entry["Performance"]:
            entries.append(entry)
    return entries


def _title_items(request: ReportRequest) -> list[dict[str, Any]]:
    usage, resources = _resource_usage(request, TITLE_TYPES)
    institutions = _institutions(
        request, (c for by_center in usage.values() for c, _access in by_center)
    )
    items = []
    for resource in sorted(resources.values(), key=lambda r: r.identifier):
        performances = _attribute_performances(request, resource, usage[resource.pk], institutions)
        if performances:
            items.append(
                {
                    "Title": resource.title,
                    "Publisher": library_name(),
                    "Platform": settings.LIBRANET_SUSHI_PLATFORM,
                    "Item_ID": {"Proprietary": item_id(resource.identifier)},
                    "Attribute_Performance": performances,
                }
            )
    return items


def _publication_date(resource: Resource) -> str | None:
    try:
        return datetime.date.fromisoformat(resource.date_text.strip()).isoformat()
    except ValueError:
        return None


def _item_items(request: ReportRequest) -> list[dict[str, Any]]:
    usage, resources = _resource_usage(request, ITEM_TYPES)
    institutions = _institutions(
        request, (c for by_center in usage.values() for c, _access in by_center)
    )
    items = []
    for resource in sorted(resources.values(), key=lambda r: r.identifier):
        performances = _attribute_performances(request, resource, usage[resource.pk], institutions)
        if not performances:
            continue
        item: dict[str, Any] = {
            "Item": resource.title,
            "Publisher": library_name(),
            "Platform": settings.LIBRANET_SUSHI_PLATFORM,
            "Item_ID": {"Proprietary": item_id(resource.identifier)},
        }
        authors = list(dict.fromkeys(c.strip() for c in resource.creators if len(c.strip()) >= 2))
        if "Authors" in request.shown and authors:
            item["Authors"] = [{"Name": name} for name in authors[:3]]
        published = _publication_date(resource)
        if "Publication_Date" in request.shown and published:
            item["Publication_Date"] = published
        item["Attribute_Performance"] = performances
        items.append(item)
    # No resource has a parent (no articles in journals, no chapters in books): all the items
    # are in the one group of those without.
    return [{"Items": items}] if items else []


_BUILDERS = {PLATFORM: _platform_items, TITLE: _title_items, ITEM: _item_items}


def build_report(
    kind: ReportKind, customer: Customer, params: Any, *, today: datetime.date | None = None
) -> dict[str, Any]:
    """The report in the JSON of the COUNTER API, for a customer whose credentials are
    checked. Raises ``CounterException`` for a request that cannot be answered."""
    request = parse_report_request(kind, customer, params, today=today)
    request.processed = _availability(request)
    items = _BUILDERS[kind.level](request) if request.processed else []
    if request.processed and not items:
        request.exceptions.append(CounterException(3030))
    return {"Report_Header": _header(request), "Report_Items": items}


def _header(request: ReportRequest) -> dict[str, Any]:
    kind = request.kind
    header: dict[str, Any] = {
        "Report_Name": kind.name,
        "Report_ID": kind.report_id,
        "Release": RELEASE,
        "Institution_Name": request.customer.name,
        "Institution_ID": request.customer.institution_id,
        "Report_Filters": {
            "Begin_Date": request.begin.isoformat(),
            "End_Date": _month_end(request.end).isoformat(),
            **request.filters,
        },
    }
    attributes: dict[str, Any] = {}
    if request.attributes:
        attributes["Attributes_To_Show"] = request.attributes
    attributes.update(request.report_attributes)
    if attributes:
        header["Report_Attributes"] = attributes
    if request.exceptions:
        header["Exceptions"] = _exceptions(request.exceptions)
    header.update(
        Created=timezone.now().astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        Created_By=settings.LIBRANET_SUSHI_PLATFORM,
        Registry_Record=settings.LIBRANET_SUSHI_REGISTRY_RECORD,
    )
    return header


def _exceptions(exceptions: list[CounterException]) -> list[dict[str, Any]]:
    """The header's exceptions by code, each code once (the Data of a repeated one joined)."""
    by_code: dict[int, list[str]] = {}
    for exception in exceptions:
        data = by_code.setdefault(exception.code, [])
        if exception.data and exception.data not in data:
            data.append(exception.data)
    return [CounterException(code, "; ".join(by_code[code])).as_json() for code in sorted(by_code)]


# --- the other answers of the API ------------------------------------------------------------


def report_list(today: datetime.date | None = None) -> list[dict[str, Any]]:
    """The /reports answer: the reports this service gives, and the months they cover."""
    first, last = available_months(today)
    return [
        {
            "Report_Name": kind.name,
            "Report_ID": kind.report_id,
            "Release": RELEASE,
            "Report_Description": kind.description,
            "Path": f"/r51/reports/{kind.path}",
            "First_Month_Available": dates.month_text(first),
            "Last_Month_Available": dates.month_text(last),
        }
        for kind in REPORTS.values()
    ]


def service_status() -> list[dict[str, Any]]:
    """The /status answer: the service is up; the note says how far usage is processed."""
    status: dict[str, Any] = {
        "Description": f"COUNTER Release 5.1 usage reports of {settings.LIBRANET_SUSHI_PLATFORM}",
        "Service_Active": True,
    }
    if settings.LIBRANET_SUSHI_REGISTRY_RECORD:
        status["Registry_Record"] = settings.LIBRANET_SUSHI_REGISTRY_RECORD
    last = RolledUpDay.objects.aggregate(last=Max("day"))["last"]
    status["Note"] = (
        f"Usage is processed up to {last:%Y-%m-%d}." if last else "No usage is processed yet."
    )
    return [status]
