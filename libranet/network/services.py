"""State changes of the network registry, each with its rules, in one transaction, audited.

Every door (back-office forms, the API, imports, ``seed_demo``) calls these functions; the
rules the database can hold are also constraints and triggers (see the models' Meta and
migration 0002), so a bug in a door cannot write a center that breaks them.
"""

import datetime
import ipaddress
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from libranet.audit.services import audit_record, model_changes

from .cache import registry_changed
from .models import (
    Center,
    CenterNetwork,
    CenterStatusChange,
    Country,
    FederalDistrict,
    Institution,
    Region,
    StaffRole,
)
from .permissions import Capability, can

logger = logging.getLogger(__name__)
Status = Center.Status
Kind = Center.Kind

STATUSES = frozenset(Status.values)
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{1,31}$")

# Which status may follow which. A closed center may be planned or opened again; its
# record and history stay either way.
TRANSITIONS: dict[str, set[str]] = {
    Status.PLANNED: {Status.APPROVED, Status.CLOSED},
    Status.APPROVED: {Status.PLANNED, Status.OPEN, Status.CLOSED},
    Status.OPEN: {Status.SUSPENDED, Status.CLOSED},
    Status.SUSPENDED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: {Status.PLANNED, Status.OPEN},
}

CENTER_FIELDS = (
    "code",
    "kind",
    "name_ru",
    "name_en",
    "institution",
    "region",
    "country",
    "regional_center",
    "opened_on",
    "closed_on",
    "address",
    "address_en",
    "latitude",
    "longitude",
    "contact_person",
    "email",
    "phone",
    "website",
    "hours",
    "hours_en",
)
CONTACT_FIELDS = ("contact_person", "email", "phone", "website", "hours", "hours_en")
# A center's free-text fields, which may be empty (never null): the API and the import read them.
CENTER_TEXT_FIELDS = ("name_en", "address", "address_en", *CONTACT_FIELDS)


class RegistryError(ValidationError):
    """A rule of the registry was broken; carries messages by field like ValidationError."""


class ScopeError(RegistryError):
    """The acting user's role does not cover this center (as it is, or as it would become).

    Forms show it on the field, the API answers 403, an import reports it on the row."""


def _authorize(actor: Any, capability: Capability, center: Center, *, existing: bool) -> None:
    """Every door passes its user as ``actor``; ``None`` is the system itself (migrations,
    ``seed_demo``), which no role limits."""
    if actor is None or can(actor, capability, center):
        return
    if existing:
        raise ScopeError(
            {"code": _("Your role does not allow changing center {code}.").format(code=center.code)}
        )
    if center.kind == Kind.FOREIGN:
        raise ScopeError({"kind": _("Your role does not allow managing foreign centers.")})
    raise ScopeError(
        {"region": _("Your role does not allow managing centers of this kind in this region.")}
    )


def _require(actor: Any, capability: Capability) -> None:
    if actor is not None and not can(actor, capability):
        raise ScopeError(_("Your role does not allow this change."))


