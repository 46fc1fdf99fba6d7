"""The default search backend: an embedded Tantivy index under ``LIBRANET_SEARCH_DIR``.

Layout of the folder::

    CURRENT          {"dir": "index-…", "schema": N}: the index searches use (replaced atomically)
    write.lock       held (flock) by whoever writes: the task applying changes, a rebuild
    index-…/         Tantivy's files

A rebuild writes a new ``index-…`` folder and then switches ``CURRENT``, so searches go on
with the old index meanwhile; a missing, unreadable or outdated (schema) index is reported as
unavailable, and the service answers empty with a rebuild scheduled, never an error.

Every text field goes through one analyzer: the simple tokenizer, lower case, the Russian
Snowball stemmer, then the English one. Each stemmer changes only words of its own alphabet
(«библиотеки» → «библиотек», "libraries" → "librari"), so a Russian field is stemmed as
Russian and an English field as English, and an English word in a Russian title is stemmed
too. One analyzer everywhere also lets the field ``all`` (every text field's terms, without
positions) match a word exactly as "in any field" would, with one posting list instead of
seven: a search matches words there and scores them on the fields (titles weigh most).

Per search, two passes over the matches (bare Tantivy makes one, for the count and the top
hits):

- the top hits, taken without the access filter (on common words a filter costs as much as
  the search) and over-fetched by the share of hidden access levels among the matches, then
  filtered by the ``level`` column; when too few remain, or for deep pages, the filter goes
  into the query;
- the facets: Tantivy's aggregations on dense single-valued string columns, each with the
  access level in its key (so the pass needs no access filter: the levels a person may see
  are chosen when adding up): ``facet_key`` "type|language|level", ``facet_decade``
  "level|decade", ``facet_coll_a`` "level|<the first collection and its ancestors>" and
  ``facet_coll_b`` "level|<the other collections>" (together each code of a resource once).
  Dense string columns are counted by term ordinal, the cheapest aggregation there is; a
  multi-valued or sparse column costs two to five times more. The type, language and access
  level counts (and with them the total and "readable here") are always exact. Decades and
  collections are exact up to ``EXACT_FACETS`` matches; past that they are counted on a
  deterministic sample of the index (``sample``: a document is in sample L with probability
  2^-L, by a hash of its id) scaled up, and flagged approximate: on a common word that is 1/16
  of the work, for counts that are right to a few per cent.

The per-level counts of the last ``FACET_CACHE`` queries are kept per process (cleared by
every commit): common words are asked most often.
"""

import fcntl
import json
import logging
import math
import os
import secrets
import shutil
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from pathlib import Path

import tantivy
from tantivy import (
    Document,
    Filter,
    Index,
    Occur,
    Order,
    Query,
    SchemaBuilder,
    SnippetGenerator,
    TextAnalyzerBuilder,
    Tokenizer,
)

from .base import (
    MARK_END,
    MARK_START,
    BackendHit,
    BackendQuery,
    BackendResult,
    IndexUnavailable,
    Progress,
    SearchDocument,
    marked_html,
    strip_marks,
)
from .query import Clause

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 4  # bump when the schema or the analyzer change: the index is rebuilt
SNIPPET_CHARS = 200
EXCERPT_CHARS = 20_000  # of the file text, kept for snippets (all of it is indexed)
APPLY_HEAP = 32_000_000
REBUILD_HEAP = 256_000_000  # the writer's memory budget: a rebuild stays within it
LEVELS = ("open", "readers", "on_site", "staff")
FACET_BUCKETS = 50_000
FACET_CACHE = 256  # queries whose per-level facet counts are kept, per process
EXACT_FACETS = 50_000  # matches up to which decades and collections are counted exactly
MAX_SAMPLE_LEVEL = 16
OVERFETCH_LIMIT = 1_000  # past this many hits, filter in the query instead
OVERFETCH_FACTOR = 1.25  # ... and fetch this much more than the hidden levels' share
OVERFETCH_EXTRA = 10
ANALYZER = "ru_en"

