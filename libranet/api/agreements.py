"""Cooperation agreements and their renewals (decision 7 of the 2020 resolution): staff only,
each caller seeing and changing what the back office lets them (the permission module's
``agreements_scope`` and ``can_on_agreement``), through the same services."""

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import field_validator

from libranet.agreements import selectors, services
from libranet.agreements.models import Agreement, Renewal
from libranet.network.models import Center, Institution
from libranet.network.permissions import Capability
from libranet.revisions import EditConflict

from .auth import WRITE_AUTH, require
from .pagination import paginate
from .schemas import BodyIn, Day, ErrorOut, PageQuery, Text, _blank_to_none, errors

router = Router(tags=["agreements"])

Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
AgreementState = Literal["draft", "active", "expiring", "expired", "terminated", "renewed"]
ProlongationKind = Literal["none", "yearly", "same_term"]
RenewalStep = Literal["sent", "partner_signed", "library_signed"]


class AgreementQuery(Schema):
    state: AgreementState | None = Field(None, description="State today.")
    region: str | None = Field(None, description="ISO 3166-2 code of the center's region.")
    expiring_within_days: int | None = Field(
        None, ge=0, le=3650, description="Active agreements ending within this many days."
    )
    q: str | None = Field(None, description="Words of the number, the partner or the center code.")

    _blank = field_validator("region", "q", mode="before")(_blank_to_none)


class RenewalOut(Schema):
    id: int
    round_id: int
    round_title: str = Field(alias="round.title")
    deadline: datetime.date = Field(alias="round.deadline")
    step: str
    sent_on: datetime.date | None
    partner_signed_on: datetime.date | None
    library_signed_on: datetime.date | None
    renewed_id: int | None = Field(description="The renewed agreement, once signed.")


class AgreementOut(Schema):
    id: int
    number: str
    institution_id: int
    institution_name: str = Field(alias="institution.name_ru")
    center: str | None = Field(description="Code of the center the agreement concerns.")
    region: str | None = Field(description="Code of that center's region.")
    signed_on: datetime.date | None
    starts_on: datetime.date
    ends_on: datetime.date
    prolongation: ProlongationKind
    notice_days: int
    status: str = Field(description="draft, active, terminated or renewed.")
    state: AgreementState = Field(description="The status, or expiring/expired for an active one.")
    terminated_on: datetime.date | None
    notes: str
    replaces_id: int | None
    has_scan: bool = Field(description="A signed scan is kept (the back office shows it).")
    revision: int = Field(description="Send it back with PATCH: a save from an older one is 409.")
    renewals: list[RenewalOut]

    @staticmethod
    def resolve_center(obj: Agreement) -> str | None:
        return obj.center.code if obj.center_id else None

    @staticmethod
    def resolve_region(obj: Agreement) -> str | None:
        return obj.center.region.code if obj.center_id and obj.center.region_id else None

    @staticmethod
    def resolve_state(obj: Agreement) -> str:
        return obj.state_on(timezone.localdate())

    @staticmethod
    def resolve_has_scan(obj: Agreement) -> bool:
        return bool(obj.scan)

    @staticmethod
    def resolve_renewals(obj: Agreement) -> list[Renewal]:
        return list(obj.renewals.all())


class AgreementPage(Schema):
    count: int
    items: list[AgreementOut]


class AgreementIn(BodyIn):
    number: str = Field(max_length=64)
    center: str | None = Field(None, description="Code of the center the agreement concerns.")
    institution: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Id of the partner (default: the center's host)."
    )
    signed_on: Day | None = None
    starts_on: Day
    ends_on: Day | None = Field(None, description="Or term_years.")
    term_years: int | None = Field(None, ge=1, le=50)
    prolongation: ProlongationKind = "none"
    notice_days: int = Field(30, ge=0, le=3650)
    notes: Text = ""
    active: bool = Field(False, description="Signed by both parties (needs signed_on).")


class AgreementPatch(BodyIn):
    """Only the fields given change; ``revision`` is the one read (GET)."""

    revision: int = Field(ge=1, le=2**31 - 1)
    number: str | None = Field(None, max_length=64)
    center: str | None = None
    institution: int | None = Field(None, ge=1, le=2**63 - 1)
    signed_on: Day | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    term_years: int | None = Field(None, ge=1, le=50)
    prolongation: ProlongationKind | None = None
    notice_days: int | None = Field(None, ge=0, le=3650)
    notes: Text | None = None


class StepIn(BodyIn):
    step: RenewalStep
    on: Day | None = Field(None, description="The step's date (default today).")
    note: Text = Field("", max_length=500)
    number: Text = Field("", max_length=64, description="The renewed agreement's number.")
    starts_on: Day | None = Field(None, description="Default: the day after the end.")
    ends_on: Day | None = None
    term_years: int | None = Field(None, ge=1, le=50)


def _visible(user: Any, agreement_id: int) -> Agreement:
    agreement = selectors.agreement_visible(user, agreement_id)
    if agreement is None:
        raise HttpError(404, _("There is no agreement with id {id}.").format(id=agreement_id))
    return agreement


