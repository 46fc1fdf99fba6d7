"""The staff back office: thin views that parse the request, ask the permission module and call
the network services; a broken rule comes back as form errors, never as a 500."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from libranet.imports.models import ImportJob
from libranet.imports.selectors import recent_import_jobs
from libranet.imports.services import import_job_create
from libranet.network import importexport
from libranet.network.models import Center, Country, Institution, Region
from libranet.network.permissions import Capability, can, centers_for
from libranet.network.selectors import CenterFilters, center_list
from libranet.network.services import (
    CENTER_FIELDS,
    CONTACT_FIELDS,
    RegistryError,
    center_change_status,
    center_create,
    center_update,
    center_update_contacts,
    institution_create,
    institution_update,
    reference_update,
)

from .access import office_capabilities, require_on, requires
from .dashboard import dashboard_for
from .forms import (
    CenterForm,
    ContactsForm,
    ImportForm,
    InstitutionForm,
    ReferenceForm,
    StatusForm,
    add_registry_errors,
)

PAGE_SIZE = 50
C = Capability
GET_POST = require_http_methods(["GET", "HEAD", "POST"])


def _render(request: Any, template: str, context: dict[str, Any], status: int = 200) -> Any:
    """Render a back-office page with what the menu offers this user."""
    context = {"caps": office_capabilities(request.user), **context}
    return render(request, f"backoffice/{template}", context, status=status)


def office_crumbs(*trail: tuple[Any, str | None]) -> list[tuple[Any, str | None]]:
    """Breadcrumbs from the back office's dashboard down to a page (the last pair, url None)."""
    return [(_("Back office"), reverse("backoffice:dashboard")), *trail]


def _office_centers(user: Any) -> Any:
    """The centers the back office shows this user: those they may edit, or an operator's own."""
    return centers_for(user, C.EDIT_CENTER_CONTACTS)


def _query_without_page(request: Any) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _page(request: Any, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page") or "1")


# --- dashboard and centers -----------------------------------------------------------------


@require_safe
@requires(C.VIEW_BACKOFFICE)
def dashboard(request):
    return _render(request, "dashboard.html", {"board": dashboard_for(request.user)})


@require_safe
@requires(C.EDIT_CENTER_CONTACTS)
def centers(request):
    filters = CenterFilters.from_mapping(request.GET)
    page = _page(request, center_list(filters=filters, queryset=_office_centers(request.user)))
    return _render(
        request,
        "centers.html",
        {
            "filters": filters,
            "page": page,
            "query": _query_without_page(request),
            "kinds": Center.Kind.choices,
            "statuses": Center.Status.choices,
            "regions": Region.objects.order_by("code").values_list("code", "name_ru", "name_en"),
        },
    )


def _center_crumbs(center: Center, url: str | None = None) -> list[tuple[Any, str | None]]:
    return office_crumbs((_("Centers"), reverse("backoffice:centers")), (center.name, url))


def _center_args(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in CENTER_FIELDS if name in data}


@GET_POST
@requires(C.EDIT_CENTER)
def center_new(request):
    form = CenterForm(
        request.POST if request.method == "POST" else None, creating=True, user=request.user
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            center = center_create(
                actor=request.user,
                status=data["status"],
                networks=data["networks"],
                **_center_args(data),
            )
        except RegistryError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, _("Center {code} is registered.").format(code=center.code))
            return redirect("backoffice:centers")
    crumbs = office_crumbs((_("Centers"), reverse("backoffice:centers")), (_("New center"), None))
    return _render(request, "center_form.html", {"form": form, "center": None, "crumbs": crumbs})


@GET_POST
@requires(C.EDIT_CENTER_CONTACTS)
def center_edit(request, code: str):
    center = get_object_or_404(Center.objects.with_relations(), code=code)
    if not can(request.user, C.EDIT_CENTER, center):
        return _contacts_edit(request, center)
    data = request.POST if request.method == "POST" else None
    form = CenterForm(
        data, creating=False, user=request.user, initial=CenterForm.initial_for(center)
    )
    if form.is_bound and form.is_valid():
        try:
            center = center_update(
                actor=request.user,
                center=center,
                networks=form.cleaned_data["networks"],
                **_center_args(form.cleaned_data),
            )
        except RegistryError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, _("Center {code} is saved.").format(code=center.code))
            return redirect("backoffice:centers")
    return _render(
        request,
        "center_form.html",
        {"form": form, "center": center, "crumbs": _center_crumbs(center)},
    )


def _contacts_edit(request, center: Center):
    require_on(request.user, C.EDIT_CENTER_CONTACTS, center)
    initial = {name: getattr(center, name) for name in CONTACT_FIELDS}
    form = ContactsForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            center_update_contacts(actor=request.user, center=center, **form.cleaned_data)
        except RegistryError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, _("Center {code} is saved.").format(code=center.code))
            return redirect("backoffice:centers")
    return _render(
        request,
        "center_form.html",
        {
            "form": form,
            "center": center,
            "contacts_only": True,
            "crumbs": _center_crumbs(center),
        },
    )


