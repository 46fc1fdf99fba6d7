"""Every error of the API as JSON: ``{"message": "...", "errors": {"field": ["..."]}}``.

``message`` is one sentence a person can read (it names the fields); ``errors`` (on 403 and
422 when the problem is in given fields) holds the messages by field, named as in the request.
The registry's errors come from its services (``RegistryError`` → 422, ``ScopeError`` → 403);
request validation, authentication and unknown failures are turned here into the same shape;
a request that cannot be read at all goes to Django's handlers (``libranet.doors``), which
answer it in the same shape, inside a view or before it.
"""

import logging
import re
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    BadRequest,
    PermissionDenied,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from libranet import storage
from libranet.doors import store_unavailable
from libranet.network.services import ScopeError

logger = logging.getLogger("django.request")


class InvalidToken(AuthenticationError):
    """A bearer token was given but is unknown, revoked or its user is inactive."""


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    message: str,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"message": message}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def _summary(errors: dict[str, list[str]], general: list[str]) -> str:
    """One readable message: the general ones first, then each field's, prefixed by its name."""
    parts = list(general)
    parts += [f"{field}: {message}" for field, messages in errors.items() for message in messages]
    return " ".join(parts)


def registry_error_body(exc: DjangoValidationError) -> tuple[str, dict[str, list[str]]]:
    """The message and field errors of a registry error (its fields are the request's)."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages), {}
    errors = {field: list(messages) for field, messages in exc.message_dict.items()}
    general = errors.pop(NON_FIELD_ERRORS, [])
    return _summary(errors, general), errors


# --- request validation (pydantic) ---------------------------------------------------------


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "payload", "networks", 0)`` → ``"networks.0"``; ``("query", "limit")`` →
    ``"limit"``: the name as the client wrote it, without ninja's source and argument."""
    parts = list(loc[1:])
    if parts and loc[0] == "body":
        parts = parts[1:]  # the view's argument name, which the client never sees
    return ".".join(str(p) for p in parts)


def _validation_message(error: dict[str, Any], field: str) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.") if field else _("The request needs a JSON body.")
    if kind == "null_character":
        return _("Null characters are not allowed.")
    if kind == "extra_forbidden":
        if field == "status":
            return _(
                "The status changes through POST /api/v1/centers/{code}/status, which keeps its "
                "dated history."
            )
        return _("Unknown field.")
    if kind in ("literal_error", "enum"):
        # pydantic says "'a', 'b' or 'c'" in English; list the values without its "or".
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return _("Unknown value; use one of: {choices}.").format(choices=", ".join(choices))
    if kind in ("string_type", "string_sub_type"):
        return _("Give a text.")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("decimal_type", "decimal_parsing", "float_type", "float_parsing", "finite_number"):
        return _("Enter a number.")
    if kind == "value_error" and ctx.get("error") is not None:
        return str(ctx["error"])  # our validators' own message, without pydantic's "Value error, "
    if kind.startswith("date"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": limit
        }
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt"))
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": limit
        }
    if kind == "string_too_long":
        return _("Use at most {count} characters.").format(count=ctx.get("max_length"))
    if kind in ("list_type", "tuple_type"):
        return _("Give a list.")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("The request body must be a JSON object.")
    return str(error.get("msg", _("This value is not valid.")))


def validation_error_body(exc: ValidationError) -> tuple[str, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    for error in exc.errors:
        field = _field_name(error.get("loc") or ())
        message = _validation_message(error, field)
        if field:
            errors.setdefault(field, []).append(message)
        else:
            general.append(message)
    return _summary(errors, general), errors


# --- what the OpenAPI document says -----------------------------------------------------------

# Every error status an operation may answer, and what it means there. The statuses that come
# from how a request is read are added to each operation from its own description (its
# parameters, body and security) by ``document_errors``; those that come from a rule (403 for a
# role, 410 for a withdrawn resource) are declared by the endpoint with ``schemas.errors``.
ERROR_STATUSES = {
    400: "The request cannot be read: a malformed header, host or query, or a body that is not "
    "JSON.",
    401: "No valid API token or signed-in session (`WWW-Authenticate` says which).",
    403: "Beyond the caller's role, or a session's request without its CSRF token.",
    404: "Nothing at this path: an unknown code, id or identifier.",
    409: "Saved from a stale revision: someone changed it since (`errors` names what).",
    410: "Withdrawn: it was here and is gone for good.",
    413: "The body is larger than the server accepts.",
    422: "A parameter or a field breaks a rule (`errors` names it); nothing was written.",
}
ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}


