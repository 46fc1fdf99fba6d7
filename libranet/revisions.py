"""Edits made from a stale copy: the later of two saves of one form never silently overwrites
the earlier.

A record that several people edit (a campaign's answers, a proposal, an agreement, a task)
carries a ``revision`` number (``Revisioned``). Its form sends back the revision it was shown
(``revision_field``); the service calls ``revision_check`` inside its transaction, on the row
read ``select_for_update``, before it writes, and ``revision_bump`` when it does. A save made
from an older revision is refused with ``EditConflict``, which names every field the other
person changed since, with their value and the value this save would have written, so the page
can show the difference and keep what the person entered (``partials/edit_conflict.html``).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Revisioned(models.Model):
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)

    class Meta:
        abstract = True


@dataclass(frozen=True)
class Difference:
    field: str
    label: str
    stored: Any  # what the other person saved
    submitted: Any  # what this save would have written


class EditConflict(ValidationError):
    """A save made from revision ``expected`` of a record now at ``stored`` revision."""

    def __init__(self, *, expected: int, stored: int, differences: list[Difference]) -> None:
        self.expected = expected
        self.stored = stored
        self.differences = differences
        super().__init__(
            _(
                "Someone else saved this form after you opened it. Their values are shown "
                "beside yours: check them and save again."
            ),
            code="edit_conflict",
        )


def revision_field() -> forms.IntegerField:
    """The hidden field a form carries with the revision it was shown."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def revision_check(
    obj: Revisioned,
    expected: int | None,
    submitted: Mapping[str, Any],
    labels: Mapping[str, str] | None = None,
    *,
    stored_values: Mapping[str, Any] | None = None,
) -> None:
    """Refuse a save of ``obj`` made from revision ``expected`` if ``obj`` has moved on since.

    ``submitted`` maps field names to what this save writes; ``stored_values`` (default: the
    attributes of ``obj``) to what is stored now. ``expected`` None skips the check (a caller
    that has no form, such as a command)."""
    if expected is None or expected == obj.revision:
        return
    stored_values = stored_values if stored_values is not None else {}
    labels = labels or {}
    differences = []
    for name, value in submitted.items():
        stored = stored_values[name] if name in stored_values else getattr(obj, name, None)
        if _comparable(stored) != _comparable(value):
            differences.append(Difference(name, str(labels.get(name, name)), stored, value))
    raise EditConflict(expected=expected, stored=obj.revision, differences=differences)


def revision_bump(obj: Revisioned, update_fields: Iterable[str] | None = None) -> None:
    """Save ``obj`` as its next revision (only ``update_fields`` and the revision, if given)."""
    obj.revision = (obj.revision or 0) + 1
    if update_fields is None:
        obj.save()
    else:
        obj.save(update_fields=[*update_fields, "revision"])


def _comparable(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return value.pk
    return str(value) if not isinstance(value, str) else value.strip()
