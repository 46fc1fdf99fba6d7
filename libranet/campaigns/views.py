"""The back office's pages of monitoring campaigns (under /<lang>/office/campaigns/): thin views
that ask the permission module, call the services and show their errors on the forms."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from libranet.backoffice.access import office_capabilities, requires
from libranet.network.models import Center
from libranet.network.permissions import Capability, campaign_centers_for, can, can_answer_campaign
from libranet.revisions import EditConflict
from libranet.stats.charts import bars

from . import exports
from .forms import (
    CampaignForm,
    IndicatorFormSet,
    ReopenForm,
    ResponseForm,
    add_campaign_errors,
    indicators_from,
)
from .mailing import campaign_results_send
from .models import Campaign, Indicator
from .selectors import (
    campaign_covers,
    campaign_results,
    campaigns_for,
    center_states,
    completion,
    known_figures,
    response_of,
)
from .services import (
    INDICATOR_FIELDS,
    CampaignError,
    answer_deadline,
    campaign_copy,
    campaign_create,
    campaign_open,
    campaign_update,
    response_reopen,
    response_save,
)

C = Capability
GET_POST = require_http_methods(["GET", "HEAD", "POST"])
PAGE_SIZE = 25


def _render(request: Any, template: str, context: dict[str, Any], status: int = 200) -> Any:
    context = {"caps": office_capabilities(request.user), **context}
    return render(request, f"campaigns/{template}", context, status=status)


def _crumbs(*trail: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    return [
        (_("Back office"), reverse("backoffice:dashboard")),
        (_("Monitoring campaigns"), reverse("campaigns:list")),
        *trail,
    ]


def _campaign(request: Any, pk: int) -> Campaign:
    """The campaign, if the user sees it (404 otherwise: its existence is not theirs to know)."""
    return get_object_or_404(campaigns_for(request.user), pk=pk)


@require_safe
@requires(C.ANSWER_CAMPAIGNS)
def campaign_list(request):
    today = timezone.localdate()
    page = Paginator(campaigns_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for campaign in page.object_list:
        states = center_states(campaign, request.user)
        # One center in the user's scope (an operator's): the link goes straight to its form.
        own = states[0].center.code if len(states) == 1 else None
        rows.append((campaign, campaign.phase(today), completion(states).overall, own))
    return _render(
        request,
        "list.html",
        {
            "page": page,
            "rows": rows,
            "query": "",
            "crumbs": _crumbs()[:1] + [(_("Monitoring campaigns"), None)],
        },
    )


def _indicator_initial(campaign: Campaign) -> list[dict[str, Any]]:
    return [
        {"id": i.pk, "position": i.position, **{n: getattr(i, n) for n in INDICATOR_FIELDS}}
        for i in campaign.indicators.all()
    ]


@GET_POST
@requires(C.MANAGE_CAMPAIGNS)
def campaign_new(request):
    return _campaign_form(request, None)


@GET_POST
@requires(C.MANAGE_CAMPAIGNS)
def campaign_edit(request, pk: int):
    return _campaign_form(request, _campaign(request, pk))


def _campaign_form(request: Any, campaign: Campaign | None) -> Any:
    posted = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {}
    if campaign is not None:
        initial = {n: getattr(campaign, n) for n in CampaignForm.base_fields if n != "regions"}
        initial["regions"] = list(campaign.regions.all())
        initial["revision"] = campaign.revision
    form = CampaignForm(posted, initial=initial, campaign=campaign)
    editable = campaign is None or campaign.state == Campaign.State.DRAFT
    formset = None
    if editable:
        formset = IndicatorFormSet(
            posted,
            initial=_indicator_initial(campaign) if campaign else None,
            prefix="indicators",
        )
    conflict = None
    if form.is_bound and form.is_valid() and (formset is None or formset.is_valid()):
        indicators = indicators_from(formset) if formset is not None else []
        given = [{k: v for k, v in i.items() if k != "_form"} for i in indicators]
        try:
            if campaign is None:
                campaign = campaign_create(
                    actor=request.user,
                    regions=form.cleaned_data["regions"],
                    indicators=given,
                    **form.campaign_fields(),
                )
            else:
                campaign = campaign_update(
                    actor=request.user,
                    campaign=campaign,
                    revision=form.cleaned_data["revision"],
                    regions=form.cleaned_data.get("regions") if editable else None,
                    indicators=given if editable else None,
                    **form.campaign_fields(),
                )
        except EditConflict as exc:
            conflict = exc
        except CampaignError as exc:
            add_campaign_errors(form, formset, indicators, exc)
        else:
            messages.success(request, _("The campaign is saved."))
            return redirect("campaigns:detail", pk=campaign.pk)
    title = campaign.title if campaign else _("New monitoring campaign")
    return _render(
        request,
        "form.html",
        {
            "form": form,
            "formset": formset,
            "campaign": campaign,
            "conflict": conflict,
            "title": title,
            "crumbs": _crumbs((title, None)),
        },
    )


@require_safe
@requires(C.ANSWER_CAMPAIGNS)
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    today = timezone.localdate()
    states = center_states(campaign, request.user)
    manager = can(request.user, C.MANAGE_CAMPAIGNS)
    return _render(
        request,
        "detail.html",
        {
            "campaign": campaign,
            "phase": campaign.phase(today),
            "indicators": campaign.indicators.all(),
            "states": states,
            "report": completion(states),
            "manager": manager,
            "reopen_form": ReopenForm(initial={"until": today + datetime.timedelta(days=7)}),
            "crumbs": _crumbs((campaign.title, None)),
        },
    )


def _manager_action(request: Any, pk: int, action: Any, done: str) -> Any:
    campaign = _campaign(request, pk)
    try:
        result = action(campaign)
    except CampaignError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("campaigns:detail", pk=campaign.pk)
    messages.success(request, done)
    return result or redirect("campaigns:detail", pk=campaign.pk)


@require_POST
@requires(C.MANAGE_CAMPAIGNS)
def campaign_open_view(request, pk: int):
    return _manager_action(
        request,
        pk,
        lambda c: campaign_open(actor=request.user, campaign=c) and None,
        _("The campaign is open."),
    )


@require_POST
@requires(C.MANAGE_CAMPAIGNS)
def campaign_copy_view(request, pk: int):
    def copy(campaign: Campaign) -> Any:
        made = campaign_copy(actor=request.user, source=campaign)
        return redirect("campaigns:edit", pk=made.pk)

    return _manager_action(request, pk, copy, _("A copy for the next period is made: check it."))


@require_POST
@requires(C.MANAGE_CAMPAIGNS)
def campaign_send_results(request, pk: int):
    campaign = _campaign(request, pk)
    outcome = campaign_results_send(actor=request.user, campaign=campaign)
    messages.success(
        request,
        _("Results mailed: {queued} messages queued now, {already} sent before.").format(
            queued=outcome.queued, already=outcome.already
        ),
    )
    if outcome.without_address:
        messages.warning(
            request,
            _("No address for these regional centers: {codes}.").format(
                codes=", ".join(c.code for c in outcome.without_address)
            ),
        )
    return redirect("campaigns:results", pk=campaign.pk)


@require_POST
@requires(C.MANAGE_CAMPAIGNS)
def response_reopen_view(request, pk: int, code: str):
    campaign = _campaign(request, pk)
    center = get_object_or_404(Center, code=code)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day until which the form is reopened."))
    else:
        try:
            response_reopen(
                actor=request.user,
                campaign=campaign,
                center=center,
                until=form.cleaned_data["until"],
            )
        except CampaignError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The form of {code} is reopened.").format(code=center.code))
    return redirect("campaigns:detail", pk=campaign.pk)


@GET_POST
@requires(C.ANSWER_CAMPAIGNS)
def response_form(request, pk: int, code: str):
    campaign = _campaign(request, pk)
    center = get_object_or_404(Center.objects.with_relations(), code=code)
    if not can_answer_campaign(request.user, center):
        raise PermissionDenied
    if campaign.state == Campaign.State.DRAFT or not campaign_covers(campaign, center):
        raise Http404
    response = response_of(campaign, center)
    indicators = list(campaign.indicators.all())
    stored = {a.indicator_id: a.text for a in response.answers.all()} if response else {}
    initial: dict[str, Any] = {f"indicator_{i.pk}": stored.get(i.pk, "") for i in indicators}
    initial["revision"] = response.revision if response else 1
    form = ResponseForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        indicators=indicators,
        known=known_figures(campaign, center),
    )
    conflict = None
    if form.is_bound and form.is_valid():
        submit = "submit" in request.POST
        try:
            response = response_save(
                actor=request.user,
                campaign=campaign,
                center=center,
                answers=form.answers(),
                revision=form.cleaned_data["revision"],
                submit=submit,
            )
        except EditConflict as exc:
            conflict = exc
        except CampaignError as exc:
            for name, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(
                request,
                _("The answers are submitted.") if submit else _("The answers are saved."),
            )
            return redirect("campaigns:response", pk=campaign.pk, code=center.code)
    today = timezone.localdate()
    last_day = answer_deadline(campaign, response)
    return _render(
        request,
        "response.html",
        {
            "campaign": campaign,
            "center": center,
            "response": response,
            "form": form,
            "conflict": conflict,
            "last_day": last_day,
            "answerable": campaign.opens_on <= today <= last_day,
            "crumbs": _crumbs(
                (campaign.title, reverse("campaigns:detail", args=[campaign.pk])),
                (center.name, None),
            ),
        },
    )


def _result_centers(request: Any, campaign: Campaign) -> list[Center]:
    from .selectors import covered_centers

    return list(covered_centers(campaign, campaign_centers_for(request.user)))


@require_safe
@requires(C.ANSWER_CAMPAIGNS)
def campaign_results_page(request, pk: int):
    campaign = _campaign(request, pk)
    if campaign.state == Campaign.State.DRAFT:
        raise PermissionDenied
    states = center_states(campaign, request.user)
    results = campaign_results(campaign, [s.center for s in states])
    charts = {
        r.indicator.pk: bars([(f.label, f.label, int(f.total)) for f in r.by_region])
        for r in results
        if r.indicator.is_numeric and r.by_region
    }
    return _render(
        request,
        "results.html",
        {
            "campaign": campaign,
            "report": completion(states),
            "results": [(r, charts.get(r.indicator.pk)) for r in results],
            "manager": can(request.user, C.MANAGE_CAMPAIGNS),
            "Type": Indicator.Type,
            "crumbs": _crumbs(
                (campaign.title, reverse("campaigns:detail", args=[campaign.pk])),
                (_("Results"), None),
            ),
        },
    )


@require_safe
@requires(C.ANSWER_CAMPAIGNS)
def campaign_results_download(request, pk: int, fmt: str):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    campaign = _campaign(request, pk)
    if campaign.state == Campaign.State.DRAFT:
        raise PermissionDenied
    content = exports.results_file(campaign, _result_centers(request, campaign), fmt)
    response = HttpResponse(
        content, content_type=exports.CSV_TYPE if fmt == "csv" else exports.XLSX_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.{fmt}"'
    return response
