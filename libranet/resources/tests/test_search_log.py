"""Several servers, each with its own Tantivy index, following one change log: two indexes in
two folders under two names stand for two servers (the real two-process case is in
``libranet/worker/tests/test_search_follow.py``)."""

import datetime
import io
import json
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from lxml import html

from libranet.network.places import OUTSIDE
from libranet.resources.models import SearchIndexChange, SearchIndexCursor
from libranet.resources.search import index_apply_changes, index_rebuild, search
from libranet.resources.search.log import changes_prune, index_lag
from libranet.resources.search.tantivy_backend import TantivyBackend
from libranet.resources.services import resource_create

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 10, 15, 9, 0, tzinfo=datetime.UTC)
SILENT = 3600


@pytest.fixture
def servers(tmp_path, settings, time_machine):
    """``servers("a")``: a context in which this process is server a, with its own index."""
    settings.LIBRANET_SEARCH_BACKEND = "tantivy"
    settings.LIBRANET_SEARCH_INDEX_SILENT_SECONDS = SILENT
    time_machine.move_to(NOW, tick=False)

    @contextmanager
    def server(name: str):
        with override_settings(
            LIBRANET_SEARCH_DIR=tmp_path / name, LIBRANET_SEARCH_INDEX_NAME=f"app-{name}"
        ):
            yield

    for name in ("a", "b"):
        with server(name):
            index_rebuild()  # each server's empty index, its cursor at the log's end
    return server


def make(identifier, title):
    return resource_create(
        actor=None, identifier=identifier, title_ru=title, type="book", access_level="open"
    )


def found(query):
    return {hit.identifier for hit in search(query=query, user=AnonymousUser(), place=OUTSIDE).hits}


def test_a_change_made_through_one_server_is_applied_by_both(servers):
    make("a-1", "Хроника")  # through server a: the log is shared, whoever writes it
    with servers("a"):
        assert index_apply_changes() == 1
        assert found("хроника") == {"a-1"}
    with servers("b"):
        assert found("хроника") == set()  # b's worker has not applied it yet
        assert index_apply_changes() == 1
        assert found("хроника") == {"a-1"}
        assert index_apply_changes() == 0  # nothing new: nothing applied again


def test_the_log_is_pruned_only_once_the_slower_index_passed_it(servers, time_machine):
    make("a-1", "Хроника")
    make("a-2", "Летопись")
    with servers("a"):
        index_apply_changes()
    assert SearchIndexChange.objects.count() == 2  # b, seen a moment ago, has not applied them
    time_machine.move_to(NOW + datetime.timedelta(seconds=SILENT - 1), tick=False)
    assert changes_prune() == 0  # still within the silence allowed
    with servers("b"):
        index_apply_changes()
    assert SearchIndexChange.objects.count() == 0
    assert not SearchIndexCursor.objects.filter(rebuild_due=True).exists()


def test_a_long_silent_index_is_left_out_and_rebuilds_when_it_comes_back(servers, time_machine):
    time_machine.move_to(NOW + datetime.timedelta(seconds=SILENT + 60), tick=False)
    make("a-1", "Хроника")
    with servers("a"):
        index_apply_changes()  # b has been silent too long: it no longer holds the log back
    assert SearchIndexChange.objects.count() == 0
    silent = SearchIndexCursor.objects.get(index_name="app-b")
    assert silent.rebuild_due
    with servers("b"):
        assert found("хроника") == set()
        index_apply_changes()  # back: behind what was pruned, so it rebuilds from the database
        assert found("хроника") == {"a-1"}
    silent.refresh_from_db()
    assert not silent.rebuild_due
    assert silent.seen_at == NOW + datetime.timedelta(seconds=SILENT + 60)


def test_a_silent_index_that_had_passed_the_pruned_changes_is_not_rebuilt(servers, time_machine):
    make("a-1", "Хроника")
    with servers("b"):
        index_apply_changes()  # b applied it, then went silent
    time_machine.move_to(NOW + datetime.timedelta(seconds=SILENT + 60), tick=False)
    with servers("a"):
        index_apply_changes()
    assert SearchIndexChange.objects.count() == 0
    assert not SearchIndexCursor.objects.get(index_name="app-b").rebuild_due


