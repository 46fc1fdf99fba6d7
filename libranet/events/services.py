"""Every change to events, their photos and the joint-event reports, with its rules: organisers
only within the actor's scope (``libranet.network.permissions``), an end after the start, text
cleaned by the allow-list (``libranet.markup``), pictures checked; audited; a refused change
saves nothing."""

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from libranet.audit.services import audit_record
from libranet.markup import check_image, clean_markup, plain_text
from libranet.network.models import Center
from libranet.network.permissions import (
    Capability,
    can,
    can_edit_event_center,
    joint_report_centers_for,
)
from libranet.revisions import revision_bump, revision_check

from .models import Event, EventPhoto, JointEventReport, ReportingRound

PLAIN_FIELDS = ("title_ru", "title_en", "venue_ru", "venue_en", "partners", "audience")
MARKUP_FIELDS = ("description_ru", "description_en")
EDITABLE_FIELDS = (
    *PLAIN_FIELDS,
    *MARKUP_FIELDS,
    "kind",
    "starts_at",
    "ends_at",
    "time_zone",
    "online",
    "online_link",
    "participants_hall",
    "participants_online",
    "connection_points",
    "video_links",
    "joint_with_library",
    "published",
)


def _check_organisers(actor: Any, centers: Iterable[Center], kept: Iterable[Center] = ()) -> None:
    """Refuse organisers outside the actor's scope (those already on the event may stay)."""
    centers = list(centers)
    if not centers:
        raise ValidationError({"centers": _("Name at least one organising center.")})
    if actor is None:
        return
    kept_ids = {c.pk for c in kept}
    outside = [c for c in centers if c.pk not in kept_ids and not can_edit_event_center(actor, c)]
    if outside:
        raise ValidationError(
            {
                "centers": _("You may not enter events for {centers}.").format(
                    centers=", ".join(c.name for c in outside)
                )
            }
        )


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    for name in PLAIN_FIELDS:
        if name in cleaned:
            cleaned[name] = plain_text(cleaned[name] or "")
    for name in MARKUP_FIELDS:
        if name in cleaned:
            cleaned[name] = clean_markup(cleaned[name] or "")
    if "video_links" in cleaned:
        links = [str(u).strip() for u in cleaned["video_links"] or [] if str(u).strip()]
        validate = URLValidator(schemes=["http", "https"])
        for link in links:
            try:
                validate(link)
            except ValidationError:
                raise ValidationError(
                    {"video_links": _("“{link}” is not a web address.").format(link=link)}
                ) from None
        cleaned["video_links"] = links
    return cleaned


