"""The union search: partner works grouped by work key, searched beside the Library's
resources on both backends (PostgreSQL's only when the tests run on PostgreSQL), their
holdings nearest first for a visitor in a center, the index following the harvests."""

import dataclasses
import datetime
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone, translation

from libranet.catalogs.harvesting import join_editions
from libranet.catalogs.models import CatalogRecord, HarvestRun, WorkIndexMark
from libranet.catalogs.union import (
    works_apply,
    works_backend,
    works_follow,
    works_lag,
    works_rebuild,
)
from libranet.network.places import OUTSIDE, Place
from libranet.resources.search import SearchError, SearchFilters, index_apply_changes, search
from libranet.resources.services import resource_create

pytestmark = pytest.mark.django_db

ONEGIN_ISBN = "9785170906307"


@pytest.fixture(params=["tantivy", "postgres"])
def backend(request, settings):
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the postgres backend runs on PostgreSQL (DATABASE_URL)")
    settings.LIBRANET_SEARCH_BACKEND = request.param
    return request.param


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
    return time_machine


@pytest.fixture
def sources(partner_libraries, make_catalog_source):
    tver, penza = partner_libraries
    return make_catalog_source(tver), make_catalog_source(penza)


@pytest.fixture
def union(backend, clock, sources, make_catalog_record):
    """Records of four works in two partner catalogs, and two of the Library's resources."""
    tver, penza = sources
    made = {
        # one edition, its ISBN written two ways: one work held in Tver and Penza
        "onegin_tver": make_catalog_record(
            tver,
            "Евгений Онегин : роман в стихах",
            creators=["Пушкин, А. С."],
            year=2015,
            isbns=[ONEGIN_ISBN],
        ),
        "onegin_penza": make_catalog_record(
            penza,
            "Евгений Онегин",
            creators=["Пушкин Александр Сергеевич"],
            year=2015,
            isbns=[ONEGIN_ISBN],
        ),
        # no ISBN: the same normalised title, family name and year
        "war_tver": make_catalog_record(
            tver, "Война и мир : роман / Л. Н. Толстой", creators=["Толстой, Л. Н."], year=1978
        ),
        "war_penza": make_catalog_record(
            penza, "ВОЙНА И МИР", creators=["Толстой Лев Николаевич"], year=1978
        ),
        # another edition: another work
        "war_1869": make_catalog_record(
            penza, "Война и мир", creators=["Толстой, Л. Н."], year=1869
        ),
        # no title, no ISBN: no work key, a work of its own
        "untitled": make_catalog_record(penza, "", subjects=["Тверь"], year=1990),
    }
    resource_create(
        actor=None,
        identifier="lib-001",
        type="book",
        access_level="open",
        language="ru",
        title_ru="Евгений Онегин в иллюстрациях",
        creators=["Пушкин, Александр Сергеевич"],
        date_text="1937",
    )
    resource_create(
        actor=None,
        identifier="lib-002",
        type="book",
        access_level="open",
        language="ru",
        title_ru="Библиотеки Тверской области",
        date_text="2001",
    )
    index_apply_changes()
    works_rebuild()
    return made


def find(query="", place=OUTSIDE, **options):
    return search(query=query, user=AnonymousUser(), place=place, **options)


def partner_hits(results):
    return [hit for hit in results.hits if hit.is_partner]


def libraries(hit):
    return [holding.library for holding in hit.holdings]


def test_one_result_per_work(union, partner_libraries):
    tver, penza = partner_libraries
    results = find("онегин", scope="partners")
    assert results.total == 1
    (onegin,) = results.hits
    assert onegin.kind == "partner_work" and onegin.identifier == f"isbn:{ONEGIN_ISBN}"
    assert sorted(libraries(onegin)) == sorted([str(tver), str(penza)])
    # same normalised title, creator and year: one work; another year: another work
    war = find("война мир", scope="partners", sort="date")
    assert war.total == 2
    assert [hit.year for hit in war.hits] == [1978, 1869]
    assert len(war.hits[0].holdings) == 2 and len(war.hits[1].holdings) == 1
    # a record without a work key is found as a work of its own
    assert find("тверь", scope="partners").total == 1


