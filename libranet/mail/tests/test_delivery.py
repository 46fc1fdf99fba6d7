"""Delivery by the task queue's worker against a real SMTP server on the loopback: refused
messages are retried with back-off until delivered, each exactly once; a claimed message is
never sent by two senders; a sender that dies between the server's acceptance and the outbox's
record loses nothing (the message goes again, under the same Message-ID)."""

import datetime
import socket
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import QuerySet
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from libranet.audit.models import AuditEntry
from libranet.mail import services
from libranet.mail.models import OutgoingMail
from libranet.mail.services import (
    MailError,
    mail_claim,
    mail_deliver,
    mail_resend,
    mail_send,
    retry_delay,
)
from libranet.mail.tasks import mail_send_due

pytestmark = pytest.mark.django_db
State = OutgoingMail.State
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class Staff:
    def get_username(self):
        return "head.tver"


def send(to="head@example.org", **kwargs):
    return mail_send(
        to=to,
        template="password_reset",
        context={"user": Staff(), "link": "https://libranet.example/ru/reset/abc/", "hours": 2},
        language="ru",
        **kwargs,
    )


def send_committed(capture, *recipients, **kwargs):
    with capture(execute=True):
        return [send(to=to, **kwargs) for to in recipients]


def received(smtp_server) -> Counter:
    return Counter(message["Message-ID"] for message in smtp_server.messages)


def states(mails) -> list[tuple[str, int]]:
    query = OutgoingMail.objects.filter(pk__in=[m.pk for m in mails]).order_by("pk")
    return list(query.values_list("state", "attempts"))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_backoff_doubles_up_to_its_maximum(settings):
    settings.LIBRANET_MAIL_RETRY_SECONDS = 60
    settings.LIBRANET_MAIL_RETRY_MAX_SECONDS = 300
    assert [retry_delay(n).total_seconds() for n in range(1, 6)] == [60, 120, 240, 300, 300]


def test_refused_mail_is_retried_by_the_worker_until_delivered_once_each(
    smtp_server, django_capture_on_commit_callbacks, run_worker, time_machine, settings
):
    """The whole path `make run` takes: the commit queues a task in the database, the worker
    sends; the server refuses twice per message (451), the worker's deferred tasks try again
    after 1, then 2 minutes; every message arrives exactly once."""
    time_machine.move_to(timezone.now(), tick=False)
    settings.TASKS = DATABASE_TASKS
    smtp_server.refusals = 6
    recipients = ["a@example.org", "b@example.org", "c@example.org"]
    mails = send_committed(django_capture_on_commit_callbacks, *recipients)
    assert DBTaskResult.objects.filter(status="READY").count() == 3
    assert smtp_server.messages == []  # the request sent nothing: the worker does

    run_worker()
    assert states(mails) == [(State.FAILED, 1)] * 3
    first = OutgoingMail.objects.get(pk=mails[0].pk)
    assert "451" in first.last_error and "Busy" in first.last_error
    assert first.next_attempt_at == timezone.now() + datetime.timedelta(minutes=1)
    # Each failure queued its retry, deferred: nothing runs before it is due.
    deferred = DBTaskResult.objects.filter(status="READY")
    assert deferred.count() == 3 and all(t.run_after > timezone.now() for t in deferred)
    run_worker()
    assert smtp_server.messages == [] and states(mails) == [(State.FAILED, 1)] * 3

    time_machine.shift(datetime.timedelta(seconds=61))
    run_worker()  # refused again: the pause doubles
    assert states(mails) == [(State.FAILED, 2)] * 3
    first.refresh_from_db()
    assert first.next_attempt_at == timezone.now() + datetime.timedelta(minutes=2)

    time_machine.shift(datetime.timedelta(seconds=61))
    run_worker()
    assert smtp_server.messages == []  # not due yet
    time_machine.shift(datetime.timedelta(seconds=60))
    run_worker()
    assert states(mails) == [(State.SENT, 3)] * 3
    assert sorted(m["To"] for m in smtp_server.messages) == recipients
    ids = received(smtp_server)
    assert set(ids) == {m.message_id for m in OutgoingMail.objects.all()}
    assert set(ids.values()) == {1}

    # Nothing left for the worker nor for the sweep.
    time_machine.shift(datetime.timedelta(hours=1))
    run_worker()
    mail_send_due.enqueue()
    run_worker()
    assert len(smtp_server.messages) == 3


def test_a_mail_server_that_is_down_then_up(
    smtp_server, django_capture_on_commit_callbacks, time_machine
):
    """Connection refused (the server is down): kept, then sent by the worker's sweep once due
    and the server is back (tests run tasks at once, and the sweep is what retries them)."""
    time_machine.move_to(timezone.now(), tick=False)
    with override_settings(EMAIL_PORT=_closed_port()):
        [mail] = send_committed(django_capture_on_commit_callbacks, "head@example.org")
        mail.refresh_from_db()
        assert (mail.state, mail.attempts) == (State.FAILED, 1)
        assert "ConnectionRefusedError" in mail.last_error
    assert mail_send_due.enqueue().return_value == {"sent": 0, "failed": 0}  # not due yet
    time_machine.shift(datetime.timedelta(minutes=1))
    assert mail_send_due.enqueue().return_value == {"sent": 1, "failed": 0}
    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.last_error) == (State.SENT, 2, "")
    assert received(smtp_server) == {mail.message_id: 1}


