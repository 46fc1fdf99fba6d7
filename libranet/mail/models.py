"""The outbox: every message is stored here, in the transaction that causes it, then sent by the
task queue's worker (``libranet.mail.tasks``)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutgoingMail(models.Model):
    """One message to one recipient, rendered in the recipient's language.

    A sender claims a message (``sending``, with the claim's time) before it talks to the mail
    server, so two workers never send it at once; a claim older than
    ``LIBRANET_MAIL_CLAIM_TIMEOUT_SECONDS`` is a sender that died, and the message is taken again.
    A message whose last attempt failed stays ``failed`` with its error: ``next_attempt_at`` says
    when it is tried again (exponential back-off), or is empty once the attempts are spent and
    only staff can resend it.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=8)
    template = models.CharField(_("template"), max_length=100)
    # What the message is about (an invitation and its sending, ...): with the template and the
    # recipient it makes the message unique, so a retried action does not mail twice.
    key = models.CharField(_("key"), max_length=200, blank=True, default="")
    subject = models.CharField(_("subject"), max_length=500)
    text = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    # The message carries a credential (an invitation's or a password reset's link): its text is
    # erased once it is sent, so the outbox does not keep working links.
    secret = models.BooleanField(_("secret"), default=False)
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # The same Message-ID on every attempt: a copy sent again after a crash (between the mail
    # server's acceptance and the outbox's record of it) is recognisable as the same message.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "recipient", "key"],
                condition=~Q(key=""),
                name="outgoingmail_unique_key",
            ),
        ]
        # What the worker's sweep asks: the messages due now.
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outgoingmail_due")]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"

    @property
    def resendable(self) -> bool:
        """Whether staff may send it again: a failed message, or a sent one whose text the
        outbox still holds (a secret one's is erased once sent)."""
        return self.state == self.State.FAILED or (
            self.state == self.State.SENT and not self.secret
        )
