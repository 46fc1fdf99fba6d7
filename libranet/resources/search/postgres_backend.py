"""PostgreSQL full-text search: for installations whose application servers share one
PostgreSQL and no index folder. The documents live in the table ``resources_searchdocument``
(migration 0003, on PostgreSQL only): plain columns for filters and facets, and one
``document`` tsvector generated from them, each field through its language's configuration
(``russian`` for the Russian fields and for creators, subjects and file text, whose language
is unknown: it stems Cyrillic words with the Russian Snowball stemmer and Latin ones with the
English; ``english`` for the English fields), weighted A (titles), B (creators), C (subjects),
D (descriptions, file text), with a GIN index. A query word is looked up in both
configurations' forms; ``ts_rank_cd`` ranks, ``ts_headline`` marks the snippets.

Correct first: facets are GROUP BYs over every match, and ranking reads every match too, so
a very common word costs what the number of its matches costs (the benchmark's figures).
"""

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from .base import (
    MARK_END,
    MARK_START,
    BackendHit,
    BackendQuery,
    BackendResult,
    Progress,
    SearchDocument,
    marked_html,
    strip_marks,
)
from .query import Clause

TABLE = "resources_searchdocument"
LOCK_KEY = 0x6C6962726E7331  # pg advisory lock of whoever writes the documents
LEVELS = ("open", "readers", "on_site", "staff")
WEIGHTS = {"any": "", "title": "A", "author": "B", "subject": "C"}
SNIPPET_SOURCE_CHARS = 20_000
COLUMNS = (
    "resource_id",
    "identifier",
    "type",
    "language",
    "access_level",
    "collections",
    "decade",
    "year_from",
    "year_to",
    "modified_at",
    "title_ru",
    "title_en",
    "creators",
    "subjects",
    "description_ru",
    "description_en",
    "body",
    "generation",
)
HEADLINE = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=35, MinWords=12, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)
TITLE_HEADLINE = f'StartSel="{MARK_START}", StopSel="{MARK_END}", HighlightAll=true'


def _clean(text: str) -> str:
    return text.replace("\x00", " ")


def _row(document: SearchDocument, generation: int, text_limit: int) -> tuple:
    return (
        document.id,
        _clean(document.identifier),
        document.type,
        _clean(document.language),
        document.access_level,
        [_clean(c) for c in document.collections],
        document.decade,
        document.year_from,
        document.year_to,
        document.modified,
        _clean(document.title_ru),
        _clean(document.title_en),
        _clean("\n".join(document.creators)),
        _clean("\n".join(document.subjects)),
        _clean(document.description_ru),
        _clean(document.description_en),
        _clean(document.text[:text_limit]),
        generation,
    )


def tsquery_text(clause: Clause) -> str:
    """The clause in to_tsquery's syntax. Its words are letters and digits only (query.py),
    so quoting them is enough to keep every operator out."""
    weight = WEIGHTS[clause.field]
    suffix = f":{weight}" if weight else ""
    return " <-> ".join(f"'{word}'{suffix}" for word in clause.words)


