"""Staff sign-in pages: password (with slow-down and lockout), the second factor's code, and
password reset by e-mail. Thin: the rules are in ``lockout`` and the services."""

from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from .forms import CodeForm, ResetRequestForm, ResetSetPasswordForm, SignInForm
from .lockout import door_refusal, lockout_message, normalised_username
from .services import sign_in_failure_record, totp_device_of, totp_verify, totp_wait


def _safe_next(request, fallback: str | None = None) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback or resolve_url(settings.LOGIN_REDIRECT_URL)


def code_url(next_url: str) -> str:
    """The second-factor step, returning to ``next_url`` once the code is accepted."""
    return f"{reverse('accounts:login_code')}?{urlencode({'next': next_url})}"


class SignInView(auth_views.LoginView):
    """Username and password; then the code step for a user with an authenticator.

    Failures are counted by django-axes (lockout, see ``lockout``); from the third failure on,
    an attempt that comes too soon after the last failure is refused unchecked, as is one while
    the account or the address is locked."""

    template_name = "accounts/login.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = normalised_username(request) or ""
        refusal = door_refusal(request, username)
        if refusal:
            form = self.form_class(request, initial={"username": username})
            context = self.get_context_data(form=form, refusal=refusal)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        if totp_device_of(form.get_user()) is not None:
            return redirect(code_url(self.get_success_url()))
        return response


@sensitive_post_parameters("otp_token")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_code(request):
    """The second step: the authenticator's code, after the password."""
    if not request.user.is_authenticated:
        return redirect(
            f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': _safe_next(request)})}"
        )
    next_url = _safe_next(request)
    device = totp_device_of(request.user)
    if device is None or request.user.is_verified():
        return redirect(next_url)
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and form.is_valid():
        # The code is a secret of the account: refused while the account or the address is
        # slowed down or locked, a wrong one counted as a failed sign-in; the device also
        # slows down wrong codes on its own (``totp_wait``).
        refusal = door_refusal(request, request.user.get_username())
        wait = totp_wait(device)
        if refusal:
            status = 429
            form.add_error(None, refusal)
        elif wait:
            status = 429
            form.add_error(
                None,
                ngettext(
                    "Too many wrong codes. Wait {seconds} second and try again.",
                    "Too many wrong codes. Wait {seconds} seconds and try again.",
                    wait,
                ).format(seconds=wait),
            )
        elif totp_verify(device=device, token=form.cleaned_data["otp_token"]):
            # A new session key for the session that now counts as fully signed in.
            request.session.cycle_key()
            django_otp.login(request, device)
            return redirect(next_url)
        else:
            sign_in_failure_record(request=request, user=request.user, action="user.totp_failed")
            form.add_error(
                "otp_token",
                _("This code is wrong or has expired. Enter the code your app shows now."),
            )
    return render(
        request, "accounts/login_code.html", {"form": form, "next": next_url}, status=status
    )


def lockout_response(request, original_response=None, credentials=None):
    """Axes' answer to a locked sign-in: the sign-in page again, saying for how long (429)."""
    username = normalised_username(request, credentials)
    form = SignInForm(request, initial={"username": username or ""})
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "refusal": lockout_message(request, username),
            "next": request.POST.get("next", ""),
        },
        status=429,
    )


class PasswordResetView(auth_views.PasswordResetView):
    """The same answer whether or not the address has an account: no one learns who has one."""

    template_name = "accounts/password_reset.html"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = ResetSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
