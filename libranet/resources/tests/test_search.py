"""Search through the service, on both backends (PostgreSQL's only when the tests run on
PostgreSQL: ``make test`` with LIBRANET_TEST_POSTGRES=1): stemming, phrases, fields, forgiving
syntax, facets, "readable here" per person and place, staff-only records, sorting, paging."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import translation

from libranet.network.places import OUTSIDE, Place
from libranet.resources.search import (
    SearchError,
    SearchFilters,
    get_backend,
    index_apply_changes,
    search,
)
from libranet.resources.services import collection_create, resource_create

pytestmark = pytest.mark.django_db

ALL_LEVELS = {"open", "readers", "on_site", "staff"}


@pytest.fixture(params=["tantivy", "postgres"])
def backend(request, settings):
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the postgres backend runs on PostgreSQL (DATABASE_URL)")
    settings.LIBRANET_SEARCH_BACKEND = request.param
    return request.param


def make(identifier, **fields):
    fields.setdefault("type", "book")
    fields.setdefault("access_level", "open")
    fields.setdefault("language", "ru")
    return resource_create(actor=None, identifier=identifier, **fields)


@pytest.fixture
def catalogue(backend):
    presidents = collection_create(
        actor=None, code="presidents", name_ru="Президенты", name_en="Presidents"
    )
    collection_create(
        actor=None,
        code="inaugurations",
        name_ru="Инаугурации",
        name_en="Inaugurations",
        parent=presidents,
    )
    collection_create(actor=None, code="regions", name_ru="Регионы", name_en="Regions")
    made = {
        "r1": make(
            "test-001",
            title_ru="Библиотека Тверской области",
            title_en="Library of Tver Region",
            creators=["Пушкин, Александр Сергеевич"],
            subjects=["библиотечное дело"],
            date_text="1950",
            collections=["inaugurations"],
            description_ru="История <script>alert(1)</script> областной библиотеки и её читателей.",
        ),
        "r2": make(
            "test-002",
            type="periodical",
            access_level="on_site",
            title_ru="Война и мир",
            creators=["Толстой, Лев Николаевич"],
            date_text="1869",
            collections=["presidents"],
            description_ru="Роман-эпопея о войне 1812 года.",
        ),
        "r3": make(
            "test-003",
            type="map",
            access_level="readers",
            title_ru="Мир и война",
            date_text="1812",
            collections=["regions"],
            description_en="A map of the campaign",
        ),
        "r4": make(
            "test-004",
            type="photograph",
            title_ru="Фотография президента",
            title_en="Public libraries of Russia",
            date_text="1995–2005",
            language="en",
        ),
        "r5": make(
            "test-005",
            type="archival",
            access_level="staff",
            title_ru="Служебная записка библиотеки",
            date_text="2001",
        ),
        "r6": make(
            "test-006",
            type="manuscript",
            title_ru="Рукопись о Пушкине",
            creators=["Жуковский, Василий Андреевич"],
            subjects=["Пушкин"],
            date_text="1830",
        ),
        "r7": make("test-007", type="other", title_ru="Без даты", language=""),
    }
    assert index_apply_changes() == len(made)
    return made


@pytest.fixture
def staff(operator_user):
    return operator_user


@pytest.fixture
def in_center(tver_rc):
    return Place(center=tver_rc, via="network")


def find(query="", user=None, place=OUTSIDE, **options):
    return search(query=query, user=user or AnonymousUser(), place=place, **options)


def ids(results):
    return [hit.identifier for hit in results.hits]


def found(query, **options):
    return set(ids(find(query, **options)))


def test_russian_stemming(catalogue):
    # «библиотеки» finds «Библиотека»; the staff-only note is not shown to the public.
    assert found("библиотеки") == {"test-001"}
    assert found("Библиотека") == {"test-001"}
    assert found("БИБЛИОТЕКАМИ") == {"test-001"}


def test_english_stemming(catalogue):
    assert found("library") == {"test-001", "test-004"}
    assert found("Libraries") == {"test-001", "test-004"}


def test_phrase(catalogue):
    assert found('"война и мир"') == {"test-002"}
    assert found("война мир") == {"test-002", "test-003"}


def test_field_prefixes(catalogue):
    assert found("Пушкин") == {"test-001", "test-006"}
    assert found("author:Пушкин") == {"test-001"}
    assert found("subject:Пушкин") == {"test-006"}
    assert found("title:война") == {"test-002", "test-003"}
    assert found("title:библиотечное") == set()
    assert found("year:1812") == {"test-003"}
    assert found("year:1800-1870") == {"test-002", "test-003", "test-006"}
    assert found("year:2000 library") == {"test-004"}


def test_identifier(catalogue):
    assert found("test-004") == {"test-004"}


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        'title:"unbalanced',
        "война AND OR NOT",
        "+война -мир (a OR b) * ~ ^ : :: ||",
        "author: title: year: subject:",
        "year:abc",
        "a" * 500,
        "библиотека " * 1100,  # over 10 kB
        "\x00\u202e<script>alert(1)</script>' OR 1=1 --",
        "*",
        "",
    ],
)
def test_hostile_queries_never_raise(catalogue, query):
    results = find(query)
    assert results.total >= 0
    assert all("<script>" not in hit.title + hit.snippet for hit in results.hits)


def test_long_query_says_it_was_cut(catalogue):
    results = find("библиотека " * 1100)
    assert ids(results) == ["test-001"]
    assert any("too long" in message for message in results.messages)


def test_matches_are_marked_and_the_rest_escaped(catalogue):
    with translation.override("ru"):
        results = find("читателей библиотеки")
    (hit,) = results.hits
    assert "<mark>Библиотека</mark>" in hit.title
    assert "<mark>читателей</mark>" in hit.snippet
    assert "<script>" not in hit.snippet
    with translation.override("en"):
        (hit,) = [h for h in find("library").hits if h.identifier == "test-004"]
    assert hit.title == "Public <mark>libraries</mark> of Russia"


def test_facets_count_every_result(catalogue):
    results = find("")
    assert results.total == 6  # the staff-only one is not listed for the public

    def counts(facet):
        return {v.value: v.count for v in results.facets[facet]}

    assert counts("type") == {
        "book": 1,
        "periodical": 1,
        "map": 1,
        "photograph": 1,
        "manuscript": 1,
        "other": 1,
    }
    # A sub-collection's resource counts in its parent too.
    assert counts("collection") == {"presidents": 2, "inaugurations": 1, "regions": 1}
    # A span (r4, 1995–2005) counts in the decade it begins in.
    assert counts("decade") == {"1810": 1, "1830": 1, "1860": 1, "1950": 1, "1990": 1}
    assert counts("language") == {"ru": 4, "en": 1}
    assert counts("access_level") == {"open": 4, "on_site": 1, "readers": 1}
    labels = {v.value: v.label for v in results.facets["collection"]}
    assert labels["presidents"] == "Presidents"
    assert [v.value for v in results.facets["decade"]] == ["1810", "1830", "1860", "1950", "1990"]


def test_many_matches_count_decades_and_collections_on_a_sample(catalogue, backend, monkeypatch):
    if backend != "tantivy":
        pytest.skip("PostgreSQL counts every match")
    from libranet.resources.search import tantivy_backend

    exact = find("")
    assert not exact.facets_approximate
    monkeypatch.setattr(tantivy_backend, "EXACT_FACETS", 2)
    get_backend()._facet_cache.clear()
    sampled = find("")
    assert sampled.facets_approximate
    # Totals, types, languages, access levels and "readable here" stay exact.
    assert sampled.total == exact.total
    assert sampled.readable_here_count == exact.readable_here_count
    for facet in ("type", "language", "access_level", "readable_here"):
        assert sampled.facets[facet] == exact.facets[facet]
    # Decades and collections: the sample's counts, scaled (1 in 4 here).
    assert all(v.count % 4 == 0 for v in sampled.facets["decade"] + sampled.facets["collection"])


def test_facets_follow_the_query(catalogue):
    results = find("война")
    assert {v.value: v.count for v in results.facets["type"]} == {"periodical": 1, "map": 1}
    assert results.total == 2


@pytest.mark.parametrize(
    ("who", "where", "readable"),
    [
        ("anonymous", "outside", 4),  # open only
        ("anonymous", "center", 6),  # and what the premises open: readers', on-site
        ("staff", "outside", 7),  # everything, the staff-only note too
    ],
)
def test_readable_here_per_person_and_place(catalogue, staff, in_center, who, where, readable):
    user = staff if who == "staff" else AnonymousUser()
    place = in_center if where == "center" else OUTSIDE
    results = find("", user=user, place=place)
    assert results.readable_here_count == readable
    assert {v.value: v.count for v in results.facets["readable_here"]} == {
        "1": readable,
        "0": results.total - readable,
    }
    assert sum(hit.readable_here for hit in results.hits) == readable
    only = find("", user=user, place=place, filters=SearchFilters(readable_here=True))
    assert only.total == readable
    assert all(hit.readable_here for hit in only.hits)


def test_staff_only_resources_are_found_by_staff_only(catalogue, staff, in_center):
    assert "test-005" not in found("записка")
    assert "test-005" not in found("записка", place=in_center)
    assert found("записка", user=staff) == {"test-005"}
    assert find("", user=staff).total == 7
    assert find("", filters=SearchFilters(access_levels=("staff",))).total == 0


def test_filters(catalogue):
    assert found("", filters=SearchFilters(types=("map", "book"))) == {"test-001", "test-003"}
    assert found("", filters=SearchFilters(collections=("presidents",))) == {"test-001", "test-002"}
    assert found("", filters=SearchFilters(decades=(1990,))) == {"test-004"}
    assert found("", filters=SearchFilters(decades=(2000,))) == set()  # r5, staff-only
    assert found("", filters=SearchFilters(languages=("en",))) == {"test-004"}
    assert found("", filters=SearchFilters(access_levels=("on_site", "readers"))) == {
        "test-002",
        "test-003",
    }
    assert found("война", filters=SearchFilters(types=("map",))) == {"test-003"}


def test_filters_from_request_parameters(catalogue):
    from django.http import QueryDict

    filters = SearchFilters.from_params(
        QueryDict("type=map&type=book&decade=1810&readable_here=1&collection=regions")
    )
    assert filters == SearchFilters(
        types=("map", "book"), decades=(1810,), collections=("regions",), readable_here=True
    )
    with pytest.raises(SearchError) as error:
        SearchFilters.from_params({"decade": "nineties"})
    assert error.value.field == "decade"


def test_a_selected_value_is_listed_even_without_results(catalogue):
    results = find("война", filters=SearchFilters(types=("video",)))
    assert results.total == 0
    assert [(v.value, v.count, v.selected) for v in results.facets["type"]] == [("video", 0, True)]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"sort": "title"}, "sort"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 100_000}, "page_size"),
        ({"page": 0}, "page"),
        ({"offset": -1}, "offset"),
        ({"filters": SearchFilters(types=("novel",))}, "type"),
        ({"filters": SearchFilters(access_levels=("secret",))}, "access_level"),
        ({"filters": SearchFilters(decades=(1995,))}, "decade"),
    ],
)
def test_requests_that_cannot_be_answered(catalogue, options, field):
    with pytest.raises(SearchError) as error:
        find("война", **options)
    assert error.value.field == field
    assert error.value.message


def test_sort_by_date(catalogue):
    newest = ["test-004", "test-001", "test-002", "test-006", "test-003", "test-007"]
    assert ids(find("", sort="date")) == newest
    assert ids(find("", sort="date_asc")) == [*newest[:-1][::-1], "test-007"]  # undated last
    assert ids(find("война", sort="date")) == ["test-002", "test-003"]
    assert ids(find("война", sort="date_asc")) == ["test-003", "test-002"]


def test_relevance_puts_title_matches_first(catalogue):
    # «Пушкин» as the author (r1) and in the title and subject (r6): the title weighs most.
    assert ids(find("Пушкин"))[0] == "test-006"
    scores = [hit.score for hit in find("Пушкин").hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


@pytest.mark.parametrize("way", ["over-fetch", "too few kept", "filter in the query"])
def test_every_way_to_the_top_hits_agrees(catalogue, backend, monkeypatch, staff, way):
    """Tantivy takes the top hits without the access filter and filters them after, falling
    back to the filter in the query when too few are left: the same hits either way."""
    from libranet.resources.search import tantivy_backend

    expected = {
        (who, readable): ids(find("", user=who, sort="date", page_size=3, filters=f))
        for who in (AnonymousUser(), staff)
        for readable in (False, True)
        for f in [SearchFilters(readable_here=readable)]
    }
    if way == "too few kept":
        monkeypatch.setattr(tantivy_backend, "OVERFETCH_FACTOR", 0)
        monkeypatch.setattr(tantivy_backend, "OVERFETCH_EXTRA", 1)
    elif way == "filter in the query":
        monkeypatch.setattr(tantivy_backend, "OVERFETCH_LIMIT", 0)
    if backend == "tantivy":
        get_backend()._facet_cache.clear()
    for (who, readable), hits in expected.items():
        filters = SearchFilters(readable_here=readable)
        assert ids(find("", user=who, sort="date", page_size=3, filters=filters)) == hits
        assert (
            ids(find("", user=who, sort="date", page=2, page_size=3, filters=filters))
            == ids(find("", user=who, sort="date", page_size=20, filters=filters))[3:6]
        )


def test_pagination(catalogue):
    pages = [find("", sort="date", page=n, page_size=2) for n in (1, 2, 3, 4)]
    assert [ids(p) for p in pages] == [
        ["test-004", "test-001"],
        ["test-002", "test-006"],
        ["test-003", "test-007"],
        [],
    ]
    assert pages[0].num_pages == 3 and pages[0].has_next and not pages[0].has_previous
    assert not pages[2].has_next and pages[2].has_previous
    assert all(p.total == 6 for p in pages)
    by_offset = find("", sort="date", offset=3, page_size=2)
    assert ids(by_offset) == ["test-006", "test-003"]
    assert by_offset.offset == 3


def test_paging_past_the_window_is_refused_kindly(catalogue):
    results = find("", offset=10_000)
    assert results.hits == [] and results.total == 6
    assert results.messages


def test_without_facets(catalogue):
    results = find("война", facets=False)
    assert results.total == 2 and results.facets == {} and results.readable_here_count is None
    assert len(results.hits) == 2


def test_results_shape(catalogue):
    results = find("война")
    hit = results.hits[0]
    assert results.backend in ("tantivy", "postgres")
    assert results.resource_ids == [h.id for h in results.hits]
    assert hit.type in ("periodical", "map") and hit.access_level in ALL_LEVELS
    assert isinstance(hit.score, float)


def test_postgres_backend_needs_postgresql(settings, db):
    settings.LIBRANET_SEARCH_BACKEND = "postgres"
    if connection.vendor == "postgresql":
        assert get_backend().name == "postgres"
    else:
        with pytest.raises(ImproperlyConfigured, match="PostgreSQL"):
            find("война")
    settings.LIBRANET_SEARCH_BACKEND = "elastic"
    with pytest.raises(ImproperlyConfigured):
        get_backend()


SECRET = "Текст страницы о губернаторах и губернских библиотеках."


@pytest.fixture
def confirmed_reader(make_staff):
    from django.utils import timezone

    from libranet.accounts.models import EsiaIdentity

    user = make_staff("confirmed.reader")
    now = timezone.now()
    EsiaIdentity.objects.create(
        user=user, oid="7", confirmed=True, confirmed_checked_at=now, consent_accepted_at=now
    )
    return user


def with_pdf(identifier, level, description=""):
    from libranet.resources.models import ResourceFile

    resource = make(identifier, title_ru="Сборник", access_level=level, description_ru=description)
    ResourceFile.objects.create(
        resource=resource,
        kind="pdf",
        file=f"resources/{identifier}.pdf",
        content_type="application/pdf",
        extracted_text=SECRET,
    )
    return resource


@pytest.mark.parametrize(
    ("level", "who", "where", "quoted"),
    [
        ("on_site", "anonymous", "outside", False),
        ("on_site", "confirmed", "outside", False),
        ("on_site", "anonymous", "center", True),
        ("readers", "anonymous", "outside", False),
        ("readers", "confirmed", "outside", True),
        ("open", "anonymous", "outside", True),
    ],
)
def test_snippets_quote_only_text_readable_here(
    backend, in_center, confirmed_reader, level, who, where, quoted
):
    """A restricted book is found by the words of its files, but its snippet quotes them only
    to whoever may read them here; the others see its description."""
    with_pdf("pdf-1", level, description="Сборник документов области.")
    with_pdf("pdf-2", level)  # no description: nothing to show instead
    index_apply_changes()
    user = confirmed_reader if who == "confirmed" else None
    place = in_center if where == "center" else OUTSIDE
    results = find("губернатор", user=user, place=place)
    assert {hit.identifier for hit in results.hits} == {"pdf-1", "pdf-2"}
    for hit in results.hits:
        assert ("губернск" in hit.snippet) is quoted, hit.snippet
        if not quoted:
            assert hit.snippet in ("Сборник документов области.", "")
    if not quoted:  # nor without query words (an excerpt from the start of the text)
        assert all("губернск" not in hit.snippet for hit in find("", user=user, place=place).hits)
