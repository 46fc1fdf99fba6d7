"""The outbox: a message is stored in the caller's transaction, sent over real SMTP after the
commit, in the recipient's language; a failure stays in the outbox to be sent again."""

import datetime
import socket
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from libranet.mail.models import OutgoingMail
from libranet.mail.services import mail_send

pytestmark = pytest.mark.django_db
State = OutgoingMail.State
TEST_TEMPLATES = Path(__file__).resolve().parent / "templates"


class Reader:
    def get_username(self):
        return "head.tver"


def send(language="ru", **kwargs):
    return mail_send(
        to="head@example.org",
        template="password_reset",
        context={"user": Reader(), "link": "https://libranet.example/ru/reset/abc/", "hours": 2},
        language=language,
        **kwargs,
    )


@pytest.fixture
def notice_template(settings):
    """A message made of strings the Russian catalog already has, to see the language at work
    (the product's own mail templates are translated with the rest of the catalog)."""
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}
    ]


def send_notice(language):
    return mail_send(
        to="head@example.org",
        template="notice",
        context={"link": "https://libranet.example/ru/accounts/invitation/abc/"},
        language=language,
    )


def test_sent_over_smtp_after_commit_in_the_recipients_language(
    smtp_server, notice_template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        mail = send_notice("ru")
        assert smtp_server.messages == []  # stored, not sent, until the transaction commits
    assert len(callbacks) == 1
    [message] = smtp_server.messages
    assert message["To"] == "head@example.org"
    assert message["From"] == "libranet@localhost"
    # (Python's mail folds a long encoded subject onto the next line: unfolded, a space leads.)
    assert message["Subject"].strip() == "Президентская библиотека: Сеть центров"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Вход для сотрудников: https://libranet.example/ru/accounts/invitation/abc/" in text
    assert 'href="https://libranet.example/ru/accounts/invitation/abc/"' in html
    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.language) == (State.SENT, 1, "ru")
    assert mail.subject == message["Subject"].strip() and mail.sent_at is not None


def test_english_recipient_gets_english(
    smtp_server, notice_template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_notice("en")
    assert smtp_server.messages[0]["Subject"].strip() == "Presidential Library: Network of centers"


def test_product_template_renders_with_its_link(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send()
    text = smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "https://libranet.example/ru/reset/abc/" in text and "head.tver" in text


def test_rolled_back_change_sends_nothing(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            send()
            raise RuntimeError("the change fails")
    assert callbacks == []
    assert smtp_server.messages == []
    assert not OutgoingMail.objects.exists()


def test_same_key_is_one_message(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = send(key="reset:1")
        again = send(key="reset:1")
        other = send(key="reset:2")
    assert first.pk == again.pk != other.pk
    assert len(smtp_server.messages) == 2


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_failure_is_kept_and_sent_again_by_the_command(
    smtp_server, django_capture_on_commit_callbacks
):
    with override_settings(EMAIL_PORT=_closed_port()):
        with django_capture_on_commit_callbacks(execute=True):
            mail = send(secret=True)
        mail.refresh_from_db()
        assert (mail.state, mail.attempts) == (State.FAILED, 1)
        assert "ConnectionRefusedError" in mail.last_error
        assert "https://libranet.example/ru/reset/abc/" in mail.text  # kept to be sent again
    assert smtp_server.messages == []

    call_command("send_pending_mail")
    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.last_error) == (State.SENT, 2, "")
    assert len(smtp_server.messages) == 1
    # A message carrying a sign-in link keeps no working link in the outbox once sent.
    assert (mail.text, mail.html) == ("", "") and mail.subject
    call_command("send_pending_mail")  # safe to run twice: nothing left to send
    assert len(smtp_server.messages) == 1


def test_command_leaves_fresh_pending_mail_to_its_request(smtp_server):
    mail = send()  # the test's transaction never commits: the message stays pending
    call_command("send_pending_mail")
    assert smtp_server.messages == []
    OutgoingMail.objects.filter(pk=mail.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    call_command("send_pending_mail")
    assert len(smtp_server.messages) == 1
