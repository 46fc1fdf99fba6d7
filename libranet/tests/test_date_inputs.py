"""Months and dates at the calendar's edges, in other scripts' digits, malformed or huge, sent
to every door that reads one: the statistics pages and their downloads, the usage API, SUSHI's
begin_date and end_date, the back office's mailing page and the commands. Each answers in its
own format, with its own status and a message naming the parameter; none with a 500."""

import datetime
import html

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from libranet import dates
from libranet.accounts.services import api_token_create
from libranet.usage.credentials import sushi_credential_issue
from libranet.usage.tests.counter_support import assert_valid_response

pytestmark = pytest.mark.django_db

GOOD = " 2026-10 "  # October 2026, over on the fixed clock; white space around is ignored
EDGES = [
    "0000-01",
    "0001-01",
    "9999-12",
    "10000-01",
    "9999-13",
    "2026-00",
    "２０２６-１０",  # full-width digits
    "٢٠٢٦-١٠",  # Arabic-Indic digits
    "2026-1",
    GOOD,
    "",
    "2026-10" + "0" * 5000,
    "2026-02-30",
]


@pytest.fixture(autouse=True)
def _november(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC), tick=False)


def reason(text: str, *, parameter: str, read=dates.parse_month, language: str = "en") -> str:
    """What ``libranet.dates`` says of ``text``, as each door should repeat it."""
    with translation.override(language), pytest.raises(dates.DateInputError) as raised:
        read(text, parameter=parameter)
    return raised.value.reason


STATS = [
    "/en/stats/",
    "/en/stats/indicators.csv",
    "/en/stats/indicators.xlsx",
    "/en/stats/zero-usage/",
    "/en/stats/zero-usage/zero-usage.csv",
    "/en/stats/zero-usage/zero-usage.xlsx",
]


@pytest.mark.parametrize("text", EDGES)
@pytest.mark.parametrize("url", STATS)
def test_stats_pages_and_downloads(client, network_user, url, text):
    client.force_login(network_user)
    # The other settings are kept: the zero-usage report's kind, the indicators' indicator.
    other = ("kind", "regional") if "zero-usage" in url else ("indicator", "views")
    response = client.get(url, {"month": text, other[0]: other[1]})
    if text in (GOOD, ""):  # no month: the last complete one
        assert response.status_code == 200
        return
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    said = html.escape(reason(text, parameter="month"))
    if "zero-usage" in url:
        assert f'<li id="id_month_error">Month: {said}</li>' in page
    else:
        assert f'<a href="#id_month">Month</a>: {said}</li>' in page
        assert f'<ul class="errorlist" id="id_month_error"><li>{said}</li></ul>' in page
    assert f'<option value="{other[1]}" selected>' in page


def test_stats_pages_say_it_in_the_pages_language(client, network_user):
    client.force_login(network_user)
    page = client.get("/ru/stats/", {"month": "2026-13"}).content.decode()
    assert html.escape(reason("2026-13", parameter="month", language="ru")) in page


@pytest.mark.parametrize("text", EDGES)
@pytest.mark.parametrize("path", ["/api/v1/usage/indicators", "/api/v1/usage/zero-usage"])
def test_usage_api(client, network_user, path, text):
    token = api_token_create(user=network_user, name="t")[1]
    response = client.get(
        path,
        {"month": text},
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response["Content-Type"] == "application/json; charset=utf-8"
    if text == GOOD:
        assert response.status_code == 200 and response.json()["month"] == "2026-10"
        return
    assert response.status_code == 422
    expected = reason(text, parameter="month")
    assert response.json() == {"message": f"month: {expected}", "errors": {"month": [expected]}}


def test_usage_api_says_it_in_the_requests_language(client, network_user):
    token = api_token_create(user=network_user, name="t")[1]
    response = client.get(
        "/api/v1/usage/indicators",
        {"month": "٢٠٢٦-١٠"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 422
    assert response.json()["errors"]["month"] == [
        reason("٢٠٢٦-١٠", parameter="month", language="ru")
    ]


@pytest.fixture
def sushi(tver_rc):
    key = sushi_credential_issue(
        actor=None, name="ERM", requestor_id="erm.example.org", customer_id=tver_rc.code
    )[1]
    return {"customer_id": tver_rc.code, "requestor_id": "erm.example.org", "api_key": key}


@pytest.mark.parametrize("text", [*EDGES, "2026-10-31", "9999-12-31", "2026-10-٣١"])
@pytest.mark.parametrize("parameter", ["begin_date", "end_date"])
@pytest.mark.parametrize("report", ["pr", "pr.tsv"])
def test_sushi_reports(client, sushi, report, parameter, text):
    params = {**sushi, "begin_date": "2026-01", "end_date": "2026-10", parameter: text}
    response = client.get(f"/sushi/r51/reports/{report}", params)
    if text in (GOOD, "2026-10-31"):
        assert response.status_code == 200
        return
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    answer = response.json()
    assert_valid_response("/r51/reports/pr", 400, answer)
    if text == "":
        assert answer == {
            "Code": 1030,
            "Message": "Insufficient Information to Process Request",
            "Data": f"{parameter} missing",
        }
        return
    expected = reason(text, parameter=parameter, read=dates.parse_month_or_day)
    assert answer == {
        "Code": 3020,
        "Message": "Invalid Date Arguments",
        "Data": f"{parameter}: {expected}",
    }


@pytest.mark.parametrize("text", EDGES)
def test_back_office_mailing_page(client, network_user, text):
    """The month is in the path: a month that is none names no page."""
    client.force_login(network_user)
    response = client.get(f"/en/office/mailings/{text}/")
    assert response.status_code == (200 if text == GOOD else 404)


COMMANDS = [
    ("rollup_usage", "--month", dates.parse_month),
    ("generate_usage", "--month", dates.parse_month),
    ("send_zero_usage_mailing", "--month", dates.parse_month),
    ("rollup_usage", "--day", dates.parse_day),
    ("rollup_usage", "--from", dates.parse_day),
]


@pytest.mark.parametrize("text", [*EDGES, "2026-10-31", "0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(("command", "option", "read"), COMMANDS)
def test_commands(command, option, read, text):
    args = [option, text] + (["--to", "2026-10-31"] if option == "--from" else [])
    try:
        expected = reason(text, parameter=option, read=read)
    except pytest.fail.Exception:  # the reading accepts it
        if command != "generate_usage":  # which would generate a month of usage
            call_command(command, *args, verbosity=0)
        return
    with pytest.raises(CommandError) as raised:
        call_command(command, *args, verbosity=0)
    assert str(raised.value) == f"{option}: {expected}"
