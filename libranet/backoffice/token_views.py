"""A staff member's API tokens: create (the secret is shown once), see when each was last used,
revoke. A token acts as its owner, so it reaches as far as the owner's role."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from libranet.accounts.models import ApiToken
from libranet.accounts.services import api_token_create, api_token_revoke
from libranet.network.permissions import Capability

from .access import requires
from .forms import ApiTokenForm
from .views import _render


@never_cache  # the page that shows a new secret must never be kept by a cache
@require_http_methods(["GET", "HEAD", "POST"])
@requires(Capability.VIEW_BACKOFFICE)
def api_tokens(request):
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    secret = None
    if form.is_bound and form.is_valid():
        _token, secret = api_token_create(
            user=request.user, name=form.cleaned_data["name"], actor=request.user
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    return _render(request, "api_tokens.html", {"form": form, "tokens": tokens, "secret": secret})


@require_POST
@requires(Capability.VIEW_BACKOFFICE)
def api_token_revoke_view(request, pk: int):
    # Only one's own tokens: another user's id is a 404, not a hint that it exists.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token “{name}” is revoked.").format(name=token.name))
    return redirect("backoffice:api_tokens")
