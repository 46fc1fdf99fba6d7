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
commits. The task takes the records harvested since the backend's ``WorkIndexMark`` (less
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
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language

from libranet.network.models import Center
from libranet.network.selectors import distance_km
from libranet.resources.search.base import BackendQuery, IndexUnavailable, Progress

from .models import CatalogRecord, WorkIndexMark

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

    def search(self, request: BackendQuery) -> WorkResult: ...

    def writing(self) -> AbstractContextManager[bool]: ...

    def writing_wait(self) -> AbstractContextManager[None]: ...

    def apply(self, *, upserts: list[WorkDocument], deletes: Iterable[str]) -> None: ...

    def keys_holding(self, record_ids: list[int]) -> set[str]:
        """The keys of the indexed works that hold any of these records."""
        ...

    def rebuild(self, documents: Iterator[WorkDocument], *, progress: Progress) -> int: ...

    def needs_rebuild(self) -> bool: ...


_backends: dict[tuple[str, str], WorksBackend] = {}


def works_backend() -> WorksBackend:
    """The works' index in the configured search backend (one per process and setting)."""
    name = getattr(settings, "LIBRANET_SEARCH_BACKEND", "tantivy")
    if name == "postgres":
        from .search_postgres import PostgresWorks

        key = (name, connection.alias)
        if key not in _backends:
            _backends[key] = PostgresWorks()
        return _backends[key]
    from .search_tantivy import TantivyWorks

    root = str(settings.LIBRANET_SEARCH_DIR)
    if (name, root) not in _backends:
        _backends[(name, root)] = TantivyWorks(root)
    return _backends[(name, root)]


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


def locations(institution_ids: Iterable[int]) -> dict[int, Location]:
    """Where each institution is, from its centers in the registry: its regional center, else
    its first center with coordinates, else its first center (by code)."""
    best: dict[int, tuple[tuple, Location]] = {}
    centers = Center.objects.filter(institution_id__in=set(institution_ids)).select_related(
        "region", "country"
    )
    for center in centers:
        area = center.region or center.country
        has_place = center.latitude is not None and center.longitude is not None
        rank = (center.kind != Center.Kind.REGIONAL, not has_place, center.code)
        location = Location(
            region=area.code if area else "",
            region_name_ru=area.name_ru if area else "",
            region_name_en=area.name_en if area else "",
            latitude=float(center.latitude) if has_place else None,
            longitude=float(center.longitude) if has_place else None,
        )
        current = best.get(center.institution_id)
        if current is None or rank < current[0]:
            best[center.institution_id] = (rank, location)
    return {pk: location for pk, (_rank, location) in best.items()}


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


def _document(key: str, rows: list[dict], where: dict[int, Location]) -> WorkDocument:
    """One work from its live records (by pk: the first harvested describes it)."""
    rows = sorted(rows, key=lambda row: row["pk"])
    first = rows[0]

    def first_of(name: str):
        return next((row[name] for row in rows if row[name]), None)

    libraries = list(dict.fromkeys(row["source__institution_id"] for row in rows))
    regions = [where[pk].region for pk in libraries if pk in where and where[pk].region]
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


def work_documents(keys: Iterable[str]) -> list[WorkDocument]:
    """The documents of these works as the records now stand; a key without live records
    has none (its document must go)."""
    keys = set(keys)
    own = [int(k[len(OWN_KEY) :]) for k in keys if k.startswith(OWN_KEY)]
    shared = [k for k in keys if not k.startswith(OWN_KEY)]
    live = CatalogRecord.objects.filter(deleted=False)
    rows = list(live.filter(work_key__in=shared).values(*RECORD_FIELDS)) if shared else []
    if own:
        rows += list(live.filter(pk__in=own, work_key="").values(*RECORD_FIELDS))
    return _documents(rows)


def _documents(rows: list[dict]) -> list[WorkDocument]:
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(work_key_of(row["pk"], row["work_key"]), []).append(row)
    where = locations(row["source__institution_id"] for row in rows)
    return [_document(key, group, where) for key, group in groups.items()]


def all_work_documents(batch_size: int = REBUILD_BATCH) -> Iterator[WorkDocument]:
    """Every work, read by work key in batches (memory bounded by a batch and its works)."""
    live = CatalogRecord.objects.filter(deleted=False)
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
        yield from _documents(list(live.filter(work_key__in=keys).values(*RECORD_FIELDS)))
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
        yield from _documents(rows)
        last_pk = rows[-1]["pk"]


