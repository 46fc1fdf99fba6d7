"""The back office's pages of monitoring campaigns (under /<lang>/office/campaigns/): thin views
that ask the permission module, call the services and show their errors on the forms."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from libranet.backoffice.access import office_capabilities, requires
from libranet.network.models import Center
from libranet.network.permissions import Capability, campaign_centers_for, can, can_answer_campaign
from libranet.revisions import EditConflict
from libranet.stats.charts import bars
from libranet.usage.overview import short_name

from . import exports
from .forms import (
    CampaignForm,
    CentersFilterForm,
    IndicatorFormSet,
    ReopenForm,
    ResponseForm,
    add_campaign_errors,
    indicators_from,
)
from .mailing import campaign_results_send
from .models import Campaign
from .selectors import (
    Completion,
    CompletionReport,
    area_centers,
    area_completion,
    campaign_covers,
    campaign_progress,
    campaign_results,
    campaigns_for,
    center_rows,
    covered_centers,
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
    scope = campaign_centers_for(request.user)
    rows = []
    for campaign in page.object_list:
        progress = campaign_progress(campaign, scope)
        # One center in the user's scope (an operator's): the link goes straight to its form.
        own = (
            covered_centers(campaign, scope).values_list("code", flat=True).first()
            if progress.total == 1
            else None
        )
        rows.append((campaign, campaign.phase(today), progress, own))
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


CENTERS_PAGE_SIZE = 50


def _filters(
    request: Any, campaign: Campaign
) -> tuple[QuerySet, CentersFilterForm, CompletionReport]:
    """The campaign's centers in the reader's scope, the page's filters, and the completion
    over the scope (which offers the filters' areas)."""
    scope = covered_centers(campaign, campaign_centers_for(request.user))
    report = area_completion(campaign, scope)
    form = CentersFilterForm(request.GET, report=report)
    if len(report.by_region) <= 1:  # one region (a regional head's): nothing to choose
        del form.fields["district"], form.fields["region"]
    form.is_valid()  # an unknown value is left out and said above the table
    return scope, form, report


@require_safe
@requires(C.ANSWER_CAMPAIGNS)
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk)
    today = timezone.localdate()
    scope, form, report = _filters(request, campaign)
    chosen = form.cleaned_data
    rows = center_rows(
        campaign,
        area_centers(scope, district=chosen.get("district", ""), region=chosen.get("region", "")),
        state=chosen.get("state", ""),
        search=chosen.get("q", ""),
        sort=chosen.get("sort") or "place",
    )
    page = Paginator(rows, CENTERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        "detail.html",
        {
            "campaign": campaign,
            "phase": campaign.phase(today),
            "indicators": campaign.indicators.all(),
            "report": report,
            "form": form,
            "page": page,
            "query": form.query(),
            "filtered": bool(form.query(without=("sort",))),
            "manager": can(request.user, C.MANAGE_CAMPAIGNS),
            "reopen_until": today + datetime.timedelta(days=7),
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
    # Back to the table as it was: its filters and page, nothing else.
    back = QueryDict(request.POST.get("back", ""))
    kept = urlencode({k: back[k] for k in (*CentersFilterForm.base_fields, "page") if back.get(k)})
    detail = reverse("campaigns:detail", args=[campaign.pk])
    return redirect(f"{detail}?{kept}#centers" if kept else f"{detail}#centers")


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
    return list(covered_centers(campaign, campaign_centers_for(request.user)))


RESULT_CENTERS_PAGE_SIZE = 25


def _results_area(
    form: CentersFilterForm, report: CompletionReport
) -> tuple[Completion | None, Completion | None]:
    """The federal district and the region the results page shows (``None``: all of them),
    going down where a level holds one area: a regional head's results open at the region's
    centers."""
    wanted_district = form.cleaned_data.get("district")
    wanted_region = form.cleaned_data.get("region")
    parts = [(d, p) for d in report.by_district for p in d.parts]
    district, region = next(
        ((d, p) for d, p in parts if wanted_region and p.code == wanted_region), (None, None)
    )
    if district is None and wanted_district:
        district = next((d for d in report.by_district if d.code == wanted_district), None)
    if district is None and len(report.by_district) == 1:
        district = report.by_district[0]
    if region is None and district is not None and len(district.parts) == 1:
        region = district.parts[0]
    return district, region


def _center_chart(result: Any) -> Any:
    return bars(
        [(c.code, c.name, int(a.number)) for c, a in result.by_center if a.number is not None]
    )


@require_safe
@requires(C.ANSWER_CAMPAIGNS)
def campaign_results_page(request, pk: int):
    """The results drill down as the statistics do: the network by federal district, a
    district by region, a region by center (paged); the downloads hold every center."""
    campaign = _campaign(request, pk)
    if campaign.state == Campaign.State.DRAFT:
        raise PermissionDenied
    scope, form, report = _filters(request, campaign)
    district, region = _results_area(form, report)
    area = {"district": district.code if district else "", "region": region.code if region else ""}
    centers = area_centers(scope, **area)
    results = campaign_results(campaign, centers, by_center=region is not None)
    page = None
    by_center: list[tuple[Center, list[tuple[Any, Any]]]] = []
    shown: list[tuple[Any, Any, list[Any]]] = []  # each result, its chart, its rows by area
    if region is not None:
        page = Paginator(center_rows(campaign, centers), RESULT_CENTERS_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        submitted = {(c.pk, a.indicator_id): a for r in results for c, a in r.by_center}
        indicators = [r.indicator for r in results]
        by_center = [(c, [(i, submitted.get((c.pk, i.pk))) for i in indicators]) for c in page]
        shown = [(r, _center_chart(r) if r.indicator.is_numeric else None, []) for r in results]
    else:
        for r in results:
            groups = r.by_region if district is not None else r.by_district
            chart = bars([(short_name(f.label), f.label, int(f.total)) for f in groups])
            shown.append((r, chart if r.indicator.is_numeric and groups else None, groups))
    results_url = reverse("campaigns:results", args=[campaign.pk])
    trail: list[tuple[Any, str | None]] = [(_("Results"), results_url)]
    if district is not None:
        trail.append((district.label, f"{results_url}?district={district.code}"))
    if region is not None:
        trail.append((region.label, None))
    trail[-1] = (trail[-1][0], None)
    return _render(
        request,
        "results.html",
        {
            "campaign": campaign,
            "overall": (region or district or report.overall),
            "areas": [] if region else (district.parts if district else report.by_district),
            "drill": "region" if district is not None else "district",
            "area_query": urlencode({k: v for k, v in area.items() if v}),
            "region": region,
            "page": page,
            "by_center": by_center,
            "indicators": [r.indicator for r in results],
            "results": shown,
            "manager": can(request.user, C.MANAGE_CAMPAIGNS),
            "crumbs": _crumbs(
                (campaign.title, reverse("campaigns:detail", args=[campaign.pk])), *trail
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