@GET_POST
@requires(C.EDIT_CENTER)
def center_status(request, code: str):
    center = get_object_or_404(Center.objects.with_relations(), code=code)
    require_on(request.user, C.EDIT_CENTER, center)
    form = StatusForm(request.POST if request.method == "POST" else None, center=center)
    if form.is_bound and form.is_valid():
        try:
            center = center_change_status(actor=request.user, center=center, **form.cleaned_data)
        except RegistryError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(
                request,
                _("Center {code} is now {status}.").format(
                    code=center.code, status=center.get_status_display()
                ),
            )
            return redirect("backoffice:center_status", code=center.code)
    history = center.status_history.select_related("changed_by").order_by("-changed_on", "-id")
    crumbs = _center_crumbs(center, reverse("backoffice:center_edit", args=[center.code]))
    crumbs.append((_("Status"), None))
    return _render(
        request,
        "center_status.html",
        {"form": form, "center": center, "history": history, "crumbs": crumbs},
    )


# --- import and export -----------------------------------------------------------------------


@GET_POST
@requires(C.IMPORT_CENTERS)
def center_import(request):
    form = ImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # The file is read now, so that one that is no table is refused on the form; its
            # rows are checked and written by the task, and its page shows how far it is.
            importexport.read_table(upload)
        except importexport.ImportFileError as exc:
            form.add_error("file", exc.messages)
        else:
            job = import_job_create(actor=request.user, kind=ImportJob.Kind.CENTERS, file=upload)
            return redirect("backoffice:import_job", pk=job.pk)
    return _render(
        request,
        "center_import.html",
        {
            "form": form,
            "jobs": recent_import_jobs(request.user, kind=ImportJob.Kind.CENTERS),
            "columns": importexport.CENTER_COLUMNS,
            "required": importexport.REQUIRED_COLUMNS,
        },
    )


def _export_rows(request) -> list[dict[str, str]]:
    filters = CenterFilters.from_mapping(request.GET)
    return importexport.export_rows(
        center_list(filters=filters, queryset=_office_centers(request.user))
    )


def _download(content: bytes, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="centers-{stamp}.{extension}"'
    return response


@require_safe
@requires(C.EXPORT_CENTERS)
def center_export_csv(request):
    return _download(
        importexport.write_csv(_export_rows(request)), "text/csv; charset=utf-8", "csv"
    )


@require_safe
@requires(C.EXPORT_CENTERS)
def center_export_xlsx(request):
    return _download(
        importexport.write_xlsx(_export_rows(request)),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    )


# --- institutions --------------------------------------------------------------------------


@require_safe
@requires(C.EDIT_INSTITUTION)
def institutions(request):
    q = (request.GET.get("q") or "").strip()[:200]
    queryset = Institution.objects.annotate(center_count=Count("centers")).order_by("name_ru")
    if q:
        queryset = queryset.filter(Q(name_ru__icontains=q) | Q(name_en__icontains=q))
    return _render(
        request,
        "institutions.html",
        {"q": q, "page": _page(request, queryset), "query": _query_without_page(request)},
    )


@GET_POST
@requires(C.EDIT_INSTITUTION)
def institution_new(request):
    return _institution_form(request, None)


@GET_POST
@requires(C.EDIT_INSTITUTION)
def institution_edit(request, pk: int):
    return _institution_form(request, get_object_or_404(Institution, pk=pk))


def _institution_form(request, institution: Institution | None):
    initial = {}
    if institution is not None:
        initial = {f: getattr(institution, f) for f in InstitutionForm.base_fields}
    form = InstitutionForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            if institution is None:
                institution = institution_create(actor=request.user, **form.cleaned_data)
            else:
                institution = institution_update(
                    actor=request.user, institution=institution, **form.cleaned_data
                )
        except RegistryError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(
                request, _("Institution “{name}” is saved.").format(name=institution.name)
            )
            return redirect("backoffice:institutions")
    return _render(request, "institution_form.html", {"form": form, "institution": institution})


# --- reference data ----------------------------------------------------------------------------


@require_safe
@requires(C.EDIT_REFERENCE_DATA)
def regions(request):
    queryset = Region.objects.select_related("federal_district").order_by("code")
    return _reference_list(request, queryset, kind="region")


@require_safe
@requires(C.EDIT_REFERENCE_DATA)
def countries(request):
    return _reference_list(request, Country.objects.order_by("code"), kind="country")


def _reference_list(request, queryset, *, kind: str):
    q = (request.GET.get("q") or "").strip()[:200]
    if q:
        queryset = queryset.filter(
            Q(code__icontains=q) | Q(name_ru__icontains=q) | Q(name_en__icontains=q)
        )
    return _render(
        request,
        "reference_list.html",
        {
            "kind": kind,
            "q": q,
            "page": _page(request, queryset),
            "query": _query_without_page(request),
        },
    )


@GET_POST
@requires(C.EDIT_REFERENCE_DATA)
def region_edit(request, code: str):
    region = get_object_or_404(Region.objects.select_related("federal_district"), code=code)
    return _reference_form(request, region, kind="region")


@GET_POST
@requires(C.EDIT_REFERENCE_DATA)
def country_edit(request, code: str):
    return _reference_form(request, get_object_or_404(Country, code=code), kind="country")


def _reference_form(request, obj: Region | Country, *, kind: str):
    with_district = kind == "region"
    initial = {"name_ru": obj.name_ru, "name_en": obj.name_en}
    if with_district:
        initial["federal_district"] = obj.federal_district
    form = ReferenceForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        with_district=with_district,
    )
    if form.is_bound and form.is_valid():
        try:
            reference_update(actor=request.user, obj=obj, **form.cleaned_data)
        except RegistryError as exc:
            add_registry_errors(form, exc)
        else:
            messages.success(request, _("“{name}” is saved.").format(name=obj.name))
            return redirect("backoffice:regions" if kind == "region" else "backoffice:countries")
    return _render(request, "reference_form.html", {"form": form, "obj": obj, "kind": kind})
