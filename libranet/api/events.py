"""The network's events: published ones public (list and detail, by region, center, kind and
dates); staff enter and change the events of the centers in their scope through the same
services as the back office (a save from an older revision is 409)."""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import field_validator

from libranet.events import selectors, services
from libranet.events.models import DEFAULT_TIME_ZONE, Event
from libranet.network.models import Center
from libranet.network.permissions import Capability, events_scope
from libranet.revisions import EditConflict

from .auth import WRITE_AUTH, require
from .pagination import paginate
from .schemas import BodyIn, Day, ErrorOut, Moment, PageQuery, Text, _blank_to_none, errors

router = Router(tags=["events"])

Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
EventKind = Literal[
    "contest",
    "lecture",
    "exhibition",
    "book_presentation",
    "round_table",
    "meeting",
    "video_conference",
    "forum",
    "other",
]


class EventQuery(Schema):
    region: str | None = Field(None, description="ISO code of an organiser's region or country.")
    center: str | None = Field(None, description="Code of an organising center.")
    kind: EventKind | None = None
    start: Day | None = Field(None, alias="from", description="Events ending on or after this day.")
    to: Day | None = Field(None, description="Events starting on or before this day.")

    _blank = field_validator("region", "center", mode="before")(_blank_to_none)


class EventOut(Schema):
    id: int
    revision: int = Field(description="Send it back with PATCH: a save from an older one is 409.")
    kind: str
    title_ru: str
    title_en: str
    description_ru: str = Field(description="Cleaned markup (an allow-list of elements).")
    description_en: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    time_zone: str
    venue_ru: str
    venue_en: str
    online: bool
    online_link: str
    partners: str
    audience: str
    participants_hall: int
    participants_online: int
    connection_points: int
    video_links: list[str]
    joint_with_library: bool
    published: bool
    centers: list[str] = Field(description="Codes of the organising centers.")
    photos: list[str] = Field(description="Addresses of the photos.")

    @staticmethod
    def resolve_centers(obj: Event) -> list[str]:
        return [c.code for c in obj.centers.all()]

    @staticmethod
    def resolve_photos(obj: Event) -> list[str]:
        return [reverse("events:photo", args=[p.pk]) for p in obj.photos.all()]


class EventPage(Schema):
    count: int
    items: list[EventOut]


class EventIn(BodyIn):
    kind: EventKind
    title_ru: str = Field(max_length=300)
    title_en: Text = Field("", max_length=300)
    centers: list[str] = Field(min_length=1, max_length=50, description="Organisers' codes.")
    starts_at: Moment = Field(description="With its UTC offset.")
    ends_at: Moment
    time_zone: str = Field(DEFAULT_TIME_ZONE, max_length=64, description="IANA name.")
    description_ru: Text = Field("", max_length=20000)
    description_en: Text = Field("", max_length=20000)
    venue_ru: Text = Field("", max_length=500)
    venue_en: Text = Field("", max_length=500)
    online: bool = False
    online_link: Text = Field("", max_length=200)
    partners: Text = Field("", max_length=500)
    audience: Text = Field("", max_length=300)
    participants_hall: int = Field(0, ge=0, le=10**6)
    participants_online: int = Field(0, ge=0, le=10**7)
    connection_points: int = Field(0, ge=0, le=10**5)
    video_links: list[str] = Field(default_factory=list, max_length=20)
    joint_with_library: bool = False
    published: bool = True


class EventPatch(BodyIn):
    """Only the fields given change; ``revision`` is the one read (GET)."""

    revision: int = Field(ge=1, le=2**31 - 1)
    kind: EventKind | None = None
    title_ru: str | None = Field(None, max_length=300)
    title_en: Text | None = Field(None, max_length=300)
    centers: list[str] | None = Field(None, min_length=1, max_length=50)
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    time_zone: str | None = Field(None, max_length=64)
    description_ru: Text | None = Field(None, max_length=20000)
    description_en: Text | None = Field(None, max_length=20000)
    venue_ru: Text | None = Field(None, max_length=500)
    venue_en: Text | None = Field(None, max_length=500)
    online: bool | None = None
    online_link: Text | None = Field(None, max_length=200)
    partners: Text | None = Field(None, max_length=500)
    audience: Text | None = Field(None, max_length=300)
    participants_hall: int | None = Field(None, ge=0, le=10**6)
    participants_online: int | None = Field(None, ge=0, le=10**7)
    connection_points: int | None = Field(None, ge=0, le=10**5)
    video_links: list[str] | None = Field(None, max_length=20)
    joint_with_library: bool | None = None
    published: bool | None = None


