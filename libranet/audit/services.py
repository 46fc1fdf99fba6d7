"""The audit trail: every service records its change here, inside its own transaction."""

from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from .context import current_address
from .models import AuditEntry


def audit_record(
    *, actor: Any, action: str, obj: models.Model, changes: dict[str, Any] | None = None
) -> AuditEntry:
    """Record ``action`` on ``obj`` by ``actor`` (a user, or None for the system), from the
    address of the request being served, if any."""
    entry = audit_entry(actor=actor, action=action, obj=obj, changes=changes)
    entry.save()
    return entry


def audit_entry(
    *, actor: Any, action: str, obj: models.Model, changes: dict[str, Any] | None = None
) -> AuditEntry:
    """The row ``audit_record`` writes, not saved: a bulk change (an import) writes its rows
    with ``AuditEntry.objects.bulk_create`` in its transaction."""
    return AuditEntry(
        address=current_address(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes or {},
    )


Revocable = TypeVar("Revocable", bound=models.Model)


def audited_revoke(*, actor: Any, obj: Revocable, action: str) -> Revocable:
    """Revoke a credential (an API token, a SUSHI key, a workstation) from now on: set its
    ``revoked_at`` once, with the audit row; the row is kept, with its history. Locked, so
    two revocations at once write one."""
    with transaction.atomic():
        obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        if obj.revoked_at is None:  # type: ignore[attr-defined]
            obj.revoked_at = timezone.now()  # type: ignore[attr-defined]
            obj.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action=action, obj=obj)
    return obj


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
    # Lists and mappings stay JSON (the trail shows them as words); str() would store a repr.
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)
