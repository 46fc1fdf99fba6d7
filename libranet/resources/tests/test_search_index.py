"""The index follows every change: the outbox, the task that applies it (immediately in
tests, by the database queue's worker in `make run`), deletions, rebuilds, and an index that
is missing or corrupt."""

import fcntl
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from libranet.network.places import OUTSIDE
from libranet.resources.models import Resource, SearchIndexChange
from libranet.resources.search import get_backend, index_apply_changes, index_rebuild, search
from libranet.resources.search.changes import enqueue_apply, index_change_record
from libranet.resources.services import resource_create, resource_delete, resource_update

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(params=["tantivy", "postgres"])
def backend(request, settings):
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the postgres backend runs on PostgreSQL (DATABASE_URL)")
    settings.LIBRANET_SEARCH_BACKEND = request.param
    return request.param


def make(identifier, title, **fields):
    fields.setdefault("type", "book")
    fields.setdefault("access_level", "open")
    return resource_create(actor=None, identifier=identifier, title_ru=title, **fields)


def found(query):
    return {hit.identifier for hit in search(query=query, user=AnonymousUser(), place=OUTSIDE).hits}


def test_outbox_is_applied_and_emptied(backend):
    index_rebuild()  # an empty index, so the search below does not rebuild one
    make("a-1", "Хроника")
    make("a-2", "Хроники края")
    assert SearchIndexChange.objects.count() == 2
    assert found("хроники") == set()  # nothing committed in this test's transaction yet
    assert index_apply_changes() == 2
    assert SearchIndexChange.objects.count() == 0
    assert found("хроники") == {"a-1", "a-2"}
    assert index_apply_changes() == 0  # safe to run twice


def test_changes_and_deletions_follow(backend):
    resource = make("a-1", "Хроника")
    make("a-2", "Хроники края")
    index_apply_changes()
    resource_update(actor=None, resource=resource, title_ru="Грамота")
    resource_delete(actor=None, resource=Resource.objects.get(identifier="a-2"))
    index_apply_changes()
    assert found("хроники") == set()
    assert found("грамоты") == {"a-1"}
    # A resource gone from the database altogether is removed too.
    Resource.objects.filter(pk=resource.pk).delete()
    index_change_record(resource_ids=[resource.pk])
    index_apply_changes()
    assert found("грамоты") == set()


