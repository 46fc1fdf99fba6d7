"""The public site in both languages: home summary, directory filters, center page, map."""

import datetime

import pytest
from django.db import connection

from libranet.network.models import Center

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(tver_rc, penza_rc, make_center):
    remote = make_center(
        name_ru="ЦУД в библиотеке Твери",
        name_en="Tver library center",
        latitude="56.86",
        longitude="35.9",
    )
    foreign = make_center(
        kind=Center.Kind.FOREIGN,
        code="MN-01",
        name_ru="Центр в Улан-Баторе",
        name_en="Ulaanbaatar center",
        latitude="47.9",
        longitude="106.9",
    )
    return {"remote": remote, "foreign": foreign}


def test_root_sends_visitor_to_their_language(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").headers["Location"] == "/en/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ru").headers["Location"] == "/ru/"


def test_healthz_without_a_worker_is_still_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "cache": "ok",
        "workers": {"alive": 0, "last_heartbeat": None, "seconds_since": None},
        "queue": {"ready": 0, "age_seconds": None},
        "search_indexes": [],
    }


def test_healthz_tells_the_last_heartbeat_and_the_queues_age(client, settings, time_machine):
    from libranet.usage.tasks import usage_ingest
    from libranet.worker.services import worker_heartbeat

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    moment = datetime.datetime(2026, 10, 15, 9, 0, tzinfo=datetime.UTC)
    time_machine.move_to(moment, tick=False)
    usage_ingest.enqueue()
    worker_heartbeat(worker_id="w", host="h", pid=1, started_at=moment, task_id=None)
    time_machine.move_to(moment + datetime.timedelta(seconds=90), tick=False)
    body = client.get("/healthz").json()
    assert body["workers"] == {
        "alive": 0,  # silent for longer than the timeout (60 s)
        "last_heartbeat": "2026-10-15T09:00:00+00:00",
        "seconds_since": 90.0,
    }
    assert body["queue"] == {"ready": 1, "age_seconds": 90.0}


def test_healthz_without_database(client, monkeypatch):
    def broken(*args, **kwargs):
        raise connection.Database.OperationalError("down")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json() == {"database": "unavailable"}


def test_home_summary_is_live(client, network):
    text = client.get("/en/").content.decode()
    assert "1 remote access center" in text and "in 1 region" in text
    assert "1 foreign center" in text and "in 1 country" in text


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_pages_render_in_both_languages(client, network, lang):
    for path in ["", "centers/", "centers/map/", "centers/RU-TVE-RC/"]:
        response = client.get(f"/{lang}/{path}")
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">' in response.content.decode()


def test_directory_filters_and_counts(client, network):
    html = client.get("/en/centers/?region=ru-tve").content.decode()
    assert "Tver library center" in html and "Ulaanbaatar center" not in html
    assert "3 centers found" not in html and "2 centers found" in html
    # Counts per filter: the kind facet is counted under the region filter.
    assert "remote access center (1)" in html and "regional center (1)" in html
    html = client.get("/en/centers/?kind=foreign").content.decode()
    assert "Ulaanbaatar center" in html and "1 center found" in html


def test_directory_free_text_is_case_insensitive_in_russian(client, network):
    html = client.get("/ru/centers/", {"q": "БИБЛИОТЕКЕ твери"}).content.decode()
    assert "ЦУД в библиотеке Твери" in html


def test_directory_pagination(client, make_center, tver_rc):
    for _ in range(55):
        make_center()
    first = client.get("/en/centers/").content.decode()
    assert 'rel="next"' in first and "page 1 of 2" in first
    second = client.get("/en/centers/?page=2").content.decode()
    assert "page 2 of 2" in second
    assert client.get("/en/centers/?page=999").status_code == 200


def test_directory_query_count_is_fixed(
    client, make_center, tver_rc, django_assert_max_num_queries
):
    for _ in range(30):
        make_center()
    with django_assert_max_num_queries(12):
        client.get("/en/centers/?q=center")


def test_center_page(client, network):
    html = client.get("/en/centers/ru-tve-rc/").content.decode()
    assert "Regional center in Tver Region" in html
    assert "Tver library center" in html  # the centers it coordinates
    assert "Status history" in html


def test_unknown_center_is_404(client, db):
    assert client.get("/en/centers/NOPE/").status_code == 404


def test_markup_is_escaped(client, make_center, tver_rc):
    make_center(code="XSS-1", name_en="<script>alert(1)</script>")
    html = client.get("/en/centers/XSS-1/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_map_data(client, network):
    data = client.get("/en/centers/map.json?kind=foreign").json()
    centers = data["centers"]
    assert centers["code"] == ["MN-01"]
    assert centers["lat"][0] == pytest.approx(47.9)
    assert data["kinds"][centers["kind"][0]] == "foreign"
    assert data["countries"][centers["country"][0]] == "MN" and centers["region"] == [-1]


def test_map_page_uses_configured_tiles(client, network, settings):
    settings.LIBRANET_MAP_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    html = client.get("/en/centers/map/").content.decode()
    assert "tiles.example.test" in html and "leaflet" in html


def test_anonymous_pages_are_cached_until_the_registry_changes(
    client, network, admin_user, django_assert_max_num_queries
):
    from libranet.network.services import center_update

    assert "Tver library center" in client.get("/en/centers/").content.decode()
    with django_assert_max_num_queries(1):  # the registry's version, nothing else
        assert "Tver library center" in client.get("/en/centers/").content.decode()
    center_update(actor=None, center=network["remote"], name_en="Renamed center")
    html = client.get("/en/centers/").content.decode()
    assert "Renamed center" in html and "Tver library center" not in html
    # A signed-in visitor gets a page of their own (with their name), never the shared one.
    client.force_login(admin_user)
    assert "admin" in client.get("/en/centers/").content.decode()
    client.logout()
    assert "Sign out" not in client.get("/en/centers/").content.decode()


def test_sign_in_page_speaks_the_visitors_language(client):
    response = client.get("/accounts/login/?next=/ru/office/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.headers["Location"] == "/ru/accounts/login/?next=/ru/office/"
    html = client.get("/en/accounts/login/").content.decode()
    assert 'lang="en"' in html and 'href="/ru/accounts/login/"' in html
