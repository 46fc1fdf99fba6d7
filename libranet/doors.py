"""Every error in the format of the door it came through, whatever raised it.

The site has four doors, told apart by the path: the JSON API (``/api/``: ``{"message": ...}``,
as ``libranet.api.errors`` answers inside the API), the COUNTER API (``/sushi/``: one COUNTER
exception), OAI-PMH (``/oai``: an OAI-PMH document with an ``error``), and the pages
(everything else: the site's error pages). Errors raised before a view answers (an unknown
path, a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, a host not in ``ALLOWED_HOSTS``, an
unreadable body or header, a failure) reach Django's handlers, which are these; responses
that Django's decorators make bare (a 405 from ``require_safe``) are dressed by
``DoorErrorsMiddleware``, which also refuses before any view what no view should read (a null
character, a Content-Length that is not a number). README "Errors, door by door".
"""

import contextlib
import enum
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from libranet import storage
from libranet.oai import writer as oai_writer
from libranet.usage.counter import CounterException

logger = logging.getLogger(__name__)


class Door(enum.Enum):
    API = "api"
    SUSHI = "sushi"
    OAI = "oai"
    PAGE = "page"


def door_of(request: HttpRequest) -> Door:
    path = request.path_info
    if path == "/api" or path.startswith("/api/"):
        return Door.API
    if path == "/sushi" or path.startswith("/sushi/"):
        return Door.SUSHI
    if path == "/oai" or path.startswith("/oai/"):
        return Door.OAI
    return Door.PAGE


# What each machine door's answers are, to tell its own errors from bare ones.
CONTENT_TYPES = {Door.API: "application/json", Door.SUSHI: "application/json", Door.OAI: "text/xml"}


def error_response(request: HttpRequest, status: int, reason: str = "") -> HttpResponse:
    """The answer with ``status`` in the format of ``request``'s door; ``reason`` says what
    was wrong (by default what the status means)."""
    door = door_of(request)
    if door is Door.PAGE:
        return _page(request, status, reason)
    with speaking(door):
        reason = reason or _default_reason(door, status)
    if door is Door.API:
        return _json({"message": reason}, status, "application/json; charset=utf-8")
    if door is Door.SUSHI:
        return _counter(status, reason)
    return _oai(request, status, reason)


def speaking(door: Door) -> contextlib.AbstractContextManager:
    """The protocols speak English, as their standards' own messages do; the API and the pages
    speak the request's language."""
    if door in (Door.SUSHI, Door.OAI):
        return translation.override("en")
    return contextlib.nullcontext()


def _default_reason(door: Door, status: int) -> str:
    if status >= 500:
        return _("Internal error; it has been logged.")
    if status == 404 and door is Door.SUSHI:
        return _("There is no such report or path: the reports are listed at /sushi/r51/reports.")
    return {
        400: _("The request cannot be read: a header or the body is malformed."),
        403: _("Your role does not allow this."),
        404: _("Not found."),
        413: _("The request body is too large."),
    }.get(status, _("The request cannot be answered."))


def _json(body: dict, status: int, content_type: str) -> HttpResponse:
    return JsonResponse(
        body, status=status, content_type=content_type, json_dumps_params={"ensure_ascii": False}
    )


def _counter(status: int, data: str) -> HttpResponse:
    """One COUNTER exception (Code of Practice 5.1, Appendix D). A path that names no report
    is 3000 Report Not Supported with the 404 the Code asks for a wrong path; a failure is 1000
    Service Not Available with its 503; any other request the service cannot take is 1030
    Insufficient Information to Process Request, with the HTTP status that says why."""
    if status == 404:
        exception = CounterException(3000, data)
    elif status >= 500:
        exception = CounterException(1000, data)
    else:
        exception = CounterException(1030, data)
        exception.http_status = status
    return _json(exception.as_json(), exception.http_status, "application/json")


