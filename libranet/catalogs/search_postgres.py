"""The partner works in PostgreSQL full text: the table ``catalogs_worksearchdocument``
(migration 0002, on PostgreSQL only) with a weighted ``document`` tsvector (title A, creators
B, subjects C, publisher D), searched as the resources' backend searches its table
(``libranet.resources.search.postgres_backend``: the same tsquery, ``ts_rank_cd``,
``ts_headline``). Writes hold the resources' advisory lock: one writer of the search tables."""

import time
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction

from libranet.resources.search.base import BackendQuery, Progress, marked_html, strip_marks
from libranet.resources.search.postgres_backend import TITLE_HEADLINE, PostgresBackend

from .union import WorkDocument, WorkHit, WorkResult
from .works import isbn13

TABLE = "catalogs_worksearchdocument"
COLUMNS = (
    "work_key",
    "record_ids",
    "isbns",
    "type",
    "language",
    "decade",
    "year",
    "libraries",
    "regions",
    "sources",
    "title",
    "creators",
    "subjects",
    "publisher",
    "generation",
)
ARRAY_FILTERS = (("libraries", "libraries"), ("regions", "regions"), ("sources", "sources"))


def _clean(text: str) -> str:
    return text.replace("\x00", " ")


def _row(work: WorkDocument, generation: int) -> tuple:
    return (
        work.key,
        work.record_ids,
        work.isbns,
        work.type,
        _clean(work.language),
        work.decade,
        work.year,
        work.libraries,
        work.regions,
        work.sources,
        _clean(work.title),
        _clean("\n".join(work.creators)),
        _clean("\n".join(work.subjects)),
        _clean(work.publisher),
        generation,
    )


