"""An import's page: its progress while the task works (the page refreshes its progress
section by itself), then its report. Only the uploader sees it."""

from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from libranet.imports.selectors import import_jobs_of
from libranet.network.permissions import Capability

from .access import requires
from .views import _render


@require_safe
@requires(Capability.VIEW_BACKOFFICE)
def import_job(request, pk: int):
    job = get_object_or_404(import_jobs_of(request.user), pk=pk)
    return _render(request, "import_job.html", {"job": job, "report": job.outcome})
