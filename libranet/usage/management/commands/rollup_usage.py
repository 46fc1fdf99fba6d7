"""``manage.py rollup_usage``: count days of raw usage events again into their roll-ups."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from libranet.progress import ProgressBar
from libranet.usage.management.arguments import parse_day, parse_month
from libranet.usage.reports import month_end
from libranet.usage.rollup import days_to_roll_up, rollup_days


class Command(BaseCommand):
    help = (
        "Roll up days of raw usage events into the daily counts that reports read: one day "
        "(--day), a month (--month) or a range (--from, --to); without them, the days that "
        "need it (today, yesterday, and days that late events touched). Each day is rebuilt "
        "whole in its own transaction, so running it again gives the same numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", help="one day, YYYY-MM-DD")
        parser.add_argument("--month", help="every day of a month, YYYY-MM")
        parser.add_argument("--from", dest="first", help="first day of a range, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", help="last day of a range, YYYY-MM-DD")

    def handle(self, *args, day, month, first, last, verbosity, **options):
        days = self._days(day, month, first, last)
        if verbosity:
            self.stdout.write(f"Rolling up {len(days)} days ...")
        progress = ProgressBar(self.stdout, unit="days", enabled=bool(verbosity))
        started = timezone.now()
        events = rollup_days(days, progress)
        if verbosity:
            seconds = (timezone.now() - started).total_seconds()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Rolled up {len(days)} days ({events} events) in {seconds:.1f} s."
                )
            )

    def _days(self, day, month, first, last) -> list[datetime.date]:
        # An option given empty is refused by its reading below, not taken as not given.
        given = [name for name, value in (("--day", day), ("--month", month)) if value is not None]
        if first is not None or last is not None:
            given.append("--from/--to")
        if len(given) > 1:
            raise CommandError(f"Give one of --day, --month or --from/--to, not {given}.")
        today = timezone.localdate()
        if day is not None:
            start = end = parse_day(day, "--day")
        elif month is not None:
            start = parse_month(month)
            end = min(month_end(start), today)
        elif first is not None or last is not None:
            if first is None or last is None:
                raise CommandError("--from and --to go together.")
            start, end = parse_day(first, "--from"), parse_day(last, "--to")
            if end < start:
                raise CommandError(f"--to ({end}) is before --from ({start}).")
        else:
            return days_to_roll_up()
        if start > today:
            raise CommandError(f"{start} has not come yet: there is nothing to roll up.")
        end = min(end, today)
        return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
