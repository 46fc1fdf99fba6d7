"""All mail goes through ``mail_send``: rendered in the recipient's language, stored in the outbox
in the caller's transaction; once that transaction commits, a task of the queue
(``libranet.mail.tasks.mail_deliver_task``) sends it. A rolled-back change sends nothing.

Delivery is at least once, and nothing is lost when the mail server is down:
- a sender claims a message first (a conditional UPDATE that only one sender wins), then talks to
  the mail server, then records the outcome;
- a refused or failed attempt is tried again after an exponential back-off (a task queued to run
  then), up to ``LIBRANET_MAIL_MAX_ATTEMPTS`` attempts; then the message stays ``failed`` until
  staff resend it;
- a sender that dies after the server accepted the message but before the outbox recorded it
  leaves a claim that goes stale after ``LIBRANET_MAIL_CLAIM_TIMEOUT_SECONDS``: the sweep
  (``mail_send_due``, every minute on the schedule) sends it again, with the same Message-ID, so
  the copy is recognisable as the same message.
"""

import datetime
import logging
from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from libranet.audit.services import audit_record

from .models import OutgoingMail

logger = logging.getLogger(__name__)
State = OutgoingMail.State


class MailError(ValidationError):
    """A staff action on the outbox that cannot be done (such as resending a message that is
    being sent)."""


def _render(template: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    with translation.override(language):
        subject = render_to_string(f"mail/{template}/subject.txt", context)
        text = render_to_string(f"mail/{template}/body.txt", context)
        html = render_to_string(f"mail/{template}/body.html", context)
    # A header is one line: templates end with a newline, and a context value could hold one.
    return " ".join(subject.split()), str(text), str(html)


def _new_message_id(mail: OutgoingMail) -> str:
    # In the sender's domain, as mail servers expect; the outbox id makes it easy to trace.
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return make_msgid(idstring=f"libranet.{mail.pk}", domain=domain)


def mail_send(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str,
    key: str | None = None,
    secret: bool = False,
) -> OutgoingMail:
    """``mail_send_once``'s message (see there)."""
    mail, _queued = mail_send_once(
        to=to, template=template, context=context, language=language, key=key, secret=secret
    )
    return mail


def mail_send_once(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str,
    key: str | None = None,
    secret: bool = False,
) -> tuple[OutgoingMail, bool]:
    """Render ``mail/<template>/{subject.txt,body.txt,body.html}`` in ``language`` for ``to``,
    store the message in the outbox and queue its sending for when the current transaction
    commits.

    ``key`` names what the message is about (such as ``invitation:7:1``): a second call with the
    same template, recipient and key returns the stored message and sends nothing again (also
    when two calls race: the outbox's unique constraint decides).
    ``secret``: the message carries a credential (a sign-in link); its text is erased from the
    outbox once sent (until then it must stay, to be sent again after a failure).
    Returns the message and whether this call queued it (False: it was in the outbox already,
    perhaps put there by a call racing this one).
    """
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    if key:
        existing = OutgoingMail.objects.filter(template=template, recipient=to, key=key).first()
        if existing is not None:
            return existing, False
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
        next_attempt_at=timezone.now(),
    )
    mail.full_clean(validate_constraints=False)  # the key's uniqueness: the insert decides
    try:
        with transaction.atomic():
            mail.save()
            mail.message_id = _new_message_id(mail)
            mail.save(update_fields=["message_id"])
            # robust: once the caller's change is committed, a queue that fails must not fail
            # it; the message waits in the outbox for the sweep.
            transaction.on_commit(lambda: mail_enqueue(mail=mail), robust=True)
    except IntegrityError:
        if not key:
            raise
        return OutgoingMail.objects.get(template=template, recipient=to, key=key), False
    return mail, True