def test_scope(union):
    library = find("онегин")
    assert library.scope == "library" and [hit.kind for hit in library.hits] == ["resource"]
    both = find("онегин", scope="all")
    assert both.total == 2
    assert {hit.kind for hit in both.hits} == {"resource", "partner_work"}
    assert both.resource_ids == [library.hits[0].id]
    assert find("онегин", scope="partners").total == 1
    with pytest.raises(SearchError) as error:
        find("онегин", scope="world")
    assert error.value.field == "scope"


def test_all_without_words_lists_both_by_year_and_pages(union):
    everything = find(scope="all", page_size=3)
    assert everything.total == 2 + 4  # two resources, four works
    years = [hit.year for hit in everything.hits]
    assert years[0] == 2015  # the newest first, the Library's and the partners' together
    second = find(scope="all", page_size=3, page=2)
    third = find(scope="all", page_size=3, page=3)
    seen = [h.identifier for r in (everything, second, third) for h in r.hits]
    assert len(seen) == 6 and len(set(seen)) == 6


def test_facets_by_library_region_and_source(union, sources, partner_libraries):
    tver, penza = partner_libraries
    with translation.override("en"):
        results = find("война", scope="all")
    facets = {
        name: {v.value: (v.label, v.count) for v in values}
        for name, values in results.facets.items()
    }
    assert facets["library"] == {
        str(tver.pk): ("Tver Regional Scientific Library", 1),
        str(penza.pk): ("Lermontov Penza Regional Library", 2),
    }
    assert facets["region"] == {"RU-TVE": ("Tver Region", 1), "RU-PNZ": ("Penza Region", 2)}
    assert facets["source"][str(sources[1].pk)][1] == 2
    assert facets["type"]["book"][1] == 2
    # a partner filter keeps to partner works; a Library filter to the Library's resources
    narrowed = find("", scope="all", filters=SearchFilters(regions=("RU-TVE",)))
    assert {hit.kind for hit in narrowed.hits} == {"partner_work"} and narrowed.total == 2
    only_library = find("", scope="all", filters=SearchFilters(access_levels=("open",)))
    assert {hit.kind for hit in only_library.hits} == {"resource"}


def test_holdings_nearest_first_for_a_visitor_in_a_center(union, tver_rc, partner_libraries):
    tver, penza = partner_libraries
    (outside,) = find("онегин", scope="partners").hits
    assert [h.km for h in outside.holdings] == [None, None]
    here = Place(center=tver_rc, via="network")
    (inside,) = find("онегин", place=here, scope="partners").hits
    assert libraries(inside) == [str(tver), str(penza)]
    assert inside.holdings[0].km == pytest.approx(0, abs=0.01)
    assert 650 < inside.holdings[1].km < 750
    assert inside.holdings[1].region == "RU-PNZ"
    assert inside.holdings[0].link.startswith("https://catalog.example.org/record/")


