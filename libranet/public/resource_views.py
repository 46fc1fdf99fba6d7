"""The collections' public pages: the search (on the resources' search service), a resource's
record (the description, and what the access rule says for this reader in this place) and its
reader (page images, the PDF, audio and video).

The access decision is ``libranet.resources.access.decide``, asked here and never made here.
A refused reader is told why and where the resource can be read: the open centers of a region
they choose, or the nearest ones when their browser gives its location.

These pages depend on who asks and from where (a center's address, a workstation's cookie, a
reader's session), so no shared cache may keep them: never ``anonymous_page_cache`` here.
"""

import json
import math
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from libranet.network.models import Center, Region
from libranet.network.places import place_of
from libranet.resources.access import Decision, decide
from libranet.resources.languages import language_name
from libranet.resources.models import AccessLevel, Resource, ResourceFile
from libranet.resources.search import SearchError, SearchFilters, search
from libranet.resources.selectors import ResourceGone, collection_tree, resource_get
from libranet.usage.models import Action
from libranet.usage.recorder import usage_record

from .files import file_url, thumbnail_url

NEAREST_LIMIT = 10
REGION_LIMIT = 50
EARTH_RADIUS_KM = 6371.0088
# Reasons of a refusal that a visit to a center overcomes (all but staff-only and withdrawn).
CENTER_HELPS = {"on_site", "sign_in", "not_confirmed"}


# --- where a refused reader can read ---------------------------------------------------------


@dataclass
class NearbyCenter:
    center: Center
    distance_km: float | None = None


@dataclass
class WhereToRead:
    """The centers offered to a refused reader, and how they were chosen."""

    regions: list[tuple[str, str]]
    region: Region | None = None
    location: tuple[float, float] | None = None
    centers: list[NearbyCenter] = field(default_factory=list)
    heading: str = ""
    more_url: str = ""


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two (latitude, longitude) points, in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _location(params: Any) -> tuple[float, float] | None:
    """``lat`` and ``lon`` from the query, when both are numbers on the globe; else None."""
    try:
        lat, lon = float(params.get("lat", "")), float(params.get("lon", ""))
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _by_distance(centers: Any, location: tuple[float, float]) -> list[NearbyCenter]:
    nearby = []
    for center in centers:
        distance = None
        if center.latitude is not None and center.longitude is not None:
            distance = haversine_km(location, (float(center.latitude), float(center.longitude)))
        nearby.append(NearbyCenter(center, distance))
    # Those without coordinates go last, in their given order.
    nearby.sort(key=lambda n: (n.distance_km is None, n.distance_km or 0.0))
    return nearby


def where_to_read(params: Any) -> WhereToRead:
    """The open centers where a refused reader may read: those of the chosen region (nearest
    first when the location is known), else the nearest ones anywhere, else each region's
    regional center (which coordinates, and can point to, the centers of its region)."""
    language_en = (get_language() or "ru").startswith("en")
    regions = [
        (code, (name_en or name_ru) if language_en else name_ru)
        for code, name_ru, name_en in Region.objects.order_by(
            "name_en" if language_en else "name_ru"
        ).values_list("code", "name_ru", "name_en")
    ]
    code = str(params.get("region", "")).strip().upper()
    region = Region.objects.filter(code=code).first() if code else None
    location = _location(params)
    where = WhereToRead(regions=regions, region=region, location=location)
    open_centers = Center.objects.filter(status=Center.Status.OPEN).select_related(
        "region", "country", "institution"
    )
    directory = reverse("public:directory")
    if region is not None:
        centers = open_centers.filter(region=region).order_by("kind", "name_ru")
        ordered = (
            _by_distance(centers, location)
            if location
            else [NearbyCenter(c) for c in centers[: REGION_LIMIT + 1]]
        )
        where.centers = ordered[:REGION_LIMIT]
        where.heading = _("Open centers in {region}").format(region=region.name)
        where.more_url = f"{directory}?region={region.code}&status=open"
    elif location is not None:
        centers = open_centers.filter(latitude__isnull=False, longitude__isnull=False)
        where.centers = _by_distance(centers, location)[:NEAREST_LIMIT]
        where.heading = _("The nearest open centers")
        where.more_url = f"{reverse('public:map')}"
    else:
        centers = open_centers.filter(kind=Center.Kind.REGIONAL).order_by("region__name_ru")
        where.centers = [NearbyCenter(c) for c in centers]
        where.heading = _("Regional centers: choose your region to see all its centers")
        where.more_url = f"{directory}?status=open"
    return where


