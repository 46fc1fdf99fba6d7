"""Resources: public reads with the access decision applied to the caller and where the request
comes from, staff writes through the resources' services.

Metadata of every non-staff resource is public; only files are restricted. Each item says
whether its files are ``readable_here`` (``readable_levels``, the access rule) and lists its
files with their URLs for everyone: fetching one is decided again on each request.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from libranet.network.permissions import Capability
from libranet.network.places import Place, place_of
from libranet.public.files import file_url, thumbnail_url
from libranet.resources.access import decide, readable_levels
from libranet.resources.models import AccessLevel, Collection, Resource
from libranet.resources.search import SearchError, SearchFilters, SearchResults, search
from libranet.resources.selectors import ResourceFilters, ResourceGone, resource_get, resource_list
from libranet.resources.services import (
    ResourcePermissionError,
    resource_create,
    resource_delete,
    resource_update,
)
from libranet.usage.models import Action
from libranet.usage.recorder import usage_record

from .auth import WRITE_AUTH, require, viewer
from .resource_schemas import (
    ResourceDetailOut,
    ResourceIn,
    ResourcePage,
    ResourcePatch,
    ResourceQuery,
)
from .schemas import PageQuery, errors

router = Router(tags=["resources"])

OPTIONAL_AUTH = {"security": [{"ApiTokenAuth": []}, {"SessionCookieAuth": []}, {}]}


def check_collection(code: str) -> None:
    """An unknown collection code is a 422 on the parameter, as unknown codes are elsewhere."""
    if not Collection.objects.filter(code=code.strip().lower()).exists():
        raise ValidationError(
            {"collection": [_("There is no collection with code “{code}”.").format(code=code)]}
        )


def search_filters(filters: ResourceQuery, user: Any, place: Place) -> SearchFilters | None:
    """The search service's filters from the resource filters of a query (this list's and the
    union search's); None when nothing can match: ``readable_here=false`` for a caller who may
    read everything visible from where they are."""
    levels: tuple[str, ...] = (filters.access_level,) if filters.access_level else ()
    if filters.readable_here is False:
        unreadable = set(AccessLevel.values) - readable_levels(user, place)
        levels = tuple(level for level in (levels or AccessLevel.values) if level in unreadable)
        if not levels:
            return None
    return SearchFilters(
        types=(filters.type,) if filters.type else (),
        collections=(filters.collection.strip().lower(),) if filters.collection else (),
        languages=(filters.language.strip().lower(),) if filters.language else (),
        access_levels=levels,
        readable_here=filters.readable_here is True,
    )


def search_or_422(**arguments: Any) -> SearchResults:
    """The search service, its refusal (a query it cannot read) a 422 on the parameter."""
    try:
        return search(**arguments)
    except SearchError as exc:
        raise ValidationError({exc.field or "q": [exc.message]}) from exc


def _search(
    request: HttpRequest, filters: ResourceQuery, page: PageQuery, user: Any, place: Place
) -> dict[str, Any]:
    """A list with words to find: ranked by the search service (stemmed, both languages), the
    same filters applied there, the items read from the database as without words."""
    wanted = search_filters(filters, user, place)
    if wanted is None:
        return {"count": 0, "items": []}
    results = search_or_422(
        query=filters.q or "",
        user=user,
        place=place,
        filters=wanted,
        offset=page.offset,
        page_size=page.limit,
        facets=False,
    )
    ids = results.resource_ids
    rows = resource_list(
        filters=ResourceFilters(),
        user=user,
        place=place,
        queryset=Resource.objects.filter(pk__in=ids),
    )
    by_id = {row.pk: row for row in rows}
    # A hit the database no longer shows (withdrawn a moment ago) is left out.
    return {
        "count": results.total,
        "items": [_item(request, by_id[pk], by_id[pk].readable_here) for pk in ids if pk in by_id],
    }


def _item(request: HttpRequest, resource: Resource, readable_here: bool) -> dict[str, Any]:
    return {
        "identifier": resource.identifier,
        "title": resource.title,
        "title_ru": resource.title_ru,
        "title_en": resource.title_en,
        "type": resource.type,
        "access_level": resource.access_level,
        "readable_here": readable_here,
        "date": resource.date_text,
        "year_from": resource.year_from,
        "year_to": resource.year_to,
        "creators": [str(c) for c in resource.creators or []],
        "language": resource.language,
        "collections": [
            {"code": c.code, "name_ru": c.name_ru, "name_en": c.name_en}
            for c in resource.collections.all()
        ],
        "files": [
            {
                "id": f.pk,
                "kind": f.kind,
                "label": f.label,
                "content_type": f.content_type,
                "size": f.size,
                "url": request.build_absolute_uri(file_url(f)),
            }
            for f in resource.files.all()
        ],
        "url": request.build_absolute_uri(
            reverse("public:resource", kwargs={"identifier": resource.identifier})
        ),
    }


def _get(identifier: str, user: Any) -> Resource:
    """The resource, for a caller who may see it (``resource_get``): 404 for an unknown one or
    a staff-only one to anyone but staff, 410 for a withdrawn one."""
    try:
        return resource_get(identifier, user=user)
    except ResourceGone as exc:
        message = _("Resource {identifier} has been withdrawn.").format(identifier=identifier)
        raise HttpError(410, message) from exc
    except Http404 as exc:
        message = _("There is no resource with identifier “{identifier}”.").format(
            identifier=identifier
        )
        raise HttpError(404, message) from exc


def _detail(request: HttpRequest, resource: Resource, user: Any) -> dict[str, Any]:
    place = place_of(request)
    decision = decide(resource, user, place)
    thumbnail = thumbnail_url(resource)
    return {
        **_item(request, resource, decision.allowed),
        "description": resource.description,
        "description_ru": resource.description_ru,
        "description_en": resource.description_en,
        "subjects": [str(s) for s in resource.subjects or []],
        "rights": resource.rights,
        "thumbnail": request.build_absolute_uri(thumbnail) if thumbnail else None,
        "modified_at": resource.modified_at,
        "access": {
            "allowed": decision.allowed,
            "reason": decision.reason,
            "message": decision.message,
        },
    }


# --- reads --------------------------------------------------------------------------------------


@router.get(
    "/resources",
    response={200: ResourcePage},
    summary="List resources",
    url_name="resource_list",
    openapi_extra=OPTIONAL_AUTH,
)
def list_resources(request: HttpRequest, filters: Query[ResourceQuery], page: Query[PageQuery]):
    """The Library's resources, by identifier, filtered. ``readable_here`` in each item (and
    the filter of that name) answers for the caller (a token's or session's user, or an
    anonymous visitor) from where the request comes: a center's network or workstation lets
    anyone read what the premises allow. With ``q`` the list is ranked by relevance by the
    catalogue's search (words stemmed in Russian and English, ``"a phrase"``, ``author:``,
    ``title:``, ``subject:``, ``year:1812``; anything else is taken as plain words); without
    it, it is ordered by identifier."""
    user = viewer(request)
    place = place_of(request)
    if filters.collection:
        check_collection(filters.collection)
    if filters.q and filters.q.strip():
        found = _search(request, filters, page, user, place)
        if page.offset == 0:  # a search run, not its next pages
            usage_record(request, Action.SEARCH, place=place, user=user)
        return found
    given = {k: v for k, v in filters.model_dump().items() if k not in ("q", "readable_here")}
    resources = resource_list(filters=ResourceFilters.from_mapping(given), user=user, place=place)
    if filters.readable_here is not None:
        resources = resources.filter(readable_here=filters.readable_here)
    rows = list(resources[page.offset : page.offset + page.limit])
    return {
        "count": resources.count(),
        "items": [_item(request, r, r.readable_here) for r in rows],  # type: ignore[attr-defined]
    }


@router.get(
    "/resources/{path:identifier}",
    response={200: ResourceDetailOut, **errors(410)},
    summary="Read a resource",
    url_name="resource_detail",
    openapi_extra=OPTIONAL_AUTH,
)
def read_resource(request: HttpRequest, identifier: str):
    """One resource by its identifier (which may hold ``/`` and ``:``), with the access
    decision for the caller here (``access``). 404 for an unknown identifier (and for a
    staff-only resource to anyone but staff), 410 for a withdrawn one."""
    user = viewer(request)
    resource = _get(identifier, user)
    usage_record(request, Action.INVESTIGATION, resource, user=user)
    return _detail(request, resource, user)


# --- writes (staff) -----------------------------------------------------------------------------


def _service_fields(given: dict[str, Any]) -> dict[str, Any]:
    fields = dict(given)
    if "date" in fields:
        fields["date_text"] = fields.pop("date") or ""
    for name in ("creators", "subjects", "collections"):
        if name in fields and fields[name] is None:
            fields[name] = []
    return fields


def _as_403(exc: ResourcePermissionError) -> HttpError:
    return HttpError(403, " ".join(exc.messages))


@router.post(
    "/resources",
    auth=WRITE_AUTH,
    response={201: ResourceDetailOut, **errors(403)},
    summary="Catalogue a resource",
)
def create_resource(request: HttpRequest, payload: ResourceIn, response: HttpResponse):
    """Catalogue a resource (its files are added in the back office or by import). Staff whose
    role edits the collections may; a broken rule is a 422 naming the field, nothing written."""
    user = request.auth  # type: ignore[attr-defined]
    require(user, Capability.EDIT_RESOURCES)
    try:
        resource = resource_create(actor=user, **_service_fields(payload.model_dump()))
    except ResourcePermissionError as exc:
        raise _as_403(exc) from exc
    response["Location"] = reverse(
        "api:resource_detail", kwargs={"identifier": resource.identifier}
    )
    return Status(201, _detail(request, _get(resource.identifier, user), user))


@router.patch(
    "/resources/{path:identifier}",
    auth=WRITE_AUTH,
    response={200: ResourceDetailOut, **errors(403, 410)},
    summary="Change a resource",
)
def update_resource(request: HttpRequest, identifier: str, payload: ResourcePatch):
    """Change the given fields (``collections``, when given, replaces the list). The
    identifier is persistent and never changes."""
    user = request.auth  # type: ignore[attr-defined]
    require(user, Capability.EDIT_RESOURCES)
    resource = _get(identifier, user)
    try:
        resource_update(
            actor=user,
            resource=resource,
            **_service_fields(payload.model_dump(exclude_unset=True)),
        )
    except ResourcePermissionError as exc:
        raise _as_403(exc) from exc
    return _detail(request, _get(identifier, user), user)


@router.delete(
    "/resources/{path:identifier}",
    auth=WRITE_AUTH,
    response={204: None, **errors(403, 410)},
    summary="Withdraw a resource",
)
def delete_resource(request: HttpRequest, identifier: str):
    """Withdraw a resource: its record stays for harvesters (a deleted record in OAI-PMH),
    its identifier is never reused, and it answers 410 from then on."""
    user = request.auth  # type: ignore[attr-defined]
    require(user, Capability.EDIT_RESOURCES)
    resource = _get(identifier, user)
    try:
        resource_delete(actor=user, resource=resource)
    except ResourcePermissionError as exc:
        raise _as_403(exc) from exc
    return Status(204, None)
