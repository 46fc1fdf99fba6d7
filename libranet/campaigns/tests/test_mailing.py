"""Reminders and the results, through the outbox and the suite's real SMTP server."""

import datetime
import io

import pytest
from django.core.management import call_command

from libranet.audit.models import AuditEntry
from libranet.campaigns.mailing import campaign_results_send
from libranet.campaigns.services import response_save
from libranet.campaigns.tasks import send_campaign_reminders
from libranet.mail.models import OutgoingMail
from libranet.network.models import StaffRole

from .conftest import full_answers

pytestmark = pytest.mark.django_db


def at(clock, day):
    clock.move_to(
        datetime.datetime.combine(day, datetime.time(7, 0), tzinfo=datetime.UTC), tick=False
    )


def remind(capture, day):
    out = io.StringIO()
    with capture(execute=True):
        call_command(
            "send_campaign_reminders", "--today", day.isoformat(), stdout=out, stderr=io.StringIO()
        )
    return out.getvalue().strip()


@pytest.fixture
def people(make_staff, centers, operator_tver_lib):
    head = make_staff(
        "head.tver.mail", StaffRole.Role.REGIONAL_HEAD, region=centers["tver_rc"].region
    )
    head.email, head.preferred_language = "head@tver.example", "ru"
    head.save()
    return {"operator": operator_tver_lib, "head": head}


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def test_reminders_before_the_deadline_once_each_to_those_not_submitted(
    campaign, centers, people, clock, smtp_server, django_capture_on_commit_callbacks
):
    # Penza's center submitted; Tver's has an operator; the regional centers have no address.
    response_save(
        actor=None,
        campaign=campaign,
        center=centers["penza_lib"],
        answers=full_answers(campaign),
        revision=None,
        submit=True,
    )
    assert remind(django_capture_on_commit_callbacks, datetime.date(2026, 3, 12)) == (
        "Campaign reminders: 0 messages queued now, 0 already in the outbox."
    )
    at(clock, datetime.date(2026, 3, 13))  # 7 days before
    assert remind(django_capture_on_commit_callbacks, datetime.date(2026, 3, 13)) == (
        "Campaign reminders: 1 messages queued now, 0 already in the outbox."
    )
    assert [m["To"] for m in smtp_server.messages] == ["operator@tver.example"]
    body = text_of(smtp_server.messages[0])
    assert "Осталось 7 дней" in body and "RU-TVE-LIB" in body
    assert "/en/office/campaigns/" in body or "/ru/office/campaigns/" in body
    # Twice the same day, or a day later: nothing new (the 7-day reminder is sent).
    remind(django_capture_on_commit_callbacks, datetime.date(2026, 3, 13))
    remind(django_capture_on_commit_callbacks, datetime.date(2026, 3, 15))
    assert len(smtp_server.messages) == 1
    # The day before: the last reminder; the job on the schedule does the same.
    with django_capture_on_commit_callbacks(execute=True):
        result = send_campaign_reminders.call(today="2026-03-19")
    assert result == {"queued": 1, "already": 0}
    assert len(smtp_server.messages) == 2 and "Остался 1 день" in text_of(smtp_server.messages[1])


def test_after_the_deadline_the_late_and_their_heads_once(
    campaign, centers, people, clock, smtp_server, django_capture_on_commit_callbacks
):
    at(clock, datetime.date(2026, 3, 21))
    remind(django_capture_on_commit_callbacks, datetime.date(2026, 3, 21))
    recipients = sorted(m["To"] for m in smtp_server.messages)
    # Tver's center (its operator and the head); Penza's center (its own address).
    assert recipients == [
        "head@tver.example",
        "head@tver.example",
        "lib@penza.example",
        "operator@tver.example",
    ]
    head_message = next(m for m in smtp_server.messages if m["To"] == "head@tver.example")
    assert "срок мониторинга" in head_message["Subject"]  # in the head's language
    remind(django_capture_on_commit_callbacks, datetime.date(2026, 3, 22))
    assert len(smtp_server.messages) == 4
    assert OutgoingMail.objects.filter(template="campaign_late").count() == 4


def test_the_results_go_to_each_regional_center_once(
    campaign, centers, people, network_user, smtp_server, django_capture_on_commit_callbacks
):
    centers["penza_rc"].email = "rc@penza.example"
    centers["penza_rc"].save()
    response_save(
        actor=None,
        campaign=campaign,
        center=centers["tver_lib"],
        answers=full_answers(campaign),
        revision=None,
        submit=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = campaign_results_send(actor=network_user, campaign=campaign)
    assert (outcome.queued, outcome.already) == (2, 0)
    by_recipient = {m["To"]: text_of(m) for m in smtp_server.messages}
    assert set(by_recipient) == {"head@tver.example", "rc@penza.example"}
    tver = by_recipient["head@tver.example"]
    assert "1 из 5" in tver and "1 из 2" in tver  # the network, then the region (in Russian)
    assert "Количество мероприятий" in tver and "12" in tver
    campaign.refresh_from_db()
    sent_at = campaign.results_sent_at
    assert sent_at is not None
    assert AuditEntry.objects.filter(action="campaign.results_send").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        again = campaign_results_send(actor=network_user, campaign=campaign)
    assert (again.queued, again.already) == (0, 2) and len(smtp_server.messages) == 2
    campaign.refresh_from_db()
    assert campaign.results_sent_at == sent_at


def test_the_results_command(campaign, centers, people, django_capture_on_commit_callbacks):
    out = io.StringIO()
    call_command("send_campaign_results", str(campaign.pk), stdout=out, stderr=io.StringIO())
    assert (
        out.getvalue().strip()
        == f"Results of campaign {campaign.pk}: 1 messages queued now, 0 already in the outbox."
    )
