"""Imports as jobs: the uploaded file kept in storage, who uploaded it, how far the task got,
and the report once it is over. Every import of the back office (centers, resources) is one."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from libranet.network.importexport import ImportReport, RowError
from libranet.resources.importing import ResourceImportReport


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        CENTERS = "centers", _("centers")
        RESOURCES = "resources", _("resources")

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        VALIDATING = "validating", _("checking the rows")
        APPLYING = "applying", _("writing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    RUNNING = (State.QUEUED, State.VALIDATING, State.APPLYING)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    archive = models.FileField(
        _("archive of files"), upload_to="imports/%Y/%m/", max_length=255, blank=True
    )
    # The import's choices besides the file (the resources' format, defaults).
    options = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The report's language: the uploader's, whatever the worker speaks.
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.QUEUED, db_index=True
    )
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows"), default=0)
    # Each run of the task takes the job with a new number; a run that finds another number
    # on the job was overtaken (a worker taken for dead was not) and stops.
    attempt = models.PositiveIntegerField(default=0)
    report = models.JSONField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name} ({self.get_state_display()})"

    @property
    def running(self) -> bool:
        return self.state in self.RUNNING

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 0

    @property
    def outcome(self) -> ImportReport | None:
        """The report, as the import gave it (None until the job is done, or if what is stored
        cannot be read back: the page shows the job's state rather than fail)."""
        if not isinstance(self.report, dict):
            return None
        data: dict[str, Any] = dict(self.report)
        report = ResourceImportReport if self.kind == self.Kind.RESOURCES else ImportReport
        try:
            errors = [RowError(*error) for error in data.pop("errors", [])]
            return report(errors=errors, **data)
        except TypeError:
            return None
