"""The outbox's tasks, run by the task queue's worker (``manage.py run_worker``, which ``make run``
starts). Each is safe to run twice: a message is claimed before it is sent."""

from django_tasks import task


@task()
def mail_deliver_task(mail_id: int) -> bool | None:
    """Send one message of the outbox (queued when its transaction commits, and again, deferred,
    after a failed attempt). None: nothing to do, it was not due or another sender has it."""
    from .services import mail_deliver

    return mail_deliver(mail_id=mail_id)


@task()
def mail_send_due() -> dict[str, int]:
    """The sweep, on the schedule every minute: send every message due now, including those a
    dead sender left claimed and those whose deferred task was lost."""
    from .services import mail_send_due as send_due

    return send_due()
