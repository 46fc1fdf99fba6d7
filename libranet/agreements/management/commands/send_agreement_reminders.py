import datetime

from django.core.management.base import BaseCommand, CommandError

from libranet.agreements.tasks import agreements_daily_run


class Command(BaseCommand):
    help = (
        "The agreements' daily job by hand: extend the agreements with automatic prolongation "
        "whose end has passed, then queue the reminders (agreements expiring in 90 and 30 days; "
        "renewals past their round's deadline). Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to run for, as YYYY-MM-DD (default: today)")

    def handle(self, *args, today, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"--today: give a date as YYYY-MM-DD ({exc}).") from exc
        done = agreements_daily_run(day)
        self.stdout.write(
            f"Agreements: {done['prolonged']} prolonged, {done['expiring']} expiring named, "
            f"{done['overdue']} renewals past their deadline; {done['queued']} messages queued."
        )