# --- the pages --------------------------------------------------------------------------------


def _resource(request: Any, identifier: str) -> Resource:
    """The resource of the page (``resource_get``: 404 for unknown ones and for staff-only ones
    to anyone but staff, ``ResourceGone`` for withdrawn ones)."""
    return resource_get(identifier, user=request.user)


def _private(response: Any) -> Any:
    """Each reader's own page: browsers may keep it, shared caches never."""
    patch_cache_control(response, private=True, max_age=0)
    patch_vary_headers(response, ["Cookie"])
    return response


def _render(request: Any, template: str, context: dict[str, Any], status: int = 200) -> Any:
    return _private(render(request, f"public/resources/{template}", context, status=status))


def _withdrawn(request: Any, resource: Resource) -> Any:
    return _render(request, "withdrawn.html", {"resource": resource}, status=410)


def catalogue_names(values: Any) -> list[str]:
    """Creators and subjects as the catalogue gives them: texts, or objects with a name in
    each language (``name_ru``/``name_en``) or one ``name``."""
    english = (get_language() or "ru").startswith("en")
    names = []
    for value in values or []:
        if isinstance(value, dict):
            ru, en = value.get("name_ru"), value.get("name_en")
            value = ((en or ru) if english else (ru or en)) or value.get("name") or ""
        text = str(value).strip()
        if text:
            names.append(text)
    return names


def _with_urls(files: list[ResourceFile], identifier: str) -> list[ResourceFile]:
    for resource_file in files:
        resource_file.url = file_url(resource_file)  # type: ignore[attr-defined]
        resource_file.read_url = reverse(  # type: ignore[attr-defined]
            "public:resource_read_file",
            kwargs={"identifier": identifier, "file_id": resource_file.pk},
        )
    return files


# How each kind of file is named once on the record, and what one does with it.
FILE_GROUPS = [
    (ResourceFile.Kind.PAGE, gettext_lazy("Page images")),
    (ResourceFile.Kind.PDF, gettext_lazy("PDF")),
    (ResourceFile.Kind.VIDEO, gettext_lazy("Video")),
    (ResourceFile.Kind.AUDIO, gettext_lazy("Audio")),
]
# Pictures are looked at, not read («смотреть»).
PICTURE_TYPES = {Resource.Type.PHOTOGRAPH, Resource.Type.MAP}


@dataclass
class FileGroup:
    """The files of one kind: named once ("PDF, 3 files"), with the verb for them."""

    kind: str
    label: str
    verb: str
    files: list[ResourceFile]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


# What a reader does with each kind of file: the button's verb and the access box's sentence.
READING_WORDS = {
    "read": (gettext_lazy("Read"), gettext_lazy("You may read it here.")),
    "view": (gettext_lazy("View"), gettext_lazy("You may view it here.")),
    "watch": (gettext_lazy("Watch"), gettext_lazy("You may watch it here.")),
    "listen": (gettext_lazy("Listen"), gettext_lazy("You may listen to it here.")),
}


def reading_mode(kind: str, resource_type: str) -> str:
    """«Читать», «смотреть» or «слушать»: a key of ``READING_WORDS``."""
    if kind == ResourceFile.Kind.AUDIO:
        return "listen"
    if kind == ResourceFile.Kind.VIDEO:
        return "watch"
    if kind == ResourceFile.Kind.PAGE and resource_type in PICTURE_TYPES:
        return "view"
    return "read"


def file_groups(resource: Resource, files: list[ResourceFile]) -> list[FileGroup]:
    groups = []
    for kind, label in FILE_GROUPS:
        of_kind = [f for f in files if f.kind == kind]
        if of_kind:
            verb = READING_WORDS[reading_mode(kind, resource.type)][0]
            groups.append(FileGroup(kind, str(label), str(verb), of_kind))
    return groups


def _collection_paths(resource: Resource) -> list[tuple[Any, str]]:
    """Each collection of the resource with its place in the tree ("Power › Presidents")."""
    names: dict[int, list[str]] = {}
    for top in collection_tree():
        for node in top.walk():
            parent = names.get(node.collection.parent_id or 0, [])
            names[node.collection.pk] = [*parent, node.collection.name]
    return [(c, " › ".join(names.get(c.pk, [c.name]))) for c in resource.collections.all()]


