"""The opening plan's reminders as a task of the queue, which the schedule runs daily
(``LIBRANET_SCHEDULE``, ``planning-reminders``). Safe to run twice: the outbox's keys make it
queue each reminder once."""

import datetime

from django_tasks import task


@task()
def planning_reminders(today: str | None = None) -> dict[str, int]:
    """Queue the reminders due on ``today`` (``YYYY-MM-DD``; default today)."""
    from .services import planning_reminders_send

    day = datetime.date.fromisoformat(today) if today else None
    return {"queued": planning_reminders_send(today=day)}
