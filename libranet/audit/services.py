"""The audit trail: every service records its change here, inside its own transaction."""

from typing import Any

from django.db import models

from .context import current_address
from .models import AuditEntry


def audit_record(
    *, actor: Any, action: str, obj: models.Model, changes: dict[str, Any] | None = None
) -> AuditEntry:
    """Record ``action`` on ``obj`` by ``actor`` (a user, or None for the system), from the
    address of the request being served, if any."""
    return AuditEntry.objects.create(
        address=current_address(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes or {},
    )


def model_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value differs, as ``{field: [old, new]}`` with JSON-safe values."""
    return {
        key: [_plain(before.get(key)), _plain(value)]
        for key, value in after.items()
        if before.get(key) != value
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
