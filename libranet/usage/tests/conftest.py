"""Fixtures of the counting tests: a day, resources of each kind, raw events made directly, the
roll-up's rows read back as dictionaries, and the spool (each test has its own folder: the
``libranet.usage.testing`` plugin)."""

import datetime
import itertools

import pytest
from django.conf import settings
from django.utils import timezone

from libranet.resources.models import Resource
from libranet.usage import recorder
from libranet.usage.counting import day_bounds
from libranet.usage.models import Action, DailyCenterUsage, DailyItemUsage, Metric, UsageEvent

DAY = datetime.date(2026, 10, 14)
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
_identifiers = itertools.count(1)


def at(seconds: float, day: datetime.date = DAY) -> datetime.datetime:
    """A moment ``seconds`` after 10:00 of ``day`` in the project's time zone (Moscow)."""
    start, _ = day_bounds(day)
    return start + datetime.timedelta(hours=10, seconds=seconds)


def session(name: str) -> str:
    """A session identifier as the recorder stores them (32 hexadecimal digits)."""
    return recorder.session_id(moment=at(0), session_key=name)


def day_of_events(day: datetime.date, n: int) -> None:
    """``n`` searches on ``day``, a second apart from 10:00."""
    UsageEvent.objects.bulk_create(
        UsageEvent(
            occurred_at=at(seconds, day),
            reader_kind=0,
            session=session("p"),
            action=Action.SEARCH,
        )
        for seconds in range(n)
    )


@pytest.fixture
def make_resource(db):
    def make(type: str = Resource.Type.BOOK, access_level: str = "open", **fields):
        number = next(_identifiers)
        return Resource.objects.create(
            identifier=f"usage:test/{number}",
            title_ru=f"Ресурс {number}",
            type=type,
            access_level=access_level,
            modified_at=timezone.now(),
            **fields,
        )

    return make


@pytest.fixture
def book(make_resource):
    return make_resource(Resource.Type.BOOK)


@pytest.fixture
def periodical(make_resource):
    return make_resource(Resource.Type.PERIODICAL)


@pytest.fixture
def events(db):
    """``events(...)`` writes raw events straight into UsageEvent, as the loader would."""

    def add(*rows):
        UsageEvent.objects.bulk_create(
            UsageEvent(
                occurred_at=row.get("occurred_at", at(row.get("t", 0))),
                center_id=row.get("center"),
                reader_kind=row.get("kind", 0),
                session=row.get("session", session("a")),
                action=row["action"],
                resource_id=getattr(row.get("resource"), "pk", row.get("resource")),
                granted=row.get("granted", True),
                access_level=row.get("level", ""),
            )
            for row in rows
        )

    return add


def item_counts(day: datetime.date = DAY) -> dict[tuple[int | None, int, str], int]:
    """{(center id, resource id, metric label): value} of the day's item roll-up."""
    return {
        (center, resource, Metric(metric).label): value
        for center, resource, metric, value in DailyItemUsage.objects.filter(day=day).values_list(
            "center_id", "resource_id", "metric", "value"
        )
    }


def center_counts(day: datetime.date = DAY) -> dict[tuple[int | None, str], int]:
    """{(center id, metric label): value} of the day's center roll-up."""
    return {
        (center, Metric(metric).label): value
        for center, metric, value in DailyCenterUsage.objects.filter(day=day).values_list(
            "center_id", "metric", "value"
        )
    }


@pytest.fixture
def spool_dir():
    return settings.LIBRANET_USAGE_SPOOL_DIR
