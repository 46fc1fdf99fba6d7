"""The partner works' Tantivy index: the folder ``works/`` beside the resources' index under
``LIBRANET_SEARCH_DIR``, with the same analyzer (Russian then English stemming) so that a
query finds a work as it finds a resource, and the same write lock discipline (``flock`` on
``works/write.lock``). A rebuild deletes every document and adds the new ones in one commit:
searches see the old works until it lands. ``works/SCHEMA`` names the schema's version; an
index of another version is rebuilt."""

import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import tantivy
from tantivy import Document, Index, Occur, Order, Query, SchemaBuilder, SnippetGenerator

from libranet.resources.search.base import (
    BackendQuery,
    IndexUnavailable,
    Progress,
    marked_html,
    strip_marks,
)
from libranet.resources.search.query import Clause
from libranet.resources.search.tantivy_backend import (
    _ANALYZER,
    ANALYZER,
    FolderWriteLock,
    _highlight,
    analyze,
)

from .union import WorkDocument, WorkHit, WorkResult
from .works import isbn13

SCHEMA_VERSION = "1"
APPLY_HEAP = 32_000_000
REBUILD_HEAP = 128_000_000
FACET_BUCKETS = 10_000
FACET_CACHE = 256  # queries whose facet counts are kept, per process (common words recur)
TEXT_FIELDS = (("title", 3.0), ("creators", 2.0), ("subjects", 1.5), ("publisher", 1.0))
FIELD_GROUPS = {
    "any": TEXT_FIELDS,
    "author": (("creators", 2.0),),
    "title": (("title", 3.0),),
    "subject": (("subjects", 1.5),),
}
# Filters and facets: raw terms, fast for counting (the last three hold several values).
FACET_FIELDS = ("type", "language", "decade", "library", "region", "source")
FILTERS = {
    "type": "types",
    "language": "languages",
    "decade": "decades",
    "library": "libraries",
    "region": "regions",
    "source": "sources",
}


def _schema() -> tantivy.Schema:
    builder = SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    builder.add_unsigned_field("record", indexed=True)
    builder.add_text_field("isbn", tokenizer_name="raw")
    for name, _boost in TEXT_FIELDS:
        builder.add_text_field(name, stored=name in ("title", "creators"), tokenizer_name=ANALYZER)
    for name in FACET_FIELDS:
        builder.add_text_field(
            name, stored=name in ("type", "language"), tokenizer_name="raw", fast=True
        )
    builder.add_integer_field("year", stored=True, indexed=True, fast=True)
    return builder.build()


SCHEMA = _schema()


def to_tantivy(work: WorkDocument) -> Document:
    doc = Document()
    doc.add_text("key", work.key)
    for pk in work.record_ids:
        doc.add_unsigned("record", pk)
    for number in work.isbns:
        doc.add_text("isbn", number)
    doc.add_text("title", work.title)
    for name, values in (("creators", work.creators), ("subjects", work.subjects)):
        for value in values:
            doc.add_text(name, value)
    if work.publisher:
        doc.add_text("publisher", work.publisher)
    doc.add_text("type", work.type)
    doc.add_text("language", work.language)
    doc.add_text("decade", "" if work.decade is None else str(work.decade))
    for name, values in (
        ("library", work.libraries),
        ("region", work.regions),
        ("source", work.sources),
    ):
        for value in values:
            doc.add_text(name, value)
    if work.year is not None:
        doc.add_integer("year", work.year)
    return doc


