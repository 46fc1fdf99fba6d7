"""Reference data a client needs to write centers: federal districts, regions, countries."""

from django.http import HttpRequest
from ninja import Query, Router

from libranet.network.models import Country, FederalDistrict, Region
from libranet.network.selectors import resolve_references

from .pagination import paginate
from .schemas import (
    CountryPage,
    FederalDistrictPage,
    PageQuery,
    RegionPage,
    RegionQuery,
)

router = Router(tags=["reference data"])


@router.get(
    "/federal-districts",
    response={200: FederalDistrictPage},
    summary="List federal districts",
)
def list_federal_districts(request: HttpRequest, page: Query[PageQuery]):
    """The federal districts of Russia, by code."""
    return paginate(FederalDistrict.objects.order_by("code"), page)


@router.get(
    "/regions",
    response={200: RegionPage},
    summary="List regions",
)
def list_regions(request: HttpRequest, filters: Query[RegionQuery], page: Query[PageQuery]):
    """The federal subjects of Russia by ISO 3166-2 code, optionally of one federal district."""
    regions = Region.objects.select_related("federal_district").order_by("code")
    if filters.federal_district:
        district = resolve_references(federal_district=filters.federal_district)
        regions = regions.filter(federal_district=district["federal_district"])
    return paginate(regions, page)


@router.get(
    "/countries",
    response={200: CountryPage},
    summary="List countries",
)
def list_countries(request: HttpRequest, page: Query[PageQuery]):
    """Countries by ISO 3166-1 alpha-2 code, for foreign centers."""
    return paginate(Country.objects.order_by("code"), page)
