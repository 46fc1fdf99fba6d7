"""IIIF doors: a Presentation API 3.0 manifest for each resource with page images, and an Image
API 3.0 service for each page image (``libranet.resources.iiif`` makes the pixels).

Addresses carry no language (the manifest holds both), and every answer allows any origin,
as IIIF viewers elsewhere expect. The manifest describes, like the record page: anyone may
have it but a staff-only resource's (staff only). The image service gives pixels, so it asks
the one access decision exactly as the file door does and refuses the same way (401 when
signing in would help, 403, 404 for staff-only, 410 for withdrawn), in JSON.

Usage: a viewer fetches a page's ``info.json`` once when it opens the page, then many tiles;
``info.json`` counts the file request (granted or refused, as the file door counts), tiles do
not, so that a page read is one request however far it is zoomed.
"""

import functools
import hashlib
import json
import logging
import re
from pathlib import PurePosixPath
from typing import Any

from django.http import HttpResponse, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from libranet import storage
from libranet.doors import store_unavailable
from libranet.network.places import place_of
from libranet.resources import iiif
from libranet.resources.access import Decision, decide
from libranet.resources.languages import language_name
from libranet.resources.models import AccessLevel, Resource, ResourceFile
from libranet.resources.selectors import ResourceGone, resource_get
from libranet.usage.models import Action
from libranet.usage.recorder import usage_record

from .files import bad_token, requester, thumbnail_url
from .resource_views import catalogue_names

logger = logging.getLogger(__name__)

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"
LANGUAGES = ("ru", "en")
MANIFEST_MAX_AGE = 300
IMAGE_MAX_AGE = 3600
# Rights as IIIF wants them: a Creative Commons licence or a RightsStatements.org statement.
_RIGHTS_URI = re.compile(r"^https?://(creativecommons\.org/|rightsstatements\.org/)\S+$")


def _json(
    request: Any, data: dict[str, Any], *, context: str, cache_control: str, status: int = 200
) -> HttpResponseBase:
    """A JSON-LD answer with its profile, validators (304 when unchanged) and CORS."""
    body = json.dumps(data, ensure_ascii=False, indent=1).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {
        "Content-Type": f'application/ld+json;profile="{context}"',
        "Cache-Control": cache_control,
        "ETag": etag,
        "Access-Control-Allow-Origin": "*",
    }
    unconditional = HttpResponse(body, status=status, headers=headers)
    response: HttpResponseBase = (
        get_conditional_response(request, etag=etag, response=unconditional) or unconditional
    )
    if "private" in cache_control:
        patch_vary_headers(response, ["Cookie"])
    return response


