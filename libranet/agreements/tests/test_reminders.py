"""The daily job: prolongation, then reminders of agreements ending in 90 and 30 days and of
renewals past their round's deadline, through the outbox to the suite's real SMTP server."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from libranet.agreements import services
from libranet.agreements.models import Prolongation
from libranet.agreements.reminders import agreement_reminders_send, reminder_mark
from libranet.agreements.tasks import agreements_daily
from libranet.mail.models import OutgoingMail
from libranet.network.models import Region, StaffRole

from .conftest import TODAY, day

pytestmark = pytest.mark.django_db
Role = StaffRole.Role


@pytest.fixture
def people(make_staff):
    def person(username, role, email, **scope):
        user = make_staff(username, role, **scope)
        user.email = email
        user.save()
        return user

    return {
        "network": person("network", Role.NETWORK_DEPARTMENT, "network@library.example"),
        "international": person("intl", Role.INTERNATIONAL, "intl@library.example"),
        "head_tver": person(
            "head.tver",
            Role.REGIONAL_HEAD,
            "head@tver.example",
            region=Region.objects.get(code="RU-TVE"),
        ),
        "head_penza": person(
            "head.penza",
            Role.REGIONAL_HEAD,
            "head@penza.example",
            region=Region.objects.get(code="RU-PNZ"),
        ),
    }


def run(capture, *args):
    out = io.StringIO()
    with capture(execute=True):
        call_command("send_agreement_reminders", *args, stdout=out)
    return out.getvalue()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_marks():
    assert [reminder_mark(d) for d in (120, 91, 90, 31, 30, 0)] == [None, None, 90, 90, 30, 30]


def test_expiring_reminders_at_90_and_30_days_to_whom_they_concern(
    make_agreement, people, smtp_server, django_capture_on_commit_callbacks, time_machine
):
    make_agreement("tver_rc", number="1/RC", ends=90)
    make_agreement("penza_rc", number="3/PNZ", ends=30)
    make_agreement("foreign", number="4/MN", ends=10)
    make_agreement("tver_remote", number="2/TVE", ends=91)  # not yet
    out = run(django_capture_on_commit_callbacks)
    assert "3 expiring named" in out and "4 messages queued" in out
    by_recipient = {m["To"]: text_of(m) for m in smtp_server.messages}
    assert set(by_recipient) == {
        "network@library.example",
        "intl@library.example",
        "head@tver.example",
        "head@penza.example",
    }
    network = by_recipient["network@library.example"]
    assert "№ 1/RC" in network and "№ 3/PNZ" in network and "№ 4/MN" in network
    assert "№ 2/TVE" not in network
    assert "№ 1/RC" in by_recipient["head@tver.example"]
    assert "№ 3/PNZ" not in by_recipient["head@tver.example"]
    assert "№ 4/MN" in by_recipient["intl@library.example"]
    assert "/ru/office/agreements/" in network

    # Twice the same day: nothing more. The next day, 2/TVE reaches 90 days.
    assert "0 messages queued" in run(django_capture_on_commit_callbacks)
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False)
    run(django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 6  # the department and the Tver head
    assert "№ 2/TVE" in text_of(smtp_server.messages[-1])
    # 1/RC reaches 30 days: named again.
    time_machine.move_to(datetime.datetime(2026, 4, 30, 9, tzinfo=datetime.UTC), tick=False)
    outcome = agreement_reminders_send()
    assert outcome.expiring == 1


def test_prolonged_agreement_is_not_left_expired(
    make_agreement, people, django_capture_on_commit_callbacks
):
    agreement = make_agreement("tver_rc", ends=-1, prolongation=Prolongation.YEARLY)
    out = run(django_capture_on_commit_callbacks)
    assert out.startswith("Agreements: 1 prolonged")
    agreement.refresh_from_db()
    assert agreement.ends_on > TODAY


def test_renewals_past_the_deadline_are_reminded_weekly(
    make_agreement, people, smtp_server, django_capture_on_commit_callbacks, time_machine
):
    make_agreement("tver_rc", number="1/RC", ends=200)
    make_agreement("penza_rc", number="3/PNZ", ends=200)
    round_ = services.renewal_round_create(
        actor=None,
        title="Round 2026",
        year=2026,
        deadline=day(5),
        region=None,
        expiring_before=day(300),
    )
    tver = round_.renewals.get(agreement__number="1/RC")
    services.renewal_advance(actor=None, renewal=tver, step="sent")
    assert agreement_reminders_send().overdue == 0  # not past the deadline yet
    time_machine.move_to(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC), tick=False)
    out = run(django_capture_on_commit_callbacks)
    assert "2 renewals past their deadline" in out
    by_recipient = {m["To"]: text_of(m) for m in smtp_server.messages}
    # The Tver head's step (the partner's signature) is waiting; Penza's renewal is not sent
    # yet, which is the department's step: its head is not reminded.
    assert set(by_recipient) == {"network@library.example", "head@tver.example"}
    assert "Round 2026" in by_recipient["head@tver.example"]
    time_machine.move_to(datetime.datetime(2026, 3, 11, 9, tzinfo=datetime.UTC), tick=False)
    assert "0 messages queued" in run(django_capture_on_commit_callbacks)  # the same week


def test_task_and_command_arguments(people, make_agreement):
    make_agreement("tver_rc", ends=90)
    result = agreements_daily.call(today=TODAY.isoformat())
    assert result["expiring"] == 1
    with pytest.raises(CommandError):
        call_command("send_agreement_reminders", "--today", "yesterday")
    assert OutgoingMail.objects.filter(template="agreements_expiring").count() == 2
