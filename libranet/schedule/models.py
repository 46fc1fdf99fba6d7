"""The periodic jobs' slots that were queued: one row per job and slot, so that several
runners queue each slot once (the unique constraint decides which)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """A job's slot (the time its cron spec named) taken by a runner, with the queued task's id,
    or the error that kept it from being queued (a task path that does not resolve)."""

    job = models.CharField(_("job"), max_length=100)
    slot = models.DateTimeField(_("slot"))
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-slot", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="scheduledrun_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
