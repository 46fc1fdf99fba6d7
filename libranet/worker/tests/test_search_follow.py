"""Two servers' search indexes followed by two real workers: each `run_worker` process has its
own Tantivy folder and index name, as two application servers would, on one shared database
and task queue. A change is applied by both (whichever worker takes the queued task, the other
follows the log in its poll loop); a stopped server's index catches up when it comes back, and
the log waits for it meanwhile."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import override_settings

from libranet.network.places import OUTSIDE
from libranet.resources.models import SearchIndexChange, SearchIndexCursor
from libranet.resources.search import search
from libranet.resources.services import resource_create
from libranet.tests.servers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def make(identifier, title):
    resource = resource_create(
        actor=None, identifier=identifier, title_ru=title, type="book", access_level="open"
    )
    return SearchIndexChange.objects.filter(resource_id=resource.pk).latest("id").pk


def pruned():
    """The log is empty once both indexes applied it. On PostgreSQL the cursors move only past
    the server's oldest open transaction (``log.py``), which another database's work on the
    same server may hold: there, both having applied it is enough."""
    return connection.vendor != "sqlite" or not SearchIndexChange.objects.exists()


def found_on(tmp_path, name, query):
    with override_settings(
        LIBRANET_SEARCH_BACKEND="tantivy",
        LIBRANET_SEARCH_DIR=tmp_path / name,
        LIBRANET_SEARCH_INDEX_NAME=name,
    ):
        hits = search(query=query, user=AnonymousUser(), place=OUTSIDE).hits
    return {hit.identifier for hit in hits}


def test_two_workers_each_follow_their_own_index(start_worker, tmp_path, settings):
    settings.LIBRANET_SEARCH_BACKEND = "tantivy"
    settings.LIBRANET_SEARCH_DIR = tmp_path / "test-process"  # this process searches none

    def server(name, worker_id=""):
        return start_worker(
            worker_id or name,
            LIBRANET_SEARCH_BACKEND="tantivy",
            LIBRANET_SEARCH_DIR=tmp_path / name,
            LIBRANET_SEARCH_INDEX_NAME=name,
        )

    workers = {name: server(name) for name in ("app-a", "app-b")}
    wait_for(lambda: SearchIndexCursor.objects.count() == 2, what="both indexes built")

    make("a-1", "Хроника")  # queues one task, which one of the workers takes
    wait_for(lambda: found_on(tmp_path, "app-a", "хроника"), what="a to apply it")
    wait_for(lambda: found_on(tmp_path, "app-b", "хроника"), what="b to apply it")
    wait_for(pruned, what="the log to be pruned")

    workers["app-b"].kill()  # server b goes down
    change = make("a-2", "Летопись")
    wait_for(lambda: found_on(tmp_path, "app-a", "летопись"), what="a to apply the second")
    assert SearchIndexChange.objects.filter(pk=change).exists()  # kept for b
    assert found_on(tmp_path, "app-b", "летопись") == set()

    restarted = server("app-b", worker_id="app-b-restarted")  # its folder and name as before
    wait_for(lambda: found_on(tmp_path, "app-b", "летопись"), what="b to catch up when back")
    wait_for(pruned, what="the log to be pruned")
    assert restarted.alive()
