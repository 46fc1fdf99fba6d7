"""SUSHI credentials: issue one (its API key is shown once), see when each was last used,
revoke. Only holders of MANAGE_SUSHI (the network department, administrators) come here."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from libranet.network.permissions import Capability
from libranet.usage.credentials import sushi_credential_issue, sushi_credential_revoke
from libranet.usage.models import SushiCredential

from .access import requires
from .sushi_forms import SushiCredentialForm
from .views import _render


@never_cache  # the page that shows a new key must never be kept by a cache
@require_http_methods(["GET", "HEAD", "POST"])
@requires(Capability.MANAGE_SUSHI)
def sushi_credentials(request):
    form = SushiCredentialForm(request.POST if request.method == "POST" else None)
    issued = None
    if form.is_bound and form.is_valid():
        try:
            credential, api_key = sushi_credential_issue(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            issued = {"credential": credential, "api_key": api_key, **form.cleaned_data}
            form = SushiCredentialForm()
    credentials = SushiCredential.objects.select_related("center").order_by(
        F("revoked_at").asc(nulls_first=True), "-created_at"
    )
    site = settings.LIBRANET_SITE_URL or request.build_absolute_uri("/").rstrip("/")
    return _render(
        request,
        "sushi/credentials.html",
        {
            "form": form,
            "credentials": credentials,
            "issued": issued,
            "endpoint": site + reverse("sushi:status").removesuffix("/r51/status"),
            "library_customer_id": settings.LIBRANET_SUSHI_LIBRARY_CUSTOMER_ID,
        },
    )


@require_POST
@requires(Capability.MANAGE_SUSHI)
def sushi_credential_revoke_view(request, pk: int):
    credential = get_object_or_404(SushiCredential, pk=pk)
    sushi_credential_revoke(actor=request.user, credential=credential)
    messages.success(
        request,
        _("The credential of {requestor} is revoked.").format(requestor=credential.requestor_id),
    )
    return redirect("backoffice:sushi_credentials")
