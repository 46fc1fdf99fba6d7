"""Import jobs: an upload becomes a job and a task; the task checks and writes the rows
(``libranet.network.importexport``, ``libranet.resources.importing``) and records its progress
and its report on the job, each in a short write of its own."""

import contextlib
import dataclasses
import logging
import time
import uuid
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from libranet.network import importexport
from libranet.network.services import actor_user
from libranet.resources import importing

from .models import ImportJob

logger = logging.getLogger(__name__)
State = ImportJob.State
PROGRESS_SECONDS = 1.0  # the page refreshes every two seconds: a write a second is plenty


class _Overtaken(Exception):
    """Another run of the task has taken the job (this one was taken for dead)."""


def _stored_name(uploaded: Any) -> str:
    # A name of our own: the uploader's name is shown, never used as a path.
    return uuid.uuid4().hex + PurePath(uploaded.name or "").suffix.lower()[:10]


def import_job_create(
    *,
    actor: Any,
    kind: str,
    file: Any,
    archive: Any = None,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Keep the uploaded file (and archive) in storage, record the job as queued, and queue its
    task once the job is committed."""
    from .tasks import import_job_task

    job = ImportJob(
        kind=kind,
        actor=actor_user(actor),
        file_name=PurePath(file.name or "").name[:255],
        options=options or {},
        language=translation.get_language() or "ru",
    )
    stored: list[Any] = []
    try:
        for field, upload in ((job.file, file), (job.archive, archive)):
            if upload is not None:
                upload.seek(0)
                field.save(_stored_name(upload), File(upload), save=False)
                stored.append(field)
        with transaction.atomic():
            job.save()
            transaction.on_commit(lambda: import_job_task.enqueue(job.pk), robust=True)
    except BaseException:
        # No job, no files: what was stored before the failure (the store went down between
        # the file and the archive, or the database refused the job) is removed.
        for field in stored:
            with contextlib.suppress(Exception):
                field.delete(save=False)
        raise
    return job


def _run_centers(job: ImportJob, progress: importexport.Progress) -> importexport.ImportReport:
    with job.file.open("rb") as handle:
        rows = importexport.read_table(handle)
    return importexport.import_centers(actor=job.actor, rows=rows, progress=progress)


def _run_resources(job: ImportJob, progress: importexport.Progress) -> importexport.ImportReport:
    options = job.options
    with job.file.open("rb") as handle:
        batch = importing.read_batch(
            importing.read_upload(handle), format=options.get("format", "")
        )
    source = importing.ZipSource(job.archive.open("rb")) if job.archive else None
    try:
        return importing.import_resources(
            actor=job.actor,
            batch=batch,
            files=source,
            access_level=options.get("access_level", ""),
            collection=options.get("collection", ""),
            progress=progress,
        )
    finally:
        if source is not None:
            source.close()


RUNNERS: dict[str, Callable[[ImportJob, importexport.Progress], importexport.ImportReport]] = {
    ImportJob.Kind.CENTERS: _run_centers,
    ImportJob.Kind.RESOURCES: _run_resources,
}


def _progress(job: ImportJob, attempt: int) -> importexport.Progress:
    """What the import calls as it goes: the job's state and count, written in a short write
    of their own, at most once a second, and never from inside the import's own transaction
    (it would wait for itself on SQLite, and vanish with a rollback)."""
    depth = len(connection.atomic_blocks)
    last_state, last_at = "", 0.0

    def report(done: int, total: int, label: str) -> None:
        nonlocal last_state, last_at
        state = State.APPLYING if label == importexport.APPLYING else State.VALIDATING
        now = time.monotonic()
        if len(connection.atomic_blocks) > depth:
            return
        if state == last_state and now - last_at < PROGRESS_SECONDS and done < total:
            return
        last_state, last_at = state, now
        updated = ImportJob.objects.filter(pk=job.pk, attempt=attempt).update(
            state=state, done=done, total=total
        )
        if not updated:
            raise _Overtaken

    return report


def _finish(job: ImportJob, attempt: int, **fields: Any) -> None:
    fields.update(finished_at=timezone.now())
    if ImportJob.objects.filter(pk=job.pk, attempt=attempt).update(**fields):
        for name in ("file", "archive"):
            stored = getattr(job, name)
            if stored:
                stored.delete(save=False)  # the rows are in the report or the registry now


def _report_data(report: importexport.ImportReport) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    data["errors"] = [[e.row, e.column, e.message] for e in report.errors]
    return data


def import_job_run(*, job_id: int) -> str | None:
    """Run an import job (its task does). Safe to run twice: a finished job is left as it is;
    a job still marked as checking or writing was left by a worker that died, whose write
    transaction died with it, so it is run again from the start. Returns the final state."""
    job = ImportJob.objects.filter(pk=job_id).select_related("actor").first()
    if job is None or not job.running:
        return None
    attempt = job.attempt + 1
    claimed = ImportJob.objects.filter(pk=job.pk, attempt=job.attempt).update(
        attempt=attempt, state=State.VALIDATING, done=0, started_at=timezone.now()
    )
    if not claimed:
        return None  # another run took it at the same moment
    with translation.override(job.language):
        if job.actor is None or not job.actor.is_active:
            _finish(job, attempt, state=State.FAILED, reason=_("The uploader’s account is gone."))
            return State.FAILED
        try:
            report = RUNNERS[job.kind](job, _progress(job, attempt))
        except _Overtaken:
            return None
        except ValidationError as exc:  # the file, or its options, could not be read
            _finish(job, attempt, state=State.FAILED, reason=" ".join(exc.messages))
            return State.FAILED
        except Exception:
            logger.exception("import job %s failed", job.pk)
            reason = _("The import stopped on an unexpected error; nothing was written.")
            _finish(job, attempt, state=State.FAILED, reason=reason)
            raise
    _finish(
        job,
        attempt,
        state=State.DONE,
        done=report.rows,
        total=report.rows,
        report=_report_data(report),
    )
    return State.DONE
