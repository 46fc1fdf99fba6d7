"""The mailings and the outbox, for the network department: each message's delivery state, and
"send again" for one message (audited, through ``mail_resend``)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from libranet.mail.models import OutgoingMail
from libranet.mail.selectors import outbox_list, outbox_templates
from libranet.mail.services import MailError, mail_resend
from libranet.network.permissions import Capability
from libranet.usage.mailing import (
    MailingError,
    mailing_messages,
    mailing_summaries,
    parse_month,
)

from .access import requires
from .views import _page, _query_without_page, _render


class OutboxFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[("", gettext_lazy("any"))] + OutgoingMail.State.choices,
        required=False,
    )
    template = forms.CharField(
        label=gettext_lazy("Template"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "outbox-templates"}),
    )


@require_safe
@requires(Capability.MANAGE_MAILINGS)
def mailings(request):
    states = OutgoingMail.State.choices
    # Each count with its state's name: the name labels the cell when the table becomes cards.
    rows = [
        (s, [(label, s.states.get(value, 0)) for value, label in states])
        for s in mailing_summaries()
    ]
    return _render(request, "mailings/list.html", {"rows": rows, "states": states})


@require_safe
@requires(Capability.MANAGE_MAILINGS)
def mailing(request, month: str):
    try:
        first_day = parse_month(month)
    except MailingError as exc:
        raise Http404(str(exc)) from exc
    mails = mailing_messages(first_day).order_by("template", "recipient", "id")
    return _render(
        request,
        "mailings/month.html",
        {
            "month": first_day,
            "mails": mails,
            "here": request.get_full_path(),
            "crumbs": [
                (_("Mailings"), reverse("backoffice:mailings")),
                (date_format(first_day, "F Y"), None),
            ],
        },
    )


@require_safe
@requires(Capability.MANAGE_MAILINGS)
def outbox(request):
    form = OutboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return _render(
        request,
        "mailings/outbox.html",
        {
            "form": form,
            "page": _page(request, outbox_list(**filters)),
            "query": _query_without_page(request),
            "templates": outbox_templates(),
            "here": request.get_full_path(),
            "crumbs": [(_("Mailings"), reverse("backoffice:mailings")), (_("Outbox"), None)],
        },
    )


@require_POST
@requires(Capability.MANAGE_MAILINGS)
def outbox_resend(request, pk: int):
    mail = get_object_or_404(OutgoingMail, pk=pk)
    try:
        mail_resend(actor=request.user, mail=mail)
    except MailError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The message to {recipient} is queued again.").format(recipient=mail.recipient),
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "backoffice:outbox"
    return redirect(back)