def normalize_search(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


# --- IP networks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedNetwork:
    cidr: str
    version: int
    first: str
    last: str
    prefix: int

    @classmethod
    def parse(cls, text: str) -> "ParsedNetwork":
        try:
            net = ipaddress.ip_network(text.strip(), strict=True)
        except ValueError as exc:
            if "has host bits set" in str(exc):
                raise RegistryError(
                    _("“{value}” has host bits set; did you mean {network}?").format(
                        value=text.strip(),
                        network=ipaddress.ip_network(text.strip(), strict=False),
                    )
                ) from exc
            raise RegistryError(
                _(
                    "“{value}” is not an IP network in CIDR notation (such as 192.0.2.0/24 or "
                    "2001:db8::/48)."
                ).format(value=text.strip())
            ) from exc
        width = 8 if net.version == 4 else 32
        return cls(
            cidr=str(net),
            version=net.version,
            first=format(int(net.network_address), f"0{width}x"),
            last=format(int(net.broadcast_address), f"0{width}x"),
            prefix=net.prefixlen,
        )

    def overlaps(self, other: "ParsedNetwork") -> bool:
        return (
            self.version == other.version and self.first <= other.last and other.first <= self.last
        )


def parse_networks(values: list[str] | list[ParsedNetwork] | str) -> list[ParsedNetwork]:
    """Parse CIDRs given as a list or as text (one per line, or separated by spaces/commas);
    networks parsed already (by an import, while reading its rows) are taken as they are."""
    if isinstance(values, str):
        values = re.split(r"[\s,;]+", values)
    parsed: list[ParsedNetwork] = []
    errors: list[str] = []
    for value in values:
        if isinstance(value, ParsedNetwork):
            net = value
        elif not value.strip():
            continue
        else:
            try:
                net = ParsedNetwork.parse(value)
            except RegistryError as exc:
                errors.extend(exc.messages)
                continue
        for seen in parsed:
            if net.overlaps(seen):
                errors.append(_("Networks {a} and {b} overlap.").format(a=seen.cidr, b=net.cidr))
        parsed.append(net)
    if errors:
        raise RegistryError({"networks": errors})
    return parsed


def widest_prefix(version: int) -> int:
    """The shortest prefix a center's network may have without ``REGISTER_WIDE_NETWORKS``."""
    if version == 4:
        return settings.LIBRANET_NETWORK_WIDEST_IPV4
    return settings.LIBRANET_NETWORK_WIDEST_IPV6


def _check_networks_width(actor: Any, center: Center, networks: list[ParsedNetwork]) -> None:
    """Refuse a network wider than the configured limit unless ``actor`` may register wide
    ones; a wide network the center already has may stay (its card can still be edited)."""
    wide = [net for net in networks if net.prefix < widest_prefix(net.version)]
    if not wide or actor is None or can(actor, Capability.REGISTER_WIDE_NETWORKS):
        return
    kept = set(center.networks.values_list("cidr", flat=True)) if center.pk else set()
    errors = [
        _(
            "Network {network} is wider than /{limit}, the widest a center may be given "
            "without the network department: split it, or ask the department to register it."
        ).format(network=net.cidr, limit=widest_prefix(net.version))
        for net in wide
        if net.cidr not in kept
    ]
    if errors:
        raise RegistryError({"networks": errors})


def _check_networks_free(
    center: Center, networks: list[ParsedNetwork], neighbours: "Neighbours"
) -> None:
    errors = []
    for net in networks:
        clash = neighbours.network_clash(center, net)
        if clash:
            cidr, other = clash
            errors.append(
                _("Network {network} overlaps {other} of center {code} ({name}).").format(
                    network=net.cidr, other=cidr, code=other.code, name=other.name
                )
            )
    if errors:
        raise RegistryError({"networks": errors})


def center_check_networks(
    *,
    actor: Any,
    center: Center,
    networks: list[str] | list[ParsedNetwork] | str,
    neighbours: "Neighbours",
) -> list[ParsedNetwork]:
    """A center's networks, parsed, none wider than ``actor`` may register, each free (no
    other center holds an overlapping one)."""
    parsed = parse_networks(networks)
    _check_networks_width(actor, center, parsed)
    _check_networks_free(center, parsed, neighbours)
    return parsed


def _replace_networks(center: Center, networks: list[ParsedNetwork]) -> None:
    center.networks.all().delete()
    try:
        with transaction.atomic():
            CenterNetwork.objects.bulk_create(
                CenterNetwork(
                    center=center, cidr=n.cidr, version=n.version, first=n.first, last=n.last
                )
                for n in networks
            )
    except IntegrityError as exc:
        # Another center took an overlapping network after our check; the trigger caught it.
        raise RegistryError(
            {
                "networks": _(
                    "Another center was given an overlapping network at the same time; "
                    "save again to see which."
                )
            }
        ) from exc


def center_for_address(address: str) -> Center | None:
    """The center whose networks contain the IP ``address`` (None for an address outside all)."""
    try:
        net = ParsedNetwork.parse(address)
    except RegistryError:
        return None
    hit = (
        CenterNetwork.objects.filter(version=net.version, first__lte=net.first, last__gte=net.last)
        .select_related("center")
        .first()
    )
    return hit.center if hit else None


# --- centers ----------------------------------------------------------------------------------


class Neighbours:
    """What a center's rules ask about the rest of the registry. The services ask the database;
    an import answers from the registry it loaded once and from the rows before
    (``importexport``), so that both apply the same rules."""

    # Whether full_clean checks that the center's references exist: an import resolved them
    # itself, and the host institution it registers has no key yet.
    check_references = True

    def same_code(self, center: Center) -> Center | None:
        """Another center with the center's code."""
        return Center.objects.filter(code=center.code).exclude(pk=center.pk).first()

    def open_regional(self, center: Center) -> Center | None:
        """Another open regional center in the center's region."""
        if center.region_id is None:
            return None
        return (
            Center.objects.filter(
                region_id=center.region_id, kind=Kind.REGIONAL, status=Status.OPEN
            )
            .exclude(pk=center.pk)
            .first()
        )

    def coordinator_for(self, center: Center) -> Center | None:
        """The regional center of the center's region: the open one, else one not closed."""
        if center.region_id is None:
            return None
        candidates = Center.objects.filter(region_id=center.region_id, kind=Kind.REGIONAL)
        return (
            candidates.filter(status=Status.OPEN).first()
            or candidates.exclude(status=Status.CLOSED).first()
        )

    def network_clash(self, center: Center, net: ParsedNetwork) -> tuple[str, Center] | None:
        """A network of another center that overlaps ``net``: (its CIDR, its center)."""
        clash = (
            CenterNetwork.objects.filter(
                version=net.version, first__lte=net.last, last__gte=net.first
            )
            .exclude(center_id=center.pk)
            .select_related("center")
            .first()
        )
        return (clash.cidr, clash.center) if clash else None

    def last_status_date(self, center: Center) -> datetime.date | None:
        last = center.status_history.order_by("-changed_on", "-id").first()
        return last.changed_on if last else None


DATABASE = Neighbours()


def center_search_text(center: Center) -> str:
    parts = [center.code, center.name_ru, center.name_en, center.address, center.address_en]
    for related in (center.institution, center.region, center.country):
        if related is not None:
            parts += [related.name_ru, related.name_en]
    return normalize_search(" ".join(p for p in parts if p))


def _validate_center(center: Center, neighbours: Neighbours) -> None:
    """Every rule that concerns one center and its neighbours; raises all errors at once."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    center.code = (center.code or "").strip().upper()
    if not CODE_RE.match(center.code):
        add(
            "code",
            _(
                "A code is 2–32 Latin capital letters, digits, dots, dashes or underscores "
                "(such as RU-TVE-RC)."
            ),
        )
    else:
        other = neighbours.same_code(center)
        if other:
            add(
                "code",
                _("Code {code} is already used by center “{name}”.").format(
                    code=center.code, name=other.name
                ),
            )

    if center.kind == Kind.FOREIGN:
        if center.region_id:
            add("region", _("A foreign center has a country, not a region."))
        if not center.country_id:
            add("country", _("A foreign center needs its country."))
    else:
        if center.country_id:
            add("country", _("A center in Russia has a region, not a country."))
        if not center.region_id:
            add("region", _("A center in Russia needs its region."))

    coordinator = center.regional_center
    if coordinator is not None:
        if center.kind != Kind.REMOTE:
            add(
                "regional_center",
                _("Only a remote access center is coordinated by a regional center."),
            )
        elif coordinator.kind != Kind.REGIONAL:
            add(
                "regional_center",
                _("Center {code} is not a regional center.").format(code=coordinator.code),
            )
        elif coordinator.region_id != center.region_id:
            add(
                "regional_center",
                _(
                    "A remote access center is coordinated by the regional "
                    "center of its own region; {code} is in {region}."
                ).format(code=coordinator.code, region=coordinator.region),
            )

    if center.kind == Kind.REGIONAL and center.status == Status.OPEN and center.region_id:
        other = neighbours.open_regional(center)
        if other:
            add(
                "status",
                _("{region} already has an open regional center: {code} “{name}”.").format(
                    region=center.region, code=other.code, name=other.name
                ),
            )

    if (center.latitude is None) != (center.longitude is None):
        add("latitude", _("Give both latitude and longitude, or neither."))

    exclude = ["code", "search_text", "regional_center"]
    if not neighbours.check_references:
        exclude += ["institution", "region", "country"]
    try:
        center.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                add(field, message)
    for name, bound in (("latitude", 90), ("longitude", 180)):
        value = getattr(center, name)
        # After full_clean, which turned text into numbers (or reported it).
        if name not in errors and value is not None and not -bound <= value <= bound:
            add(
                name,
                _("{value} is not a number from -{bound} to {bound}.").format(
                    value=value, bound=bound
                ),
            )
    if center.opened_on and center.closed_on and center.closed_on < center.opened_on:
        add("closed_on", _("A center cannot close before it opens."))
    if errors:
        raise RegistryError(errors)


def _default_coordinator(center: Center, neighbours: Neighbours) -> None:
    """A remote access center with no coordinator gets its region's regional center."""
    if center.kind == Kind.REMOTE and center.regional_center is None and center.region_id:
        center.regional_center = neighbours.coordinator_for(center)


def _save(center: Center) -> None:
    center.search_text = center_search_text(center)
    registry_changed()
    try:
        with transaction.atomic():
            center.save()
    except IntegrityError as exc:
        # A concurrent writer got past the checks first; the constraint caught it.
        logger.warning("center %s refused by the database: %s", center.code, exc)
        raise RegistryError(
            _(
                "Another change to the registry was saved at the same time and conflicts with "
                "this one; reload the page and try again."
            )
        ) from exc


def center_snapshot(center: Center) -> dict[str, Any]:
    """A center's fields as the audit trail compares them (references by key)."""
    snap = {
        f: getattr(
            center,
            f if f not in ("institution", "region", "country", "regional_center") else f + "_id",
        )
        for f in CENTER_FIELDS
    }
    snap["status"] = center.status
    return snap


def center_check_new(
    *,
    actor: Any,
    center: Center,
    status_date: datetime.date | None,
    networks: list[str] | list[ParsedNetwork] | str,
    neighbours: Neighbours = DATABASE,
) -> tuple[list[ParsedNetwork], datetime.date]:
    """Every rule for registering ``center`` (not saved yet): the actor's scope, the status and
    the dates it implies, the coordinator (the region's by default), the fields, the neighbours,
    the networks. Raises ``RegistryError``; returns the parsed networks and the date of the
    first status."""
    _authorize(actor, Capability.EDIT_CENTER, center, existing=False)
    status = center.status
    if status not in STATUSES:
        raise RegistryError({"status": _("Unknown status “{value}”.").format(value=status)})
    if status == Status.OPEN and center.opened_on is None:
        center.opened_on = status_date or timezone.localdate()
    if status == Status.CLOSED and center.closed_on is None:
        center.closed_on = status_date or timezone.localdate()
    _default_coordinator(center, neighbours)
    _validate_center(center, neighbours)
    parsed = center_check_networks(
        actor=actor, center=center, networks=networks, neighbours=neighbours
    )
    first_date = status_date or timezone.localdate()
    if status_date is None and status in (Status.CLOSED, Status.OPEN):
        first_date = (
            center.closed_on if status == Status.CLOSED else center.opened_on
        ) or first_date
    return parsed, first_date


@transaction.atomic
def center_create(
    *,
    actor: Any,
    code: str,
    kind: str,
    name_ru: str,
    institution: Institution,
    name_en: str = "",
    region: Region | None = None,
    country: Country | None = None,
    regional_center: Center | None = None,
    status: str = Status.PLANNED,
    status_date: datetime.date | None = None,
    networks: list[str] | str = "",
    **details: Any,
) -> Center:
    """Register a center with its first status (dated ``status_date``, else the opening date
    of an open center, else today) and its IP networks."""
    unknown = set(details) - set(CENTER_FIELDS)
    if unknown:
        raise TypeError(f"unknown center fields: {sorted(unknown)}")
    center = Center(
        code=code,
        kind=kind,
        name_ru=name_ru,
        name_en=name_en,
        institution=institution,
        region=region,
        country=country,
        regional_center=regional_center,
        status=status,
        **details,
    )
    parsed, first_date = center_check_new(
        actor=actor, center=center, status_date=status_date, networks=networks
    )
    _save(center)
    _replace_networks(center, parsed)
    CenterStatusChange.objects.create(
        center=center, status=status, changed_on=first_date, changed_by=actor_user(actor)
    )
    audit_record(
        actor=actor,
        action="center.create",
        obj=center,
        changes={"networks": [n.cidr for n in parsed]},
    )
    return center


@transaction.atomic
def center_update(
    *, actor: Any, center: Center, networks: list[str] | str | None = None, **fields: Any
) -> Center:
    """Change a center's card (any of ``CENTER_FIELDS``) and, when given, its networks.

    Status has its own service, ``center_change_status``, since it keeps a dated history.
    """
    unknown = set(fields) - set(CENTER_FIELDS)
    if unknown:
        raise TypeError(f"unknown center fields: {sorted(unknown)}")
    return _update(
        actor=actor,
        center=center,
        capability=Capability.EDIT_CENTER,
        networks=networks,
        fields=fields,
    )


def center_check_update(
    *,
    actor: Any,
    center: Center,
    capability: Capability,
    fields: dict[str, Any],
    neighbours: Neighbours = DATABASE,
) -> dict[str, list[Any]]:
    """Set ``fields`` on ``center`` (in memory) under every rule: the actor's scope before and
    after, the coordinator, the fields, the neighbours. Raises ``RegistryError``; returns the
    changes as the audit trail records them."""
    _authorize(actor, capability, center, existing=True)
    if "code" in fields and fields["code"] != center.code:
        # Links, imports, SUSHI customers and reports name the center by its code.
        raise RegistryError(
            {"code": _("A center's code is kept for good once registered; it cannot change.")}
        )
    before = center_snapshot(center)
    for name, value in fields.items():
        setattr(center, name, value)
    # A head may not move a center out of their region, nor make it foreign.
    _authorize(actor, capability, center, existing=False)
    if "region" in fields and "regional_center" not in fields:
        center.regional_center = None
    _default_coordinator(center, neighbours)
    _validate_center(center, neighbours)
    return model_changes(before, center_snapshot(center))


def _update(
    *,
    actor: Any,
    center: Center,
    capability: Capability,
    networks: list[str] | str | None,
    fields: dict[str, Any],
) -> Center:
    center = Center.objects.select_for_update().get(pk=center.pk)
    changes = center_check_update(actor=actor, center=center, capability=capability, fields=fields)
    if networks is not None:
        parsed = center_check_networks(
            actor=actor, center=center, networks=networks, neighbours=DATABASE
        )
        old = sorted(center.networks.values_list("cidr", flat=True))
        new = sorted(n.cidr for n in parsed)
        if old != new:
            _replace_networks(center, parsed)
            changes["networks"] = [old, new]
    _save(center)
    if changes:
        audit_record(actor=actor, action="center.update", obj=center, changes=changes)
    return center


@transaction.atomic
def center_update_contacts(*, actor: Any, center: Center, **contacts: Any) -> Center:
    """What a center operator may change: the contacts and opening hours."""
    unknown = set(contacts) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"not contact fields: {sorted(unknown)}")
    return _update(
        actor=actor,
        center=center,
        capability=Capability.EDIT_CENTER_CONTACTS,
        networks=None,
        fields=contacts,
    )