def _centers(codes: list[str]) -> list[Center]:
    found = {c.code: c for c in Center.objects.filter(code__in=[c.upper() for c in codes])}
    missing = [c for c in codes if c.upper() not in found]
    if missing:
        raise ValidationError(
            {"centers": _("There is no center with code “{code}”.").format(code=missing[0])}
        )
    return list(found.values())


def _read(event_id: int) -> Event:
    return Event.objects.prefetch_related("centers", "photos").get(pk=event_id)


def _aware(fields: dict[str, Any]) -> None:
    for name in ("starts_at", "ends_at"):
        value = fields.get(name)
        if isinstance(value, datetime.datetime) and value.tzinfo is None:
            raise ValidationError({name: _("Give the time with its UTC offset.")})


@router.get("/events", response={200: EventPage}, summary="List events")
def list_events(request: HttpRequest, filters: Query[EventQuery], page: Query[PageQuery]):
    """Published events by start, filtered by an organiser's region (or country), center, kind
    and dates."""
    events = selectors.filtered(
        Event.objects.filter(published=True).order_by("starts_at", "pk"),
        selectors.EventFilters(
            region=(filters.region or "").strip().upper(),
            center=(filters.center or "").strip().upper(),
            kind=filters.kind or "",
        ),
    )
    if filters.start:
        events = events.filter(ends_at__date__gte=filters.start)
    if filters.to:
        events = events.filter(starts_at__date__lte=filters.to)
    return paginate(events.prefetch_related("centers", "photos"), page)


@router.get(
    "/events/{event_id}",
    response={200: EventOut},
    summary="Read an event",
    url_name="event_detail",
)
def read_event(request: HttpRequest, event_id: Id):
    """One published event."""
    event = Event.objects.filter(pk=event_id, published=True).first()
    if event is None:
        raise HttpError(404, _("There is no event with id {id}.").format(id=event_id))
    return _read(event.pk)


@router.post(
    "/events",
    auth=WRITE_AUTH,
    response={201: EventOut, **errors(403)},
    summary="Enter an event",
)
def create_event(request: HttpRequest, payload: EventIn, response: HttpResponse):
    """Enter an event organised by centers in the caller's scope (an operator their own, a
    regional-center head their region's, international relations the foreign ones)."""
    user = request.auth
    require(user, Capability.EDIT_EVENTS)
    fields = payload.model_dump()
    _aware(fields)
    centers = _centers(fields.pop("centers"))
    event = services.event_create(actor=user, centers=centers, **fields)
    response["Location"] = reverse("api:event_detail", kwargs={"event_id": event.pk})
    return Status(201, _read(event.pk))


@router.patch(
    "/events/{event_id}",
    auth=WRITE_AUTH,
    response={200: EventOut, 409: ErrorOut, **errors(403)},
    summary="Change an event",
)
def update_event(request: HttpRequest, event_id: Id, payload: EventPatch):
    """Change the given fields of an event one of whose organisers is in the caller's scope.
    ``revision`` is the one read: if someone saved the event since, nothing is written and the
    answer is 409 with the other person's values by field in ``errors``."""
    user = request.auth
    require(user, Capability.EDIT_EVENTS)
    event = Event.objects.filter(events_scope(user), pk=event_id).first()
    if event is None:
        raise HttpError(404, _("There is no event with id {id}.").format(id=event_id))
    given = payload.model_dump(exclude_unset=True)
    revision = given.pop("revision")
    nulls = [n for n, v in given.items() if v is None]
    if nulls:
        raise ValidationError({n: [_("This field cannot be null.")] for n in nulls})
    _aware(given)
    centers = _centers(given.pop("centers")) if "centers" in given else None
    try:
        services.event_update(actor=user, event=event, revision=revision, centers=centers, **given)
    except EditConflict as exc:
        return Status(
            409,
            {
                "message": str(exc.message),
                "errors": {d.field: [str(d.stored)] for d in exc.differences},
            },
        )
    return _read(event.pk)
