import datetime

import pytest
from django.utils import translation

from libranet.accounts.services import api_token_create
from libranet.campaigns.models import Campaign, Response
from libranet.campaigns.services import response_save

from .conftest import INDICATORS, by_name, full_answers

pytestmark = pytest.mark.django_db


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=user, user=user, name='t')[1]}"}


def answers_body(campaign, **overrides):
    return [
        {"indicator": pk, "value": value}
        for pk, value in full_answers(campaign, **overrides).items()
    ]


NEW = {
    "title_ru": "Мониторинг II квартала",
    "period_start": "2026-04-01",
    "period_end": "2026-06-30",
    "opens_on": "2026-06-20",
    "deadline": "2026-07-10",
    "indicators": [
        {"name_ru": "Количество мероприятий", "type": "integer", "min_value": 0},
        {"name_ru": "Тип подключения", "type": "choice", "choices_ru": "Оптоволокно\nADSL"},
    ],
}


def test_the_department_creates_a_campaign(client, network_user, centers):
    answer = client.post(
        "/api/v1/campaigns", NEW, content_type="application/json", **bearer(network_user)
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert answer["Location"] == f"/api/v1/campaigns/{body['id']}"
    assert body["state"] == "draft" and body["phase"] == "draft"
    assert [i["name_ru"] for i in body["indicators"]] == [
        "Количество мероприятий",
        "Тип подключения",
    ]
    assert body["indicators"][1]["choices_ru"] == ["Оптоволокно", "ADSL"]


@pytest.mark.parametrize("role", ["head_tver", "operator_user", "international_user"])
def test_others_may_not_create_campaigns(client, request, centers, role):
    user = request.getfixturevalue(role)
    answer = client.post("/api/v1/campaigns", NEW, content_type="application/json", **bearer(user))
    assert answer.status_code == 403 and not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deadline": "2026-06-01"}, "deadline"),
        ({"regions": ["RU-XXX"], "coverage": "regions"}, "regions"),
        (
            {"indicators": [{"name_ru": "x", "type": "integer", "min_value": 5, "max_value": 1}]},
            "indicators.0.max_value",
        ),
    ],
)
def test_a_bad_campaign_is_refused_with_the_field_named(
    client, network_user, centers, change, field
):
    answer = client.post(
        "/api/v1/campaigns", NEW | change, content_type="application/json", **bearer(network_user)
    )
    assert answer.status_code == 422 and field in answer.json()["errors"]
    assert not Campaign.objects.exists()


def test_each_sees_the_answers_of_their_scope(
    client, campaign, centers, head_tver, operator_tver_lib, network_user
):
    for center in ("tver_lib", "penza_lib"):
        response_save(
            actor=None,
            campaign=campaign,
            center=centers[center],
            answers=full_answers(campaign),
            revision=None,
            submit=True,
        )
    listed = client.get("/api/v1/campaigns", **bearer(network_user)).json()
    assert listed["count"] == 1
    assert [r["center"] for r in listed["items"][0]["responses"]] == ["RU-PNZ-LIB", "RU-TVE-LIB"]
    detail = client.get(f"/api/v1/campaigns/{campaign.pk}", **bearer(head_tver)).json()
    assert [r["center"] for r in detail["responses"]] == ["RU-TVE-LIB"]
    values = {a["indicator"]: a["value"] for a in detail["responses"][0]["answers"]}
    ids = by_name(campaign)
    assert values[ids["Events held"].pk] == 12
    assert values[ids["Separate room for the center"].pk] is True
    assert values[ids["Share of hours open"].pk] == 87.5
    assert len(detail["indicators"]) == len(INDICATORS)
    own = client.get(f"/api/v1/campaigns/{campaign.pk}", **bearer(operator_tver_lib)).json()
    assert [r["center"] for r in own["responses"]] == ["RU-TVE-LIB"]
    assert client.get("/api/v1/campaigns").status_code == 401


