"""Reads of the registry that apply its rules: the directory's filters and counts, the summary."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
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


def map_points(*, filters: CenterFilters) -> list[dict[str, Any]]:
    """Centers with coordinates, as compact rows for the map (no model instances built)."""
    rows = (
        Center.objects.filter(filters.as_q(), latitude__isnull=False, longitude__isnull=False)
        .exclude(status=Status.CLOSED)
        .values_list("code", "kind", "status", "name_ru", "name_en", "latitude", "longitude")
    )
    return [
        {
            "code": code,
            "kind": kind,
            "status": status,
            "name_ru": name_ru,
            "name_en": name_en or name_ru,
            "lat": float(lat),
            "lon": float(lon),
        }
        for code, kind, status, name_ru, name_en, lat, lon in rows
    ]


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
