"""The partner works in the union search: one search document per work (the harvested records
sharing a ``work_key``; a record with an empty key is a work of its own), beside the Library's
resources in the search index.

Where the works live: in a second index of the configured search backend, next to the
resources' (Tantivy: the folder ``works/`` under ``LIBRANET_SEARCH_DIR``,
``search_tantivy.py``; PostgreSQL: the table ``catalogs_worksearchdocument``,
``search_postgres.py``). A work's document holds what is searched and counted (title,
creators, subjects, publisher, ISBNs, type, language, year; its holding libraries, their
regions and the sources, for the facets and filters) and the ids of its records. What a
result shows of its holdings (library, region, link, distance) is read from the database for
the page's hits only, so it is never staler than the records.

How they stay fresh: harvesting writes records with ``harvested_at`` set on every write; when
a ``HarvestRun`` is saved finished (succeeded or failed: what it wrote before failing counts
too), a ``post_save`` receiver queues ``catalog_works_apply`` once the run's transaction
commits, and each server's task worker looks for a finished harvest every poll
(``works_follow``): each index has its own ``WorkIndexMark``. Applying takes the records
harvested since the index's mark (less
``OVERLAP``, for a transaction that committed late: re-applying a work is harmless), and
rebuilds the works they belong to now and belonged to before (found in the index by record
id: a record whose key changed leaves its old work), then moves the mark to when it started.
A deleted record drops its library from its work; a work with no record left is removed.
``rebuild_search_index`` rebuilds the works too (``works_rebuild``); a missing index or mark
is rebuilt by the task instead of applied.
"""

import datetime
import logging
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import get_language

from libranet.network.models import Center
from libranet.network.selectors import distance_km
from libranet.resources.search.base import BackendQuery, IndexUnavailable, Progress
from libranet.resources.search.log import configured_index_name

from .models import CatalogRecord, HarvestRun, WorkIndexMark

logger = logging.getLogger(__name__)

OVERLAP = datetime.timedelta(minutes=5)
APPLY_BATCH = 500
REBUILD_BATCH = 2000
OWN_KEY = "record:"  # the key of a work of one record without a work key: "record:<pk>"


@dataclass
class WorkDocument:
    """What the index holds of one partner work."""

    key: str
    record_ids: list[int]
    title: str
    creators: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    publisher: str = ""
    isbns: list[str] = field(default_factory=list)
    type: str = "other"
    language: str = ""
    year: int | None = None
    libraries: list[str] = field(default_factory=list)  # Institution pks
    regions: list[str] = field(default_factory=list)  # Region (or Country) codes
    sources: list[str] = field(default_factory=list)  # CatalogSource pks

    @property
    def decade(self) -> int | None:
        return None if self.year is None else self.year // 10 * 10


@dataclass
class WorkHit:
    key: str
    score: float
    title_html: str
    type: str
    year: int | None
    language: str
    creators: list[str] = field(default_factory=list)


@dataclass
class WorkResult:
    total: int
    hits: list[WorkHit]
    # "type", "language", "decade", "library", "region", "source" -> value -> count
    facets: dict[str, dict[str, int]]


class WorksBackend(Protocol):
    name: str
    index_name: str  # whose mark it follows: the resources' index's name (log.py)

    def search(self, request: BackendQuery) -> WorkResult: ...

    def writing(self) -> AbstractContextManager[bool]: ...

    def writing_wait(self) -> AbstractContextManager[None]: ...

    def apply(self, *, upserts: list[WorkDocument], deletes: Iterable[str]) -> None: ...

    def keys_holding(self, record_ids: list[int]) -> set[str]:
        """The keys of the indexed works that hold any of these records."""
        ...

    def rebuild(self, documents: Iterator[WorkDocument], *, progress: Progress) -> int: ...

    def needs_rebuild(self) -> bool: ...


_backends: dict[tuple[str, str, str], WorksBackend] = {}


def works_backend() -> WorksBackend:
    """The works' index in the configured search backend (one per process and setting)."""
    name = getattr(settings, "LIBRANET_SEARCH_BACKEND", "tantivy")
    if name == "postgres":
        from .search_postgres import PostgresWorks

        key = (name, connection.alias, "")
        if key not in _backends:
            _backends[key] = PostgresWorks()
        return _backends[key]
    from .search_tantivy import TantivyWorks

    root = str(settings.LIBRANET_SEARCH_DIR)
    index_name = configured_index_name()
    if (name, root, index_name) not in _backends:
        _backends[(name, root, index_name)] = TantivyWorks(root, index_name=index_name)
    return _backends[(name, root, index_name)]