def _statuses_from_reading(operation: dict[str, Any]) -> set[int]:
    parameters = operation.get("parameters", [])
    places = {parameter["in"] for parameter in parameters}
    body = "requestBody" in operation
    # Any text is a valid code or identifier in a path; a number may be out of range.
    typed_path = any(p["in"] == "path" and p["schema"].get("type") != "string" for p in parameters)
    statuses = {400}  # any request may come with a header, a host or a query it cannot read
    if operation.get("security"):
        statuses.add(401)  # a token that is given must be valid, even where none is needed
    if "path" in places:
        statuses.add(404)
    if body:
        statuses.add(413)
    if "query" in places or body or typed_path:
        statuses.add(422)
    return statuses


def document_errors(schema: dict[str, Any]) -> None:
    """Give every operation of ``schema`` (ninja's OpenAPI document) each error status it can
    answer, all with the one error shape (``ErrorOut``)."""
    for operations in schema["paths"].values():
        for operation in operations.values():
            responses = operation["responses"]
            declared = {int(status) for status in responses if int(status) >= 400}
            for status in sorted(declared | _statuses_from_reading(operation)):
                responses[status] = {
                    "description": ERROR_STATUSES[status],
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                }


# --- the handlers ----------------------------------------------------------------------------


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's defaults (``{"detail": ...}``, a traceback in DEBUG) with our shape."""

    def on_scope_error(request: HttpRequest, exc: ScopeError) -> HttpResponse:
        message, errors = registry_error_body(exc)
        return error_response(api, request, 403, message, errors)

    def on_registry_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        message, errors = registry_error_body(exc)
        return error_response(api, request, 422, message, errors)

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        message, errors = validation_error_body(exc)
        return error_response(api, request, 422, message, errors)

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        if isinstance(exc, InvalidToken):
            message = _("The API token is unknown, revoked or its user is inactive.")
            challenge = 'Bearer realm="libranet", error="invalid_token"'
        else:
            message = _("Give an API token: the header “Authorization: Bearer <token>”.")
            challenge = 'Bearer realm="libranet"'
        response = error_response(api, request, 401, message)
        response["WWW-Authenticate"] = challenge
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = exc.message
        cause = exc.__cause__
        # ninja reads the body itself and wraps what json.loads raised (a ValueError: bad JSON
        # or bad UTF-8); say what it was.
        if exc.status_code == 400 and isinstance(cause, ValueError):
            message = _("The request body is not valid JSON: {error}.").format(error=cause)
        return error_response(api, request, exc.status_code, message)

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, _("Not found."))

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(api, request, 403, str(exc) or _("Your role does not allow this."))

    def on_unreadable_request(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A body over the size limit, a broken multipart body, an unknown host: Django's
        # handlers answer them (400 or 413) in the API's format, as they do outside a view.
        raise exc

    def on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
        # As Django's own handler would: log with the request (mailed to admins where that is
        # configured) and tell error reporters; the client gets no traceback, even in DEBUG.
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exc,
            extra={"status_code": 500, "request": request},
        )
        got_request_exception.send(sender=None, request=request)
        return error_response(api, request, 500, _("Internal error; it has been logged."))

    api.add_exception_handler(ScopeError, on_scope_error)
    # RegistryError, and any other model validation a service lets through.
    api.add_exception_handler(DjangoValidationError, on_registry_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(SuspiciousOperation, on_unreadable_request)
    api.add_exception_handler(BadRequest, on_unreadable_request)
    api.add_exception_handler(MultiPartParserError, on_unreadable_request)

    def on_store_failure(request: HttpRequest, exc: Exception) -> HttpResponse:
        return store_unavailable(request)  # 503: nothing was saved, try again later

    for failure in storage.failures():
        api.add_exception_handler(failure, on_store_failure)
    api.add_exception_handler(Exception, on_exception)
