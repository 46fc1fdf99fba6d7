"""``harvest_catalogs`` and ``catalog_source``, their output; the schedule's task: which sources
are due."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from libranet.catalogs import harvesting
from libranet.catalogs.harvesting import HarvestUnderWay, harvest_source
from libranet.catalogs.models import CatalogSource, HarvestRun
from libranet.catalogs.selectors import sources_due
from libranet.catalogs.services import source_register
from libranet.catalogs.tasks import harvest_due_sources, harvest_source_task

from .conftest import NOW
from .provider import token_after

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_harvest_catalogs_shows_progress_and_a_summary(source):
    output = run("harvest_catalogs", str(source.pk))
    run_pk = HarvestRun.objects.get().pk
    assert output.splitlines()[0] == f"{source.name} ({source.base_url})"
    assert "] 10/10 records (100%)" in output
    assert f"Run {run_pk} (full) succeeded: 10 new, 0 updated, 0 deleted, 0 failed, 4 pages." in (
        output
    )
    output = run("harvest_catalogs", source.name, "--full")
    assert "(full) succeeded: 0 new, 10 updated" in output


def test_harvest_catalogs_reports_a_failed_run(source, provider):
    provider.faults = {2: "corrupt"}
    with pytest.raises(CommandError, match="1 of 1 harvests failed"):
        run("harvest_catalogs")
    output = run("harvest_catalogs")
    failed = HarvestRun.objects.order_by("pk")[0]
    assert f"(full, resuming run {failed.pk}) succeeded: 7 new" in output


def test_harvest_catalogs_unknown_source(db):
    with pytest.raises(CommandError, match="no catalog source nowhere"):
        run("harvest_catalogs", "nowhere")


def test_catalog_source_add_and_list(provider, institution):
    output = run(
        "catalog_source", "add", "--institution", str(institution.pk), "--url", provider.url,
        "--prefix", "oai_dc", "--format", "oai_dc", "--set", "books", "--schedule", "weekly",
    )  # fmt: skip
    source = CatalogSource.objects.get()
    assert output == f"Registered source {source.pk}: Тестовая библиотека.\n"
    assert (source.sets, source.schedule) == (["books"], "weekly")
    listing = run("catalog_source", "list")
    assert listing.startswith(f"{source.pk}\tТестовая библиотека\toai_dc\tweekly\t0 records")
    assert "never harvested" in listing


def test_catalog_source_add_names_the_wrong_field(provider, institution):
    with pytest.raises(CommandError, match="metadata_prefix: The source does not offer “mods”"):
        run(
            "catalog_source", "add", "--institution", str(institution.pk), "--url", provider.url,
            "--prefix", "mods", "--format", "marc21",
        )  # fmt: skip


def make_source(institution, n, schedule):
    return source_register(
        actor=None,
        institution=institution,
        base_url=f"https://library{n}.example.org/oai",
        metadata_prefix="oai_dc",
        record_format="oai_dc",
        schedule=schedule,
        check=False,
    )


def succeeded(source, hours_ago):
    HarvestRun.objects.create(
        source=source,
        kind="full",
        state="succeeded",
        started_at=NOW - dt.timedelta(hours=hours_ago),
    )


def test_which_sources_are_due(institution):
    never = make_source(institution, 1, "daily")
    daily_fresh = make_source(institution, 2, "daily")
    daily_old = make_source(institution, 3, "daily")
    weekly_fresh = make_source(institution, 4, "weekly")
    weekly_old = make_source(institution, 5, "weekly")
    manual = make_source(institution, 6, "manual")
    inactive = make_source(institution, 7, "daily")
    CatalogSource.objects.filter(pk=inactive.pk).update(active=False)
    succeeded(daily_fresh, 23)
    succeeded(daily_old, 24)
    succeeded(weekly_fresh, 24 * 6)
    succeeded(weekly_old, 24 * 7)
    HarvestRun.objects.create(source=daily_old, kind="full", state="failed", started_at=NOW)
    assert manual not in sources_due(NOW)
    assert sources_due(NOW) == [never, daily_old, weekly_old]
    assert weekly_fresh not in sources_due(NOW)


def test_the_tasks_harvest(source, provider):
    result = harvest_due_sources.call()
    assert result == {"harvested": 1, "failed": 0, "under_way": 0}
    assert harvest_due_sources.call() == {"harvested": 0, "failed": 0, "under_way": 0}
    outcome = harvest_source_task.call(source.pk, True)
    assert outcome["state"] == "succeeded" and outcome["updated"] == 10
    provider.faults = {len(provider.requests) + 1: "html"}
    assert harvest_source_task.call(source.pk, False)["state"] == "failed"


def test_a_run_left_running_long_ago_is_taken_for_stopped_and_resumed(source, provider):
    first_page_done = token_after("", "", provider.records[2])
    stuck = HarvestRun.objects.create(
        source=source,
        kind="full",
        started_at=NOW - dt.timedelta(hours=13),
        resumption_token=first_page_done,
        pages=1,
    )
    run = harvest_source(source)
    stuck.refresh_from_db()
    assert stuck.state == "failed" and "Stopped before it finished" in stuck.error
    assert (run.state, run.resumed_from, run.new) == ("succeeded", stuck, 7)
    assert provider.requests[0][1]["resumptionToken"] == first_page_done


def test_a_harvest_is_not_started_twice(source, provider, monkeypatch):
    """While a run of the source is under way, a second start (the next hour's schedule, a
    task, the command) starts nothing and names the run; the first finishes undisturbed."""
    seen = {}
    go = harvesting._Harvest.go

    def go_and_try_again(self):
        with pytest.raises(HarvestUnderWay) as busy:
            harvest_source(source)
        seen["run"] = busy.value.run
        seen["task"] = harvest_source_task.call(source.pk, False)
        seen["command"] = io.StringIO()
        with pytest.raises(CommandError, match="1 of 1 harvests failed"):
            call_command("harvest_catalogs", source.name, stdout=seen["command"])
        go(self)

    monkeypatch.setattr(harvesting._Harvest, "go", go_and_try_again)
    run = harvest_source(source)
    assert run.state == "succeeded" and run.new == 10
    assert seen["run"] == run and seen["task"] == {"run": run.pk, "state": "under_way"}
    assert f"Run {run.pk}, started 2026-01-15 12:00 UTC, is still under way" in (
        seen["command"].getvalue()
    )
    assert source.runs.count() == 1


def test_the_schedule_leaves_a_run_under_way_to_finish(source, provider):
    under_way = HarvestRun.objects.create(source=source, kind="full", started_at=NOW)
    assert harvest_due_sources.call() == {"harvested": 0, "failed": 0, "under_way": 1}
    under_way.refresh_from_db()
    assert under_way.state == "running" and source.runs.count() == 1
