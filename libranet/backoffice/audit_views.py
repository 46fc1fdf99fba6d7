"""The audit trail, for the network department: who changed what, when, from where. Read only:
no page, form or service edits an entry."""

from django.views.decorators.http import require_safe

from libranet.audit.selectors import AuditFilters, audit_actions, audit_list
from libranet.network.permissions import Capability

from .access import requires
from .forms import AuditFilterForm
from .views import _page, _query_without_page, _render


@require_safe
@requires(Capability.VIEW_AUDIT)
def audit_trail(request):
    form = AuditFilterForm(request.GET or None)
    filters = AuditFilters(**form.cleaned_data) if form.is_valid() else AuditFilters()
    return _render(
        request,
        "audit.html",
        {
            "form": form,
            "page": _page(request, audit_list(filters=filters)),
            "query": _query_without_page(request),
            "actions": audit_actions(),
        },
    )
