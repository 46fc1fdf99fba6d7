"""Test helpers for the COUNTER reports: answers validated against the COUNTER API's own JSON
schemas (../shared/standards/counter-5.1/COUNTER_API.json), and a small network with roll-up
rows written straight into the tables, whose sums the tests compare with the reports."""

import calendar
import datetime as dt
import functools
import itertools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from libranet.network.models import Center, Country, Region
from libranet.resources.models import Resource as LibraryResource
from libranet.usage.models import DailyCenterUsage, DailyItemUsage, Metric, RolledUpDay

SPEC_PATH = Path(settings.BASE_DIR).parent / "shared" / "standards" / "counter-5.1"
SPEC_URI = "urn:counter-api-5.1"
JAN, FEB, MAR = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)
TODAY = dt.date(2024, 4, 15)  # March is the last month that can be processed

_numbers = itertools.count(1)


@functools.cache
def spec() -> dict[str, Any]:
    return json.loads((SPEC_PATH / "COUNTER_API.json").read_text())


@functools.cache
def _registry() -> Registry:
    return Registry().with_resource(SPEC_URI, Resource(contents=spec(), specification=DRAFT202012))


def _errors(data: Any, pointer: str) -> list[str]:
    validator = Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]


def assert_valid(data: Any, schema: str) -> None:
    """``data`` is valid against ``#/components/schemas/<schema>``."""
    errors = _errors(data, f"/components/schemas/{schema}")
    assert not errors, errors


def assert_valid_response(path: str, status: int, data: Any) -> None:
    """``data`` is what the specification allows path ``path`` to answer with ``status``."""
    responses = spec()["paths"][path]["get"]["responses"]
    assert str(status) in responses, f"{path} never answers {status}"
    reference = responses[str(status)]["$ref"].removeprefix("#")
    errors = _errors(data, f"{reference}/content/application~1json/schema")
    assert not errors, errors


def month_days(month: dt.date) -> list[dt.date]:
    length = calendar.monthrange(month.year, month.month)[1]
    return [month.replace(day=day) for day in range(1, length + 1)]


def roll_up(days: list[dt.date]) -> None:
    RolledUpDay.objects.bulk_create(
        RolledUpDay(day=day, rolled_up_at=timezone.now(), events=1) for day in days
    )


def make_resource(**fields: Any) -> LibraryResource:
    number = next(_numbers)
    fields.setdefault("identifier", f"RU-PL-{number:06d}")
    fields.setdefault("title_ru", f"Издание {number}")
    fields.setdefault("title_en", f"Publication {number}")
    fields.setdefault("type", LibraryResource.Type.BOOK)
    fields.setdefault("access_level", "readers")
    fields.setdefault("modified_at", timezone.now())
    return LibraryResource.objects.create(**fields)


@dataclass
class Usage:
    """Roll-up rows a test writes, and their sums to compare reports with."""

    items: list[DailyItemUsage] = field(default_factory=list)
    centers: list[DailyCenterUsage] = field(default_factory=list)

    def item(self, day: dt.date, center: Center | None, resource: Any, metric: Metric, value: int):
        self.items.append(
            DailyItemUsage(
                day=day,
                center=center,
                resource=resource,
                access_level=resource.access_level,  # as the roll-up keeps it: the level then
                metric=metric,
                value=value,
            )
        )

    def requests(self, day: dt.date, center: Center | None, resource: Any, n: int = 1) -> None:
        """A consistent day of use: n views and n downloads in n sessions (COUNTER counts a
        request as an investigation too)."""
        for metric in (
            Metric.TOTAL_ITEM_INVESTIGATIONS,
            Metric.UNIQUE_ITEM_INVESTIGATIONS,
            Metric.UNIQUE_TITLE_INVESTIGATIONS,
            Metric.TOTAL_ITEM_REQUESTS,
            Metric.UNIQUE_ITEM_REQUESTS,
            Metric.UNIQUE_TITLE_REQUESTS,
        ):
            self.item(day, center, resource, metric, n)

    def searches(self, day: dt.date, center: Center | None, n: int) -> None:
        for metric in (Metric.SEARCHES_PLATFORM, Metric.SEARCHES_REGULAR, Metric.SESSIONS):
            self.centers.append(DailyCenterUsage(day=day, center=center, metric=metric, value=n))

    def save(self) -> "Usage":
        DailyItemUsage.objects.bulk_create(self.items)
        DailyCenterUsage.objects.bulk_create(self.centers)
        return self

    def sums(
        self, *, centers: set[int | None] | None = None, resources: set[int] | None = None
    ) -> dict[tuple[int, str, str], int]:
        """(resource id, Metric_Type, "yyyy-mm") -> count, over the given centers and
        resources (None: all)."""
        totals: dict[tuple[int, str, str], int] = defaultdict(int)
        for row in self.items:
            if centers is not None and row.center_id not in centers:
                continue
            if resources is not None and row.resource_id not in resources:
                continue
            totals[(row.resource_id, Metric(row.metric).label, f"{row.day:%Y-%m}")] += row.value
        return dict(totals)

    def searches_sum(self, centers: set[int | None] | None = None) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for row in self.centers:
            if row.metric == Metric.SEARCHES_PLATFORM and (
                centers is None or row.center_id in centers
            ):
                totals[f"{row.day:%Y-%m}"] += row.value
        return dict(totals)


