"""Reminders of the resolutions' tasks, through the outbox to the suite's real SMTP server: a
week and a day before the deadline and once when late, to the regional center's heads (or its
own address), the department for its tasks; running twice sends nothing more."""

import datetime
import io

import pytest
from django.core.management import call_command

from libranet.mail.models import OutgoingMail
from libranet.meetings.models import Responsible
from libranet.meetings.services import decision_issue, task_close, task_reminders_send
from libranet.meetings.tasks import send_task_reminders

pytestmark = pytest.mark.django_db
SITE = "https://network.example.org"


@pytest.fixture
def issued(regional_centers, make_decision, head_tver, network_user, settings, today):
    """Tver has a head (with an address), Belgorod only its own address, Penza nobody."""
    settings.LIBRANET_SITE_URL = SITE
    settings.LIBRANET_TASK_REMINDER_DAYS = [7, 1]
    head_tver.email = "head@tver.example"
    head_tver.save()
    network_user.email = "network@library.example"
    network_user.save()
    centers = make_decision(deadline=today + datetime.timedelta(days=7))
    department = make_decision(
        responsible=Responsible.NETWORK_DEPARTMENT, deadline=today + datetime.timedelta(days=1)
    )
    for decision in (centers, department):
        decision_issue(actor=None, decision=decision)
    return centers, department


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def test_a_week_before_a_day_before_and_late(
    issued, smtp_server, django_capture_on_commit_callbacks, today, time_machine, head_tver
):
    centers, department = issued
    with django_capture_on_commit_callbacks(execute=True):
        outcome = task_reminders_send()
    assert (outcome.before, outcome.late) == (3, 0)
    assert [t.center.code for t in outcome.without_address] == ["RU-PNZ-RC"]
    by_recipient = {m["To"]: m for m in smtp_server.messages}
    assert set(by_recipient) == {
        "head@tver.example",
        "rc@belgorod.example",
        "network@library.example",
    }
    tver = text_of(by_recipient["head@tver.example"])
    tver_task = centers.tasks.get(center__code="RU-TVE-RC")
    assert "27 ноября 2026" in tver and f"{SITE}/ru/office/meetings/tasks/{tver_task.pk}/" in tver
    assert "in 7 days" not in tver  # in Russian, the head's language
    # Twice the same day: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        again = task_reminders_send()
    assert (again.before, again.late) == (0, 0) and len(smtp_server.messages) == 3

    # Tver reports; six days on, the others hear that one day is left; the department's task
    # is late by then (its deadline was the day after the first run).
    task_close(actor=head_tver, task=tver_task, report="Отправлено")
    time_machine.move_to(datetime.datetime(2026, 11, 26, 6, 0, tzinfo=datetime.UTC), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = task_reminders_send()
    assert (outcome.before, outcome.late) == (1, 1)
    recipients = [m["To"] for m in smtp_server.messages[3:]]
    assert sorted(recipients) == ["network@library.example", "rc@belgorod.example"]
    late = next(m for m in smtp_server.messages[3:] if m["To"] == "network@library.example")
    assert "late" in late["Subject"] or "просрочен" in late["Subject"]
    assert OutgoingMail.objects.filter(state="sent").count() == 5


def test_the_command_and_the_scheduled_task_run_the_same(
    issued, django_capture_on_commit_callbacks, settings
):
    out = io.StringIO()
    call_command("send_task_reminders", "--today", "2026-11-20", stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == (
        "Task reminders: 3 before the deadline and 0 for late tasks queued now."
    )
    result = send_task_reminders.call(today="2026-12-01")
    assert result == {"before": 0, "late": 3}
    assert "libranet.meetings.tasks.send_task_reminders" in {
        job[2] for job in settings.LIBRANET_SCHEDULE
    }
