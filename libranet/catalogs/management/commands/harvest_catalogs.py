"""``manage.py harvest_catalogs [SOURCE ...] [--full]``: harvest partner catalogs now, in the
foreground, with a progress bar and a summary line per run."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from libranet.catalogs.harvesting import HarvestUnderWay, harvest_source
from libranet.catalogs.models import CatalogSource, HarvestRun
from libranet.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Harvest partner catalogs over OAI-PMH: the sources named (by id or name), or every "
        "active one. A run stopped half way is resumed from where it stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="*", help="source ids or names (default: all active)")
        parser.add_argument(
            "--full", action="store_true", help="harvest everything, not only what changed"
        )

    def handle(self, *args, sources, full, **options):
        chosen = []
        for name in sources:
            query = Q(name__iexact=name) | (Q(pk=int(name)) if name.isdigit() else Q())
            found = list(CatalogSource.objects.filter(query))
            if not found:
                raise CommandError(f"There is no catalog source {name}.")
            chosen += found
        if not sources:
            chosen = list(CatalogSource.objects.filter(active=True).order_by("pk"))
            if not chosen:
                self.stdout.write("No active catalog source.")
        failed = 0
        for source in dict.fromkeys(chosen):
            self.stdout.write(f"{source.name} ({source.base_url})")
            bar = ProgressBar(self.stdout, unit="records", enabled=options["verbosity"] > 0)
            try:
                run = harvest_source(source, full=full, progress=_unknown_total(bar))
            except HarvestUnderWay as busy:
                failed += 1
                self.stdout.write(
                    self.style.ERROR(
                        f"Run {busy.run.pk}, started {busy.run.started_at:%Y-%m-%d %H:%M} UTC, "
                        "is still under way: not started again."
                    )
                )
                continue
            resumed = f", resuming run {run.resumed_from_id}" if run.resumed_from_id else ""
            summary = (
                f"Run {run.pk} ({run.kind}{resumed}) {run.state}: {run.new} new, "
                f"{run.updated} updated, {run.deleted} deleted, {run.failed} failed, "
                f"{run.pages} pages."
            )
            if run.state == HarvestRun.State.SUCCEEDED:
                self.stdout.write(self.style.SUCCESS(summary))
            else:
                failed += 1
                self.stdout.write(self.style.ERROR(f"{summary} {run.error}"))
        if failed:
            raise CommandError(f"{failed} of {len(set(chosen))} harvests failed.")


def _unknown_total(bar: ProgressBar):
    """The bar for a list whose size the source may not tell: the records so far then."""
    return lambda done, total: bar(done, total or done)
