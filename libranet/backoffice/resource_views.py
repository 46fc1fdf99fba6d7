"""The collections in the back office: importing resources from a catalogue file (CSV, Dublin
Core XML, MARCXML) with an optional ZIP archive of their files.

Thin, as the registry's import page: the view reads the upload (a file that cannot be read is a
form error, never a 500) and makes it an import job; the task runs
``libranet.resources.importing`` (which checks by the collections' rules, then writes) and the
job's page shows its progress and its report.
"""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from libranet.imports.models import ImportJob
from libranet.imports.selectors import recent_import_jobs
from libranet.imports.services import import_job_create
from libranet.network.permissions import Capability
from libranet.resources import importing
from libranet.resources.models import AccessLevel
from libranet.resources.selectors import collection_tree
from libranet.resources.services import ResourceError

from .access import requires
from .views import _render

FORMAT_CHOICES = [
    ("", gettext_lazy("Tell from the file")),
    ("csv", "CSV"),
    ("dc", "Dublin Core XML"),
    ("marcxml", "MARCXML"),
]


def _collection_choices() -> list[tuple[str, str]]:
    """The collection tree as choices, children indented under their parents."""
    choices = [("", _("None"))]
    for top in collection_tree():
        for node in top.walk():
            indent = "\u2003" * node.depth
            choices.append((node.collection.code, f"{indent}{node.collection.name}"))
    return choices


class ResourceImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Catalogue file"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xml,text/csv,text/xml,application/xml"}
        ),
        help_text=gettext_lazy("CSV (UTF-8, comma or semicolon), Dublin Core XML or MARCXML."),
    )
    archive = forms.FileField(
        label=gettext_lazy("Files (ZIP archive)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
        help_text=gettext_lazy(
            "The PDFs, page images, audio and video the file names, by their paths inside the "
            "archive. Larger batches: manage.py import_resources with a folder."
        ),
    )
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=FORMAT_CHOICES, required=False)
    access_level = forms.ChoiceField(
        label=gettext_lazy("Access level for records that give none"),
        choices=[("", gettext_lazy("None: every record gives its own")), *AccessLevel.choices],
        required=False,
    )
    collection = forms.ChoiceField(
        label=gettext_lazy("Put every resource into the collection"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["collection"]).choices = _collection_choices()


def _add_errors(form: forms.Form, exc: ResourceError, field: str) -> None:
    """An import's refusal on the form: by option where it names one, else on ``field``."""
    if hasattr(exc, "error_dict"):
        for name, messages_ in exc.message_dict.items():
            for message in messages_:
                form.add_error(name if name in form.fields else field, message)
    else:
        form.add_error(field, exc.messages)


def _archive(form: forms.Form) -> importing.FileSource | None:
    uploaded = form.cleaned_data.get("archive")
    if not uploaded:
        return None
    limit = settings.LIBRANET_UPLOAD_MAX_BYTES
    if uploaded.size > limit:
        raise importing.ImportFileError(
            _("The archive is larger than {limit} MB; use manage.py import_resources.").format(
                limit=importing.megabytes(limit)
            )
        )
    return importing.ZipSource(uploaded)


@require_http_methods(["GET", "HEAD", "POST"])
@requires(Capability.EDIT_RESOURCES)
def resource_import(request):
    posted = request.method == "POST"
    form = ResourceImportForm(request.POST if posted else None, request.FILES if posted else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            # The file and the archive are read now, so that what cannot be imported is
            # refused on the form; the records are checked and written by the task.
            importing.read_batch(importing.read_upload(data["file"]), format=data["format"])
            try:
                source = _archive(form)
            except importing.ImportFileError as exc:
                _add_errors(form, exc, "archive")
            else:
                if source is not None:
                    source.close()
                job = import_job_create(
                    actor=request.user,
                    kind=ImportJob.Kind.RESOURCES,
                    file=data["file"],
                    archive=data.get("archive") or None,
                    options={
                        "format": data["format"],
                        "access_level": data["access_level"],
                        "collection": data["collection"],
                    },
                )
                return redirect("backoffice:import_job", pk=job.pk)
        except importing.ImportFileError as exc:
            _add_errors(form, exc, "file")
    return _render(
        request,
        "resources/import.html",
        {
            "form": form,
            "jobs": recent_import_jobs(request.user, kind=ImportJob.Kind.RESOURCES),
            "columns": importing.CSV_COLUMNS,
            "required": importing.REQUIRED_COLUMNS,
        },
    )