class PostgresBackend:
    name = "postgres"
    index_name = "postgres"  # one table shared by every server: one cursor
    # Characters of file text per resource: a tsvector holds at most 1 MB.
    text_limit = 100_000
    # The documents are in the same database as the outbox: both change in one transaction.
    applies_in_transaction = True

    def needs_rebuild(self) -> bool:
        return False  # the table comes with the migrations; its rows follow the outbox

    @contextmanager
    def writing(self) -> Iterator[bool]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            got = cursor.fetchone()[0]
        try:
            yield got
        finally:
            if got:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])

    @contextmanager
    def writing_wait(self) -> Iterator[None]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])

    def apply(self, *, upserts: list[SearchDocument], deletes: Iterable[int]) -> None:
        ids = sorted({d.id for d in upserts} | set(deletes))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE resource_id = ANY(%s)", [ids])  # noqa: S608
            self._insert(cursor, upserts, 0)

    def _insert(self, cursor, documents: list[SearchDocument], generation: int) -> None:
        if not documents:
            return
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:])
        cursor.executemany(
            f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({placeholders}) "  # noqa: S608
            f"ON CONFLICT (resource_id) DO UPDATE SET {updates}",
            [_row(d, generation, self.text_limit) for d in documents],
        )

    def rebuild(
        self, documents: Iterator[SearchDocument], *, total: int, progress: Progress
    ) -> int:
        """Upsert every document with a new generation, batch by batch (searches go on), then
        remove the rows the rebuild did not write (resources gone since)."""
        generation = time.time_ns()
        done = 0
        batch: list[SearchDocument] = []
        progress(0, total)

        def flush() -> None:
            nonlocal done
            with transaction.atomic(), connection.cursor() as cursor:
                self._insert(cursor, batch, generation)
            done += len(batch)
            batch.clear()
            progress(done, total)

        for document in documents:
            batch.append(document)
            if len(batch) >= 200:
                flush()
        flush()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE generation <> %s", [generation])  # noqa: S608
        return done

    # -- searching ----------------------------------------------------------------------

    @staticmethod
    def _tsquery(request: BackendQuery) -> tuple[str, list[Any]]:
        """The tsquery of the required clauses (stop words the configurations drop anyway)."""
        parts: list[str] = []
        params: list[Any] = []
        for clause in request.parsed.clauses:
            if clause.optional:
                continue
            text = tsquery_text(clause)
            parts.append("(to_tsquery('russian', %s) || to_tsquery('english', %s))")
            params += [text, text]
        return " && ".join(parts), params

    @staticmethod
    def _where(request: BackendQuery, has_tsquery: bool) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        parsed = request.parsed
        match: list[str] = []
        if has_tsquery or parsed.years:
            conditions = ["d.document @@ q.q"] if has_tsquery else []
            for first, last in parsed.years:
                conditions.append("d.year_from <= %s AND d.year_to >= %s")
                params += [last, first]
            match.append("(" + " AND ".join(conditions) + ")")
        if parsed.identifier:
            match.append("d.identifier = %s")
            params.append(parsed.identifier)
        if match:
            where.append("(" + " OR ".join(match) + ")")
        elif parsed.clauses:
            where.append("FALSE")  # only words the configurations drop
        filters = request.filters
        for column, values in (("type", filters.types), ("language", filters.languages)):
            if values:
                where.append(f"d.{column} = ANY(%s)")
                params.append(list(values))
        if filters.collections:
            where.append("d.collections && %s::text[]")
            params.append(list(filters.collections))
        if filters.decades:
            where.append("d.decade = ANY(%s::integer[])")
            params.append(list(filters.decades))
        if set(request.levels) != set(LEVELS):
            where.append("d.access_level = ANY(%s)")
            params.append(sorted(request.levels))
        return where or ["TRUE"], params

    def search(self, request: BackendQuery) -> BackendResult:
        tsquery, tsquery_params = self._tsquery(request)
        has_tsquery = bool(tsquery)
        with_q = f"WITH q AS (SELECT {tsquery or 'NULL::tsquery'} AS q)"
        where, where_params = self._where(request, has_tsquery)
        source = f"{TABLE} d CROSS JOIN q WHERE {' AND '.join(where)}"
        params = tsquery_params + where_params

        total = 0
        facets: dict[str, dict[str, int]] = {}
        with connection.cursor() as cursor:
            if request.with_facets:
                cursor.execute(
                    f"""{with_q}, m AS MATERIALIZED (
                            SELECT d.type, d.language, d.access_level, d.collections, d.decade
                            FROM {source})
                        SELECT 'type', type, count(*) FROM m GROUP BY type
                        UNION ALL SELECT 'language', language, count(*) FROM m
                            WHERE language <> '' GROUP BY language
                        UNION ALL SELECT 'access_level', access_level, count(*) FROM m
                            GROUP BY access_level
                        UNION ALL SELECT 'collection', c, count(*)
                            FROM m CROSS JOIN unnest(m.collections) AS c GROUP BY c
                        UNION ALL SELECT 'decade', decade::text, count(*) FROM m
                            WHERE decade IS NOT NULL GROUP BY decade""",  # noqa: S608
                    params,
                )
                for facet, value, count in cursor.fetchall():
                    facets.setdefault(facet, {})[value] = count
                total = sum(facets.get("access_level", {}).values())
            else:
                cursor.execute(f"{with_q} SELECT count(*) FROM {source}", params)  # noqa: S608
                total = cursor.fetchone()[0]
            hits: list[BackendHit] = []
            if total and request.limit:
                hits = self._hits(
                    cursor, request, with_q, tsquery_params, source, where_params, has_tsquery
                )
        return BackendResult(total=total, hits=hits, facets=facets)

    @staticmethod
    def _order(request: BackendQuery, ranked: bool, prefix: str) -> str:
        if request.sort == "date_asc":
            return f"{prefix}year_from ASC NULLS LAST, {prefix}resource_id"
        if request.sort == "date" or not ranked:
            return f"{prefix}year_from DESC NULLS LAST, {prefix}resource_id"
        return f"{prefix}score DESC, {prefix}resource_id"

    def _hits(
        self,
        cursor,
        request: BackendQuery,
        with_q: str,
        tsquery_params: list,
        source: str,
        where_params: list,
        has_tsquery: bool,
    ) -> list[BackendHit]:
        language = request.language
        other = "ru" if language == "en" else "en"
        identifier = request.parsed.identifier
        score = "ts_rank_cd(d.document, q.q)" if has_tsquery else "0.0"
        score_params: list = []
        if identifier:
            score = f"({score} + CASE WHEN d.identifier = %s THEN 10 ELSE 0 END)"
            score_params.append(identifier)
        ranked = has_tsquery or bool(identifier)
        title = f"CASE WHEN p.title_{language} <> '' THEN p.title_{language} ELSE p.title_ru END"
        text = (
            f"concat_ws(' … ', NULLIF(p.description_{language}, ''), "
            f"NULLIF(p.description_{other}, ''), p.body)"
        )
        if has_tsquery:
            # 'russian' parses both alphabets (Latin words through the English stemmer).
            shown = (
                f"ts_headline('russian', {title}, q.q, %s), ts_headline('russian', {text}, q.q, %s)"
            )
            shown_params = [TITLE_HEADLINE, HEADLINE]
        else:
            shown, shown_params = f"{title}, left({text}, 400)", []
        cursor.execute(
            f"""{with_q}
                SELECT p.resource_id, p.identifier, p.score, {shown}, p.type, p.access_level
                FROM (SELECT d.resource_id, d.identifier, d.type, d.access_level, d.year_from,
                             d.title_ru, d.title_en, d.description_ru, d.description_en,
                             CASE WHEN d.access_level = ANY(%s)
                                  THEN NULLIF(left(d.body, {SNIPPET_SOURCE_CHARS}), '') END AS body,
                             {score} AS score
                      FROM {source}
                      ORDER BY {self._order(request, ranked, "")} LIMIT %s OFFSET %s) p
                CROSS JOIN q
                ORDER BY {self._order(request, ranked, "p.")}""",  # noqa: S608
            tsquery_params
            + shown_params
            # Only the text of files the person may read here is quoted; the rest still
            # matches, and its snippet comes from the description.
            + [sorted(request.quotable)]
            + score_params
            + where_params
            + [request.limit, request.offset],
        )
        found = []
        for resource_id, identifier_, rank, title_value, snippet_value, type_, level in cursor:
            if has_tsquery:
                title_out = str(marked_html(title_value or ""))
                snippet_out = str(marked_html(snippet_value)) if snippet_value else ""
            else:
                title_out = str(marked_html(strip_marks(title_value or "")))
                snippet_out = _excerpt(snippet_value or "")
            found.append(
                BackendHit(
                    id=resource_id,
                    identifier=identifier_,
                    score=float(rank),
                    title_html=title_out,
                    snippet_html=snippet_out,
                    type=type_,
                    access_level=level,
                )
            )
        return found


def _excerpt(text: str, chars: int = 200) -> str:
    text = strip_marks(" ".join(text.split()))
    if len(text) > chars:
        text = text[:chars].rsplit(" ", 1)[0] + "…"
    return str(marked_html(text))
