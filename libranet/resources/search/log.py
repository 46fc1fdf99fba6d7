"""The search index's change log and the cursors that follow it.

Every service that changes a resource writes a ``SearchIndexChange`` row in its own
transaction. Each index follows the rows with its own ``SearchIndexCursor``: every Tantivy
index (one per application server, named by ``LIBRANET_SEARCH_INDEX_NAME``) and the one shared
PostgreSQL table. Applying reads the rows after the cursor, updates that index and moves the
cursor on; a row is pruned once every index seen within ``LIBRANET_SEARCH_INDEX_SILENT_SECONDS``
has passed it. An index silent longer does not hold the log back: when the log is pruned past
it, it is marked to be rebuilt, and it rebuilds when it comes back.

On PostgreSQL, row ids are handed out before their transactions commit, so a row with a lower
id may become visible after a higher one: a cursor moved by id alone would pass it for ever.
Each row carries its transaction's id; the log is read in (transaction id, id) order and only
up to the oldest transaction still open (``pg_snapshot_xmin``), which no later commit can pass.
Rows committed beyond that open transaction are applied at once too, without moving the
cursor (``ahead_transactions``): a long import does not hold back the others' changes.
"""

import datetime
import os
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from libranet.resources.models import SearchIndexChange, SearchIndexCursor

NEVER = 2**63 - 1  # past every transaction id: on SQLite every row is settled


def configured_index_name() -> str:
    """This server's Tantivy index's name: ``LIBRANET_SEARCH_INDEX_NAME``, else its host name
    and index folder (unique per server, stable across restarts)."""
    name = getattr(settings, "LIBRANET_SEARCH_INDEX_NAME", "")
    if name:
        return name[:255]
    folder = os.path.abspath(settings.LIBRANET_SEARCH_DIR)
    return f"{socket.gethostname()}:{folder}"[-255:]


def silent_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.LIBRANET_SEARCH_INDEX_SILENT_SECONDS)


def after(cursor: SearchIndexCursor) -> Q:
    """The rows past the cursor, in the log's order."""
    return Q(transaction_id__gt=cursor.transaction_id) | Q(
        transaction_id=cursor.transaction_id, id__gt=cursor.change_id
    )


def horizon() -> tuple[int, int | None]:
    """The oldest transaction still open (no later commit can come before it) and this one's
    id if it has one (a test's transaction, which sees its own rows). SQLite: every row."""
    if connection.vendor != "postgresql":
        return NEVER, None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, "
            "pg_current_xact_id_if_assigned()::text::bigint"
        )
        oldest_open, own = cursor.fetchone()
    return int(oldest_open), own


def settled(oldest_open: int, own: int | None) -> Q:
    """The rows written by transactions older than every transaction still open (or by this
    one): the log's order among them is final."""
    found = Q(transaction_id__lt=oldest_open)
    return found | Q(transaction_id=own) if own is not None else found


def cursor_for(*, index_name: str, backend: str) -> SearchIndexCursor:
    """The index's cursor; a new index starts at the beginning of the log."""
    cursor, _created = SearchIndexCursor.objects.get_or_create(
        index_name=index_name, defaults={"backend": backend, "seen_at": timezone.now()}
    )
    return cursor


def cursor_seen(cursor: SearchIndexCursor, *, applied: bool) -> None:
    """Record that the index was brought up to date now (its heartbeat): written when it
    applied something, else at most every worker heartbeat (a poll that finds nothing new
    writes nothing)."""
    now = timezone.now()
    beat = datetime.timedelta(seconds=settings.LIBRANET_WORKER_HEARTBEAT_SECONDS)
    if not applied and now - cursor.seen_at < beat:
        return
    cursor.seen_at = now
    if applied:
        cursor.applied_at = now
    cursor.save(
        update_fields=["transaction_id", "change_id", "ahead_transactions", "applied_at", "seen_at"]
    )


def cursor_to_head(cursor: SearchIndexCursor) -> None:
    """Put the cursor at the end of the settled log before a rebuild, which reads everything
    committed by then; what is past it is applied after. Saved with the index seen now, so the
    log is kept from there while the rebuild runs; ``rebuild_due`` stays until it is done (a
    rebuild that fails is tried again)."""
    done = settled(*horizon())
    last = (
        SearchIndexChange.objects.filter(done)
        .order_by("-transaction_id", "-id")
        .values_list("transaction_id", "id")
        .first()
    )
    if last is not None:
        cursor.transaction_id, cursor.change_id = last
    # Committed past an open transaction: the rebuild reads them too.
    visible = (
        SearchIndexChange.objects.filter(~done).order_by().values_list("transaction_id", flat=True)
    )
    cursor.ahead_transactions = sorted(set(visible.distinct()))
    cursor.seen_at = timezone.now()
    cursor.save(update_fields=["transaction_id", "change_id", "ahead_transactions", "seen_at"])


