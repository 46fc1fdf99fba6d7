"""Password reset by e-mail, end to end over real SMTP: the link arrives, works once, and the new
password signs in; an unknown address gets the same answer and no mail."""

import re

import pytest
from django.utils import timezone

from conftest import PASSWORD
from libranet.audit.models import AuditEntry
from libranet.mail.models import OutgoingMail

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "amber-quarry-solstice-58"
LINK = re.compile(r"https://libranet\.example(/ru/accounts/password-reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.LIBRANET_SITE_URL = "https://libranet.example"


@pytest.fixture
def head(head_tver):
    head_tver.email = "head.tver@example.org"
    head_tver.save()
    return head_tver


def ask_reset(client, email, capture):
    with capture(execute=True):
        return client.post("/ru/accounts/password-reset/", {"email": email})


def test_reset_by_mail_end_to_end(client, head, smtp_server, django_capture_on_commit_callbacks):
    response = ask_reset(client, "Head.Tver@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.headers["Location"] == "/ru/accounts/password-reset/sent/"
    [message] = smtp_server.messages
    assert message["To"] == "head.tver@example.org"
    text = message.get_body(preferencelist=("plain",)).get_content()
    path = LINK.search(text).group(1)  # in the account's language (Russian), to this site

    # Django moves the token from the address into the session, then asks for the password.
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    set_password = form_page.redirect_chain[-1][0]
    weak = client.post(set_password, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and "new_password2" in weak.context["form"].errors
    done = client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.headers["Location"] == "/ru/accounts/password-reset/done/"

    head.refresh_from_db()
    assert head.check_password(NEW_PASSWORD) and not head.check_password(PASSWORD)
    assert AuditEntry.objects.filter(action="user.password_reset", actor=head).count() == 1
    # The link works once.
    again = client.get(path, follow=True)
    assert not again.context["validlink"]
    # The new password signs in.
    client.logout()
    login = client.post("/ru/accounts/login/", {"username": "head.tver", "password": NEW_PASSWORD})
    assert login.status_code == 302 and client.session.get("_auth_user_id") == str(head.pk)


@pytest.mark.parametrize("email", ["nobody@example.org", "reader@example.org"])
def test_same_answer_and_no_mail_without_a_staff_password(
    client, head, reader_user, smtp_server, django_capture_on_commit_callbacks, email
):
    reader_user.email = "reader@example.org"
    reader_user.set_unusable_password()  # a reader who signs in with ESIA
    reader_user.save()
    known = ask_reset(client, "head.tver@example.org", django_capture_on_commit_callbacks)
    unknown = ask_reset(client, email, django_capture_on_commit_callbacks)
    assert (unknown.status_code, unknown.headers["Location"]) == (
        known.status_code,
        known.headers["Location"],
    )
    assert [m["To"] for m in smtp_server.messages] == ["head.tver@example.org"]


def test_repeated_requests_mail_once_in_a_while(
    client, head, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(5):
        ask_reset(client, "head.tver@example.org", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1 and OutgoingMail.objects.count() == 1