def work_key_of(record_id: int, work_key: str) -> str:
    return work_key or f"{OWN_KEY}{record_id}"


# -- where the holding libraries are --------------------------------------------------------


@dataclass(frozen=True)
class Location:
    region: str  # the region's (or, abroad, the country's) code
    region_name_ru: str
    region_name_en: str
    latitude: float | None
    longitude: float | None

    @property
    def region_name(self) -> str:
        english = (get_language() or "ru").startswith("en")
        return (self.region_name_en or self.region_name_ru) if english else self.region_name_ru


@dataclass(frozen=True)
class Holder:
    """A partner catalog with its holding library and where that library is."""

    source_name: str
    record_link: str
    library_id: int
    library_ru: str
    library_en: str
    location: Location | None

    @property
    def library(self) -> str:
        english = (get_language() or "ru").startswith("en")
        return (self.library_en or self.library_ru) if english else self.library_ru


class _Linked(NamedTuple):
    """What ``CatalogRecord.link`` reads (the identifier, the source's ``record_link``), without
    making model instances on the search's path."""

    identifier: str
    source: Holder


_link = CatalogRecord.link.fget  # type: ignore[attr-defined]

_HOLDERS_SQL = """
SELECT s.id, s.name, s.record_link, i.id, i.name_ru, i.name_en,
       c.kind, c.code, c.latitude, c.longitude,
       r.code, r.name_ru, r.name_en, k.code, k.name_ru, k.name_en
FROM catalogs_catalogsource s
JOIN network_institution i ON i.id = s.institution_id
LEFT JOIN network_center c ON c.institution_id = i.id
LEFT JOIN network_region r ON r.id = c.region_id
LEFT JOIN network_country k ON k.id = c.country_id
"""


def holders() -> dict[int, Holder]:
    """Every partner catalog (by pk) with its holding library, located by the library's centers
    in the registry: its regional center, else its first center with coordinates, else its
    first center (by code). One plain query (asked on every union search: partner catalogs are
    tens, their libraries' centers a few each)."""
    best: dict[int, tuple[tuple, Holder]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_HOLDERS_SQL)
        rows = cursor.fetchall()
    for (
        source_id,
        source_name,
        record_link,
        library_id,
        library_ru,
        library_en,
        kind,
        code,
        latitude,
        longitude,
        region,
        region_ru,
        region_en,
        country,
        country_ru,
        country_en,
    ) in rows:
        placed = latitude is not None and longitude is not None
        location = None
        if code is not None:
            location = Location(
                region=region or country or "",
                region_name_ru=region_ru or country_ru or "",
                region_name_en=region_en or country_en or "",
                latitude=float(latitude) if placed else None,
                longitude=float(longitude) if placed else None,
            )
        rank = (code is None, kind != Center.Kind.REGIONAL, not placed, code or "")
        holder = Holder(
            source_name, record_link, library_id, library_ru, library_en or "", location
        )
        if source_id not in best or rank < best[source_id][0]:
            best[source_id] = (rank, holder)
    return {pk: holder for pk, (_rank, holder) in best.items()}


# -- documents from the database ------------------------------------------------------------

RECORD_FIELDS = (
    "pk",
    "work_key",
    "title",
    "creators",
    "subjects",
    "publisher",
    "isbns",
    "type",
    "language",
    "year",
    "source_id",
    "source__institution_id",
)


def _strings(values) -> list[str]:
    return [str(v) for v in values or [] if str(v).strip()]


def _document(key: str, rows: list[dict], where: dict[int, Holder]) -> WorkDocument:
    """One work from its live records (by pk: the first harvested describes it)."""
    rows = sorted(rows, key=lambda row: row["pk"])
    first = rows[0]

    def first_of(name: str):
        return next((row[name] for row in rows if row[name]), None)

    libraries = list(dict.fromkeys(row["source__institution_id"] for row in rows))
    regions = [
        holder.location.region
        for row in rows
        if (holder := where.get(row["source_id"])) and holder.location and holder.location.region
    ]
    return WorkDocument(
        key=key,
        record_ids=[row["pk"] for row in rows],
        title=first["title"] or first_of("title") or "",
        creators=list(dict.fromkeys(c for row in rows for c in _strings(row["creators"]))),
        subjects=list(dict.fromkeys(s for row in rows for s in _strings(row["subjects"]))),
        publisher=first_of("publisher") or "",
        isbns=list(dict.fromkeys(n for row in rows for n in _strings(row["isbns"]))),
        type=first_of("type") or "other",
        language=first_of("language") or "",
        year=first_of("year"),
        libraries=[str(pk) for pk in libraries],
        regions=list(dict.fromkeys(regions)),
        sources=[str(pk) for pk in dict.fromkeys(row["source_id"] for row in rows)],
    )