def test_attempts_run_out_then_staff_resend(
    smtp_server, django_capture_on_commit_callbacks, time_machine, settings, network_user
):
    time_machine.move_to(timezone.now(), tick=False)
    settings.LIBRANET_MAIL_MAX_ATTEMPTS = 2
    smtp_server.refusals = 5
    [mail] = send_committed(django_capture_on_commit_callbacks, "head@example.org")
    time_machine.shift(datetime.timedelta(minutes=1))
    mail_send_due.enqueue()
    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.next_attempt_at) == (State.FAILED, 2, None)
    # Given up: neither the sweep nor the hand command tries it again.
    time_machine.shift(datetime.timedelta(days=1))
    mail_send_due.enqueue()
    call_command("send_pending_mail")
    assert smtp_server.messages == [] and smtp_server.refusals == 3

    smtp_server.refusals = 0
    with django_capture_on_commit_callbacks(execute=True):
        mail_resend(actor=network_user, mail=mail)
    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == (State.SENT, 1)
    assert received(smtp_server) == {mail.message_id: 1}
    entry = AuditEntry.objects.get(action="mail.resend")
    assert entry.actor == network_user and entry.object_id == str(mail.pk)
    assert entry.changes == {"state": ["failed", "pending"], "attempts": [2, 0]}


def test_resending_a_sent_message_gives_it_a_new_message_id(
    smtp_server, django_capture_on_commit_callbacks, network_user
):
    [mail] = send_committed(django_capture_on_commit_callbacks, "head@example.org")
    first_id = OutgoingMail.objects.get(pk=mail.pk).message_id
    with django_capture_on_commit_callbacks(execute=True):
        mail_resend(actor=network_user, mail=mail)
    mail.refresh_from_db()
    assert mail.state == State.SENT and mail.message_id != first_id
    assert received(smtp_server) == {first_id: 1, mail.message_id: 1}


@pytest.mark.parametrize("state", [State.PENDING, State.SENDING])
def test_a_message_on_its_way_is_not_resent(network_user, state):
    mail = send()
    OutgoingMail.objects.filter(pk=mail.pk).update(state=state)
    with pytest.raises(MailError, match="already waiting"):
        mail_resend(actor=network_user, mail=mail)
    assert not AuditEntry.objects.filter(action="mail.resend").exists()


def test_a_sent_secret_is_not_resent(smtp_server, django_capture_on_commit_callbacks, admin_user):
    [mail] = send_committed(django_capture_on_commit_callbacks, "head@example.org", secret=True)
    with pytest.raises(MailError, match="sign-in link"):
        mail_resend(actor=admin_user, mail=mail)


def test_a_claimed_message_is_sent_by_one_sender_only(smtp_server):
    mail = send()  # not committed: no task ran
    claimed = mail_claim(mail_id=mail.pk)
    assert claimed is not None and claimed.state == State.SENDING and claimed.attempts == 1
    # A second worker (a duplicate task, the sweep, the hand command) finds it taken.
    assert mail_claim(mail_id=mail.pk) is None
    assert mail_deliver(mail_id=mail.pk) is None
    call_command("send_pending_mail", "--min-age", "0")
    assert smtp_server.messages == []


class Crash(BaseException):
    """The sender's process dies (killed, out of memory): nothing of it runs any more."""


def test_a_crash_between_sending_and_recording_loses_nothing(
    smtp_server, django_capture_on_commit_callbacks, time_machine, settings, monkeypatch
):
    time_machine.move_to(timezone.now(), tick=False)
    settings.LIBRANET_MAIL_CLAIM_TIMEOUT_SECONDS = 600

    def die(mail):
        raise Crash

    monkeypatch.setattr(services, "_record_sent", die)
    [mail] = send_committed(django_capture_on_commit_callbacks, "head@example.org")
    monkeypatch.undo()
    [message] = smtp_server.messages  # the server has it ...
    mail.refresh_from_db()
    assert mail.state == State.SENDING  # ... the outbox does not know
    # While the claim may still be a live sender's, nobody takes it.
    time_machine.shift(datetime.timedelta(seconds=599))
    mail_send_due.enqueue()
    call_command("send_pending_mail")
    assert len(smtp_server.messages) == 1

    time_machine.shift(datetime.timedelta(seconds=2))
    assert mail_send_due.enqueue().return_value == {"sent": 1, "failed": 0}
    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.claimed_at) == (State.SENT, 2, None)
    first, again = smtp_server.messages
    assert first["Message-ID"] == again["Message-ID"] == mail.message_id
    assert mail.message_id.startswith("<") and f".libranet.{mail.pk}@localhost>" in mail.message_id


def test_a_slow_sender_that_lost_its_claim_does_not_undo_the_new_senders_work(smtp_server):
    mail = send()
    stale = mail_claim(mail_id=mail.pk)
    OutgoingMail.objects.filter(pk=mail.pk).update(
        claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert mail_deliver(mail_id=mail.pk) is True  # took the stale claim over, sent
    assert stale is not None
    services._record_failure(stale, OSError("late timeout"))  # the first sender wakes up
    mail.refresh_from_db()
    assert mail.state == State.SENT and mail.last_error == ""


def test_two_requests_racing_on_one_key_store_one_message(monkeypatch):
    first = send(key="reset:1")
    # The second request looked before the first had stored it: the constraint decides.
    monkeypatch.setattr(QuerySet, "first", lambda self: None)
    again = send(key="reset:1")
    assert again.pk == first.pk and OutgoingMail.objects.count() == 1
