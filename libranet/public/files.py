"""File delivery: a resource's files are never at a public URL. Each request for
``/files/<id>/<name>`` asks the one access decision (``libranet.resources.access.decide``) for
this user and place, and only then streams the file, or hands it to the front server.

The file comes from the storage (``libranet.storage``: the media folder or an S3-compatible
store); with S3 each answer is one ranged GetObject read in chunks, never a copy of the whole
object. A store that does not answer is a 503 with ``Retry-After``, in the door's format.

Streaming answers what readers' software asks for: a single byte range (PDF viewers and video
players seek with ``Range``; 206 with ``Content-Range``, 416 for a range outside the file),
``HEAD``, and conditional requests (``ETag``/``Last-Modified``, 304). A request with several
ranges gets the whole file (200): RFC 9110 lets a server ignore ``Range``, and no viewer we serve
asks for several, so a multipart answer would be code for nobody. The file is read in chunks of
``libranet.storage.CHUNK_SIZE``, so memory stays flat whatever its size. From an object store a
GET is one request (the range with the validators: ``libranet.storage.open_object``).

With ``LIBRANET_X_ACCEL_REDIRECT_PREFIX`` set (``/protected/``) the answer is empty and carries
``X-Accel-Redirect: <prefix><storage name>`` (with S3: ``<prefix><bucket>/<key>?<signature>``, a
URL signed for a minute): nginx sends the file from an ``internal`` location (the folder, or a
proxy to the store) and does ranges and conditional requests itself (README, "Reading").

Caching is always ``private``: whether a file may be read depends on who asks and from where.
"""

