"""The one search interface: ``search`` for the pages and the API, ``index_apply_changes`` for
the task that follows the outbox, ``index_rebuild`` for the command. The backend is chosen by
``LIBRANET_SEARCH_BACKEND`` (``tantivy``, the default, or ``postgres``); both answer alike."""

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from libranet.network.places import Place
from libranet.resources.access import readable_levels
from libranet.resources.languages import language_name
from libranet.resources.models import AccessLevel, Collection, Resource, SearchIndexCursor

from .base import (
    FACETS,
    PARTNER_FACETS,
    SCOPES,
    SORTS,
    BackendQuery,
    BackendResult,
    FacetValue,
    IndexUnavailable,
    Progress,
    SearchBackend,
    SearchError,
    SearchFilters,
    SearchHit,
    SearchResults,
)
from .changes import enqueue_rebuild
from .documents import documents_for, live_documents
from .log import (
    changes_next,
    changes_prune,
    configured_index_name,
    cursor_for,
    cursor_seen,
    cursor_to_head,
)
from .query import parse
from .tantivy_backend import TantivyBackend

logger = logging.getLogger(__name__)

MAX_WINDOW = 10_000  # results one can page through; past it, refine the search
APPLY_BATCH = 500
REBUILD_BATCH = 200

_backends: dict[tuple[str, str, str], SearchBackend] = {}


def get_backend() -> SearchBackend:
    """The configured backend (one per process and setting)."""
    name = getattr(settings, "LIBRANET_SEARCH_BACKEND", "tantivy")
    if name == "tantivy":
        root = str(Path(settings.LIBRANET_SEARCH_DIR))
        index_name = configured_index_name()
        key = (name, root, index_name)
        if key not in _backends:
            _backends[key] = TantivyBackend(Path(root), index_name=index_name)
        return _backends[key]
    if name == "postgres":
        if connection.vendor != "postgresql":
            raise ImproperlyConfigured(
                "LIBRANET_SEARCH_BACKEND=postgres needs PostgreSQL as the database "
                f"(DATABASE_URL); this one is {connection.vendor}. Use the tantivy backend."
            )
        from .postgres_backend import PostgresBackend

        key = (name, connection.alias, "")
        if key not in _backends:
            _backends[key] = PostgresBackend()
        return _backends[key]
    raise ImproperlyConfigured(
        f"LIBRANET_SEARCH_BACKEND is {name!r}; it must be 'tantivy' or 'postgres'."
    )


def visible_levels(readable: frozenset[str]) -> frozenset[str]:
    """What a person finds in search: the description of every resource but staff-only ones
    is public; staff-only ones only for those who may read them (the staff)."""
    public = frozenset(AccessLevel.values) - {AccessLevel.STAFF}
    return public | (readable & {AccessLevel.STAFF})