def test_a_deleted_record_drops_its_library_and_an_empty_work_disappears(
    union, clock, sources, django_capture_on_commit_callbacks, partner_libraries
):
    tver, penza = partner_libraries
    clock.shift(datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        CatalogRecord.objects.filter(pk=union["onegin_penza"].pk).update(
            deleted=True, harvested_at=timezone.now()
        )
        CatalogRecord.objects.filter(pk=union["war_1869"].pk).update(
            deleted=True, harvested_at=timezone.now()
        )
        HarvestRun.objects.create(
            source=sources[1],
            kind="incremental",
            state="succeeded",
            started_at=timezone.now(),
            finished_at=timezone.now(),
        )
    (onegin,) = find("онегин", scope="partners").hits
    assert libraries(onegin) == [str(tver)]
    war = find("война", scope="partners")
    assert [hit.year for hit in war.hits] == [1978]
    mark = WorkIndexMark.objects.get(index_name=works_backend().index_name)
    assert mark.indexed_until == timezone.now()


def test_a_record_whose_key_changed_leaves_its_old_work(union, clock, make_catalog_record):
    clock.shift(datetime.timedelta(hours=1))
    record = union["war_penza"]
    record.year = 1869
    record.work_key = union["war_1869"].work_key
    record.harvested_at = timezone.now()
    record.save()
    assert works_apply()  # the records harvested since the mark (less the overlap)
    war = find("война", scope="partners", sort="date")
    assert [(hit.year, len(hit.holdings)) for hit in war.hits] == [(1978, 1), (1869, 1)]


def test_a_copy_without_isbn_joins_the_work_in_the_search(
    backend, clock, sources, make_catalog_record
):
    copy = make_catalog_record(sources[1], "Мёртвые души", creators=["Гоголь, Н. В."], year=1842)
    edition = make_catalog_record(
        sources[0], "Мёртвые души", creators=["Гоголь Николай"], year=1842, isbns=["9785170906307"]
    )
    works_rebuild()
    assert find("мертвые души", scope="partners").total == 2  # before the join
    clock.shift(datetime.timedelta(hours=1))
    assert join_editions({edition.title_key}, timezone.now()) == 1
    assert works_apply()
    found = find("мертвые души", scope="partners")
    assert found.total == 1
    assert {h.link for h in found.hits[0].holdings} == {copy.link, edition.link}


def test_a_running_harvest_queues_nothing(union, sources, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        HarvestRun.objects.create(source=sources[0], kind="full", started_at=timezone.now())
    assert callbacks == []


def test_a_missing_index_is_rebuilt(backend, clock, sources, make_catalog_record):
    make_catalog_record(sources[0], "Мёртвые души", creators=["Гоголь, Н. В."], year=1842)
    assert works_apply() == 1  # no mark yet: a rebuild
    assert find("мертвые души", scope="partners").total == 1


def test_a_search_without_the_works_index_queues_its_rebuild(
    backend, clock, sources, make_catalog_record
):
    make_catalog_record(sources[0], "Мёртвые души", creators=["Гоголь, Н. В."], year=1842)
    # The first search finds no index (Tantivy) and queues the rebuild (the tests' immediate
    # task backend runs it at once); PostgreSQL's table is there but empty until a harvest.
    find("мертвые души", scope="partners")
    if backend == "postgres":
        works_apply()
    assert find("мертвые души", scope="partners").total == 1


def test_rebuild_search_index_rebuilds_the_works(backend, clock, sources, make_catalog_record):
    make_catalog_record(sources[0], "Мёртвые души", creators=["Гоголь, Н. В."], year=1842)
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Indexed 1 partner works." in out.getvalue()
    assert find("души", scope="partners").total == 1
    assert WorkIndexMark.objects.filter(index_name=works_backend().index_name).exists()


def test_type_decade_and_language_count_both(union):
    results = find("онегин", scope="all")
    decades = {v.value: v.count for v in results.facets["decade"]}
    assert decades == {"1930": 1, "2010": 1}
    assert {v.value: v.count for v in results.facets["type"]} == {"book": 2}
    assert {v.value: v.count for v in results.facets["language"]} == {"ru": 2}
    only_2010s = find("онегин", scope="all", filters=SearchFilters(decades=(2010,)))
    assert [hit.kind for hit in only_2010s.hits] == ["partner_work"]


def test_isbn_query_finds_the_work(union):
    results = find("978-5-17-090630-7", scope="partners")
    assert [hit.identifier for hit in results.hits] == [f"isbn:{ONEGIN_ISBN}"]


# --- the search page -----------------------------------------------------------------------

CENTER_ADDRESS = "192.0.2.10"  # inside tver_rc's network


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("ru", ("Везде", "Фонды Библиотеки", "Каталоги партнёров", "в библиотеках-партнёрах")),
        (
            "en",
            ("Everywhere", "The Library’s collections", "Partner catalogs", "in partner libraries"),
        ),
    ],
)
def test_search_page_shows_partner_works_with_their_holdings(client, union, lang, texts):
    html = client.get(f"/{lang}/resources/?q=онегин", REMOTE_ADDR=CENTER_ADDRESS).text
    for text in texts:
        assert text in html
    assert 'name="scope" value="all" checked' in html
    assert "lib-001" in html  # the Library's resource beside the partner work
    links = [line for line in html.splitlines() if "catalog.example.org/record/" in line]
    assert len(links) == 2 and all('rel="noopener"' in line for line in links)
    tver_first = html.index(union["onegin_tver"].link)
    assert tver_first < html.index(union["onegin_penza"].link)  # the visitor's own first
    assert ("708 км" if lang == "ru" else "708 km") in html
    assert 'name="library"' in html and 'name="region"' in html and 'name="source"' in html


