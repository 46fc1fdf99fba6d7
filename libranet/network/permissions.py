"""The one place that decides every access question in the back office and the API.

A view or endpoint names the capability it needs; ``can`` answers from the user's roles and
scopes and, for object capabilities, the center in question (saved or about to be).
"""

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from .models import Center, StaffRole

Role = StaffRole.Role


class Capability(StrEnum):
    VIEW_BACKOFFICE = "view_backoffice"
    EDIT_CENTER = "edit_center"  # every field of a center, its networks and status
    EDIT_CENTER_CONTACTS = "edit_center_contacts"  # contacts and hours only
    IMPORT_CENTERS = "import_centers"
    EXPORT_CENTERS = "export_centers"
    EDIT_INSTITUTION = "edit_institution"
    EDIT_REFERENCE_DATA = "edit_reference_data"  # regions, districts, countries
    VIEW_AUDIT = "view_audit"  # the audit trail of the whole registry


# Capabilities that need no object: which roles hold them at all.
_GLOBAL = {
    Capability.VIEW_BACKOFFICE: set(Role),
    Capability.IMPORT_CENTERS: {
        Role.ADMINISTRATOR,
        Role.NETWORK_DEPARTMENT,
        Role.INTERNATIONAL,
        Role.REGIONAL_HEAD,
    },
    Capability.EXPORT_CENTERS: set(Role),
    Capability.EDIT_INSTITUTION: {
        Role.ADMINISTRATOR,
        Role.NETWORK_DEPARTMENT,
        Role.INTERNATIONAL,
        Role.REGIONAL_HEAD,
    },
    Capability.EDIT_REFERENCE_DATA: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
    Capability.VIEW_AUDIT: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
    # Holding a center capability somewhere: decides whether the page is offered at all.
    Capability.EDIT_CENTER: {
        Role.ADMINISTRATOR,
        Role.NETWORK_DEPARTMENT,
        Role.INTERNATIONAL,
        Role.REGIONAL_HEAD,
    },
    Capability.EDIT_CENTER_CONTACTS: set(Role),
}


def roles_of(user: Any) -> list[StaffRole]:
    """The user's staff roles, read once per request object and kept on it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_libranet_roles", None)
    if cached is None:
        cached = list(StaffRole.objects.filter(user=user))
        if user.is_superuser:
            cached.append(StaffRole(user=user, role=Role.ADMINISTRATOR))
        user._libranet_roles = cached
    return cached


def role_names(user: Any) -> set[str]:
    return {r.role for r in roles_of(user)}


def is_staff_member(user: Any) -> bool:
    return bool(roles_of(user))


def _role_covers_center(role: StaffRole, center: Center, capability: Capability) -> bool:
    if role.role in (Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT):
        return True
    if role.role == Role.INTERNATIONAL:
        return center.kind == Center.Kind.FOREIGN
    if role.role == Role.REGIONAL_HEAD:
        return center.kind != Center.Kind.FOREIGN and center.region_id == role.region_id
    if role.role == Role.CENTER_OPERATOR:
        return (
            capability == Capability.EDIT_CENTER_CONTACTS
            and center.pk is not None
            and center.pk == role.center_id
        )
    return False


def can(user: Any, capability: Capability, center: Center | None = None) -> bool:
    """May ``user`` exercise ``capability`` (on ``center``, when the capability is per center)?"""
    roles = roles_of(user)
    if center is None:
        return any(r.role in _GLOBAL[capability] for r in roles)
    if capability not in (Capability.EDIT_CENTER, Capability.EDIT_CENTER_CONTACTS):
        return can(user, capability)
    return any(_role_covers_center(r, center, capability) for r in roles)


def centers_scope(user: Any, capability: Capability) -> Q:
    """A filter for the centers on which ``user`` holds ``capability`` (nothing if none)."""
    q = Q(pk__in=[])
    for role in roles_of(user):
        if role.role in (Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT):
            return Q()
        if role.role == Role.INTERNATIONAL:
            q |= Q(kind=Center.Kind.FOREIGN)
        elif role.role == Role.REGIONAL_HEAD:
            q |= Q(region_id=role.region_id) & ~Q(kind=Center.Kind.FOREIGN)
        elif role.role == Role.CENTER_OPERATOR and capability == Capability.EDIT_CENTER_CONTACTS:
            q |= Q(pk=role.center_id)
    return q


def centers_for(user: Any, capability: Capability, queryset: QuerySet | None = None) -> QuerySet:
    base = Center.objects.all() if queryset is None else queryset
    return base.filter(centers_scope(user, capability))
