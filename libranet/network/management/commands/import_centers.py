"""``manage.py import_centers FILE``: the back office's centers import, in the foreground."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from libranet.commands import import_refused
from libranet.network.importexport import ImportFileError, import_centers, read_table
from libranet.network.services import RegistryError
from libranet.progress import ProgressBar

# A command reads a local file: no upload limit.
MAX_FILE_BYTES = 1024**3


class Command(BaseCommand):
    help = (
        "Import centers from a CSV or XLSX file (the export's columns). All rows or none: every "
        "row is checked first; if any fails, nothing is written and every error is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument(
            "--user", help="import as this staff user (scope, audit trail); default: the system"
        )

    def handle(self, *args, file, user, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"There is no active user {user}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}.")
        try:
            with path.open("rb") as handle:
                rows = read_table(handle, max_bytes=MAX_FILE_BYTES)
            self.stdout.write(f"{len(rows)} rows in {file}")
            bar = ProgressBar(self.stdout, unit="rows", enabled=options["verbosity"] > 0)
            report = import_centers(actor=actor, rows=rows, progress=bar)
        except (ImportFileError, RegistryError) as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not report.ok:
            raise import_refused(self.stderr, report.errors, unit="row")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: created {report.created}, updated {report.updated}, "
                f"unchanged {report.unchanged}."
            )
        )