def center_check_status(
    *,
    actor: Any,
    center: Center,
    status: str,
    changed_on: datetime.date | None,
    neighbours: Neighbours = DATABASE,
) -> tuple[str, datetime.date]:
    """Move ``center`` (in memory) to ``status`` under every rule: the actor's scope, the
    allowed transitions, the date (not in the future, not before the last change), the dates
    it sets, the neighbours. Raises ``RegistryError``; returns the old status and the date."""
    _authorize(actor, Capability.EDIT_CENTER, center, existing=True)
    changed_on = changed_on or timezone.localdate()
    if status not in STATUSES:
        raise RegistryError({"status": _("Unknown status “{value}”.").format(value=status)})
    if status == center.status:
        raise RegistryError(
            {"status": _("The center is already {status}.").format(status=Status(status).label)}
        )
    if status not in TRANSITIONS[center.status]:
        raise RegistryError(
            {
                "status": _("A center cannot go from {old} to {new}.").format(
                    old=Status(center.status).label, new=Status(status).label
                )
            }
        )
    if changed_on > timezone.localdate():
        raise RegistryError({"changed_on": _("A status change cannot be dated in the future.")})
    last = neighbours.last_status_date(center)
    if last and changed_on < last:
        raise RegistryError(
            {
                "changed_on": _("The date cannot precede the last change ({date}).").format(
                    date=last.isoformat()
                )
            }
        )
    old_status = center.status
    center.status = status
    if status == Status.OPEN:
        if old_status == Status.CLOSED or center.opened_on is None:
            center.opened_on = changed_on
        center.closed_on = None
    elif status == Status.CLOSED:
        center.closed_on = changed_on
    _validate_center(center, neighbours)
    return old_status, changed_on


