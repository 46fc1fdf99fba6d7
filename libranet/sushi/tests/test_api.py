"""The COUNTER API over HTTP: every path's answers and exceptions validated against the
schemas COUNTER_API.json gives for that path and status; customers' rights; bad requests;
the tabular downloads."""

import datetime as dt
import io
from urllib.parse import urlencode

import openpyxl
import pytest
from django.db import OperationalError
from django.test import Client

from libranet.tests.servers import free_port, redis_cache_settings
from libranet.usage import counter, credentials
from libranet.usage.models import SushiCredential
from libranet.usage.tests.counter_support import assert_valid_response

pytestmark = pytest.mark.django_db
QUARTER = {"begin_date": "2024-01", "end_date": "2024-03"}
REPORT_PARAMS = {
    "pr": {"attributes_to_show": "Access_Method|Institution_Name|Customer_ID"},
    "pr_p1": {},
    "tr": {"attributes_to_show": "YOP|Access_Type|Access_Method", "granularity": "Month"},
    "tr_b1": {},
    "ir": {"attributes_to_show": "YOP|Authors|Publication_Date", "include_parent_details": "True"},
}


def get(client, path, status, **params):
    """GET /sushi<path>, check the status and that the answer is what the spec allows."""
    response = client.get(f"/sushi{path}", params)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert_valid_response(path, status, response.json())
    return response.json()


def test_status_is_public(client, world, april):
    (status,) = get(client, "/r51/status", 200)
    assert status["Service_Active"] is True and "Registry_Record" not in status
    assert status["Note"] == "Usage is processed up to 2024-03-10."


def test_status_shows_the_registry_record_when_there_is_one(client, db, settings):
    record = "https://registry.projectcounter.org/platform/0a1b2c3d-0000-4000-8000-000000000001"
    settings.LIBRANET_SUSHI_REGISTRY_RECORD = record
    (status,) = get(client, "/r51/status", 200, platform="Libranet")
    assert status["Registry_Record"] == record


def test_members_and_report_list(client, world, april, credential):
    rc = credential("RU-TVE-RC")
    members = get(client, "/r51/members", 200, **rc)
    assert [m["Customer_ID"] for m in members] == ["RU-TVE-001", "RU-TVE-002"]
    reports = get(client, "/r51/reports", 200, **rc, platform="Libranet")
    assert [(r["Report_ID"], r["Path"]) for r in reports] == [
        ("PR", "/r51/reports/pr"),
        ("PR_P1", "/r51/reports/pr_p1"),
        ("TR", "/r51/reports/tr"),
        ("TR_B1", "/r51/reports/tr_b1"),
        ("IR", "/r51/reports/ir"),
    ]


@pytest.mark.parametrize("path", ["/r51/members", "/r51/reports"])
def test_members_and_report_list_refusals(client, world, credential, path):
    rc = credential("RU-TVE-RC")
    assert get(client, path, 400, requestor_id="x", api_key="y")["Code"] == 1030
    assert get(client, path, 401, **{**rc, "requestor_id": "nobody"})["Code"] == 2000
    assert get(client, path, 401, **{**rc, "api_key": "wrong"})["Code"] == 2020
    assert get(client, path, 403, **{**rc, "customer_id": "RU-PNZ-RC"})["Code"] == 2010
    assert get(client, path, 403, **{**rc, "customer_id": "0000000000000000"})["Code"] == 2011


@pytest.mark.parametrize("report", list(REPORT_PARAMS))
def test_every_report_path(client, world, april, credential, report):
    library = credential("presidentlib")
    path = f"/r51/reports/{report}"
    answer = get(client, path, 200, **library, **QUARTER, **REPORT_PARAMS[report])
    assert answer["Report_Header"]["Report_ID"] == report.upper()
    assert answer["Report_Items"]
    # Ignorable problems come back with the report, noted in its header.
    noted = get(client, path, 200, **library, **QUARTER, colour="blue")
    assert {
        "Code": 3050,
        "Message": "Parameter Not Recognized in this Context",
        "Data": "colour",
    } in (noted["Report_Header"]["Exceptions"])
    empty = get(client, path, 200, **library, begin_date="2023-01", end_date="2023-02")
    assert empty["Report_Items"] == [] and empty["Report_Header"]["Exceptions"][0]["Code"] == 3032


