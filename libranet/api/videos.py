"""Video for the Library's channel: the published videos for anyone; for staff (a token or a
session) every video they see in the back office (all for the department); submitting a video
by a link to YouTube, VK Video or RUTUBE, with the rules of the back office's form."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from libranet.events.models import Event
from libranet.network.models import Center
from libranet.network.permissions import Capability, can
from libranet.videos.models import Video
from libranet.videos.selectors import published_videos, videos_for
from libranet.videos.services import submit_video

from .auth import WRITE_AUTH, require, viewer
from .pagination import paginate
from .schemas import BodyIn, Day, PageQuery, Text, errors

router = Router(tags=["videos"])
OPTIONAL_AUTH: dict[str, Any] = {"security": [{"ApiTokenAuth": []}, {"SessionCookieAuth": []}, {}]}


class VideoOut(Schema):
    id: int
    center: str = Field(description="Code of the submitting center.")
    title_ru: str
    title_en: str
    description_ru: str = Field(description="Cleaned markup (an allow-list of HTML).")
    description_en: str
    link: str = Field(description="The video on its hosting service (empty for a file).")
    embed_url: str = Field(description="The hosting service's player (empty for a file).")
    file_url: str = Field(description="The uploaded file's address (empty for a link).")
    event: int | None = Field(description="Id of the event filmed (/api/v1/events), if entered.")
    event_name: str = Field(description="The event's title, or its name as typed.")
    event_date: datetime.date | None
    state: str = Field(description="submitted, accepted, declined or published")
    published_url: str = Field(description="Where on the Library's channel it is published.")
    published_at: datetime.datetime | None
    submitted_at: datetime.datetime

    # What staff see (null in the public list).
    consent: bool | None = None
    consent_note: str | None = None
    decision_comment: str | None = None
    revision: int | None = None


class VideoPage(Schema):
    count: int
    items: list[VideoOut]


class VideoIn(BodyIn):
    center: str = Field(max_length=40, description="Code of the center the video is from.")
    title_ru: str = Field(max_length=300)
    title_en: Text = Field("", max_length=300)
    description_ru: Text = Field("", max_length=20_000, description="Markup: an allow-list.")
    description_en: Text = Field("", max_length=20_000)
    link: str = Field(max_length=500, description="A video on YouTube, VK Video or RUTUBE.")
    event: int | None = Field(
        None, ge=1, le=2**63 - 1, description="Id of the event, one the center organised."
    )
    event_name: Text = Field(
        "", max_length=300, description="The event's name, when it is not entered."
    )
    event_date: Day | None = None
    consent: bool = Field(description="The people filmed consented to the publication.")
    consent_note: Text = Field("", max_length=500)


FIELDS = (
    "id",
    "title_ru",
    "title_en",
    "description_ru",
    "description_en",
    "link",
    "file_url",
    "event_date",
    "state",
    "published_url",
    "published_at",
    "submitted_at",
)
STAFF_FIELDS = ("consent", "consent_note", "decision_comment", "revision")


def _out(video: Video, *, staff: bool) -> dict[str, Any]:
    hosted = video.hosted
    return {
        **{name: getattr(video, name) for name in FIELDS},
        **{name: getattr(video, name) if staff else None for name in STAFF_FIELDS},
        "center": video.center.code,
        "event": video.event_id,
        "event_name": video.event_title,
        "embed_url": hosted.embed_url if hosted else "",
    }


@router.get(
    "/videos",
    response={200: VideoPage},
    summary="List the videos",
    openapi_extra=OPTIONAL_AUTH,
)
def list_videos(request: HttpRequest, page: Query[PageQuery]):
    """The published videos, latest first; staff (a token or a session) see every video of the
    centers they submit for (the department: all), with the consent and the decision."""
    user = viewer(request)
    if getattr(user, "is_authenticated", False) and can(user, Capability.SUBMIT_VIDEOS):
        found = paginate(videos_for(user).order_by("-submitted_at", "-pk"), page)
        found["items"] = [_out(v, staff=True) for v in found["items"]]
        return found
    found = paginate(published_videos(), page)
    found["items"] = [_out(v, staff=False) for v in found["items"]]
    return found


@router.post(
    "/videos",
    auth=WRITE_AUTH,
    response={201: VideoOut, **errors(403)},
    summary="Submit a video",
)
def create_video(request: HttpRequest, payload: VideoIn, response: HttpResponse):
    """Submit a center's video for the channel by its link: an operator for their center, a
    regional center's head for their region's. A link that is not one video on a known host,
    or no consent, is a 422 naming the field; nothing is written then."""
    user = request.auth  # type: ignore[attr-defined]
    require(user, Capability.SUBMIT_VIDEOS)
    fields = payload.model_dump()
    center = Center.objects.filter(code=fields.pop("center").upper()).first()
    if center is None:
        raise ValidationError({"center": _("There is no center with this code.")})
    require(user, Capability.SUBMIT_VIDEOS, center)
    if fields["event"] is not None:
        event = Event.objects.filter(pk=fields["event"]).first()
        if event is None:
            raise ValidationError({"event": _("There is no event with this id.")})
        fields["event"] = event
    video = submit_video(actor=user, center=center, **fields)
    return Status(201, _out(video, staff=True))