# (field, boost): where plain words are looked for, and how much a match there weighs.
TEXT_FIELDS: tuple[tuple[str, float], ...] = (
    ("title_ru", 3.0),
    ("title_en", 3.0),
    ("creators", 2.0),
    ("subjects", 1.5),
    ("description_ru", 1.0),
    ("description_en", 1.0),
    ("text", 0.5),
)
FIELD_GROUPS = {
    "any": TEXT_FIELDS,
    "author": tuple(f for f in TEXT_FIELDS if f[0] == "creators"),
    "title": tuple(f for f in TEXT_FIELDS if f[0].startswith("title_")),
    "subject": tuple(f for f in TEXT_FIELDS if f[0] == "subjects"),
}
FACET_COLUMNS = ("facet_key", "facet_decade", "facet_coll_a", "facet_coll_b")


def _analyzer() -> tantivy.TextAnalyzer:
    # remove_long counts bytes: 120 keeps any 40-letter Cyrillic word.
    return (
        TextAnalyzerBuilder(Tokenizer.simple())
        .filter(Filter.remove_long(120))
        .filter(Filter.lowercase())
        .filter(Filter.stemmer("russian"))
        .filter(Filter.stemmer("english"))
        .build()
    )


_ANALYZER = _analyzer()


@lru_cache(maxsize=20_000)
def analyze(word: str) -> tuple[str, ...]:
    return tuple(_ANALYZER.analyze(word))


