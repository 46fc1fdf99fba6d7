"""Fill a throwaway database with synthetic resources for the OAI-PMH benchmark.

Rows are written with bulk_create straight through the models, not through the resource
services: a benchmark corpus of 100,000 records must be built in seconds, and it needs neither
the audit trail nor the search index. Their OAI-PMH records are rendered and stored as the
services store them (``harvest.store``). Never run it on a database that holds real resources.
"""

import datetime as dt
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from libranet.progress import ProgressBar
from libranet.resources import harvest
from libranet.resources.models import AccessLevel, Collection, Resource

BATCH = 5000
PREFIX = "BENCH-"  # identifiers and collection codes, apart from any demo resources
START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
WORDS = (
    "история библиотека империя губерния летопись указ грамота карта атлас журнал газета "
    "фотография портрет собор усадьба реформа война мир экспедиция университет театр музей "
    "архив рукопись книга сборник устав отчёт перепись торговля железная дорога флот"
).split()
TYPES = [choice.value for choice in Resource.Type]
LEVELS = [AccessLevel.OPEN] * 5 + [AccessLevel.READERS] * 2 + [AccessLevel.ON_SITE] * 2


class Command(BaseCommand):
    help = "Fill a throwaway database with synthetic resources for the OAI-PMH benchmark."

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=100_000, help="default 100,000")
        parser.add_argument("--seed", type=int, default=2018, help="random seed (default 2018)")

    def handle(self, *args, records, seed, **options):
        if records < 1:
            raise CommandError("--records must be 1 or more.")
        if Resource.objects.filter(identifier__startswith=PREFIX).exists():
            raise CommandError("This database has the benchmark's resources already.")
        rng = random.Random(seed)  # noqa: S311 (deterministic synthetic data, no secret)
        progress = ProgressBar(self.stdout, unit="resources")
        with transaction.atomic():
            collections = self._collections()
            for first in range(0, records, BATCH):
                self._batch(rng, first, min(first + BATCH, records), collections)
                progress(min(first + BATCH, records), records)
        self.stdout.write(
            self.style.SUCCESS(f"Made {records} resources in {progress.elapsed:.1f}s.")
        )

    def _collections(self) -> list[int]:
        """Ten collections with five children each: the leaves are what resources belong to."""
        leaves = []
        for n in range(10):
            root = Collection.objects.create(
                code=f"bench-{n}", name_ru=f"Коллекция {n}", position=n
            )
            for m in range(5):
                leaf = Collection.objects.create(
                    code=f"bench-{n}-{m}", parent=root, name_ru=f"Раздел {n}.{m}", position=m
                )
                leaves.append(leaf.pk)
        return leaves

    def _batch(self, rng: random.Random, first: int, end: int, collections: list[int]) -> None:
        def words(count: int) -> str:
            return " ".join(rng.choice(WORDS) for _ in range(count))

        made = Resource.objects.bulk_create(
            Resource(
                identifier=f"{PREFIX}{n:07d}",
                title_ru=words(rng.randint(3, 9)).capitalize(),
                title_en=f"Document {n}" if n % 2 else "",
                creators=[f"{words(1).capitalize()}, {rng.choice('АБВГДЕЖИКЛМН')}."],
                date_text=str(rng.randint(1700, 2020)),
                type=rng.choice(TYPES),
                subjects=[words(2), words(1)],
                language="ru",
                description_ru=words(rng.randint(20, 60)).capitalize() + ".",
                rights="Общественное достояние",
                # 1 in 50 staff-only (never harvested), the rest by the access table.
                access_level=AccessLevel.STAFF if n % 50 == 49 else rng.choice(LEVELS),
                # One change a second, at a random fraction: the datestamps of a real history.
                modified_at=START + dt.timedelta(seconds=n, microseconds=rng.randrange(10**6)),
                deleted_at=START + dt.timedelta(seconds=n) if n % 100 == 99 else None,
            )
            for n in range(first, end)
        )
        Membership = Resource.collections.through
        Membership.objects.bulk_create(
            Membership(resource_id=resource.pk, collection_id=collection)
            for resource in made
            for collection in rng.sample(collections, rng.randint(1, 2))
        )
        harvest.store(resource.pk for resource in made)
