"""The back office's agreement pages: thin views that ask the permission module and call the
agreement services; a broken rule comes back as form errors, never as a 500."""

import mimetypes
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from libranet.audit.presentation import present
from libranet.backoffice.access import office_capabilities, requires
from libranet.backoffice.forms import add_registry_errors
from libranet.network.permissions import Capability, can_on_agreement
from libranet.revisions import EditConflict

from . import selectors, services
from .forms import ActivateForm, AgreementForm, RoundForm, ScanForm, StepForm, TerminateForm
from .models import Agreement, Renewal, RenewalRound, State

C = Capability
GET_POST = require_http_methods(["GET", "HEAD", "POST"])
PAGE_SIZE = 50
ROUND_PAGE_SIZE = 20  # each renewal comes with its step's form
ROUND_QUERY = ("region", "step", "page")  # what the round page's address holds
EXPIRY_FILTER_DAYS = 90  # the list's "expiring in 90 days" filter
STATE_BADGES = {
    State.DRAFT: "badge-planned",
    State.ACTIVE: "badge-open",
    State.EXPIRING: "badge-warning",
    State.EXPIRED: "badge-closed",
    State.TERMINATED: "badge-suspended",
    State.RENEWED: "badge-info",
}


def _render(request: Any, template: str, context: dict[str, Any], status: int = 200) -> Any:
    context = {"caps": office_capabilities(request.user), **context}
    return render(request, f"agreements/{template}", context, status=status)


def _crumbs(*trail: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    return [
        (_("Back office"), reverse("backoffice:dashboard")),
        (_("Agreements"), reverse("agreements:list")),
        *trail,
    ]


def _agreement(request: Any, pk: int) -> Agreement:
    """The agreement if the user may see it; 404 otherwise (its existence is not told)."""
    agreement = selectors.agreement_visible(request.user, pk)
    if agreement is None:
        raise Http404
    return agreement


def _require_manage(request: Any, agreement: Agreement) -> None:
    if not can_on_agreement(request.user, C.MANAGE_AGREEMENTS, agreement.center):
        raise PermissionDenied


def _filters(request: Any) -> selectors.AgreementFilters:
    state = request.GET.get("state", "")
    return selectors.AgreementFilters(
        state=state if state in State.values else "",
        region=(request.GET.get("region") or "")[:10],
        expiring_within_days=EXPIRY_FILTER_DAYS if request.GET.get("expiring") else None,
        q=(request.GET.get("q") or "").strip()[:200],
    )


@require_safe
@requires(C.VIEW_AGREEMENTS)
def agreement_list(request):
    today = timezone.localdate()
    filters = _filters(request)
    queryset = selectors.agreement_list(user=request.user, filters=filters, today=today)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page") or "1")
    query = request.GET.copy()
    query.pop("page", None)
    rows = [
        (a, State(a.state_on(today)), STATE_BADGES[a.state_on(today)]) for a in page.object_list
    ]
    return _render(
        request,
        "list.html",
        {
            "crumbs": _crumbs()[:-1] + [(_("Agreements"), None)],
            "filters": filters,
            "states": State.choices,
            "regions": selectors.agreement_regions(request.user),
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "counts": selectors.state_counts(user=request.user, today=today),
        },
    )


@GET_POST
@requires(C.MANAGE_AGREEMENTS)
def agreement_new(request):
    return _agreement_form(request, None)


@GET_POST
@requires(C.MANAGE_AGREEMENTS)
def agreement_edit(request, pk: int):
    agreement = _agreement(request, pk)
    _require_manage(request, agreement)
    return _agreement_form(request, agreement)


def _agreement_form(request: Any, agreement: Agreement | None):
    initial: dict[str, Any] = {}
    if agreement is not None:
        initial = {name: getattr(agreement, name) for name in services.AGREEMENT_FIELDS}
        initial["revision"] = agreement.revision
    form = AgreementForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        user=request.user,
        editing=agreement is not None,
    )
    conflict = None
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        revision = data.pop("revision", None)
        if data.get("term_years") is None:
            data.pop("term_years", None)
        else:
            data.pop("ends_on", None)
        try:
            if agreement is None:
                agreement = services.agreement_create(actor=request.user, **data)
            else:
                agreement = services.agreement_update(
                    actor=request.user, agreement=agreement, revision=revision, **data
                )
        except EditConflict as exc:
            conflict = exc
        except ValidationError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(
                request, _("Agreement № {number} is saved.").format(number=agreement.number)
            )
            return redirect("agreements:detail", pk=agreement.pk)
    title = _("Agreement № {number}").format(number=agreement.number) if agreement else None
    return _render(
        request,
        "form.html",
        {
            "form": form,
            "agreement": agreement,
            "conflict": conflict,
            "crumbs": _crumbs(
                *(
                    [(title, reverse("agreements:detail", args=[agreement.pk]))]
                    if agreement
                    else []
                ),
                (_("Edit") if agreement else _("New agreement"), None),
            ),
        },
        status=409 if conflict else 200,
    )