def _schema() -> tantivy.Schema:
    builder = SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("identifier", stored=True, tokenizer_name="raw")
    for name, _boost in TEXT_FIELDS:
        builder.add_text_field(name, stored=name != "text", tokenizer_name=ANALYZER)
    builder.add_text_field("all", tokenizer_name=ANALYZER, index_option="freq")
    builder.add_bytes_field("text_excerpt", stored=True)
    for name in ("type", "language", "access_level"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    builder.add_text_field("collection", tokenizer_name="raw")  # multi-valued, for filters
    builder.add_integer_field("decade", indexed=True)  # the decade the date begins in
    builder.add_unsigned_field("level", fast=True)  # LEVELS.index(access_level)
    builder.add_unsigned_field("sample", indexed=True)  # 0..L: in samples 2^-0 .. 2^-L
    builder.add_integer_field("year_from", indexed=True, fast=True)
    builder.add_integer_field("year_to", indexed=True, fast=True)
    builder.add_date_field("modified", stored=True, fast=True)
    for name in FACET_COLUMNS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    return builder.build()


SCHEMA = _schema()


def facet_values(document: SearchDocument) -> tuple[str, str, str, str]:
    """The facet columns of a document: every document has all of them (dense columns
    count fastest), and each of its collection codes is in exactly one of the last two."""
    level = document.access_level
    language = document.language.replace("|", "")
    decade = "" if document.decade is None else str(document.decade)
    groups = document.collection_groups
    first = groups[0] if groups else []
    rest = [code for group in groups[1:] for code in group]
    return (
        f"{document.type}|{language}|{level}",
        f"{level}|{decade}",
        f"{level}|{' '.join(first)}",
        f"{level}|{' '.join(rest)}",
    )


def sample_level(resource_id: int) -> int:
    """How deep in the samples a document is: L with probability 2^-(L+1), from a hash of
    its id (the same document is always in the same samples)."""
    mixed = (resource_id * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    mixed ^= mixed >> 31
    level = 0
    while level < MAX_SAMPLE_LEVEL and not (mixed >> level) & 1:
        level += 1
    return level


@lru_cache(maxsize=50_000)
def _split(key: str) -> tuple[str, ...]:
    return tuple(key.split("|"))


@lru_cache(maxsize=50_000)
def _split_codes(key: str) -> tuple[str, tuple[str, ...]]:
    level, _bar, codes = key.partition("|")
    return level, tuple(codes.split())


def to_tantivy(document: SearchDocument) -> Document:
    doc = Document()
    doc.add_unsigned("id", document.id)
    doc.add_text("identifier", document.identifier)
    texts = [
        ("title_ru", [document.title_ru]),
        ("title_en", [document.title_en]),
        ("creators", document.creators),
        ("subjects", document.subjects),
        ("description_ru", [document.description_ru]),
        ("description_en", [document.description_en]),
        ("text", [document.text]),
    ]
    for field, values in texts:
        for value in values:
            if value:
                doc.add_text(field, value)
                doc.add_text("all", value)
    if document.text:
        doc.add_bytes("text_excerpt", document.text[:EXCERPT_CHARS].encode())
    doc.add_text("type", document.type)
    doc.add_text("language", document.language)
    doc.add_text("access_level", document.access_level)
    for code in document.collections:
        doc.add_text("collection", code)
    if document.decade is not None:
        doc.add_integer("decade", document.decade)
    doc.add_unsigned("level", LEVELS.index(document.access_level))
    for level in range(sample_level(document.id) + 1):
        doc.add_unsigned("sample", level)
    if document.year_from is not None:
        doc.add_integer("year_from", document.year_from)
    if document.year_to is not None:
        doc.add_integer("year_to", document.year_to)
    if document.modified is not None:
        doc.add_date("modified", document.modified)
    for name, value in zip(FACET_COLUMNS, facet_values(document), strict=True):
        doc.add_text(name, value)
    return doc


class FolderWriteLock:
    """One writer at a time for an index folder, across processes (``flock`` on
    ``write.lock``) and threads (the worker's follower thread beside its tasks), and reentrant
    within one thread (e.g. a rebuild applying changes)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._thread = threading.RLock()
        self._held = 0  # depth in the thread holding it: flock itself is not reentrant

    @contextmanager
    def _flock(self, blocking: bool) -> Iterator[bool]:
        if not self._thread.acquire(blocking=blocking):
            yield False
            return
        try:
            if self._held:
                self._held += 1
                try:
                    yield True
                finally:
                    self._held -= 1
                return
            self.root.mkdir(parents=True, exist_ok=True)
            with open(self.root / "write.lock", "a+") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
                except BlockingIOError:
                    yield False
                    return
                self._held = 1
                try:
                    yield True
                finally:
                    self._held = 0
                    fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            self._thread.release()

    def writing(self) -> AbstractContextManager[bool]:
        """Taken at once or not at all: yields whether this process now writes."""
        return self._flock(blocking=False)

    @contextmanager
    def writing_wait(self) -> Iterator[None]:
        with self._flock(blocking=True):
            yield


class TantivyBackend:
    name = "tantivy"
    text_limit = 1_000_000  # characters of file text indexed per resource

    def __init__(self, root: Path, *, index_name: str = "") -> None:
        self.root = Path(root)
        self.index_name = index_name or str(self.root)  # its cursor in the change log
        self._guard = threading.RLock()
        self._index: Index | None = None
        self._dir: str | None = None
        self._current_sig: tuple[int, int] | None = None
        self._meta_sig: tuple[int, int, int] | None = None
        self._lock = FolderWriteLock(self.root)
        self._facet_cache: OrderedDict[tuple, tuple[dict, bool]] = OrderedDict()
        self._shares: tuple[tuple, dict[str, float]] | None = None

    # -- opening ------------------------------------------------------------------------

    def _read_current(self) -> str | None:
        try:
            data = json.loads((self.root / "CURRENT").read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA_VERSION:
            return None
        name = data.get("dir")
        return name if isinstance(name, str) and name.startswith("index-") else None

    def _open(self) -> Index:
        """The current index, reopened when CURRENT moved and reloaded when a commit changed
        it (a stat of two small files per search)."""
        with self._guard:
            try:
                stat = (self.root / "CURRENT").stat()
                current_sig = (stat.st_ino, stat.st_mtime_ns)
            except OSError:
                current_sig = None
            if current_sig is None or current_sig != self._current_sig or self._index is None:
                self._index = None
                name = self._read_current() if current_sig else None
                if name is None or not (self.root / name / "meta.json").is_file():
                    raise IndexUnavailable("no index")
                try:
                    index = Index(SCHEMA, path=str(self.root / name), reuse=True)
                except (ValueError, OSError) as exc:
                    raise IndexUnavailable(str(exc)) from exc
                self._register(index)
                index.config_reader("Manual")
                self._index, self._dir = index, name
                self._current_sig, self._meta_sig = current_sig, None
            try:
                meta = (self.root / str(self._dir) / "meta.json").stat()
            except OSError as exc:
                self._index = None
                raise IndexUnavailable(str(exc)) from exc
            meta_sig = (meta.st_ino, meta.st_mtime_ns, meta.st_size)
            if meta_sig != self._meta_sig:
                self._facet_cache.clear()
                try:
                    self._index.reload()
                except ValueError as exc:
                    self._index = None
                    raise IndexUnavailable(str(exc)) from exc
                self._meta_sig = meta_sig
            return self._index

    @staticmethod
    def _register(index: Index) -> None:
        index.register_tokenizer(ANALYZER, _ANALYZER)

    def needs_rebuild(self) -> bool:
        try:
            index = self._open()
            index.searcher().search(Query.all_query(), 1, count=True)
        except (IndexUnavailable, ValueError, OSError):
            self._index = None
            return True
        return False

    # -- writing ------------------------------------------------------------------------

    def writing(self) -> AbstractContextManager[bool]:
        return self._lock.writing()

    def writing_wait(self) -> AbstractContextManager[None]:
        return self._lock.writing_wait()

    def apply(self, *, upserts: list[SearchDocument], deletes: Iterable[int]) -> None:
        index = self._open()
        ids = sorted({d.id for d in upserts} | set(deletes))
        if not ids:
            return
        writer = index.writer(APPLY_HEAP, 1)
        try:
            # Deletes apply to what was committed before; the new versions added after stay.
            writer.delete_documents_by_query(Query.term_set_query(SCHEMA, "id", ids))
            for document in upserts:
                writer.add_document(to_tantivy(document))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        with self._guard:
            self._meta_sig = None  # reload before the next search in this process

    def rebuild(
        self, documents: Iterator[SearchDocument], *, total: int, progress: Progress
    ) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"index-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
        path = self.root / name
        path.mkdir()
        writer = None
        try:
            index = Index(SCHEMA, path=str(path))
            self._register(index)
            writer = index.writer(REBUILD_HEAP, min(2, os.cpu_count() or 1))
            done = 0
            progress(0, total)
            for document in documents:
                writer.add_document(to_tantivy(document))
                done += 1
                if done % 1000 == 0:
                    progress(done, total)
            writer.commit()
            writer.wait_merging_threads()
            writer = None
            progress(done, total)
        except BaseException:
            if writer is not None:  # stop its threads before removing its files
                writer.rollback()
                writer.wait_merging_threads()
            shutil.rmtree(path, ignore_errors=True)
            raise
        self._switch(name)
        return done

    def _switch(self, name: str) -> None:
        """Point CURRENT at ``name`` (atomically), then remove the other index folders: a
        process still reading one keeps its open files until it notices the switch."""
        temporary = self.root / f"CURRENT.{secrets.token_hex(4)}"
        temporary.write_text(json.dumps({"dir": name, "schema": SCHEMA_VERSION}))
        os.replace(temporary, self.root / "CURRENT")
        with self._guard:
            self._current_sig = None
        for old in self.root.glob("index-*"):
            if old.name != name and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)

    # -- searching ----------------------------------------------------------------------

    def search(self, request: BackendQuery) -> BackendResult:
        index = self._open()
        try:
            return self._search(index, request)
        except ValueError as exc:
            # An unreadable segment, or a query we built wrong: tell them apart by whether
            # the index still answers the simplest query.
            if self.needs_rebuild():
                raise IndexUnavailable(str(exc)) from exc
            raise

    def queries(self, request: BackendQuery) -> tuple[Query | None, Query | None]:
        """(what to match, what to rank by) for the words, phrases, fields and years, or
        (None, None) when no words are asked for. Both find the same documents: a plain word
        is matched in ``all`` for counting and facets, and looked up in every field (with its
        weight) for ranking."""
        parsed = request.parsed
        match: list[tuple[Occur, Query]] = []
        rank: list[tuple[Occur, Query]] = []
        for clause in parsed.clauses:
            ranked = self._clause_query(clause)
            if ranked is None:
                continue
            if clause.optional:
                rank.append((Occur.Should, ranked))
                continue
            rank.append((Occur.Must, ranked))
            if clause.field == "any" and not clause.is_phrase:
                token = analyze(clause.words[0])[0]
                match.append((Occur.Must, Query.term_query(SCHEMA, "all", token)))
            else:
                match.append((Occur.Must, ranked))
        integer = tantivy.FieldType.Integer
        for first, last in parsed.years:  # the date's span touches the asked one
            for year in (
                Query.range_query(SCHEMA, "year_from", integer, upper_bound=last),
                Query.range_query(SCHEMA, "year_to", integer, lower_bound=first),
            ):
                match.append((Occur.Must, Query.const_score_query(year, 0.0)))
                rank.append((Occur.Must, Query.const_score_query(year, 0.0)))
        identifier = None
        if parsed.identifier:
            term = Query.term_query(SCHEMA, "identifier", parsed.identifier)
            identifier = Query.boost_query(term, 10.0)
        if not match:
            if identifier is not None:
                return identifier, identifier
            if parsed.clauses or parsed.years:
                return Query.empty_query(), Query.empty_query()  # words no field can hold
            return None, None
        matching = match[0][1] if len(match) == 1 else Query.boolean_query(match)
        ranking = rank[0][1] if len(rank) == 1 else Query.boolean_query(rank)
        if identifier is not None:
            matching = Query.boolean_query([(Occur.Should, matching), (Occur.Should, identifier)])
            ranking = Query.boolean_query([(Occur.Should, ranking), (Occur.Should, identifier)])
        return matching, ranking

    @staticmethod
    def _clause_query(clause: Clause) -> Query | None:
        tokens: list[str | tuple[int, str]] = [t for word in clause.words for t in analyze(word)]
        if not tokens:
            return None
        alternatives = []
        for field, boost in FIELD_GROUPS[clause.field]:
            if len(tokens) == 1:
                query = Query.term_query(SCHEMA, field, str(tokens[0]))
            else:
                query = Query.phrase_query(SCHEMA, field, tokens)
            alternatives.append(Query.boost_query(query, boost) if boost != 1.0 else query)
        if len(alternatives) == 1:
            return alternatives[0]
        return Query.boolean_query([(Occur.Should, q) for q in alternatives])

    @staticmethod
    def _narrowing(request: BackendQuery) -> list[tuple[Occur, Query]]:
        """The filters but the access levels: type, language, collection, decade."""
        filters = request.filters
        found: list[tuple[Occur, Query]] = []
        for field, values in (
            ("type", filters.types),
            ("language", filters.languages),
            ("collection", filters.collections),
            ("decade", filters.decades),
        ):
            if values:
                query = Query.term_set_query(SCHEMA, field, list(values))
                found.append((Occur.Must, Query.const_score_query(query, 0.0)))
        return found

    @staticmethod
    def _level_filter(levels: frozenset[str]) -> tuple[Occur, Query] | None:
        excluded = [level for level in LEVELS if level not in levels]
        if not excluded:
            return None
        if not levels:
            return (Occur.Must, Query.empty_query())
        if len(excluded) <= len(levels):  # leaving out the fewer levels is cheaper
            return (Occur.MustNot, Query.term_set_query(SCHEMA, "access_level", excluded))
        query = Query.term_set_query(SCHEMA, "access_level", sorted(levels))
        return (Occur.Must, Query.const_score_query(query, 0.0))

    def _level_shares(self, searcher: tantivy.Searcher) -> dict[str, float]:
        """Each access level's share of the whole index (counted once per commit): how much
        to over-fetch when some levels are hidden."""
        key = (self._dir, self._meta_sig)
        with self._guard:
            cached = self._shares[1] if self._shares and self._shares[0] == key else None
        if cached is None:
            result = searcher.aggregate(
                Query.all_query(), {"level": {"terms": {"field": "facet_decade", "size": 10_000}}}
            )
            counts: Counter = Counter()
            for bucket in result["level"]["buckets"]:
                counts[_split(bucket["key"])[0]] += bucket["doc_count"]
            everything = max(1, sum(counts.values()))
            cached = {level: counts[level] / everything for level in LEVELS}
            with self._guard:
                self._shares = (key, cached)
        return cached

    def _search(self, index: Index, request: BackendQuery) -> BackendResult:
        searcher = index.searcher()
        matching, ranking = self.queries(request)
        narrowing = self._narrowing(request)

        def narrowed(query: Query | None, *more: tuple[Occur, Query]) -> Query:
            clauses = ([(Occur.Must, query)] if query is not None else []) + narrowing
            clauses += list(more)
            if not clauses:
                return Query.all_query()
            if len(clauses) == 1 and clauses[0][0] == Occur.Must:
                return clauses[0][1]
            if all(occur == Occur.MustNot for occur, _q in clauses):
                clauses.append((Occur.Must, Query.all_query()))
            return Query.boolean_query(clauses)

        level_filter = self._level_filter(request.levels)
        ranked = narrowed(ranking)
        restricted = narrowed(ranking, level_filter) if level_filter else ranked
        order_field = None
        order = Order.Desc
        if request.sort in ("date", "date_asc") or ranking is None:
            order_field = "year_from"
            order = Order.Asc if request.sort == "date_asc" else Order.Desc

        def top(query: Query, limit: int, offset: int, count: bool):
            return searcher.search(
                query, limit, count=count, order_by_field=order_field, offset=offset, order=order
            )

        facets: dict[str, dict[str, int]] = {}
        approximate = False
        need = request.offset + request.limit
        if not request.with_facets or (level_filter and need > OVERFETCH_LIMIT):
            # The count must be of what this person may see: the filter goes in the query.
            result = top(restricted, max(request.limit, 1), request.offset, True)
            total = result.count or 0
            found = list(result.hits) if request.limit else []
            if request.with_facets:
                per_level, approximate = self._per_level_facets(
                    searcher, narrowed(matching), request, total
                )
                total, facets = _add_up(per_level, request.levels)
        else:
            # Without the access filter (over-fetched by the hidden levels' share, then
            # filtered); the count is of every match, the facets say how many are visible.
            if not request.limit:
                result = top(ranked, 1, 0, True)
            elif not level_filter:
                result = top(ranked, request.limit, request.offset, True)
            else:
                shares = self._level_shares(searcher)
                share = max(0.01, sum(shares[level] for level in request.levels))
                fetch = math.ceil(need / share * OVERFETCH_FACTOR) + OVERFETCH_EXTRA
                result = top(ranked, fetch, 0, True)
            everything = result.count or 0
            per_level, approximate = self._per_level_facets(
                searcher, narrowed(matching), request, everything
            )
            total, facets = _add_up(per_level, request.levels)
            found = list(result.hits) if request.limit else []
            if request.limit and level_filter:
                codes = searcher.fast_field_values("level", [a for _k, a in found])
                allowed = {LEVELS.index(level) for level in request.levels}
                kept = [hit for hit, code in zip(found, codes, strict=True) if code in allowed]
                if len(kept) >= min(need, total) or len(found) >= everything:
                    found = kept[request.offset : need]
                else:  # too many hidden among the best: ask again with the filter
                    found = list(top(restricted, request.limit, request.offset, False).hits)
        hits = [(0.0 if order_field else float(key), address) for key, address in found]
        return BackendResult(
            total=total,
            hits=self._hits(searcher, ranking, hits, request.language, request.quotable),
            facets=facets,
            facets_approximate=approximate,
        )

    def _per_level_facets(
        self, searcher: tantivy.Searcher, query: Query, request: BackendQuery, matches: int
    ) -> tuple[dict[str, dict], bool]:
        """For each access level: the total and the counts of every facet value among the
        ``matches`` documents of ``query`` (decades and collections counted on a sample past
        EXACT_FACETS); from the cache when this index has counted the same query."""
        key = (self._dir, self._meta_sig, repr(query))
        with self._guard:
            cached = self._facet_cache.get(key) if FACET_CACHE else None
            if cached is not None:
                self._facet_cache.move_to_end(key)
                return cached

        def terms(*columns: str) -> dict:
            return {c: {"terms": {"field": c, "size": FACET_BUCKETS}} for c in columns}

        many = matches > EXACT_FACETS
        result = searcher.aggregate(query, terms(*(FACET_COLUMNS[:1] if many else FACET_COLUMNS)))
        per_level: dict[str, dict] = {
            level: {
                "total": 0,
                "type": Counter(),
                "language": Counter(),
                "decade": Counter(),
                "collection": Counter(),
            }
            for level in LEVELS
        }
        for bucket in result["facet_key"]["buckets"]:
            type_, language, level = (_split(bucket["key"]) + ("", "", ""))[:3]
            counts = per_level.get(level)
            if counts is None:
                continue
            count = bucket["doc_count"]
            counts["total"] += count
            counts["type"][type_] += count
            if language:
                counts["language"][language] += count
        scale = 1
        if many:
            depth = min(MAX_SAMPLE_LEVEL, math.ceil(math.log2(matches / EXACT_FACETS)))
            scale = 2**depth
            sample = Query.term_query(SCHEMA, "sample", depth)
            sampled = Query.boolean_query([(Occur.Must, query), (Occur.Must, sample)])
            result = searcher.aggregate(sampled, terms(*FACET_COLUMNS[1:]))
        for bucket in result["facet_decade"]["buckets"]:
            level, decade = (_split(bucket["key"]) + ("", ""))[:2]
            if decade and level in per_level:
                per_level[level]["decade"][decade] += bucket["doc_count"] * scale
        for column in ("facet_coll_a", "facet_coll_b"):
            for bucket in result[column]["buckets"]:
                level, codes = _split_codes(bucket["key"])
                if level in per_level:
                    counter = per_level[level]["collection"]
                    for code in codes:
                        counter[code] += bucket["doc_count"] * scale
        found = (per_level, scale > 1)
        with self._guard:
            self._facet_cache[key] = found
            while len(self._facet_cache) > FACET_CACHE:
                self._facet_cache.popitem(last=False)
        return found

    def _hits(
        self,
        searcher: tantivy.Searcher,
        text_query: Query | None,
        hits: list[tuple[float, tantivy.DocAddress]],
        language: str,
        quotable: frozenset[str],
    ) -> list[BackendHit]:
        if not hits:
            return []
        other = "ru" if language == "en" else "en"
        generators: dict[str, SnippetGenerator] = {}

        def generator(field: str, chars: int) -> SnippetGenerator:
            if field not in generators:
                assert text_query is not None  # only asked for when there are words
                made = SnippetGenerator.create(searcher, text_query, SCHEMA, field)
                made.set_max_num_chars(chars)
                generators[field] = made
            return generators[field]

        found = []
        for score, address in hits:
            doc = searcher.doc(address)
            title_field = f"title_{language}" if doc.get_first(f"title_{language}") else "title_ru"
            title = doc.get_first(title_field) or ""
            title_html = ""
            snippet_html = ""
            if text_query is not None:
                title_html = _highlight(generator(title_field, 1000), doc, title_field)
                # The descriptions, then the files' text if the person may read it here
                # (creators and subjects are shown beside the title anyway).
                fields = [f"description_{language}", f"description_{other}"]
                if doc.get_first("access_level") in quotable:
                    fields.append("text")
                for field in fields:
                    source = doc
                    if field == "text":
                        excerpt = doc.get_first("text_excerpt")
                        if not excerpt:
                            continue
                        source = Document()
                        source.add_text("text", bytes(excerpt).decode(errors="ignore"))
                    elif not doc.get_first(field):
                        continue
                    snippet_html = _highlight(
                        generator(field, SNIPPET_CHARS), source, field, need_match=True
                    )
                    if snippet_html:
                        break
            if not title_html:
                title_html = marked_html(strip_marks(title))
            if not snippet_html:
                description = (
                    doc.get_first(f"description_{language}")
                    or doc.get_first(f"description_{other}")
                    or ""
                )
                snippet_html = _excerpt(description)
            found.append(
                BackendHit(
                    id=int(doc.get_first("id") or 0),
                    identifier=doc.get_first("identifier") or "",
                    score=score,
                    title_html=title_html,
                    snippet_html=snippet_html,
                    type=doc.get_first("type") or "",
                    access_level=doc.get_first("access_level") or "",
                )
            )
        return found


def _highlight(
    generator: SnippetGenerator, doc: Document, field: str, need_match: bool = False
) -> str:
    """The snippet of ``field`` with its matches marked; "" when ``need_match`` and nothing in
    it matched. Tantivy gives the highlighted ranges as byte offsets into the fragment."""
    snippet = generator.snippet_from_doc(doc)
    ranges = sorted((r.start, r.end) for r in snippet.highlighted())
    if need_match and not ranges:
        return ""
    fragment = snippet.fragment().encode()
    parts = []
    position = 0
    for start, end in ranges:
        if start < position:
            continue
        parts.append(strip_marks(fragment[position:start].decode(errors="ignore")))
        parts.append(
            MARK_START + strip_marks(fragment[start:end].decode(errors="ignore")) + MARK_END
        )
        position = end
    parts.append(strip_marks(fragment[position:].decode(errors="ignore")))
    text = "".join(parts).strip()
    if not text:
        return ""
    whole = " ".join(str(v) for v in doc.get_all(field))
    span = snippet.fragment_range()
    if need_match and span.start > 0:
        text = "…" + text
    if need_match and span.end < len(whole.encode()):
        text += "…"
    return str(marked_html(text))


def _excerpt(text: str) -> str:
    text = strip_marks(" ".join(text.split()))
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"
    return str(marked_html(text))


def _add_up(
    per_level: dict[str, dict], levels: frozenset[str]
) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and the facets over the levels a person may see."""
    total = 0
    facets: dict[str, Counter] = {
        name: Counter() for name in ("type", "language", "decade", "collection")
    }
    by_level: dict[str, int] = {}
    for level in LEVELS:
        if level not in levels:
            continue
        counts = per_level[level]
        if not counts["total"]:
            continue
        total += counts["total"]
        by_level[level] = counts["total"]
        for name, counter in facets.items():
            counter.update(counts[name])
    found = {name: dict(counter) for name, counter in facets.items()}
    found["access_level"] = by_level
    return total, found
