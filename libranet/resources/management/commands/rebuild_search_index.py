"""``manage.py rebuild_search_index``: rebuild the search index from the database."""

from django.core.management.base import BaseCommand, CommandError

from libranet.catalogs.union import works_rebuild
from libranet.progress import ProgressBar
from libranet.resources.search import get_backend, index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the search index (the resources, then the partner works) from the database, "
        "in batches (memory stays bounded by one batch). Searches use the old index until "
        "the new one is complete; changes made meanwhile are applied at the end. "
        "Safe to run at any time, and twice."
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
        progress = ProgressBar(self.stdout, enabled=bool(verbosity))
        if verbosity:
            self.stdout.write(f"Rebuilding the search index ({backend.name}) ...")
        done = index_rebuild(progress=progress, batch_size=batch_size)
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Indexed {done} resources in {progress.elapsed:.1f} s ({backend.name})."
                )
            )
        # The union search's partner works, beside the resources (libranet.catalogs.union).
        works = works_rebuild()
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Indexed {works} partner works."))
