"""The JSON API, mounted at /api/v1/: its routers, its authentication, and its errors (always
JSON, see ``errors``). The OpenAPI document is at /api/v1/openapi.json, Swagger UI at
/api/v1/docs."""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.renderers import JSONRenderer

from . import (
    agreements,
    campaigns,
    catalog_sources,
    centers,
    events,
    institutions,
    me,
    meetings,
    news,
    opening_plans,
    reference,
    resources,
    search,
    usage,
    videos,
)
from .errors import document_errors, install_error_handlers

DESCRIPTION = """\
The registry of the Presidential Library's network of centers: regional centers, remote access
centers, branches and foreign centers, their host institutions, and the reference data (federal
districts, regions, countries) that their codes name.

Reads are public. Writes need an API token of a staff user (`Authorization: Bearer <token>`;
an administrator issues one with `manage.py create_api_token <username>`) or a signed-in staff
session with its CSRF token; a role reaches as far as it does in the back office.

Every list answers `{"count": N, "items": [...]}` and takes `limit` (at most 500) and `offset`.
Every error answers `{"message": "...", "errors": {"field": ["..."]}}` with its status: 400 for
a request that cannot be read (a body that is not JSON, a malformed header or query, an unknown
host), 401 without a valid token, 403 beyond the caller's role, 404 for an unknown code or id
(and for a path the API does not have), 405 for a method a path does not take (with `Allow`),
413 for a body over the size limit, 422 for input that breaks a rule (nothing is written then).
Each operation lists the statuses it can answer. Messages are in the language of
`Accept-Language` (Russian or English).
"""


class Utf8JSONRenderer(JSONRenderer):
    # Cyrillic as itself rather than as \u escapes: readable, and half the bytes.
    json_dumps_params = {"ensure_ascii": False}


class LibranetAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        document_errors(schema)
        return schema


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
api.add_router("", opening_plans.router)
api.add_router("", meetings.router)
api.add_router("", agreements.router)
api.add_router("", campaigns.router)
api.add_router("", videos.router)
api.add_router("", events.router)
api.add_router("", news.router)
api.add_router("", search.router)
api.add_router("", catalog_sources.router)
