"""Centers: public reads, staff writes. Each endpoint parses, asks the permissions and calls the
network service that every other door calls; the service's rules answer bad input."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError

from libranet.network.models import Center, CenterQuerySet
from libranet.network.permissions import Capability, can
from libranet.network.selectors import CenterFilters, center_list, resolve_references
from libranet.network.services import (
    CENTER_TEXT_FIELDS,
    CONTACT_FIELDS,
    RegistryError,
    ScopeError,
    center_change_status,
    center_create,
    center_update,
    center_update_contacts,
)

from .auth import WRITE_AUTH, require, viewer
from .pagination import paginate
from .schemas import (
    CenterDetailOut,
    CenterIn,
    CenterPage,
    CenterPatch,
    CenterQuery,
    PageQuery,
    StatusIn,
    errors,
)

router = Router(tags=["centers"])

REFERENCE_FIELDS = ("institution", "region", "country", "regional_center")
# A center always has these; null is refused here, with the field named, before the service.
REQUIRED_FIELDS = ("code", "kind", "name_ru", "institution")
# Public reads may be made with a token or a session (they then show more), or anonymously.
OPTIONAL_AUTH = {"security": [{"ApiTokenAuth": []}, {"SessionCookieAuth": []}, {}]}


def _get_center(code: str) -> Center:
    code = code.strip().upper()
    center = (
        Center.objects.with_relations()
        .prefetch_related("status_history", "networks")
        .filter(code=code)
        .first()
    )
    if center is None:
        raise HttpError(404, _("There is no center with code “{code}”.").format(code=code))
    return center


def _detail(center: Center, user: Any) -> CenterDetailOut:
    # Networks tell where a center's visitors come from: only its editors see them.
    return CenterDetailOut.of(center, with_networks=can(user, Capability.EDIT_CENTER, center))


def _service_fields(given: dict[str, Any]) -> dict[str, Any]:
    """The body's fields as the services take them: codes and ids resolved to objects (an
    unknown one is a 422 on its field), a null text as empty."""
    nulls = [name for name in REQUIRED_FIELDS if name in given and given[name] is None]
    if nulls:
        raise RegistryError({name: [_("This field cannot be null.")] for name in nulls})
    fields = dict(given)
    references = {name: fields.pop(name) for name in REFERENCE_FIELDS if name in fields}
    fields.update(resolve_references(**references))
    for name in CENTER_TEXT_FIELDS:
        if name in fields and fields[name] is None:
            fields[name] = ""
    return fields


@router.get(
    "/centers",
    response={200: CenterPage},
    summary="List centers",
    url_name="center_list",
)
def list_centers(request: HttpRequest, filters: Query[CenterQuery], page: Query[PageQuery]):
    """The network's centers, by kind and then code, filtered as the public directory filters
    them. An unknown region, federal district or country code is a 422 on that parameter."""
    given = filters.model_dump()
    resolve_references(
        region=given["region"], country=given["country"], federal_district=given["federal_district"]
    )
    center_filters = CenterFilters.from_mapping({k: v or "" for k, v in given.items()})
    centers = center_list(filters=center_filters).select_related(*CenterQuerySet.RELATIONS)
    return paginate(centers, page)


@router.get(
    "/centers/{code}",
    response={200: CenterDetailOut},
    summary="Read a center",
    url_name="center_detail",
    openapi_extra=OPTIONAL_AUTH,
)
def read_center(request: HttpRequest, code: str):
    """One center by its code (any case), with its card and dated status history. Its IP
    networks are shown to staff who may edit the center (a token or a session); the read needs
    no authentication otherwise."""
    return _detail(_get_center(code), viewer(request))


@router.post(
    "/centers",
    auth=WRITE_AUTH,
    response={201: CenterDetailOut, **errors(403)},
    summary="Register a center",
)
def create_center(request: HttpRequest, payload: CenterIn, response: HttpResponse):
    """Register a center with its first status and its IP networks. Staff with a role that
    covers the center (its region, or foreign centers) may; every rule of the registry applies
    and a broken one is a 422 naming the field; nothing is written then."""
    user = request.auth
    require(user, Capability.EDIT_CENTER)
    fields = _service_fields(payload.model_dump())
    center = center_create(actor=user, **fields)
    response["Location"] = reverse("api:center_detail", kwargs={"code": center.code})
    return Status(201, _detail(_get_center(center.code), user))


@router.patch(
    "/centers/{code}",
    auth=WRITE_AUTH,
    response={200: CenterDetailOut, **errors(403)},
    summary="Change a center",
)
def update_center(request: HttpRequest, code: str, payload: CenterPatch):
    """Change the given fields of a center's card (``networks``, when given, replaces the list).
    A center operator may change only the contacts and opening hours of their center
    (contact_person, email, phone, website, hours, hours_en)."""
    user = request.auth
    center = _get_center(code)
    given = payload.model_dump(exclude_unset=True)
    if can(user, Capability.EDIT_CENTER, center):
        networks = given.pop("networks", None)
        center = center_update(
            actor=user, center=center, networks=networks, **_service_fields(given)
        )
    else:
        require(user, Capability.EDIT_CENTER_CONTACTS, center)
        others = [name for name in given if name not in CONTACT_FIELDS]
        if others:
            message = _(
                "Your role allows changing only the contacts and opening hours of this center."
            )
            raise ScopeError({name: [message] for name in others})
        center = center_update_contacts(actor=user, center=center, **_service_fields(given))
    return _detail(_get_center(center.code), user)


@router.post(
    "/centers/{code}/status",
    auth=WRITE_AUTH,
    response={200: CenterDetailOut, **errors(403)},
    summary="Change a center's status",
)
def change_center_status(request: HttpRequest, code: str, payload: StatusIn):
    """Move a center along planned → approved → open → suspended → closed (a closed center may
    be planned or opened again), dated and noted in its history. Opening sets the opening date,
    closing the closing date."""
    user = request.auth
    center = _get_center(code)
    require(user, Capability.EDIT_CENTER, center)
    center = center_change_status(actor=user, center=center, **payload.model_dump())
    return _detail(_get_center(center.code), user)
