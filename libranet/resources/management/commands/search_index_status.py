"""``manage.py search_index_status``: how far each search index follows the change log."""

from django.core.management.base import BaseCommand, CommandError

from libranet.catalogs.union import works_backend, works_lag, works_mark_forget
from libranet.resources.search import get_backend
from libranet.resources.search.log import cursor_forget, index_lag


class Command(BaseCommand):
    help = (
        "Each search index following the change log (one per server's Tantivy index, or the "
        "shared PostgreSQL table): its name, backend, position (the last change applied), the "
        "changes not applied yet, how many seconds the oldest of them has waited, and when its "
        "worker was last seen; then the partner works of each index. '*' marks this server's."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--forget",
            metavar="NAME",
            help="drop the cursor and works mark of a retired server's index, then list",
        )

    def handle(self, *args, forget: str | None, **options):
        if forget is not None:
            had_cursor = cursor_forget(index_name=forget)
            had_mark = works_mark_forget(index_name=forget)
            if not (had_cursor or had_mark):
                raise CommandError(f"No search index is named {forget!r}.")
            self.stdout.write(f"Forgot the index {forget!r}.")
        here = get_backend().index_name
        self.stdout.write("Search indexes (resources):")
        rows = index_lag()
        if not rows:
            self.stdout.write("  none yet: no worker has followed the change log.")
        for lag in rows:
            notes = [
                note
                for note, on in (("SILENT", lag.silent), ("REBUILD DUE", lag.rebuild_due))
                if on
            ]
            self.stdout.write(
                f"{'*' if lag.name == here else ' '} {lag.name}  backend {lag.backend}  "
                f"position {lag.position}  behind {lag.behind}  "
                f"seconds behind {lag.seconds_behind:.1f}  "
                f"last seen {lag.seen_at:%Y-%m-%d %H:%M:%S}"
                + (f"  {' '.join(notes)}" if notes else "")
            )
        here = works_backend().index_name
        self.stdout.write("Partner works:")
        works = works_lag()
        if not works:
            self.stdout.write("  none yet: never indexed.")
        for lag in works:
            self.stdout.write(
                f"{'*' if lag.name == here else ' '} {lag.name}  "
                f"indexed until {lag.indexed_until:%Y-%m-%d %H:%M:%S}  "
                f"records behind {lag.behind}  seconds behind {lag.seconds_behind:.1f}"
            )
