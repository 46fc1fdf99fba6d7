"""The joint-event reports' daily reminders as a task of the queue, which the schedule runs
(``LIBRANET_SCHEDULE``, "joint-event-reminders"). Safe to run twice: each reminder is queued
once."""

import datetime

from django_tasks import task


def joint_event_reminders_run(today: datetime.date | None = None) -> dict[str, int]:
    from .reminders import joint_event_reminders_send

    outcome = joint_event_reminders_send(today=today)
    return {"queued": outcome.queued, "already": outcome.already}


@task()
def send_joint_event_reminders(today: str | None = None) -> dict[str, int]:
    """``today``: ``YYYY-MM-DD`` (default: today in the project's time zone)."""
    return joint_event_reminders_run(datetime.date.fromisoformat(today) if today else None)
