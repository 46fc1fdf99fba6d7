"""Workstations: a center's operator (or anyone who may edit the center's contacts) registers
the browser they are using as a workstation of the center, for centers whose visitors come from
no fixed address; sees the center's workstations and revokes one.

Registering sets a long-lived signed cookie (``WORKSTATION_COOKIE``) that ``place_of`` reads:
from then on this browser reads what the center's premises allow. The services in
``libranet.network.places`` check the scope and write the audit row.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from libranet.network.models import Center, Workstation
from libranet.network.permissions import Capability, centers_for
from libranet.network.places import (
    WORKSTATION_COOKIE,
    WORKSTATION_COOKIE_AGE,
    workstation_of,
    workstation_register,
    workstation_revoke,
)
from libranet.network.services import RegistryError, ScopeError

from .access import require_on, requires
from .views import GET_POST, _page, _query_without_page, _render

C = Capability


class WorkstationForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of this workstation"),
        max_length=100,
        help_text=gettext_lazy("Such as “reading room, computer 3”."),
    )


def _set_cookie(response: Any, value: str) -> None:
    response.set_cookie(
        WORKSTATION_COOKIE,
        value,
        max_age=WORKSTATION_COOKIE_AGE,
        httponly=True,  # no script needs it, so none can steal it
        secure=settings.SESSION_COOKIE_SECURE,  # HTTPS-only in production
        samesite="Lax",
    )


@never_cache
@requires(C.EDIT_CENTER_CONTACTS)
def workstations(request):
    """This browser's state, and the centers in the user's scope with their workstations."""
    query = request.GET.get("q", "").strip()
    centers = (
        centers_for(request.user, C.EDIT_CENTER_CONTACTS)
        .annotate(
            active=Count("workstations", filter=Q(workstations__revoked_at__isnull=True)),
            revoked=Count("workstations", filter=Q(workstations__revoked_at__isnull=False)),
        )
        .order_by("code")
    )
    if query:
        centers = centers.filter(
            Q(code__icontains=query) | Q(name_ru__icontains=query) | Q(name_en__icontains=query)
        )
    return _render(
        request,
        "workstations/list.html",
        {
            "this": workstation_of(request),
            "page": _page(request, centers),
            "query": _query_without_page(request),
            "q": query,
        },
    )


@never_cache
@GET_POST
@requires(C.EDIT_CENTER_CONTACTS)
def center_workstations(request, code: str):
    """One center's workstations; register this browser as one more."""
    center = get_object_or_404(Center, code=code.upper())
    require_on(request.user, C.EDIT_CENTER_CONTACTS, center)
    form = WorkstationForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            workstation, cookie = workstation_register(
                actor=request.user, center=center, name=form.cleaned_data["name"]
            )
        except ScopeError as exc:
            raise PermissionDenied from exc
        except RegistryError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request,
                _("This browser is now workstation “{name}” of {center}.").format(
                    name=workstation.name, center=center.name
                ),
            )
            response = redirect("backoffice:center_workstations", code=center.code)
            _set_cookie(response, cookie)
            return response
    listed = (
        Workstation.objects.filter(center=center)
        .select_related("registered_by")
        .order_by("revoked_at", "name")
    )
    return _render(
        request,
        "workstations/center.html",
        {
            "center": center,
            "form": form,
            "workstations": listed,
            "this": workstation_of(request),
            "open": center.status == Center.Status.OPEN,
            "crumbs": [
                (_("Workstations"), reverse("backoffice:workstations")),
                (center.code, None),
            ],
        },
    )


@require_POST
@requires(C.EDIT_CENTER_CONTACTS)
def workstation_revoke_view(request, pk: int):
    workstation = get_object_or_404(Workstation.objects.select_related("center"), pk=pk)
    require_on(request.user, C.EDIT_CENTER_CONTACTS, workstation.center)
    try:
        workstation_revoke(actor=request.user, workstation=workstation)
    except ScopeError as exc:
        raise PermissionDenied from exc
    messages.success(request, _("Workstation “{name}” is revoked.").format(name=workstation.name))
    response = redirect("backoffice:center_workstations", code=workstation.center.code)
    this = workstation_of(request)
    if this is not None and this.pk == workstation.pk:
        response.delete_cookie(WORKSTATION_COOKIE, samesite="Lax")  # its cookie opens nothing now
    return response
