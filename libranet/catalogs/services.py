"""Registering and changing partner catalogs, each change in one transaction, audited. Every
door (the back office, the API, ``manage.py catalog_source``, the demo) calls these; ``actor``
None is the system itself, which no role limits.

Registering checks the source over OAI-PMH (unless ``check=False``): Identify (whose answers
are kept: the repository's name, its datestamp granularity, its earliest datestamp, how it
keeps deleted records), ListMetadataFormats (the prefix must be offered) and, when sets are
given, ListSets (each must exist). What fails is a ``ValidationError`` on the field concerned.
"""

import fnmatch
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from libranet.audit.services import audit_record, model_changes
from libranet.network.models import Institution
from libranet.network.permissions import Capability, can
from libranet.network.services import RegistryError, ScopeError
from libranet.revisions import revision_bump, revision_check

from .client import SourceClient, SourceError
from .harvesting import run_under_way
from .models import CatalogSource, HarvestSchedule, RecordFormat


class CatalogError(RegistryError):
    """A source refused: its messages by field, like ValidationError."""


SOURCE_FIELDS = (
    "name",
    "institution",
    "base_url",
    "metadata_prefix",
    "record_format",
    "sets",
    "schedule",
    "record_link",
    "active",
)
# What the protocol allows in a metadata prefix and a set spec (OAI-PMH 2.0 schema).
_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
_SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
_PLACEHOLDERS = ("{identifier}", "{local_id}")


def _require(actor: Any) -> None:
    if actor is not None and not can(actor, Capability.MANAGE_CATALOG_SOURCES):
        raise ScopeError({"__all__": _("Your role does not allow managing partner catalogs.")})


def _labels() -> dict[str, str]:
    fields = (CatalogSource._meta.get_field(name) for name in SOURCE_FIELDS)
    return {f.name: str(getattr(f, "verbose_name", f.name)) for f in fields}


def clean_base_url(value: str) -> str:
    url = (value or "").strip()
    if not url:
        raise CatalogError({"base_url": _("Enter the source's OAI-PMH base URL.")})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise CatalogError(
            {"base_url": _("Enter an http:// or https:// address (the OAI-PMH base URL).")}
        ) from exc
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise CatalogError({"base_url": _("The address must not carry a user name or password.")})
    if parts.query or parts.fragment:
        raise CatalogError({"base_url": _("Give the base URL alone, without “?verb=…” or “#…”.")})
    host = (parts.hostname or "").lower()
    if not any(fnmatch.fnmatchcase(host, p.lower()) for p in settings.LIBRANET_HARVEST_HOSTS):
        raise CatalogError(
            {"base_url": _("Sources at {host} may not be harvested here.").format(host=host)}
        )
    return url


def clean_sets(values: Iterable[str]) -> list[str]:
    if isinstance(values, str):
        values = values.split()
    sets = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    for spec in sets:
        if not _SET_SPEC.fullmatch(spec):
            raise CatalogError(
                {
                    "sets": _(
                        "“{spec}” is not a set spec (letters, digits, -_.!~*'() and “:”)."
                    ).format(spec=spec)
                }
            )
    return sets


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields as stored, or a ValidationError naming the first wrong one."""
    cleaned = dict(fields)
    if "institution" in fields and not isinstance(fields["institution"], Institution):
        raise CatalogError({"institution": _("Choose the holding library.")})
    if "base_url" in fields:
        cleaned["base_url"] = clean_base_url(fields["base_url"])
    if "metadata_prefix" in fields:
        prefix = (fields["metadata_prefix"] or "").strip()
        if not _PREFIX.fullmatch(prefix):
            message = _("Enter the metadata prefix the source uses (oai_dc, marc21…).")
            raise CatalogError({"metadata_prefix": message})
        cleaned["metadata_prefix"] = prefix
    if "record_format" in fields and fields["record_format"] not in RecordFormat.values:
        raise CatalogError(
            {
                "record_format": _("Unknown record format; choose one of: {formats}.").format(
                    formats=", ".join(RecordFormat.values)
                )
            }
        )
    if "schedule" in fields and fields["schedule"] not in HarvestSchedule.values:
        raise CatalogError(
            {
                "schedule": _("Unknown schedule; choose one of: {schedules}.").format(
                    schedules=", ".join(HarvestSchedule.values)
                )
            }
        )
    if "sets" in fields:
        cleaned["sets"] = clean_sets(fields["sets"] or ())
    if "record_link" in fields:
        link = (fields["record_link"] or "").strip()
        if link and (
            not link.startswith(("http://", "https://"))
            or not any(p in link for p in _PLACEHOLDERS)
        ):
            raise CatalogError(
                {
                    "record_link": _(
                        "Enter an http(s) address with {identifier} or {local_id} where the "
                        "record's identifier goes."
                    )
                }
            )
        cleaned["record_link"] = link
    if "name" in fields:
        cleaned["name"] = " ".join((fields["name"] or "").split())[:300]
    return cleaned


def source_check(
    *, base_url: str, metadata_prefix: str, sets: Iterable[str] = ()
) -> dict[str, str]:
    """Ask the source: Identify, ListMetadataFormats, ListSets. Returns what Identify says as
    the model's fields; a ValidationError names the field that is wrong."""
    client = SourceClient(base_url, check=True)
    try:
        identity = client.identify()
    except SourceError as exc:
        raise CatalogError({"base_url": exc.reason}) from exc
    try:
        prefixes = client.metadata_prefixes()
    except SourceError as exc:
        raise CatalogError({"metadata_prefix": exc.reason}) from exc
    if metadata_prefix not in prefixes:
        raise CatalogError(
            {
                "metadata_prefix": _(
                    "The source does not offer “{prefix}”; it offers: {offered}."
                ).format(prefix=metadata_prefix, offered=", ".join(prefixes) or "—")
            }
        )
    sets = list(sets)
    if sets:
        try:
            specs = set(client.set_specs())
        except SourceError as exc:
            if exc.code == "noSetHierarchy":
                raise CatalogError({"sets": _("The source has no sets.")}) from exc
            raise CatalogError({"sets": exc.reason}) from exc
        unknown = [spec for spec in sets if spec not in specs]
        if unknown:
            raise CatalogError(
                {"sets": _("The source has no set: {sets}.").format(sets=", ".join(unknown))}
            )
    return {
        "repository_name": identity["repositoryName"][:300],
        "granularity": identity["granularity"][:32],
        "earliest_datestamp": identity["earliestDatestamp"][:32],
        "deleted_record": identity["deletedRecord"][:16],
    }


