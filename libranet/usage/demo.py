"""Synthetic usage for the demo: a month of plausible use over the existing centers and resources,
written straight into ``UsageEvent`` in bulk (it is synthetic: no request, no spool) and rolled
up day by day.

Each open center gets visitors on the days it is open (from its status history), more at
regional centers and on weekdays, fewer abroad; each visit is a session that searches, views
records and reads files (some clicked twice within seconds, which the double-click rule
merges). Readers outside every center search and view records too, and are refused what only a
center or a confirmed account opens (No_License). A share of the remote access centers has no
use at all, and some have visits without reading, so that the zero-usage report has content.
Everything follows from the seed: the same month, scale and seed give the same events.
"""

import calendar
import datetime
import random
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from libranet.network.models import Center, CenterStatusChange
from libranet.resources.models import AccessLevel, Resource

from .counting import day_bounds
from .models import Action, ReaderKind, UsageEvent
from .partitions import partitions_ensure
from .reports import open_periods
from .rollup import rollup_day
from .services import events_insert

# Visits a day at a center of each kind on a weekday (a weekend day has 40% of them).
VISITS = {
    Center.Kind.REGIONAL: 7.0,
    Center.Kind.BRANCH: 5.0,
    Center.Kind.REMOTE: 1.6,
    Center.Kind.FOREIGN: 1.2,
}
OUTSIDE_VISITS = 40.0  # readers at home, over the whole network, a weekday
IDLE_SHARE = 0.12  # remote access centers with no use at all this month
NO_READING_SHARE = 0.06  # ... and with visits but no files read
READER_KINDS = [
    (ReaderKind.ANONYMOUS, 60),
    (ReaderKind.READER, 12),
    (ReaderKind.CONFIRMED_READER, 25),
    (ReaderKind.STAFF, 3),
]
OUTSIDE_KINDS = [
    (ReaderKind.ANONYMOUS, 70),
    (ReaderKind.READER, 12),
    (ReaderKind.CONFIRMED_READER, 18),
]


class UsageDemoError(Exception):
    """The month cannot be generated (in the future, or it has events already)."""


@dataclass
class GeneratedUsage:
    month: datetime.date
    days: int
    events: int
    centers_used: int
    centers_idle: int  # open during the month, but given no use


def _choices(rng: random.Random, weighted: list[tuple]) -> Callable[[], object]:
    items = [item for item, _ in weighted]
    cumulative, total = [], 0
    for _, weight in weighted:
        total += weight
        cumulative.append(total)
    return lambda: rng.choices(items, cum_weights=cumulative)[0]


