"""The opening plan: rounds with the proposals in the caller's regions and the plan's summary;
proposals created, changed, submitted and decided through the services every other door
calls, with the same rules (a broken one is a 422 naming the field; a save from a stale copy a
409 naming what the other person changed)."""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from libranet.network.permissions import Capability
from libranet.network.selectors import resolve_references
from libranet.planning.models import PlanningRound, Proposal
from libranet.planning.selectors import is_opened, plan_for, proposal_list
from libranet.planning.services import (
    proposal_create,
    proposal_decide,
    proposal_submit,
    proposal_update,
)
from libranet.revisions import EditConflict

from .auth import WRITE_AUTH, require
from .pagination import paginate
from .schemas import BodyIn, PageQuery, Text, errors

router = Router(tags=["opening plans"])

Year = Annotated[int, Path(ge=2000, le=2100)]
ProposalId = Annotated[int, Path(ge=1, le=2**63 - 1)]
InstitutionKind = Literal[
    "", "library", "university", "museum", "school", "rcsc", "national_library", "other"
]


class DecisionOut(Schema):
    state: str
    comment: str
    decided_by: str | None
    decided_at: datetime.datetime


class ProposalOut(Schema):
    id: int
    year: int
    region: str = Field(description="ISO 3166-2 code of the region.")
    state: str = Field(description="draft, submitted, returned, approved or rejected.")
    revision: int = Field(description="Send it back with a change: a stale one is a 409.")
    institution: int | None = Field(description="Id of the host institution, if registered.")
    new_institution_name: str
    new_institution_kind: str
    new_institution_address: str
    name_ru: str
    name_en: str
    address: str
    planned_month: str = Field(description="YYYY-MM.")
    premises: str
    justification: str
    submitted_at: datetime.datetime | None
    decision_comment: str
    decided_at: datetime.datetime | None
    center: str | None = Field(description="Code of the planned center, once approved.")
    center_status: str | None
    center_opened_on: datetime.date | None
    decisions: list[DecisionOut]


class RegionPlanOut(Schema):
    region: str
    planned: int
    opened: int


class PlanOut(Schema):
    planned: int = Field(description="Approved proposals.")
    opened: int = Field(description="Their centers opened (per the registry).")
    regions: list[RegionPlanOut]


class RoundOut(Schema):
    year: int
    deadline: datetime.date
    state: str = Field(description="open or closed.")
    proposals: list[ProposalOut]
    plan: PlanOut


class RoundPage(Schema):
    count: int
    items: list[RoundOut]


class ProposalIn(BodyIn):
    region: str = Field(description="ISO 3166-2 code of the region (the head's own).")
    institution: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Id of the host institution (GET /institutions)."
    )
    new_institution_name: Text = Field("", description="Or a new host institution's name.")
    new_institution_kind: InstitutionKind = ""
    new_institution_address: Text = ""
    name_ru: str
    name_en: Text = ""
    address: str
    planned_month: str = Field(description="YYYY-MM, in the round's year.")
    premises: str = Field(description="The room, the seats, the workstations.")
    justification: str


class ProposalPatch(BodyIn):
    revision: int = Field(ge=1, le=2**31, description="The revision the change was made from.")
    region: str | None = None
    institution: int | None = Field(None, ge=1, le=2**63 - 1)
    new_institution_name: Text | None = None
    new_institution_kind: InstitutionKind | None = None
    new_institution_address: Text | None = None
    name_ru: str | None = None
    name_en: Text | None = None
    address: str | None = None
    planned_month: str | None = None
    premises: str | None = None
    justification: str | None = None


class SubmitIn(BodyIn):
    revision: int | None = Field(None, ge=1, le=2**31)


class DecisionIn(BodyIn):
    decision: Literal["approved", "rejected", "returned"]
    comment: Text = Field("", description="Required to return a proposal.")
    revision: int | None = Field(None, ge=1, le=2**31)


def _proposal_out(proposal: Proposal) -> dict[str, Any]:
    center = proposal.center
    return {
        "id": proposal.pk,
        "year": proposal.round.year,
        "region": proposal.region.code,
        "state": proposal.state,
        "revision": proposal.revision,
        "institution": proposal.institution_id,
        "new_institution_name": proposal.new_institution_name,
        "new_institution_kind": proposal.new_institution_kind,
        "new_institution_address": proposal.new_institution_address,
        "name_ru": proposal.name_ru,
        "name_en": proposal.name_en,
        "address": proposal.address,
        "planned_month": f"{proposal.planned_month:%Y-%m}",
        "premises": proposal.premises,
        "justification": proposal.justification,
        "submitted_at": proposal.submitted_at,
        "decision_comment": proposal.decision_comment,
        "decided_at": proposal.decided_at,
        "center": center.code if center else None,
        "center_status": center.status if center else None,
        "center_opened_on": center.opened_on if center and is_opened(center) else None,
        "decisions": [
            {
                "state": d.state,
                "comment": d.comment,
                "decided_by": d.decided_by.get_username() if d.decided_by else None,
                "decided_at": d.decided_at,
            }
            for d in proposal.decisions.all()
        ],
    }


def _round_out(round: PlanningRound, user: Any) -> dict[str, Any]:
    proposals = proposal_list(user=user, round=round).prefetch_related("decisions__decided_by")
    plan = plan_for(round, user=user)
    return {
        "year": round.year,
        "deadline": round.deadline,
        "state": round.state,
        "proposals": [_proposal_out(p) for p in proposals],
        "plan": {
            "planned": plan.planned,
            "opened": plan.opened,
            "regions": [
                {"region": r.region.code, "planned": r.planned, "opened": r.opened}
                for r in plan.rows
            ],
        },
    }


