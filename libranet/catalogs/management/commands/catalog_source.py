"""``manage.py catalog_source add|list``: register a partner catalog (checked over OAI-PMH, as
the back office does) or list the sources."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from libranet.catalogs.models import HarvestSchedule, RecordFormat
from libranet.catalogs.selectors import last_runs, sources_listed
from libranet.catalogs.services import source_register
from libranet.network.models import Institution


class Command(BaseCommand):
    help = "Register a partner catalog (add) or list the registered ones (list)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="register a source, checked over OAI-PMH")
        add.add_argument("--institution", type=int, required=True, help="holding library's id")
        add.add_argument("--url", required=True, help="the OAI-PMH base URL")
        add.add_argument("--prefix", required=True, help="metadata prefix (oai_dc, marc21…)")
        add.add_argument("--format", required=True, choices=RecordFormat.values)
        add.add_argument("--set", action="append", default=[], dest="sets", help="a set spec")
        add.add_argument(
            "--schedule", default=HarvestSchedule.DAILY, choices=HarvestSchedule.values
        )
        add.add_argument("--link", default="", help="record page pattern with {identifier}")
        add.add_argument("--name", default="", help="default: the repository's own name")
        add.add_argument("--no-check", action="store_true", help="do not ask the source first")
        actions.add_parser("list", help="the sources with their last runs")

    def handle(self, *args, action, **options):
        if action == "list":
            return self.list()
        institution = Institution.objects.filter(pk=options["institution"]).first()
        if institution is None:
            raise CommandError(f"There is no institution {options['institution']}.")
        try:
            source = source_register(
                actor=None,
                institution=institution,
                base_url=options["url"],
                metadata_prefix=options["prefix"],
                record_format=options["format"],
                sets=options["sets"],
                schedule=options["schedule"],
                record_link=options["link"],
                check=not options["no_check"],
                name=options["name"],
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(m)}" for field, m in exc.message_dict.items())
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"Registered source {source.pk}: {source.name}."))

    def list(self):
        sources = list(sources_listed())
        runs = last_runs(sources)
        for source in sources:
            run = runs.get(source.pk)
            last = "never harvested"
            if run:
                last = f"last run {run.started_at:%Y-%m-%d %H:%M} {run.state}"
            flag = "" if source.active else " [inactive]"
            self.stdout.write(
                f"{source.pk}\t{source.name}{flag}\t{source.record_format}\t{source.schedule}\t"
                f"{getattr(source, 'record_count', 0)} records\t{last}\t{source.base_url}"
            )
