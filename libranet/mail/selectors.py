"""Reads of the outbox, for staff."""

from django.db.models import QuerySet

from .models import OutgoingMail


def outbox_list(*, state: str = "", template: str = "") -> QuerySet[OutgoingMail]:
    """The outbox's messages, latest first, optionally of one state and one template."""
    messages = OutgoingMail.objects.all()
    if state:
        messages = messages.filter(state=state)
    if template:
        messages = messages.filter(template=template)
    return messages.order_by("-created_at", "-id")


def outbox_templates() -> list[str]:
    """The templates the outbox holds messages of, for the filter."""
    return list(
        OutgoingMail.objects.order_by("template").values_list("template", flat=True).distinct()
    )
