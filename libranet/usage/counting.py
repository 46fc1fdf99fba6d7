"""COUNTER Release 5.1's counting rules, as the daily roll-up applies them to raw events.

The rules (Code of Practice 5.1, section 7), for one day's events:

- **Double-click**: the clicks of one session on one item with one action (and one outcome,
  granted or refused) form chains in which each click follows the previous one within 30
  seconds (``DOUBLE_CLICK_MS``; exactly 30 s is within); each chain counts once, as its last
  click ("the later click is kept"): a click counts when no same click follows it within 30 s.
  It applies to Total_Item_Investigations, Total_Item_Requests and No_License, never to the
  unique metrics, searches or sessions. The kept click counts for its own center.
- **Investigations include requests**: a record view is an investigation, a file or reader
  request is a request *and* an investigation.
- **Unique items**: once per item per session (and center) that had a granted investigation
  (Unique_Item_Investigations) or a granted request (Unique_Item_Requests).
- **Unique titles**: section 7.4 applies them to books only (Data_Types Book and
  Reference_Work), not to periodicals or anything else; a resource is its own title (the
  Library has no chapters), so a book's Unique_Title_* equal its Unique_Item_* and other
  resources have none (``TITLE_TYPES``).
- **No_License**: refused requests, after the double-click rule; a refused event counts only
  there, never as an investigation or request.
- **Searches**: every search event is one Searches_Platform and one Searches_Regular (the
  Library's collections are the one database a reader searches on this platform).
- **Sessions** (the network's own indicator): distinct sessions with any event, per center.
- **Access_Type as at the time of use**: item counts are kept per access level of the events
  (the resource's level when each happened; its current level for events recorded before
  the level was kept). Unique counts are per level too: a session that used a resource
  before and after its level changed the same day counts once under each.

A day is a calendar day in the project's time zone (``TIME_ZONE``, Europe/Moscow by default),
the day the network's staff work in; a session never spans two days (its identifier holds the
date), so every metric adds up over days. Robots never reach the events (``robots``).

The rules run as SQL over the day's events (window functions and GROUP BY, on SQLite and
PostgreSQL): the data stays in the database, and a day of a million events rolls up in
seconds. Event times are whole milliseconds (the recorder keeps them so), compared as
integers.
"""

import datetime
from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from libranet.resources.models import Resource

from .models import Action, DailyCenterUsage, DailyItemUsage, Metric, UsageEvent

DOUBLE_CLICK_MS = 30_000
TITLE_TYPES = (Resource.Type.BOOK.value,)
ITEM_ACTIONS = (Action.INVESTIGATION, Action.REQUEST)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of ``day`` and of the next one, in the project's time zone."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    following = day + datetime.timedelta(days=1)
    return start, datetime.datetime.combine(following, datetime.time.min, tzinfo=zone)


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _epoch_ms(column: str, vendor: str) -> str:
    """``column`` (a timestamp) as whole milliseconds since 1970, an integer."""
    if vendor == "postgresql":
        return f"CAST(ROUND(EXTRACT(EPOCH FROM {column}) * 1000) AS BIGINT)"
    if vendor == "sqlite":
        # Stored as text; julianday's double is exact to well under a millisecond here.
        return f"CAST(ROUND((julianday({column}) - 2440587.5) * 86400000.0) AS INTEGER)"
    raise NotImplementedError(f"Usage roll-ups run on SQLite and PostgreSQL, not {vendor}.")


COUNTS = "usage_rollup_counts"  # temporary tables of the connection that rolls a day up
PLATFORM = "usage_rollup_platform"

Statement = tuple[str, list]


@dataclass(frozen=True)
class DaySQL:
    """The statements of one day's roll-up, with their parameters.

    ``count`` reads the day's events and writes only the connection's temporary tables, so it
    takes no write lock: roll-ups of several days can count at the same time. ``publish``
    (after the day's old rows are deleted, in one transaction) writes the roll-up rows from
    them; ``drop`` removes the temporary tables."""

    count: list[Statement]
    publish: list[Statement]
    drop: list[Statement]


