"""The one place that decides every access question in the back office and the API.

A view or endpoint names the capability it needs; ``can`` answers from the user's roles and
scopes and, for object capabilities, the center in question (saved or about to be).
"""

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Center, Region, StaffRole

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
    MANAGE_STAFF = "manage_staff"  # invite staff and manage accounts, within ``can_grant``
    RESET_SECOND_FACTOR = "reset_second_factor"  # remove another user's authenticator
    EDIT_RESOURCES = "edit_resources"  # the collections: resources, their files, imports
    VIEW_USAGE = "view_usage"  # usage statistics of the centers in one's scope (per center)
    MANAGE_SUSHI = "manage_sushi"  # issue and revoke SUSHI credentials
    MANAGE_MAILINGS = "manage_mailings"  # see the mailings' delivery states, resend a message
    # Give a center a network wider than LIBRANET_NETWORK_WIDEST_IPV4/_IPV6 (on-site material
    # opens to every address in it).
    REGISTER_WIDE_NETWORKS = "register_wide_networks"
    VIEW_TASK_WORKER = "view_task_worker"  # the task workers' heartbeats, the queue, failures
    # Monitoring campaigns: define, open, copy, reopen a center, send the results.
    MANAGE_CAMPAIGNS = "manage_campaigns"
    # Answer a campaign for a center (per center: an operator their own, a head their region's)
    # and see the answers and results of the centers in one's scope.
    ANSWER_CAMPAIGNS = "answer_campaigns"
    # The opening plan: propose new centers (in one's regions), and run the rounds and decide.
    PROPOSE_OPENINGS = "propose_openings"
    MANAGE_OPENING_PLAN = "manage_opening_plan"
    MANAGE_MEETINGS = "manage_meetings"  # meetings, resolutions, decisions; issue, reopen tasks
    VIEW_RESOLUTIONS = "view_resolutions"  # resolutions and their tasks (back office, API)
    # Cooperation agreements: see them (per agreement, by its center: ``can_on_agreement``),
    # manage them and their renewal rounds, record the partner's signature of a renewal.
    VIEW_AGREEMENTS = "view_agreements"
    MANAGE_AGREEMENTS = "manage_agreements"
    RECORD_PARTNER_SIGNATURE = "record_partner_signature"
    # Video for the Library's channel: submit for a center (per center), decide and publish.
    SUBMIT_VIDEOS = "submit_videos"
    DECIDE_VIDEOS = "decide_videos"
    # Events: enter and edit the events of the centers in one's scope (``events_centers_for``);
    # run the joint-event reporting rounds (the department).
    EDIT_EVENTS = "edit_events"
    MANAGE_EVENT_REPORTS = "manage_event_reports"
    # News: write about the centers in one's reach (``news_centers_for``), review and publish
    # (the department; international relations the foreign network's).
    WRITE_NEWS = "write_news"
    REVIEW_NEWS = "review_news"
    # Partner catalogs: register and change the sources, harvest them, see the runs.
    MANAGE_CATALOG_SOURCES = "manage_catalog_sources"


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
    Capability.MANAGE_STAFF: {
        Role.ADMINISTRATOR,
        Role.NETWORK_DEPARTMENT,
        Role.INTERNATIONAL,
        Role.REGIONAL_HEAD,
    },
    Capability.RESET_SECOND_FACTOR: {Role.ADMINISTRATOR},
    Capability.EDIT_RESOURCES: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
    Capability.VIEW_USAGE: set(Role),
    Capability.MANAGE_SUSHI: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
    Capability.MANAGE_MAILINGS: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
    Capability.REGISTER_WIDE_NETWORKS: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
    Capability.VIEW_TASK_WORKER: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
    Capability.PROPOSE_OPENINGS: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT, Role.REGIONAL_HEAD},
    Capability.MANAGE_OPENING_PLAN: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
    Capability.MANAGE_MEETINGS: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
    Capability.VIEW_RESOLUTIONS: set(Role),
    # Holding a center capability somewhere: decides whether the page is offered at all.
    Capability.EDIT_CENTER: {
        Role.ADMINISTRATOR,
        Role.NETWORK_DEPARTMENT,
        Role.INTERNATIONAL,
        Role.REGIONAL_HEAD,
    },
    Capability.EDIT_CENTER_CONTACTS: set(Role),
    Capability.VIEW_AGREEMENTS: set(Role),
    Capability.MANAGE_AGREEMENTS: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT, Role.INTERNATIONAL},
    Capability.RECORD_PARTNER_SIGNATURE: {
        Role.ADMINISTRATOR,
        Role.NETWORK_DEPARTMENT,
        Role.INTERNATIONAL,
        Role.REGIONAL_HEAD,
    },
    Capability.MANAGE_CAMPAIGNS: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
    Capability.ANSWER_CAMPAIGNS: set(Role),
    Capability.SUBMIT_VIDEOS: set(Role),
    Capability.DECIDE_VIDEOS: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
    Capability.EDIT_EVENTS: set(Role),
    Capability.MANAGE_EVENT_REPORTS: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
    Capability.WRITE_NEWS: set(Role),
    Capability.REVIEW_NEWS: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT, Role.INTERNATIONAL},
    Capability.MANAGE_CATALOG_SOURCES: {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
}

