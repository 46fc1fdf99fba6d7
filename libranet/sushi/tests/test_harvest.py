"""An independent COUNTER 5.1 client, celus-nigiri's, harvests every report over real HTTP
from the live server; the figures it reads are the roll-up rows the test wrote."""

import datetime as dt
import io
from collections import defaultdict

import pytest
import requests
from celus_nigiri.client import Sushi51Client
from celus_nigiri.counter51 import Counter51PRReport, Counter51TRReport

from libranet.usage.counter import PR_P1_METRICS

# A live server sees only committed rows.
pytestmark = pytest.mark.django_db(transaction=True)
BEGIN, END = dt.date(2024, 1, 1), dt.date(2024, 3, 31)
KINDS = {"book": "Book", "open_book": "Book", "periodical": "Journal"}
KINDS.update(photograph="Image", video="Audiovisual")


@pytest.fixture
def harvest(live_server, world, april, credential):
    """Fetch a report as celus-nigiri does; returns the records it reads and its parser (with
    the errors and warnings it found)."""

    def fetch(report, customer_id, report_class=None):
        params = credential(customer_id, requestor_id=f"celus-{customer_id}")
        client = Sushi51Client(
            f"{live_server.url}/sushi",
            customer_id,
            requestor_id=params["requestor_id"],
            extra_params={"api_key": params["api_key"]},
        )
        output = io.BytesIO()
        if report_class is None:  # the reports celus-nigiri reads by name
            parsed = client.get_report_data(report, BEGIN, END, output_content=output)
        else:  # Standard Views: fetched by path, read with their report's reader
            client.fetch_report_data(report, BEGIN, END, dump_file=output, params={})
            parsed = report_class(output)
        found = (list(parsed.errors), list(parsed.warnings))
        header, items = parsed.fd_to_dicts(output)  # (reading again notes them again)
        records = list(parsed.read_report(header, items))
        parsed.errors, parsed.warnings = found
        return records, parsed

    return fetch


def by(records, *dimensions):
    totals = defaultdict(int)
    for record in records:
        key = tuple(record.dimension_data.get(d) for d in dimensions)
        totals[(*key, record.metric, f"{record.start:%Y-%m}")] += record.value
    return dict(totals)


def expected(world, *, centers, names, metrics, key):
    """(key(name), Metric_Type, month) -> count from the rows the test wrote."""
    pks = {getattr(world, name).pk: name for name in names}
    totals = defaultdict(int)
    for (pk, metric, month), value in world.usage.sums(centers=centers).items():
        name = pks.get(pk)
        if name is None or metric not in metrics:
            continue
        if metric.startswith("Unique_Title") and KINDS[name] != "Book":
            continue
        totals[(*key(name), metric, month)] += value
    return dict(totals)


PR_METRICS = {
    "Total_Item_Investigations", "Total_Item_Requests", "Unique_Item_Investigations",
    "Unique_Item_Requests", "Unique_Title_Investigations", "Unique_Title_Requests",
}  # fmt: skip


def test_platform_reports(harvest, world):
    records, parsed = harvest("pr", "RU-TVE-RC")
    assert parsed.errors == [] and [w.code for w in parsed.warnings] == [3040]
    want = expected(
        world,
        centers=world.tver_region,
        names=KINDS,
        metrics=PR_METRICS,
        key=lambda name: (KINDS[name], "Regular"),
    )
    for month, value in world.usage.searches_sum(world.tver_region).items():
        want[("Platform", "Regular", "Searches_Platform", month)] = value
    assert by(records, "Data_Type", "Access_Method") == want
    records, parsed = harvest("pr_p1", "RU-TVE-RC", Counter51PRReport)
    assert by(records, "Data_Type") == {
        (kind, metric, month): value
        for (kind, _method, metric, month), value in want.items()
        if metric in PR_P1_METRICS
    }


def test_title_reports(harvest, world):
    records, parsed = harvest("tr", "presidentlib")
    assert parsed.errors == []
    titles = {f"presidentlib:{getattr(world, n).identifier}": n for n in KINDS if n in (
        "book", "open_book", "periodical")}  # fmt: skip
    access = {"book": "Controlled", "open_book": "Free_To_Read", "periodical": "Controlled"}
    yops = {"book": "1903", "open_book": "0001", "periodical": "1913"}
    want = expected(
        world,
        centers=None,
        names=titles.values(),
        metrics=PR_METRICS | {"No_License"},
        key=lambda name: (name, KINDS[name], yops[name], access[name]),
    )
    got = defaultdict(int)
    for r in records:
        name = titles[r.title_ids["Proprietary"]]
        # Names as the server gives them to a client that asks for no language: Russian.
        assert r.title == getattr(world, name).title_ru
        d = r.dimension_data
        key = (name, d["Data_Type"], d["YOP"], d["Access_Type"])
        got[(*key, r.metric, f"{r.start:%Y-%m}")] += r.value
    assert dict(got) == want
    records, _parsed = harvest("tr_b1", "RU-TVE-RC", Counter51TRReport)
    assert {(r.title, r.metric, f"{r.start:%Y-%m}"): r.value for r in records} == {
        (world.book.title_ru, metric, month): value
        for (pk, metric, month), value in world.usage.sums(centers=world.tver_region).items()
        if pk == world.book.pk and metric in ("Total_Item_Requests", "Unique_Title_Requests")
    }


def test_item_report(harvest, world):
    records, parsed = harvest("ir", "presidentlib")
    assert parsed.errors == []
    want = expected(
        world,
        centers=None,
        names=("photograph", "video"),
        metrics=PR_METRICS | {"No_License"},
        key=lambda name: (getattr(world, name).title_ru, KINDS[name]),
    )
    assert by_item(records) == want
    photo = next(r for r in records if r.item == world.photograph.title_ru)
    assert [a.name for a in photo.item_authors] == world.photograph.creators
    assert photo.item_publication_date == "1890-06-01"
    assert (
        photo.dimension_data["YOP"] == "1890"
        and photo.dimension_data["Access_Type"] == "Free_To_Read"
    )


def by_item(records):
    totals = defaultdict(int)
    for r in records:
        totals[(r.item, r.dimension_data["Data_Type"], r.metric, f"{r.start:%Y-%m}")] += r.value
    return dict(totals)


def test_refusals_reach_the_client_as_errors(harvest, live_server, world, april):
    client = Sushi51Client(
        f"{live_server.url}/sushi",
        "RU-TVE-RC",
        requestor_id="nobody",
        extra_params={"api_key": "x"},
    )
    parsed = client.get_report_data("pr", BEGIN, END, output_content=io.BytesIO())
    assert [(str(e.code), parsed.http_status_code) for e in parsed.errors] == [("2000", 401)]
    status = requests.get(f"{live_server.url}/sushi/r51/status", timeout=10)
    assert status.status_code == 200 and status.json()[0]["Service_Active"] is True
