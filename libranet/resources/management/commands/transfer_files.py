"""``manage.py transfer_files --from URL --to URL``: move the stored files to another store."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from libranet import storage
from libranet.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Copy every stored file from one store to another (URLs as LIBRANET_STORAGE_URL: "
        "file:///srv/libranet/data/media, s3://bucket?endpoint=...). A file already at the "
        "destination with the same size is skipped, so an interrupted run continues when run "
        "again. The IIIF derivatives are not copied: they are made again on demand."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, help="the store to read")
        parser.add_argument("--to", dest="destination", required=True, help="the store to fill")
        parser.add_argument(
            "--delete-source",
            action="store_true",
            help="delete each source file once its copy has been checked",
        )

    def handle(self, *args, source, destination, delete_source, verbosity, **options):
        try:
            stores = [storage.storage_from_url(url) for url in (source, destination)]
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc).replace(storage.SETTING, "--from/--to")) from exc
        if source.strip().rstrip("/") == destination.strip().rstrip("/"):
            raise CommandError("--from and --to name the same store.")
        bar = ProgressBar(self.stdout, unit="files", enabled=verbosity > 0)
        report = storage.TransferReport()
        try:
            storage.transfer(*stores, delete_source=delete_source, progress=bar, report=report)
        except storage.TransferError as exc:
            raise CommandError(f"{exc}. {self._summary(report, bar)}") from exc
        except storage.failures() as exc:
            raise CommandError(
                f"A store cannot be reached or refused us ({exc}). {self._summary(report, bar)} "
                "Run the command again to continue."
            ) from exc
        except KeyboardInterrupt as exc:
            raise CommandError(
                f"Interrupted. {self._summary(report, bar)} Run the command again to continue."
            ) from exc
        self.stdout.write(self._summary(report, bar))

    @staticmethod
    def _summary(report: storage.TransferReport, bar: ProgressBar) -> str:
        return (
            f"Files: {report.copied} copied ({report.bytes_copied} bytes), {report.skipped} "
            f"already there, {report.deleted} deleted from the source, in {bar.elapsed:.1f} s."
        )
