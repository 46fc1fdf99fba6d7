"""The back office's partner-catalog pages: by role, registering with the check's messages on
the fields (what was typed kept), editing from a stale copy, harvest buttons, a run's page."""

import pytest
from django.urls import reverse
from django.utils import translation

from libranet.catalogs.harvesting import harvest_source
from libranet.catalogs.models import CatalogSource

from .conftest import NOW

pytestmark = pytest.mark.django_db


def urls(source, run):
    return [
        reverse("catalogs_office:list"),
        reverse("catalogs_office:new"),
        reverse("catalogs_office:source", args=[source.pk]),
        reverse("catalogs_office:edit", args=[source.pk]),
        reverse("catalogs_office:run", args=[run.pk]),
    ]


@pytest.fixture
def harvested(source, provider, time_machine):
    time_machine.move_to(NOW, tick=False)
    provider.records[4].title = ""
    return harvest_source(source)


def test_pages_by_role(
    client,
    source,
    harvested,
    network_user,
    admin_user,
    operator_user,
    head_tver,
    international_user,
):  # noqa: E501
    for user in (operator_user, head_tver, international_user):
        client.force_login(user)
        for url in urls(source, harvested):
            assert client.get(url).status_code == 403, (user, url)
        assert client.post(reverse("catalogs_office:harvest", args=[source.pk])).status_code == 403
    for user in (network_user, admin_user):
        client.force_login(user)
        for url in urls(source, harvested):
            assert client.get(url).status_code == 200, (user, url)
    page = client.get(reverse("catalogs_office:list")).content.decode()
    assert source.name in page and "9 new, 0 updated, 0 deleted, 1 failed" in page
    assert (
        'href="/en/office/catalogs/"'
        in client.get(reverse("backoffice:dashboard")).content.decode()
    )
    run_page = client.get(reverse("catalogs_office:run", args=[harvested.pk])).content.decode()
    assert "oai:test:4" in run_page and "The record has no title." in run_page
    assert 'data-label="Reason"' in run_page


def test_anonymous_is_sent_to_sign_in(client, source):
    response = client.get(reverse("catalogs_office:list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_registering_shows_the_checks_message_on_the_field(
    client, provider, institution, network_user
):
    client.force_login(network_user)
    data = {
        "institution": institution.pk,
        "base_url": provider.url,
        "metadata_prefix": "mods",
        "record_format": "marc21",
        "sets": "books\nglobes",
        "schedule": "weekly",
        "record_link": "",
    }
    response = client.post(reverse("catalogs_office:new"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "metadata_prefix": ["The source does not offer “mods”; it offers: oai_dc, marc21."]
    }
    page = response.content.decode()
    assert 'value="mods"' in page and "books\nglobes" in page and provider.url in page
    response = client.post(reverse("catalogs_office:new"), {**data, "metadata_prefix": "marc21"})
    assert response.context["form"].errors == {"sets": ["The source has no set: globes."]}
    assert CatalogSource.objects.count() == 0
    response = client.post(
        reverse("catalogs_office:new"), {**data, "metadata_prefix": "marc21", "sets": "books"}
    )
    source = CatalogSource.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalogs_office:source", args=[source.pk]
    )
    assert (source.sets, source.schedule, source.record_format) == (["books"], "weekly", "marc21")


def test_editing_from_a_stale_copy_shows_the_conflict(client, source, network_user, admin_user):
    client.force_login(network_user)
    edit = reverse("catalogs_office:edit", args=[source.pk])
    form = client.get(edit).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    client.post(edit, {**data, "schedule": "weekly"})
    response = client.post(edit, {**data, "schedule": "manual"})
    assert response.status_code == 409
    assert "Someone else saved this form" in response.content.decode()
    source.refresh_from_db()
    assert source.schedule == "weekly"


def test_harvest_buttons_queue_and_deactivate(
    client, source, network_user, settings, django_capture_on_commit_callbacks
):  # noqa: E501
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(network_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("catalogs_office:harvest", args=[source.pk]), {"full": "1"})
    assert response.status_code == 302
    run = source.runs.get()
    assert (run.kind, run.state, run.new) == ("full", "succeeded", 10)
    page = client.get(reverse("catalogs_office:source", args=[source.pk])).content.decode()
    assert reverse("catalogs_office:run", args=[run.pk]) in page and "Harvest now" in page
    client.post(reverse("catalogs_office:deactivate", args=[source.pk]))
    source.refresh_from_db()
    assert not source.active
    response = client.post(reverse("catalogs_office:harvest", args=[source.pk]), follow=True)
    assert "deactivated; activate it first" in response.content.decode()
    client.post(reverse("catalogs_office:deactivate", args=[source.pk]), {"active": "1"})
    source.refresh_from_db()
    assert source.active


def test_tables_reflow_and_pages_speak_russian(client, source, harvested, network_user):
    client.force_login(network_user)
    for url in (
        "/ru/office/catalogs/",
        f"/ru/office/catalogs/{source.pk}/",
        f"/ru/office/catalogs/runs/{harvested.pk}/",
    ):
        page = client.get(url).content.decode()
        assert page.count("<td") == page.count("<td data-label=") + page.count(
            '<td class="card-title'
        ), url
        assert "Каталоги партнёров" in page
    run_page = client.get(f"/ru/office/catalogs/runs/{harvested.pk}/").content.decode()
    # The reason is stored in the language the harvest ran in (the worker: the default one).
    assert "The record has no title." in run_page and "завершён" in run_page


def test_the_dashboard_names_the_catalogs_whose_last_harvest_failed(
    client, source, provider, network_user, operator_user, time_machine
):
    time_machine.move_to(NOW, tick=False)
    client.force_login(network_user)
    harvest_source(source)
    page = client.get(reverse("backoffice:dashboard"))
    assert page.context["board"].catalogs_failing == 0
    assert "No partner catalog's last harvest failed." in page.content.decode()
    provider.faults = {len(provider.requests) + 1: "html"}
    time_machine.shift(60)
    assert harvest_source(source).state == "failed"
    page = client.get(reverse("backoffice:dashboard")).content.decode()
    assert "1</span> partner catalog whose last harvest failed" in page
    assert reverse("catalogs_office:list") in page
    source.active = False  # a deactivated source is nobody's work
    source.save()
    assert client.get(reverse("backoffice:dashboard")).context["board"].catalogs_failing == 0
    client.force_login(operator_user)
    assert client.get(reverse("backoffice:dashboard")).context["board"].catalogs_failing is None


def test_a_sources_page_tells_its_deleted_records_policy_in_words(client, source, network_user):
    client.force_login(network_user)
    page = client.get(reverse("catalogs_office:source", args=[source.pk])).content.decode()
    assert "kept as deleted records" in page  # the provider's deletedRecord: persistent
    with translation.override("ru"):
        page = client.get(reverse("catalogs_office:source", args=[source.pk])).content.decode()
    assert "хранятся как удалённые" in page and "persistent" not in page


def test_a_runs_title_tells_its_start_in_local_time_as_its_details_do(
    client, harvested, network_user
):
    client.force_login(network_user)
    page = client.get(reverse("catalogs_office:run", args=[harvested.pk])).content.decode()
    assert "<h1>Harvest of 15.01.2026 15:00</h1>" in page  # 12:00 UTC, in Moscow
    assert "15.01.2026 15:00:00" in page