def _resolve(fields: dict[str, Any]) -> dict[str, Any]:
    """Codes and ids as objects; an unknown one is a 422 on its field."""
    if fields.get("center") is not None:
        code = fields["center"].strip().upper()
        fields["center"] = Center.objects.filter(code=code).first()
        if fields["center"] is None:
            raise services.AgreementError(
                {"center": _("There is no center with code “{code}”.").format(code=code)}
            )
    if fields.get("institution") is not None:
        institution = Institution.objects.filter(pk=fields["institution"]).first()
        if institution is None:
            raise services.AgreementError(
                {
                    "institution": _("There is no institution with id {id}.").format(
                        id=fields["institution"]
                    )
                }
            )
        fields["institution"] = institution
    return fields


def _conflict(exc: EditConflict) -> Status:
    return Status(
        409,
        {
            "message": str(exc.message),
            "errors": {d.field: [str(d.stored)] for d in exc.differences},
        },
    )


def _read(agreement_id: int) -> Agreement:
    return (
        Agreement.objects.with_relations().prefetch_related("renewals__round").get(pk=agreement_id)
    )


@router.get(
    "/agreements",
    auth=WRITE_AUTH,
    response={200: AgreementPage, **errors(403)},
    summary="List cooperation agreements",
)
def list_agreements(request: HttpRequest, filters: Query[AgreementQuery], page: Query[PageQuery]):
    """The agreements the caller may see (the department all; international relations the
    foreign centers'; a regional-center head their region's; an operator their center's),
    soonest end first."""
    user = request.auth
    require(user, Capability.VIEW_AGREEMENTS)
    queryset = selectors.agreement_list(
        user=user,
        filters=selectors.AgreementFilters(
            state=filters.state or "",
            region=(filters.region or "").strip().upper(),
            expiring_within_days=filters.expiring_within_days,
            q=(filters.q or "").strip(),
        ),
        today=timezone.localdate(),
    ).prefetch_related("renewals__round")
    return paginate(queryset, page)


@router.get(
    "/agreements/{agreement_id}",
    auth=WRITE_AUTH,
    response={200: AgreementOut, **errors(403)},
    summary="Read a cooperation agreement",
    url_name="agreement_detail",
)
def read_agreement(request: HttpRequest, agreement_id: Id):
    """One agreement with its renewals (404 also when the caller may not see it)."""
    require(request.auth, Capability.VIEW_AGREEMENTS)
    return _read(_visible(request.auth, agreement_id).pk)


@router.post(
    "/agreements",
    auth=WRITE_AUTH,
    response={201: AgreementOut, **errors(403)},
    summary="Register a cooperation agreement",
)
def create_agreement(request: HttpRequest, payload: AgreementIn, response: HttpResponse):
    """Register an agreement (a draft, or active with ``active`` and ``signed_on``): the
    department, or international relations for a foreign center's."""
    user = request.auth
    require(user, Capability.MANAGE_AGREEMENTS)
    fields = _resolve(payload.model_dump())
    if fields.get("term_years") is not None and fields.get("ends_on") is not None:
        raise services.AgreementError({"term_years": _("Give the end date or the term, not both.")})
    agreement = services.agreement_create(actor=user, **fields)
    response["Location"] = reverse("api:agreement_detail", kwargs={"agreement_id": agreement.pk})
    return Status(201, _read(agreement.pk))


@router.patch(
    "/agreements/{agreement_id}",
    auth=WRITE_AUTH,
    response={200: AgreementOut, 409: ErrorOut, **errors(403)},
    summary="Change a cooperation agreement",
)
def update_agreement(request: HttpRequest, agreement_id: Id, payload: AgreementPatch):
    """Change the given fields. ``revision`` is the one the caller read: if someone saved the
    agreement since, nothing is written and the answer is 409 with the other person's values by
    field in ``errors``."""
    user = request.auth
    require(user, Capability.VIEW_AGREEMENTS)
    agreement = _visible(user, agreement_id)
    given = payload.model_dump(exclude_unset=True)
    revision = given.pop("revision")
    nulls = [
        n
        for n in ("number", "starts_on", "prolongation", "notice_days")
        if n in given and given[n] is None
    ]
    if nulls:
        raise services.AgreementError({n: [_("This field cannot be null.")] for n in nulls})
    if given.get("term_years") is None:
        given.pop("term_years", None)
    try:
        services.agreement_update(
            actor=user, agreement=agreement, revision=revision, **_resolve(given)
        )
    except EditConflict as exc:
        return _conflict(exc)
    return _read(agreement.pk)


@router.post(
    "/agreements/renewals/{renewal_id}/step",
    auth=WRITE_AUTH,
    response={200: RenewalOut, **errors(403)},
    summary="Record the next step of a renewal",
)
def renewal_step(request: HttpRequest, renewal_id: Id, payload: StepIn):
    """Steps in order only: ``sent`` (to the partner) → ``partner_signed`` → ``library_signed``
    (with the renewed agreement's ``number`` and ``ends_on`` or ``term_years``). The partner's
    signature may be recorded by the regional-center head of the agreement's region too."""
    user = request.auth
    require(user, Capability.RECORD_PARTNER_SIGNATURE)
    renewal = Renewal.objects.filter(pk=renewal_id).select_related("agreement").first()
    if renewal is None or selectors.agreement_visible(user, renewal.agreement_id) is None:
        raise HttpError(404, _("There is no renewal with id {id}.").format(id=renewal_id))
    fields = payload.model_dump()
    step = fields.pop("step")
    renewal = services.renewal_advance(actor=user, renewal=renewal, step=step, **fields)
    return Renewal.objects.select_related("round").get(pk=renewal.pk)