class TantivyWorks:
    name = "tantivy"

    def __init__(self, root: str | Path, *, index_name: str = "") -> None:
        self.root = Path(root) / "works"
        self.index_name = index_name or str(root)  # the resources' index's: one mark each
        self._guard = threading.RLock()
        self._index: Index | None = None
        self._meta_sig: tuple[int, int, int] | None = None
        self._lock = FolderWriteLock(self.root)
        self._facet_cache: OrderedDict[tuple, dict[str, dict[str, int]]] = OrderedDict()

    def _path(self) -> Path:
        return self.root / "index"

    def _open(self) -> Index:
        with self._guard:
            if self._index is None:
                path = self._path()
                if not (path / "meta.json").is_file() or self._version() != SCHEMA_VERSION:
                    raise IndexUnavailable("no works index")
                try:
                    index = Index(SCHEMA, path=str(path), reuse=True)
                except (ValueError, OSError) as exc:
                    raise IndexUnavailable(str(exc)) from exc
                index.register_tokenizer(ANALYZER, _ANALYZER)
                self._index, self._meta_sig = index, None
            # Reloaded (and the facet counts forgotten) when a commit changed the index.
            try:
                meta = (self._path() / "meta.json").stat()
            except OSError as exc:
                self._index = None
                raise IndexUnavailable(str(exc)) from exc
            signature = (meta.st_ino, meta.st_mtime_ns, meta.st_size)
            if signature != self._meta_sig:
                self._index.reload()
                self._facet_cache.clear()
                self._meta_sig = signature
            return self._index

    def _version(self) -> str:
        try:
            return (self.root / "SCHEMA").read_text().strip()
        except OSError:
            return ""

    def needs_rebuild(self) -> bool:
        try:
            self._open()
        except IndexUnavailable:
            return True
        return False

    # -- writing ------------------------------------------------------------------------

    def writing(self) -> AbstractContextManager[bool]:
        return self._lock.writing()

    def writing_wait(self) -> AbstractContextManager[None]:
        return self._lock.writing_wait()

    def _write(self, heap: int, change) -> None:
        writer = self._open().writer(heap, 1)
        try:
            change(writer)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()

    def apply(self, *, upserts: list[WorkDocument], deletes: Iterable[str]) -> None:
        keys = sorted({w.key for w in upserts} | set(deletes))
        if not keys:
            return

        def change(writer) -> None:
            writer.delete_documents_by_query(Query.term_set_query(SCHEMA, "key", keys))
            for work in upserts:
                writer.add_document(to_tantivy(work))

        self._write(APPLY_HEAP, change)

    def keys_holding(self, record_ids: list[int]) -> set[str]:
        if not record_ids:
            return set()
        searcher = self._open().searcher()
        query = Query.term_set_query(SCHEMA, "record", list(record_ids))
        found = searcher.search(query, len(record_ids) + 100)
        return {str(searcher.doc(address).get_first("key")) for _score, address in found.hits}

    def rebuild(self, documents: Iterator[WorkDocument], *, progress: Progress) -> int:
        if self.needs_rebuild():
            shutil.rmtree(self._path(), ignore_errors=True)
            self._path().mkdir(parents=True)
            Index(SCHEMA, path=str(self._path()))
            (self.root / "SCHEMA").write_text(SCHEMA_VERSION)
            with self._guard:
                self._index = None
        done = 0

        def change(writer) -> None:
            nonlocal done
            writer.delete_all_documents()
            for work in documents:
                writer.add_document(to_tantivy(work))
                done += 1
                if done % 10_000 == 0:
                    progress(done, 0)

        self._write(REBUILD_HEAP, change)
        progress(done, done)
        return done

    # -- searching ----------------------------------------------------------------------

    def _query(self, request: BackendQuery) -> Query | None:
        """The words, phrases, fields and years, with the filters; None for everything."""
        parsed = request.parsed
        clauses: list[tuple[Occur, Query]] = []
        words = False
        for clause in parsed.clauses:
            query = self._clause_query(clause)
            if query is None:
                continue
            clauses.append((Occur.Should if clause.optional else Occur.Must, query))
            words = words or not clause.optional
        integer = tantivy.FieldType.Integer
        for first, last in parsed.years:
            span = Query.range_query(SCHEMA, "year", integer, lower_bound=first, upper_bound=last)
            clauses.append((Occur.Must, Query.const_score_query(span, 0.0)))
            words = True
        if words:
            matching: Query | None = Query.boolean_query(clauses)
        elif parsed.clauses or parsed.years:
            matching = Query.empty_query()  # words no field can hold
        else:
            matching = None  # everything, within the filters
        number = isbn13(parsed.identifier) if parsed.identifier else ""
        if number:
            by_isbn = Query.boost_query(Query.term_query(SCHEMA, "isbn", number), 10.0)
            matching = (
                Query.boolean_query([(Occur.Should, matching), (Occur.Should, by_isbn)])
                if words and matching is not None
                else by_isbn
            )
        filters = []
        for name, attribute in FILTERS.items():
            values = [str(v) for v in getattr(request.filters, attribute)]
            if values:
                term = Query.term_set_query(SCHEMA, name, values)
                filters.append((Occur.Must, Query.const_score_query(term, 0.0)))
        if not filters:
            return matching
        if matching is not None:
            filters.insert(0, (Occur.Must, matching))
        return Query.boolean_query(filters)

    @staticmethod
    def _clause_query(clause: Clause) -> Query | None:
        tokens: list[str | tuple[int, str]] = [t for word in clause.words for t in analyze(word)]
        if not tokens:
            return None
        alternatives = []
        for name, boost in FIELD_GROUPS[clause.field]:
            if len(tokens) == 1:
                query = Query.term_query(SCHEMA, name, str(tokens[0]))
            else:
                query = Query.phrase_query(SCHEMA, name, tokens)
            alternatives.append(Query.boost_query(query, boost))
        if len(alternatives) == 1:
            return alternatives[0]
        return Query.boolean_query([(Occur.Should, q) for q in alternatives])

    def _facets(self, searcher: tantivy.Searcher, query: Query) -> dict[str, dict[str, int]]:
        key = (self._meta_sig, repr(query))
        with self._guard:
            cached = self._facet_cache.get(key)
            if cached is not None:
                self._facet_cache.move_to_end(key)
                return cached
        aggregated = searcher.aggregate(
            query, {f: {"terms": {"field": f, "size": FACET_BUCKETS}} for f in FACET_FIELDS}
        )
        facets = {
            name: {
                bucket["key"]: bucket["doc_count"]
                for bucket in aggregated[name]["buckets"]
                if bucket["key"] != ""
            }
            for name in FACET_FIELDS
        }
        with self._guard:
            self._facet_cache[key] = facets
            while len(self._facet_cache) > FACET_CACHE:
                self._facet_cache.popitem(last=False)
        return facets

    def search(self, request: BackendQuery) -> WorkResult:
        index = self._open()
        searcher = index.searcher()
        query = self._query(request)
        ranked = query is not None and bool(request.parsed.clauses or request.parsed.identifier)
        query = query or Query.all_query()
        by_date = request.sort in ("date", "date_asc") or not ranked
        result = searcher.search(
            query,
            max(request.limit, 1),
            count=True,
            offset=request.offset,
            order_by_field="year" if by_date else None,
            order=Order.Asc if request.sort == "date_asc" else Order.Desc,
        )
        # count=True sets it (the stubs do not say so)
        total = result.count or 0  # type: ignore[attr-defined]
        facets: dict[str, dict[str, int]] = {}
        if request.with_facets and total:
            facets = self._facets(searcher, query)
        hits = []
        generator = None
        if request.parsed.clauses and request.limit:
            generator = SnippetGenerator.create(searcher, query, SCHEMA, "title")
            generator.set_max_num_chars(1000)
        for score, address in result.hits if request.limit else []:
            doc = searcher.doc(address)
            title = doc.get_first("title") or ""
            title_html = _highlight(generator, doc, "title") if generator else ""
            hits.append(
                WorkHit(
                    key=doc.get_first("key") or "",
                    score=0.0 if by_date else float(score),
                    title_html=title_html or str(marked_html(strip_marks(title))),
                    type=doc.get_first("type") or "",
                    year=doc.get_first("year"),
                    language=doc.get_first("language") or "",
                    creators=[str(c) for c in doc.get_all("creators")],
                )
            )
        return WorkResult(total=total, hits=hits, facets=facets)