def _context(request: Any, resource: Resource, decision: Decision) -> dict[str, Any]:
    files = _with_urls(list(resource.files.all()), resource.identifier)
    groups = file_groups(resource, files)
    context = {
        "resource": resource,
        "decision": decision,
        "files": files,
        "creators": catalogue_names(resource.creators),
        "subjects": catalogue_names(resource.subjects),
        "language_name": language_name(resource.language),
        "collections": _collection_paths(resource),
        "thumbnail": thumbnail_url(resource),
        "record_url": reverse("public:resource", kwargs={"identifier": resource.identifier}),
        "read_url": reverse("public:resource_read", kwargs={"identifier": resource.identifier}),
        "manifest_url": reverse("iiif_manifest", kwargs={"identifier": resource.identifier})
        if any(f.kind == ResourceFile.Kind.PAGE for f in files)
        else "",
        "collection_links": True,  # to the search page, filtered by the collection
        "file_groups": groups,
        # The reader's button says what the main files are for: read, view, watch or listen.
        "verb": groups[0].verb if groups else _("Read"),
        "allowed_message": READING_WORDS[reading_mode(groups[0].kind, resource.type)][1]
        if groups
        else decision.message,
        "crumbs": [(_("Collections"), reverse("public:resources")), (resource.title, None)],
    }
    if not decision.allowed and decision.reason in CENTER_HELPS:
        context["where"] = where_to_read(request.GET)
    return context


@require_safe
def record(request: Any, identifier: str) -> Any:
    """A resource's record: its description for anyone, and its files for whoever the access
    rule lets read them here; a refused reader learns why and where to read it."""
    try:
        resource = _resource(request, identifier)
    except ResourceGone as gone:
        return _withdrawn(request, gone.resource)
    decision = decide(resource, request.user, place_of(request))
    usage_record(request, Action.INVESTIGATION, resource)
    return _render(request, "record.html", _context(request, resource, decision))


@require_safe
def reader(request: Any, identifier: str, file_id: int | None = None) -> Any:
    """The reader: all the files of a resource (or one), shown as they are read: page images
    one after another, the PDF in the browser's viewer, audio and video in players."""
    try:
        resource = _resource(request, identifier)
    except ResourceGone as gone:
        return _withdrawn(request, gone.resource)
    except Http404:
        # ``resources/<identifier>/read/`` is also the record page of an identifier that
        # itself ends in "/read" (identifiers may hold slashes).
        if file_id is None and Resource.objects.filter(identifier=f"{identifier}/read").exists():
            return record(request, f"{identifier}/read")
        raise
    decision = decide(resource, request.user, place_of(request))
    usage_record(request, Action.REQUEST, resource, granted=decision.allowed)
    context = _context(request, resource, decision)
    crumbs = [
        (_("Collections"), reverse("public:resources")),
        (resource.title, context["record_url"]),
    ]
    if file_id is not None:
        crumbs.append((_("All files"), context["read_url"]))
    crumbs.append((_("Reader"), None))
    context["crumbs"] = crumbs
    if not decision.allowed:
        return _render(request, "refused.html", context, status=403)
    files = context["files"]
    if file_id is not None:
        files = [f for f in files if f.pk == file_id]
        if not files:
            raise Http404
    pages = [f for f in files if f.kind == ResourceFile.Kind.PAGE]
    context.update(
        {
            "page_sources_json": json.dumps(
                [reverse("iiif_image_info", kwargs={"file_id": f.pk}) for f in pages]
            ),
            "pages": pages,
            "documents": [f for f in files if f.kind == ResourceFile.Kind.PDF],
            "sounds": [f for f in files if f.kind == ResourceFile.Kind.AUDIO],
            "videos": [f for f in files if f.kind == ResourceFile.Kind.VIDEO],
        }
    )
    return _render(request, "reader.html", context)


# --- search ---------------------------------------------------------------------------------

SEARCH_PAGE_SIZE = 20
FACET_LABELS = {
    "readable_here": gettext_lazy("Readable here"),
    "type": gettext_lazy("Type"),
    "collection": gettext_lazy("Collection"),
    "decade": gettext_lazy("Decade"),
    "language": gettext_lazy("Language"),
    "library": gettext_lazy("Holding library"),
    "region": gettext_lazy("Region"),
    "source": gettext_lazy("Partner catalog"),
}
SCOPE_LABELS = {
    "all": gettext_lazy("Everywhere"),
    "library": gettext_lazy("The Library’s collections"),
    "partners": gettext_lazy("Partner catalogs"),
}
SORT_LABELS = {
    "relevance": gettext_lazy("Relevance"),
    "date": gettext_lazy("Newest first"),
    "date_asc": gettext_lazy("Oldest first"),
}
# Counted from a sample when the results are very many (``SearchResults.facets_approximate``).
APPROXIMATE_FACETS = ("decade", "collection")