def _validate(event: Event) -> None:
    errors: dict[str, str] = {}
    if not event.title_ru and not event.title_en:
        errors["title_ru"] = _("Give the event a title.")
    if event.starts_at and timezone.is_naive(event.starts_at):
        errors["starts_at"] = _("The start needs a time zone.")
    if event.starts_at and event.ends_at and event.ends_at < event.starts_at:
        errors["ends_at"] = _("The event ends before it starts.")
    try:
        zoneinfo.ZoneInfo(event.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = _("“{zone}” is not a known time zone.").format(zone=event.time_zone)
    if event.online and not event.online_link and not event.venue_ru and not event.venue_en:
        errors["online_link"] = _("Give the link to join the event online.")
    if errors:
        raise ValidationError(errors)
    event.full_clean(validate_constraints=False)


@transaction.atomic
def event_create(*, actor: Any, centers: Iterable[Center], **fields: Any) -> Event:
    """A new event organised by ``centers`` (all within the actor's scope)."""
    centers = list(centers)
    _check_organisers(actor, centers)
    event = Event(created_by=actor if getattr(actor, "pk", None) else None, **_clean_fields(fields))
    _validate(event)
    event.save()
    event.centers.set(centers)
    audit_record(
        actor=actor,
        action="event.create",
        obj=event,
        changes={"title": event.title_ru or event.title_en, "centers": [c.code for c in centers]},
    )
    return event


def _require_reach(actor: Any, event: Event) -> None:
    if actor is not None and not any(can_edit_event_center(actor, c) for c in event.centers.all()):
        raise PermissionDenied(_("This event is not one of your centers'."))


@transaction.atomic
def event_update(
    *,
    actor: Any,
    event: Event,
    revision: int | None = None,
    centers: Iterable[Center] | None = None,
    **fields: Any,
) -> Event:
    """Change an event reached through one of its organisers; a save from a stale copy is
    refused (``EditConflict``)."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _require_reach(actor, event)
    fields = _clean_fields(fields)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    revision_check(event, revision, fields)
    old_centers = list(event.centers.all())
    if centers is not None:
        centers = list(centers)
        _check_organisers(actor, centers, kept=old_centers)
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if getattr(event, name) != value:
            changes[name] = [str(getattr(event, name)), str(value)]
        setattr(event, name, value)
    _validate(event)
    revision_bump(event)
    if centers is not None and {c.pk for c in centers} != {c.pk for c in old_centers}:
        event.centers.set(centers)
        changes["centers"] = [[c.code for c in old_centers], [c.code for c in centers]]
    audit_record(actor=actor, action="event.update", obj=event, changes=changes)
    return event


@transaction.atomic
def event_delete(*, actor: Any, event: Event) -> None:
    event = Event.objects.select_for_update().get(pk=event.pk)
    _require_reach(actor, event)
    audit_record(actor=actor, action="event.delete", obj=event, changes={"title": event.title_ru})
    names = [p.image.name for p in event.photos.all()]
    event.delete()
    transaction.on_commit(lambda: _remove_files(names), robust=True)  # a store down: logged


def _remove_files(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


@transaction.atomic
def event_add_photo(
    *,
    actor: Any,
    event: Event,
    upload: IO[bytes],
    name: str,
    size: int,
    caption_ru: str = "",
    caption_en: str = "",
) -> EventPhoto:
    """Keep a photo of the event: an image (JPEG, PNG, WebP) within the limits, else refused
    naming the field ``photo``."""
    _require_reach(actor, event)
    try:
        content_type = check_image(upload, size=size)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from None
    photo = EventPhoto(
        event=event,
        content_type=content_type,
        caption_ru=plain_text(caption_ru),
        caption_en=plain_text(caption_en),
    )
    photo.image.save(name, File(upload, name=name), save=False)
    photo.save()
    audit_record(actor=actor, action="event.photo_add", obj=event, changes={"photo": photo.pk})
    return photo


@transaction.atomic
def event_remove_photo(*, actor: Any, photo: EventPhoto) -> None:
    _require_reach(actor, photo.event)
    name = photo.image.name
    audit_record(
        actor=actor, action="event.photo_remove", obj=photo.event, changes={"photo": photo.pk}
    )
    photo.delete()
    transaction.on_commit(lambda: _remove_files([name]), robust=True)


# --- joint-event reports ----------------------------------------------------------------------


def round_events(round_: ReportingRound, center: Center) -> QuerySet[Event]:
    """The region's joint events with the Library in the round's period (published or not)."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(round_.period_start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        round_.period_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return (
        Event.objects.filter(
            joint_with_library=True,
            starts_at__gte=start,
            starts_at__lt=end,
            centers__region=center.region,
        )
        .distinct()
        .order_by("starts_at", "pk")
    )


@transaction.atomic
def round_create(
    *,
    actor: Any,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    deadline: datetime.date,
) -> ReportingRound:
    """A reporting round, with a pending report for every open regional center."""
    if actor is not None and not can(actor, Capability.MANAGE_EVENT_REPORTS):
        raise PermissionDenied
    errors = {}
    if not plain_text(title):
        errors["title"] = _("Give the round a title.")
    if period_end < period_start:
        errors["period_end"] = _("The period ends before it starts.")
    if deadline < period_start:
        errors["deadline"] = _("The deadline comes before the period starts.")
    if errors:
        raise ValidationError(errors)
    round_ = ReportingRound.objects.create(
        title=plain_text(title),
        period_start=period_start,
        period_end=period_end,
        deadline=deadline,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    for center in Center.objects.filter(
        kind=Center.Kind.REGIONAL, status=Center.Status.OPEN
    ).order_by("code"):
        JointEventReport.objects.create(round=round_, regional_center=center)
    audit_record(
        actor=actor,
        action="event_round.create",
        obj=round_,
        changes={"title": round_.title, "deadline": deadline.isoformat()},
    )
    return round_


@transaction.atomic
def report_confirm(*, actor: Any, report: JointEventReport, note: str = "") -> JointEventReport:
    """The regional center's head confirms the region's list of joint events as it stands now
    (the events are kept with the report)."""
    report = JointEventReport.objects.select_for_update().get(pk=report.pk)
    if (
        actor is not None
        and not joint_report_centers_for(actor).filter(pk=report.regional_center_id).exists()
    ):
        raise PermissionDenied
    if report.state == JointEventReport.State.CONFIRMED:
        raise ValidationError({"state": _("This report is already confirmed.")})
    events = list(round_events(report.round, report.regional_center))
    report.state = JointEventReport.State.CONFIRMED
    report.confirmed_by = actor if getattr(actor, "pk", None) else None
    report.confirmed_at = timezone.now()
    report.note = plain_text(note)
    report.save()
    report.events.set(events)
    audit_record(
        actor=actor,
        action="event_report.confirm",
        obj=report.round,
        changes={"regional_center": report.regional_center.code, "events": len(events)},
    )
    return report
