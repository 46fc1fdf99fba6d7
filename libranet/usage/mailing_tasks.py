"""The monthly zero-usage mailing as a task of the queue, which the schedule runs
(``LIBRANET_SCHEDULE``). Safe to run twice: the outbox's keys make it queue each message once."""

import logging

from django_tasks import task

from libranet.dates import month_text

logger = logging.getLogger(__name__)


@task()
def zero_usage_mailing(month: str | None = None) -> dict[str, int | str]:
    """Queue the zero-usage mailing of ``month`` (``YYYY-MM``; default the month before this
    one) and return what it did."""
    from .mailing import parse_month, zero_usage_mailing_send

    outcome = zero_usage_mailing_send(month=parse_month(month) if month else None)
    if outcome.without_address:
        logger.warning(
            "zero-usage mailing %s: no address for the regional centers %s",
            month_text(outcome.month),
            ", ".join(center.code for center in outcome.without_address),
        )
    return {
        "month": month_text(outcome.month),
        "queued": outcome.queued,
        "already": outcome.already,
    }