@transaction.atomic
def center_change_status(
    *,
    actor: Any,
    center: Center,
    status: str,
    changed_on: datetime.date | None = None,
    note: str = "",
) -> Center:
    """Move a center along planned → approved → open → suspended → closed, keeping the dated
    history; opening sets the opening date, closing the closing date (the center stays)."""
    center = Center.objects.select_for_update().get(pk=center.pk)
    old_status, changed_on = center_check_status(
        actor=actor, center=center, status=status, changed_on=changed_on
    )
    _save(center)
    CenterStatusChange.objects.create(
        center=center, status=status, changed_on=changed_on, note=note, changed_by=actor_user(actor)
    )
    audit_record(
        actor=actor,
        action="center.status",
        obj=center,
        changes={"status": [old_status, status], "changed_on": changed_on.isoformat()},
    )
    return center


def center_close(
    *, actor: Any, center: Center, closed_on: datetime.date | None = None, note: str = ""
) -> Center:
    return center_change_status(
        actor=actor, center=center, status=Status.CLOSED, changed_on=closed_on, note=note
    )


def actor_user(actor: Any) -> Any:
    """The user to record as having made a change (None for the system)."""
    return actor if getattr(actor, "pk", None) else None


# --- institutions and reference data -------------------------------------------------------------

INSTITUTION_FIELDS = ("name_ru", "name_en", "kind", "address", "address_en", "website")


