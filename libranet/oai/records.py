"""What the provider reads: the harvestable resources, the set tree, one page of a list.

Items are every resource but staff-only ones (their metadata is public, README "Access
levels"), deleted ones included: they stay as persistent deleted records. Lists are read in
``(modified_at, id)`` order, the ``resource_oai_order`` index, strictly after a key, so a page
costs the same anywhere in the list.
"""

import datetime as dt
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, Min, OuterRef, Q, QuerySet

from libranet.resources.models import AccessLevel, Collection, Resource

Membership = Resource.collections.through

# The columns a header needs, then those of the oai_dc record; rows are tuples in this order.
HEADER_FIELDS = ("id", "identifier", "modified_at", "deleted_at")
RECORD_FIELDS = (
    *HEADER_FIELDS,
    "title_ru",
    "title_en",
    "creators",
    "date_text",
    "type",
    "subjects",
    "language",
    "description_ru",
    "description_en",
    "rights",
)
# Rows are fetched from the cursor this many at a time; the set memberships of each such batch
# are read in one query. Both bound the memory of any page, whatever its size.
BATCH = 200


def harvestable() -> QuerySet[Resource]:
    """Every resource an OAI-PMH harvester may see: all but staff-only, deleted ones too."""
    return Resource.objects.exclude(access_level=AccessLevel.STAFF)


def earliest_datestamp() -> dt.datetime | None:
    return harvestable().aggregate(earliest=Min("modified_at"))["earliest"]


def find(identifier: str, fields: tuple[str, ...] = RECORD_FIELDS) -> tuple[Any, ...] | None:
    """The row of one item, as ``driver_rows`` gives rows."""
    rows = driver_rows(harvestable().filter(identifier=identifier).values_list(*fields)[:1])
    try:
        return next(rows, None)
    finally:
        rows.close()


@dataclass
class SetTree:
    """The collection tree as OAI-PMH sets: a set spec is the path of codes from the root."""

    specs: dict[int, str] = field(default_factory=dict)
    children: dict[int | None, list[int]] = field(default_factory=dict)
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    @classmethod
    def load(cls) -> "SetTree":
        tree = cls()
        tree.rows = list(
            Collection.objects.order_by("position", "name_ru", "id").values_list(
                "id", "parent_id", "code", "name_ru", "name_en", "description_ru", "description_en"
            )
        )
        parents = {row[0]: row[1] for row in tree.rows}
        codes = {row[0]: row[2] for row in tree.rows}
        for collection_id, parent_id, *_ in tree.rows:
            tree.children.setdefault(parent_id, []).append(collection_id)
            path, node, seen = [], collection_id, set()
            while node is not None and node not in seen:  # a cycle would never end: cut it
                seen.add(node)
                path.append(codes[node])
                node = parents.get(node)
            tree.specs[collection_id] = ":".join(reversed(path))
        # Parents before their children, depth first, siblings in the tree's own order.
        order = {cid: i for i, cid in enumerate(tree._depth_first())}
        tree.rows.sort(key=lambda row: order.get(row[0], len(order)))
        return tree

    def _depth_first(self) -> Iterator[int]:
        stack = list(reversed(self.children.get(None, [])))
        seen: set[int] = set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            yield node
            stack.extend(reversed(self.children.get(node, [])))

    def __bool__(self) -> bool:
        return bool(self.rows)

    def subtree(self, spec: str) -> list[int] | None:
        """The collection named by ``spec`` and all below it; None when no set has that spec."""
        top = next((cid for cid, s in self.specs.items() if s == spec), None)
        if top is None:
            return None
        found, stack = [], [top]
        while stack:
            node = stack.pop()
            if node not in found:
                found.append(node)
                stack.extend(self.children.get(node, ()))
        return found

    def memberships(self, resource_ids: list[int]) -> dict[int, list[str]]:
        """The set specs of each of these resources."""
        result: dict[int, list[str]] = {}
        if not resource_ids:
            return result
        # Plain SQL: the ORM's preparation of a long IN list cost more than the query itself.
        # The table's name comes from the model and the values are parameters.
        table = Membership._meta.db_table
        placeholders = ", ".join(["%s"] * len(resource_ids))
        sql = (
            f"SELECT resource_id, collection_id FROM {table} "  # noqa: S608
            f"WHERE resource_id IN ({placeholders}) ORDER BY resource_id, collection_id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, resource_ids)
            pairs = cursor.fetchall()
        for resource_id, collection_id in pairs:
            spec = self.specs.get(collection_id)  # None: a collection newer than this tree
            if spec is not None:
                result.setdefault(resource_id, []).append(spec)
        return result


@dataclass(frozen=True)
class Selection:
    """The records a list request asks for: from/until bounds, a set's collections."""

    lower: dt.datetime | None = None
    upper: dt.datetime | None = None
    collection_ids: list[int] | None = None

    def queryset(self) -> QuerySet[Resource]:
        qs = harvestable()
        if self.lower is not None:
            qs = qs.filter(modified_at__gte=self.lower)
        if self.upper is not None:
            qs = qs.filter(modified_at__lt=self.upper)
        if self.collection_ids is not None:
            member = Membership.objects.filter(
                resource_id=OuterRef("pk"), collection_id__in=self.collection_ids
            )
            qs = qs.filter(Exists(member))
        return qs

    def count(self) -> int:
        return self.queryset().count()

    def page(
        self, *, after: tuple[dt.datetime, int] | None, limit: int, fields: tuple[str, ...]
    ) -> Iterator[tuple[Any, ...]]:
        """Up to ``limit`` rows strictly after the key ``after``, streamed from the cursor."""
        qs = self.queryset()
        if after is not None:
            datestamp, last_id = after
            # The first condition alone is an index range; the second drops what was sent.
            qs = qs.filter(modified_at__gte=datestamp).filter(
                Q(modified_at__gt=datestamp) | Q(id__gt=last_id)
            )
        return driver_rows(qs.order_by("modified_at", "id").values_list(*fields)[:limit])


def driver_rows(qs: QuerySet[Any]) -> Generator[tuple[Any, ...], None, None]:
    """The rows of ``qs`` as the database driver gives them, a batch at a time.

    The ORM builds the query; its conversion of every value (datetimes parsed and made aware,
    JSON decoded) is skipped, because the writer needs only text: that halves the cost of a
    page (bench/oai.py). Datetimes come as the driver gives them, naive in UTC from SQLite or
    aware from PostgreSQL (``writer.stamp`` and ``moment`` read both); JSON comes as text.
    """
    sql, params = qs.query.sql_with_params()
    with connection.chunked_cursor() as cursor:  # server-side on PostgreSQL
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(BATCH):
            yield from rows


def moment(value: Any) -> dt.datetime:
    """A datetime column's value as the driver gave it, as an aware datetime in UTC."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite: UTC without an offset (USE_TZ)
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)
