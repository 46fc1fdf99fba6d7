"""Pytest plugin (listed in the root conftest): no test appends usage events to the real data
folder's spool. Each test gets its own empty spool folder, and this process's spool file and
remembered sessions start over."""

import itertools

import pytest
from django.test import override_settings

_counter = itertools.count()


@pytest.fixture(scope="session")
def _usage_spool_root(tmp_path_factory):
    return tmp_path_factory.mktemp("usage-spool")


@pytest.fixture(autouse=True)
def _usage_spool_per_test(_usage_spool_root):
    from libranet.usage import recorder

    directory = _usage_spool_root / str(next(_counter))
    with override_settings(LIBRANET_USAGE_SPOOL_DIR=directory):
        recorder.writer.close()
        recorder.seen_sessions.clear()
        yield directory
        recorder.writer.close()