def _visits(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method; the means here are small)."""
    if mean <= 0:
        return 0
    limit, count, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _open_days(centers: list[Center], first: datetime.date, last: datetime.date) -> dict:
    histories: dict[int, list] = defaultdict(list)
    changes = CenterStatusChange.objects.filter(
        center__in=[c.pk for c in centers], changed_on__lte=last
    ).order_by("center_id", "changed_on", "id")
    for center_id, changed_on, status in changes.values_list("center_id", "changed_on", "status"):
        histories[center_id].append((changed_on, status))
    open_days: dict[int, set[datetime.date]] = {}
    for center in centers:
        days = set()
        for start, end in open_periods(center, histories[center.pk], first, last):
            days |= {start + datetime.timedelta(days=n) for n in range((end - start).days + 1)}
        if days:
            open_days[center.pk] = days
    return open_days


class _Month:
    """The events of one month, drawn visit by visit."""

    def __init__(self, rng: random.Random, resources: list[tuple[int, str]]) -> None:
        self.rng = rng
        # Popular resources are read far more than the rest (Zipf-like weights).
        order = resources[:]
        rng.shuffle(order)
        self.resources = order
        self.weights = [1.0 / (rank + 1) for rank in range(len(order))]
        self.cumulative = []
        total = 0.0
        for weight in self.weights:
            total += weight
            self.cumulative.append(total)
        self.kind = _choices(rng, READER_KINDS)
        self.outside_kind = _choices(rng, OUTSIDE_KINDS)
        self.rows: list[tuple] = []

    def _resource(self) -> tuple[int, str] | None:
        if not self.resources:
            return None
        return self.rng.choices(self.resources, cum_weights=self.cumulative)[0]

    def _add(
        self, moment, center_id, kind, session, action, resource_id=None, granted=True, level=""
    ):
        self.rows.append(
            (
                connection.ops.adapt_datetimefield_value(moment),
                center_id,
                int(kind),
                session,
                int(action),
                resource_id,
                granted,
                level,
            )
        )

    def visit(self, day: datetime.date, center_id: int | None, *, reading: bool = True) -> None:
        rng = self.rng
        start, _ = day_bounds(day)
        moment = start + datetime.timedelta(
            hours=rng.uniform(9, 19.5), milliseconds=rng.randrange(1000)
        )
        moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        session = f"{rng.getrandbits(128):032x}"
        inside = center_id is not None
        kind = self.kind() if inside else self.outside_kind()
        self._add(moment, center_id, kind, session, Action.SESSION)
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            moment += datetime.timedelta(seconds=rng.uniform(20, 240))
            self._add(moment, center_id, kind, session, Action.SEARCH)
        for _ in range(rng.choice((0, 1, 1, 2, 3, 4))):
            found = self._resource()
            if found is None:
                break
            resource_id, level = found
            moment += datetime.timedelta(seconds=rng.uniform(10, 180))
            self._add(
                moment, center_id, kind, session, Action.INVESTIGATION, resource_id, True, level
            )
            if not reading or rng.random() > 0.6:
                continue
            allowed = (
                inside
                or level == AccessLevel.OPEN
                or (level == AccessLevel.READERS and kind == ReaderKind.CONFIRMED_READER)
            )
            # The reader page, then its files; a second click within seconds now and then.
            for _ in range(1 if not allowed else rng.choice((1, 1, 2, 3))):
                moment += datetime.timedelta(seconds=rng.uniform(2, 90))
                request = (Action.REQUEST, resource_id, allowed, level)
                self._add(moment, center_id, kind, session, *request)
                if rng.random() < 0.15:
                    again = moment + datetime.timedelta(seconds=rng.uniform(1, 25))
                    self._add(again, center_id, kind, session, *request)
                    moment = again


def generate_usage(
    *,
    month: datetime.date,
    scale: int = 1,
    seed: int = 2018,
    replace: bool = False,
    progress: Callable[[int, int, datetime.date], None] | None = None,
) -> GeneratedUsage:
    """Generate ``month``'s usage (up to yesterday, for the current month) and roll its days up.
    A month that has events already is refused unless ``replace``, which deletes them first."""
    month = month.replace(day=1)
    today = timezone.localdate()
    if month > today:
        raise UsageDemoError(f"{month:%Y-%m} has not begun yet: its usage cannot be generated.")
    if scale < 1:
        raise UsageDemoError("The scale must be 1 or more.")
    # Whole days only, up to yesterday: today's real use is still to come.
    yesterday = today - datetime.timedelta(days=1)
    last = min(month.replace(day=calendar.monthrange(month.year, month.month)[1]), yesterday)
    if last < month:
        return GeneratedUsage(month=month, days=0, events=0, centers_used=0, centers_idle=0)
    start, _ = day_bounds(month)
    _, end = day_bounds(last)
    existing = UsageEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    if existing.exists():
        if not replace:
            raise UsageDemoError(
                f"{month:%Y-%m} has usage events already; replace them to generate it again."
            )
        while ids := list(existing.values_list("pk", flat=True)[:10_000]):
            UsageEvent.objects.filter(pk__in=ids).delete()

    partitions_ensure([month])
    seeded = zlib.crc32(f"{seed}:{month:%Y-%m}:{scale}".encode())
    rng = random.Random(seeded)  # noqa: S311 (deterministic demo data, not secrets)
    centers = list(Center.objects.order_by("pk"))
    open_days = _open_days(centers, month, last)
    idle, no_reading = set(), set()
    for center in centers:
        if center.pk in open_days and center.kind == Center.Kind.REMOTE:
            draw = rng.random()
            if draw < IDLE_SHARE:
                idle.add(center.pk)
            elif draw < IDLE_SHARE + NO_READING_SHARE:
                no_reading.add(center.pk)
    resources = list(
        Resource.objects.filter(deleted_at__isnull=True)
        .exclude(access_level=AccessLevel.STAFF)
        .order_by("pk")
        .values_list("pk", "access_level")
    )
    drawer = _Month(rng, resources)

    days = [month + datetime.timedelta(days=n) for n in range((last - month).days + 1)]
    events = 0
    used: set[int] = set()
    for number, day in enumerate(days, start=1):
        weekday = day.weekday() < 5
        factor = scale * (1.0 if weekday else 0.4)
        for center in centers:
            if center.pk in idle or day not in open_days.get(center.pk, ()):
                continue
            for _ in range(_visits(rng, VISITS[center.kind] * factor)):
                drawer.visit(day, center.pk, reading=center.pk not in no_reading)
                used.add(center.pk)
        for _ in range(_visits(rng, OUTSIDE_VISITS * factor)):
            drawer.visit(day, None)
        with transaction.atomic():
            events_insert(drawer.rows)
        events += len(drawer.rows)
        drawer.rows = []
        rollup_day(day)
        if progress is not None:
            progress(number, len(days), day)
    return GeneratedUsage(
        month=month,
        days=len(days),
        events=events,
        centers_used=len(used),
        centers_idle=len(set(open_days) - used),
    )
