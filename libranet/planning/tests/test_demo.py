"""The demo: next year's round open with proposals of Tver and Penza in several states, this
year's closed with approved proposals, some opened."""

import datetime

import pytest

from libranet.network.models import Center
from libranet.planning.demo import next_deadline, seed_planning
from libranet.planning.models import PlanningRound, Proposal
from libranet.planning.selectors import plan_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("today", ["2026-06-15", "2026-12-07"])
def test_the_demo_rounds(
    time_machine, today, tver_rc, penza_rc, head_tver, head_penza, network_user
):
    time_machine.move_to(datetime.datetime.fromisoformat(f"{today}T09:00:00+00:00"), tick=False)
    assert seed_planning() == {"2026": 5, "2027": 7}
    open_round = PlanningRound.objects.get(year=2027)
    assert open_round.is_open and open_round.deadline == next_deadline(
        datetime.date.fromisoformat(today)
    )
    states = set(open_round.proposals.values_list("state", flat=True))
    assert states == {"draft", "submitted", "returned", "approved", "rejected"}
    assert set(open_round.proposals.values_list("region__code", flat=True)) == {"RU-TVE", "RU-PNZ"}
    assert Proposal.objects.filter(proposed_by__username="head.tver").exists()
    closed = PlanningRound.objects.get(year=2026)
    assert not closed.is_open
    plan = plan_for(closed)
    assert plan.planned == 5 and plan.opened >= 1
    assert Center.objects.filter(opening_proposal__round=closed, status="planned").exists()


def test_the_deadline_is_three_weeks_ahead_once_december_1st_has_passed():
    assert next_deadline(datetime.date(2026, 11, 5)) == datetime.date(2026, 12, 1)
    assert next_deadline(datetime.date(2026, 12, 7)) == datetime.date(2026, 12, 28)
