"""``manage.py rebuild_search_index``: rebuild the search index from the database."""

import time

from django.core.management.base import BaseCommand, CommandError

from libranet.resources.search import get_backend, index_rebuild

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Rebuild the search index from the database, in batches (memory stays bounded by one "
        "batch). Searches use the old index until the new one is complete; changes made "
        "meanwhile are applied at the end. Safe to run at any time, and twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=200,
            help="resources read from the database at a time (default 200)",
        )
        parser.add_argument(
            "--if-needed",
            action="store_true",
            help="only when the index is missing or unreadable",
        )

    def handle(self, *args, batch_size: int, if_needed: bool, verbosity: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        backend = get_backend()
        if if_needed and not backend.needs_rebuild():
            if verbosity:
                self.stdout.write("The search index is in place; nothing to do.")
            return
        self._started = self._last = time.monotonic()
        self._verbosity = verbosity
        if verbosity:
            self.stdout.write(f"Rebuilding the search index ({backend.name}) ...")
        done = index_rebuild(progress=self._progress, batch_size=batch_size)
        elapsed = time.monotonic() - self._started
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(f"Indexed {done} resources in {elapsed:.1f} s ({backend.name}).")
            )

    def _progress(self, done: int, total: int) -> None:
        # A line every two seconds at most (and at the end): readable in a log, alive on a
        # terminal, whatever the catalogue's size.
        now = time.monotonic()
        if not self._verbosity or (now - self._last < 2 and done < total and done):
            return
        self._last = now
        filled = BAR_WIDTH * done // max(total, 1)
        bar = "#" * min(filled, BAR_WIDTH) + "-" * max(BAR_WIDTH - filled, 0)
        percent = 100 * done // max(total, 1)
        rate = done / max(now - self._started, 1e-6)
        self.stdout.write(f"[{bar}] {done}/{total} ({percent}%), {rate:,.0f}/s")