def _round(year: int) -> PlanningRound:
    round = PlanningRound.objects.filter(year=year).first()
    if round is None:
        raise HttpError(404, _("There is no planning round for {year}.").format(year=year))
    return round


def _proposal(user: Any, proposal_id: int) -> Proposal:
    found = (
        proposal_list(user=user)
        .prefetch_related("decisions__decided_by")
        .filter(pk=proposal_id)
        .first()
    )
    if found is None:
        raise HttpError(404, _("There is no proposal with id {id}.").format(id=proposal_id))
    return found


def _conflict(exc: EditConflict) -> Status:
    return Status(
        409,
        {
            "message": " ".join(exc.messages),
            "errors": {d.field: [_("Now: {value}").format(value=d.stored)] for d in exc.differences}
            or None,
        },
    )


def _references(given: dict[str, Any]) -> dict[str, Any]:
    references = {name: given.pop(name) for name in ("region", "institution") if name in given}
    given.update(resolve_references(**references))
    return given


@router.get(
    "/opening-plans",
    auth=WRITE_AUTH,
    response={200: RoundPage, **errors(403)},
    summary="List the opening plans",
)
def list_opening_plans(request: HttpRequest, page: Query[PageQuery]):
    """Every planning round, latest year first, with the proposals in the caller's regions
    (all of them for the network department) with their decisions, and the plan's summary:
    approved proposals against their centers opened, by region."""
    user = request.auth  # type: ignore[attr-defined]
    require(user, Capability.PROPOSE_OPENINGS)
    result = paginate(PlanningRound.objects.order_by("-year"), page)
    result["items"] = [_round_out(r, user) for r in result["items"]]
    return result


@router.get(
    "/opening-plans/{year}",
    auth=WRITE_AUTH,
    response={200: RoundOut, **errors(403)},
    summary="Read one year's opening plan",
    url_name="opening_plan_detail",
)
def read_opening_plan(request: HttpRequest, year: Year):
    """One round by its year, as in the list."""
    user = request.auth  # type: ignore[attr-defined]
    require(user, Capability.PROPOSE_OPENINGS)
    return _round_out(_round(year), user)


@router.post(
    "/opening-plans/{year}/proposals",
    auth=WRITE_AUTH,
    response={201: ProposalOut, **errors(403)},
    summary="Propose a new center",
)
def create_proposal(request: HttpRequest, year: Year, payload: ProposalIn, response: HttpResponse):
    """A draft proposal of a remote access center: a regional-center head for their own region
    until the round's deadline, the network department for any region while the round is
    open. Either ``institution`` or ``new_institution_name`` (with its kind) names the host."""
    user = request.auth  # type: ignore[attr-defined]
    require(user, Capability.PROPOSE_OPENINGS)
    round = _round(year)
    fields = _references(payload.model_dump())
    made = proposal_create(actor=user, round=round, **fields)
    response["Location"] = reverse("api:opening_plan_detail", kwargs={"year": year})
    return Status(201, _proposal_out(_proposal(user, made.pk)))


@router.patch(
    "/opening-proposals/{proposal_id}",
    auth=WRITE_AUTH,
    response={200: ProposalOut, **errors(403, 409)},
    summary="Change a proposal",
)
def update_proposal(request: HttpRequest, proposal_id: ProposalId, payload: ProposalPatch):
    """Change the given fields of a draft or returned proposal; ``revision`` is the one the
    change was made from: if someone saved since, 409 names the fields they changed."""
    user = request.auth  # type: ignore[attr-defined]
    require(user, Capability.PROPOSE_OPENINGS)
    proposal = _proposal(user, proposal_id)
    given = payload.model_dump(exclude_unset=True)
    revision = given.pop("revision")
    required = ("region", "name_ru", "address", "planned_month", "premises", "justification")
    nulls = [name for name in required if name in given and given[name] is None]
    if nulls:
        raise ValidationError({name: [_("This field cannot be null.")] for name in nulls})
    try:
        proposal_update(actor=user, proposal=proposal, revision=revision, **_references(given))
    except EditConflict as exc:
        return _conflict(exc)
    return _proposal_out(_proposal(user, proposal_id))


@router.post(
    "/opening-proposals/{proposal_id}/submit",
    auth=WRITE_AUTH,
    response={200: ProposalOut, **errors(403, 409)},
    summary="Submit a proposal",
)
def submit_proposal(request: HttpRequest, proposal_id: ProposalId, payload: SubmitIn):
    """Send a draft, or again a returned, proposal to the network department."""
    user = request.auth  # type: ignore[attr-defined]
    require(user, Capability.PROPOSE_OPENINGS)
    proposal = _proposal(user, proposal_id)
    try:
        proposal_submit(actor=user, proposal=proposal, revision=payload.revision)
    except EditConflict as exc:
        return _conflict(exc)
    return _proposal_out(_proposal(user, proposal_id))


@router.post(
    "/opening-proposals/{proposal_id}/decision",
    auth=WRITE_AUTH,
    response={200: ProposalOut, **errors(403, 409)},
    summary="Decide on a proposal",
)
def decide_proposal(request: HttpRequest, proposal_id: ProposalId, payload: DecisionIn):
    """The network department approves (the center is registered as planned), rejects or
    returns (``comment`` required) a submitted proposal; the region's heads are mailed."""
    user = request.auth  # type: ignore[attr-defined]
    require(user, Capability.MANAGE_OPENING_PLAN)
    proposal = _proposal(user, proposal_id)
    try:
        proposal_decide(actor=user, proposal=proposal, **payload.model_dump())
    except EditConflict as exc:
        return _conflict(exc)
    return _proposal_out(_proposal(user, proposal_id))