def _error(status: int, message: str, **extra: Any) -> JsonResponse:
    response = JsonResponse({"message": message, **extra}, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response


def _visibility(resource: Resource) -> str:
    """Whether shared caches may keep the answer: only when anyone anywhere may read it."""
    return "public" if resource.access_level == AccessLevel.OPEN else "private"


# --- the manifest ---------------------------------------------------------------------------


def _in_each_language(make: Any) -> dict[str, list[str]]:
    """A IIIF language map of what ``make()`` says in each of the site's languages (entries
    that come out empty are left out)."""
    values = {}
    for language in LANGUAGES:
        with translation.override(language):
            text = str(make() or "").strip()
        if text:
            values[language] = [text]
    return values


def _entry(label: Any, make: Any) -> dict[str, Any] | None:
    value = _in_each_language(make)
    if not value:
        return None
    return {"label": _in_each_language(lambda: str(label)), "value": value}


def _metadata(resource: Resource) -> list[dict[str, Any]]:
    entries = [
        _entry(gettext_lazy("Creators"), lambda: "; ".join(catalogue_names(resource.creators))),
        _entry(gettext_lazy("Date"), lambda: resource.date_text),
        _entry(gettext_lazy("Type"), resource.get_type_display),
        _entry(gettext_lazy("Subjects"), lambda: "; ".join(catalogue_names(resource.subjects))),
        _entry(gettext_lazy("Language"), lambda: language_name(resource.language)),
        _entry(gettext_lazy("Access"), resource.get_access_level_display),
        _entry(gettext_lazy("Identifier"), lambda: resource.identifier),
    ]
    return [entry for entry in entries if entry]


def _canvas(request: Any, manifest_id: str, number: int, page: ResourceFile) -> dict[str, Any]:
    width, height = iiif.image_size(page)
    canvas_id = f"{manifest_id.removesuffix('/manifest.json')}/canvas/{number}"
    service = request.build_absolute_uri(reverse("iiif_image_base", kwargs={"file_id": page.pk}))
    return {
        "id": canvas_id,
        "type": "Canvas",
        "label": {"none": [page.label or str(number)]},
        "width": width,
        "height": height,
        "items": [
            {
                "id": f"{canvas_id}/page",
                "type": "AnnotationPage",
                "items": [
                    {
                        "id": f"{canvas_id}/page/image",
                        "type": "Annotation",
                        "motivation": "painting",
                        "target": canvas_id,
                        "body": {
                            "id": f"{service}/full/max/0/default.jpg",
                            "type": "Image",
                            "format": "image/jpeg",
                            "width": width,
                            "height": height,
                            "service": [
                                {"id": service, "type": "ImageService3", "profile": "level1"}
                            ],
                        },
                    }
                ],
            }
        ],
    }


def manifest_data(request: Any, resource: Resource, pages: list[ResourceFile]) -> dict[str, Any]:
    """The Presentation 3 manifest of ``resource``: its description in both languages and one
    canvas per page image (a page whose file is missing or unreadable is left out, logged)."""
    manifest_id = request.build_absolute_uri(
        reverse("iiif_manifest", kwargs={"identifier": resource.identifier})
    )
    canvases = []
    for number, page in enumerate(pages, start=1):
        try:
            canvases.append(_canvas(request, manifest_id, number, page))
        except OSError:
            logger.error("Page image %s of %s is unreadable", page.pk, resource.identifier)
    data: dict[str, Any] = {
        "@context": PRESENTATION_CONTEXT,
        "id": manifest_id,
        "type": "Manifest",
        "label": {
            language: [title]
            for language, title in (("ru", resource.title_ru), ("en", resource.title_en))
            if title
        },
        "metadata": _metadata(resource),
        "requiredStatement": {
            "label": _in_each_language(lambda: _("Rights")),
            "value": {"none": [resource.rights]}
            if resource.rights
            else _in_each_language(lambda: _("Presidential Library")),
        },
        "homepage": [_homepage(request, resource, language) for language in LANGUAGES],
        "behavior": ["paged"] if resource.type != Resource.Type.PHOTOGRAPH else ["individuals"],
        "items": canvases,
    }
    summary = {
        language: [text]
        for language, text in (("ru", resource.description_ru), ("en", resource.description_en))
        if text
    }
    if summary:
        data["summary"] = summary
    if _RIGHTS_URI.match(resource.rights):
        data["rights"] = resource.rights
    thumbnail = thumbnail_url(resource)
    if thumbnail:
        data["thumbnail"] = [{"id": request.build_absolute_uri(thumbnail), "type": "Image"}]
    return data


def _homepage(request: Any, resource: Resource, language: str) -> dict[str, Any]:
    with translation.override(language):
        url = reverse("public:resource", kwargs={"identifier": resource.identifier})
        label = _("The record in the Library's catalogue")
    return {
        "id": request.build_absolute_uri(url),
        "type": "Text",
        "label": {language: [label]},
        "format": "text/html",
        "language": [language],
    }


@require_safe
def manifest(request: Any, identifier: str) -> HttpResponseBase:
    """``/iiif/<identifier>/manifest.json``: a resource's page images as a IIIF manifest."""
    try:
        resource = resource_get(identifier, user=request.user)
    except ResourceGone:
        return _error(410, _("This resource has been withdrawn."))
    pages = [f for f in resource.files.all() if f.kind == ResourceFile.Kind.PAGE]
    if not pages:
        return _error(404, _("This resource has no page images."))
    staff_only = resource.access_level == AccessLevel.STAFF
    return _json(
        request,
        manifest_data(request, resource, pages),
        context=PRESENTATION_CONTEXT,
        cache_control=f"{'private' if staff_only else 'public'}, max-age={MANIFEST_MAX_AGE}",
    )


# --- the image service ----------------------------------------------------------------------


def _page_for(
    request: Any, file_id: int, *, count: bool
) -> tuple[ResourceFile | None, HttpResponseBase | None]:
    """The page image, if the access decision lets the requester have it here; else the
    refusal (the same reasons and statuses as the file door, in JSON). ``count``: this request
    is a page opened (``info.json``), counted as a file request granted or refused."""
    page = (
        ResourceFile.objects.select_related("resource")
        .filter(pk=file_id, kind=ResourceFile.Kind.PAGE)
        .first()
    )
    if page is None:
        return None, _error(404, _("There is no such image."))
    user = requester(request)
    if user is None:
        return None, bad_token()
    decision = decide(page.resource, user, place_of(request))
    if count:
        usage_record(request, Action.REQUEST, page.resource, granted=decision.allowed, user=user)
    if not decision.allowed:
        return None, _refusal(request, page.resource, decision)
    return page, None


def _refusal(request: Any, resource: Resource, decision: Decision) -> HttpResponseBase:
    if decision.reason == "staff_only":
        return _error(404, _("There is no such image."))
    status = {"deleted": 410, "sign_in": 401}.get(decision.reason, 403)
    record = reverse("public:resource", kwargs={"identifier": resource.identifier})
    return _error(
        status,
        decision.message,
        reason=decision.reason,
        record=request.build_absolute_uri(record),
    )


@require_safe
def image_base(request: Any, file_id: int) -> HttpResponseBase:
    """The service's base address sends a client to its description (Image API 3.0 §2.1)."""
    response = redirect(reverse("iiif_image_info", kwargs={"file_id": file_id}))
    response.status_code = 303
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _store_down_is_503(view: Any) -> Any:
    """The image service's answer when the file store does not answer: 503 with Retry-After,
    in JSON like its other errors."""

    @functools.wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except storage.failures():
            response = store_unavailable(request, as_json=True)
            response["Access-Control-Allow-Origin"] = "*"
            return response

    return wrapped


@require_safe
@_store_down_is_503
def image_info(request: Any, file_id: int) -> HttpResponseBase:
    """``info.json``: the page image's size, tiles and what the service can do."""
    page, refusal = _page_for(request, file_id, count=True)
    if page is None:
        return refusal  # type: ignore[return-value]
    try:
        width, height = iiif.image_size(page)
    except OSError:
        logger.error("Page image %s is unreadable", page.pk)
        return _error(404, _("There is no such image."))
    service = request.build_absolute_uri(reverse("iiif_image_base", kwargs={"file_id": page.pk}))
    data = {
        "@context": IMAGE_CONTEXT,
        "id": service,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level1",
        "width": width,
        "height": height,
        "maxWidth": iiif.MAX_SIDE,
        "maxHeight": iiif.MAX_SIDE,
        "sizes": iiif.info_sizes(width, height),
        "tiles": [{"width": iiif.TILE_SIZE, "scaleFactors": iiif.scale_factors(width, height)}],
        "extraFormats": ["png"],
        "extraQualities": ["color", "gray"],
        "extraFeatures": iiif.EXTRA_FEATURES,
    }
    visibility = _visibility(page.resource)
    return _json(
        request,
        data,
        context=IMAGE_CONTEXT,
        cache_control=f"{visibility}, max-age={IMAGE_MAX_AGE}",
    )


@require_safe
@_store_down_is_503
def image(
    request: Any, file_id: int, region: str, size: str, rotation: str, quality_format: str
) -> HttpResponseBase:
    """``{region}/{size}/{rotation}/{quality}.{format}``: the pixels, made once and kept."""
    page, refusal = _page_for(request, file_id, count=False)  # tiles are not counted
    if page is None:
        return refusal  # type: ignore[return-value]
    key = iiif.source_key(page)
    try:
        width, height = iiif.image_size(page, key)
    except OSError:
        logger.error("Page image %s is unreadable", page.pk)
        return _error(404, _("There is no such image."))
    try:
        plan = iiif.image_plan(
            region=region,
            size=size,
            rotation=rotation,
            quality_format=quality_format,
            width=width,
            height=height,
        )
    except iiif.ImageRequestError as exc:
        return _error(400, exc.message, parameter=exc.parameter)
    etag = '"{}"'.format(hashlib.sha256(f"{key}/{plan.canonical}".encode()).hexdigest()[:32])
    visibility = _visibility(page.resource)
    headers = {
        "Content-Type": plan.content_type,
        "Cache-Control": f"{visibility}, max-age={IMAGE_MAX_AGE}",
        "ETag": etag,
        "Access-Control-Allow-Origin": "*",
        "Link": f'<{IMAGE_CONTEXT}>;rel="profile"',
    }
    unconditional = HttpResponse(headers=headers)
    response: HttpResponseBase = (
        get_conditional_response(request, etag=etag, response=unconditional) or unconditional
    )
    if response is unconditional:  # not a 304: the pixels, made now unless kept
        filename = f"{PurePosixPath(page.file.name).stem}.{plan.format}"
        headers["Content-Disposition"] = content_disposition_header(False, filename) or ""
        response = StreamingHttpResponse(iiif.derivative(page, plan, key), headers=headers)
    if visibility == "private":
        patch_vary_headers(response, ["Cookie"])
    return response