@pytest.mark.parametrize("report", list(REPORT_PARAMS))
def test_every_report_paths_refusals(client, world, april, credential, report):
    tver = credential("RU-TVE-001")
    path = f"/r51/reports/{report}"
    refusals = [
        (400, 1030, {**tver}),  # no dates
        (400, 1030, {**QUARTER, "customer_id": "RU-TVE-001"}),  # no credentials
        (400, 3020, {**tver, "begin_date": "2024-03", "end_date": "2024-01"}),
        (400, 3020, {**tver, "begin_date": "2024-05", "end_date": "2024-06"}),  # the future
        (400, 3020, {**tver, "begin_date": "2024-1", "end_date": "2024-03"}),
        (401, 2000, {**tver, **QUARTER, "requestor_id": "nobody"}),
        (401, 2020, {**tver, **QUARTER, "api_key": "wrong"}),
        (403, 2010, {**tver, **QUARTER, "customer_id": "RU-TVE-002"}),
        (403, 2011, {**tver, **QUARTER, "customer_id": "0000000000000000"}),
    ]
    for status, code, params in refusals:
        assert get(client, path, status, **params)["Code"] == code


def test_customer_rights(client, world, april, credential):
    rc = credential("RU-TVE-RC")
    member = get(client, "/r51/reports/pr", 200, **{**rc, "customer_id": "RU-TVE-002"}, **QUARTER)
    assert member["Report_Header"]["Institution_ID"] == {"Proprietary": ["presidentlib:RU-TVE-002"]}
    get(client, "/r51/reports/pr", 403, **{**rc, "customer_id": "RU-PNZ-RC"}, **QUARTER)
    get(client, "/r51/reports/pr", 403, **{**rc, "customer_id": "presidentlib"}, **QUARTER)
    SushiCredential.objects.update(revoked_at="2024-04-01T00:00:00Z")
    assert get(client, "/r51/reports/pr", 401, **rc, **QUARTER)["Code"] == 2000


def test_the_callers_address_plays_no_part(client, world, april, credential):
    rc = credential("RU-TVE-RC")
    answers = [
        client.get("/sushi/r51/reports/tr", {**rc, **QUARTER}, REMOTE_ADDR=address).json()
        for address in ("192.0.2.10", "203.0.113.7", "2001:db8::1")
    ]
    assert all(a["Report_Items"] == answers[0]["Report_Items"] for a in answers)


def test_paths_that_name_no_report_are_not_found(client, world, april, credential):
    library = credential("presidentlib")
    for path in ("/sushi/r51/reports/dr", "/sushi/r51/reports/tr_j1", "/sushi/r5/reports/pr"):
        response = client.get(path, {**library, **QUARTER})
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert response.json()["Code"] == 3000
        assert response.json()["Message"] == "Report Not Supported"
    assert "pr, pr_p1, tr, tr_b1" in client.get("/sushi/r51/reports/dr").json()["Data"]
    assert client.head("/sushi/r51/status").status_code == 200


def test_a_method_other_than_get_is_405_with_an_exception(client, world, april, credential):
    library = credential("presidentlib")
    for method in ("post", "put", "delete"):
        # A harvester sends no CSRF token: the method is refused, not the token.
        response = Client(enforce_csrf_checks=True).generic(
            method.upper(), "/sushi/r51/reports/pr", urlencode({**library, **QUARTER})
        )
        assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
        exception = response.json()
        assert exception["Code"] == 1030 and method.upper() in exception["Data"]


def test_names_follow_the_requested_language(client, world, april, credential):
    rc = credential("RU-TVE-RC")
    russian = client.get("/sushi/r51/members", rc).json()
    english = client.get("/sushi/r51/members", rc, HTTP_ACCEPT_LANGUAGE="en").json()
    assert russian[0]["Institution_Name"] == world.tver_a.name_ru
    assert english[0]["Institution_Name"] == world.tver_a.name_en