@transaction.atomic
def source_register(
    *,
    actor: Any,
    institution: Institution,
    base_url: str,
    metadata_prefix: str,
    record_format: str,
    sets: Iterable[str] = (),
    schedule: str = HarvestSchedule.DAILY,
    record_link: str = "",
    check: bool = True,
    name: str = "",
) -> CatalogSource:
    """Register a partner's OAI-PMH repository, checked first unless ``check=False``; its name
    is ``name``, else the repository's own name, else the holding library's."""
    _require(actor)
    fields = _clean(
        {
            "institution": institution,
            "base_url": base_url,
            "metadata_prefix": metadata_prefix,
            "record_format": record_format,
            "sets": sets,
            "schedule": schedule,
            "record_link": record_link,
            "name": name,
        }
    )
    if CatalogSource.objects.filter(base_url=fields["base_url"]).exists():
        raise CatalogError({"base_url": _("A source with this address is registered already.")})
    identity = (
        source_check(
            base_url=fields["base_url"],
            metadata_prefix=fields["metadata_prefix"],
            sets=fields["sets"],
        )
        if check
        else {}
    )
    name = fields["name"] or identity.get("repository_name") or institution.name_ru
    fields["name"] = (name or institution.name_en)[:300]
    source = CatalogSource.objects.create(**fields, **identity)
    audit_record(
        actor=actor,
        action="catalog_source.register",
        obj=source,
        changes=model_changes({}, {f: getattr(source, f) for f in SOURCE_FIELDS}),
    )
    return source


@transaction.atomic
def source_update(
    *,
    actor: Any,
    source: CatalogSource,
    revision: int | None = None,
    check: bool = True,
    **fields: Any,
) -> CatalogSource:
    """Change a source's settings (any of ``SOURCE_FIELDS``); a save from a stale copy is an
    ``EditConflict``. A new address, prefix or sets are checked again (unless ``check=False``)."""
    _require(actor)
    unknown = set(fields) - set(SOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown catalog source fields: {', '.join(sorted(unknown))}")
    locked = CatalogSource.objects.select_for_update().get(pk=source.pk)
    cleaned = _clean(fields)
    revision_check(locked, revision, cleaned, _labels())
    before = {f: getattr(locked, f) for f in SOURCE_FIELDS}
    if "name" in cleaned and not cleaned["name"]:
        raise CatalogError({"name": _("Enter the source's name.")})
    others = CatalogSource.objects.exclude(pk=locked.pk)
    if "base_url" in cleaned and others.filter(base_url=cleaned["base_url"]).exists():
        raise CatalogError({"base_url": _("A source with this address is registered already.")})
    for name, value in cleaned.items():
        setattr(locked, name, value)
    asked_again = any(
        before[f] != getattr(locked, f) for f in ("base_url", "metadata_prefix", "sets")
    )
    if check and asked_again:
        for name, value in source_check(
            base_url=locked.base_url, metadata_prefix=locked.metadata_prefix, sets=locked.sets
        ).items():
            setattr(locked, name, value)
    changes = model_changes(before, {f: getattr(locked, f) for f in SOURCE_FIELDS})
    if changes:
        revision_bump(locked)
        audit_record(actor=actor, action="catalog_source.update", obj=locked, changes=changes)
    return locked


@transaction.atomic
def source_deactivate(*, actor: Any, source: CatalogSource) -> CatalogSource:
    """Stop harvesting a source (its records stay); ``source_update(active=True)`` resumes."""
    _require(actor)
    locked = CatalogSource.objects.select_for_update().get(pk=source.pk)
    if locked.active:
        locked.active = False
        revision_bump(locked, ["active", "updated_at"])
        audit_record(
            actor=actor,
            action="catalog_source.deactivate",
            obj=locked,
            changes={"active": [True, False]},
        )
    return locked


@transaction.atomic
def harvest_request(*, actor: Any, source: CatalogSource, full: bool = False) -> None:
    """Queue a harvest of ``source`` for the task worker (after this transaction commits)."""
    from .tasks import harvest_source_task

    _require(actor)
    if not source.active:
        raise CatalogError({"__all__": _("The source is deactivated; activate it first.")})
    under_way = run_under_way(source)
    if under_way is not None:
        raise CatalogError(
            {
                "__all__": _(
                    "A harvest of this catalog is under way (run {run}, started {started}); "
                    "start another when it has finished."
                ).format(
                    run=under_way.pk,
                    started=date_format(
                        timezone.localtime(under_way.started_at), "SHORT_DATETIME_FORMAT"
                    ),
                )
            }
        )
    audit_record(
        actor=actor,
        action="catalog_source.harvest",
        obj=source,
        changes={"full": [None, full]},
    )
    transaction.on_commit(lambda: harvest_source_task.enqueue(source.pk, full), robust=True)