def _choice_label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _partner_hit(hit: Any) -> dict[str, Any]:
    """A partner work's result: no page of ours, its holdings with links to the partners'
    catalogs (nearest first, with the distance, when the visitor is in a center)."""
    return {
        "hit": hit,
        "partner": True,
        "type": _choice_label(Resource.Type, hit.type),
        "creators": list(hit.creators),
        "holdings": [
            {
                "holding": holding,
                "km": number_format(round(holding.km), force_grouping=True)
                if holding.km is not None
                else "",
            }
            for holding in hit.holdings
        ],
    }


def _page_number(value: Any) -> int:
    try:
        return max(1, min(int(value), 10_000))
    except (TypeError, ValueError):
        return 1


@require_safe
def search_page(request: Any) -> Any:
    """The catalogue's search: words (stemmed, ranked, with highlighted snippets), facets
    counted over all the results (type, collection, decade, language, and "readable here" for
    this reader in this place), sort and pages; each result links to its record."""
    query = request.GET.get("q", "")[:2000]
    sort = request.GET.get("sort") or "relevance"
    # The Library's collections and the partner libraries' catalogs, unless narrowed.
    scope = request.GET.get("scope") or "all"
    page = _page_number(request.GET.get("page"))
    status, error, results = 200, "", None
    try:
        filters = SearchFilters.from_params(request.GET)
        results = search(
            query=query,
            user=request.user,
            place=place_of(request),
            filters=filters,
            sort=sort,
            page=page,
            page_size=SEARCH_PAGE_SIZE,
            scope=scope,
        )
    except SearchError as exc:
        status, error = 400, exc.message
    rows: dict[int, Resource] = {}
    if results is not None and results.hits:
        found = Resource.objects.filter(pk__in=results.resource_ids).only(
            "pk", "identifier", "date_text", "creators", "thumbnail", "access_level"
        )
        rows = {resource.pk: resource for resource in found}
    hits = [
        _partner_hit(hit)
        if hit.is_partner
        else {
            "hit": hit,
            "resource": rows.get(hit.id),
            "url": reverse("public:resource", kwargs={"identifier": hit.identifier}),
            "type": _choice_label(Resource.Type, hit.type),
            "creators": catalogue_names(getattr(rows.get(hit.id), "creators", [])),
            "level": _choice_label(AccessLevel, hit.access_level),
        }
        for hit in (results.hits if results is not None else [])
    ]
    params = request.GET.copy()
    params.pop("page", None)
    facets = []
    if results is not None:
        # Each value with its count as the page's language writes numbers ("1 234", "1,234").
        facets = [
            (
                name,
                FACET_LABELS[name],
                [(value, number_format(value.count, force_grouping=True)) for value in values],
            )
            for name in FACET_LABELS
            if (values := results.facets.get(name))
        ]
    context = {
        "query": query,
        "scope": scope if scope in SCOPE_LABELS else "all",
        "scopes": list(SCOPE_LABELS.items()),
        "sort": sort if sort in SORT_LABELS else "relevance",
        "sorts": list(SORT_LABELS.items()),
        "results": results,
        "hits": hits,
        "facets": facets,
        "error": error,
        "query_without_page": params.urlencode(),
        # The pagination partial wants a Django page: one "item" per page of results.
        "pages": Paginator(range(results.num_pages), 1).get_page(results.page)
        if results is not None
        else None,
        "total_text": number_format(results.total, force_grouping=True) if results else "",
        "readable_here_text": number_format(results.readable_here_count, force_grouping=True)
        if results is not None and results.readable_here_count is not None
        else "",
        "approximate_facets": APPROXIMATE_FACETS,
        "filtered": any(
            request.GET.getlist(name)
            for name in (
                *("type", "collection", "decade", "language", "readable_here"),
                *("library", "region", "source"),
            )
        ),
    }
    if results is not None and page == 1 and (query.strip() or context["filtered"]):
        usage_record(request, Action.SEARCH)  # a search run, not its next pages
    return _render(request, "search.html", context, status=status)