def _oai(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """An OAI-PMH document with one ``badArgument`` error (the protocol has no code for a
    request that cannot be read, nor for a failure: the HTTP status says which it was)."""
    site_url = settings.LIBRANET_SITE_URL
    if not site_url:
        try:
            site_url = request.build_absolute_uri("/").rstrip("/")
        except DisallowedHost:
            site_url = "http://localhost"  # the host was the problem: do not echo it
    now = timezone.now().replace(microsecond=0)
    document = oai_writer.envelope(
        now, f"{site_url}/oai", {}, [oai_writer.error("badArgument", message)]
    )
    return HttpResponse("".join(document), status=status, content_type="text/xml; charset=utf-8")


def store_unavailable(request: HttpRequest, *, as_json: bool = False) -> HttpResponse:
    """503 with ``Retry-After`` in the door's format (JSON when ``as_json``): the file store
    (``libranet.storage``) does not answer or refuses us; nothing was lost, and nothing
    half-written was kept. Called while the store's exception is being handled (logged)."""
    logger.exception("The file store cannot be reached: %s", request.path)
    with speaking(door_of(request)):
        message = _("The file store cannot be reached right now. Try again in a minute.")
    if as_json:
        response = _json({"message": message}, 503, "application/json; charset=utf-8")
    else:
        response = error_response(request, 503, message)
    response["Retry-After"] = str(storage.RETRY_AFTER)
    return response


def _page(request: HttpRequest, status: int, reason: str) -> HttpResponse:
    if status >= 500 and not (status == 503 and reason):
        # No request context: the failure may be in what the context processors read.
        return HttpResponse(loader.get_template("500.html").render(), status=status)
    if status in (403, 404) and not reason:
        return render(request, f"{status}.html", status=status)  # their own, longer, words
    titles = {
        400: _("Bad request"),
        403: _("Access denied"),
        405: _("Method not allowed"),
        413: _("Request too large"),
        503: _("Service unavailable"),
    }
    context = {
        "title": titles.get(status, _("Request refused")),
        "message": reason or _default_reason(Door.PAGE, status),
    }
    return render(request, "error.html", context, status=status)


# --- Django's error handlers (libranet.urls) --------------------------------------------------


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400, or 413 for a body over the limit: Django raises both (SuspiciousOperation or
    BadRequest) when the body, the POST data or the host is first read."""
    status = 400
    with speaking(door_of(request)):
        if isinstance(exception, RequestDataTooBig):
            status = 413
            reason = _("The request body is too large: at most {limit} bytes are accepted.")
            reason = reason.format(limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        elif isinstance(exception, TooManyFieldsSent):
            reason = _("The request has too many fields: at most {limit} are accepted.")
            reason = reason.format(limit=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
        elif isinstance(exception, DisallowedHost):
            reason = _("This server does not answer for the host named in the request.")
        elif isinstance(exception, NullCharacter):
            reason = _(
                "The address or a form field holds a null character (U+0000), which none of "
                "ours takes."
            )
        elif isinstance(exception, BadContentLength):
            reason = _("The Content-Length header is not a number of bytes.")
        else:
            reason = ""
    return error_response(request, status, reason)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without its token (expired, or from another site)."""
    with speaking(door_of(request)):
        message = _(
            "The form has expired or came from another site: reload the page and send it again."
        )
    return error_response(request, 403, message)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(request, 500)


# --- the middleware: what no view should see, and responses that left a view bare ------------


class NullCharacter(BadRequest):
    """A null character in the path, the query or a form field: no address or form of ours
    takes one, and PostgreSQL cannot compare text with it (a query would fail)."""


class BadContentLength(BadRequest):
    """A Content-Length that is not a number: Django would fail reading the body (a 500);
    servers such as gunicorn refuse it themselves, others pass it on."""


def _holds_null(request: HttpRequest) -> bool:
    # A form's fields, as browsers send them; not a multipart body, whose files would be read
    # here for any address (a form field there is still checked by the form's own validator).
    form = request.method == "POST" and request.content_type == "application/x-www-form-urlencoded"
    fields = [request.GET, request.POST] if form else [request.GET]
    return "\x00" in request.path_info or any(
        "\x00" in name or any("\x00" in value for value in values)
        for query in fields
        for name, values in query.lists()
    )


def _bad_content_length(request: HttpRequest) -> bool:
    length = request.META.get("CONTENT_LENGTH")
    return bool(length) and not (length.isascii() and length.isdigit())


class DoorErrorsMiddleware:
    """Refuses a null character in the address or a form field and a Content-Length that is not
    a number (400) before any view reads them, and dresses an error response that is not in
    its door's format: at the API, SUSHI and OAI-PMH any error answered in another format
    (Django's bare 405, a CSRF 403), on pages a bare 405. Status and headers (``Allow``) stay;
    only the body changes. First in MIDDLEWARE, so that it sees what every other middleware
    answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def process_view(self, request: HttpRequest, *args: Any) -> None:
        # Here, after the other middleware has run, the 400 speaks the request's language.
        if _bad_content_length(request):  # first: reading a form's fields would fail on it
            raise BadContentLength("A Content-Length that is not a number")
        if _holds_null(request):
            raise NullCharacter("A null character in the address or a form field")

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        # An upload or a read that found the file store down: 503, not a failure (the
        # services' transactions have rolled back what they were writing).
        if storage.is_failure(exception):
            return store_unavailable(request)
        return None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or response.streaming
            or getattr(request, "urlconf", None)  # another site's (the local ESIA provider)
        ):
            return response
        door = door_of(request)
        if door is Door.PAGE:
            bare = response.status_code == 405 and not response.content
        else:
            bare = not response.get("Content-Type", "").startswith(CONTENT_TYPES[door])
        if not bare:
            return response
        dress = error_response(request, response.status_code, _reason(request, response))
        return _dressed(response, dress)


def _reason(request: HttpRequest, response: HttpResponse) -> str:
    if response.status_code != 405:
        return ""
    with speaking(door_of(request)):
        return _("Method {method} is not allowed here; use {allowed}.").format(
            method=request.method, allowed=response.get("Allow", "")
        )


def _dressed(response: HttpResponse, dress: HttpResponse) -> HttpResponse:
    """``response`` with the body and content type of ``dress`` and its own other headers."""
    for name in ("Content-Type", "Content-Length"):
        if name in response:
            del response[name]
    response["Content-Type"] = dress["Content-Type"]
    response.content = dress.content
    response.status_code = dress.status_code
    return response
