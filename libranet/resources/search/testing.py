"""Pytest plugin (listed in the root conftest): tests never touch the real search index or
need a task worker.

- tasks run at once, in-process (the immediate backend): a change committed in a test
  (``transactional_db``, or ``django_capture_on_commit_callbacks(execute=True)``) is applied
  to the index before the test goes on. Inside the ``db`` fixture's transaction nothing is
  committed, so call ``index_apply_changes()`` to index what the test created;
- each test gets its own, empty index folder (the database starts over in each test, and
  the index must too).
"""

import itertools

import pytest
from django.test import override_settings

_counter = itertools.count()


@pytest.fixture(autouse=True, scope="session")
def _immediate_tasks():
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ):
        yield


@pytest.fixture(scope="session")
def _search_root(tmp_path_factory):
    return tmp_path_factory.mktemp("search")


@pytest.fixture(autouse=True)
def _search_index_per_test(_search_root):
    # A path only: the folder is made when something indexes (most tests never do).
    with override_settings(LIBRANET_SEARCH_DIR=_search_root / str(next(_counter))):
        yield
