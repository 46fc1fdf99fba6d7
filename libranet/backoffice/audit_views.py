"""The audit trail, for the network department: who changed what, when, from where, in words
(``audit.presentation``). Read only: no page, form or service edits an entry."""

from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from libranet.audit.presentation import action_choices, present
from libranet.audit.selectors import AuditFilters, audit_actions, audit_list
from libranet.network.permissions import Capability

from .access import requires
from .forms import AuditFilterForm
from .views import _page, _query_without_page, _render, office_crumbs


@require_safe
@requires(Capability.VIEW_AUDIT)
def audit_trail(request):
    form = AuditFilterForm(request.GET or None, actions=action_choices(audit_actions()))
    filters = AuditFilters(**form.cleaned_data) if form.is_valid() else AuditFilters()
    page = _page(request, audit_list(filters=filters))
    return _render(
        request,
        "audit.html",
        {
            "form": form,
            "page": page,
            "entries": present(page.object_list),
            "query": _query_without_page(request),
            "crumbs": office_crumbs((_("Audit trail"), None)),
        },
    )
