"""The agreements' daily job as a task of the queue, which the schedule runs
(``LIBRANET_SCHEDULE``, "agreements-daily"). Safe to run twice: a prolongation is applied only
to an agreement whose end has passed, and each reminder is queued once."""

import datetime

from django_tasks import task


def agreements_daily_run(today: datetime.date | None = None) -> dict[str, int]:
    """Apply the automatic prolongations due, then queue the reminders (see ``reminders``)."""
    from .reminders import agreement_reminders_send
    from .services import agreements_prolong

    prolonged = agreements_prolong(today=today)
    outcome = agreement_reminders_send(today=today)
    return {
        "prolonged": len(prolonged),
        "expiring": outcome.expiring,
        "overdue": outcome.overdue,
        "queued": outcome.queued,
    }


@task()
def agreements_daily(today: str | None = None) -> dict[str, int]:
    """``today``: ``YYYY-MM-DD`` (default: today in the project's time zone)."""
    return agreements_daily_run(datetime.date.fromisoformat(today) if today else None)
