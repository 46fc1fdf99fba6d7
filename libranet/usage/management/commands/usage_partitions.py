"""``manage.py usage_partitions``: the monthly partitions of raw usage events (PostgreSQL)."""

from django.core.management.base import BaseCommand
from django.utils.timezone import localtime

from libranet.usage.partitions import partition_list, partitioned, partitions_ahead


class Command(BaseCommand):
    help = (
        "List the monthly partitions of raw usage events with their bounds, estimated rows and "
        "size (PostgreSQL; SQLite keeps one table). --ensure makes this month's partition and "
        "LIBRANET_USAGE_PARTITIONS_AHEAD months ahead, and moves events waiting in the default "
        "partition into their month's, as the usage-partitions job does."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ensure", action="store_true", help="make the partitions due now, then list"
        )

    def handle(self, *args, ensure, verbosity, **options):
        if not partitioned():
            self.stdout.write("Raw usage events are one table here (SQLite): no partitions.")
            return
        if ensure:
            made = partitions_ahead()
            self.stdout.write(self.style.SUCCESS(f"Made {len(made)} partitions: {made or '-'}."))
        for p in partition_list():
            bounds = (
                "default"
                if p.is_default
                else f"{localtime(p.start):%Y-%m-%d %H:%M%z} .. {localtime(p.end):%Y-%m-%d %H:%M%z}"
            )
            rows = "?" if p.rows < 0 else f"~{p.rows:,}"
            self.stdout.write(
                f"{p.name:<28} {bounds:<38} {rows:>14} rows {p.size / 2**20:10.1f} MB"
            )
