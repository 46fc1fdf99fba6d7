"""The union search: the Library's resources and the works of partner libraries' catalogs in one
ranked list (``libranet.resources.search.search`` with a ``scope``; README "The union search").
Public, as the catalogue's metadata is; a partner work is metadata only (no files, no access
level) and lists its holding libraries, nearest first from the caller's center."""

import dataclasses
import html
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import strip_tags
from ninja import Field, Query, Router, Schema

from libranet.network.places import place_of
from libranet.resources.models import Resource
from libranet.usage.models import Action
from libranet.usage.recorder import usage_record

from .auth import viewer
from .resource_schemas import ResourceQuery
from .resources import OPTIONAL_AUTH, check_collection, search_filters, search_or_422
from .schemas import PageQuery

router = Router(tags=["search"])


class SearchQuery(ResourceQuery):
    scope: Literal["library", "partners", "all"] = Field(
        "all",
        description="library: the Library's resources; partners: the works of partner "
        "libraries' catalogs; all: both in one ranked list.",
    )
    decade: int | None = Field(
        None, ge=-5000, le=3000, multiple_of=10, description="First year of a decade: 1990."
    )
    library: int | None = Field(
        None, ge=1, le=2**31, description="A holding library (institution id): partner works."
    )
    region: str | None = Field(
        None, max_length=10, description="A region's (abroad: a country's) code: partner works."
    )
    source: int | None = Field(
        None, ge=1, le=2**31, description="A partner catalog (its id): partner works."
    )


class HoldingOut(Schema):
    library_id: int = Field(description="The holding library (institution id).")
    library: str = Field(description="Its name in the language asked.")
    region: str = Field(description="Its region's (abroad: country's) code, or empty.")
    region_name: str
    catalog: str = Field(description="The partner catalog the record comes from.")
    link: str = Field(description="The record's page in the partner's catalog, or empty.")
    distance_km: float | None = Field(
        description="From the caller's center, when the request comes from one."
    )


class SearchItemOut(Schema):
    kind: Literal["resource", "partner_work"]
    identifier: str = Field(description="A resource's identifier, or a partner work's key.")
    title: str
    type: str
    year: int | None
    creators: list[str]
    language: str
    access_level: str | None = Field(description="Resources only; null for partner works.")
    readable_here: bool | None = Field(description="Resources only; null for partner works.")
    url: str | None = Field(description="The resource's page on the site; null for works.")
    holdings: list[HoldingOut] = Field(
        description="Partner works: the libraries holding it, nearest first when the caller is "
        "in a center. Always empty for the Library's resources."
    )


class SearchPage(Schema):
    count: int
    items: list[SearchItemOut]


def _text(marked: str) -> str:
    return html.unescape(strip_tags(str(marked)))


@router.get(
    "/search",
    response={200: SearchPage},
    summary="Search the Library and partner catalogs",
    url_name="union_search",
    openapi_extra=OPTIONAL_AUTH,
)
def union_search(request: HttpRequest, filters: Query[SearchQuery], page: Query[PageQuery]):
    """The union search (words as the catalogue's search takes them: stemmed in Russian and
    English, ``"a phrase"``, ``author:``, ``title:``, ``subject:``, ``year:1812``, an ISBN).
    ``scope`` (default ``all``): the Library's resources, partner works, or both ranked
    together. The collection, access level and ``readable_here`` filters keep to the Library's
    resources; ``library``, ``region`` and ``source`` to partner works."""
    user = viewer(request)
    place = place_of(request)
    if filters.collection:
        check_collection(filters.collection)
    common = search_filters(filters, user, place)
    if common is None:  # readable_here=false keeps to the Library's resources: none here
        return {"count": 0, "items": []}
    wanted = dataclasses.replace(
        common,
        decades=(filters.decade,) if filters.decade is not None else (),
        libraries=(str(filters.library),) if filters.library else (),
        regions=(filters.region.strip().upper(),) if filters.region else (),
        sources=(str(filters.source),) if filters.source else (),
    )
    results = search_or_422(
        query=filters.q or "",
        user=user,
        place=place,
        filters=wanted,
        offset=page.offset,
        page_size=page.limit,
        facets=False,
        scope=filters.scope,
    )
    if page.offset == 0 and (filters.q or "").strip():
        usage_record(request, Action.SEARCH, place=place, user=user)
    rows = {
        r.pk: r
        for r in Resource.objects.filter(pk__in=results.resource_ids).only(
            "pk", "identifier", "year_from", "creators", "language"
        )
    }
    items: list[dict[str, Any]] = []
    for hit in results.hits:
        if hit.is_partner:
            items.append(
                {
                    "kind": hit.kind,
                    "identifier": hit.identifier,
                    "title": _text(hit.title),
                    "type": hit.type,
                    "year": hit.year,
                    "creators": list(hit.creators),
                    "language": hit.language,
                    "access_level": None,
                    "readable_here": None,
                    "url": None,
                    "holdings": [
                        {
                            "library_id": h.library_id,
                            "library": h.library,
                            "region": h.region,
                            "region_name": h.region_name,
                            "catalog": h.source,
                            "link": h.link,
                            "distance_km": round(h.km, 1) if h.km is not None else None,
                        }
                        for h in hit.holdings
                    ],
                }
            )
        elif (resource := rows.get(hit.id)) is not None:  # withdrawn a moment ago: left out
            items.append(
                {
                    "kind": hit.kind,
                    "identifier": hit.identifier,
                    "title": _text(hit.title),
                    "type": hit.type,
                    "year": resource.year_from,
                    "creators": [str(c) for c in resource.creators or []],
                    "language": resource.language,
                    "access_level": hit.access_level,
                    "readable_here": hit.readable_here,
                    "url": request.build_absolute_uri(
                        reverse("public:resource", kwargs={"identifier": hit.identifier})
                    ),
                    "holdings": [],
                }
            )
    return {"count": results.total, "items": items}
