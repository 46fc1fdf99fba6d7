"""The opening plan's back-office pages: thin views that ask the permission module, read with
the selectors and call the services; a broken rule comes back as form errors."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from libranet.backoffice.access import requires
from libranet.backoffice.forms import add_registry_errors
from libranet.backoffice.views import _page, _query_without_page, _render, office_crumbs
from libranet.network.permissions import Capability, can
from libranet.revisions import EditConflict

from . import exports
from .forms import DecisionForm, ProposalFilterForm, ProposalForm, RoundForm
from .models import PlanningRound, Proposal
from .selectors import plan_for, proposal_list, round_list
from .services import (
    PROPOSAL_FIELDS,
    deadline_passed,
    proposal_create,
    proposal_decide,
    proposal_submit,
    proposal_update,
    round_close,
    round_create,
)

C = Capability
GET_POST = require_http_methods(["GET", "HEAD", "POST"])


def _crumbs(*trail: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    return office_crumbs((_("Opening plan"), reverse("planning:rounds")), *trail)


def _may_propose(user: Any, round: PlanningRound) -> bool:
    """Whether the page offers a new proposal (the service decides again when it is saved)."""
    if not round.is_open or not can(user, C.PROPOSE_OPENINGS):
        return False
    return can(user, C.MANAGE_OPENING_PLAN) or not deadline_passed(round)


def _proposal(user: Any, pk: int) -> Proposal:
    """A proposal in ``user``'s regions; another region's is not found (not forbidden)."""
    found = proposal_list(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@require_safe
@requires(C.PROPOSE_OPENINGS)
def rounds(request):
    return _render(
        request,
        "planning/rounds.html",
        {
            "rounds": round_list(user=request.user),
            "crumbs": office_crumbs((_("Opening plan"), None)),
        },
    )


@GET_POST
@requires(C.MANAGE_OPENING_PLAN)
def round_new(request):
    form = RoundForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            made = round_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, _("The round for {year} is open.").format(year=made.year))
            return redirect("planning:round", pk=made.pk)
    return _render(
        request,
        "planning/round_form.html",
        {"form": form, "crumbs": _crumbs((_("New round"), None))},
    )


@require_safe
@requires(C.PROPOSE_OPENINGS)
def round_detail(request, pk: int):
    round = get_object_or_404(PlanningRound, pk=pk)
    filters = ProposalFilterForm(request.GET or None, user=request.user)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    proposals = proposal_list(
        user=request.user,
        round=round,
        state=chosen.get("state", ""),
        region=chosen.get("region", ""),
    )
    return _render(
        request,
        "planning/round.html",
        {
            "round": round,
            "filters": filters,
            "page": _page(request, proposals),
            "query": _query_without_page(request),
            "may_propose": _may_propose(request.user, round),
            "late": deadline_passed(round),
            "crumbs": _crumbs((str(round), None)),
        },
    )


@require_POST
@requires(C.MANAGE_OPENING_PLAN)
def round_close_view(request, pk: int):
    round = get_object_or_404(PlanningRound, pk=pk)
    try:
        round_close(actor=request.user, round=round)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The round for {year} is closed.").format(year=round.year))
    return redirect("planning:round", pk=round.pk)


@require_safe
@requires(C.PROPOSE_OPENINGS)
def plan(request, pk: int):
    round = get_object_or_404(PlanningRound, pk=pk)
    return _render(
        request,
        "planning/plan.html",
        {
            "plan": plan_for(round, user=request.user),
            "round": round,
            "crumbs": _crumbs(
                (str(round), reverse("planning:round", args=[pk])), (_("Plan"), None)
            ),
        },
    )


@require_safe
@requires(C.PROPOSE_OPENINGS)
def plan_download(request, pk: int, fmt: str):
    round = get_object_or_404(PlanningRound, pk=pk)
    the_plan = plan_for(round, user=request.user)
    if fmt == "xlsx":
        content, content_type = exports.plan_xlsx(the_plan), exports.XLSX_TYPE
    else:
        content, content_type = exports.plan_pdf(the_plan), exports.PDF_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="opening-plan-{round.year}.{fmt}"'
    return response


def _proposal_form_page(request, form, *, round, proposal=None, conflict=None, status=200):
    title = proposal.name if proposal else _("New proposal")
    trail = [(str(round), reverse("planning:round", args=[round.pk]))]
    if proposal:
        trail.append((proposal.name, reverse("planning:proposal", args=[proposal.pk])))
        title = _("Edit")
    return _render(
        request,
        "planning/proposal_form.html",
        {
            "form": form,
            "round": round,
            "proposal": proposal,
            "conflict": conflict,
            "crumbs": _crumbs(*trail, (title, None)),
        },
        status=status,
    )


@GET_POST
@requires(C.PROPOSE_OPENINGS)
def proposal_new(request, pk: int):
    round = get_object_or_404(PlanningRound, pk=pk)
    form = ProposalForm(
        request.POST if request.method == "POST" else None, user=request.user, creating=True
    )
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            made = proposal_create(
                actor=request.user,
                round=round,
                region=data.pop("region"),
                **{name: data[name] for name in PROPOSAL_FIELDS},
            )
        except ValidationError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, _("The proposal is saved as a draft."))
            return redirect("planning:proposal", pk=made.pk)
    return _proposal_form_page(request, form, round=round)


@GET_POST
@requires(C.PROPOSE_OPENINGS)
def proposal_edit(request, pk: int):
    proposal = _proposal(request.user, pk)
    if request.method != "POST":
        form = ProposalForm(
            initial=ProposalForm.initial_for(proposal), user=request.user, creating=False
        )
        return _proposal_form_page(request, form, round=proposal.round, proposal=proposal)
    form = ProposalForm(request.POST, user=request.user, creating=False)
    conflict = None
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            proposal_update(
                actor=request.user,
                proposal=proposal,
                revision=data.pop("revision"),
                region=data.pop("region"),
                **{name: data[name] for name in PROPOSAL_FIELDS},
            )
        except EditConflict as exc:
            conflict = exc
        except ValidationError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, _("The proposal is saved."))
            return redirect("planning:proposal", pk=proposal.pk)
    return _proposal_form_page(
        request,
        form,
        round=proposal.round,
        proposal=proposal,
        conflict=conflict,
        status=409 if conflict else 200,
    )


def _proposal_page(request, proposal: Proposal, decision_form=None, status=200):
    user = request.user
    deciding = can(user, C.MANAGE_OPENING_PLAN) and proposal.state == Proposal.State.SUBMITTED
    if deciding and decision_form is None:
        decision_form = DecisionForm(initial={"revision": proposal.revision})
    return _render(
        request,
        "planning/proposal.html",
        {
            "proposal": proposal,
            "round": proposal.round,
            "decisions": proposal.decisions.select_related("decided_by"),
            "decision_form": decision_form if deciding and proposal.round.is_open else None,
            "may_edit": proposal.editable and proposal.round.is_open,
            "crumbs": _crumbs(
                (str(proposal.round), reverse("planning:round", args=[proposal.round_id])),
                (proposal.name, None),
            ),
        },
        status=status,
    )


@require_safe
@requires(C.PROPOSE_OPENINGS)
def proposal_detail(request, pk: int):
    return _proposal_page(request, _proposal(request.user, pk))


@require_POST
@requires(C.PROPOSE_OPENINGS)
def proposal_submit_view(request, pk: int):
    proposal = _proposal(request.user, pk)
    revision = request.POST.get("revision", "")
    try:
        proposal_submit(
            actor=request.user,
            proposal=proposal,
            revision=int(revision) if revision.isdigit() else None,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The proposal is submitted to the network department."))
    return redirect("planning:proposal", pk=proposal.pk)


@require_POST
@requires(C.MANAGE_OPENING_PLAN)
def proposal_decide_view(request, pk: int):
    proposal = _proposal(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            proposal_decide(actor=request.user, proposal=proposal, **form.cleaned_data)
        except EditConflict as exc:
            form.add_error(None, exc.messages[0])
            return _proposal_page(request, _proposal(request.user, pk), form, status=409)
        except ValidationError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(
                request,
                _("Decision recorded: {decision}.").format(
                    decision=Proposal.State(form.cleaned_data["decision"]).label
                ),
            )
            return redirect("planning:proposal", pk=proposal.pk)
    return _proposal_page(request, _proposal(request.user, pk), form)
