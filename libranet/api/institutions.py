"""Host institutions: a public list to find an institution's id, staff writes."""

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError

from libranet.network.models import Institution
from libranet.network.permissions import Capability
from libranet.network.selectors import institution_list
from libranet.network.services import institution_create, institution_update

from .auth import WRITE_AUTH, require
from .pagination import paginate
from .schemas import (
    InstitutionIn,
    InstitutionOut,
    InstitutionPage,
    InstitutionPatch,
    InstitutionQuery,
    PageQuery,
    errors,
)

router = Router(tags=["institutions"])

# An id the database can hold (a 64-bit key): a larger number is a 422, not a failed query.
InstitutionId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _get_institution(institution_id: int) -> Institution:
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise HttpError(404, _("There is no institution with id {id}.").format(id=institution_id))
    return institution


@router.get(
    "/institutions",
    response={200: InstitutionPage},
    summary="List host institutions",
)
def list_institutions(
    request: HttpRequest, filters: Query[InstitutionQuery], page: Query[PageQuery]
):
    """Host institutions by Russian name; ``q`` finds words of the Russian or English name."""
    return paginate(institution_list(q=filters.q or ""), page)


@router.get(
    "/institutions/{institution_id}",
    response={200: InstitutionOut},
    summary="Read a host institution",
    url_name="institution_detail",
)
def read_institution(request: HttpRequest, institution_id: InstitutionId):
    """One host institution by its id."""
    return _get_institution(institution_id)


@router.post(
    "/institutions",
    auth=WRITE_AUTH,
    response={201: InstitutionOut, **errors(403)},
    summary="Register a host institution",
)
def create_institution(request: HttpRequest, payload: InstitutionIn, response: HttpResponse):
    """Register a host institution (staff who register centers may)."""
    user = request.auth
    require(user, Capability.EDIT_INSTITUTION)
    institution = institution_create(actor=user, **payload.model_dump())
    response["Location"] = reverse(
        "api:institution_detail", kwargs={"institution_id": institution.pk}
    )
    return Status(201, institution)


@router.patch(
    "/institutions/{institution_id}",
    auth=WRITE_AUTH,
    response={200: InstitutionOut, **errors(403)},
    summary="Change a host institution",
)
def update_institution(
    request: HttpRequest, institution_id: InstitutionId, payload: InstitutionPatch
):
    """Change the given fields of a host institution; its centers are found by the new names."""
    user = request.auth
    institution = _get_institution(institution_id)
    require(user, Capability.EDIT_INSTITUTION)
    given = payload.model_dump(exclude_unset=True)
    for name in ("name_en", "address", "address_en", "website"):
        if name in given and given[name] is None:
            given[name] = ""
    return institution_update(actor=user, institution=institution, **given)
