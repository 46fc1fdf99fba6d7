"""What the API reads and writes: request bodies, query parameters and answers, as OpenAPI
documents them. The rules are not here but in the network services; these only give shape."""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from libranet.dates import DateInputError, parse_day
from libranet.network.models import Center

# The models' choices, spelled out so that OpenAPI shows them inline (a test keeps them equal).
CenterKind = Literal["regional", "remote", "branch", "foreign"]
CenterStatus = Literal["planned", "approved", "open", "suspended", "closed"]
InstitutionKind = Literal[
    "library", "university", "museum", "school", "rcsc", "national_library", "other"
]


def _none_to_empty(value: Any) -> Any:
    return "" if value is None else value


# A text field of a card: null means empty. Markup is stored as given; JSON escapes it.
Text = Annotated[str, BeforeValidator(_none_to_empty)]


def _iso_day(value: Any) -> Any:
    """A day as ``YYYY-MM-DD`` only, as at every door: pydantic would also take a number as
    seconds since 1970 (``from=0`` read as 1 January 1970)."""
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "Give the day as YYYY-MM-DD.")
    try:
        return parse_day(value, parameter="day")
    except DateInputError as exc:
        raise PydanticCustomError("date_from_datetime_parsing", exc.reason) from exc


Day = Annotated[datetime.date, BeforeValidator(_iso_day)]


def _iso_moment(value: Any) -> Any:
    """A moment as an ISO 8601 string (or a datetime), never a number of seconds."""
    if isinstance(value, datetime.datetime) or (
        isinstance(value, str) and not value.strip().lstrip("+-").replace(".", "", 1).isdigit()
    ):
        return value
    raise PydanticCustomError("datetime_type", "Give the moment as YYYY-MM-DDTHH:MM+03:00.")


Moment = Annotated[datetime.datetime, BeforeValidator(_iso_moment)]


def _micro_degrees(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.000001"))  # what the database keeps (about 10 cm)


def _refuse_null_characters(value: Any) -> Any:
    # PostgreSQL cannot store U+0000 in text; refuse it on the field rather than fail later.
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        raise PydanticCustomError("null_character", "Null characters are not allowed.")
    return value


class BodyIn(Schema):
    """A request body: unknown fields are refused (a typo must not pass as "no change")."""

    model_config = ConfigDict(extra="forbid")

    _no_null_characters = field_validator("*")(_refuse_null_characters)


Latitude = Annotated[Decimal, Field(ge=-90, le=90), AfterValidator(_micro_degrees)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180), AfterValidator(_micro_degrees)]


