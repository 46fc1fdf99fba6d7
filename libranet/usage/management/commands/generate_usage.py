"""``manage.py generate_usage``: a month of synthetic usage for the demo, rolled up."""

from django.core.management.base import BaseCommand, CommandError

from libranet.progress import ProgressBar
from libranet.usage.demo import UsageDemoError, generate_usage
from libranet.usage.management.arguments import parse_month


class Command(BaseCommand):
    help = (
        "Generate a month of plausible synthetic usage over the existing centers and "
        "resources (up to yesterday for the current month), written straight into the raw "
        "events and rolled up; some remote access centers get none, for the zero-usage report."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="the month, YYYY-MM")
        parser.add_argument("--scale", type=int, default=1, help="multiply the visits")
        parser.add_argument("--seed", type=int, default=2018, help="random seed (default 2018)")
        parser.add_argument(
            "--replace", action="store_true", help="delete the month's events first"
        )

    def handle(self, *args, month, scale, seed, replace, verbosity, **options):
        progress = ProgressBar(self.stdout, unit="days", enabled=bool(verbosity))
        try:
            made = generate_usage(
                month=parse_month(month), scale=scale, seed=seed, replace=replace, progress=progress
            )
        except UsageDemoError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Generated {made.events} usage events over {made.days} days of "
                    f"{made.month:%Y-%m}: {made.centers_used} centers used, "
                    f"{made.centers_idle} open centers without use."
                )
            )