@dataclass
class World:
    """Tver's regional center with two remote centers it coordinates, Penza's regional center,
    a foreign center; titles (books, a periodical) and items (a photograph, a video); January
    and February 2024 rolled up, March from the 1st to the 10th only."""

    tver_rc: Center
    tver_a: Center
    tver_b: Center
    penza_rc: Center
    ulaanbaatar: Center
    book: LibraryResource  # controlled (readers), 1903
    open_book: LibraryResource  # open to everyone, year unknown
    periodical: LibraryResource  # on site, 1913
    photograph: LibraryResource  # open, 1890, two creators, exact date
    video: LibraryResource  # staff only, 1961
    usage: Usage

    @property
    def tver_region(self) -> set[int | None]:
        return {self.tver_rc.pk, self.tver_a.pk, self.tver_b.pk}


def build_world(make_center: Any) -> World:
    Kind = Center.Kind
    tver_rc = make_center(code="RU-TVE-RC", kind=Kind.REGIONAL, name_en="Tver regional center")
    tver_a = make_center(code="RU-TVE-001", name_en="Torzhok center")
    tver_b = make_center(code="RU-TVE-002", name_en="Rzhev center")
    penza_rc = make_center(
        code="RU-PNZ-RC", kind=Kind.REGIONAL, region=Region.objects.get(code="RU-PNZ")
    )
    ulaanbaatar = make_center(
        code="MN-ULN-01", kind=Kind.FOREIGN, country=Country.objects.get(code="MN")
    )
    world = World(
        tver_rc=tver_rc,
        tver_a=tver_a,
        tver_b=tver_b,
        penza_rc=penza_rc,
        ulaanbaatar=ulaanbaatar,
        book=make_resource(title_en="Tver chronicle", year_from=1903),
        open_book=make_resource(title_en="Open primer", access_level="open"),
        periodical=make_resource(type="periodical", access_level="on_site", year_from=1913),
        photograph=make_resource(
            type="photograph",
            access_level="open",
            year_from=1890,
            date_text="1890-06-01",
            creators=["Prokudin-Gorsky, S. M.", "Unknown studio"],
        ),
        video=make_resource(type="video", access_level="staff", year_from=1961),
        usage=Usage(),
    )
    usage = world.usage
    for month, scale in ((JAN, 1), (FEB, 2), (MAR, 3)):
        day = month.replace(day=5)
        usage.requests(day, tver_rc, world.book, 2 * scale)
        usage.requests(day.replace(day=6), tver_a, world.book, scale)
        usage.requests(day, tver_b, world.periodical, scale)
        usage.requests(day, penza_rc, world.open_book, 4 * scale)
        usage.requests(day, ulaanbaatar, world.photograph, scale)
        usage.requests(day, None, world.photograph, 5 * scale)  # outside every center
        usage.requests(day, tver_a, world.video, scale)
        usage.item(day, tver_b, world.video, Metric.NO_LICENSE, scale)
        usage.searches(day, tver_rc, 10 * scale)
        usage.searches(day, tver_a, scale)
        usage.searches(day, None, 7 * scale)
    usage.save()
    roll_up(month_days(JAN) + month_days(FEB) + month_days(MAR)[:10])
    return world
