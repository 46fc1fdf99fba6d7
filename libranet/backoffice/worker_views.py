"""The task worker's page, for the network department and administrators: each worker's last
heartbeat and what it runs, the queue, the tasks that failed last, and how far each server's
search index follows the change log."""

from django.views.decorators.http import require_safe

from libranet.catalogs.union import works_lag
from libranet.network.permissions import Capability
from libranet.resources.search.log import index_lag
from libranet.worker.selectors import queue_state, recent_failures, worker_rows

from .access import requires
from .views import _render


@require_safe
@requires(Capability.VIEW_TASK_WORKER)
def task_worker(request):
    return _render(
        request,
        "task_worker.html",
        {
            "workers": worker_rows(),
            "queue": queue_state(),
            "failures": recent_failures(),
            "indexes": index_lag(),
            "works": works_lag(),
        },
    )
