"""``manage.py ingest_usage``: load this machine's closed usage spool files into the database."""

from django.core.management.base import BaseCommand

from libranet.usage.services import spool_ingest


class Command(BaseCommand):
    help = (
        "Load the closed usage spool files of this machine (LIBRANET_USAGE_SPOOL_DIR) into raw "
        "usage events, each file in one transaction; a file is never loaded twice. Safe to run "
        "at any time, and twice at once. The usage_ingest task does the same."
    )

    def handle(self, *args, verbosity, **options):
        result = spool_ingest()
        if verbosity:
            message = f"Loaded {result.events} usage events from {result.files} spool files."
            if result.already_loaded:
                message += f" {result.already_loaded} files had been loaded already (removed)."
            self.stdout.write(self.style.SUCCESS(message))
            if result.bad_lines:
                self.stdout.write(
                    self.style.WARNING(f"{result.bad_lines} lines were no usage event: left out.")
                )
