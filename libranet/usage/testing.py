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


@pytest.fixture
def daily_usage(db):
    """Write roll-up rows as the roll-up would: ``daily_usage([(center, day, metric, value),
    ...])`` adds the centers' day rows and rebuilds the summaries of those days."""
    from django.db import transaction

    from libranet.usage.models import DailyCenterUsage
    from libranet.usage.rollup import summaries_rebuild

    def write(rows):
        DailyCenterUsage.objects.bulk_create(
            DailyCenterUsage(center=center, day=day, metric=metric, value=value)
            for center, day, metric, value in rows
        )
        with transaction.atomic():
            for day in sorted({day for _, day, _, _ in rows}):
                summaries_rebuild(day)

    return write