def _refresh_center_search(centers: Any) -> None:
    for center in centers.select_related("institution", "region", "country"):
        Center.objects.filter(pk=center.pk).update(search_text=center_search_text(center))


def institution_check_new(*, actor: Any, **fields: Any) -> Institution:
    """A host institution, not saved yet, checked: the actor's capability and its fields."""
    _require(actor, Capability.EDIT_INSTITUTION)
    institution = Institution(**fields)
    try:
        institution.full_clean()
    except ValidationError as exc:
        raise RegistryError(exc.message_dict) from exc
    return institution


@transaction.atomic
def institution_create(*, actor: Any, **fields: Any) -> Institution:
    """Register a host institution."""
    institution = institution_check_new(actor=actor, **fields)
    institution.save()
    registry_changed()
    audit_record(actor=actor, action="institution.create", obj=institution)
    return institution


@transaction.atomic
def institution_update(*, actor: Any, institution: Institution, **fields: Any) -> Institution:
    """Change an institution; its centers' search text follows the new names."""
    _require(actor, Capability.EDIT_INSTITUTION)
    before = {f: getattr(institution, f) for f in INSTITUTION_FIELDS}
    for name, value in fields.items():
        if name not in INSTITUTION_FIELDS:
            raise TypeError(f"unknown institution field: {name}")
        setattr(institution, name, value)
    try:
        institution.full_clean()
    except ValidationError as exc:
        raise RegistryError(exc.message_dict) from exc
    institution.save()
    registry_changed()
    changes = model_changes(before, {f: getattr(institution, f) for f in INSTITUTION_FIELDS})
    if changes:
        _refresh_center_search(institution.centers.all())
        audit_record(actor=actor, action="institution.update", obj=institution, changes=changes)
    return institution


