"""The outbox: every message is stored here, in the transaction that causes it, then sent."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutgoingMail(models.Model):
    """One message to one recipient, rendered in the recipient's language.

    A message that could not be sent stays ``failed`` with its error; ``send_pending_mail`` (and
    the task worker, later) sends the pending and failed ones again.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
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

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