class ErrorOut(Schema):
    message: str = Field(description="What went wrong, for a person; names the fields.")
    errors: dict[str, list[str]] | None = Field(
        None, description="Messages by field, named as in the request (on 403 and 422)."
    )


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers that come from an endpoint's rules (a role's 403, a withdrawal's 410);
    those that come from reading the request are added to every operation by
    ``errors.document_errors``. All of one shape."""
    return dict.fromkeys(statuses, ErrorOut)


# --- lists -------------------------------------------------------------------------------------


class PageQuery(Schema):
    limit: int = Field(
        50,
        ge=1,
        le=settings.LIBRANET_API_PAGE_MAX,
        description=f"How many items to answer (at most {settings.LIBRANET_API_PAGE_MAX}).",
    )
    offset: int = Field(0, ge=0, le=10**9, description="How many items to skip.")


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class CenterQuery(Schema):
    kind: CenterKind | None = Field(None, description="Kind of center.")
    status: CenterStatus | None = Field(None, description="Current status.")
    region: str | None = Field(None, description="ISO 3166-2 code of a region, such as RU-TVE.")
    federal_district: str | None = Field(None, description="Code of a federal district (CFD).")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code of a country (MN).")
    q: str | None = Field(
        None, description="Words to find in names, institution and address (Russian or English)."
    )

    # An empty code or text (what a form sends) means "any", as on the directory page; an empty
    # kind or status is refused, as every value outside their lists is.
    _blank = field_validator("region", "federal_district", "country", "q", mode="before")(
        _blank_to_none
    )


class RegionQuery(Schema):
    federal_district: str | None = Field(None, description="Code of a federal district (CFD).")

    _blank = field_validator("*", mode="before")(_blank_to_none)


class InstitutionQuery(Schema):
    q: str | None = Field(None, description="Words to find in the Russian or English name.")


# --- reference data ------------------------------------------------------------------------------


class FederalDistrictOut(Schema):
    code: str
    name_ru: str
    name_en: str


class RegionOut(Schema):
    code: str = Field(description="ISO 3166-2 code, such as RU-TVE.")
    name_ru: str
    name_en: str
    federal_district: str = Field(description="Code of its federal district.")

    @staticmethod
    def resolve_federal_district(obj: Any) -> str:
        return obj.federal_district.code


class CountryOut(Schema):
    code: str = Field(description="ISO 3166-1 alpha-2 code.")
    name_ru: str
    name_en: str


class FederalDistrictPage(Schema):
    count: int
    items: list[FederalDistrictOut]


class RegionPage(Schema):
    count: int
    items: list[RegionOut]


class CountryPage(Schema):
    count: int
    items: list[CountryOut]


# --- institutions --------------------------------------------------------------------------------


class InstitutionRef(Schema):
    id: int
    name_ru: str
    name_en: str
    kind: InstitutionKind


class InstitutionOut(InstitutionRef):
    address: str = Field(description="The address in Russian.")
    address_en: str = Field(description="The address in English (empty when not given).")
    website: str


class InstitutionPage(Schema):
    count: int
    items: list[InstitutionOut]


class InstitutionIn(BodyIn):
    name_ru: str
    name_en: Text = ""
    kind: InstitutionKind
    address: Text = Field("", description="The address in Russian.")
    address_en: Text = Field("", description="The address in English, for foreign readers.")
    website: Text = ""


class InstitutionPatch(BodyIn):
    """Only the fields given change."""

    name_ru: str | None = None
    name_en: Text | None = None
    kind: InstitutionKind | None = None
    address: Text | None = None
    address_en: Text | None = None
    website: Text | None = None


# --- centers -------------------------------------------------------------------------------------


class CenterOut(Schema):
    code: str
    kind: CenterKind
    status: CenterStatus
    name_ru: str
    name_en: str
    region: str | None = Field(description="ISO 3166-2 code of its region (centers in Russia).")
    federal_district: str | None = Field(description="Code of its region's federal district.")
    country: str | None = Field(description="ISO 3166-1 alpha-2 code (foreign centers).")
    regional_center: str | None = Field(description="Code of the coordinating regional center.")
    institution: InstitutionRef = Field(description="The host institution.")
    opened_on: datetime.date | None
    closed_on: datetime.date | None
    latitude: float | None
    longitude: float | None
    updated_at: datetime.datetime

    @staticmethod
    def resolve_region(obj: Center) -> str | None:
        return obj.region.code if obj.region else None

    @staticmethod
    def resolve_federal_district(obj: Center) -> str | None:
        return obj.region.federal_district.code if obj.region else None

    @staticmethod
    def resolve_country(obj: Center) -> str | None:
        return obj.country.code if obj.country else None

    @staticmethod
    def resolve_regional_center(obj: Center) -> str | None:
        return obj.regional_center.code if obj.regional_center else None

    @staticmethod
    def resolve_latitude(obj: Center) -> float | None:
        return float(obj.latitude) if obj.latitude is not None else None

    @staticmethod
    def resolve_longitude(obj: Center) -> float | None:
        return float(obj.longitude) if obj.longitude is not None else None


class CenterPage(Schema):
    count: int
    items: list[CenterOut]


class StatusChangeOut(Schema):
    status: CenterStatus
    changed_on: datetime.date
    note: str


class CenterDetailOut(CenterOut):
    address: str = Field(description="The address in Russian.")
    address_en: str = Field(description="The address in English (empty when not given).")
    contact_person: str
    email: str
    phone: str
    website: str
    hours: str = Field(description="The opening hours in Russian.")
    hours_en: str = Field(description="The opening hours in English (empty when not given).")
    status_history: list[StatusChangeOut]
    networks: list[str] | None = Field(
        description=(
            "The IP networks (CIDR) of the center's visitors: only for staff who may edit the "
            "center, null for everyone else."
        )
    )

    @staticmethod
    def resolve_networks(obj: Center) -> None:
        return None  # filled in by ``of``, which asks the permissions

    @classmethod
    def of(cls, center: Center, *, with_networks: bool) -> "CenterDetailOut":
        detail = cls.from_orm(center)
        if with_networks:
            detail.networks = [n.cidr for n in center.networks.all()]
        return detail


class CenterIn(BodyIn):
    code: str = Field(description="2–32 Latin capitals, digits, dots, dashes or underscores.")
    kind: CenterKind
    name_ru: str
    name_en: Text = ""
    institution: int = Field(description="Id of the host institution (GET /institutions).")
    region: str | None = Field(None, description="ISO 3166-2 code, for a center in Russia.")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code, for a foreign one.")
    regional_center: str | None = Field(
        None,
        description="Code of the coordinating regional center (a remote access center's; by "
        "default its region's).",
    )
    status: CenterStatus = "planned"
    opened_on: Day | None = None
    closed_on: Day | None = None
    address: Text = Field("", description="The address in Russian.")
    address_en: Text = Field("", description="The address in English, for foreign readers.")
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    contact_person: Text = ""
    email: Text = ""
    phone: Text = ""
    website: Text = ""
    hours: Text = Field("", description="The opening hours in Russian.")
    hours_en: Text = Field("", description="The opening hours in English.")
    networks: list[str] = Field(
        default_factory=list, description="IP networks of its visitors, in CIDR notation."
    )


class CenterPatch(BodyIn):
    """Only the fields given change; ``networks``, when given, replaces the list. The status has
    its own endpoint, which keeps the dated history."""

    code: str | None = None
    kind: CenterKind | None = None
    name_ru: str | None = None
    name_en: Text | None = None
    institution: int | None = None
    region: str | None = None
    country: str | None = None
    regional_center: str | None = None
    opened_on: Day | None = None
    closed_on: Day | None = None
    address: Text | None = None
    address_en: Text | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    contact_person: Text | None = None
    email: Text | None = None
    phone: Text | None = None
    website: Text | None = None
    hours: Text | None = None
    hours_en: Text | None = None
    networks: list[str] | None = None


class StatusIn(BodyIn):
    status: CenterStatus
    changed_on: Day | None = Field(None, description="The day of the change; today.")
    note: Text = ""
