"""A month still running, at every door that shows one: its figures stop at yesterday in the
project's time zone (Europe/Moscow, UTC+3), and the pages, the downloads, the API and SUSHI say
which days they cover. The clock is set near midnight UTC, when Moscow is already a day ahead."""

import csv
import datetime
import io

import openpyxl
import pytest

from libranet.accounts.services import api_token_create
from libranet.network.models import Center
from libranet.usage.credentials import sushi_credential_issue
from libranet.usage.models import Metric

pytestmark = pytest.mark.django_db

DECEMBER = datetime.date(2026, 12, 1)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=datetime.UTC)


SEVENTH = utc(12, 6, 21, 30)  # 00:30 on 7 December in Moscow: 1–6 December are over
FIRST = utc(11, 30, 21, 30)  # 00:30 on 1 December in Moscow: no day of December is over
SECOND = utc(12, 1, 21, 30)  # 00:30 on 2 December in Moscow
LAST = utc(12, 31, 20, 30)  # 23:30 on 31 December in Moscow
NEW_YEAR = utc(12, 31, 21, 30)  # 00:30 on 1 January in Moscow: December is over


@pytest.fixture
def usage(tver_rc, daily_usage):
    """A session on each day of December at Tver's regional center."""
    Center.objects.filter(pk=tver_rc.pk).update(opened_on=datetime.date(2020, 1, 1))
    daily_usage([(tver_rc, DECEMBER.replace(day=day), Metric.SESSIONS, 1) for day in range(1, 32)])
    return tver_rc


@pytest.fixture
def office(client, network_user, time_machine):
    """Signed in to the back office at ``now`` (a session does not last the month)."""

    def at(now):
        time_machine.move_to(now, tick=False)
        client.force_login(network_user)
        return client

    return at


@pytest.fixture
def api(client, network_user):
    token = api_token_create(user=network_user, name="t")[1]

    def get(path, language="ru", **params):
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": language}
        return client.get(f"/api/v1/usage/{path}", params, headers=headers)

    return get


@pytest.mark.parametrize(
    ("now", "heading"),
    [
        (SECOND, "1 December 2026 (month in progress)"),
        (SEVENTH, "1–6 December 2026 (month in progress)"),
        (LAST, "1–30 December 2026 (month in progress)"),
        (NEW_YEAR, "December 2026"),
    ],
)
def test_pages_say_which_days(office, usage, now, heading):
    office = office(now)
    page = office.get("/en/stats/", {"month": "2026-12"}).content.decode()
    assert f"<h1>Network: {heading}</h1>" in page
    assert ('id="partial-badge"' in page) == (now != NEW_YEAR)
    page = office.get("/en/stats/zero-usage/", {"month": "2026-12"}).content.decode()
    assert f"<h1>Centers with zero usage: {heading}</h1>" in page


def test_pages_say_it_in_russian(office, usage):
    page = office(SEVENTH).get("/ru/stats/", {"month": "2026-12"}).content.decode()
    assert "1–6 декабря 2026 (месяц не закончился)" in page


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def read_xlsx(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("now", "last_day", "complete", "name"),
    [
        (SEVENTH, "2026-12-06", "no", "2026-12-01-to-2026-12-06"),
        (NEW_YEAR, "2026-12-31", "yes", "2026-12"),
    ],
)
def test_downloads_say_which_days(office, usage, now, last_day, complete, name):
    office = office(now)
    period = ["2026-12", "2026-12-01", last_day, complete]
    sessions = int(last_day[-2:])
    response = office.get("/en/stats/region/RU-TVE/indicators.csv", {"month": "2026-12"})
    disposition = f'attachment; filename="usage-{name}-region-RU-TVE.csv"'
    assert response["Content-Disposition"] == disposition
    header, row, total = read_csv(response.content)
    assert header[:4] == ["Month", "First day", "Last day", "Month complete"]
    assert row[:4] == period and row[8:10] == ["RU-TVE-RC", usage.name]
    assert row[12] == str(sessions)
    assert total[:4] == period
    response = office.get("/en/stats/region/RU-TVE/indicators.xlsx", {"month": "2026-12"})
    header, row, total = read_xlsx(response.content)
    assert row[:4] == period and row[8:10] == ["RU-TVE-RC", usage.name]
    assert row[12] == sessions
    response = office.get("/en/stats/zero-usage/zero-usage.csv", {"month": "2026-12"})
    assert response["Content-Disposition"] == f'attachment; filename="zero-usage-{name}.csv"'
    header, *_rows = read_csv(response.content)
    assert header[:4] == ["Month", "First day", "Last day", "Month complete"]


@pytest.mark.parametrize(
    ("now", "last_day", "complete"),
    [(SECOND, "2026-12-01", False), (SEVENTH, "2026-12-06", False), (NEW_YEAR, "2026-12-31", True)],
)
def test_api_says_which_days(api, usage, time_machine, now, last_day, complete):
    time_machine.move_to(now, tick=False)
    covered = {"month": "2026-12", "first_day": "2026-12-01", "last_day": last_day}
    covered["complete"] = complete
    body = api("indicators", month="2026-12").json()
    assert {name: body[name] for name in covered} == covered
    assert body["total"]["values"]["Sessions"] == int(last_day[-2:])
    body = api("zero-usage", month="2026-12").json()
    assert {name: body[name] for name in covered} == covered


def test_a_month_whose_first_day_is_not_over_is_refused(office, api, usage):
    office = office(FIRST)
    message = (
        "2026-12 began today: its first day is counted once it is over; choose 2026-11 or an "
        "earlier month."
    )
    page = office.get("/en/stats/", {"month": "2026-12"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400 and message in page.content.decode()
    response = api("indicators", month="2026-12", language="en")
    assert response.status_code == 422
    assert response.json()["errors"] == {"month": [message]}
    # November is over in Moscow, though not yet in UTC.
    body = api("indicators", month="2026-11").json()
    assert body["last_day"] == "2026-11-30" and body["complete"] is True


def test_sushi_reports_whole_months_only(client, usage, time_machine):
    """COUNTER's way: a begin_date in the running month is 3020; an end_date in it is moved back
    to the last month over, with 3031 (Code of Practice, Exception 3031)."""
    time_machine.move_to(FIRST, tick=False)
    key = sushi_credential_issue(
        actor=None, name="ERM", requestor_id="erm.example.org", customer_id=usage.code
    )[1]
    credentials = {"customer_id": usage.code, "requestor_id": "erm.example.org", "api_key": key}
    refused = client.get(
        "/sushi/r51/reports/pr", {**credentials, "begin_date": "2026-12", "end_date": "2026-12"}
    )
    assert refused.status_code == 400 and refused.json()["Code"] == 3020
    report = client.get(
        "/sushi/r51/reports/pr", {**credentials, "begin_date": "2026-11", "end_date": "2026-12"}
    ).json()
    header = report["Report_Header"]
    assert header["Report_Filters"]["Begin_Date"] == "2026-11-01"
    assert header["Report_Filters"]["End_Date"] == "2026-11-30"
    not_ready = next(e for e in header["Exceptions"] if e["Code"] == 3031)
    assert not_ready["Data"].startswith("2026-12 not ready")
