"""State changes of the opening plan, each with its rules, in one transaction, audited.

Who may do what:

- the network department (and administrators) open and close rounds, propose for any region
  and decide; a regional-center head proposes for their own region only, and a proposal for
  another region is refused on its ``region`` field;
- a head creates, edits and submits until the round's deadline (the end of that day). After
  it, the head may still correct and resubmit a proposal the department returned (a return
  asks for a correction, which the deadline must not forbid), and the department may still
  enter and submit a late proposal while the round is open: the deadline binds the regions'
  own proposals, not the department's acceptance of a late one;
- a proposal is edited while it is a draft or returned; submitted, it waits for a decision:
  approved (a remote access center is registered as *planned* in the registry through the
  network's services), rejected, or returned with a comment (required);
- a closed round takes no change; it closes only once no proposal waits for a decision.

Every decision is kept (``ProposalDecision``) and mailed to the region's heads through the
outbox, once per decision.
"""

import datetime
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from libranet import dates
from libranet.audit.services import audit_record, model_changes
from libranet.mail.models import OutgoingMail
from libranet.mail.services import mail_send
from libranet.network.models import Center, Region, StaffRole
from libranet.network.permissions import Capability, can, planning_regions_for
from libranet.network.services import (
    CODE_RE,
    RegistryError,
    ScopeError,
    center_create,
    institution_create,
)
from libranet.revisions import revision_bump, revision_check

from .models import PlanningRound, Proposal, ProposalDecision

State = Proposal.State
DECISIONS = (State.APPROVED, State.REJECTED, State.RETURNED)
DECISION_TEMPLATE = "planning_decision"
# What a proposal's form and the API write; the rest is the workflow's.
PROPOSAL_FIELDS = (
    "institution",
    "new_institution_name",
    "new_institution_kind",
    "new_institution_address",
    "name_ru",
    "name_en",
    "address",
    "planned_month",
    "premises",
    "justification",
)


class PlanningError(ValidationError):
    """A rule of the opening plan was broken; messages by field, as ``ValidationError``."""


def _actor_user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _require(actor: Any, capability: Capability) -> None:
    """``None`` is the system itself (``seed_demo``, commands), which no role limits."""
    if actor is not None and not can(actor, capability):
        raise ScopeError(_("Your role does not allow this change."))


def _is_department(actor: Any) -> bool:
    return actor is None or can(actor, Capability.MANAGE_OPENING_PLAN)


def deadline_passed(round: PlanningRound, today: datetime.date | None = None) -> bool:
    return (today or timezone.localdate()) > round.deadline


# --- rounds --------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, actor: Any, year: int, deadline: datetime.date) -> PlanningRound:
    """Open a round collecting the proposals of ``year``'s openings until ``deadline``."""
    _require(actor, Capability.MANAGE_OPENING_PLAN)
    errors: dict[str, str] = {}
    if PlanningRound.objects.filter(year=year).exists():
        errors["year"] = _("There is already a round for {year}.").format(year=year)
    if deadline.year > year:
        errors["deadline"] = _("The deadline must come before the year planned for.")
    if errors:
        raise PlanningError(errors)
    round = PlanningRound(year=year, deadline=deadline, created_by=_actor_user(actor))
    try:
        round.full_clean()
    except ValidationError as exc:
        raise PlanningError(exc.message_dict) from exc
    round.save()
    audit_record(
        actor=actor,
        action="planning_round.create",
        obj=round,
        changes={"year": year, "deadline": deadline.isoformat()},
    )
    return round


@transaction.atomic
def round_close(*, actor: Any, round: PlanningRound) -> PlanningRound:
    """Close a round: its plan is final. Refused while a proposal waits for a decision."""
    _require(actor, Capability.MANAGE_OPENING_PLAN)
    round = PlanningRound.objects.select_for_update().get(pk=round.pk)
    if not round.is_open:
        raise PlanningError({"state": _("This round is closed already.")})
    waiting = round.proposals.filter(state=State.SUBMITTED).count()
    if waiting:
        raise PlanningError(
            {
                "state": _(
                    "{count} proposal(s) still wait for a decision: decide them first."
                ).format(count=waiting)
            }
        )
    round.state = PlanningRound.State.CLOSED
    round.closed_at = timezone.now()
    round.save(update_fields=["state", "closed_at"])
    audit_record(actor=actor, action="planning_round.close", obj=round)
    return round


# --- proposals -----------------------------------------------------------------------------