def test_drafts_are_not_shown_beyond_the_department(client, draft, head_tver):
    assert client.get("/api/v1/campaigns", **bearer(head_tver)).json() == {"count": 0, "items": []}
    assert client.get(f"/api/v1/campaigns/{draft.pk}", **bearer(head_tver)).status_code == 404


def put(client, campaign, code, user, **body):
    return client.put(
        f"/api/v1/campaigns/{campaign.pk}/responses/{code}",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **bearer(user),
    )


def test_an_operator_saves_then_submits_through_the_api(
    client, campaign, centers, operator_tver_lib
):
    first = put(client, campaign, "RU-TVE-LIB", operator_tver_lib, answers=answers_body(campaign))
    assert first.status_code == 200 and first.json()["state"] == "draft"
    second = put(
        client,
        campaign,
        "RU-TVE-LIB",
        operator_tver_lib,
        answers=answers_body(campaign),
        revision=first.json()["revision"],
        submit=True,
    )
    assert second.json()["state"] == "submitted"
    assert Response.objects.get().state == Response.State.SUBMITTED


@pytest.mark.parametrize(
    ("role", "code", "status"),
    [
        ("operator_tver_lib", "RU-TVE-LIB", 200),
        ("operator_tver_lib", "RU-TVE-RC", 403),
        ("head_tver", "RU-TVE-LIB", 200),
        ("head_tver", "RU-PNZ-LIB", 403),
        ("international_user", "MN-01", 200),
        ("international_user", "RU-TVE-LIB", 403),
        ("network_user", "RU-PNZ-LIB", 200),
        ("network_user", "NO-SUCH", 404),
    ],
)
def test_every_role_against_the_answers_write(
    client, request, campaign, centers, role, code, status
):
    answer = put(
        client, campaign, code, request.getfixturevalue(role), answers=answers_body(campaign)
    )
    assert answer.status_code == status
    assert Response.objects.exists() == (status == 200)


def test_bad_answers_are_422_with_the_field_and_nothing_saved(
    client, campaign, centers, network_user, clock
):
    events = by_name(campaign)["Events held"]
    answer = put(
        client,
        campaign,
        "RU-TVE-LIB",
        network_user,
        answers=answers_body(campaign, **{"Events held": 5000}),
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == {
        f"answers.{events.pk}": ["Events held: the value must be at most 1000."]
    }
    wrong_type = put(
        client,
        campaign,
        "RU-TVE-LIB",
        network_user,
        answers=answers_body(campaign, **{"Events held": "двенадцать"}),
    )
    assert wrong_type.status_code == 422
    clock.move_to(datetime.datetime(2026, 3, 21, 9, 0, tzinfo=datetime.UTC), tick=False)
    late = put(client, campaign, "RU-TVE-LIB", network_user, answers=answers_body(campaign))
    assert late.status_code == 422 and "deadline" in late.json()["errors"]
    assert not Response.objects.exists()


def test_a_stale_revision_is_409_with_the_differences(
    client, campaign, centers, head_tver, operator_tver_lib
):
    events = by_name(campaign)["Events held"]
    first = put(
        client,
        campaign,
        "RU-TVE-LIB",
        operator_tver_lib,
        answers=[{"indicator": events.pk, "value": 5}],
    ).json()
    put(
        client,
        campaign,
        "RU-TVE-LIB",
        head_tver,
        answers=[{"indicator": events.pk, "value": 7}],
        revision=first["revision"],
    )
    stale = put(
        client,
        campaign,
        "RU-TVE-LIB",
        operator_tver_lib,
        answers=[{"indicator": events.pk, "value": 9}],
        revision=first["revision"],
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["revision"] == first["revision"] + 1
    assert body["differences"] == [
        {"field": f"answers.{events.pk}", "label": "Events held", "stored": "7", "submitted": "9"}
    ]


def test_the_openapi_document_lists_the_campaign_statuses(client):
    with translation.override("en"):
        document = client.get("/api/v1/openapi.json").json()
    put_op = document["paths"]["/api/v1/campaigns/{campaign_id}/responses/{center_code}"]["put"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(put_op["responses"])
