"""The rules of the resolutions' tasks, in the services: the fan-out to every regional center
(idempotent), the states on a frozen clock, closing by the responsible party only (anyone else
refused with nothing saved), the department's reopening, a save from a stale copy, bad input."""

import datetime

import pytest

from libranet.audit.models import AuditEntry
from libranet.meetings.models import Responsible, Task, TaskState
from libranet.meetings.selectors import decision_state, resolution_progress
from libranet.meetings.services import (
    MeetingError,
    decision_issue,
    decision_save,
    meeting_save,
    session_save,
    task_close,
    task_reopen,
)
from libranet.network.models import Center, Region
from libranet.network.services import ScopeError, center_create
from libranet.revisions import EditConflict

pytestmark = pytest.mark.django_db
D = datetime.date


def test_every_regional_center_fans_out_into_one_task_each(
    regional_centers, make_decision, network_user, institution
):
    decision = make_decision()
    assert decision_issue(actor=network_user, decision=decision) == 3
    assert sorted(t.center.code for t in decision.tasks.all()) == [
        "RU-BEL-RC",
        "RU-PNZ-RC",
        "RU-TVE-RC",
    ]  # the closed Bryansk center has none
    assert all(t.deadline == decision.deadline and not t.done for t in decision.tasks.all())
    # Issued again: nothing new; a regional center opened since gets its task.
    assert decision_issue(actor=network_user, decision=decision) == 0
    center_create(
        actor=None,
        code="RU-KLU-RC",
        kind=Center.Kind.REGIONAL,
        region=Region.objects.get(code="RU-KLU"),
        name_ru="РЦ в Калужской области",
        institution=institution,
        status=Center.Status.OPEN,
    )
    assert decision_issue(actor=network_user, decision=decision) == 1
    assert decision.tasks.count() == 4
    assert AuditEntry.objects.filter(action="decision.issue").count() == 3


def test_a_department_decision_makes_one_task(regional_centers, make_decision):
    decision = make_decision(responsible=Responsible.NETWORK_DEPARTMENT)
    assert decision_issue(actor=None, decision=decision) == 1
    assert decision_issue(actor=None, decision=decision) == 0
    task = decision.tasks.get()
    assert task.center is None and task.department == Responsible.NETWORK_DEPARTMENT


def test_only_the_department_issues(regional_centers, make_decision, head_tver):
    decision = make_decision()
    with pytest.raises(ScopeError):
        decision_issue(actor=head_tver, decision=decision)
    assert not Task.objects.exists()


def test_states_on_the_clock(regional_centers, make_decision, head_tver, time_machine, today):
    decision = make_decision(deadline=today)
    decision_issue(actor=None, decision=decision)
    tver = decision.tasks.get(center__code="RU-TVE-RC")
    assert tver.state_on(today) == TaskState.OPEN  # due today: not late yet
    assert decision_state(list(decision.tasks.all()), today) == TaskState.OPEN
    tomorrow = today + datetime.timedelta(days=1)
    assert tver.state_on(tomorrow) == TaskState.LATE
    assert decision_state(list(decision.tasks.all()), tomorrow) == TaskState.LATE
    task_close(actor=head_tver, task=tver, report="Отправлено письмом 19.11")
    tver.refresh_from_db()
    assert tver.state_on(tomorrow) == TaskState.DONE
    assert tver.done_by == head_tver and tver.done_at is not None
    rows = resolution_progress(decision.resolution, tomorrow)
    assert (rows[0].progress.done, rows[0].progress.late, rows[0].state) == (1, 2, "late")
    for task in decision.tasks.filter(done=False):
        task_close(actor=None, task=task, report="done")
    assert decision_state(list(decision.tasks.all()), tomorrow) == TaskState.DONE


@pytest.mark.parametrize("who", ["head_tver", "operator_user"])
def test_the_regional_centers_party_closes_its_task(request, who, regional_centers, make_decision):
    decision = make_decision()
    decision_issue(actor=None, decision=decision)
    task = decision.tasks.get(center__code="RU-TVE-RC")
    closed = task_close(
        actor=request.getfixturevalue(who),
        task=task,
        report="Сведения направлены",
        link="https://tver.example/report",
    )
    assert closed.done and closed.revision == 2
    entry = AuditEntry.objects.get(action="task.close")
    assert entry.changes["link"] == "https://tver.example/report"


