"""The 2020 resolution can be run from start to finish: seeded (its four priorities and nine
decisions, issued to their parties), then each decision's every task closed by its owner with
an outcome, until every decision is done. And the demo of both meetings seeds."""

import datetime

import pytest
from django.utils import translation

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


def test_each_2020_decision_done_in_libranet_links_to_its_workflow(
    regional_centers, head_penza, network_user, today, client
):
    """Decisions 1, 2, 3, 5, 6 and 7 are Libranet's own workflows: the resolution's page and
    their tasks' pages lead there; 4, 8 and 9 are done outside and say nothing of it."""
    seed_meetings(today=today)
    resolution = Meeting.objects.get(slug="2020-penza").resolution
    with translation.override("ru"):
        pages = {d.number: d.workflow_url for d in resolution.decisions.all()}
    assert pages == {
        1: "/ru/office/mailings/",
        2: "/ru/office/meetings/",
        3: "/ru/office/campaigns/",
        4: "",
        5: "/ru/office/planning/",
        6: "/ru/office/planning/",
        7: "/ru/office/agreements/rounds/",
        8: "",
        9: "",
    }
    client.force_login(network_user)
    page = client.get(f"/ru/office/meetings/{resolution.meeting_id}/resolution/").content.decode()
    assert 'href="/ru/office/campaigns/">Кампании мониторинга' in page
    # A regional center's task of decision 5 leads its head to the opening plan.
    task = Task.objects.get(
        decision__resolution=resolution, decision__number=5, center__code="RU-PNZ-RC"
    )
    client.force_login(head_penza)
    page = client.get(f"/ru/office/meetings/tasks/{task.pk}/").content.decode()
    assert 'href="/ru/office/planning/">План открытий' in page