def test_the_lag_of_each_index_is_shown(servers, time_machine, client, network_user):
    time_machine.move_to(NOW + datetime.timedelta(seconds=10), tick=False)
    make("a-1", "Хроника")
    make("a-2", "Летопись")
    with servers("a"):
        index_apply_changes()
    time_machine.move_to(NOW + datetime.timedelta(seconds=70), tick=False)
    lags = {lag.name: lag for lag in index_lag()}
    assert (lags["app-a"].behind, lags["app-a"].seconds_behind) == (0, 0.0)
    assert (lags["app-b"].behind, lags["app-b"].seconds_behind) == (2, 60.0)
    assert lags["app-a"].position == SearchIndexChange.objects.order_by("-id")[0].pk
    assert lags["app-a"].backend == "tantivy" and not lags["app-b"].silent

    out = io.StringIO()
    with servers("b"):
        call_command("search_index_status", stdout=out)
    lines = out.getvalue().splitlines()
    line_b = next(line for line in lines if "app-b" in line)
    assert line_b.startswith("* ")  # this server's
    assert "behind 2" in line_b and "seconds behind 60.0" in line_b
    assert "behind 0" in next(line for line in lines if "app-a" in line)

    health = json.loads(client.get("/healthz").content)
    by_name = {index["name"]: index for index in health["search_indexes"]}
    assert by_name["app-b"]["behind"] == 2 and by_name["app-b"]["seconds_behind"] == 60.0

    client.force_login(network_user)
    page = html.fromstring(client.get("/en/office/worker/").content)
    rows = page.xpath("//table[@id='search-indexes']//tr[@data-index]")
    assert {row.get("data-index"): row.get("data-behind") for row in rows} == {
        "app-a": "0",
        "app-b": "2",
    }


def test_healthz_stays_ok_however_far_an_index_is_behind(servers, client, time_machine):
    make("a-1", "Хроника")
    time_machine.move_to(NOW + datetime.timedelta(days=3), tick=False)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert {index["silent"] for index in json.loads(response.content)["search_indexes"]} == {True}


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_late_is_not_passed_by_the_cursor(settings, tmp_path):
    """PostgreSQL hands out the log's ids before commit: a long transaction's change (a lower
    id) becomes visible after later ones. The later ones are applied at once; the cursor waits
    for the open transaction, and its change is applied once it commits."""
    if connection.vendor != "postgresql":
        pytest.skip("ids and commits come in one order on SQLite (one writer at a time)")
    import psycopg

    settings.LIBRANET_SEARCH_BACKEND = "tantivy"
    settings.LIBRANET_SEARCH_DIR = tmp_path / "index"
    index_rebuild()
    early = make("a-1", "Хроника")
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
    ) as other:  # a long import: its change is logged now, committed later
        other.execute(
            "UPDATE resources_resource SET title_ru = 'Летопись' WHERE id = %s", [early.pk]
        )
        other.execute(
            "INSERT INTO resources_searchindexchange (resource_id, recorded_at, transaction_id) "
            "VALUES (%s, now(), pg_current_xact_id()::text::bigint)",
            [early.pk],
        )
        later = make("a-2", "Грамота")  # committed meanwhile, a higher id: applied at once
        assert found("грамота") == {"a-2"}
        # ... but the cursor waits before it for the open transaction: the row is kept.
        assert SearchIndexChange.objects.filter(resource_id=later.pk).exists()
        other.commit()
    index_apply_changes()  # at once, whether older transactions of the server are open or not
    assert found("летопись") == {"a-1"}


def test_a_retired_servers_index_is_forgotten_by_name(servers):
    out = io.StringIO()
    call_command("search_index_status", "--forget", "app-b", stdout=out)
    assert "Forgot the index 'app-b'." in out.getvalue()
    assert list(SearchIndexCursor.objects.values_list("index_name", flat=True)) == ["app-a"]
    with pytest.raises(CommandError, match="No search index is named 'app-c'"):
        call_command("search_index_status", "--forget", "app-c")


def test_changes_made_while_an_index_rebuilds_wait_for_it(servers, time_machine, monkeypatch):
    """An index back from silence rebuilds; a change the rebuild did not read (committed after
    it read that far) and the others applied meanwhile is kept in the log for it."""
    time_machine.move_to(NOW + datetime.timedelta(seconds=SILENT + 60), tick=False)
    make("a-1", "Хроника")
    with servers("a"):
        index_apply_changes()  # b is silent: pruned past it, so it must rebuild
    rebuild = TantivyBackend.rebuild

    def rebuild_then_a_change_elsewhere(self, documents, **kwargs):
        done = rebuild(self, documents, **kwargs)
        make("a-2", "Летопись")  # too late for the rebuild's reading
        with servers("a"):
            index_apply_changes()  # a applies it, and prunes what every recent index passed
        return done

    monkeypatch.setattr(TantivyBackend, "rebuild", rebuild_then_a_change_elsewhere)
    with servers("b"):
        index_apply_changes()
        assert found("летопись") == {"a-2"}
        assert found("хроника") == {"a-1"}
