"""Monitoring campaigns' reminders as a task of the queue, which the schedule runs daily
(``LIBRANET_SCHEDULE``, job ``campaign-reminders``). Safe to run twice: the outbox's keys make
it queue each reminder once."""

import datetime
import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_campaign_reminders(today: str | None = None) -> dict[str, int]:
    """Queue the reminders due ``today`` (``YYYY-MM-DD``; default today)."""
    from .mailing import campaign_reminders_send

    day = datetime.date.fromisoformat(today) if today else None
    outcome = campaign_reminders_send(today=day)
    if outcome.without_address:
        logger.warning(
            "campaign reminders: no address for the centers %s",
            ", ".join(center.code for center in outcome.without_address),
        )
    return {"queued": outcome.queued, "already": outcome.already}