def search(
    *,
    query: str = "",
    user: Any,
    place: Place,
    filters: SearchFilters | None = None,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = 20,
    offset: int | None = None,
    facets: bool = True,
    scope: str = "library",
) -> SearchResults:
    """Search the catalogue as ``user`` at ``place``. The query text never raises (what cannot
    be used is dropped, with a note in ``messages``); filters, sort and paging that do not
    exist raise ``SearchError``. ``offset`` (for the API's limit/offset) overrides ``page``;
    ``facets=False`` skips the facet counts (and ``readable_here_count``).

    ``scope``: the Library's resources (``library``), the works of partner catalogs
    (``partners``, ``libranet.catalogs.union``), or both in one ranked list (``all``). The
    collection, access level and "readable here" filters keep to the Library's resources (a
    partner work has none of them); the library, region and source filters to partner works."""
    filters = filters or SearchFilters()
    _validate(filters, sort, page, page_size, offset)
    if scope not in SCOPES:
        raise SearchError(
            _("Search “library”, “partners” or “all”, not “{value}”.").format(value=scope[:20]),
            "scope",
        )
    with_resources = scope in ("library", "all") and not filters.partners_only
    with_works = scope in ("partners", "all") and not filters.library_only
    merged = with_resources and with_works
    parsed = parse(query)
    readable = readable_levels(user, place)
    levels = set(visible_levels(readable))
    if filters.access_levels:
        levels &= set(filters.access_levels)
    if filters.readable_here:
        levels &= readable
    start = offset if offset is not None else (page - 1) * page_size
    messages = list(parsed.notes)
    limit = max(0, min(page_size, MAX_WINDOW - start))
    if not limit:
        messages.append(
            _("Only the first {count} results can be paged through; narrow the search.").format(
                count=MAX_WINDOW
            )
        )
    language = "en" if (get_language() or "ru").startswith("en") else "ru"
    request = BackendQuery(
        parsed=parsed,
        filters=filters,
        levels=frozenset(levels),
        quotable=readable,
        sort=sort,
        # Merged, each side gives its best up to this page's end; the merge keeps the page.
        offset=0 if merged else start,
        limit=start + limit if merged and limit else limit,
        with_facets=facets,
        language=language,
    )
    backend = get_backend()
    result = (
        _run(backend, request, messages)
        if with_resources
        else BackendResult(total=0, hits=[], facets={})
    )
    resources_total = result.total
    hits = [
        SearchHit(
            id=hit.id,
            identifier=hit.identifier,
            score=hit.score,
            title=_safe(hit.title_html),
            snippet=_safe(hit.snippet_html),
            type=hit.type,
            access_level=hit.access_level,
            readable_here=hit.access_level in readable,
        )
        for hit in result.hits
    ]
    counts = result.facets
    total = result.total
    partner_names: dict[str, dict[str, str]] = {}
    if with_works:
        from libranet.catalogs import union

        holders = union.holders()  # the partner catalogs and their libraries, read once
        works = union.works_search(request)
        total += works.total
        hits = _with_works(hits, works.hits, request, merged)
        if merged:
            hits = hits[start : start + limit]
        keys = [hit.identifier for hit in hits if hit.is_partner]
        if keys:
            held = union.holdings(keys, place.center, holders)
            hits = [
                replace(hit, holdings=tuple(held.get(hit.identifier, ())))
                if hit.is_partner
                else hit
                for hit in hits
            ]
        counts = _add_counts(result.facets, works.facets)
        if facets:
            partner_names = union.facet_labels(holders)
    facet_values: dict[str, list[FacetValue]] = {}
    readable_count = None
    if facets:
        facet_values = _facets(counts, filters, partner_names)
        if with_resources:
            by_level = result.facets.get("access_level", {})
            readable_count = sum(n for level, n in by_level.items() if level in readable)
            facet_values["readable_here"] = [
                FacetValue("1", _("readable here"), readable_count, filters.readable_here),
                FacetValue("0", _("not readable here"), resources_total - readable_count),
            ]
    return SearchResults(
        query=parsed.text,
        total=total,
        page=page if offset is None else start // page_size + 1,
        page_size=page_size,
        offset=start,
        hits=hits,
        facets=facet_values,
        readable_here_count=readable_count,
        sort=sort,
        messages=messages + result.messages,
        backend=backend.name,
        facets_approximate=result.facets_approximate,
        scope=scope,
    )


def _work_hit(hit: Any) -> SearchHit:
    return SearchHit(
        id=0,
        identifier=hit.key,
        score=hit.score,
        title=_safe(hit.title_html),
        snippet=_safe(""),
        type=hit.type,
        access_level="",
        readable_here=False,
        kind="partner_work",
        year=hit.year,
        language=hit.language,
        creators=tuple(hit.creators),
    )


def _with_works(
    hits: list[SearchHit], work_hits: list[Any], request: BackendQuery, merged: bool
) -> list[SearchHit]:
    """The resources' and the works' hits in one order: by relevance when words rank them
    (both indexes score alike: the same analyzer, fields weighted alike), else by year."""
    works = [_work_hit(hit) for hit in work_hits]
    if not merged:
        return works
    parsed = request.parsed
    if request.sort == "relevance" and (parsed.clauses or parsed.identifier):
        return sorted(hits + works, key=lambda hit: -hit.score)
    years = dict(
        Resource.objects.filter(pk__in=[hit.id for hit in hits]).values_list("pk", "year_from")
    )

    def year(hit: SearchHit) -> int | None:
        return hit.year if hit.is_partner else years.get(hit.id)

    ascending = request.sort == "date_asc"
    dated = [hit for hit in hits + works if year(hit) is not None]
    undated = [hit for hit in hits + works if year(hit) is None]
    return sorted(dated, key=lambda hit: year(hit) or 0, reverse=not ascending) + undated