def test_tabular_downloads(client, world, april, credential):
    rc = credential("RU-TVE-RC")
    tsv = client.get("/sushi/r51/reports/tr_b1.tsv", {**rc, **QUARTER})
    assert tsv.status_code == 200
    assert tsv["Content-Type"] == "text/tab-separated-values; charset=utf-8"
    assert tsv["Content-Disposition"] == (
        'attachment; filename="TR_B1_RU-TVE-RC_2024-01_2024-03.tsv"'
    )
    lines = tsv.content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Report_Name\tBook Requests (Controlled)" and lines[13] == ""
    xlsx = client.get("/sushi/r51/reports/pr.xlsx", {**rc, **QUARTER})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True)["PR"]
    assert next(sheet.iter_rows(values_only=True))[:2] == ("Report_Name", "Platform Report")
    refused = client.get("/sushi/r51/reports/pr.xlsx", {**rc, "begin_date": "2024-01"})
    assert refused.status_code == 400 and refused.json()["Code"] == 1030
    assert client.get("/sushi/r51/reports/dr.tsv", {**rc, **QUARTER}).status_code == 404


def test_a_failing_database_is_service_not_available(
    client, world, april, credential, monkeypatch, caplog
):
    library = credential("presidentlib")

    def fail(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(counter, "build_report", fail)
    answer = get(client, "/r51/reports/tr", 503, **library, **QUARTER)
    assert answer == {
        "Code": 1000,
        "Message": "Service Not Available",
        "Data": "the database did not answer",
    }
    assert "SUSHI request failed on the database" in caplog.text


def test_short_item_id_or_author_is_not_a_filter(client, world, april, credential):
    library = credential("presidentlib")
    answer = get(client, "/r51/reports/ir", 200, **library, **QUARTER, item_id="x", author="y")
    filters = answer["Report_Header"]["Report_Filters"]
    assert "Item_ID" not in filters and "Author" not in filters
    assert answer["Report_Header"]["Exceptions"][-1]["Data"] == "item_id=x; author=y"


def test_too_many_requests_of_one_customer_are_refused_with_1020(
    client, world, april, credential, settings, time_machine
):
    """Per customer and window (whatever the path), answered as COUNTER_API.json's 429 with
    Retry-After; other customers and the next window are not affected."""
    settings.LIBRANET_SUSHI_RATE_REQUESTS = 3
    settings.LIBRANET_SUSHI_RATE_WINDOW = 60
    time_machine.move_to(dt.datetime(2024, 4, 15, 12, 0, 10, tzinfo=dt.UTC), tick=False)
    rc, library = credential("RU-TVE-RC"), credential("presidentlib", "other.example.org")
    for path in ("/r51/members", "/r51/reports", "/r51/reports/pr"):
        client.get(f"/sushi{path}", {**rc, **QUARTER})
    response = client.get("/sushi/r51/members", rc)
    refused = get(client, "/r51/reports", 429, **rc)
    assert refused["Code"] == 1020 and refused["Message"] == "Client has made too many requests"
    assert "at most 3 requests in 60 seconds" in refused["Data"]
    assert response.status_code == 429 and response["Retry-After"] == "50"
    assert get(client, "/r51/members", 200, **library)  # another customer
    time_machine.shift(50)
    assert get(client, "/r51/members", 200, **rc)  # the next window


def test_the_rate_limit_is_counted_across_servers_sharing_redis(
    client, world, april, credential, settings, cache_server
):
    """Requests through servers A and B count together in the shared cache."""
    settings.LIBRANET_SUSHI_RATE_REQUESTS = 3
    rc = credential("RU-TVE-RC")
    for server in ("A", "B", "A"):
        with cache_server():
            assert get(client, "/r51/members", 200, **rc), server
    with cache_server():  # B's second request is the customer's fourth
        assert get(client, "/r51/members", 429, **rc)["Code"] == 1020


def test_with_redis_unreachable_the_rate_limit_counts_per_process(
    client, world, april, credential, settings, caplog
):
    """Redis down: every request is still answered, and a harvester is still held to the limit,
    counted in each process's memory, rather than let at the database unchecked."""
    settings.LIBRANET_SUSHI_RATE_REQUESTS = 3
    settings.CACHES = redis_cache_settings(f"redis://127.0.0.1:{free_port()}/0", prefix="down")
    credentials.PROCESS_COUNTS.clear()
    rc = credential("RU-TVE-RC")
    for _ in range(3):
        assert get(client, "/r51/members", 200, **rc)
    assert get(client, "/r51/members", 429, **rc)["Code"] == 1020
    assert "SUSHI rate limit: the cache does not answer" in caplog.text
