"""``/api/v1/opening-plans`` and the proposal writes: every role, the same rules as the pages,
422 naming the field with nothing written, 409 on a stale revision."""

import pytest

from libranet.api.tests.test_api import Api, secret_for
from libranet.network.models import Center
from libranet.planning.models import Proposal
from libranet.planning.services import proposal_submit

from .conftest import proposal_fields

pytestmark = pytest.mark.django_db
State = Proposal.State


@pytest.fixture
def api(client):
    return lambda user: Api(client, secret_for(user))


def body(**overrides):
    return {"region": "RU-TVE", **proposal_fields(), **overrides}


def test_a_head_creates_submits_and_reads_their_regions_proposals(api, head_tver, round_2027):
    head = api(head_tver)
    response = head.post("/opening-plans/2027/proposals", body())
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["state"] == "draft" and made["planned_month"] == "2027-03"
    assert response["Location"] == "/api/v1/opening-plans/2027"
    response = head.post(f"/opening-proposals/{made['id']}/submit", {"revision": made["revision"]})
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    listing = head.get("/opening-plans").json()
    assert listing["count"] == 1
    assert [p["id"] for p in listing["items"][0]["proposals"]] == [made["id"]]


def test_a_head_proposing_for_another_region_gets_a_422_on_region(api, head_tver, round_2027):
    response = api(head_tver).post("/opening-plans/2027/proposals", body(region="RU-PNZ"))
    assert response.status_code == 422
    assert "region" in response.json()["errors"]
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("planned_month", "2026-05"), ("region", "RU-XXX"), ("institution", 999999), ("name_ru", "")],
)
def test_bad_input_is_a_422_naming_the_field(api, network_user, round_2027, field, value):
    response = api(network_user).post("/opening-plans/2027/proposals", body(**{field: value}))
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("who", ["operator_user", "international_user"])
def test_roles_without_the_plan_are_refused(api, request, who, round_2027, make_proposal):
    proposal = make_proposal()
    user = request.getfixturevalue(who)
    assert api(user).get("/opening-plans").status_code == 403
    assert api(user).post("/opening-plans/2027/proposals", body()).status_code == 403
    assert api(user).post(f"/opening-proposals/{proposal.pk}/submit", {}).status_code == 403
    decision = {"decision": "approved"}
    assert api(user).post(f"/opening-proposals/{proposal.pk}/decision", decision).status_code == 403
    assert Proposal.objects.get().state == State.DRAFT


def test_a_head_cannot_decide_and_does_not_see_another_regions_proposal(
    api, head_tver, head_penza, make_proposal
):
    proposal = proposal_submit(actor=head_tver, proposal=make_proposal(actor=head_tver))
    response = api(head_tver).post(
        f"/opening-proposals/{proposal.pk}/decision", {"decision": "approved"}
    )
    assert response.status_code == 403
    assert api(head_penza).post(f"/opening-proposals/{proposal.pk}/submit", {}).status_code == 404
    assert api(head_penza).get("/opening-plans").json()["items"][0]["proposals"] == []


def test_the_department_decides_and_the_plan_shows_it(api, network_user, head_tver, make_proposal):
    proposal = proposal_submit(actor=head_tver, proposal=make_proposal(actor=head_tver))
    department = api(network_user)
    response = department.post(
        f"/opening-proposals/{proposal.pk}/decision", {"decision": "returned"}
    )
    assert response.status_code == 422 and "comment" in response.json()["errors"]
    response = department.post(
        f"/opening-proposals/{proposal.pk}/decision",
        {"decision": "approved", "comment": "Согласовано", "revision": proposal.revision},
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["state"] == "approved" and answer["center_status"] == "planned"
    assert Center.objects.get(code=answer["center"]).status == Center.Status.PLANNED
    assert [d["state"] for d in answer["decisions"]] == ["approved"]
    plan = department.get("/opening-plans/2027").json()["plan"]
    assert plan == {
        "planned": 1,
        "opened": 0,
        "regions": [{"region": "RU-TVE", "planned": 1, "opened": 0}],
    }


def test_a_stale_revision_is_a_409(api, head_tver, make_proposal):
    proposal = make_proposal(actor=head_tver)
    head = api(head_tver)
    shown = proposal.revision
    response = head.patch(f"/opening-proposals/{proposal.pk}", {"revision": shown, "address": "А"})
    assert response.status_code == 200 and response.json()["revision"] == shown + 1
    response = head.patch(f"/opening-proposals/{proposal.pk}", {"revision": shown, "address": "Б"})
    assert response.status_code == 409
    assert "address" in response.json()["errors"]
    assert Proposal.objects.get().address == "А"


def test_an_unknown_year_is_a_404(api, network_user, round_2027):
    assert api(network_user).get("/opening-plans/2031").status_code == 404
    assert api(network_user).post("/opening-plans/2031/proposals", body()).status_code == 404


def test_the_openapi_document_lists_the_statuses(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/opening-proposals/{proposal_id}"]["patch"]["responses"]) >= {
        "200",
        "401",
        "403",
        "404",
        "409",
        "422",
    }


def test_anonymous_callers_are_told_to_sign_in(client, round_2027):
    assert Api(client).get("/opening-plans").status_code == 401
    assert Api(client).post("/opening-plans/2027/proposals", body()).status_code == 401