# Capabilities asked per center (``can(user, capability, center)``, ``centers_scope``).
_PER_CENTER = {
    Capability.EDIT_CENTER,
    Capability.EDIT_CENTER_CONTACTS,
    Capability.VIEW_USAGE,
    Capability.ANSWER_CAMPAIGNS,
    Capability.SUBMIT_VIDEOS,
    Capability.EDIT_EVENTS,
}
# What an operator may do on their own center (and nowhere else).
_OPERATOR_OWN_CENTER = {
    Capability.EDIT_CENTER_CONTACTS,
    Capability.VIEW_USAGE,
    Capability.ANSWER_CAMPAIGNS,
    Capability.SUBMIT_VIDEOS,
    Capability.EDIT_EVENTS,
}


def held_roles(user: Any) -> list[StaffRole]:
    """The roles an active user holds, whatever the state of their session (see ``roles_of``);
    read once per user object and kept on it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_libranet_roles", None)
    if cached is None:
        cached = list(StaffRole.objects.filter(user=user))
        if user.is_superuser:
            cached.append(StaffRole(user=user, role=Role.ADMINISTRATOR))
        user._libranet_roles = cached
    return cached


def roles_of(user: Any) -> list[StaffRole]:
    """The staff roles that count for this user now: none for a session still owing its second
    factor, so that no door (page, API, menu) can treat it as signed in staff."""
    if second_factor_state(user) is not SecondFactor.OK:
        return []
    return held_roles(user)


# --- the second factor ----------------------------------------------------------------------

# Who must sign in with a second factor (TOTP): those who can change the whole network.
SECOND_FACTOR_ROLES = {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT}


class SecondFactor(StrEnum):
    OK = "ok"  # nothing owed: verified, or not required and no authenticator set up
    VERIFY = "verify"  # signed in with the password; the authenticator's code is owed
    SETUP = "setup"  # the role requires an authenticator and none is set up yet


def second_factor_required(user: Any) -> bool:
    return any(r.role in SECOND_FACTOR_ROLES for r in held_roles(user))


def _has_authenticator(user: Any) -> bool:
    cached = getattr(user, "_libranet_has_authenticator", None)
    if cached is None:
        cached = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
        user._libranet_has_authenticator = cached
    return cached


def second_factor_state(user: Any) -> SecondFactor:
    """Where a signed-in session stands with the second factor.

    Only a session's user is asked: django-otp's middleware gives it ``is_verified``. A user
    met otherwise (an API token's owner, a user in a command or a service) has no session, and
    tokens are their own credential."""
    is_verified = getattr(user, "is_verified", None)
    if is_verified is None or not getattr(user, "is_authenticated", False) or is_verified():
        return SecondFactor.OK
    if not held_roles(user):
        return SecondFactor.OK
    if _has_authenticator(user):
        return SecondFactor.VERIFY
    if second_factor_required(user):
        return SecondFactor.SETUP
    return SecondFactor.OK


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
            capability in _OPERATOR_OWN_CENTER
            and center.pk is not None
            and center.pk == role.center_id
        )
    return False


def can(user: Any, capability: Capability, center: Center | None = None) -> bool:
    """May ``user`` exercise ``capability`` (on ``center``, when the capability is per center)?"""
    roles = roles_of(user)
    if center is None:
        return any(r.role in _GLOBAL[capability] for r in roles)
    if capability not in _PER_CENTER:
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
        elif role.role == Role.CENTER_OPERATOR and capability in _OPERATOR_OWN_CENTER:
            q |= Q(pk=role.center_id)
    return q


def centers_for(user: Any, capability: Capability, queryset: QuerySet | None = None) -> QuerySet:
    base = Center.objects.all() if queryset is None else queryset
    return base.filter(centers_scope(user, capability))


# --- granting roles ---------------------------------------------------------------------------


def _grants(granter: StaffRole, role: str, center: Center | None, region: Region | None) -> bool:
    """May a holder of ``granter`` give ``role`` with this scope to someone?

    An inviter grants only inside their own reach: administrators anything; the network
    department anything but administrator; international relations the operators of foreign
    centers (the department that opens them); a regional-center head the operators of the
    centers of their region; an operator nothing."""
    if granter.role == Role.ADMINISTRATOR:
        return True
    if granter.role == Role.NETWORK_DEPARTMENT:
        return role != Role.ADMINISTRATOR
    if role != Role.CENTER_OPERATOR or center is None:
        return False
    if granter.role == Role.INTERNATIONAL:
        return center.kind == Center.Kind.FOREIGN
    if granter.role == Role.REGIONAL_HEAD:
        return center.kind != Center.Kind.FOREIGN and center.region_id == granter.region_id
    return False


def can_grant(
    user: Any, role: str, center: Center | None = None, region: Region | None = None
) -> bool:
    """May ``user`` give ``role`` (scoped to ``center`` or ``region``), by invitation or to an
    existing account? Any one of the user's roles that reaches it is enough."""
    return any(_grants(r, role, center, region) for r in roles_of(user))


def grantable_scope(user: Any) -> Q:
    """A filter on staff roles and invitations (``role``, ``center``, ``region``) for those
    ``user`` may grant: what the staff page shows them and lets them manage."""
    q = Q(pk__in=[])
    for granter in roles_of(user):
        if granter.role == Role.ADMINISTRATOR:
            return Q()
        if granter.role == Role.NETWORK_DEPARTMENT:
            q |= ~Q(role=Role.ADMINISTRATOR)
        elif granter.role == Role.INTERNATIONAL:
            q |= Q(role=Role.CENTER_OPERATOR, center__kind=Center.Kind.FOREIGN)
        elif granter.role == Role.REGIONAL_HEAD:
            q |= Q(role=Role.CENTER_OPERATOR, center__region_id=granter.region_id) & ~Q(
                center__kind=Center.Kind.FOREIGN
            )
    return q


def can_manage_account(user: Any, account: Any) -> bool:
    """May ``user`` deactivate ``account``? Only another person's staff account all of whose
    roles ``user`` could grant: a head deactivates operators of their region, never a peer."""
    if account.pk == getattr(user, "pk", None):
        return False
    roles = list(StaffRole.objects.filter(user=account).select_related("center", "region"))
    if account.is_superuser:
        roles.append(StaffRole(user=account, role=Role.ADMINISTRATOR))
    return bool(roles) and all(can_grant(user, r.role, r.center, r.region) for r in roles)


def grantable_roles(user: Any) -> set[str]:
    """The roles ``user`` may grant with some scope: the choices an invitation form offers."""
    roles: set[str] = set()
    for granter in roles_of(user):
        if granter.role == Role.ADMINISTRATOR:
            return set(Role)
        if granter.role == Role.NETWORK_DEPARTMENT:
            roles |= set(Role) - {Role.ADMINISTRATOR}
        elif granter.role in (Role.INTERNATIONAL, Role.REGIONAL_HEAD):
            roles.add(Role.CENTER_OPERATOR)
    return roles


def grantable_centers(user: Any) -> QuerySet:
    """The centers whose operators ``user`` may appoint: by ``_grants``, exactly the centers
    they may edit in full."""
    return centers_for(user, Capability.EDIT_CENTER)


def regions_for(user: Any) -> QuerySet:
    """The regions in which ``user`` may place a center: every region for those who edit the
    whole network, their own region for a regional-center head, none otherwise."""
    region_ids: set[int] = set()
    for role in roles_of(user):
        if role.role in (Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT):
            return Region.objects.all()
        if role.role == Role.REGIONAL_HEAD and role.region_id is not None:
            region_ids.add(role.region_id)
    return Region.objects.filter(pk__in=region_ids)


# --- MONITORING CAMPAIGNS ---------------------------------------------------------------------


def campaign_centers_for(user: Any) -> QuerySet:
    """The centers whose campaign answers ``user`` may see and give: every center for the
    department, foreign ones for international relations, the region's for its head, an
    operator's own."""
    return centers_for(user, Capability.ANSWER_CAMPAIGNS)


def can_answer_campaign(user: Any, center: Center) -> bool:
    return can(user, Capability.ANSWER_CAMPAIGNS, center)


# --- THE OPENING PLAN ----------------------------------------------------------------------


def planning_regions_for(user: Any) -> QuerySet:
    """The regions whose opening proposals ``user`` sees and makes: every region for those
    who run the plan, a regional-center head's own region(s), none otherwise (a foreign center
    is planned by international relations outside these rounds)."""
    return regions_for(user) if can(user, Capability.PROPOSE_OPENINGS) else Region.objects.none()


def proposals_scope(user: Any) -> Q:
    """A filter on opening proposals for those in ``user``'s regions."""
    if can(user, Capability.MANAGE_OPENING_PLAN):
        return Q()
    return Q(region__in=planning_regions_for(user))


# --- THE ANNUAL MEETING'S RESOLUTION: who closes a task ---------------------------------------

# The Library's departments (``meetings.models.Responsible``) and the roles that act for them; a
# department with no role of its own (IT) acts through the network department, which tracks it.
_DEPARTMENT_ROLES = {
    "network_department": {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
    "international": {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT, Role.INTERNATIONAL},
    "it": {Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT},
}


def is_task_party(user: Any, task: Any) -> bool:
    """Is ``user`` of the responsible party of a resolution's ``task``: for a regional center's
    task, a head of that center's region or an operator of that center (the department only
    follows it: it may reopen, not close); for a department's task, that department."""
    for role in roles_of(user):
        if task.center_id is not None:
            if role.role == Role.REGIONAL_HEAD and role.region_id == task.center.region_id:
                return True
            if role.role == Role.CENTER_OPERATOR and role.center_id == task.center_id:
                return True
        elif role.role in _DEPARTMENT_ROLES.get(task.department, set()):
            return True
    return False


def task_party_scope(user: Any) -> Q:
    """A filter on tasks (``center``, ``department``) for those whose party ``user`` is of."""
    q = Q(pk__in=[])
    for role in roles_of(user):
        if role.role == Role.REGIONAL_HEAD:
            q |= Q(center__region_id=role.region_id)
        elif role.role == Role.CENTER_OPERATOR:
            q |= Q(center_id=role.center_id)
        departments = [d for d, roles in _DEPARTMENT_ROLES.items() if role.role in roles]
        if departments:
            q |= Q(center__isnull=True, department__in=departments)
    return q


# --- COOPERATION AGREEMENTS -------------------------------------------------------------------
#
# An agreement is reached through the center it concerns (``Agreement.center``): the department
# (administrators, network department) reaches every agreement; international relations those
# of foreign centers; a regional-center head sees those of their region's centers (their
# regional center's own too) and records the partner's signature of their renewals (decision 7
# is the regional center's task), but changes nothing else; an operator sees their own
# center's agreement, read only. An agreement naming no center is the department's alone.


def _agreement_role_q(role: StaffRole, capability: Capability) -> Q | None:
    """The agreements ``role`` reaches with ``capability``: None for all, else a filter."""
    if role.role in (Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT):
        return None
    if role.role == Role.INTERNATIONAL:
        return Q(center__kind=Center.Kind.FOREIGN)
    if role.role == Role.REGIONAL_HEAD and capability != Capability.MANAGE_AGREEMENTS:
        return Q(center__region_id=role.region_id) & ~Q(center__kind=Center.Kind.FOREIGN)
    if role.role == Role.CENTER_OPERATOR and capability == Capability.VIEW_AGREEMENTS:
        return Q(center_id=role.center_id)
    return Q(pk__in=[])


def agreements_scope(user: Any, capability: Capability = Capability.VIEW_AGREEMENTS) -> Q:
    """A filter on agreements for those on which ``user`` holds ``capability``."""
    q = Q(pk__in=[])
    for role in roles_of(user):
        role_q = _agreement_role_q(role, capability)
        if role_q is None:
            return Q()
        q |= role_q
    return q


def _role_reaches_agreement(role: StaffRole, capability: Capability, center: Center | None) -> bool:
    if role.role in (Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT):
        return True
    if center is None:
        return False
    if role.role == Role.INTERNATIONAL:
        return center.kind == Center.Kind.FOREIGN
    if role.role == Role.REGIONAL_HEAD and capability != Capability.MANAGE_AGREEMENTS:
        return center.kind != Center.Kind.FOREIGN and center.region_id == role.region_id
    if role.role == Role.CENTER_OPERATOR and capability == Capability.VIEW_AGREEMENTS:
        return center.pk is not None and center.pk == role.center_id
    return False


def can_on_agreement(user: Any, capability: Capability, center: Center | None) -> bool:
    """May ``user`` exercise ``capability`` on an agreement concerning ``center`` (saved or
    about to be; None: an agreement naming no center)?"""
    return any(_role_reaches_agreement(r, capability, center) for r in roles_of(user))


# --- VIDEO ------------------------------------------------------------------------------------


def video_centers_for(user: Any) -> QuerySet:
    """The centers ``user`` may submit video for: an operator's own, a head's region's, the
    foreign ones for international relations, every center for the department."""
    return centers_for(user, Capability.SUBMIT_VIDEOS)


def videos_scope(user: Any) -> Q:
    """A filter on videos for those ``user`` sees in the back office: all for who decides,
    else those of the centers they may submit for."""
    if can(user, Capability.DECIDE_VIDEOS):
        return Q()
    return Q(center__in=video_centers_for(user))


# --- EVENTS AND JOINT-EVENT REPORTS -----------------------------------------------------------
#
# An event is entered for the centers that organise it: an operator their own center, a
# regional-center head their region's (non-foreign) centers, international relations the foreign
# ones, the department all. One reaches an event through any of its organisers.


def events_centers_for(user: Any) -> QuerySet:
    """The centers ``user`` may name as an event's organisers."""
    return centers_for(user, Capability.EDIT_EVENTS)


def events_scope(user: Any) -> Q:
    """A filter on events for those ``user`` may edit (one of its organisers in scope)."""
    return Q(centers__in=events_centers_for(user))


def can_edit_event_center(user: Any, center: Center) -> bool:
    return can(user, Capability.EDIT_EVENTS, center)


def joint_report_centers_for(user: Any) -> QuerySet:
    """The regional centers whose joint-event reports ``user`` confirms: the department all,
    a regional-center head their region's."""
    if can(user, Capability.MANAGE_EVENT_REPORTS):
        return Center.objects.filter(kind=Center.Kind.REGIONAL)
    regions = [r.region_id for r in roles_of(user) if r.role == Role.REGIONAL_HEAD]
    return Center.objects.filter(kind=Center.Kind.REGIONAL, region_id__in=regions)


# --- NEWS -------------------------------------------------------------------------------------
#
# An author writes about the centers in their reach: an operator their own center, a head the
# non-foreign centers of their region, international relations the foreign centers, the
# department any (and news naming no center). The department reviews and publishes every
# article; international relations those of the foreign network. An author edits their own
# article while it is a draft; a reviewer edits what they may review.


def news_centers_for(user: Any) -> QuerySet:
    """The centers ``user`` may write news about."""
    q = Q(pk__in=[])
    for role in roles_of(user):
        if role.role in (Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT):
            return Center.objects.all()
        if role.role == Role.INTERNATIONAL:
            q |= Q(kind=Center.Kind.FOREIGN)
        elif role.role == Role.REGIONAL_HEAD:
            q |= Q(region_id=role.region_id) & ~Q(kind=Center.Kind.FOREIGN)
        elif role.role == Role.CENTER_OPERATOR:
            q |= Q(pk=role.center_id)
    return Center.objects.filter(q)


def writes_news_anywhere(user: Any) -> bool:
    """May ``user`` write news naming no center (the department's own news)?"""
    return any(r.role in (Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT) for r in roles_of(user))


def can_review_news(user: Any, section: str) -> bool:
    """May ``user`` publish or return an article of ``section`` ("regional" or "foreign")?"""
    for role in roles_of(user):
        if role.role in (Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT):
            return True
        if role.role == Role.INTERNATIONAL and section == "foreign":
            return True
    return False


def news_review_scope(user: Any) -> Q:
    """A filter on articles (``section``) for those ``user`` may review."""
    q = Q(pk__in=[])
    for role in roles_of(user):
        if role.role in (Role.ADMINISTRATOR, Role.NETWORK_DEPARTMENT):
            return Q()
        if role.role == Role.INTERNATIONAL:
            q |= Q(section="foreign")
    return q


def can_edit_article(user: Any, article: Any) -> bool:
    """May ``user`` change ``article``: its author while it is a draft, or one who reviews it."""
    if can_review_news(user, article.section):
        return True
    return (
        article.state == "draft"
        and article.author_id is not None
        and article.author_id == getattr(user, "pk", None)
        and can(user, Capability.WRITE_NEWS)
    )


def can_see_article(user: Any, article: Any) -> bool:
    """May ``user`` see ``article`` in the back office (or a draft through the API)?"""
    if article.state == "published":
        return True
    if can_review_news(user, article.section):
        return True
    return article.author_id is not None and article.author_id == getattr(user, "pk", None)