def _add_counts(*sides: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Facet counts of the resources and of the works together (type, decade and language
    are common to both; the others belong to one side)."""
    found: dict[str, dict[str, int]] = {}
    for side in sides:
        for facet, values in side.items():
            into = found.setdefault(facet, {})
            for value, count in values.items():
                into[value] = into.get(value, 0) + count
    return found


def _run(backend: SearchBackend, request: BackendQuery, messages: list[str]) -> BackendResult:
    """The backend's answer; an index that is missing or unreadable is rebuilt (queued; the
    immediate task backend of tests rebuilds at once) and meanwhile answers empty."""
    for attempt in range(2):
        try:
            return backend.search(request)
        except IndexUnavailable:
            if attempt == 0:
                logger.warning("The search index is missing or unreadable; rebuilding it.")
                try:
                    enqueue_rebuild()
                except Exception:  # the queue failing must not fail the search
                    logger.exception("Could not queue the search index's rebuild")
        except (ValueError, OSError):
            # The index answered the simplest query, so this one is ours: say so, no 500.
            logger.exception("Search failed for %r", request.parsed.text)
            messages.append(_("This search could not be run; try other words."))
            return BackendResult(total=0, hits=[], facets={})
    messages.append(_("The search index is being rebuilt; results will be back in a few minutes."))
    return BackendResult(total=0, hits=[], facets={})


def _validate(
    filters: SearchFilters, sort: str, page: int, page_size: int, offset: int | None
) -> None:
    if sort not in SORTS:
        raise SearchError(
            _("Sort by “relevance”, “date” or “date_asc”, not “{value}”.").format(value=sort[:20]),
            "sort",
        )
    maximum = getattr(settings, "LIBRANET_API_PAGE_MAX", 500)
    if not 1 <= page_size <= maximum:
        raise SearchError(
            _("A page holds 1 to {maximum} results.").format(maximum=maximum), "page_size"
        )
    if page < 1:
        raise SearchError(_("Pages are numbered from 1."), "page")
    if offset is not None and offset < 0:
        raise SearchError(_("The offset cannot be negative."), "offset")
    unknown = [t for t in filters.types if t not in Resource.Type.values]
    if unknown:
        raise SearchError(
            _("There is no resource type “{value}”.").format(value=unknown[0][:40]), "type"
        )
    unknown = [level for level in filters.access_levels if level not in AccessLevel.values]
    if unknown:
        raise SearchError(
            _("There is no access level “{value}”.").format(value=unknown[0][:40]),
            "access_level",
        )
    for decade in filters.decades:
        if decade % 10 or not -5000 <= decade <= 3000:
            raise SearchError(
                _("“{value}” is not a decade; give its first year, such as 1990.").format(
                    value=decade
                ),
                "decade",
            )
    if any(len(code) > 64 for code in filters.collections):
        raise SearchError(_("There is no such collection."), "collection")
    if any(len(language) > 8 for language in filters.languages):
        raise SearchError(_("There is no such language."), "language")


def _safe(html: str):
    from django.utils.safestring import mark_safe

    return mark_safe(html)  # noqa: S308 (the backends escape the text and add only <mark>)


def _facets(
    counts: dict[str, dict[str, int]],
    filters: SearchFilters,
    partner_names: dict[str, dict[str, str]] | None = None,
) -> dict[str, list[FacetValue]]:
    """Facet values with labels in the active language, most frequent first (decades in
    order); a selected value is listed even when no result has it, so it can be unselected."""
    english = (get_language() or "ru").startswith("en")
    collection_names = _collection_names(
        set(counts.get("collection", {})) | set(filters.collections), english
    )
    types = {value: str(label) for value, label in Resource.Type.choices}
    levels = {value: str(label) for value, label in AccessLevel.choices}
    decade = _("{decade}s")
    labels: dict[str, Callable[[str], str]] = {
        "type": lambda v: types.get(v, v),
        "collection": lambda v: collection_names.get(v, v),
        "decade": lambda v: decade.format(decade=v),
        "language": language_name,
        "access_level": lambda v: levels.get(v, v),
    }
    if partner_names:  # the union search's (libranet.catalogs.union.facet_labels)
        for facet in PARTNER_FACETS:
            labels[facet] = _named(partner_names[facet])
    found: dict[str, list[FacetValue]] = {}
    for facet in FACETS + PARTNER_FACETS:
        if facet not in labels:
            continue
        values = dict(counts.get(facet, {}))
        selected = filters.selected(facet)
        for value in selected:
            values.setdefault(value, 0)
        items = [
            FacetValue(value, labels[facet](value), count, value in selected)
            for value, count in values.items()
        ]
        if facet == "decade":
            items.sort(key=lambda item: int(item.value))
        else:
            items.sort(key=lambda item: (-item.count, item.label))
        found[facet] = items
    return found


def _named(names: dict[str, str]) -> Callable[[str], str]:
    return lambda value: names.get(value, value)


def _collection_names(codes: set[str], english: bool) -> dict[str, str]:
    """Names of the collections with these codes, in the active language. Plain SQL: on this
    path (every search) the ORM took longer to compile the query than the database to run it."""
    if not codes:
        return {}
    table = Collection._meta.db_table
    placeholders = ", ".join(["%s"] * len(codes))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT code, name_ru, name_en FROM {table} WHERE code IN ({placeholders})",  # noqa: S608
            sorted(codes),
        )
        return {
            code: (name_en or name_ru) if english else (name_ru or name_en)
            for code, name_ru, name_en in cursor.fetchall()
        }


# -- following the changes ---------------------------------------------------------------


def index_apply_changes(batch_size: int = APPLY_BATCH) -> int | None:
    """Bring this process's index up to the change log (``log.py``): each changed resource's
    document is rebuilt from the database (or removed, if the resource is gone or deleted), in
    batches, and the index's cursor moved on; then the rows every index has passed are pruned.
    Returns how many resources were applied, or None when another process of this index writes
    it (a rebuild): the changes wait for the next run. Safe to run twice; an index that is
    missing, unreadable, or behind the pruned log is rebuilt instead. The task worker calls it
    every poll (``LIBRANET_SERVER_DUTIES``), so each server's worker follows its own index;
    it costs a few small queries when nothing is new."""
    backend = get_backend()
    with backend.writing() as got:
        if not got:
            return None
        cursor = cursor_for(index_name=backend.index_name, backend=backend.name)
        if cursor.rebuild_due or backend.needs_rebuild():
            return _rebuild_locked(backend, None, REBUILD_BATCH)
        applied = _apply_locked(backend, cursor, batch_size)
    if applied:
        changes_prune()
    return applied


def _apply_locked(backend: SearchBackend, cursor: SearchIndexCursor, batch_size: int) -> int:
    applied = 0
    transactional = getattr(backend, "applies_in_transaction", False)
    while True:
        # A table in the same database changes with its cursor in one transaction; an index
        # outside it is written first and the cursor saved after (a crash between re-applies,
        # which is harmless), so SQLite's write lock is never held during Tantivy's commit.
        with transaction.atomic() if transactional else nullcontext():
            resource_ids = changes_next(cursor, batch_size)
            if resource_ids:
                ids = set(resource_ids)
                documents = documents_for(ids, text_limit=backend.text_limit)
                backend.apply(upserts=documents, deletes=ids - {d.id for d in documents})
            cursor_seen(cursor, applied=bool(resource_ids))
        if not resource_ids:
            return applied
        applied += len(set(resource_ids))


def index_rebuild(progress: Progress | None = None, batch_size: int = REBUILD_BATCH) -> int:
    """Rebuild the whole index from the database, ``batch_size`` resources at a time (memory
    stays bounded); searches use the old index until the new one is complete. Changes recorded
    meanwhile wait in the log and are applied at the end. Returns the documents indexed."""
    backend = get_backend()
    with backend.writing_wait():
        return _rebuild_locked(backend, progress, batch_size)


def _rebuild_locked(backend: SearchBackend, progress: Progress | None, batch_size: int) -> int:
    cursor = cursor_for(index_name=backend.index_name, backend=backend.name)
    cursor_to_head(cursor)
    total = Resource.objects.live().count()
    done = backend.rebuild(
        live_documents(batch_size=batch_size, text_limit=backend.text_limit),
        total=total,
        progress=progress or (lambda done, total: None),
    )
    cursor.rebuild_due = False
    cursor.save(update_fields=["rebuild_due"])
    cursor_seen(cursor, applied=True)
    _apply_locked(backend, cursor, APPLY_BATCH)
    changes_prune()
    return done
