"""The back office's one door: signed in, else the sign-in page; the capability, else 403.

Every view declares the capability it needs with ``@requires``; a view that works on one center
asks again with ``require_on``. Both ask ``libranet.network.permissions``, which decides.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from libranet.network.models import Center
from libranet.network.permissions import Capability, can


def requires(capability: Capability) -> Callable:
    """Let the view run only for a signed-in user who holds ``capability`` somewhere."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.capability = capability  # type: ignore[attr-defined]
        return wrapper

    return decorator


def require_on(user: Any, capability: Capability, center: Center) -> None:
    """403 unless ``user`` holds ``capability`` on this (saved or unsaved) center."""
    if not can(user, capability, center):
        raise PermissionDenied


def office_capabilities(user: Any) -> dict[str, bool]:
    """What the back office's menu and buttons offer this user."""
    return {name.value: can(user, name) for name in Capability}
