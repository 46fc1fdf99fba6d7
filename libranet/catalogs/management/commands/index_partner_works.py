"""``manage.py index_partner_works``: bring the union search's partner works up to the harvested
records by hand (what the task does after each harvest and hourly), or rebuild them."""

from django.core.management.base import BaseCommand, CommandError

from libranet.catalogs.union import works_apply, works_rebuild


class Command(BaseCommand):
    help = (
        "Apply the partner records harvested since the last run to the search index's partner "
        "works (the whole works index is rebuilt when it is missing); --rebuild rebuilds it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rebuild every partner work")

    def handle(self, *args, rebuild: bool, verbosity: int, **options):
        if rebuild:
            done = works_rebuild()
        else:
            applied = works_apply()
            if applied is None:
                raise CommandError("Another process is writing the search index; try again.")
            done = applied
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Indexed {done} partner works."))
