"""``manage.py purge_usage_events``: delete raw usage events past their retention."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from libranet.usage.services import events_purge


class Command(BaseCommand):
    help = (
        "Delete raw usage events older than LIBRANET_USAGE_RETENTION_MONTHS whole months "
        "(or --months), in batches; the daily roll-ups stay. A day that has no roll-up keeps "
        "its events (roll it up first with rollup_usage). On PostgreSQL the months wholly past "
        "retention are dropped as partitions. The usage_purge task does the same."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help=f"months to keep (default {settings.LIBRANET_USAGE_RETENTION_MONTHS})",
        )

    def handle(self, *args, months, verbosity, **options):
        if months is not None and months < 1:
            raise CommandError("--months must be at least 1: raw events are kept a month.")

        def progress(result, day):
            if verbosity > 1:
                self.stdout.write(f"  {day}: {result.deleted} events deleted so far")

        result = events_purge(months=months, progress=progress)
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Deleted {result.deleted} usage events of {result.days} days before "
                    f"{result.cutoff}."
                )
            )
            if result.partitions_dropped:
                names = ", ".join(result.partitions_dropped)
                self.stdout.write(f"Partitions dropped whole: {names}.")
        if result.not_rolled_up:
            days = ", ".join(str(d) for d in result.not_rolled_up[:10])
            more = "" if len(result.not_rolled_up) <= 10 else ", ..."
            self.stdout.write(
                self.style.WARNING(
                    f"Kept the events of {len(result.not_rolled_up)} days that have no roll-up "
                    f"({days}{more}): run rollup_usage for them first."
                )
            )
