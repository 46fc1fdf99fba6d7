"""The 2020 resolution can be run from start to finish: seeded (its four priorities and nine
decisions, issued to their parties), then each decision's every task closed by its owner with
an outcome, until every decision is done. And the demo of both meetings seeds."""

import datetime

import pytest

from libranet.meetings.demo import seed_meetings
from libranet.meetings.models import Meeting, Responsible, Task, TaskState
from libranet.meetings.selectors import resolution_progress
from libranet.meetings.services import task_close
from libranet.network.models import Center, StaffRole

pytestmark = pytest.mark.django_db
Role = StaffRole.Role


def test_the_2020_resolution_from_start_to_finish(
    regional_centers, make_staff, network_user, today
):
    seeded = seed_meetings(today=today)
    assert seeded.meetings == 2
    penza = Meeting.objects.get(slug="2020-penza")
    resolution = penza.resolution
    assert resolution.priorities.count() == 4
    rows = resolution_progress(resolution, today)
    assert [row.decision.number for row in rows] == list(range(1, 10))
    by_number = {row.decision.number: row for row in rows}
    assert by_number[4].decision.deadline == datetime.date(2020, 12, 1)
    assert by_number[5].decision.deadline == datetime.date(2020, 12, 1)
    for number in (4, 5, 7, 8):  # every regional center: one task each (the open ones)
        assert by_number[number].progress.total == 3
    assert by_number[9].decision.responsible == Responsible.IT
    assert by_number[4].state == TaskState.LATE  # the demo leaves some late
    # A head for each regional center's region.
    heads = {
        center.pk: make_staff(f"head.{center.code}", Role.REGIONAL_HEAD, region=center.region)
        for center in Center.objects.filter(kind=Center.Kind.REGIONAL)
    }
    for task in Task.objects.filter(done=False).select_related("center"):
        owner = heads[task.center_id] if task.center_id else network_user
        task_close(actor=owner, task=task, report=f"Исполнено: {task.decision.number}")
    rows = resolution_progress(resolution, today)
    assert [row.state for row in rows] == [TaskState.DONE] * 9
    assert all(t.done_at and t.report for row in rows for t in row.tasks)


def test_the_demo_publishes_the_tyumen_programme(regional_centers, today, client):
    seed_meetings(today=today)
    tyumen = Meeting.objects.get(slug="2023-tyumen")
    assert tyumen.published and tyumen.participants_in_hall == 58
    assert tyumen.sessions.count() == 2
    text = client.get("/en/meetings/2023-tyumen/").content.decode()
    assert "Interdepartmental partnership as a priority" in text
    penza = client.get("/ru/meetings/2020-penza/").content.decode()
    assert penza.count("<li><strong>") == 17  # 17 talks in 3 sessions