def work_documents(
    keys: Iterable[str], where: dict[int, Holder] | None = None
) -> list[WorkDocument]:
    """The documents of these works as the records now stand; a key without live records
    has none (its document must go)."""
    keys = set(keys)
    own = [int(k[len(OWN_KEY) :]) for k in keys if k.startswith(OWN_KEY)]
    shared = [k for k in keys if not k.startswith(OWN_KEY)]
    live = CatalogRecord.objects.filter(deleted=False)
    rows = list(live.filter(work_key__in=shared).values(*RECORD_FIELDS)) if shared else []
    if own:
        rows += list(live.filter(pk__in=own, work_key="").values(*RECORD_FIELDS))
    return _documents(rows, where or holders())


def _documents(rows: list[dict], where: dict[int, Holder]) -> list[WorkDocument]:
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(work_key_of(row["pk"], row["work_key"]), []).append(row)
    return [_document(key, group, where) for key, group in groups.items()]


def all_work_documents(batch_size: int = REBUILD_BATCH) -> Iterator[WorkDocument]:
    """Every work, read by work key in batches (memory bounded by a batch and its works)."""
    live = CatalogRecord.objects.filter(deleted=False)
    where = holders()
    last = ""
    while True:
        keys = list(
            live.filter(work_key__gt=last)
            .order_by("work_key")
            .values_list("work_key", flat=True)
            .distinct()[:batch_size]
        )
        if not keys:
            break
        yield from _documents(list(live.filter(work_key__in=keys).values(*RECORD_FIELDS)), where)
        last = keys[-1]
    last_pk = 0
    while True:
        rows = list(
            live.filter(work_key="", pk__gt=last_pk)
            .order_by("pk")
            .values(*RECORD_FIELDS)[:batch_size]
        )
        if not rows:
            return
        yield from _documents(rows, where)
        last_pk = rows[-1]["pk"]


# -- following the harvests -----------------------------------------------------------------


def works_apply(batch_size: int = APPLY_BATCH) -> int | None:
    """Apply the records harvested since the mark to the works' index (see the module's
    docstring). Returns the works applied, or None when another process writes the index."""
    backend = works_backend()
    with backend.writing() as got:
        if not got:
            return None
        mark = WorkIndexMark.objects.filter(index_name=backend.index_name).first()
        if mark is None or backend.needs_rebuild():
            return _rebuild_locked(backend, None)
        return _apply_locked(backend, mark.indexed_until - OVERLAP, batch_size)


def _apply_locked(backend: WorksBackend, since: datetime.datetime, batch_size: int) -> int:
    started = timezone.now()
    where = holders()
    applied = 0
    last = 0
    while True:
        rows = list(
            CatalogRecord.objects.filter(harvested_at__gt=since, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "work_key")[:batch_size]
        )
        if not rows:
            break
        keys = {work_key_of(pk, key) for pk, key in rows}
        keys |= backend.keys_holding([pk for pk, _key in rows])
        documents = work_documents(keys, where)
        backend.apply(upserts=documents, deletes=keys)
        applied += len(keys)
        last = rows[-1][0]
    _mark(backend, started)
    return applied


def works_rebuild(progress: Progress | None = None) -> int:
    """Rebuild the works' index from the records; searches see the old works until the new
    ones are complete. Returns the works indexed."""
    backend = works_backend()
    with backend.writing_wait():
        return _rebuild_locked(backend, progress)


def _rebuild_locked(backend: WorksBackend, progress: Progress | None) -> int:
    started = timezone.now()
    done = backend.rebuild(all_work_documents(), progress=progress or (lambda d, t: None))
    _mark(backend, started)
    return done


def _mark(backend: WorksBackend, moment: datetime.datetime) -> None:
    WorkIndexMark.objects.update_or_create(
        index_name=backend.index_name, defaults={"indexed_until": moment}
    )


def works_follow() -> int | None:
    """What the task worker calls every poll (``LIBRANET_SERVER_DUTIES``): this server's
    works follow the harvests without a task of their own (the task a finished harvest queues
    runs on one server only). Applies when a harvest finished since the mark, or the index or
    its mark is missing; else one small query."""
    backend = works_backend()
    mark = WorkIndexMark.objects.filter(index_name=backend.index_name).first()
    if (
        mark is not None
        and not HarvestRun.objects.filter(finished_at__gt=mark.indexed_until).exists()
        and not backend.needs_rebuild()
    ):
        return 0
    return works_apply()


def works_mark_forget(*, index_name: str) -> bool:
    """Drop a retired server's works mark; whether there was one."""
    deleted, _by_model = WorkIndexMark.objects.filter(index_name=index_name).delete()
    return bool(deleted)


