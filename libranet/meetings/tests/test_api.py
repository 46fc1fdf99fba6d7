"""The API: /api/v1/meetings (public, published only, with the programme),
/api/v1/resolutions (staff: decisions with their tasks' states), and closing a task with the
page's rule (403 outside the responsible party, 422 naming the field, 409 from a stale copy)."""

import datetime

import pytest

from libranet.accounts.services import api_token_create
from libranet.meetings.services import decision_issue, meeting_publish, session_save

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='test')[1]}"}


@pytest.fixture
def issued(regional_centers, make_decision, meeting, today):
    session_save(
        actor=None,
        meeting=meeting,
        title_ru="Пленарная",
        date=datetime.date(2020, 10, 21),
        talks=[{"speaker_ru": "Орлов В. К.", "title_ru": "Доклад"}],
    )
    decision = make_decision(deadline=datetime.date(2020, 12, 1))
    decision_issue(actor=None, decision=decision)
    return decision


def test_published_meetings_are_public_with_their_programme(client, issued, meeting):
    assert client.get("/api/v1/meetings").json() == {"count": 0, "items": []}
    meeting_publish(actor=None, meeting=meeting, published=True)
    body = client.get("/api/v1/meetings").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["number"], item["connection_points"]) == ("XI", 72)
    assert item["sessions"][0]["talks"][0]["speaker_ru"] == "Орлов В. К."


def test_resolutions_are_for_staff(client, issued, reader_user, head_tver):
    assert client.get("/api/v1/resolutions").status_code == 401
    assert client.get("/api/v1/resolutions", **bearer(reader_user)).status_code == 403
    body = client.get("/api/v1/resolutions", **bearer(head_tver)).json()
    decision = body["items"][0]["decisions"][0]
    assert decision["state"] == "late"
    assert [t["center"] for t in decision["tasks"]] == ["RU-BEL-RC", "RU-PNZ-RC", "RU-TVE-RC"]
    assert {t["state"] for t in decision["tasks"]} == {"late"}


@pytest.mark.parametrize(
    "role,status",
    [
        ("head_tver", 200),
        ("operator_user", 200),
        ("head_penza", 403),
        ("network_user", 403),
        ("admin_user", 403),
        ("international_user", 403),
        ("reader_user", 403),
    ],
)
def test_closing_a_task_by_role(request, client, issued, role, status):
    task = issued.tasks.get(center__code="RU-TVE-RC")
    response = client.post(
        f"/api/v1/resolutions/tasks/{task.pk}/close",
        {"report": "Сведения направлены", "link": "https://tver.example/r"},
        content_type="application/json",
        **bearer(request.getfixturevalue(role)),
    )
    assert response.status_code == status, response.json()
    task.refresh_from_db()
    assert task.done == (status == 200)
    if status == 200:
        assert response.json()["state"] == "done"


def test_closing_refusals_name_the_problem(client, issued, head_tver, network_user):
    task = issued.tasks.get(center__code="RU-TVE-RC")
    url = f"/api/v1/resolutions/tasks/{task.pk}/close"
    auth = bearer(head_tver)
    blank = client.post(url, {"report": " "}, content_type="application/json", **auth)
    assert blank.status_code == 422 and "report" in blank.json()["errors"]
    outsider = client.post(
        url, {"report": "x"}, content_type="application/json", **bearer(network_user)
    )
    assert outsider.status_code == 403 and "task" in outsider.json()["errors"]
    ok = client.post(
        url, {"report": "first", "revision": 1}, content_type="application/json", **auth
    )
    assert ok.status_code == 200 and ok.json()["revision"] == 2
    task.refresh_from_db()
    task.done = False
    task.save()
    stale = client.post(
        url, {"report": "second", "revision": 1}, content_type="application/json", **auth
    )
    assert stale.status_code == 409 and "report" in stale.json()["message"]
    missing = client.post(
        "/api/v1/resolutions/tasks/999999/close",
        {"report": "x"},
        content_type="application/json",
        **auth,
    )
    assert missing.status_code == 404


def test_the_openapi_document_lists_the_statuses(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    close = paths["/api/v1/resolutions/tasks/{task_id}/close"]["post"]["responses"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(close)
    assert "/api/v1/meetings" in paths and "/api/v1/resolutions" in paths
