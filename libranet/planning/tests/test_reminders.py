"""Reminders before a round's deadline, through the outbox to the suite's real SMTP server: the
heads of regions with no submitted proposal, once per reminder; and each decision mailed to
the region's heads."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from libranet.mail.models import OutgoingMail
from libranet.planning.models import Proposal
from libranet.planning.services import proposal_decide, proposal_submit
from libranet.planning.tasks import planning_reminders

pytestmark = pytest.mark.django_db
SITE = "https://network.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.LIBRANET_SITE_URL = SITE
    settings.LIBRANET_PLANNING_REMINDER_DAYS = [14, 7, 1]


def run(capture, *args):
    out = io.StringIO()
    with capture(execute=True):
        call_command("send_planning_reminders", *args, stdout=out)
    return out.getvalue()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def test_heads_of_regions_without_a_submitted_proposal_are_reminded_once(
    smtp_server,
    django_capture_on_commit_callbacks,
    head_tver,
    head_penza,
    make_proposal,
    round_2027,
):
    make_proposal(actor=head_tver)  # a draft: Tver is still reminded
    penza = make_proposal(actor=head_penza, region=head_penza.staff_roles.get().region)
    proposal_submit(actor=head_penza, proposal=penza)
    # 10 November: 21 days before the deadline, no reminder is due yet.
    assert "0 messages" in run(django_capture_on_commit_callbacks)
    assert "1 messages" in run(django_capture_on_commit_callbacks, "--today", "2026-11-17")
    assert [m["To"] for m in smtp_server.messages] == ["head@tver.example"]
    text = text_of(smtp_server.messages[0])
    assert "2027" in text and "1 декабря 2026" in text and "14 дней" in text
    assert "1 черновик" in text
    assert f"{SITE}/ru/office/planning/{round_2027.pk}/" in text
    # Run twice (or the next day, inside the same reminder): nothing more.
    assert "0 messages" in run(django_capture_on_commit_callbacks, "--today", "2026-11-18")
    # The 7-day reminder, missed on its day, is caught up the day after.
    assert "1 messages" in run(django_capture_on_commit_callbacks, "--today", "2026-11-25")
    assert len(smtp_server.messages) == 2
    # After the deadline: nothing.
    assert "0 messages" in run(django_capture_on_commit_callbacks, "--today", "2026-12-02")
    assert OutgoingMail.objects.filter(template="planning_reminder", state="sent").count() == 2


def test_the_task_and_the_schedule_entry(head_tver, round_2027, django_capture_on_commit_callbacks):
    assert (
        "planning-reminders",
        "0 9 * * *",
        "libranet.planning.tasks.planning_reminders",
        {},
    ) in (settings.LIBRANET_SCHEDULE)
    with django_capture_on_commit_callbacks(execute=False):
        assert planning_reminders.enqueue(today="2026-11-30").return_value == {"queued": 1}


def test_a_wrong_day_is_refused():
    with pytest.raises(CommandError, match="--today"):
        call_command("send_planning_reminders", "--today", "30.11.2026")


def test_each_decision_reaches_the_head_over_smtp(
    smtp_server, django_capture_on_commit_callbacks, head_tver, network_user, make_proposal
):
    proposal = proposal_submit(actor=head_tver, proposal=make_proposal(actor=head_tver))
    with django_capture_on_commit_callbacks(execute=True):
        proposal_decide(
            actor=network_user, proposal=proposal, decision="returned", comment="Нужен план зала"
        )
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_submit(actor=head_tver, proposal=Proposal.objects.get())
    with django_capture_on_commit_callbacks(execute=True):
        proposal_decide(actor=network_user, proposal=proposal, decision="approved")
    subjects = [m["Subject"] for m in smtp_server.messages]
    assert len(subjects) == 2 and all("План открытий 2027" in s or "2027" in s for s in subjects)
    returned, approved = (text_of(m) for m in smtp_server.messages)
    assert "Нужен план зала" in returned
    assert Proposal.objects.get().center.code in approved
    assert datetime.date(2026, 12, 1) > datetime.date(2026, 11, 10)
