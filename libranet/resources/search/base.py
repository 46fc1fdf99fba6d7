"""What the search service takes and gives, and what a backend must do. Plain data: the pages,
the API and the tests read these; the backends (Tantivy, PostgreSQL) fill them."""

import datetime
import html
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .query import ParsedQuery

Sort = Literal["relevance", "date", "date_asc"]
SORTS: tuple[str, ...] = ("relevance", "date", "date_asc")
FACETS: tuple[str, ...] = ("type", "collection", "decade", "language", "access_level")
# The union search's facets of partner works (``scope``): holding library, region, source.
PARTNER_FACETS: tuple[str, ...] = ("library", "region", "source")
SCOPES: tuple[str, ...] = ("library", "partners", "all")
Progress = Callable[[int, int], None]  # (done, total)


class SearchError(Exception):
    """A search request that cannot be answered as asked (a filter value that does not exist,
    a page size out of range); the message is for the person, ``field`` names the parameter.
    The query text itself never raises: what cannot be used is dropped with a note."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class IndexUnavailable(Exception):
    """The index is missing, unreadable, or of an older schema: it must be rebuilt."""


@dataclass(frozen=True)
class SearchFilters:
    """Narrow a search; several values of one filter are alternatives (OR), different filters
    all apply (AND). ``collections`` takes collection codes and includes their sub-collections."""

    types: tuple[str, ...] = ()
    collections: tuple[str, ...] = ()
    decades: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()
    access_levels: tuple[str, ...] = ()
    readable_here: bool = False
    # Partner works only (the union search): holding libraries (Institution pks), their
    # regions (Region or, abroad, Country codes), partner catalogs (CatalogSource pks).
    libraries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "SearchFilters":
        """From a ``QueryDict`` (``request.GET``) or a dict of strings or lists: the parameters
        ``type``, ``collection``, ``decade``, ``language``, ``access_level`` (each repeatable)
        and ``readable_here`` (``1``/``true``/``yes``/``on``), and for partner works
        ``library``, ``region``, ``source`` (each repeatable). Raises ``SearchError`` for a
        decade that is not a number."""

        def values(name: str) -> tuple[str, ...]:
            if hasattr(params, "getlist"):
                raw = params.getlist(name)
            else:
                raw = params.get(name, ())
                raw = [raw] if isinstance(raw, str | int) else list(raw or ())
            return tuple(dict.fromkeys(str(v).strip() for v in raw if str(v).strip()))

        decades = []
        for value in values("decade"):
            try:
                decades.append(int(value.rstrip("s")))
            except ValueError:
                raise SearchError(
                    _("“{value}” is not a decade; give its first year, such as 1990.").format(
                        value=value[:20]
                    ),
                    "decade",
                ) from None
        readable = values("readable_here")
        return cls(
            types=values("type"),
            collections=values("collection"),
            decades=tuple(decades),
            languages=values("language"),
            access_levels=values("access_level"),
            readable_here=bool(readable) and readable[-1].lower() in ("1", "true", "yes", "on"),
            libraries=values("library"),
            regions=values("region"),
            sources=values("source"),
        )

    @property
    def library_only(self) -> bool:
        """Asks for what only the Library's resources have (partner works are left out)."""
        return bool(self.collections or self.access_levels or self.readable_here)

    @property
    def partners_only(self) -> bool:
        """Asks for what only partner works have (the Library's resources are left out)."""
        return bool(self.libraries or self.regions or self.sources)

    def selected(self, facet: str) -> frozenset[str]:
        """The selected values of a facet, as strings (the form facet values take)."""
        if facet == "readable_here":
            return frozenset({"1"}) if self.readable_here else frozenset()
        return frozenset(
            str(v)
            for v in {
                "type": self.types,
                "collection": self.collections,
                "decade": self.decades,
                "language": self.languages,
                "access_level": self.access_levels,
                "library": self.libraries,
                "region": self.regions,
                "source": self.sources,
            }[facet]
        )


@dataclass(frozen=True)
class FacetValue:
    value: str  # what to pass back as the filter parameter
    label: str  # in the active language
    count: int
    selected: bool = False


@dataclass(frozen=True)
class SearchHit:
    id: int  # Resource.pk; 0 for a partner work
    identifier: str  # a partner work's: its work key
    score: float  # relevance (0.0 when sorted by date or with no query words)
    title: SafeString  # in the active language, HTML-escaped, matches in <mark>
    snippet: SafeString  # an excerpt of the description or text with the matches, or ""
    type: str
    access_level: str
    readable_here: bool  # may this user read its files from this place (access.readable_levels)
    # "resource" (the Library's) or "partner_work" (held by partner libraries: metadata only,
    # no files, no access level; its ``holdings`` nearest first when the visitor's center
    # is known, each a ``libranet.catalogs.union.Holding``).
    kind: str = "resource"
    holdings: tuple[Any, ...] = ()
    year: int | None = None  # partner works only
    language: str = ""  # partner works only
    creators: tuple[str, ...] = ()  # partner works only

    @property
    def is_partner(self) -> bool:
        return self.kind == "partner_work"


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int
    page: int
    page_size: int
    offset: int
    hits: list[SearchHit]
    # "type", "collection", "decade", "language", "access_level", "readable_here": counts over
    # all the results (not only this page). Empty when asked without facets.
    facets: dict[str, list[FacetValue]]
    readable_here_count: int | None  # None when asked without facets
    sort: str
    messages: list[str] = field(default_factory=list)  # notes on the query, for the person
    backend: str = ""
    # True when the decade and collection counts were estimated from a sample (very many
    # results, Tantivy): show them as approximate ("≈"). Totals, types, languages, access
    # levels and "readable here" are always exact.
    facets_approximate: bool = False

    scope: str = "library"

    @property
    def resource_ids(self) -> list[int]:
        return [hit.id for hit in self.hits if not hit.is_partner]

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.hits) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