def changes_next(cursor: SearchIndexCursor, batch_size: int) -> list[int]:
    """The next batch of changed resources for this index. Settled rows move the cursor;
    rows committed past a transaction still open are taken whole transactions at a time (all
    of a transaction's rows become visible at once) and noted in ``ahead_transactions``. The
    cursor is changed here; the caller saves it once the batch is applied."""
    oldest_open, own = horizon()
    done = settled(oldest_open, own)
    rows = list(
        SearchIndexChange.objects.filter(done & after(cursor))
        .order_by("transaction_id", "id")
        .values_list("transaction_id", "id", "resource_id")[:batch_size]
    )
    # Transactions settled since they were applied ahead leave the list (the cursor passes
    # them in order, applying them once more).
    ahead = [x for x in cursor.ahead_transactions if x >= oldest_open and x != own]
    if rows:
        cursor.transaction_id, cursor.change_id = rows[-1][0], rows[-1][1]
        cursor.ahead_transactions = ahead
        return [row[2] for row in rows]
    later = SearchIndexChange.objects.filter(~done).exclude(transaction_id__in=ahead)
    transactions = list(
        later.order_by("transaction_id").values_list("transaction_id", flat=True).distinct()[:10]
    )
    cursor.ahead_transactions = sorted(ahead + transactions)
    return list(later.filter(transaction_id__in=transactions).values_list("resource_id", flat=True))


def changes_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the rows every index seen recently has passed; an index silent longer that the
    pruning passes is marked to be rebuilt. Returns the rows deleted."""
    now = now or timezone.now()
    cutoff = now - silent_after()
    with transaction.atomic():
        cursors = list(SearchIndexCursor.objects.select_for_update().order_by("pk"))
        recent = [c for c in cursors if c.seen_at >= cutoff]
        if not recent:
            return 0
        slowest = min(recent, key=lambda c: (c.transaction_id, c.change_id))
        passed = ~after(slowest)
        for silent in cursors:
            if silent.seen_at >= cutoff or silent.rebuild_due:
                continue
            if SearchIndexChange.objects.filter(passed & after(silent)).exists():
                silent.rebuild_due = True
                silent.save(update_fields=["rebuild_due"])
        deleted, _by_model = SearchIndexChange.objects.filter(passed).delete()
        return deleted


def cursor_forget(*, index_name: str) -> bool:
    """Drop a retired server's cursor (it no longer shows, nor waits to rebuild); whether
    there was one. Should that server come back, it starts over as a new index."""
    deleted, _by_model = SearchIndexCursor.objects.filter(index_name=index_name).delete()
    return bool(deleted)


@dataclass(frozen=True)
class IndexLag:
    """How far one index is behind the change log (``manage.py search_index_status``, the
    task worker's page, /healthz)."""

    name: str
    backend: str
    position: int  # the last change applied (the log's row id)
    behind: int  # changes not applied yet
    seconds_behind: float  # since the oldest of them was recorded (0 when none)
    applied_at: datetime.datetime | None
    seen_at: datetime.datetime
    silent: bool  # not seen within LIBRANET_SEARCH_INDEX_SILENT_SECONDS: left out of pruning
    rebuild_due: bool  # the log was pruned past it: it rebuilds when its worker comes back

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "backend": self.backend,
            "position": self.position,
            "behind": self.behind,
            "seconds_behind": round(self.seconds_behind, 1),
            "last_seen": self.seen_at.isoformat(),
            "silent": self.silent,
            "rebuild_due": self.rebuild_due,
        }


def index_lag(*, now: datetime.datetime | None = None) -> list[IndexLag]:
    """Every index following the log, with the changes it has still to apply."""
    now = now or timezone.now()
    cutoff = now - silent_after()
    found = []
    for cursor in SearchIndexCursor.objects.all():
        waiting = SearchIndexChange.objects.filter(after(cursor)).exclude(
            transaction_id__in=cursor.ahead_transactions
        )
        stats = waiting.aggregate(oldest=Min("recorded_at"), behind=Count("id"))
        behind, oldest = stats["behind"], stats["oldest"]
        found.append(
            IndexLag(
                name=cursor.index_name,
                backend=cursor.backend,
                position=cursor.change_id,
                behind=behind,
                seconds_behind=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
                applied_at=cursor.applied_at,
                seen_at=cursor.seen_at,
                silent=cursor.seen_at < cutoff,
                rebuild_due=cursor.rebuild_due,
            )
        )
    return found
