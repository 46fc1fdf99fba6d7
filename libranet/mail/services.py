"""All mail goes through ``mail_send``: rendered in the recipient's language, stored in the outbox
in the caller's transaction, sent once that transaction commits.

A message whose sending fails stays in the outbox as ``failed`` with the error, and
``manage.py send_pending_mail`` (later the task worker) tries it again; nothing is lost when the
mail server is down, and a rolled-back change sends nothing.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutgoingMail

logger = logging.getLogger(__name__)
State = OutgoingMail.State


def _render(template: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    with translation.override(language):
        subject = render_to_string(f"mail/{template}/subject.txt", context)
        text = render_to_string(f"mail/{template}/body.txt", context)
        html = render_to_string(f"mail/{template}/body.html", context)
    # A header is one line: templates end with a newline, and a context value could hold one.
    return " ".join(subject.split()), str(text), str(html)


def mail_send(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str,
    key: str | None = None,
    secret: bool = False,
) -> OutgoingMail:
    """Render ``mail/<template>/{subject.txt,body.txt,body.html}`` in ``language`` for ``to``,
    store the message in the outbox and send it after the current transaction commits.

    ``key`` names what the message is about (such as ``invitation:7:1``): a second call with the
    same template, recipient and key returns the stored message and sends nothing again.
    ``secret``: the message carries a credential (a sign-in link); its text is erased from the
    outbox once sent (until then it must stay, to be sent again after a failure).
    """
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with transaction.atomic():
        if key:
            existing = OutgoingMail.objects.filter(template=template, recipient=to, key=key).first()
            if existing is not None:
                return existing
        subject, text, html = _render(template, context, language)
        mail = OutgoingMail(
            recipient=to,
            language=language,
            template=template,
            key=key or "",
            subject=subject,
            text=text,
            html=html,
            secret=secret,
        )
        mail.full_clean()
        mail.save()
        transaction.on_commit(lambda: mail_deliver(mail=mail))
    return mail


def mail_deliver(*, mail: OutgoingMail) -> bool:
    """Send one stored message through Django's mail backend; record the outcome.

    Never raises for a delivery failure: the message is marked ``failed`` with the error, to be
    retried. Returns whether it was sent.
    """
    if mail.state == State.SENT:
        return True
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.recipient],
    )
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 (any failure of the backend is a failed delivery)
        logger.warning("mail %s to %s not sent: %s", mail.pk, mail.recipient, exc)
        OutgoingMail.objects.filter(pk=mail.pk).update(
            state=State.FAILED,
            attempts=mail.attempts + 1,
            last_error=f"{type(exc).__name__}: {exc}",
        )
        mail.state, mail.attempts = State.FAILED, mail.attempts + 1
        return False
    now = timezone.now()
    done: dict = {"state": State.SENT, "attempts": mail.attempts + 1, "sent_at": now}
    if mail.secret:
        done.update(text="", html="")
    OutgoingMail.objects.filter(pk=mail.pk).update(last_error="", **done)
    for name, value in done.items():
        setattr(mail, name, value)
    return True
