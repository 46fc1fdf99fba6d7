"""The daily job of the resolutions' tasks (``LIBRANET_SCHEDULE``): reminders before the
deadline and to the late ones. Safe to run twice: the outbox's keys queue each message once."""

import datetime
import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_task_reminders(today: str | None = None) -> dict[str, int]:
    """Queue the reminders due ``today`` (``YYYY-MM-DD``; default today)."""
    from .services import task_reminders_send

    outcome = task_reminders_send(today=datetime.date.fromisoformat(today) if today else None)
    if outcome.without_address:
        logger.warning(
            "task reminders: nobody to mail for tasks %s",
            ", ".join(str(t.pk) for t in outcome.without_address),
        )
    return {"before": outcome.before, "late": outcome.late}
