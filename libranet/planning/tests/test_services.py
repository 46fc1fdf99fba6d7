"""The opening plan's workflow through its states, with the clock fixed before and after the
round's deadline."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from libranet.audit.models import AuditEntry
from libranet.mail.models import OutgoingMail
from libranet.network.models import Center, CenterStatusChange
from libranet.network.services import ScopeError, center_change_status
from libranet.planning.models import PlanningRound, Proposal, ProposalDecision
from libranet.planning.services import (
    PlanningError,
    next_center_code,
    proposal_decide,
    proposal_submit,
    proposal_update,
    round_close,
    round_create,
)
from libranet.revisions import EditConflict

from .conftest import DEADLINE, proposal_fields

pytestmark = pytest.mark.django_db
State = Proposal.State
AFTER_DEADLINE = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)


def test_a_proposal_goes_from_draft_to_approved_and_its_center_is_planned(
    make_proposal, head_tver, network_user, make_center
):
    make_center(code="RU-TVE-0007")  # the registry's numbering continues from the last code
    proposal = make_proposal(actor=head_tver)
    assert proposal.state == State.DRAFT and proposal.proposed_by == head_tver
    proposal = proposal_submit(actor=head_tver, proposal=proposal)
    assert proposal.state == State.SUBMITTED and proposal.times_submitted == 1
    proposal = proposal_decide(
        actor=network_user, proposal=proposal, decision=State.APPROVED, comment="Согласовано"
    )
    assert proposal.state == State.APPROVED and proposal.decided_by == network_user
    center = proposal.center
    assert center.code == "RU-TVE-0008"
    assert center.status == Center.Status.PLANNED and center.kind == Center.Kind.REMOTE
    assert center.region.code == "RU-TVE" and center.regional_center is None  # no RC in the test
    assert center.institution.name_ru == "Библиотека им. А. С. Пушкина"  # the new host
    assert CenterStatusChange.objects.get(center=center).status == Center.Status.PLANNED
    assert [d.state for d in proposal.decisions.all()] == [State.APPROVED]
    actions = list(
        AuditEntry.objects.filter(object_type="planning.proposal")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["proposal.create", "proposal.submit", "proposal.approve"]
    assert AuditEntry.objects.filter(action="center.create", actor=network_user).exists()


def test_a_returned_proposal_is_corrected_and_resubmitted_with_every_decision_kept(
    make_proposal, head_tver, network_user
):
    proposal = proposal_submit(actor=head_tver, proposal=make_proposal(actor=head_tver))
    with pytest.raises(ValidationError) as refused:
        proposal_decide(actor=network_user, proposal=proposal, decision=State.RETURNED)
    assert "comment" in refused.value.message_dict
    proposal = proposal_decide(
        actor=network_user,
        proposal=proposal,
        decision=State.RETURNED,
        comment="Уточните число рабочих мест",
    )
    assert proposal.state == State.RETURNED and proposal.editable
    proposal = proposal_update(
        actor=head_tver,
        proposal=proposal,
        revision=proposal.revision,
        premises="Читальный зал, 12 мест, 6 рабочих мест",
    )
    proposal = proposal_submit(actor=head_tver, proposal=proposal)
    assert proposal.state == State.SUBMITTED and proposal.times_submitted == 2
    proposal = proposal_decide(actor=network_user, proposal=proposal, decision=State.REJECTED)
    assert [(d.state, d.comment) for d in proposal.decisions.all()] == [
        (State.RETURNED, "Уточните число рабочих мест"),
        (State.REJECTED, ""),
    ]
    assert AuditEntry.objects.filter(action="proposal.resubmit").count() == 1
    with pytest.raises(PlanningError) as refused:
        proposal_update(actor=head_tver, proposal=proposal, premises="x")
    assert "state" in refused.value.message_dict


def test_a_head_proposing_for_another_region_is_refused_on_the_region_and_nothing_is_saved(
    make_proposal, head_tver, penza
):
    with pytest.raises(PlanningError) as refused:
        make_proposal(actor=head_tver, region=penza)
    assert "Penza" in refused.value.message_dict["region"][0]
    assert not Proposal.objects.exists()
    assert not AuditEntry.objects.filter(object_type="planning.proposal").exists()


def test_the_department_proposes_for_any_region(make_proposal, network_user, penza):
    assert make_proposal(actor=network_user, region=penza).region == penza


def test_an_operator_cannot_propose(make_proposal, operator_user):
    with pytest.raises(ScopeError):
        make_proposal(actor=operator_user)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("planned_month", "2028-01"),  # outside the round's year
        ("planned_month", "March"),
        ("name_ru", ""),
        ("premises", ""),
        ("new_institution_name", ""),  # no host at all: named on ``institution``
        ("new_institution_kind", ""),
    ],
)
def test_bad_input_is_refused_naming_the_field(make_proposal, head_tver, field, value):
    with pytest.raises(PlanningError) as refused:
        make_proposal(actor=head_tver, **{field: value})
    named = "institution" if field == "new_institution_name" else field
    assert named in refused.value.message_dict
    assert not Proposal.objects.exists()


def test_after_the_deadline_a_head_is_refused_but_the_department_accepts_a_late_one(
    make_proposal, head_tver, network_user, network_user_returns, time_machine
):
    draft = make_proposal(actor=head_tver)
    returned = network_user_returns(make_proposal(actor=head_tver))
    time_machine.move_to(AFTER_DEADLINE, tick=False)
    with pytest.raises(PlanningError) as refused:
        make_proposal(actor=head_tver)
    assert "01.12.2026" in refused.value.message_dict["round"][0]
    with pytest.raises(PlanningError):
        proposal_submit(actor=head_tver, proposal=draft)
    # A return asks for a correction: it may be resubmitted after the deadline.
    assert proposal_submit(actor=head_tver, proposal=returned).state == State.SUBMITTED
    late = make_proposal(actor=network_user)
    assert proposal_submit(actor=network_user, proposal=late).state == State.SUBMITTED


@pytest.fixture
def network_user_returns(head_tver, network_user):
    def run(proposal):
        proposal = proposal_submit(actor=head_tver, proposal=proposal)
        return proposal_decide(
            actor=network_user, proposal=proposal, decision=State.RETURNED, comment="Уточните"
        )

    return run


def test_a_save_from_a_stale_copy_is_refused_with_the_difference(make_proposal, head_tver):
    proposal = make_proposal(actor=head_tver)
    shown = proposal.revision
    proposal_update(actor=head_tver, proposal=proposal, revision=shown, address="Тверь, 1")
    with pytest.raises(EditConflict) as conflict:
        proposal_update(actor=head_tver, proposal=proposal, revision=shown, address="Тверь, 2")
    assert [(d.field, d.stored, d.submitted) for d in conflict.value.differences] == [
        ("address", "Тверь, 1", "Тверь, 2")
    ]
    assert Proposal.objects.get().address == "Тверь, 1"


def test_a_stale_decision_is_refused(make_proposal, head_tver, network_user):
    proposal = proposal_submit(actor=head_tver, proposal=make_proposal(actor=head_tver))
    with pytest.raises(EditConflict):
        proposal_decide(
            actor=network_user,
            proposal=proposal,
            decision=State.APPROVED,
            revision=proposal.revision - 1,
        )
    assert not Center.objects.exists() and not ProposalDecision.objects.exists()


def test_only_the_department_decides(make_proposal, head_tver):
    proposal = proposal_submit(actor=head_tver, proposal=make_proposal(actor=head_tver))
    with pytest.raises(ScopeError):
        proposal_decide(actor=head_tver, proposal=proposal, decision=State.APPROVED)


def test_a_decision_is_mailed_to_the_regions_heads_once(
    make_proposal, head_tver, network_user, head_penza
):
    proposal = proposal_submit(actor=head_tver, proposal=make_proposal(actor=head_tver))
    proposal_decide(
        actor=network_user, proposal=proposal, decision=State.RETURNED, comment="Уточните"
    )
    mail = OutgoingMail.objects.get(template="planning_decision")
    assert mail.recipient == "head@tver.example" and "Уточните" in mail.text
    assert mail.key == f"planning-decision:{ProposalDecision.objects.get().pk}"


def test_a_round_closes_once_nothing_waits_and_then_takes_nothing(
    make_proposal, head_tver, network_user, round_2027
):
    proposal = proposal_submit(actor=head_tver, proposal=make_proposal(actor=head_tver))
    with pytest.raises(PlanningError) as refused:
        round_close(actor=network_user, round=round_2027)
    assert "1 proposal" in refused.value.message_dict["state"][0]
    proposal_decide(actor=network_user, proposal=proposal, decision=State.APPROVED)
    round_close(actor=network_user, round=round_2027)
    assert PlanningRound.objects.get().state == PlanningRound.State.CLOSED
    with pytest.raises(PlanningError) as refused:
        make_proposal(actor=network_user)
    assert "round" in refused.value.message_dict


def test_rounds_are_one_per_year_and_only_the_department_opens_them(network_user, head_tver):
    round_create(actor=network_user, year=2027, deadline=DEADLINE)
    with pytest.raises(PlanningError) as refused:
        round_create(actor=network_user, year=2027, deadline=DEADLINE)
    assert "year" in refused.value.message_dict
    with pytest.raises(ScopeError):
        round_create(actor=head_tver, year=2028, deadline=DEADLINE)


def test_the_plan_counts_planned_against_opened(make_proposal, network_user, penza):
    from libranet.planning.selectors import plan_for

    approved = []
    for month, region in (("2027-03", None), ("2027-03", None), ("2027-05", penza)):
        proposal = make_proposal(actor=network_user, region=region, planned_month=month)
        proposal = proposal_submit(actor=network_user, proposal=proposal)
        approved.append(
            proposal_decide(actor=network_user, proposal=proposal, decision=State.APPROVED)
        )
    make_proposal(actor=network_user)  # a draft is not in the plan
    center = approved[0].center
    center_change_status(actor=None, center=center, status=Center.Status.APPROVED)
    center_change_status(actor=None, center=center, status=Center.Status.OPEN)
    plan = plan_for(approved[0].round)
    assert (plan.planned, plan.opened) == (3, 1)
    by_region = {row.region.code: row for row in plan.rows}
    assert by_region["RU-TVE"].cells[2] == (2, 1) and by_region["RU-PNZ"].cells[4] == (1, 0)
    assert plan.totals[2] == (2, 1) and plan.totals[4] == (1, 0)


def test_center_codes_follow_the_registrys_numbering(tver, make_center):
    assert next_center_code(tver) == "RU-TVE-0001"
    make_center(code="RU-TVE-0041")
    make_center(code="RU-TVE-RC2")
    assert next_center_code(tver) == "RU-TVE-0042"


def test_fields_of_a_proposal(make_proposal):
    assert proposal_fields()["planned_month"] == "2027-03"
    assert make_proposal().planned_month == datetime.date(2027, 3, 1)
