"""/api/v1/catalog-sources: the department's token only (403 for other staff, 401 without one),
registering with the check (422 naming the field, nothing written), queueing a harvest (202)."""

import pytest

from libranet.api.tests.test_api import Api, secret_for
from libranet.catalogs.harvesting import harvest_source
from libranet.catalogs.models import CatalogSource

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    return lambda user=None: Api(client, secret_for(user) if user else None)


def test_reads_by_role(
    api, source, network_user, admin_user, operator_user, head_tver, time_machine
):
    time_machine.move_to(NOW, tick=False)
    run = harvest_source(source)
    assert api().get("/catalog-sources").status_code == 401
    for user in (operator_user, head_tver):
        assert api(user).get("/catalog-sources").status_code == 403
        assert api(user).get(f"/catalog-sources/{source.pk}").status_code == 403
    listing = api(network_user).get("/catalog-sources")
    assert listing.status_code == 200
    body = listing.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["records"], item["record_format"]) == (source.pk, 10, "oai_dc")
    assert item["last_run"]["id"] == run.pk and item["last_run"]["new"] == 10
    assert item["runs"] is None
    one = api(admin_user).get(f"/catalog-sources/{source.pk}").json()
    assert [r["id"] for r in one["runs"]] == [run.pk]
    assert one["institution_name"] == source.institution.name_ru
    assert api(network_user).get("/catalog-sources/999999").status_code == 404


def test_register_by_role_and_bad_input(api, provider, institution, network_user, operator_user):
    body = {
        "institution": institution.pk,
        "base_url": provider.url,
        "metadata_prefix": "oai_dc",
        "record_format": "oai_dc",
        "sets": ["books"],
    }
    assert api(operator_user).post("/catalog-sources", body).status_code == 403
    refused = api(network_user).post("/catalog-sources", {**body, "metadata_prefix": "mods"})
    assert refused.status_code == 422
    assert "it offers: oai_dc, marc21" in refused.json()["errors"]["metadata_prefix"][0]
    refused = api(network_user).post("/catalog-sources", {**body, "sets": ["globes"]})
    assert refused.status_code == 422 and "globes" in refused.json()["errors"]["sets"][0]
    refused = api(network_user).post("/catalog-sources", {**body, "institution": 999999})
    assert refused.status_code == 422 and "institution" in refused.json()["errors"]
    refused = api(network_user).post("/catalog-sources", {**body, "record_format": "mods"})
    assert refused.status_code == 422 and "record_format" in refused.json()["errors"]
    assert CatalogSource.objects.count() == 0
    created = api(network_user).post("/catalog-sources", body)
    assert created.status_code == 201, created.json()
    assert created.json()["repository_name"] == "Тестовая библиотека"
    assert created.json()["sets"] == ["books"]
    assert CatalogSource.objects.get().pk == created.json()["id"]


def test_harvest_is_queued(
    api,
    source,
    network_user,
    operator_user,
    django_capture_on_commit_callbacks,
    settings,
    time_machine,
):
    time_machine.move_to(NOW, tick=False)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert api(operator_user).post(f"/catalog-sources/{source.pk}/harvests").status_code == 403
    assert source.runs.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        queued = api(network_user).post(f"/catalog-sources/{source.pk}/harvests", {"full": True})
    assert queued.status_code == 202 and queued.json() == {"source": source.pk, "full": True}
    assert source.runs.get().state == "succeeded"
    under_way = source.runs.create(kind="incremental", started_at=NOW)
    busy = api(network_user).post(f"/catalog-sources/{source.pk}/harvests")
    assert busy.status_code == 422 and f"under way (run {under_way.pk}" in busy.json()["message"]
    under_way.delete()
    source.active = False
    source.save()
    refused = api(network_user).post(f"/catalog-sources/{source.pk}/harvests")
    assert refused.status_code == 422
    assert api(network_user).post("/catalog-sources/999999/harvests").status_code == 404
