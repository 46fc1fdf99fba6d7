"""Who is calling: a bearer token (machine clients) or a signed-in staff session (pages that
call the API from the browser, with Django's CSRF check). What they may do is decided by
``libranet.network.permissions``; ``require`` is how an endpoint asks it.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from libranet.accounts.services import api_token_authenticate, bearer_secret
from libranet.network.models import Center
from libranet.network.permissions import Capability, SecondFactor, can, second_factor_state

from .errors import InvalidToken


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; a token given but not valid is a 401, never a fall
    through to another way of signing in."""

    openapi_description = (
        "An API token issued to a staff user (`manage.py create_api_token <username>`), sent as "
        "`Authorization: Bearer <token>`. Writes are allowed as far as the user's role reaches."
    )

    def __call__(self, request: HttpRequest) -> Any:
        secret = bearer_secret(request)
        return None if secret is None else self.authenticate(request, secret)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            raise InvalidToken()
        return user


class SessionCookieAuth(APIKeyCookie):
    """The session of a user signed in to the site (what their role allows is asked after);
    unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "The session of a user signed in to the site; POST and PATCH also need the CSRF token "
        "(header X-CSRFToken)."
    )

    def __call__(self, request: HttpRequest) -> Any:
        # Unlike ninja's cookie auth, no CSRF check without a session: a client that sent no
        # cookie and no valid token is told 401 (who are you?), not 403 (CSRF).
        return self.authenticate(request, None)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # A session still owing its second factor is not signed in, for the API as for pages.
        if second_factor_state(user) is not SecondFactor.OK:
            return None
        if check_csrf(request):
            raise HttpError(403, _("CSRF check failed: send the CSRF token with the request."))
        return user


token_auth = ApiTokenAuth()
session_auth = SessionCookieAuth()

# For the endpoints that change the registry; no other way in.
WRITE_AUTH = [token_auth, session_auth]


def viewer(request: HttpRequest) -> Any:
    """The caller of a public read: the token's user, the session's, or an anonymous visitor.

    A token that is given must be valid (401 otherwise) even here, so that a client with a
    broken token learns it at once rather than silently seeing less.
    """
    user = token_auth(request)
    if user is not None:
        return user
    return getattr(request, "user", None) or AnonymousUser()


def require(user: Any, capability: Capability, center: Center | None = None) -> None:
    """403 unless ``user`` holds ``capability`` (somewhere, or on ``center``)."""
    if can(user, capability, center):
        return
    if center is not None and center.pk is not None:
        message = _("Your role does not allow changing center {code}.").format(code=center.code)
    else:
        message = _("Your role does not allow this change.")
    raise HttpError(403, message)
