import datetime

from django.core.management.base import BaseCommand, CommandError

from libranet.meetings.services import task_reminders_send


class Command(BaseCommand):
    help = (
        "Queue the reminders of the resolutions' tasks: before each open task's deadline "
        "(LIBRANET_TASK_REMINDER_DAYS) and to the late ones, to the regional centers' heads (or "
        "the regional center's own address) and the network department. The task worker sends "
        "them. Safe to run twice: a reminder already in the outbox is not queued again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to judge by, as YYYY-MM-DD (default today)")

    def handle(self, *args, today, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError("--today: give a date as YYYY-MM-DD.") from exc
        outcome = task_reminders_send(today=day)
        self.stdout.write(
            f"Task reminders: {outcome.before} before the deadline and {outcome.late} for late "
            f"tasks queued now."
        )
        if outcome.without_address:
            ids = ", ".join(str(t.pk) for t in outcome.without_address)
            self.stderr.write(f"Nobody to mail for these tasks (no head, no address): {ids}")
