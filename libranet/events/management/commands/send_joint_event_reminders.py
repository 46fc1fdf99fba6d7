import datetime

from django.core.management.base import BaseCommand, CommandError

from libranet.events.tasks import joint_event_reminders_run


class Command(BaseCommand):
    help = (
        "Remind the heads of the regional centers whose joint-event report is still pending, "
        "on the reminder days before the round's deadline. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to run for, as YYYY-MM-DD (default: today)")

    def handle(self, *args, today, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"--today: give a date as YYYY-MM-DD ({exc}).") from exc
        done = joint_event_reminders_run(day)
        self.stdout.write(
            f"Joint-event reports: {done['queued']} reminders queued, "
            f"{done['already']} already sent."
        )
