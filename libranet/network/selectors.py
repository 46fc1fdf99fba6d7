"""Reads of the registry that apply its rules: the directory's filters and counts, the summary."""

import math
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, FloatField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import Center, Country, FederalDistrict, Institution, Region
from .services import RegistryError, normalize_search

Kind = Center.Kind
Status = Center.Status


@dataclass
class CenterFilters:
    """The directory's and the API's filters; empty strings mean "any"."""

    kind: str = ""
    status: str = ""
    federal_district: str = ""
    region: str = ""
    country: str = ""
    q: str = ""

    FACETS = ("kind", "status", "federal_district", "region", "country")

    @classmethod
    def from_mapping(cls, data: Any) -> "CenterFilters":
        values = {name: (data.get(name) or "").strip()[:200] for name in (*cls.FACETS, "q")}
        for code in ("region", "country", "federal_district"):
            values[code] = values[code].upper()
        return cls(**values)

    def as_q(self, *, skip: str = "") -> Q:
        q = Q()
        if self.kind and skip != "kind":
            q &= Q(kind=self.kind)
        if self.status and skip != "status":
            q &= Q(status=self.status)
        if self.federal_district and skip != "federal_district":
            q &= Q(region__federal_district__code=self.federal_district)
        if self.region and skip != "region":
            q &= Q(region__code=self.region)
        if self.country and skip != "country":
            q &= Q(country__code=self.country)
        for word in normalize_search(self.q).split()[:8]:
            q &= Q(search_text__contains=word)
        return q

    def active(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def center_list(*, filters: CenterFilters, queryset: QuerySet | None = None) -> QuerySet:
    base = Center.objects.all() if queryset is None else queryset
    # What every list of centers shows beside the center; a caller that shows more (the API's
    # coordinating center and district) joins it on top.
    return (
        base.filter(filters.as_q())
        .select_related("institution", "region", "country")
        .order_by("kind_rank", "code")
    )


@dataclass
class Facet:
    name: str
    label: str
    selected: str
    options: list[tuple[str, Any, int]] = field(default_factory=list)  # value, label, count


def center_facets(*, filters: CenterFilters) -> dict[str, Facet]:
    """Counts per value of each filter, under all the *other* active filters (so choosing a
    value never hides its siblings)."""

    def counts(skip: str, column: str) -> dict[str, int]:
        rows = (
            Center.objects.filter(filters.as_q(skip=skip))
            .values(column)
            .annotate(n=Count("id"))
            .order_by()
        )
        return {row[column]: row["n"] for row in rows if row[column]}

    by_kind, by_status = counts("kind", "kind"), counts("status", "status")
    by_district = counts("federal_district", "region__federal_district__code")
    by_region = counts("region", "region__code")
    by_country = counts("country", "country__code")

    english = (get_language() or "ru").startswith("en")

    def named(model: Any, counted: dict[str, int]) -> list[tuple[str, str, int]]:
        # Plain rows, not model instances: a facet can list every region of the country.
        rows = model.objects.filter(code__in=counted).values_list("code", "name_ru", "name_en")
        options = [
            (code, (name_en if english else name_ru) or name_ru, counted[code])
            for code, name_ru, name_en in rows
        ]
        return sorted(options, key=lambda option: option[1])

    options: dict[str, list[tuple[str, Any, int]]] = {
        "kind": [(k.value, k.label, by_kind[k.value]) for k in Kind if k.value in by_kind],
        "status": [(s.value, s.label, by_status[s.value]) for s in Status if s.value in by_status],
        "federal_district": named(FederalDistrict, by_district),
        "region": named(Region, by_region),
        "country": named(Country, by_country),
    }
    labels = {
        "kind": _("Kind"),
        "status": _("Status"),
        "federal_district": _("Federal district"),
        "region": _("Region"),
        "country": _("Country"),
    }
    facets = {
        name: Facet(name, labels[name], getattr(filters, name), options[name])
        for name in CenterFilters.FACETS
    }
    return facets


@dataclass(frozen=True)
class NetworkSummary:
    regional_centers: int
    remote_centers: int
    remote_regions: int
    foreign_centers: int
    foreign_countries: int
    branches: int


def network_summary() -> NetworkSummary:
    """The live headline numbers of open centers: one aggregate query."""
    open_centers = Center.objects.filter(status=Status.OPEN)
    row = open_centers.aggregate(
        regional=Count("id", filter=Q(kind=Kind.REGIONAL)),
        remote=Count("id", filter=Q(kind=Kind.REMOTE)),
        remote_regions=Count("region", filter=Q(kind=Kind.REMOTE), distinct=True),
        foreign=Count("id", filter=Q(kind=Kind.FOREIGN)),
        foreign_countries=Count("country", filter=Q(kind=Kind.FOREIGN), distinct=True),
        branches=Count("id", filter=Q(kind=Kind.BRANCH)),
    )
    return NetworkSummary(
        regional_centers=row["regional"],
        remote_centers=row["remote"],
        remote_regions=row["remote_regions"],
        foreign_centers=row["foreign"],
        foreign_countries=row["foreign_countries"],
        branches=row["branches"],
    )


# The town's part of a Russian address ("170100, г. Тверь, ..."): a part that opens with a
# settlement word, up to the next comma.
_TOWN = re.compile(r"(?:^|,)\s*((?:г|с|п|пос|пгт|рп|д|ст-ца|х|аул)\.?\s[^,]*)", re.IGNORECASE)


def town_of(address: str) -> str:
    """The settlement an address names (its "г. Тверь" part), or "" when it names none."""
    found = _TOWN.search(address)
    return found.group(1).strip() if found else ""


# The parts of an English address that are not its settlement: a region, district or republic.
_AREA_EN = re.compile(
    r"\b(?:region|oblast|krai|territory|republic|district|okrug|autonomous)\b", re.IGNORECASE
)


def town_of_english(address_en: str) -> str:
    """The settlement an English address names ("28 Svobodny Lane, Tver, 170100" gives "Tver"):
    its first part with no digits (street lines and postal codes have them) that names no
    region or district; "" when there is none."""
    for part in address_en.split(","):
        part = part.strip()
        if part and not any(ch.isdigit() for ch in part) and not _AREA_EN.search(part):
            return part
    return ""


def map_centers(*, filters: CenterFilters) -> dict[str, Any]:
    """Centers with coordinates for the map, in the request's language, as columns: one list
    per field, kind and status as indexes into ``kinds`` and ``statuses``, region and country as
    indexes into ``regions`` and ``countries`` (-1 for none), coordinates to 4 decimals (about
    10 m). 16,000 centers stay well under 1 MB compressed; no model instances are built."""
    english = (get_language() or "ru").startswith("en")
    rows = (
        Center.objects.filter(filters.as_q(), latitude__isnull=False, longitude__isnull=False)
        .order_by("kind_rank", "code")
        # Read as floats: building 32,000 Decimals and rounding them cost more than the query.
        .annotate(lat=Cast("latitude", FloatField()), lon=Cast("longitude", FloatField()))
        .values_list(
            "code",
            "kind",
            "status",
            "name_ru",
            "name_en",
            "region__code",
            "country__code",
            "address",
            "address_en",
            "lat",
            "lon",
        )
    )
    kinds = {kind.value: i for i, kind in enumerate(Kind)}
    statuses = {status.value: i for i, status in enumerate(Status)}
    regions: dict[str | None, int] = {None: -1}
    countries: dict[str | None, int] = {None: -1}
    names = ("code", "name", "kind", "status", "region", "country", "town", "lat", "lon")
    columns: dict[str, list[Any]] = {name: [] for name in names}
    for (
        code,
        kind,
        status,
        name_ru,
        name_en,
        region,
        country,
        address,
        address_en,
        lat,
        lon,
    ) in rows:
        columns["code"].append(code)
        columns["name"].append((name_en if english else name_ru) or name_ru)
        columns["kind"].append(kinds[kind])
        columns["status"].append(statuses[status])
        columns["region"].append(regions.setdefault(region, len(regions) - 1))
        columns["country"].append(countries.setdefault(country, len(countries) - 1))
        # An English page names the town as the English address does, if the center has one.
        columns["town"].append((english and town_of_english(address_en)) or town_of(address))
        columns["lat"].append(round(lat, 4))
        columns["lon"].append(round(lon, 4))
    return {
        "kinds": list(kinds),
        "statuses": list(statuses),
        "regions": [code for code in regions if code],
        "countries": [code for code in countries if code],
        "centers": columns,
    }


EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class NearCenter:
    center: Center
    km: float


def nearest_centers(*, center: Center, limit: int = 5) -> list[NearCenter]:
    """The ``limit`` closest centers that are not closed, nearest first. A box around the center
    is read first (a few hundred rows at most even with 16,000 centers) and widened until it
    holds enough; only its rows are measured exactly. A box whose
    half-width is r km holds every center within r km, so once it holds ``limit`` centers within
    r, no center outside can be closer."""
    if center.latitude is None or center.longitude is None:
        return []
    lat, lon = float(center.latitude), float(center.longitude)
    candidates = (
        Center.objects.exclude(pk=center.pk)
        .exclude(status=Status.CLOSED)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .only("code", "kind", "status", "name_ru", "name_en", "latitude", "longitude")
    )
    radius_km = 50.0
    while True:
        dlat = radius_km / 111.0
        # Near the poles a degree of longitude is short, and a box that reaches the antimeridian
        # (Chukotka) would wrap: both take every longitude.
        dlon = 180.0 if abs(lat) + dlat >= 89 else dlat / math.cos(math.radians(abs(lat) + dlat))
        box = candidates.filter(latitude__range=(lat - dlat, lat + dlat))
        if -180 <= lon - dlon and lon + dlon <= 180:
            box = box.filter(longitude__range=(lon - dlon, lon + dlon))
        near = sorted(
            (
                NearCenter(
                    other, distance_km(lat, lon, float(other.latitude), float(other.longitude))
                )
                for other in box
            ),
            key=lambda found: found.km,
        )
        within = [found for found in near if found.km <= radius_km]
        if len(within) >= limit or radius_km >= 2 * EARTH_RADIUS_KM * math.pi:
            return (within if len(within) >= limit else near)[:limit]
        radius_km *= 4


def regional_center_of(center: Center) -> Center | None:
    """The regional center a center belongs to: the one named as its coordinator, else the
    open regional center of its region (None for a regional center itself and abroad)."""
    if center.kind == Kind.REGIONAL:
        return None
    if center.regional_center_id:
        return center.regional_center
    if center.region_id is None:
        return None
    return Center.objects.filter(
        region_id=center.region_id, kind=Kind.REGIONAL, status=Status.OPEN
    ).first()


def resolve_references(**given: Any) -> dict[str, Any]:
    """The objects that a request's or a row's codes name, by field: ``region``, ``country``,
    ``federal_district`` and ``regional_center`` by code (any case), ``institution`` by id.

    An empty value stays ``None``. Raises ``RegistryError`` naming every field whose code names
    nothing, so that every door answers an unknown code with the same message. One query per
    field given.
    """
    found: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in given.items():
        if value is None or value == "":
            found[name] = None
            continue
        if name == "institution":
            found[name] = Institution.objects.filter(pk=value).first()
            if found[name] is None:
                errors[name] = [_("There is no institution with id {id}.").format(id=value)]
            continue
        code = str(value).strip().upper()
        if name == "region":
            found[name] = Region.objects.filter(code=code).first()
            message = _("Unknown region code “{code}”.")
        elif name == "country":
            found[name] = Country.objects.filter(code=code).first()
            message = _("Unknown country code “{code}”.")
        elif name == "federal_district":
            found[name] = FederalDistrict.objects.filter(code=code).first()
            message = _("Unknown federal district code “{code}”.")
        elif name == "regional_center":
            found[name] = Center.objects.filter(code=code).first()
            message = _("There is no center with code “{code}”.")
        else:
            raise TypeError(f"not a reference field: {name}")
        if found[name] is None:
            errors[name] = [message.format(code=code)]
    if errors:
        raise RegistryError(errors)
    return found


def institution_list(*, q: str = "") -> QuerySet:
    """Host institutions whose Russian or English name holds every word of ``q``."""
    queryset = Institution.objects.order_by("name_ru", "pk")
    for word in q.split()[:8]:
        # SQLite folds the case of Latin letters only; trying the word as typed, lower-cased
        # and capitalized finds the usual spellings of Cyrillic names there too.
        variants = {word, word.lower(), word.capitalize()}
        match = Q()
        for variant in variants:
            match |= Q(name_ru__icontains=variant) | Q(name_en__icontains=variant)
        queryset = queryset.filter(match)
    return queryset
