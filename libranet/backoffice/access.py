"""The back office's one door: signed in, else the sign-in page; the capability, else 403.

Every view declares the capability it needs with ``@requires``; a view that works on one center
asks again with ``require_on``. Both ask ``libranet.network.permissions``, which decides. A
session that still owes its second factor is sent to give it first.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from libranet.network.models import Center
from libranet.network.permissions import Capability, SecondFactor, can, second_factor_state


def requires(capability: Capability) -> Callable:
    """Let the view run only for a signed-in user who holds ``capability`` somewhere."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            owed = second_factor_redirect(request)
            if owed is not None:
                return owed
            if not can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.capability = capability  # type: ignore[attr-defined]
        return wrapper

    return decorator


def second_factor_redirect(request: Any) -> Any:
    """Where a session that still owes its second factor must go first: the code step, or
    (for a role that requires one, with none set up) the authenticator's setup; else None."""
    state = second_factor_state(request.user)
    if state is SecondFactor.OK:
        return None
    target = "accounts:login_code" if state is SecondFactor.VERIFY else "backoffice:account_totp"
    return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def require_on(user: Any, capability: Capability, center: Center) -> None:
    """403 unless ``user`` holds ``capability`` on this (saved or unsaved) center."""
    if not can(user, capability, center):
        raise PermissionDenied


def office_capabilities(user: Any) -> dict[str, bool]:
    """What the back office's menu and buttons offer this user."""
    return {name.value: can(user, name) for name in Capability}