@transaction.atomic
def reference_update(
    *,
    actor: Any,
    obj: Region | Country | FederalDistrict,
    name_ru: str,
    name_en: str,
    federal_district: FederalDistrict | None = None,
) -> Region | Country | FederalDistrict:
    """Correct the names (and a region's district) of reference data, which staff keep."""
    _require(actor, Capability.EDIT_REFERENCE_DATA)
    before = {"name_ru": obj.name_ru, "name_en": obj.name_en}
    obj.name_ru, obj.name_en = name_ru.strip(), name_en.strip()
    if isinstance(obj, Region) and federal_district is not None:
        obj.federal_district = federal_district
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise RegistryError(exc.message_dict) from exc
    obj.save()
    registry_changed()
    changes = model_changes(before, {"name_ru": obj.name_ru, "name_en": obj.name_en})
    if isinstance(obj, (Region, Country)):
        _refresh_center_search(obj.centers.all())
    audit_record(actor=actor, action="reference.update", obj=obj, changes=changes)
    return obj


@transaction.atomic
def staff_role_assign(
    *, actor: Any, user: Any, role: str, center: Center | None = None, region: Region | None = None
) -> StaffRole:
    """Give ``user`` a role with its scope (a center for operators, a region for heads)."""
    staff_role = StaffRole(user=user, role=role, center=center, region=region)
    try:
        staff_role.full_clean()
    except ValidationError as exc:
        raise RegistryError(exc.messages) from exc
    existing = StaffRole.objects.filter(user=user, role=role, center=center, region=region).first()
    if existing:
        return existing
    staff_role.save()
    audit_record(actor=actor, action="staff_role.assign", obj=staff_role)
    return staff_role
