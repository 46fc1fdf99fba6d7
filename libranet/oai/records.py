"""What the provider reads: the harvestable resources, the set tree, one page of a list.

Items are every resource but staff-only ones (their metadata is public, README "Access
levels"), deleted ones included: they stay as persistent deleted records. Lists are read in
``(modified_at, id)`` order, the ``resource_oai_order`` index, strictly after a key, so a page
costs the same anywhere in the list. A row carries the record as it was rendered when the
resource last changed (``libranet.resources.harvest``): its header, and its metadata.
"""

import datetime as dt
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Min, QuerySet

from libranet.resources.harvest import set_specs
from libranet.resources.models import AccessLevel, Collection, Resource

Membership = Resource.collections.through
TABLE = Resource._meta.db_table

# The key of a row (id, modified_at: what a resumption token continues after), then the stored
# header, then the stored metadata; rows are tuples in this order.
HEADER_FIELDS = ("id", "modified_at", "oai_header")
RECORD_FIELDS = (*HEADER_FIELDS, "oai_metadata")
# Rows are fetched from the cursor, and written, this many at a time: that bounds the memory of
# any page, whatever its size.
BATCH = 200


def harvestable() -> QuerySet[Resource]:
    """Every resource an OAI-PMH harvester may see: all but staff-only, deleted ones too."""
    return Resource.objects.exclude(access_level=AccessLevel.STAFF)


def earliest_datestamp() -> dt.datetime | None:
    return harvestable().aggregate(earliest=Min("modified_at"))["earliest"]


def find(identifier: str, fields: tuple[str, ...] = RECORD_FIELDS) -> tuple[Any, ...] | None:
    """The row of one item, as ``driver_rows`` gives rows."""
    query = harvestable().filter(identifier=identifier).values_list(*fields)[:1]
    rows = driver_rows(*query.query.sql_with_params())
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
        tree.specs = set_specs(row[:3] for row in tree.rows)
        for collection_id, parent_id, *_ in tree.rows:
            tree.children.setdefault(parent_id, []).append(collection_id)
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


@dataclass(frozen=True)
class Selection:
    """The records a list request asks for: from/until bounds, a set's collections.

    Written in plain SQL (the same on SQLite and PostgreSQL): building and compiling the ORM's
    query for every page cost a fifth of serving it. Every value is a parameter; the names of
    the tables and columns come from the models."""

    lower: dt.datetime | None = None
    upper: dt.datetime | None = None
    collection_ids: list[int] | None = None

    def _where(self) -> tuple[list[str], list[Any]]:
        where = ["r.access_level <> %s"]  # harvestable()
        params: list[Any] = [AccessLevel.STAFF.value]
        adapt = connection.ops.adapt_datetimefield_value
        if self.lower is not None:
            where.append("r.modified_at >= %s")
            params.append(adapt(self.lower))
        if self.upper is not None:
            where.append("r.modified_at < %s")
            params.append(adapt(self.upper))
        if self.collection_ids == []:
            where.append("1 = 0")  # a set removed during the harvest: nothing is left in it
        elif self.collection_ids is not None:
            ids = ", ".join(["%s"] * len(self.collection_ids))
            where.append(
                f"EXISTS (SELECT 1 FROM {Membership._meta.db_table} m "  # noqa: S608
                f"WHERE m.resource_id = r.id AND m.collection_id IN ({ids}))"
            )
            params += self.collection_ids
        return where, params

    def count(self) -> int:
        where, params = self._where()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {TABLE} r WHERE {' AND '.join(where)}",  # noqa: S608
                params,
            )
            return cursor.fetchone()[0]

    def page(
        self, *, after: tuple[dt.datetime, int] | None, limit: int, fields: tuple[str, ...]
    ) -> Iterator[tuple[Any, ...]]:
        """Up to ``limit`` rows strictly after the key ``after``, streamed from the cursor."""
        where, params = self._where()
        if after is not None:
            datestamp, last_id = after
            stamp = connection.ops.adapt_datetimefield_value(datestamp)
            # The first condition alone is an index range; the second drops what was sent.
            where.append("r.modified_at >= %s AND (r.modified_at > %s OR r.id > %s)")
            params += [stamp, stamp, last_id]
        columns = ", ".join(f"r.{name}" for name in fields)  # each field is its column
        sql = (
            f"SELECT {columns} FROM {TABLE} r WHERE {' AND '.join(where)} "  # noqa: S608
            "ORDER BY r.modified_at, r.id LIMIT %s"
        )
        return driver_rows(sql, [*params, limit])


def driver_rows(sql: str, params: Sequence[Any]) -> Generator[tuple[Any, ...], None, None]:
    """The rows of a query as the database driver gives them, a batch at a time: the stored
    text as it is (and the one datetime, naive in UTC from SQLite or aware from PostgreSQL,
    which ``moment`` reads), with none of the ORM's conversions."""
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
