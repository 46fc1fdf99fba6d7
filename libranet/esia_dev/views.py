"""The local provider's HTTP face: ESIA's endpoints over :class:`.provider.Provider`.

Served only by the provider's own server (:mod:`.server`), which hands every request its
provider. Pages are rendered without the site's context processors: the provider shares
nothing with the site but the code, and never reads the site's session.
"""

from dataclasses import asdict
from urllib.parse import urlencode

from django.core import signing
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .people import PEOPLE
from .provider import AuthorizationRequest, ProviderError, version_of

_SALT = "libranet.esia_dev.authorize"
_REQUEST_MAX_AGE = 600  # seconds a person may take to pick on the page


def _params(query) -> dict[str, str]:
    return {key: query.get(key, "") for key in query}


def _with_query(uri: str, **params: str) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(params)


def _page(template: str, context: dict, *, status: int = 200) -> HttpResponse:
    return HttpResponse(render_to_string(f"esia_dev/{template}", context), status=status)


def _error_page(error: ProviderError) -> HttpResponse:
    return _page("error.html", {"error": error}, status=error.status)


def _json_error(error: ProviderError) -> JsonResponse:
    return JsonResponse(
        {"error": error.error, "error_description": error.description}, status=error.status
    )


@require_GET
def index(request):
    provider = request.esia_provider
    clients = sorted({client.client_id for client in provider.clients().values()})
    return _page("index.html", {"people": PEOPLE, "clients": clients, "issuer": provider.issuer})


@require_GET
def authorize(request):
    """ESIA's authorization endpoint: check the client's signed request, then let the
    developer pick the person who "signs in"."""
    provider = request.esia_provider
    try:
        accepted = provider.authorize(version_of(request.path), _params(request.GET))
    except ProviderError as error:
        # Shown here rather than sent back: the redirect_uri of a refused request is unchecked.
        return _error_page(error)
    ticket = signing.dumps(asdict(accepted), salt=_SALT)
    choices = [
        (person, "/aas/oauth2/choose?" + urlencode({"request": ticket, "oid": person.oid}))
        for person in PEOPLE
    ]
    cancel = "/aas/oauth2/choose?" + urlencode({"request": ticket, "cancel": "1"})
    return _page(
        "choose.html", {"choices": choices, "cancel": cancel, "client_id": accepted.client_id}
    )


@require_GET
def choose(request):
    """The person picked (or refused): back to the client with a code (or an error)."""
    provider = request.esia_provider
    try:
        data = signing.loads(request.GET.get("request", ""), salt=_SALT, max_age=_REQUEST_MAX_AGE)
        accepted = AuthorizationRequest(**data)
    except (signing.BadSignature, TypeError):
        return _error_page(ProviderError("invalid_request", "the request has expired; start again"))
    if request.GET.get("cancel"):
        return HttpResponseRedirect(
            _with_query(
                accepted.redirect_uri,
                error="access_denied",
                error_description="ESIA-007007: the user refused to sign in",
                state=accepted.state,
            )
        )
    try:
        code = provider.issue_code(accepted, request.GET.get("oid", ""))
    except ProviderError as error:
        return _error_page(error)
    return HttpResponseRedirect(_with_query(accepted.redirect_uri, code=code, state=accepted.state))


@csrf_exempt  # a server-to-server endpoint: clients authenticate with their signature
@require_POST
def token(request):
    provider = request.esia_provider
    if provider.fault == "html":
        # As a gateway does when the service behind it is down for maintenance.
        return HttpResponse(
            "<html><body><h1>Ведутся технические работы</h1></body></html>",
            content_type="text/html; charset=utf-8",
        )
    try:
        answer = provider.token(version_of(request.path), _params(request.POST))
    except ProviderError as error:
        return _json_error(error)
    response = JsonResponse(answer)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def person(request, oid: str):
    try:
        return JsonResponse(
            request.esia_provider.person(oid, request.headers.get("Authorization", ""))
        )
    except ProviderError as error:
        return _json_error(error)


@require_GET
def contacts(request, oid: str):
    try:
        return JsonResponse(
            request.esia_provider.contacts(
                oid,
                request.headers.get("Authorization", ""),
                embed=request.GET.get("embed") == "(elements)",
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        )
    except ProviderError as error:
        return _json_error(error)


@require_GET
def contact(request, oid: str, contact_id: int):
    try:
        return JsonResponse(
            request.esia_provider.contact(oid, contact_id, request.headers.get("Authorization", ""))
        )
    except ProviderError as error:
        return _json_error(error)


def not_found(request, exception=None):
    return JsonResponse({"error": "not_found", "error_description": request.path}, status=404)


def server_error(request):
    return JsonResponse({"error": "server_error", "error_description": ""}, status=500)