def _check_may_propose(actor: Any, round: PlanningRound, region: Region | None) -> None:
    """The actor's role and region, the round's state and deadline (see the module)."""
    _require(actor, Capability.PROPOSE_OPENINGS)
    if not round.is_open:
        raise PlanningError({"round": _("The round for {year} is closed.").format(year=round.year)})
    if region is None:
        raise PlanningError({"region": _("Choose the region.")})
    if actor is not None and not planning_regions_for(actor).filter(pk=region.pk).exists():
        raise PlanningError(
            {
                "region": _(
                    "Your role does not cover {region}: a regional center proposes openings "
                    "in its own region only."
                ).format(region=region.name)
            }
        )


def _check_deadline(actor: Any, round: PlanningRound, *, returned: bool) -> None:
    if returned or _is_department(actor) or not deadline_passed(round):
        return
    raise PlanningError(
        {
            "round": _(
                "The deadline for proposals for {year} was {deadline}: ask the network "
                "department to accept a late proposal."
            ).format(year=round.year, deadline=round.deadline.strftime("%d.%m.%Y"))
        }
    )


def planned_month_from(value: Any) -> datetime.date:
    """A month given as ``YYYY-MM`` (or a date) as its first day; ``PlanningError`` otherwise."""
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    try:
        return dates.parse_month(str(value or ""), parameter="planned_month")
    except dates.DateInputError as exc:
        raise PlanningError({"planned_month": exc.reason}) from exc