def test_search_page_scope_and_partner_facets(client, union, partner_libraries):
    tver, _penza = partner_libraries
    library = client.get("/en/resources/?q=онегин&scope=library").text
    assert "catalog.example.org" not in library and "1 resource found" in library
    partners = client.get(f"/en/resources/?q=война&scope=partners&library={tver.pk}").text
    assert "1 result found" in partners and "lib-" not in partners
    bad = client.get("/en/resources/?q=x&scope=world")
    assert bad.status_code == 400 and "“library”, “partners” or “all”" in bad.text


# --- the API -------------------------------------------------------------------------------


def test_api_union_search(client, union, partner_libraries):
    tver, penza = partner_libraries
    answer = client.get(
        "/api/v1/search", {"q": "онегин", "scope": "all"}, REMOTE_ADDR=CENTER_ADDRESS
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 2
    by_kind = {item["kind"]: item for item in body["items"]}
    resource, work = by_kind["resource"], by_kind["partner_work"]
    assert resource["identifier"] == "lib-001" and resource["holdings"] == []
    assert resource["url"].endswith("/resources/lib-001/") and resource["access_level"] == "open"
    assert work["identifier"] == f"isbn:{ONEGIN_ISBN}" and work["url"] is None
    assert work["title"] == "Евгений Онегин : роман в стихах" and work["year"] == 2015
    assert work["access_level"] is None and work["readable_here"] is None
    assert [h["library_id"] for h in work["holdings"]] == [tver.pk, penza.pk]
    assert work["holdings"][0]["distance_km"] == 0.0
    assert 650 < work["holdings"][1]["distance_km"] < 750
    assert work["holdings"][1]["link"] == union["onegin_penza"].link


def test_api_scope_filters_and_paging(client, union, partner_libraries):
    _tver, penza = partner_libraries
    library = client.get("/api/v1/search", {"q": "онегин", "scope": "library"}).json()
    assert [item["kind"] for item in library["items"]] == ["resource"]
    partners = client.get("/api/v1/search", {"library": penza.pk, "limit": 2}).json()
    assert partners["count"] == 4 and len(partners["items"]) == 2
    assert {item["kind"] for item in partners["items"]} == {"partner_work"}
    rest = client.get("/api/v1/search", {"library": penza.pk, "limit": 2, "offset": 2}).json()
    keys = [i["identifier"] for i in partners["items"] + rest["items"]]
    assert len(set(keys)) == 4
    bad = client.get("/api/v1/search", {"q": "x", "scope": "world"})
    assert bad.status_code == 422


def test_api_resource_filters_as_the_resources_list_reads_them(client, union):
    """The union search reads the resources' filters as /api/v1/resources does: an unknown
    collection is a 422 naming it; readable_here=false keeps to what is not readable here."""
    unknown = client.get("/api/v1/search", {"q": "онегин", "collection": "nowhere"})
    assert unknown.status_code == 422 and "nowhere" in unknown.json()["errors"]["collection"][0]
    for door in ("/api/v1/search", "/api/v1/resources"):
        answer = client.get(door, {"q": "онегин", "readable_here": "false"}).json()
        assert answer == {"count": 0, "items": []}  # the open resource is readable anywhere


def test_index_partner_works_command(backend, clock, sources, make_catalog_record):
    make_catalog_record(sources[0], "Мёртвые души", creators=["Гоголь, Н. В."], year=1842)
    out = io.StringIO()
    call_command("index_partner_works", stdout=out)  # no mark yet: the works are rebuilt
    assert "Indexed 1 partner works." in out.getvalue()
    clock.shift(datetime.timedelta(hours=2))
    make_catalog_record(sources[1], "Мёртвые души", creators=["Гоголь Николай"], year=1842)
    call_command("index_partner_works", stdout=out)
    (hit,) = find("души", scope="partners").hits
    assert len(hit.holdings) == 2
    call_command("index_partner_works", "--rebuild", stdout=out)
    assert find("души", scope="partners").total == 1


def test_a_harvest_brings_its_works_to_the_search(
    backend, clock, source, provider, django_capture_on_commit_callbacks
):
    """Harvesting as part 1 does it: the finished run queues the works' update (the tests'
    immediate task backend runs it on commit)."""
    from libranet.catalogs.harvesting import harvest_source

    works_rebuild()  # the index and its mark exist before the harvest
    with django_capture_on_commit_callbacks(execute=True):
        run = harvest_source(source)
    assert run.state == HarvestRun.State.SUCCEEDED and run.new == 10
    found = find("книга", scope="partners", page_size=50)
    assert found.total == 10
    assert all(
        hit.holdings[0].link.startswith("https://catalog.example.org/record/") for hit in found.hits
    )
    # a record deleted at the source leaves the search with the next harvest
    provider.records[0] = dataclasses.replace(
        provider.records[0], deleted=True, datestamp="2026-03-02T12:00:00Z"
    )
    clock.shift(datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        harvest_source(source)
    assert find("книга", scope="partners", page_size=50).total == 9


def test_each_servers_works_follow_the_harvests_with_a_mark_of_their_own(
    clock, sources, make_catalog_record, tmp_path, settings
):
    """Two servers' Tantivy indexes (two folders, two names): a finished harvest is applied by
    each server's worker (``works_follow``) to its own works, each moving its own mark."""
    settings.LIBRANET_SEARCH_BACKEND = "tantivy"

    def server(name):
        return override_settings(
            LIBRANET_SEARCH_DIR=tmp_path / name, LIBRANET_SEARCH_INDEX_NAME=f"app-{name}"
        )

    for name in ("a", "b"):
        with server(name):
            works_follow()  # no works index yet: built (empty), the mark set
            assert works_follow() == 0  # nothing harvested since: nothing done
    clock.shift(datetime.timedelta(hours=1))
    make_catalog_record(sources[0], "Мёртвые души", creators=["Гоголь, Н. В."], year=1842)
    HarvestRun.objects.create(
        source=sources[0],
        kind="incremental",
        state="succeeded",
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    clock.shift(datetime.timedelta(minutes=1))
    lags = {lag.name: lag for lag in works_lag()}
    assert (lags["app-a"].behind, lags["app-a"].seconds_behind) == (1, 60.0)
    with server("a"):
        assert works_follow() == 1
        assert find("души", scope="partners").total == 1
    assert {lag.name: lag.behind for lag in works_lag()} == {"app-a": 0, "app-b": 1}
    with server("b"):
        assert find("души", scope="partners").total == 0  # b's worker has not followed yet
        assert works_follow() == 1
        assert find("души", scope="partners").total == 1
    assert WorkIndexMark.objects.get(index_name="app-b").indexed_until == timezone.now()
