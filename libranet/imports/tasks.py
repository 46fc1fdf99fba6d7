"""The imports' task, run by the task queue's worker (``manage.py run_worker``, which ``make run``
starts). Safe to run twice: it looks at the job's state first."""

from django_tasks import task


@task()
def import_job_task(job_id: int) -> str | None:
    """Check and write the rows of one uploaded file; the job records progress and report."""
    from .services import import_job_run

    return import_job_run(job_id=job_id)