class PostgresWorks:
    name = "postgres"
    index_name = "postgres"  # one table shared by every server: one mark

    def __init__(self) -> None:
        self._lock = PostgresBackend()  # its advisory lock

    def needs_rebuild(self) -> bool:
        return False  # the table comes with the migrations

    def writing(self):
        return self._lock.writing()

    def writing_wait(self):
        return self._lock.writing_wait()

    def apply(self, *, upserts: list[WorkDocument], deletes: Iterable[str]) -> None:
        keys = sorted({w.key for w in upserts} | set(deletes))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE work_key = ANY(%s)", [keys])  # noqa: S608
            self._insert(cursor, upserts, 0)

    def _insert(self, cursor, works: list[WorkDocument], generation: int) -> None:
        if not works:
            return
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:])
        cursor.executemany(
            f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({placeholders}) "  # noqa: S608
            f"ON CONFLICT (work_key) DO UPDATE SET {updates}",
            [_row(w, generation) for w in works],
        )

    def keys_holding(self, record_ids: list[int]) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT work_key FROM {TABLE} WHERE record_ids && %s::bigint[]",  # noqa: S608
                [list(record_ids)],
            )
            return {key for (key,) in cursor.fetchall()}

    def rebuild(self, documents: Iterator[WorkDocument], *, progress: Progress) -> int:
        """Upsert every work with a new generation, then remove those it did not write."""
        generation = time.time_ns()
        done = 0
        batch: list[WorkDocument] = []

        def flush() -> None:
            nonlocal done
            with transaction.atomic(), connection.cursor() as cursor:
                self._insert(cursor, batch, generation)
            done += len(batch)
            batch.clear()
            progress(done, 0)

        for work in documents:
            batch.append(work)
            if len(batch) >= 500:
                flush()
        flush()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE generation <> %s", [generation])  # noqa: S608
        return done

    # -- searching ----------------------------------------------------------------------

    @staticmethod
    def _where(request: BackendQuery, has_tsquery: bool) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        parsed = request.parsed
        match: list[str] = []
        if has_tsquery or parsed.years:
            conditions = ["d.document @@ q.q"] if has_tsquery else []
            for first, last in parsed.years:
                conditions.append("d.year BETWEEN %s AND %s")
                params += [first, last]
            match.append("(" + " AND ".join(conditions) + ")")
        number = isbn13(parsed.identifier) if parsed.identifier else ""
        if number:
            match.append("%s = ANY(d.isbns)")
            params.append(number)
        if match:
            where.append("(" + " OR ".join(match) + ")")
        elif parsed.clauses or parsed.identifier:
            where.append("FALSE")
        filters = request.filters
        for column, values in (("type", filters.types), ("language", filters.languages)):
            if values:
                where.append(f"d.{column} = ANY(%s)")
                params.append(list(values))
        if filters.decades:
            where.append("d.decade = ANY(%s::integer[])")
            params.append(list(filters.decades))
        for column, attribute in ARRAY_FILTERS:
            values = getattr(filters, attribute)
            if values:
                where.append(f"d.{column} && %s::text[]")
                params.append(list(values))
        return where or ["TRUE"], params

    def search(self, request: BackendQuery) -> WorkResult:
        tsquery, tsquery_params = PostgresBackend._tsquery(request)
        has_tsquery = bool(tsquery)
        with_q = f"WITH q AS (SELECT {tsquery or 'NULL::tsquery'} AS q)"
        where, where_params = self._where(request, has_tsquery)
        source = f"{TABLE} d CROSS JOIN q WHERE {' AND '.join(where)}"
        params = tsquery_params + where_params
        facets: dict[str, dict[str, int]] = {}
        with connection.cursor() as cursor:
            cursor.execute(f"{with_q} SELECT count(*) FROM {source}", params)  # noqa: S608
            total = cursor.fetchone()[0]
            if request.with_facets and total:
                cursor.execute(
                    f"""{with_q}, m AS MATERIALIZED (
                            SELECT d.type, d.language, d.decade, d.libraries, d.regions,
                                   d.sources FROM {source})
                        SELECT 'type', type, count(*) FROM m GROUP BY type
                        UNION ALL SELECT 'language', language, count(*) FROM m
                            WHERE language <> '' GROUP BY language
                        UNION ALL SELECT 'decade', decade::text, count(*) FROM m
                            WHERE decade IS NOT NULL GROUP BY decade
                        UNION ALL SELECT 'library', v, count(*)
                            FROM m CROSS JOIN unnest(m.libraries) AS v GROUP BY v
                        UNION ALL SELECT 'region', v, count(*)
                            FROM m CROSS JOIN unnest(m.regions) AS v GROUP BY v
                        UNION ALL SELECT 'source', v, count(*)
                            FROM m CROSS JOIN unnest(m.sources) AS v GROUP BY v""",  # noqa: S608
                    params,
                )
                for facet, value, count in cursor.fetchall():
                    facets.setdefault(facet, {})[value] = count
            hits: list[WorkHit] = []
            if total and request.limit:
                ranked = has_tsquery or bool(request.parsed.identifier)
                score = "ts_rank_cd(d.document, q.q)" if has_tsquery else "0.0"
                if request.sort == "date_asc":
                    order = "d.year ASC NULLS LAST, d.work_key"
                elif request.sort == "date" or not ranked:
                    order = "d.year DESC NULLS LAST, d.work_key"
                else:
                    order = "score DESC, d.work_key"
                title = "ts_headline('russian', d.title, q.q, %s)" if has_tsquery else "d.title"
                cursor.execute(
                    f"""{with_q} SELECT d.work_key, {score} AS score, {title}, d.type, d.year,
                            d.language, d.creators FROM {source}
                        ORDER BY {order} LIMIT %s OFFSET %s""",  # noqa: S608
                    tsquery_params
                    + ([TITLE_HEADLINE] if has_tsquery else [])
                    + where_params
                    + [request.limit, request.offset],
                )
                for key, rank, title_value, type_, year, language, creators in cursor.fetchall():
                    shown = title_value if has_tsquery else strip_marks(title_value or "")
                    hits.append(
                        WorkHit(
                            key=key,
                            score=float(rank),
                            title_html=str(marked_html(shown or "")),
                            type=type_,
                            year=year,
                            language=language,
                            creators=[c for c in creators.split("\n") if c],
                        )
                    )
        return WorkResult(total=total, hits=hits, facets=facets)