import hashlib
import logging
import mimetypes
import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import (
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from libranet import storage
from libranet.accounts.services import api_token_authenticate, bearer_secret
from libranet.doors import store_unavailable
from libranet.network.permissions import is_staff_member
from libranet.network.places import place_of
from libranet.resources.access import decide
from libranet.resources.models import AccessLevel, Resource, ResourceFile
from libranet.usage.models import Action
from libranet.usage.recorder import usage_record

logger = logging.getLogger(__name__)

# A file the browser may keep for an hour: long enough that a reader paging back and forth does
# not fetch the same page image again, short enough that a revoked workstation stops soon.
FILE_MAX_AGE = 3600
THUMBNAIL_MAX_AGE = 3600

# Shown inline (in the reader's <img>, <iframe>, <audio>, <video>); anything else, which the
# kinds of files never need, is sent as a download so that no stored file runs as a page of our
# site (an HTML or SVG file would carry script).
_INLINE_TYPES = re.compile(
    r"^(application/pdf|image/(jpeg|png|gif|webp|avif|tiff)|audio/[\w.+-]+|video/[\w.+-]+)$"
)
_DIGITS = re.compile(r"[0-9]+")


def file_url(resource_file: ResourceFile) -> str:
    """The one address of a resource's file (a path; the API makes it absolute)."""
    return reverse(
        "resource_file",
        kwargs={"file_id": resource_file.pk, "filename": file_name(resource_file)},
    )


def thumbnail_url(resource: Resource) -> str | None:
    if not resource.thumbnail:
        return None
    name = PurePosixPath(resource.thumbnail.name).name
    return reverse("resource_thumbnail", kwargs={"resource_id": resource.pk, "filename": name})


def file_name(resource_file: ResourceFile) -> str:
    return PurePosixPath(resource_file.file.name).name


# --- the doors --------------------------------------------------------------------------------


@require_safe
def resource_file(request: Any, file_id: int, filename: str) -> HttpResponseBase:
    """A resource's file, for whoever the access decision allows, from where they are."""
    found = ResourceFile.objects.select_related("resource").filter(pk=file_id).first()
    if found is None or file_name(found) != filename:
        return _not_found(request)
    resource = found.resource
    user = requester(request)
    if user is None:
        return bad_token()
    decision = decide(resource, user, place_of(request))
    usage_record(request, Action.REQUEST, resource, granted=decision.allowed, user=user)
    if not decision.allowed:
        if decision.reason == "staff_only":
            return _not_found(request)  # a staff-only resource is not public, nor its files
        status = 410 if decision.reason == "deleted" else 403
        return _refused(request, resource, decision.message, decision.reason, status)
    return serve(
        request,
        name=found.file.name,
        content_type=found.content_type,
        cache_control=f"private, max-age={FILE_MAX_AGE}",
        fallback_modified=resource.modified_at,
    )


@require_safe
def resource_thumbnail(request: Any, resource_id: int, filename: str) -> HttpResponseBase:
    """A resource's thumbnail: part of its description, so public like the rest of it (a
    staff-only resource's only to staff)."""
    resource = Resource.objects.filter(pk=resource_id, deleted_at__isnull=True).first()
    if (
        resource is None
        or not resource.thumbnail
        or PurePosixPath(resource.thumbnail.name).name != filename
    ):
        return _not_found(request)
    staff_only = resource.access_level == AccessLevel.STAFF
    if staff_only and not is_staff_member(request.user):
        return _not_found(request)
    visibility = "private" if staff_only else "public"
    response = serve(
        request,
        name=resource.thumbnail.name,
        content_type="",
        cache_control=f"{visibility}, max-age={THUMBNAIL_MAX_AGE}",
        fallback_modified=resource.modified_at,
    )
    if staff_only:
        patch_vary_headers(response, ["Cookie"])
    return response


def requester(request: Any) -> Any:
    """Who asks: an API token's user (machine clients fetch the files the API lists), else the
    session's user or anonymous visitor; None for a token that is not valid."""
    secret = bearer_secret(request)
    if secret is None:
        return request.user
    return api_token_authenticate(secret)


def bad_token() -> HttpResponse:
    message = _("The API token is unknown, revoked or its user is inactive.")
    response = JsonResponse({"message": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="libranet", error="invalid_token"'
    return response


def _wants_json(request: Any) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _not_found(request: Any) -> HttpResponse:
    message = _("There is no such file.")
    if _wants_json(request):
        return JsonResponse({"message": message}, status=404)
    return render(request, "public/resources/file_refused.html", {"message": message}, status=404)


def _refused(
    request: Any, resource: Resource, message: str, reason: str, status: int
) -> HttpResponse:
    record = reverse("public:resource", kwargs={"identifier": resource.identifier})
    if _wants_json(request):
        response: HttpResponse = JsonResponse(
            {"message": message, "reason": reason, "record": request.build_absolute_uri(record)},
            status=status,
        )
    else:
        response = render(
            request,
            "public/resources/file_refused.html",
            {"message": message, "record": record, "resource": resource},
            status=status,
        )
    # The answer depends on who asks and from where: no shared cache may keep it.
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response


# --- streaming --------------------------------------------------------------------------------


class Unsatisfiable(Exception):
    """The requested range lies outside the file (416)."""


def asked_range(header: str) -> tuple[int | None, int | None] | None:
    """The single range a ``Range`` header asks for, as (first, last) with None for "to the
    end" (or, as first, for a suffix: the last ``last`` bytes); None to send the whole file
    (no header, another unit, bad syntax, or several ranges)."""
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    ranges = [part.strip() for part in spec.split(",") if part.strip()]
    if len(ranges) != 1:
        return None  # several ranges: the whole file (see the module's docstring)
    first, dash, last = ranges[0].partition("-")
    first, last = first.strip(), last.strip()
    if not dash or any(part and not _DIGITS.fullmatch(part) for part in (first, last)):
        return None
    if not first:  # a suffix: the last N bytes
        return (None, int(last)) if last else None
    if last and int(last) < int(first):
        return None  # not a valid range at all: ignored, as RFC 9110 says
    return int(first), int(last) if last else None


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte of a single range asked by a ``Range`` header in a file of
    ``size`` bytes, or None to send the whole file; raises ``Unsatisfiable`` when the range
    starts past the end of the file."""
    asked = asked_range(header)
    if asked is None:
        return None
    first, last = asked
    if first is None:  # a suffix
        if not last or size == 0:
            raise Unsatisfiable
        return max(0, size - last), size - 1
    if first >= size:
        raise Unsatisfiable
    return first, size - 1 if last is None else min(last, size - 1)


def _content_type(content_type: str, name: str) -> str:
    content_type = (content_type or mimetypes.guess_type(name)[0] or "").strip().lower()
    return content_type if _INLINE_TYPES.match(content_type) else ""


def _disposition(name: str, inline: bool) -> str:
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename*=UTF-8''{quote(PurePosixPath(name).name, safe='')}"


def serve(
    request: Any, *, name: str, content_type: str, cache_control: str, fallback_modified: Any
) -> HttpResponseBase:
    """Send the stored file ``name`` (the caller has decided that the requester may have it)."""
    shown_type = _content_type(content_type, name)
    headers = {
        "Content-Type": shown_type or "application/octet-stream",
        "Content-Disposition": _disposition(name, inline=bool(shown_type)),
        "Cache-Control": cache_control,
        # The reader shows a PDF in an <iframe> of our own pages; the site denies framing.
        "X-Frame-Options": "SAMEORIGIN",
    }
    try:
        return _serve(request, name, headers, fallback_modified)
    except storage.failures():
        return store_unavailable(request, as_json=_wants_json(request))


def _serve(
    request: Any, name: str, headers: dict[str, str], fallback_modified: Any
) -> HttpResponseBase:
    response: HttpResponseBase
    prefix = settings.LIBRANET_X_ACCEL_REDIRECT_PREFIX
    if prefix:
        response = HttpResponse(headers=headers)
        # nginx answers ranges and conditional requests from the file itself: from the media
        # folder, or from the store through a signed URL (README, "Reading").
        target = storage.presigned_path(default_storage, name) or "/" + quote(name)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + target
        return response

    asked = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range", "").strip()
    # A GET reads the range asked for with the validators in one request to an object store
    # (an If-Range that turns out stale costs a second one); HEAD and a conditional request,
    # which is mostly answered 304, ask only for the validators.
    conditional_request = (
        "If-None-Match" in request.headers or "If-Modified-Since" in request.headers
    )
    try:
        opened = storage.open_object(
            default_storage,
            name,
            None if if_range else asked_range(asked),
            read=request.method != "HEAD" and not conditional_request,
        )
    except OSError:
        logger.error("Stored file %s is missing", name)
        return _not_found(request)
    size = opened.stat.size
    timestamp = int((opened.stat.modified or fallback_modified).timestamp())
    etag = '"{}"'.format(hashlib.sha256(f"{name}:{size}:{timestamp}".encode()).hexdigest()[:32])
    last_modified = http_date(timestamp)
    headers.update({"Accept-Ranges": "bytes", "ETag": etag, "Last-Modified": last_modified})

    # 304 or 412 from the validators, else the very response given (Django's contract).
    unconditional = HttpResponse(headers=headers)
    conditional = get_conditional_response(
        request, etag=etag, last_modified=timestamp, response=unconditional
    )
    if conditional is not unconditional:
        opened.close()
        return conditional

    status, start, end = 200, 0, size - 1
    if asked and (not if_range or if_range in (etag, last_modified)):
        try:
            found = byte_range(asked, size)
        except Unsatisfiable:
            opened.close()
            response = HttpResponse(status=416, headers=headers)
            response["Content-Type"] = "text/plain"
            response["Content-Range"] = f"bytes */{size}"
            return response
        if found is not None:
            status, (start, end) = 206, found
    length = max(0, end - start + 1)

    if request.method == "HEAD":
        response = HttpResponse(status=status, headers=headers)
    else:
        try:
            chunks = opened.take(start, end)
        except OSError:
            logger.error("Stored file %s is missing", name)
            return _not_found(request)
        response = StreamingHttpResponse(chunks, status=status, headers=headers)
    response["Content-Length"] = str(length)
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response
