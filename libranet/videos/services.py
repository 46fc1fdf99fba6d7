"""Every change to a video and its rules: a center's staff submit (a link to a known host or a
file, with the consent of the people filmed); the department accepts or declines with a
comment, then records where it published the video. Each change is audited; bad input is
refused with the field named and nothing saved."""

import zoneinfo
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from libranet.audit.services import audit_record
from libranet.events.models import Event
from libranet.markup import clean_markup, plain_text
from libranet.network.models import Center
from libranet.network.permissions import Capability, can
from libranet.revisions import revision_bump, revision_check

from .hosting import is_known_host, parse_video_link
from .models import Video, VideoState

VIDEO_EXTENSIONS = {".mp4": b"ftyp", ".webm": b"\x1a\x45\xdf\xa3"}


def check_video_file(upload: IO[bytes], *, name: str, size: int) -> None:
    """Refuse a file that is not an mp4 or webm video (by its name and first bytes) or is
    larger than ``LIBRANET_VIDEO_MAX_BYTES``."""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in VIDEO_EXTENSIONS:
        raise ValidationError({"file": _("Upload an MP4 or WebM video.")})
    limit = settings.LIBRANET_VIDEO_MAX_BYTES
    if size > limit:
        raise ValidationError(
            {
                "file": _("The file is {size} MB; the limit is {limit} MB.").format(
                    size=round(size / 1_048_576, 1), limit=round(limit / 1_048_576, 1)
                )
            }
        )
    head = upload.read(12)
    upload.seek(0)
    magic = VIDEO_EXTENSIONS[extension]
    found = head[4:8] == magic if extension == ".mp4" else head[:4] == magic
    if not found:
        raise ValidationError({"file": _("The file is not an MP4 or WebM video.")})


def _too_long(values: dict[str, str]) -> dict[str, str]:
    """The fields longer than their column once cleaned (escaping lengthens "&" and "<")."""
    errors = {}
    for name, value in values.items():
        limit = getattr(Video._meta.get_field(name), "max_length", None)
        if limit is not None and len(value) > limit:
            errors[name] = _("At most {limit} characters.").format(limit=limit)
    return errors


@transaction.atomic
def submit_video(
    *,
    actor: Any,
    center: Center,
    title_ru: str,
    title_en: str = "",
    description_ru: str = "",
    description_en: str = "",
    link: str = "",
    upload: Any = None,
    event: Event | None = None,
    event_name: str = "",
    event_date: Any = None,
    consent: bool = False,
    consent_note: str = "",
) -> Video:
    """A center's video submitted for the channel by ``actor`` (who may submit for it). The
    event filmed is one the center organised, or only named when it is not in Libranet."""
    if not can(actor, Capability.SUBMIT_VIDEOS, center):
        raise PermissionDenied
    errors: dict[str, str] = {}
    title_ru = plain_text(title_ru)
    if not title_ru:
        errors["title_ru"] = _("Give the title in Russian.")
    link = (link or "").strip()
    if link and upload is not None:
        errors["link"] = _("Give either a link or a file, not both.")
    elif not link and upload is None:
        errors["link"] = _("Give a link to the video or upload its file.")
    elif link and parse_video_link(link) is None:
        errors["link"] = _(
            "This is not a link to one video on YouTube, VK Video or RUTUBE "
            "(for example https://rutube.ru/video/…/)."
        )
    if not consent:
        errors["consent"] = _("The people filmed must have consented to the publication.")
    if event is not None and not event.centers.filter(pk=center.pk).exists():
        errors["event"] = _("The event “{event}” is not organised by {center}.").format(
            event=event, center=center
        )
    elif event is not None and event_date is None:
        event_date = timezone.localtime(event.starts_at, zoneinfo.ZoneInfo(event.time_zone)).date()
    short = {
        "title_ru": title_ru,
        "title_en": plain_text(title_en),
        "event_name": "" if event is not None else plain_text(event_name),
        "consent_note": plain_text(consent_note),
        "link": link,
    }
    errors.update(_too_long(short))
    if errors:
        raise ValidationError(errors)
    if upload is not None:
        check_video_file(upload, name=upload.name, size=upload.size)
    video = Video(
        center=center,
        title_ru=title_ru,
        title_en=short["title_en"],
        description_ru=clean_markup(description_ru),
        description_en=clean_markup(description_en),
        link=link,
        event=event,
        event_name=short["event_name"],
        event_date=event_date,
        consent=True,
        consent_note=short["consent_note"],
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    if upload is not None:
        video.file.save(upload.name.rsplit("/", 1)[-1], File(upload), save=False)
    video.save()
    audit_record(
        actor=actor,
        action="video.submit",
        obj=video,
        changes={"title_ru": video.title_ru, "center": center.code, "link": link},
    )
    return video


def _locked(video: Video, expected: int | None, submitted: dict[str, Any]) -> Video:
    locked = Video.objects.select_for_update().get(pk=video.pk)
    revision_check(locked, expected, submitted)
    return locked


@transaction.atomic
def decide_video(
    *, actor: Any, video: Video, accept: bool, comment: str = "", revision: int | None = None
) -> Video:
    """The department accepts or declines a submitted video (a decline needs a comment)."""
    if not can(actor, Capability.DECIDE_VIDEOS):
        raise PermissionDenied
    state = VideoState.ACCEPTED if accept else VideoState.DECLINED
    comment = plain_text(comment)
    locked = _locked(video, revision, {"state": state, "decision_comment": comment})
    if locked.state != VideoState.SUBMITTED:
        raise ValidationError({"state": _("Only a submitted video can be accepted or declined.")})
    if not accept and not comment:
        raise ValidationError({"comment": _("Say why the video is declined.")})
    locked.state = state
    locked.decision_comment = comment
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    revision_bump(locked)
    audit_record(
        actor=actor,
        action="video.accept" if accept else "video.decline",
        obj=locked,
        changes={"state": state, "comment": comment},
    )
    return locked


@transaction.atomic
def publish_video(
    *, actor: Any, video: Video, published_url: str, revision: int | None = None
) -> Video:
    """Record that an accepted video is on the Library's channel, at ``published_url``."""
    if not can(actor, Capability.DECIDE_VIDEOS):
        raise PermissionDenied
    published_url = (published_url or "").strip()
    if too_long := _too_long({"published_url": published_url}):
        raise ValidationError(too_long)
    locked = _locked(video, revision, {"published_url": published_url})
    if locked.state != VideoState.ACCEPTED:
        raise ValidationError({"state": _("Only an accepted video can be published.")})
    if not is_known_host(published_url):
        raise ValidationError(
            {
                "published_url": _(
                    "Give the address of the video on the Library's channel "
                    "(YouTube, VK Video or RUTUBE)."
                )
            }
        )
    locked.state = VideoState.PUBLISHED
    locked.published_url = published_url
    locked.published_at = timezone.now()
    revision_bump(locked)
    audit_record(
        actor=actor,
        action="video.publish",
        obj=locked,
        changes={"state": VideoState.PUBLISHED, "published_url": published_url},
    )
    return locked
