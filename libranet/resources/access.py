"""The one decision: may this user read this resource's files from this place?

Pages, file delivery, the API, search facets ("readable here") and OAI-PMH all ask here and
nowhere else. ``readable_levels`` is the rule; ``decide`` explains it for one resource.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from libranet.accounts.selectors import is_confirmed_reader
from libranet.network.permissions import is_staff_member
from libranet.network.places import Place

from .models import AccessLevel, Resource


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # a stable code for programs and tests
    message: str  # for the person, in their language


def readable_levels(user: Any, place: Place) -> frozenset[str]:
    """The access levels whose files ``user`` may read from ``place``: staff read everything;
    inside an open center everyone reads what the premises allow; a reader whose identity ESIA
    confirms reads the readers' level anywhere; everybody reads what is open."""
    if is_staff_member(user):
        return frozenset(AccessLevel.values)
    levels = {AccessLevel.OPEN}
    if place.inside:
        levels |= {AccessLevel.READERS, AccessLevel.ON_SITE}
    if is_confirmed_reader(user):
        levels.add(AccessLevel.READERS)
    return frozenset(levels)


def decide(resource: Resource, user: Any, place: Place) -> Decision:
    """Allow or deny reading ``resource``'s files, with the reason."""
    if resource.deleted_at is not None:
        return Decision(False, "deleted", _("This resource has been withdrawn."))
    level = resource.access_level
    if level in readable_levels(user, place):
        return Decision(True, _why_allowed(level, user, place), _("You may read it here."))
    if level == AccessLevel.STAFF:
        return Decision(False, "staff_only", _("This resource is for the Library's staff only."))
    if level == AccessLevel.ON_SITE:
        return Decision(
            False,
            "on_site",
            _(
                "Copyright keeps this resource on the premises: it can be read in full in any "
                "of the Library's centers."
            ),
        )
    if getattr(user, "is_authenticated", False):
        return Decision(
            False,
            "not_confirmed",
            _(
                "This resource is open to readers whose Gosuslugi account is confirmed; yours is "
                "not. Confirm it at Gosuslugi, or read it in any of the Library's centers."
            ),
        )
    return Decision(
        False,
        "sign_in",
        _(
            "Sign in with a confirmed Gosuslugi account to read this resource, or read it in any "
            "of the Library's centers."
        ),
    )


def _why_allowed(level: str, user: Any, place: Place) -> str:
    if level == AccessLevel.OPEN:
        return "open"
    if place.inside and level != AccessLevel.STAFF:
        return "in_center"
    if level == AccessLevel.READERS and is_confirmed_reader(user):
        return "confirmed_reader"
    return "staff"