def mail_enqueue(*, mail: OutgoingMail) -> None:
    """Queue the task that sends ``mail`` when its next attempt is due. A backend that cannot
    defer (the immediate one, in tests) is asked only for what is due now; later attempts wait
    for the sweep."""
    from .tasks import mail_deliver_task

    task = mail_deliver_task
    due = mail.next_attempt_at
    if due is not None and due > timezone.now():
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=due)
    task.enqueue(mail.pk)


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long to wait after the ``attempts``-th failed attempt: doubling from
    ``LIBRANET_MAIL_RETRY_SECONDS``, at most ``LIBRANET_MAIL_RETRY_MAX_SECONDS``."""
    seconds = settings.LIBRANET_MAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.LIBRANET_MAIL_RETRY_MAX_SECONDS))


def _claimable(now: datetime.datetime, *, early: bool) -> Q:
    """The messages a sender may take now: those waiting whose attempt is due (``early``: any
    that still has an attempt planned), and those whose sender died (a stale claim)."""
    stale = now - datetime.timedelta(seconds=settings.LIBRANET_MAIL_CLAIM_TIMEOUT_SECONDS)
    waiting = Q(state__in=[State.PENDING, State.FAILED], next_attempt_at__isnull=False)
    if not early:
        waiting &= Q(next_attempt_at__lte=now)
    return waiting | Q(state=State.SENDING, claimed_at__lt=stale)


def mail_due(*, early: bool = False) -> QuerySet[OutgoingMail]:
    """The messages that a sender may take now, oldest first (see ``_claimable``)."""
    return OutgoingMail.objects.filter(_claimable(timezone.now(), early=early)).order_by(
        "created_at", "id"
    )


def mail_claim(*, mail_id: int, early: bool = False) -> OutgoingMail | None:
    """Take message ``mail_id`` for sending, if it may be taken now; None when it is not due,
    already sent, or another sender holds it. The claim counts as an attempt, so a message that
    kills its sender every time still runs out of attempts."""
    now = timezone.now()
    claimed = OutgoingMail.objects.filter(_claimable(now, early=early), pk=mail_id).update(
        state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return OutgoingMail.objects.get(pk=mail_id) if claimed else None


def mail_deliver(*, mail_id: int, early: bool = False) -> bool | None:
    """Claim message ``mail_id``, send it through Django's mail backend and record the outcome.

    Never raises for a delivery failure: the message is marked ``failed`` with the error and
    its next attempt planned (or none, once the attempts are spent). Returns whether it was
    sent, or None when it could not be claimed (not due, sent, or being sent elsewhere).
    ``early``: do not wait for the back-off (``send_pending_mail``, by hand).
    """
    mail = mail_claim(mail_id=mail_id, early=early)
    if mail is None:
        return None
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.recipient],
        headers={"Message-ID": mail.message_id},
    )
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 (any failure of the backend is a failed delivery)
        _record_failure(mail, exc)
        return False
    _record_sent(mail)
    return True


def _record_sent(mail: OutgoingMail) -> None:
    done: dict[str, Any] = {
        "state": State.SENT,
        "sent_at": timezone.now(),
        "last_error": "",
        "next_attempt_at": None,
        "claimed_at": None,
    }
    if mail.secret:
        done.update(text="", html="")
    # Whoever holds the claim now: the message went out, whatever else happens to it.
    OutgoingMail.objects.filter(pk=mail.pk).exclude(state=State.SENT).update(**done)


def _record_failure(mail: OutgoingMail, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"
    retry = mail.attempts < settings.LIBRANET_MAIL_MAX_ATTEMPTS
    next_attempt_at = timezone.now() + retry_delay(mail.attempts) if retry else None
    logger.warning(
        "mail %s to %s not sent (attempt %s): %s; %s",
        mail.pk,
        mail.recipient,
        mail.attempts,
        error,
        f"next attempt at {next_attempt_at:%Y-%m-%d %H:%M:%S}" if retry else "giving up",
    )
    # Only while our claim holds: a sender that took over a claim we held too long decides.
    recorded = OutgoingMail.objects.filter(
        pk=mail.pk, state=State.SENDING, claimed_at=mail.claimed_at
    ).update(state=State.FAILED, last_error=error, next_attempt_at=next_attempt_at, claimed_at=None)
    mail.state, mail.next_attempt_at, mail.last_error = State.FAILED, next_attempt_at, error
    if recorded and retry:
        mail_enqueue(mail=mail)


def mail_send_due(
    *, early: bool = False, min_age: datetime.timedelta | None = None
) -> dict[str, int]:
    """Send every message that may be taken now (see ``_claimable``): the worker's sweep, which
    catches what no queued task will (a claim left by a dead sender, a task that was lost or
    could not be deferred). ``min_age``: leave pending messages younger than this to the task
    their commit queued. Returns how many were sent and how many failed."""
    due = mail_due(early=early)
    if min_age is not None:
        due = due.exclude(state=State.PENDING, created_at__gt=timezone.now() - min_age)
    counts = {"sent": 0, "failed": 0}
    for mail_id in list(due.values_list("pk", flat=True)):
        outcome = mail_deliver(mail_id=mail_id, early=early)
        if outcome is not None:
            counts["sent" if outcome else "failed"] += 1
    return counts


def mail_resend(*, actor: Any, mail: OutgoingMail) -> OutgoingMail:
    """Send ``mail`` again, by staff: a failed message (its attempts start over), or a sent one
    whose text the outbox still holds (under a new Message-ID, so that the recipient's mail
    client does not take it for the copy it already has)."""
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update().get(pk=mail.pk)
        if mail.state in (State.PENDING, State.SENDING):
            raise MailError(_("This message is already waiting to be sent."))
        if not mail.resendable:
            raise MailError(
                _(
                    "This message carried a sign-in link, which is erased once sent: it cannot be "
                    "sent again. Send a new invitation or password reset instead."
                )
            )
        before = {"state": mail.state, "attempts": mail.attempts}
        if mail.state == State.SENT:
            mail.message_id = _new_message_id(mail)
        mail.state, mail.attempts, mail.next_attempt_at = State.PENDING, 0, timezone.now()
        mail.claimed_at = None
        mail.save(
            update_fields=["state", "attempts", "next_attempt_at", "claimed_at", "message_id"]
        )
        audit_record(
            actor=actor,
            action="mail.resend",
            obj=mail,
            changes={
                "state": [before["state"], mail.state],
                "attempts": [before["attempts"], 0],
            },
        )
        transaction.on_commit(lambda: mail_enqueue(mail=mail), robust=True)
    return mail
