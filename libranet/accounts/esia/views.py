"""The ESIA door: start the sign-in, take ESIA's answer. Outside the language prefix, so the
callback's address is the one registered on ESIA's portal whatever the reader's language."""

import logging
import uuid

from django.contrib.auth import login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from libranet.accounts.selectors import reader_needs_consent
from libranet.accounts.services import ReaderError, reader_sign_in_with_esia

from .client import EsiaClient, EsiaError, Reason

logger = logging.getLogger(__name__)

SESSION_KEY = "libranet_esia_signin"
# How a reader is signed in: the user was found by the verified ESIA identity, not by a
# password, so the plain model backend only loads them on later requests.
BACKEND = "django.contrib.auth.backends.ModelBackend"

_STATUS = {
    Reason.NOT_CONFIGURED: 503,
    Reason.STATE_MISMATCH: 400,
    Reason.DENIED: 403,
    Reason.UNAVAILABLE: 502,
    Reason.BAD_ANSWER: 502,
    Reason.CLIENT_REFUSED: 502,
    Reason.CODE_REFUSED: 400,
    Reason.TOKEN_INVALID: 502,
    Reason.SIGNING_FAILED: 500,
}


def _refused(request, error: EsiaError):
    level = (
        logging.ERROR
        if error.reason in (Reason.NOT_CONFIGURED, Reason.SIGNING_FAILED)
        else logging.WARNING
    )
    logger.log(level, "ESIA sign-in refused (%s): %s", error.reason, error.detail)
    return render(
        request,
        "accounts/esia_refused.html",
        {"message": error.message, "reason": str(error.reason)},
        status=_STATUS[error.reason],
    )


def _safe_next(request, candidate: str) -> str:
    """A page of this site to come back to; never the ESIA door itself (a refusal's page)."""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not candidate or not allowed or candidate.startswith("/accounts/esia/"):
        return ""
    return candidate


@never_cache
@require_safe
def esia_login(request):
    """Send the visitor to ESIA with a signed request and a fresh state kept in the session."""
    try:
        client = EsiaClient.from_settings()
        redirect_uri = client.config.redirect_uri or request.build_absolute_uri(
            reverse("esia_callback")
        )
        state = str(uuid.uuid4())
        url = client.authorization_url(state=state, redirect_uri=redirect_uri)
    except EsiaError as error:
        return _refused(request, error)
    request.session[SESSION_KEY] = {
        "state": state,
        "redirect_uri": redirect_uri,
        "next": _safe_next(request, request.GET.get("next", "")),
    }
    return HttpResponseRedirect(url)


@never_cache
@require_safe
def esia_callback(request):
    """ESIA's answer: check the state, exchange the code, sign the reader in."""
    pending = request.session.pop(SESSION_KEY, None)  # a state is good for one answer only
    state = request.GET.get("state", "")
    if not pending or not state or not constant_time_compare(state, pending.get("state", "")):
        return _refused(request, EsiaError(Reason.STATE_MISMATCH, f"state {state[:64]!r}"))
    if request.GET.get("error"):
        detail = f"{request.GET['error'][:64]}: {request.GET.get('error_description', '')[:200]}"
        return _refused(request, EsiaError(Reason.DENIED, detail))
    code = request.GET.get("code", "")
    if not code:
        return _refused(request, EsiaError(Reason.BAD_ANSWER, "no code in the answer"))
    try:
        person = EsiaClient.from_settings().sign_in(code=code, redirect_uri=pending["redirect_uri"])
        user = reader_sign_in_with_esia(
            oid=person.oid,
            confirmed=person.confirmed,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
        )
    except EsiaError as error:
        return _refused(request, error)
    except ReaderError as error:
        logger.warning("ESIA sign-in refused: %s", error)
        return render(
            request,
            "accounts/esia_refused.html",
            {"message": str(error), "reason": "blocked"},
            status=403,
        )
    login(request, user, backend=BACKEND)
    next_url = pending.get("next", "")
    if reader_needs_consent(user):
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        return HttpResponseRedirect(reverse("accounts:reader_consent") + query)
    return HttpResponseRedirect(next_url or reverse("accounts:reader_me"))