def _validate(proposal: Proposal) -> None:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name in ("new_institution_name", "new_institution_address", "name_ru", "name_en"):
        setattr(proposal, name, (getattr(proposal, name) or "").strip())
    if proposal.institution_id is None and not proposal.new_institution_name:
        add(
            "institution",
            _("Choose the host institution, or name a new one with its kind and address."),
        )
    if proposal.institution_id is not None and proposal.new_institution_name:
        add(
            "new_institution_name",
            _("Either choose an institution of the registry or name a new one, not both."),
        )
    if proposal.institution_id is None and proposal.new_institution_name:
        if not proposal.new_institution_kind:
            add("new_institution_kind", _("Give the new institution's kind."))
    month = proposal.planned_month
    if month is not None:
        proposal.planned_month = month = month.replace(day=1)
        if month.year != proposal.round.year:
            add(
                "planned_month",
                _("The planned month must fall in {year}, the year of the round.").format(
                    year=proposal.round.year
                ),
            )
    try:
        proposal.full_clean(exclude=["round", "region", "proposed_by", "center"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                if message not in errors.get(field, []):
                    add(field, message)
    if errors:
        raise PlanningError(errors)


def _snapshot(proposal: Proposal) -> dict[str, Any]:
    values = {name: getattr(proposal, name) for name in PROPOSAL_FIELDS}
    values["institution"] = proposal.institution_id
    values["region"] = proposal.region_id
    values["planned_month"] = (
        dates.month_text(proposal.planned_month) if proposal.planned_month else None
    )
    return values


def _fields(given: dict[str, Any]) -> dict[str, Any]:
    unknown = set(given) - set(PROPOSAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown proposal fields: {sorted(unknown)}")
    fields = dict(given)
    if "planned_month" in fields:
        fields["planned_month"] = planned_month_from(fields["planned_month"])
    for name in ("name_en", "new_institution_name", "new_institution_kind"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    if fields.get("new_institution_address") is None and "new_institution_address" in fields:
        fields["new_institution_address"] = ""
    return fields


@transaction.atomic
def proposal_create(
    *, actor: Any, round: PlanningRound, region: Region | None, **given: Any
) -> Proposal:
    """A draft proposal of a new remote access center in ``region`` for ``round``'s year."""
    round = PlanningRound.objects.select_for_update().get(pk=round.pk)
    _check_may_propose(actor, round, region)
    _check_deadline(actor, round, returned=False)
    proposal = Proposal(round=round, region=region, proposed_by=_actor_user(actor))
    for name, value in _fields(given).items():
        setattr(proposal, name, value)
    _validate(proposal)
    proposal.save()
    audit_record(actor=actor, action="proposal.create", obj=proposal, changes=_jsonable(proposal))
    return proposal


def _jsonable(proposal: Proposal) -> dict[str, Any]:
    return {key: value for key, value in _snapshot(proposal).items() if value not in ("", None)}


def _locked(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update().select_related("round", "region").get(pk=proposal.pk)
    )


@transaction.atomic
def proposal_update(
    *, actor: Any, proposal: Proposal, revision: int | None = None, **given: Any
) -> Proposal:
    """Change a draft or returned proposal. ``revision``: the one the form was shown (a save
    from an older one is refused with ``EditConflict``, naming what the other person changed)."""
    proposal = _locked(proposal)
    region = given.pop("region", proposal.region)
    fields = _fields(given)
    _check_may_propose(actor, proposal.round, region)
    if not proposal.editable:
        raise PlanningError(
            {
                "state": _("A {state} proposal cannot be changed.").format(
                    state=proposal.get_state_display()
                )
            }
        )
    _check_deadline(actor, proposal.round, returned=proposal.state == State.RETURNED)
    labels = {
        name: str(getattr(Proposal._meta.get_field(name), "verbose_name", name))
        for name in [*fields, "region"]
    }
    revision_check(proposal, revision, {**fields, "region": region}, labels)
    before = _snapshot(proposal)
    proposal.region = region
    for name, value in fields.items():
        setattr(proposal, name, value)
    _validate(proposal)
    revision_bump(proposal)
    changes = model_changes(before, _snapshot(proposal))
    if changes:
        audit_record(actor=actor, action="proposal.update", obj=proposal, changes=changes)
    return proposal


@transaction.atomic
def proposal_submit(*, actor: Any, proposal: Proposal, revision: int | None = None) -> Proposal:
    """Send a draft (or, again, a returned) proposal to the department for its decision."""
    proposal = _locked(proposal)
    _check_may_propose(actor, proposal.round, proposal.region)
    revision_check(proposal, revision, {})
    if not proposal.editable:
        raise PlanningError(
            {
                "state": _("A {state} proposal cannot be submitted.").format(
                    state=proposal.get_state_display()
                )
            }
        )
    _check_deadline(actor, proposal.round, returned=proposal.state == State.RETURNED)
    _validate(proposal)
    again = proposal.state == State.RETURNED
    proposal.state = State.SUBMITTED
    proposal.submitted_at = timezone.now()
    proposal.times_submitted += 1
    revision_bump(proposal)
    audit_record(
        actor=actor,
        action="proposal.resubmit" if again else "proposal.submit",
        obj=proposal,
        changes={"state": [State.RETURNED if again else State.DRAFT, State.SUBMITTED]},
    )
    return proposal


def next_center_code(region: Region) -> str:
    """The registry's next free code for a remote access center of ``region``: the region's
    code and a four-digit number (``RU-TVE-0008``), as the registry numbers them."""
    prefix = f"{region.code}-"
    pattern = re.compile(rf"^{re.escape(prefix)}(\d{{4}})$")
    numbers = [
        int(match.group(1))
        for code in Center.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        if (match := pattern.match(code))
    ]
    code = f"{prefix}{max(numbers, default=0) + 1:04d}"
    if not CODE_RE.match(code):
        raise PlanningError({"region": _("No center code can be made for this region.")})
    return code


def _plan_center(actor: Any, proposal: Proposal) -> Center:
    """Register the approved proposal's center as *planned*, and its new host if it has one."""
    institution = proposal.institution
    if institution is None:
        institution = institution_create(
            actor=actor,
            name_ru=proposal.new_institution_name,
            kind=proposal.new_institution_kind,
            address=proposal.new_institution_address,
        )
        proposal.institution = institution
    return center_create(
        actor=actor,
        code=next_center_code(proposal.region),
        kind=Center.Kind.REMOTE,
        name_ru=proposal.name_ru,
        name_en=proposal.name_en,
        institution=institution,
        region=proposal.region,
        status=Center.Status.PLANNED,
        address=proposal.address,
    )


@transaction.atomic
def proposal_decide(
    *,
    actor: Any,
    proposal: Proposal,
    decision: str,
    comment: str = "",
    revision: int | None = None,
) -> Proposal:
    """The department's decision on a submitted proposal: approve (its center is registered
    as planned), reject, or return with a comment (required). The region's heads are mailed."""
    _require(actor, Capability.MANAGE_OPENING_PLAN)
    proposal = _locked(proposal)
    comment = (comment or "").strip()
    if decision not in DECISIONS:
        raise PlanningError({"decision": _("Unknown decision “{value}”.").format(value=decision)})
    revision_check(proposal, revision, {"state": decision, "decision_comment": comment})
    if not proposal.round.is_open:
        raise PlanningError(
            {"round": _("The round for {year} is closed.").format(year=proposal.round.year)}
        )
    if proposal.state != State.SUBMITTED:
        raise PlanningError(
            {
                "decision": _("Only a submitted proposal is decided; this one is {state}.").format(
                    state=proposal.get_state_display()
                )
            }
        )
    if decision == State.RETURNED and not comment:
        raise PlanningError({"comment": _("Say what to change: a return needs a comment.")})
    now = timezone.now()
    if decision == State.APPROVED:
        try:
            proposal.center = _plan_center(actor, proposal)
        except RegistryError as exc:
            raise PlanningError(
                _("The planned center cannot be registered: {reason}").format(
                    reason=" ".join(exc.messages)
                )
            ) from exc
    previous = proposal.state
    proposal.state = decision
    proposal.decision_comment = comment
    proposal.decided_by = _actor_user(actor)
    proposal.decided_at = now
    revision_bump(proposal)
    made = ProposalDecision.objects.create(
        proposal=proposal,
        state=decision,
        comment=comment,
        decided_by=_actor_user(actor),
        decided_at=now,
    )
    changes: dict[str, Any] = {"state": [previous, decision]}
    if comment:
        changes["decision_comment"] = comment
    if proposal.center is not None:
        changes["center"] = proposal.center.code
    audit_record(
        actor=actor, action=f"proposal.{_ACTIONS[decision]}", obj=proposal, changes=changes
    )
    _mail_decision(proposal, made)
    return proposal


_ACTIONS: dict[str, str] = {
    State.APPROVED: "approve",
    State.REJECTED: "reject",
    State.RETURNED: "return",
}


def region_heads(region_ids: Any) -> dict[int, list[tuple[str, str]]]:
    """(address, language) of the active heads of each region who have an address (one query)."""
    roles = (
        StaffRole.objects.filter(
            role=StaffRole.Role.REGIONAL_HEAD, region_id__in=region_ids, user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__username")
    )
    heads: dict[int, dict[str, tuple[str, str]]] = {}
    for role in roles:
        email = role.user.email
        assert role.region_id is not None  # a head's role is scoped to a region
        heads.setdefault(role.region_id, {})[email.lower()] = (email, role.user.preferred_language)
    return {region: list(found.values()) for region, found in heads.items()}


def _link(name: str, language: str, **kwargs: Any) -> str:
    from django.urls import reverse
    from django.utils import translation

    with translation.override(language):
        return settings.LIBRANET_SITE_URL + reverse(name, kwargs=kwargs)


def _mail_decision(proposal: Proposal, decision: ProposalDecision) -> None:
    """Each head of the proposal's region is told, once per decision (the outbox's key)."""
    for to, language in region_heads([proposal.region_id]).get(proposal.region_id, []):
        mail_send(
            to=to,
            template=DECISION_TEMPLATE,
            context={
                "proposal": proposal,
                "decision": decision,
                "round": proposal.round,
                "center": proposal.center,
                "link": _link("planning:proposal", language, pk=proposal.pk),
            },
            language=language,
            key=f"planning-decision:{decision.pk}",
        )


# --- reminders before the deadline ---------------------------------------------------------

REMINDER_TEMPLATE = "planning_reminder"


def _reminders() -> Any:
    return OutgoingMail.objects.filter(template=REMINDER_TEMPLATE)


def reminder_threshold(round: PlanningRound, today: datetime.date) -> int | None:
    """The reminder due today: the smallest of ``LIBRANET_PLANNING_REMINDER_DAYS`` not under
    the days left before the deadline (so a day the job missed is caught up on the next), or
    None after the deadline and before the first reminder."""
    left = (round.deadline - today).days
    if left < 0:
        return None
    due = [days for days in settings.LIBRANET_PLANNING_REMINDER_DAYS if days >= left]
    return min(due) if due else None


def planning_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind the heads of every region that has no submitted proposal in an open round of the
    coming deadline; once per round, region, head and reminder (the outbox's key), so running
    twice sends nothing more. Returns how many messages this run queued."""
    today = today or timezone.localdate()
    already = _reminders().count()
    with transaction.atomic():
        for round in PlanningRound.objects.filter(state=PlanningRound.State.OPEN):
            threshold = reminder_threshold(round, today)
            if threshold is None:
                continue
            submitted = round.proposals.filter(times_submitted__gt=0).values("region_id")
            regions = Region.objects.filter(staff_roles__role=StaffRole.Role.REGIONAL_HEAD).exclude(
                pk__in=submitted
            )
            region_ids = set(regions.values_list("pk", flat=True))
            heads = region_heads(region_ids)
            by_id = Region.objects.in_bulk(region_ids)
            for region_id in sorted(heads, key=lambda pk: by_id[pk].code):
                region = by_id[region_id]
                drafts = round.proposals.filter(region=region, state=State.DRAFT).count()
                for to, language in heads[region_id]:
                    mail_send(
                        to=to,
                        template=REMINDER_TEMPLATE,
                        context={
                            "round": round,
                            "region": region,
                            "days_left": (round.deadline - today).days,
                            "drafts": drafts,
                            "link": _link("planning:round", language, pk=round.pk),
                        },
                        language=language,
                        key=f"planning-reminder:{round.year}:{threshold}:{region.code}",
                    )
    return _reminders().count() - already
