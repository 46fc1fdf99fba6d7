"""The mailings and the outbox in the back office: each message's delivery state, "send again"
(POST, CSRF, audited), for the network department and administrators only."""

import itertools
import re

import pytest
from django.test import Client
from django.utils import timezone

from libranet.audit.models import AuditEntry
from libranet.mail.models import OutgoingMail

pytestmark = pytest.mark.django_db
State = OutgoingMail.State


def message(recipient, template="zero_usage", key="zero-usage:2026-10:RU-TVE-RC", **fields):
    return OutgoingMail.objects.create(
        recipient=recipient,
        language="ru",
        template=template,
        key=key,
        subject=f"Subject for {recipient}",
        text="text",
        message_id=f"<{recipient}>",
        **fields,
    )


@pytest.fixture
def outbox():
    return {
        "sent": message("head@tver.example", state=State.SENT, attempts=1, sent_at=timezone.now()),
        "failed": message(
            "head@penza.example",
            key="zero-usage:2026-10:RU-PNZ-RC",
            state=State.FAILED,
            attempts=10,
            last_error="SMTPDataError: (451, b'Busy, try again later')",
        ),
        "summary": message(
            "network@library.example", template="zero_usage_summary", key="zero-usage:2026-10"
        ),
        "september": message("head@tver.example", key="zero-usage:2026-09:RU-TVE-RC"),
        "reset": message(
            "admin@library.example",
            template="password_reset",
            key="",
            state=State.SENT,
            secret=True,
        ),
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [("network_user", 200), ("admin_user", 200), ("head_tver", 403), ("operator_user", 403)],
)
@pytest.mark.parametrize(
    "path", ["/en/office/mailings/", "/en/office/mailings/2026-10/", "/en/office/outbox/"]
)
def test_only_the_network_department_and_administrators_see_them(
    request, client, outbox, who, status, path
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(path).status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/en/office/mailings/")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_the_menu_offers_mailings_to_those_who_may(client, network_user, head_tver):
    client.force_login(network_user)
    assert 'href="/en/office/mailings/"' in client.get("/en/office/").content.decode()
    client.force_login(head_tver)
    assert 'href="/en/office/mailings/"' not in client.get("/en/office/").content.decode()


def test_mailings_by_month_with_their_states(client, network_user, outbox):
    client.force_login(network_user)
    page = client.get("/en/office/mailings/").content.decode()
    october, september = page.index("October 2026"), page.index("September 2026")
    assert october < september  # latest first
    assert 'href="/en/office/mailings/2026-10/"' in page
    # October: 3 messages, 1 pending, 0 sending, 1 sent, 1 failed (the states' order).
    row = page[october : page.index("</tr>", october)]
    assert re.findall(r"<td[^>]*>(\d+)</td>", row) == ["3", "1", "0", "1", "1"]


def test_a_months_messages_with_recipient_state_attempts_error(client, network_user, outbox):
    client.force_login(network_user)
    page = client.get("/en/office/mailings/2026-10/").content.decode()
    assert "head@tver.example" in page and "network@library.example" in page
    assert "head@penza.example" in page and "attempts spent" in page
    assert "SMTPDataError: (451, b&#x27;Busy, try again later&#x27;)" in page
    assert page.count('action="/en/office/outbox/') == 2  # the failed and the sent one
    assert "admin@library.example" not in page  # not this mailing's
    assert client.get("/en/office/mailings/2026-13/").status_code == 404


def test_the_outbox_filtered_by_state_and_template(client, network_user, outbox):
    client.force_login(network_user)
    failed = client.get("/en/office/outbox/", {"state": "failed"}).content.decode()
    assert "head@penza.example" in failed and "head@tver.example" not in failed
    resets = client.get("/en/office/outbox/", {"template": "password_reset"}).content.decode()
    assert "admin@library.example" in resets and "head@penza.example" not in resets
    assert "send again" not in resets  # a sent sign-in link cannot be sent again
    wrong = client.get("/en/office/outbox/", {"state": "lost"})
    assert wrong.status_code == 200 and "Select a valid choice" in wrong.content.decode()


def test_send_again_queues_the_message_audited(
    client, network_user, outbox, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(network_user)
    failed = outbox["failed"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/en/office/outbox/{failed.pk}/resend/", {"next": "/en/office/mailings/2026-10/"}
        )
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/office/mailings/2026-10/"
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (State.SENT, 1)
    assert [m["To"] for m in smtp_server.messages] == ["head@penza.example"]
    entry = AuditEntry.objects.get(action="mail.resend")
    assert entry.actor == network_user and entry.object_id == str(failed.pk)
    page = client.get("/en/office/mailings/2026-10/").content.decode()
    assert "The message to head@penza.example is queued again." in page


def test_send_again_refused_for_a_message_on_its_way(client, network_user, outbox):
    client.force_login(network_user)
    pending = outbox["summary"]
    response = client.post(f"/en/office/outbox/{pending.pk}/resend/", follow=True)
    assert "already waiting to be sent" in response.content.decode()
    assert response.redirect_chain[-1][0] == "/en/office/outbox/"  # no "next": the outbox
    assert not AuditEntry.objects.filter(action="mail.resend").exists()


def test_send_again_needs_post_csrf_and_the_capability(client, network_user, head_tver, outbox):
    failed = outbox["failed"]
    client.force_login(network_user)
    assert client.get(f"/en/office/outbox/{failed.pk}/resend/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(network_user)
    assert strict.post(f"/en/office/outbox/{failed.pk}/resend/").status_code == 403
    client.force_login(head_tver)
    assert client.post(f"/en/office/outbox/{failed.pk}/resend/").status_code == 403
    client.force_login(network_user)
    assert client.post("/en/office/outbox/999999/resend/").status_code == 404
    # Elsewhere than this site: back to the outbox, never away.
    away = client.post(f"/en/office/outbox/{failed.pk}/resend/", {"next": "https://evil.example/"})
    assert away.headers["Location"] == "/en/office/outbox/"
    failed.refresh_from_db()
    assert failed.state == State.PENDING  # the one accepted POST (no commit: not sent yet)


@pytest.mark.parametrize(
    "path", ["/en/office/mailings/", "/en/office/mailings/2026-10/", "/en/office/outbox/"]
)
def test_a_page_costs_the_same_queries_however_many_messages(client, network_user, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(network_user)

    made = itertools.count()

    def queries(count):
        for n in itertools.islice(made, count):
            message(f"head{n}@example.org", key=f"zero-usage:2026-{n % 12 + 1:02d}:RC{n}")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    assert queries(2) == queries(40)