# -- following the harvests -----------------------------------------------------------------


def works_apply(batch_size: int = APPLY_BATCH) -> int | None:
    """Apply the records harvested since the mark to the works' index (see the module's
    docstring). Returns the works applied, or None when another process writes the index."""
    backend = works_backend()
    with backend.writing() as got:
        if not got:
            return None
        mark = WorkIndexMark.objects.filter(backend=backend.name).first()
        if mark is None or backend.needs_rebuild():
            return _rebuild_locked(backend, None)
        return _apply_locked(backend, mark.indexed_until - OVERLAP, batch_size)


def _apply_locked(backend: WorksBackend, since: datetime.datetime, batch_size: int) -> int:
    started = timezone.now()
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
        documents = work_documents(keys)
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
    WorkIndexMark.objects.update_or_create(backend=backend.name, defaults={"indexed_until": moment})


def works_search(request: BackendQuery) -> WorkResult:
    """The partner works matching ``request``; an index that is missing answers empty and is
    rebuilt (queued)."""
    backend = works_backend()
    try:
        return backend.search(request)
    except IndexUnavailable:
        from .tasks import catalog_works_apply

        logger.warning("The partner works' index is missing; rebuilding it.")
        try:
            catalog_works_apply.enqueue()
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


def holdings(keys: Iterable[str], center: Center | None = None) -> dict[str, list[Holding]]:
    """Each work's holdings, one per library (its first live record's link), nearest first
    when the visitor is in a center with coordinates, else by library name."""
    keys = set(keys)
    own = [int(k[len(OWN_KEY) :]) for k in keys if k.startswith(OWN_KEY)]
    shared = [k for k in keys if not k.startswith(OWN_KEY)]
    records = CatalogRecord.objects.filter(deleted=False).select_related("source__institution")
    found = list(records.filter(work_key__in=shared)) if shared else []
    if own:
        found += list(records.filter(pk__in=own, work_key=""))
    where = locations(r.source.institution_id for r in found)
    here = None
    if center is not None and center.latitude is not None and center.longitude is not None:
        here = (float(center.latitude), float(center.longitude))
    english = (get_language() or "ru").startswith("en")
    result: dict[str, dict[int, Holding]] = {}
    for record in sorted(found, key=lambda r: r.pk):
        institution = record.source.institution
        by_library = result.setdefault(work_key_of(record.pk, record.work_key), {})
        if institution.pk in by_library:
            continue
        location = where.get(institution.pk)
        km = None
        if here and location and location.latitude is not None:
            km = distance_km(*here, location.latitude, location.longitude or 0.0)
        by_library[institution.pk] = Holding(
            library_id=institution.pk,
            library=(institution.name_en or institution.name_ru)
            if english
            else institution.name_ru,
            region=location.region if location else "",
            region_name=location.region_name if location else "",
            source=record.source.name,
            link=record.link,
            km=km,
        )
    return {
        key: sorted(
            by_library.values(),
            key=lambda h: (h.km is None, h.km or 0.0, h.library.casefold()),
        )
        for key, by_library in result.items()
    }


def facet_labels(values: dict[str, set[str]]) -> dict[str, dict[str, str]]:
    """Names, in the active language, of the partner facets' values: holding libraries
    (Institution pks), regions (Region or Country codes) and sources (CatalogSource pks)."""
    from libranet.network.models import Country, Institution, Region

    from .models import CatalogSource

    english = (get_language() or "ru").startswith("en")

    def name(row) -> str:
        return (row.name_en or row.name_ru) if english else row.name_ru

    def pks(facet: str) -> list[int]:
        return [int(v) for v in values.get(facet, ()) if v.isdigit()]

    codes = values.get("region", set())
    regions = {r.code: name(r) for r in Region.objects.filter(code__in=codes)}
    regions |= {c.code: name(c) for c in Country.objects.filter(code__in=codes)}
    return {
        "library": {str(i.pk): name(i) for i in Institution.objects.filter(pk__in=pks("library"))},
        "region": regions,
        "source": {str(s.pk): s.name for s in CatalogSource.objects.filter(pk__in=pks("source"))},
    }