@dataclass
class SearchDocument:
    """What the index holds of one resource, in plain values: built from the database by
    ``documents.py`` (or by the benchmark from its synthetic corpus)."""

    id: int
    identifier: str
    title_ru: str
    title_en: str = ""
    creators: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    description_ru: str = ""
    description_en: str = ""
    text: str = ""  # extracted text of the files
    type: str = "other"
    language: str = ""
    access_level: str = "open"
    collections: list[str] = field(default_factory=list)  # codes, with every ancestor's
    # The same codes by collection: each one's path from the top, less what an earlier one
    # holds (the facet columns keep paths together, so they have few distinct values).
    collection_groups: list[list[str]] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    modified: datetime.datetime | None = None

    def __post_init__(self) -> None:
        # One year given stands for both ends of the span.
        if self.year_from is None:
            self.year_from = self.year_to
        if self.year_to is None:
            self.year_to = self.year_from
        if not self.collection_groups and self.collections:
            self.collection_groups = [list(self.collections)]

    @property
    def decade(self) -> int | None:
        """The decade its date begins in (a span counts where it begins): the decade facet
        and filter. None without a date."""
        return None if self.year_from is None else self.year_from // 10 * 10


@dataclass(frozen=True)
class BackendQuery:
    """A search as the service hands it to a backend: parsed, validated, with the access
    levels the person may see and read already decided."""

    parsed: ParsedQuery
    filters: SearchFilters  # types, collections, decades, languages (levels are decided below)
    levels: frozenset[str]  # the access levels to find: visible, filtered, readable if asked
    # The access levels whose files the person may read here (access.readable_levels): only
    # these documents' file text may be quoted in a snippet; the others show their description
    # (the text still matches, so a restricted book is found by its words).
    quotable: frozenset[str]
    sort: str
    offset: int
    limit: int
    with_facets: bool
    language: str  # "ru" or "en": which title and description to show


@dataclass
class BackendHit:
    id: int
    identifier: str
    score: float
    title_html: str
    snippet_html: str
    type: str
    access_level: str


@dataclass
class BackendResult:
    total: int
    hits: list[BackendHit]
    facets: dict[str, dict[str, int]]  # facet -> value -> count (the FACETS above)
    messages: list[str] = field(default_factory=list)
    facets_approximate: bool = False  # decades and collections counted on a sample


class SearchBackend(Protocol):
    name: str
    # Which cursor of the change log this index follows: each Tantivy index its own (one per
    # server), the shared PostgreSQL table one ("postgres").
    index_name: str
    text_limit: int  # characters of a resource's file text that are indexed

    def search(self, request: BackendQuery) -> BackendResult: ...

    def writing(self) -> AbstractContextManager[bool]:
        """Hold the index's write lock if free (yields whether it was got)."""
        ...

    def writing_wait(self) -> AbstractContextManager[None]:
        """Hold the index's write lock, waiting for it."""
        ...

    def apply(self, *, upserts: list[SearchDocument], deletes: Iterable[int]) -> None:
        """Replace these resources' documents (and remove those of ``deletes``); the caller
        holds the write lock."""
        ...

    def rebuild(
        self, documents: Iterator[SearchDocument], *, total: int, progress: Progress
    ) -> int:
        """Replace the whole index with ``documents``; searches see the old index until the
        new one is complete. The caller holds the write lock."""
        ...

    def needs_rebuild(self) -> bool:
        """Whether the index is missing or unusable (it must be rebuilt from the database)."""
        ...


# Private-use characters that stand for <mark> and </mark> until the text is escaped.
MARK_START = "\ue000"
MARK_END = "\ue001"


def marked_html(text: str) -> SafeString:
    """Escape ``text`` for HTML and turn the MARK_START/MARK_END pairs into <mark> elements."""
    escaped = html.escape(text, quote=False)
    if MARK_START in escaped:
        escaped = escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
        # A start without its end (a fragment cut mid-match) must not leave <mark> open.
        if escaped.count("<mark>") != escaped.count("</mark>"):
            escaped = escaped.replace("<mark>", "").replace("</mark>", "")
    return mark_safe(escaped)  # noqa: S308 (escaped just above; only our own tags added)


def strip_marks(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")
