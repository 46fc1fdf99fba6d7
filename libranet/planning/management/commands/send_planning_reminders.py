import datetime

from django.core.management.base import BaseCommand, CommandError

from libranet.planning.services import planning_reminders_send


class Command(BaseCommand):
    help = (
        "Remind the heads of regions with no submitted proposal of an open planning round's "
        "coming deadline (LIBRANET_PLANNING_REMINDER_DAYS before it). Safe to run twice: a "
        "reminder already in the outbox is not queued again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to remind for, YYYY-MM-DD (default today)")

    def handle(self, *args, today, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"--today: {today!r} is not a date (YYYY-MM-DD).") from exc
        queued = planning_reminders_send(today=day)
        self.stdout.write(f"Planning reminders: {queued} messages queued.")
