"""The back office's partner-catalog pages: thin views over the services; a source the check
refuses comes back as the form with the message on its field and what was typed kept."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from libranet.backoffice.access import office_capabilities, requires
from libranet.backoffice.forms import add_registry_errors
from libranet.network.permissions import Capability
from libranet.revisions import EditConflict

from . import services
from .forms import SourceForm
from .models import CatalogSource, HarvestRun
from .selectors import last_runs, sources_listed

C = Capability
GET_POST = require_http_methods(["GET", "HEAD", "POST"])
RUNS_PAGE_SIZE = 20


def _render(request: Any, template: str, context: dict[str, Any], status: int = 200) -> Any:
    context = {"caps": office_capabilities(request.user), **context}
    return render(request, f"catalogs/{template}", context, status=status)


def _crumbs(*trail: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    return [
        (_("Back office"), reverse("backoffice:dashboard")),
        (_("Partner catalogs"), reverse("catalogs_office:list")),
        *trail,
    ]


@require_safe
@requires(C.MANAGE_CATALOG_SOURCES)
def source_list(request):
    sources = list(sources_listed())
    runs = last_runs(sources)
    return _render(
        request,
        "list.html",
        {
            "crumbs": _crumbs()[:-1] + [(_("Partner catalogs"), None)],
            "rows": [(s, runs.get(s.pk)) for s in sources],
        },
    )


@GET_POST
@requires(C.MANAGE_CATALOG_SOURCES)
def source_new(request):
    return _source_form(request, None)


@GET_POST
@requires(C.MANAGE_CATALOG_SOURCES)
def source_edit(request, pk: int):
    return _source_form(request, get_object_or_404(CatalogSource, pk=pk))


def _source_form(request: Any, source: CatalogSource | None):
    initial: dict[str, Any] = {}
    if source is not None:
        initial = {name: getattr(source, name) for name in services.SOURCE_FIELDS}
        initial["sets"] = "\n".join(source.sets)
        initial["revision"] = source.revision
    form = SourceForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        editing=source is not None,
    )
    conflict = None
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if source is None:
                source = services.source_register(actor=request.user, **data)
            else:
                revision = data.pop("revision")
                source = services.source_update(
                    actor=request.user, source=source, revision=revision, **data
                )
        except EditConflict as exc:
            conflict = exc
        except services.CatalogError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(
                request, _("The partner catalog “{name}” is saved.").format(name=source.name)
            )
            return redirect("catalogs_office:source", pk=source.pk)
    trail: list[tuple[Any, str | None]] = []
    if source is not None:
        trail.append((source.name, reverse("catalogs_office:source", args=[source.pk])))
    trail.append((_("Edit") if source else _("Register a partner catalog"), None))
    return _render(
        request,
        "form.html",
        {"form": form, "source": source, "conflict": conflict, "crumbs": _crumbs(*trail)},
        status=409 if conflict else 200,
    )


@require_safe
@requires(C.MANAGE_CATALOG_SOURCES)
def source_detail(request, pk: int):
    source = get_object_or_404(sources_listed(), pk=pk)
    runs = source.runs.order_by("-started_at", "-pk")
    page = Paginator(runs, RUNS_PAGE_SIZE).get_page(request.GET.get("page") or "1")
    return _render(
        request,
        "source.html",
        {"source": source, "page": page, "crumbs": _crumbs((source.name, None))},
    )


@require_POST
@requires(C.MANAGE_CATALOG_SOURCES)
def source_harvest(request, pk: int):
    source = get_object_or_404(CatalogSource, pk=pk)
    full = request.POST.get("full") == "1"
    try:
        services.harvest_request(actor=request.user, source=source, full=full)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("A full harvest is queued; its run shows here when the task worker starts it.")
            if full
            else _("A harvest is queued; its run shows here when the task worker starts it."),
        )
    return redirect("catalogs_office:source", pk=source.pk)


@require_POST
@requires(C.MANAGE_CATALOG_SOURCES)
def source_deactivate(request, pk: int):
    source = get_object_or_404(CatalogSource, pk=pk)
    if request.POST.get("active") == "1":
        services.source_update(actor=request.user, source=source, active=True, check=False)
        messages.success(request, _("The source is active again."))
    else:
        services.source_deactivate(actor=request.user, source=source)
        messages.success(request, _("The source is deactivated; its records stay."))
    return redirect("catalogs_office:source", pk=source.pk)


@require_safe
@requires(C.MANAGE_CATALOG_SOURCES)
def run_detail(request, pk: int):
    run = get_object_or_404(HarvestRun.objects.select_related("source", "started_by"), pk=pk)
    title = _("Harvest of {date}").format(
        date=date_format(timezone.localtime(run.started_at), "d.m.Y H:i")
    )
    return _render(
        request,
        "run.html",
        {
            "run": run,
            "title": title,
            "crumbs": _crumbs(
                (run.source.name, reverse("catalogs_office:source", args=[run.source_id])),
                (title, None),
            ),
        },
    )