@require_safe
@requires(C.VIEW_AGREEMENTS)
def agreement_detail(request, pk: int):
    agreement = _agreement(request, pk)
    return _detail(request, agreement)


def _detail(request: Any, agreement: Agreement, status: int = 200, **forms: Any):
    manage = can_on_agreement(request.user, C.MANAGE_AGREEMENTS, agreement.center)
    return _render(
        request,
        "detail.html",
        {
            "agreement": agreement,
            "state": State(agreement.state),
            "badge": STATE_BADGES[agreement.state],
            "manage": manage,
            "scan_form": forms.get("scan_form") or ScanForm(),
            "terminate_form": forms.get("terminate_form")
            or TerminateForm(initial={"terminated_on": timezone.localdate()}),
            "activate_form": forms.get("activate_form") or ActivateForm(),
            "renewals": agreement.renewals.select_related("round", "renewed"),
            "replaced_by": agreement.replaced_by.all(),
            "history": present(selectors.agreement_history(agreement)[:50]),
            "crumbs": _crumbs((_("Agreement № {number}").format(number=agreement.number), None)),
        },
        status=status,
    )


@GET_POST
@requires(C.VIEW_AGREEMENTS)
def agreement_scan(request, pk: int):
    """GET: the signed scan, to those who may see the agreement (never from a public URL).
    POST: a new scan, by those who manage it."""
    agreement = _agreement(request, pk)
    if request.method == "POST":
        _require_manage(request, agreement)
        form = ScanForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.agreement_attach_scan(
                    actor=request.user, agreement=agreement, file=form.cleaned_data["scan"]
                )
            except ValidationError as exc:
                add_registry_errors(form, exc)
            else:
                messages.success(request, _("The signed scan is kept."))
                return redirect("agreements:detail", pk=agreement.pk)
        return _detail(request, agreement, status=422, scan_form=form)
    if not agreement.scan:
        raise Http404
    content_type = mimetypes.guess_type(agreement.scan.name)[0] or "application/octet-stream"
    suffix = agreement.scan.name.rsplit(".", 1)[-1]
    response = FileResponse(
        agreement.scan.open("rb"),
        content_type=content_type,
        filename=f"agreement-{agreement.pk}.{suffix}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _detail_action(request: Any, pk: int, form_class: Any, service: Any, done: str, name: str):
    """A state change posted from an agreement's page: done, or the page again with the form's
    errors (422)."""
    agreement = _agreement(request, pk)
    _require_manage(request, agreement)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("agreements:detail", pk=agreement.pk)
    return _detail(request, agreement, status=422, **{name: form})


@require_POST
@requires(C.MANAGE_AGREEMENTS)
def agreement_terminate(request, pk: int):
    return _detail_action(
        request,
        pk,
        TerminateForm,
        services.agreement_terminate,
        _("The agreement is terminated."),
        "terminate_form",
    )


@require_POST
@requires(C.MANAGE_AGREEMENTS)
def agreement_activate(request, pk: int):
    return _detail_action(
        request,
        pk,
        ActivateForm,
        services.agreement_activate,
        _("The agreement is active."),
        "activate_form",
    )


# --- renewal rounds ----------------------------------------------------------------------------


@require_safe
@requires(C.VIEW_AGREEMENTS)
def round_list(request):
    rounds = selectors.round_list(user=request.user)
    return _render(
        request,
        "rounds.html",
        {"rounds": rounds, "crumbs": _crumbs((_("Renewal rounds"), None))},
    )


@GET_POST
@requires(C.MANAGE_AGREEMENTS)
def round_new(request):
    today = timezone.localdate()
    form = RoundForm(
        request.POST if request.method == "POST" else None,
        initial={
            "year": today.year,
            "title": _("Renewal of agreements {year}").format(year=today.year),
        },
    )
    if form.is_bound and form.is_valid():
        try:
            round_ = services.renewal_round_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(
                request,
                _("The round is started with {count} agreements.").format(
                    count=round_.renewals.count()
                ),
            )
            return redirect("agreements:round", pk=round_.pk)
    return _render(
        request,
        "round_form.html",
        {
            "form": form,
            "crumbs": _crumbs(
                (_("Renewal rounds"), reverse("agreements:rounds")), (_("New round"), None)
            ),
        },
    )


@require_safe
@requires(C.VIEW_AGREEMENTS)
def round_detail(request, pk: int):
    return _round_page(request, pk, request.GET)


def _renewal_filters(query: QueryDict) -> selectors.RenewalFilters:
    step = query.get("step", "")
    return selectors.RenewalFilters(
        region=(query.get("region") or "")[:10],
        step=step if step in Renewal.Step.values else "",
    )


def _round_page(
    request: Any,
    pk: int,
    query: QueryDict,
    *,
    failed: Renewal | None = None,
    form: Any = None,
):
    """The round: its progress per step and per region, and a page of its renewals filtered by
    ``query`` (region, step, page), each with the button of its next step."""
    round_ = get_object_or_404(RenewalRound.objects.select_related("region"), pk=pk)
    progress = selectors.round_progress(user=request.user, round_=round_)
    if not progress.total:
        raise Http404
    filters = _renewal_filters(query)
    renewals = selectors.round_renewals(user=request.user, round_=round_, filters=filters)
    page = Paginator(renewals, ROUND_PAGE_SIZE).get_page(query.get("page") or "1")
    today = timezone.localdate()
    rows = []
    for renewal in page.object_list:
        next_step = services.NEXT_STEP.get(renewal.step)
        allowed = next_step is not None and services.renewal_step_allowed(
            request.user, renewal, next_step
        )
        rows.append(
            {
                "renewal": renewal,
                "next_step": next_step,
                "next_label": Renewal.Step(next_step).label if next_step else "",
                "allowed": allowed,
                "form": form if failed is not None and failed.pk == renewal.pk else None,
                "late": next_step is not None and round_.deadline < today,
            }
        )
    filter_query = query.copy()
    filter_query.pop("page", None)
    return _render(
        request,
        "round.html",
        {
            "round": round_,
            "rows": rows,
            "page": page,
            "query": filter_query.urlencode(),
            "back": query.urlencode(),
            "filters": filters,
            "progress": progress,
            "steps": Renewal.Step.choices,
            # A refused step whose renewal is not on this page is told above the list.
            "failed_elsewhere": failed
            if failed is not None and not any(row["form"] is not None for row in rows)
            else None,
            "failed_form": form,
            "today": today,
            "crumbs": _crumbs(
                (_("Renewal rounds"), reverse("agreements:rounds")), (str(round_), None)
            ),
        },
        status=422 if failed is not None else 200,
    )


@require_POST
@requires(C.RECORD_PARTNER_SIGNATURE)
def renewal_step(request, pk: int):
    renewal = get_object_or_404(Renewal.objects.select_related("agreement__center"), pk=pk)
    if selectors.agreement_visible(request.user, renewal.agreement_id) is None:
        raise Http404
    # The round page's filters and page, to come back to them.
    sent = QueryDict((request.POST.get("back") or "")[:500])
    back = QueryDict(mutable=True)
    back.update({key: sent[key] for key in ROUND_QUERY if sent.get(key)})
    form = StepForm(request.POST, request.FILES)
    if form.is_valid():
        step = form.cleaned_data["step"]
        if not services.renewal_step_allowed(request.user, renewal, step):
            raise PermissionDenied
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        data.pop("step", None)
        try:
            services.renewal_advance(actor=request.user, renewal=renewal, step=step, **data)
        except ValidationError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(
                request,
                _("№ {number}: {step}.").format(
                    number=renewal.agreement.number, step=Renewal.Step(step).label
                ),
            )
            url = reverse("agreements:round", args=[renewal.round_id])
            query = f"?{back.urlencode()}" if back else ""
            return redirect(f"{url}{query}#renewal-{pk}")
    return _round_page(request, renewal.round_id, back, failed=renewal, form=form)
