"""/api/v1/agreements: the same rules as the pages, by token; 422 naming the field, 409 on a
stale revision, 404 for what the caller may not see, 401 without a token."""

import pytest

from libranet.agreements import services
from libranet.agreements.models import Agreement, Renewal
from libranet.api.tests.test_api import Api, secret_for

from .conftest import TODAY, day

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    return lambda user: Api(client, secret_for(user))


@pytest.fixture
def agreements(make_agreement):
    return {
        "tver_rc": make_agreement("tver_rc", number="1/RC", ends=60),
        "tver_remote": make_agreement("tver_remote", number="2/TVE", ends=400),
        "penza_rc": make_agreement("penza_rc", number="3/PNZ", ends=-5),
        "foreign": make_agreement("foreign", number="4/MN", ends=30),
    }


def numbers(response):
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == len(body["items"])
    return {item["number"] for item in body["items"]}


def test_anonymous_gets_401(client, agreements):
    assert Api(client).get("/agreements").status_code == 401
    assert Api(client).get(f"/agreements/{agreements['tver_rc'].pk}").status_code == 401


def test_lists_by_role_and_filters(
    api, agreements, network_user, international_user, head_tver, operator_user
):
    assert numbers(api(network_user).get("/agreements")) == {"1/RC", "2/TVE", "3/PNZ", "4/MN"}
    assert numbers(api(international_user).get("/agreements")) == {"4/MN"}
    assert numbers(api(head_tver).get("/agreements")) == {"1/RC", "2/TVE"}
    assert numbers(api(operator_user).get("/agreements")) == {"1/RC"}
    network = api(network_user)
    assert numbers(network.get("/agreements", state="expired")) == {"3/PNZ"}
    assert numbers(network.get("/agreements", state="expiring")) == {"1/RC", "4/MN"}
    assert numbers(network.get("/agreements", region="RU-TVE")) == {"1/RC", "2/TVE"}
    assert numbers(network.get("/agreements", expiring_within_days=45)) == {"4/MN"}
    assert network.get("/agreements", state="nonsense").status_code == 422
    item = network.get(f"/agreements/{agreements['tver_rc'].pk}").json()
    assert item["state"] == "expiring" and item["center"] == "RU-TVE-RC"
    assert item["region"] == "RU-TVE" and item["revision"] == 1
    pk = agreements["tver_rc"].pk
    assert api(international_user).get(f"/agreements/{pk}").status_code == 404


def test_create_by_role_and_bad_input(
    api, centers, network_user, international_user, head_tver, operator_user
):
    body = {
        "number": "10/2026",
        "center": "RU-TVE-RC",
        "starts_on": TODAY.isoformat(),
        "term_years": 5,
    }
    for user in (international_user, head_tver, operator_user):
        assert api(user).post("/agreements", body).status_code == 403
    response = api(network_user).post("/agreements", body)
    assert response.status_code == 201, response.json()
    assert response.json()["ends_on"] == "2031-02-28"
    assert response["Location"].endswith(f"/agreements/{response.json()['id']}")

    bad = api(network_user).post(
        "/agreements",
        {**body, "number": "11", "term_years": None, "ends_on": day(-1).isoformat()},
    )
    assert bad.status_code == 422 and "ends_on" in bad.json()["errors"]
    unknown = api(network_user).post("/agreements", {**body, "number": "12", "center": "NOPE"})
    assert unknown.status_code == 422 and "center" in unknown.json()["errors"]
    assert Agreement.objects.count() == 1
    foreign = api(international_user).post(
        "/agreements", {**body, "number": "MN-1", "center": "MN-01"}
    )
    assert foreign.status_code == 201


def test_update_with_revision_and_409_on_a_stale_copy(api, agreements, network_user, head_tver):
    pk = agreements["tver_remote"].pk
    network = api(network_user)
    first = network.patch(f"/agreements/{pk}", {"revision": 1, "notes": "Theirs"})
    assert first.status_code == 200 and first.json()["revision"] == 2
    stale = network.patch(f"/agreements/{pk}", {"revision": 1, "notes": "Mine"})
    assert stale.status_code == 409
    assert stale.json()["errors"] == {"notes": ["Theirs"]}
    bad = network.patch(f"/agreements/{pk}", {"revision": 2, "ends_on": day(-900).isoformat()})
    assert bad.status_code == 422 and "ends_on" in bad.json()["errors"]
    assert network.patch(f"/agreements/{pk}", {"notes": "x"}).status_code == 422  # no revision
    assert (
        api(head_tver).patch(f"/agreements/{pk}", {"revision": 2, "notes": "H"}).status_code == 403
    )
    agreement = Agreement.objects.get(pk=pk)
    assert (agreement.notes, agreement.revision) == ("Theirs", 2)


def test_renewal_steps_by_api(api, agreements, network_user, head_tver, operator_user):
    round_ = services.renewal_round_create(
        actor=None, title="2026", year=2026, deadline=day(30), expiring_before=day(100)
    )
    renewal = round_.renewals.get(agreement__number="1/RC")
    url = f"/agreements/renewals/{renewal.pk}/step"
    assert api(operator_user).post(url, {"step": "sent"}).status_code == 403
    assert api(head_tver).post(url, {"step": "sent"}).status_code == 403
    out_of_order = api(network_user).post(url, {"step": "partner_signed"})
    assert out_of_order.status_code == 422 and "step" in out_of_order.json()["errors"]
    assert api(network_user).post(url, {"step": "sent"}).json()["step"] == "sent"
    assert api(head_tver).post(url, {"step": "partner_signed"}).status_code == 200
    done = api(network_user).post(
        url, {"step": "library_signed", "number": "1/RC-2026", "term_years": 3}
    )
    assert done.status_code == 200 and done.json()["renewed_id"]
    assert Renewal.objects.get(pk=renewal.pk).step == "library_signed"
    item = api(network_user).get(f"/agreements/{agreements['tver_rc'].pk}").json()
    assert item["state"] == "renewed" and item["renewals"][0]["step"] == "library_signed"
    foreign = round_.renewals.get(agreement__number="4/MN")
    missing = api(head_tver).post(f"/agreements/renewals/{foreign.pk}/step", {"step": "sent"})
    assert missing.status_code == 404


def test_the_openapi_document_lists_409(client):
    document = client.get("/api/v1/openapi.json").json()
    patch = document["paths"]["/api/v1/agreements/{agreement_id}"]["patch"]
    assert {"200", "403", "409", "422"} <= set(patch["responses"])


def test_the_documented_choices_are_the_models():
    from typing import get_args

    from libranet.agreements.models import Prolongation, State
    from libranet.api import agreements as api

    assert set(get_args(api.AgreementState)) == set(State.values)
    assert set(get_args(api.ProlongationKind)) == set(Prolongation.values)
    assert set(get_args(api.RenewalStep)) == set(Renewal.Step.values) - {"pending"}
