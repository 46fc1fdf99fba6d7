"""/api/v1/events: published events public; staff writes within their scope, 422 naming the
field, 409 on a stale revision."""

import pytest

from libranet.api.tests.test_api import Api, secret_for
from libranet.events.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    return lambda user=None: Api(client, secret_for(user) if user else None)


def test_public_list_with_filters_and_detail(api, make_event):
    tver = make_event(title_en="Tver")
    make_event("penza_rc", kind="contest", title_en="Penza", starts=40)
    make_event(published=False, title_en="Hidden")
    body = api().get("/events").json()
    assert body["count"] == 2 and {i["title_en"] for i in body["items"]} == {"Tver", "Penza"}
    assert api().get("/events", region="RU-PNZ").json()["count"] == 1
    assert api().get("/events", center="RU-TVE-RC", kind="lecture").json()["count"] == 1
    assert api().get("/events", **{"from": "2026-03-20"}).json()["count"] == 1
    assert api().get("/events", to="2026-03-20").json()["count"] == 1
    detail = api().get(f"/events/{tver.pk}").json()
    assert detail["centers"] == ["RU-TVE-RC"] and detail["revision"] == 1
    hidden = Event.objects.get(title_en="Hidden")
    assert api().get(f"/events/{hidden.pk}").status_code == 404


def _body(**extra):
    return {
        "kind": "lecture",
        "title_ru": "Лекция",
        "centers": ["RU-TVE-0001"],
        "starts_at": "2026-03-10T18:00:00+03:00",
        "ends_at": "2026-03-10T20:00:00+03:00",
        **extra,
    }


def test_staff_writes_within_scope(api, users):
    assert api().post("/events", _body()).status_code == 401
    operator = api(users["tver_operator"])
    created = operator.post("/events", _body(description_ru="<script>x</script><p>Да</p>"))
    assert created.status_code == 201, created.json()
    assert created.json()["description_ru"] == "<p>Да</p>"
    refused = operator.post("/events", _body(centers=["RU-PNZ-RC"]))
    assert refused.status_code == 422 and "centers" in refused.json()["errors"]
    bad = operator.post("/events", _body(ends_at="2026-03-09T20:00:00+03:00"))
    assert bad.status_code == 422 and "ends_at" in bad.json()["errors"]
    assert Event.objects.count() == 1
    pk = created.json()["id"]
    assert operator.patch(f"/events/{pk}", {"revision": 1, "title_ru": "Новая"}).status_code == 200
    stale = operator.patch(f"/events/{pk}", {"revision": 1, "title_ru": "Другая"})
    assert stale.status_code == 409
    other = api(users["penza_operator"]).patch(f"/events/{pk}", {"revision": 2, "title_ru": "x"})
    assert other.status_code == 404
    assert Event.objects.get().title_ru == "Новая"


@pytest.mark.parametrize("value", ["0", "1700000000", "01.10.2026", "2026-13-01"])
def test_a_day_is_given_as_yyyy_mm_dd_only(api, value):
    """A number is not a day (pydantic alone would read it as seconds since 1970)."""
    answer = api().get("/events", **{"from": value})
    assert answer.status_code == 422 and "from" in answer.json()["errors"], answer.json()


def test_a_moment_is_not_a_number_of_seconds(api, users):
    operator = api(users["tver_operator"])
    refused = operator.post("/events", _body(starts_at=0, ends_at=1700000000))
    assert refused.status_code == 422
    assert {"starts_at", "ends_at"} <= set(refused.json()["errors"]), refused.json()
    assert Event.objects.count() == 0