@pytest.mark.parametrize(
    "who", ["head_penza", "network_user", "admin_user", "international_user", "reader_user"]
)
def test_anyone_outside_the_party_is_refused_and_nothing_saved(
    request, who, regional_centers, make_decision, operator_user
):
    decision = make_decision()
    decision_issue(actor=None, decision=decision)
    task = decision.tasks.get(center__code="RU-TVE-RC")
    with pytest.raises(ScopeError) as refused:
        task_close(actor=request.getfixturevalue(who), task=task, report="x")
    assert refused.value.message_dict["task"] == [
        f"Only its responsible party ({task.center}) may close this task."
    ]
    task.refresh_from_db()
    assert not task.done and task.report == "" and task.revision == 1
    assert not AuditEntry.objects.filter(action="task.close").exists()


def test_a_department_task_is_closed_by_the_department_only(
    regional_centers, make_decision, network_user, head_tver, international_user
):
    decision = make_decision(responsible=Responsible.NETWORK_DEPARTMENT)
    decision_issue(actor=None, decision=decision)
    task = decision.tasks.get()
    for outsider in (head_tver, international_user):
        with pytest.raises(ScopeError):
            task_close(actor=outsider, task=task, report="x")
    assert task_close(actor=network_user, task=task, report="Рассылка организована").done


def test_the_report_is_required_and_named(regional_centers, make_decision, head_tver):
    decision = make_decision()
    decision_issue(actor=None, decision=decision)
    task = decision.tasks.get(center__code="RU-TVE-RC")
    with pytest.raises(MeetingError) as refused:
        task_close(actor=head_tver, task=task, report="   ")
    assert "report" in refused.value.message_dict
    with pytest.raises(MeetingError) as refused:
        task_close(actor=head_tver, task=task, report="ok", link="not a link")
    assert "link" in refused.value.message_dict
    task.refresh_from_db()
    assert not task.done and task.revision == 1


def test_the_department_reopens_and_a_stale_copy_is_refused(
    regional_centers, make_decision, head_tver, network_user
):
    decision = make_decision()
    decision_issue(actor=None, decision=decision)
    task = decision.tasks.get(center__code="RU-TVE-RC")
    shown = task.revision
    task_close(actor=head_tver, task=task, report="first", revision=shown)
    with pytest.raises(ScopeError):
        task_reopen(actor=head_tver, task=task)
    task = task_reopen(actor=network_user, task=task, revision=2)
    assert not task.done and task.report == "first"
    # A second head's page, opened before all this, saves from revision 1: told, shown.
    with pytest.raises(EditConflict) as conflict:
        task_close(actor=head_tver, task=task, report="second", revision=shown)
    assert {d.field for d in conflict.value.differences} == {"report"}
    task.refresh_from_db()
    assert task.report == "first" and not task.done


def test_an_issued_decision_keeps_its_party_and_moves_its_deadline(regional_centers, make_decision):
    decision = make_decision(deadline=D(2020, 12, 1))
    decision_issue(actor=None, decision=decision)
    with pytest.raises(MeetingError) as refused:
        decision_save(
            actor=None,
            resolution=decision.resolution,
            decision=decision,
            responsible=Responsible.IT,
        )
    assert "responsible" in refused.value.message_dict
    decision_save(
        actor=None, resolution=decision.resolution, decision=decision, deadline=D(2020, 12, 15)
    )
    assert set(decision.tasks.values_list("deadline", flat=True)) == {D(2020, 12, 15)}


def test_a_meeting_cannot_end_before_it_starts(meeting, network_user, head_tver):
    with pytest.raises(MeetingError) as refused:
        meeting_save(actor=network_user, meeting=meeting, ends_on=D(2020, 10, 1))
    assert refused.value.message_dict
    meeting.refresh_from_db()
    assert meeting.ends_on == D(2020, 10, 22)
    with pytest.raises(ScopeError):
        meeting_save(actor=head_tver, meeting=meeting, city_en="Tver")
    with pytest.raises(MeetingError) as refused:
        session_save(
            actor=None, meeting=meeting, title_ru="Пленарная", date=D(2021, 1, 1), talks=[]
        )
    assert "date" in refused.value.message_dict


def test_a_meeting_from_a_stale_copy_is_refused(meeting, network_user):
    meeting_save(actor=network_user, meeting=meeting, revision=1, city_en="Penza city")
    with pytest.raises(EditConflict) as conflict:
        meeting_save(actor=network_user, meeting=meeting, revision=1, city_en="Penza!")
    assert [d.field for d in conflict.value.differences] == ["city_en"]