@dataclass(frozen=True)
class WorksLag:
    """How far one index's partner works are behind the harvested records."""

    name: str
    indexed_until: datetime.datetime
    behind: int  # records harvested since
    seconds_behind: float  # since the first of them was harvested (0 when none)

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "indexed_until": self.indexed_until.isoformat(),
            "behind": self.behind,
            "seconds_behind": round(self.seconds_behind, 1),
        }


def works_lag(*, now: datetime.datetime | None = None) -> list[WorksLag]:
    """Every index's partner works, with the records harvested since its mark (a count over
    the records: for the command and the staff page, not for /healthz)."""
    now = now or timezone.now()
    found = []
    for mark in WorkIndexMark.objects.order_by("index_name"):
        waiting = CatalogRecord.objects.filter(harvested_at__gt=mark.indexed_until)
        stats = waiting.aggregate(n=Count("pk"), oldest=Min("harvested_at"))
        oldest = stats["oldest"]
        found.append(
            WorksLag(
                name=mark.index_name,
                indexed_until=mark.indexed_until,
                behind=stats["n"],
                seconds_behind=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
            )
        )
    return found


def works_search(request: BackendQuery) -> WorkResult:
    """The partner works matching ``request``; an index that is missing answers empty and is
    rebuilt (queued)."""
    backend = works_backend()
    try:
        return backend.search(request)
    except IndexUnavailable:
        from libranet.resources.search.changes import enqueue_once

        from .tasks import catalog_works_apply

        logger.warning("The partner works' index is missing; rebuilding it.")
        try:
            enqueue_once(catalog_works_apply)
        except Exception:  # the queue failing must not fail the search
            logger.exception("Could not queue the partner works' index")
        return WorkResult(total=0, hits=[], facets={})


# -- what a result shows of its holdings ----------------------------------------------------


@dataclass(frozen=True)
class Holding:
    library_id: int
    library: str  # in the active language
    region: str  # code
    region_name: str
    source: str
    link: str  # the record's page in the partner's catalog, or ""
    km: float | None  # from the visitor's center, when both are known


def holdings(
    keys: Iterable[str], center: Center | None = None, where: dict[int, Holder] | None = None
) -> dict[str, list[Holding]]:
    """Each work's holdings, one per library (its first live record's link), nearest first
    when the visitor is in a center with coordinates, else by library name. ``where``: the
    ``holders()`` already read in this request."""
    keys = set(keys)
    own = [int(k[len(OWN_KEY) :]) for k in keys if k.startswith(OWN_KEY)]
    shared = [k for k in keys if not k.startswith(OWN_KEY)]
    fields = ("pk", "work_key", "identifier", "source_id")
    live = CatalogRecord.objects.filter(deleted=False).order_by("pk")
    found = list(live.filter(work_key__in=shared).values_list(*fields)) if shared else []
    if own:
        found += list(live.filter(pk__in=own, work_key="").values_list(*fields))
    where = where if where is not None else holders()
    here = None
    if center is not None and center.latitude is not None and center.longitude is not None:
        here = (float(center.latitude), float(center.longitude))
    result: dict[str, dict[int, Holding]] = {}
    for pk, key, identifier, source_id in sorted(found):
        holder = where[source_id]
        by_library = result.setdefault(work_key_of(pk, key), {})
        if holder.library_id in by_library:
            continue
        location = holder.location
        km = None
        if here and location and location.latitude is not None:
            km = distance_km(*here, location.latitude, location.longitude or 0.0)
        by_library[holder.library_id] = Holding(
            library_id=holder.library_id,
            library=holder.library,
            region=location.region if location else "",
            region_name=location.region_name if location else "",
            source=holder.source_name,
            link=_link(_Linked(identifier, holder)),
            km=km,
        )
    return {
        key: sorted(
            by_library.values(),
            key=lambda h: (h.km is None, h.km or 0.0, h.library.casefold()),
        )
        for key, by_library in result.items()
    }


def facet_labels(where: dict[int, Holder] | None = None) -> dict[str, dict[str, str]]:
    """Names, in the active language, of the partner facets' values: holding libraries
    (Institution pks), regions (Region or Country codes) and partner catalogs (their pks)."""
    labels: dict[str, dict[str, str]] = {"library": {}, "region": {}, "source": {}}
    for pk, holder in (where if where is not None else holders()).items():
        labels["source"][str(pk)] = holder.source_name
        labels["library"][str(holder.library_id)] = holder.library
        if holder.location and holder.location.region:
            labels["region"][holder.location.region] = holder.location.region_name
    return labels
