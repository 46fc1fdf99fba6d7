"""GET /api/v1/usage/…: the reports' figures for the caller's scope, by token or session."""

import datetime

import pytest
import time_machine

from libranet.accounts.services import api_token_create
from libranet.network.models import Center
from libranet.usage.models import DailyCenterUsage, Metric

pytestmark = pytest.mark.django_db

OCTOBER = datetime.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _november():
    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def usage(make_center, tver_rc, penza_rc):
    """Tver's regional center used in October, a Tver remote center and Penza's regional
    center not at all."""
    old = datetime.date(2020, 1, 1)
    quiet = make_center(code="RU-TVE-R1", regional_center=tver_rc)
    Center.objects.filter(pk__in=[tver_rc.pk, penza_rc.pk, quiet.pk]).update(opened_on=old)
    DailyCenterUsage.objects.bulk_create(
        [
            DailyCenterUsage(day=OCTOBER, center=tver_rc, metric=Metric.SESSIONS, value=7),
            DailyCenterUsage(
                day=OCTOBER, center=tver_rc, metric=Metric.TOTAL_ITEM_REQUESTS, value=3
            ),
            DailyCenterUsage(
                day=OCTOBER.replace(month=9), center=tver_rc, metric=Metric.SESSIONS, value=5
            ),
        ]
    )
    return quiet


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user, name='t')[1]}"}


def test_indicators_for_the_network_by_region(client, network_user, usage):
    body = client.get(
        "/api/v1/usage/indicators?month=2026-10&by=region", **bearer(network_user)
    ).json()
    assert body["month"] == "2026-10" and body["by"] == "region"
    tver = next(r for r in body["rows"] if r["key"] == "RU-TVE")
    assert tver["values"]["Sessions"] == 7
    assert tver["month_over_month"]["Sessions"] == {"absolute": 2, "percent": 40.0}
    assert tver["year_over_year"]["Sessions"] == {"absolute": 7, "percent": None}
    assert body["total"]["values"]["Total_Item_Requests"] == 3


def test_zero_usage_is_scoped_to_the_heads_region(client, head_tver, usage, penza_rc):
    body = client.get("/api/v1/usage/zero-usage?month=2026-10", **bearer(head_tver)).json()
    listed = [c["code"] for g in body["groups"] for c in g["centers"]]
    assert listed == [usage.code]  # Penza's center is not the Tver head's to see
    assert body["groups"][0]["regional_center"]["code"] == "RU-TVE-RC"
    assert body["groups"][0]["centers"][0]["zero"] == ["Sessions", "Total_Item_Requests"]


@pytest.mark.parametrize(
    ("month", "fragment"),
    [("2026-13", "months run from 01 to 12"), ("2027-01", "not begun"), ("", "YYYY-MM")],
)
def test_bad_months_are_422_with_a_message(client, network_user, usage, month, fragment):
    response = client.get(
        f"/api/v1/usage/zero-usage?month={month}", HTTP_ACCEPT_LANGUAGE="en", **bearer(network_user)
    )
    assert response.status_code == 422
    assert fragment in str(response.json())


def test_anonymous_and_readers_are_refused(client, reader_user):
    assert client.get("/api/v1/usage/indicators?month=2026-10").status_code == 401
    client.force_login(reader_user)
    assert client.get("/api/v1/usage/indicators?month=2026-10").status_code == 403
