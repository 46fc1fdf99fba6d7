"""``manage.py import_resources FILE``: the back office's resource import, for large batches."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from libranet.commands import import_refused
from libranet.progress import ProgressBar
from libranet.resources.importing import (
    FORMATS,
    import_resources,
    open_file_source,
    read_batch,
    read_upload,
)
from libranet.resources.models import AccessLevel
from libranet.resources.services import ResourceError

# A command reads a local file: no upload limit, but the whole file is parsed in memory.
MAX_FILE_BYTES = 1024**3


class Command(BaseCommand):
    help = (
        "Import resources from a CSV, Dublin Core XML or MARCXML file, with their files from a "
        "folder or a ZIP archive. All records or none: if any fails, nothing is written and "
        "every error is listed. Records are matched by identifier (a known one is updated)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV, Dublin Core or MARCXML file")
        parser.add_argument(
            "--format", choices=FORMATS, default="", help="default: told from the content"
        )
        parser.add_argument("--files", help="a folder or ZIP archive holding the files named")
        parser.add_argument(
            "--access-level",
            choices=AccessLevel.values,
            default="",
            help="for records that give none",
        )
        parser.add_argument(
            "--collection", default="", help="a collection code every resource is put into"
        )
        parser.add_argument(
            "--user", help="import as this staff user (audit trail); default: the system"
        )

    def handle(self, *args, file, format, files, access_level, collection, user, **options):
        actor = self._actor(user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}.")
        source = None
        try:
            with path.open("rb") as handle:
                data = read_upload(handle, max_bytes=MAX_FILE_BYTES)
            batch = read_batch(data, format=format)
            source = open_file_source(files) if files else None
            self.stdout.write(f"{len(batch.records)} {batch.unit}s of {batch.format} in {file}")
            report = import_resources(
                actor=actor,
                batch=batch,
                files=source,
                access_level=access_level,
                collection=collection,
                progress=ProgressBar(self.stdout, unit="records"),
            )
        except ResourceError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        finally:
            if source is not None:
                source.close()
        if not report.ok:
            raise import_refused(self.stderr, report.errors, unit=batch.unit)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: created {report.created}, updated {report.updated}, unchanged "
                f"{report.unchanged}; {report.files} files stored."
            )
        )

    def _actor(self, username):
        if not username:
            return None
        from django.contrib.auth import get_user_model

        found = get_user_model().objects.filter(username=username, is_active=True).first()
        if found is None:
            raise CommandError(f"There is no active user {username}.")
        return found
