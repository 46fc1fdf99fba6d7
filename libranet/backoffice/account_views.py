"""A staff member's own account: roles and scopes, the second factor (set up, replace, turn
off where not required), the password, and signing out everywhere."""

from functools import wraps
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from libranet.accounts.signin.forms import ChangePasswordForm
from libranet.accounts.signin.services import (
    SecondFactorError,
    totp_config_url,
    totp_device_confirm,
    totp_device_of,
    totp_device_remove,
    totp_key_base32,
    totp_new_key,
    user_sign_out_everywhere,
)
from libranet.network.permissions import (
    Capability,
    SecondFactor,
    held_roles,
    second_factor_required,
    second_factor_state,
)

from .access import requires
from .staff_forms import TotpSetupForm
from .views import _render

GET_POST = require_http_methods(["GET", "HEAD", "POST"])
# The secret being set up lives in the session until its first code confirms it: a page that is
# only looked at writes nothing.
TOTP_KEY_SESSION = "libranet_totp_setup_key"


@require_safe
@requires(Capability.VIEW_BACKOFFICE)
def account(request):
    user = request.user
    return _render(
        request,
        "account/account.html",
        {
            "account": user,
            "roles": held_roles(user),
            "authenticator": totp_device_of(user),
            "second_factor_required": second_factor_required(user),
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        },
    )


@sensitive_post_parameters()
@GET_POST
@requires(Capability.VIEW_BACKOFFICE)
def account_password(request):
    form = ChangePasswordForm(
        request.user, request.POST if request.method == "POST" else None, request=request
    )
    if form.is_bound and form.is_valid():
        user = form.save()
        # This session goes on; every other one ends with the old password.
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password is changed; your other sessions have ended."))
        return redirect("backoffice:account")
    crumbs = [(_("Your account"), reverse("backoffice:account")), (_("Change your password"), None)]
    return _render(
        request,
        "account/password.html",
        {"form": form, "crumbs": crumbs},
        status=429 if form.refused else 200,
    )


def _staff_before_second_factor(view):
    """For the authenticator's setup, which a session that must set one up opens before any
    other page: signed in (else the sign-in page) and holding a staff role. A session whose
    user already has an authenticator gives its code first: replacing the authenticator takes
    the old one."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if second_factor_state(request.user) is SecondFactor.VERIFY:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:login_code')}?{query}")
        if not held_roles(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("backoffice:account")


@sensitive_post_parameters("otp_token")
@never_cache  # the page shows a secret
@GET_POST
@_staff_before_second_factor
def account_totp(request):
    user = request.user
    key = request.session.get(TOTP_KEY_SESSION)
    if not key:
        key = request.session[TOTP_KEY_SESSION] = totp_new_key()
    form = TotpSetupForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            device = totp_device_confirm(
                actor=user, user=user, key=key, token=form.cleaned_data["otp_token"]
            )
        except SecondFactorError as exc:
            form.add_error("otp_token", exc.messages)
        else:
            del request.session[TOTP_KEY_SESSION]
            request.session.cycle_key()
            django_otp.login(request, device)
            messages.success(
                request,
                _(
                    "Two-step sign-in is on: from now on you enter a code from the app after your "
                    "password."
                ),
            )
            return redirect(_next(request))
    qr = segno.make(totp_config_url(user=user, key=key), error="m")
    return _render(
        request,
        "account/totp.html",
        {
            "form": form,
            # segno writes the SVG itself from the otpauth address: nothing of the user's in it
            # but that address, which segno encodes as the QR's modules.
            "qr_svg": mark_safe(qr.svg_inline(scale=5, dark="#000", light="#fff")),  # noqa: S308
            "secret": totp_key_base32(key),
            "required": second_factor_required(user),
            "replacing": totp_device_of(user) is not None,
            "next": _next(request),
        },
    )


@require_POST
@requires(Capability.VIEW_BACKOFFICE)
def account_totp_remove(request):
    user = request.user
    if second_factor_required(user):
        messages.error(request, _("Your role requires two-step sign-in; it cannot be turned off."))
        return redirect("backoffice:account")
    totp_device_remove(actor=user, user=user)
    user.refresh_from_db()
    update_session_auth_hash(request, user)  # this session goes on; the others end
    messages.success(request, _("Two-step sign-in is off."))
    return redirect("backoffice:account")


@require_POST
@requires(Capability.VIEW_BACKOFFICE)
def account_sign_out_everywhere(request):
    user_sign_out_everywhere(actor=request.user, user=request.user)
    logout(request)
    messages.success(request, _("You are signed out on every device, this one too."))
    return redirect("accounts:login")
