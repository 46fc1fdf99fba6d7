"""A reader's own pages, under the language prefix (/ru/accounts/me/).

A reader is a person signed in with ESIA. Until they accept the personal-data consent the
account is not usable: their page sends them to the consent, and the selectors give them no
access level. Deleting the account needs no consent (refusing it is a reason to delete).
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from libranet.accounts.selectors import esia_identity_of, reader_stored_data
from libranet.accounts.services import reader_accept_consent, reader_delete

from .forms import ConsentForm


def _reader_or_response(request):
    """The reader's identity, or the response for anyone else: visitors are sent to sign in
    with Gosuslugi, other signed-in users are refused."""
    if not request.user.is_authenticated:
        url = reverse("esia_login") + "?" + urlencode({"next": request.get_full_path()})
        return None, HttpResponseRedirect(url)
    identity = esia_identity_of(request.user)
    if identity is None:
        raise PermissionDenied(_("These pages are for readers signed in with Gosuslugi."))
    return identity, None


def _next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


@never_cache
@require_safe
def reader_me(request):
    """What is stored about me, with the way out (delete the account)."""
    identity, response = _reader_or_response(request)
    if response:
        return response
    if identity.consent_accepted_at is None:
        return HttpResponseRedirect(reverse("accounts:reader_consent"))
    return render(
        request,
        "accounts/reader_me.html",
        {"identity": identity, "stored": reader_stored_data(request.user)},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reader_consent(request):
    identity, response = _reader_or_response(request)
    if response:
        return response
    next_url = _next(request)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        reader_accept_consent(user=request.user)
        messages.success(request, _("Thank you. Your reader account is ready."))
        return HttpResponseRedirect(next_url or reverse("accounts:reader_me"))
    return render(
        request,
        "accounts/reader_consent.html",
        {"form": form, "identity": identity, "next": next_url},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reader_delete_account(request):
    _identity, response = _reader_or_response(request)
    if response:
        return response
    if request.method == "POST":
        reader_delete(user=request.user)
        logout(request)
        messages.success(
            request, _("Your reader account and the personal data stored with it are deleted.")
        )
        return HttpResponseRedirect(reverse("public:home"))
    return render(request, "accounts/reader_delete.html")
