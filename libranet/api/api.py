"""The JSON API, mounted at /api/v1/: its routers, its authentication, and its errors (always
JSON, see ``errors``). The OpenAPI document is at /api/v1/openapi.json, Swagger UI at
/api/v1/docs."""

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from . import centers, institutions, me, reference, resources, usage
from .errors import error_response, install_error_handlers

DESCRIPTION = """\
The registry of the Presidential Library's network of centers: regional centers, remote access
centers, branches and foreign centers, their host institutions, and the reference data (federal
districts, regions, countries) that their codes name.

Reads are public. Writes need an API token of a staff user (`Authorization: Bearer <token>`;
an administrator issues one with `manage.py create_api_token <username>`) or a signed-in staff
session with its CSRF token; a role reaches as far as it does in the back office.

Every list answers `{"count": N, "items": [...]}` and takes `limit` (at most 500) and `offset`.
Every error answers `{"message": "...", "errors": {"field": ["..."]}}` with its status: 400 for
a body that is not JSON, 401 without a valid token, 403 beyond the caller's role, 404 for an
unknown code or id, 422 for input that breaks a rule (nothing is written then). Messages are in
the language of `Accept-Language` (Russian or English).
"""


class Utf8JSONRenderer(JSONRenderer):
    # Cyrillic as itself rather than as \u escapes: readable, and half the bytes.
    json_dumps_params = {"ensure_ascii": False}


class LibranetAPI(NinjaAPI):
    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = _json_method_not_allowed(self, pattern.callback)
        return patterns, app_name, namespace


def _json_method_not_allowed(api: NinjaAPI, view: Callable) -> Callable:
    """ninja answers a method a path does not take with a bare text 405; answer JSON."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        allowed = response.get("Allow", "")
        answer = error_response(
            api,
            request,
            405,
            _("Method {method} is not allowed here; use {allowed}.").format(
                method=request.method, allowed=allowed
            ),
        )
        answer["Allow"] = allowed
        return answer

    return wrapper


api = LibranetAPI(
    title="Libranet API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    renderer=Utf8JSONRenderer(),
)
install_error_handlers(api)
api.add_router("", centers.router)
api.add_router("", reference.router)
api.add_router("", institutions.router)
api.add_router("", me.router)
api.add_router("", resources.router)
api.add_router("", usage.router)