def day_sql(connection: BaseDatabaseWrapper, day: datetime.date) -> DaySQL:
    qn = connection.ops.quote_name
    start, end = day_bounds(day)
    bounds = [
        connection.ops.adapt_datetimefield_value(start),
        connection.ops.adapt_datetimefield_value(end),
    ]
    day_value = connection.ops.adapt_datefield_value(day)
    events = qn(UsageEvent._meta.db_table)
    resources = qn(Resource._meta.db_table)
    items = qn(DailyItemUsage._meta.db_table)
    centers = qn(DailyCenterUsage._meta.db_table)
    occurred = qn(UsageEvent._meta.get_field("occurred_at").column)
    center, resource = qn("center_id"), qn("resource_id")
    kept = f"(gap IS NULL OR gap > {DOUBLE_CLICK_MS})"
    request = int(Action.REQUEST)
    titles = ", ".join(f"'{t}'" for t in TITLE_TYPES)
    item_actions = ", ".join(str(int(a)) for a in ITEM_ACTIONS)
    # A plain range on the column, its bounds as values: on PostgreSQL the planner reads only
    # the partition of the day's month (``partitions``), and the time index within it.
    day_events = f"FROM {events} WHERE {occurred} >= %s AND {occurred} < %s"

    # Only quoted names and numbers of our own are interpolated; values go as parameters.
    # Each click with the time to the same click after it (LEAD), straight into the GROUP BY.
    count_items = f"""
        CREATE TEMPORARY TABLE {COUNTS} AS
        WITH clicks AS (
            SELECT {center} AS center_id, {resource} AS resource_id, access_level, session,
                   action, granted,
                   LEAD(ms) OVER (
                       PARTITION BY session, {resource}, action, granted ORDER BY ms
                   ) - ms AS gap
            FROM (
                SELECT {center}, {resource}, access_level, session, action, granted,
                       {_epoch_ms(occurred, connection.vendor)} AS ms
                {day_events} AND {resource} IS NOT NULL AND action IN ({item_actions})
            ) AS day_events
        )
        SELECT center_id, resource_id, access_level,
            SUM(CASE WHEN granted AND {kept} THEN 1 ELSE 0 END) AS tii,
            SUM(CASE WHEN granted AND action = {request} AND {kept} THEN 1 ELSE 0 END) AS tir,
            COUNT(DISTINCT CASE WHEN granted THEN session END) AS uii,
            COUNT(DISTINCT CASE WHEN granted AND action = {request} THEN session END) AS uir,
            SUM(CASE WHEN NOT granted AND {kept} THEN 1 ELSE 0 END) AS nl
        FROM clicks
        GROUP BY center_id, resource_id, access_level
    """  # noqa: S608
    count_platform = f"""
        CREATE TEMPORARY TABLE {PLATFORM} AS
        SELECT {center} AS center_id,
            SUM(CASE WHEN action = {int(Action.SEARCH)} THEN 1 ELSE 0 END) AS searches,
            COUNT(DISTINCT session) AS sessions,
            COUNT(*) AS events
        {day_events}
        GROUP BY {center}
    """  # noqa: S608

    # The resources are joined for the day's counted items only, not every click: for the
    # title metrics, and for the current level of events recorded without theirs.
    level = f"CASE WHEN c.access_level <> '' THEN c.access_level ELSE r.{qn('access_level')} END"
    publish_items = (
        f"INSERT INTO {items} ({qn('day')}, {center}, {resource}, access_level, metric, value) "
    )
    publish_items += " UNION ALL ".join(
        f"SELECT %s, c.center_id, c.resource_id, COALESCE({level}, ''), {int(metric)}, "  # noqa: S608
        f"c.{value} FROM {COUNTS} AS c "
        f"LEFT JOIN {resources} AS r ON r.{qn('id')} = c.resource_id "
        + (
            f"WHERE c.{value} > 0 AND r.{qn('type')} IN ({titles})"
            if titled
            else f"WHERE c.{value} > 0"
        )
        for metric, value, titled in (
            (Metric.TOTAL_ITEM_INVESTIGATIONS, "tii", False),
            (Metric.UNIQUE_ITEM_INVESTIGATIONS, "uii", False),
            (Metric.UNIQUE_TITLE_INVESTIGATIONS, "uii", True),
            (Metric.TOTAL_ITEM_REQUESTS, "tir", False),
            (Metric.UNIQUE_ITEM_REQUESTS, "uir", False),
            (Metric.UNIQUE_TITLE_REQUESTS, "uir", True),
            (Metric.NO_LICENSE, "nl", False),
        )
    )
    # The centers' rows: the item metrics summed over resources, then the platform's own.
    publish_centers = f"""
        INSERT INTO {centers} ({qn("day")}, {center}, metric, value)
        SELECT %s, {center}, metric, SUM(value) FROM {items}
        WHERE {qn("day")} = %s GROUP BY {center}, metric
        UNION ALL
        SELECT %s, center_id, {int(Metric.SEARCHES_REGULAR)}, searches FROM {PLATFORM}
        WHERE searches > 0
        UNION ALL
        SELECT %s, center_id, {int(Metric.SEARCHES_PLATFORM)}, searches FROM {PLATFORM}
        WHERE searches > 0
        UNION ALL
        SELECT %s, center_id, {int(Metric.SESSIONS)}, sessions FROM {PLATFORM}
    """  # noqa: S608
    drop: list[Statement] = [(f"DROP TABLE IF EXISTS {table}", []) for table in (COUNTS, PLATFORM)]
    return DaySQL(
        count=[*drop, (count_items, bounds), (count_platform, bounds)],
        publish=[(publish_items, [day_value] * 7), (publish_centers, [day_value] * 5)],
        drop=drop,
    )


def events_counted_sql() -> str:
    """The number of events the last ``count`` read (after it, before ``drop``)."""
    return f"SELECT COALESCE(SUM(events), 0) FROM {PLATFORM}"  # noqa: S608