def test_a_commit_queues_the_apply_task_once(backend, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            make("a-1", "Хроника")
            make("a-2", "Хроники края")
            index_change_record(resource_ids=[])  # nothing to record: nothing queued
    assert [c for c in callbacks if c is enqueue_apply] == [enqueue_apply]
    # The immediate task backend of tests ran it on commit: no worker, no explicit call.
    assert SearchIndexChange.objects.count() == 0
    assert found("хроники") == {"a-1", "a-2"}


def test_a_rolled_back_change_is_not_queued(backend, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            make("a-1", "Хроника")
            try:
                with transaction.atomic():
                    make("a-2", "Хроники края")
                    raise RuntimeError
            except RuntimeError:
                pass
    assert callbacks.count(enqueue_apply) == 1
    assert found("хроники") == {"a-1"}


def test_the_database_queue_and_its_worker(backend, django_capture_on_commit_callbacks, run_worker):
    """What `make run` does: tasks wait in the database, `manage.py run_worker` runs them."""
    index_rebuild()
    with override_settings(TASKS=DATABASE_TASKS):
        with django_capture_on_commit_callbacks(execute=True):
            make("a-1", "Хроника")
        with django_capture_on_commit_callbacks(execute=True):
            make("a-2", "Хроники края")
        # The second commit found a task already waiting: one task for both.
        assert DBTaskResult.objects.filter(status="READY").count() == 1
        assert found("хроники") == set()
        run_worker()
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert SearchIndexChange.objects.count() == 0
    assert found("хроники") == {"a-1", "a-2"}


def test_a_busy_index_leaves_the_outbox_for_later(settings):
    make("a-1", "Хроника")
    root = Path(settings.LIBRANET_SEARCH_DIR)
    root.mkdir(parents=True)
    with open(root / "write.lock", "a+") as lock:  # another process (a rebuild) writing
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert index_apply_changes() is None
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert SearchIndexChange.objects.count() == 1
    assert index_apply_changes() == 1


def test_rebuild_command(backend, capsys):
    make("a-1", "Хроника")
    make("a-2", "Хроники края", access_level="staff")
    gone = make("a-3", "Хроника утраченная")
    resource_delete(actor=None, resource=gone)
    call_command("rebuild_search_index", "--batch-size", "1")
    out = capsys.readouterr().out
    assert "[" in out and "2/2 (100%)" in out
    assert "Indexed 2 resources" in out
    assert SearchIndexChange.objects.count() == 0  # the outbox was applied after
    assert found("хроники") == {"a-1"}  # a-2 is staff-only, a-3 withdrawn
    assert index_rebuild() == 2  # and again


def test_rebuild_if_needed(capsys):
    make("a-1", "Хроника")
    call_command("rebuild_search_index", "--if-needed")
    call_command("rebuild_search_index", "--if-needed")
    out = capsys.readouterr().out
    assert out.count("Indexed 1 resources") == 1 and "nothing to do" in out


def test_a_missing_index_is_rebuilt(settings):
    make("a-1", "Хроника")
    index_apply_changes()
    shutil.rmtree(settings.LIBRANET_SEARCH_DIR)
    # The search queues a rebuild; the immediate task backend runs it before the answer.
    assert found("хроники") == {"a-1"}


def test_a_missing_index_answers_empty_while_it_is_rebuilt(settings, run_worker):
    make("a-1", "Хроника")
    with override_settings(TASKS=DATABASE_TASKS):
        results = search(query="хроники", user=AnonymousUser(), place=OUTSIDE)
        assert results.hits == [] and results.total == 0
        assert any("rebuilt" in message for message in results.messages)
        # One rebuild waiting, however many searches ask.
        search(query="хроники", user=AnonymousUser(), place=OUTSIDE)
        assert DBTaskResult.objects.filter(status="READY").count() == 1
        run_worker()
    assert found("хроники") == {"a-1"}


@pytest.mark.parametrize("damage", ["meta", "segment", "current"])
def test_a_corrupt_index_is_rebuilt(settings, damage):
    make("a-1", "Хроника")
    index_apply_changes()
    assert found("хроники") == {"a-1"}
    root = Path(settings.LIBRANET_SEARCH_DIR)
    (index,) = root.glob("index-*")
    if damage == "meta":
        (index / "meta.json").write_text("{not json")
    elif damage == "segment":
        for path in index.glob("*.idx"):
            path.unlink()
    else:
        (root / "CURRENT").write_text("garbage")
    get_backend()._index = None  # as a new process would open it
    assert found("хроники") == {"a-1"}
    assert not get_backend().needs_rebuild()


def test_the_worker_rebuilds_a_missing_index_instead_of_applying(settings):
    make("a-1", "Хроника")
    index_apply_changes()
    shutil.rmtree(settings.LIBRANET_SEARCH_DIR)
    make("a-2", "Хроники края")
    assert index_apply_changes() == 2  # rebuilt (both), and the outbox applied
    assert SearchIndexChange.objects.count() == 0
    assert found("хроники") == {"a-1", "a-2"}


def test_file_text_is_searchable(backend):
    from libranet.resources.models import ResourceFile

    resource = make("a-1", "Сборник")
    ResourceFile.objects.create(
        resource=resource,
        kind="pdf",
        file="resources/x.pdf",
        content_type="application/pdf",
        extracted_text="Текст страницы о губернаторах и губернских библиотеках.",
    )
    index_apply_changes()
    (hit,) = search(query="губернатор", user=AnonymousUser(), place=OUTSIDE).hits
    assert "<mark>" in hit.snippet and "губернатор" in hit.snippet
