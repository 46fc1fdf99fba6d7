"""COUNTER 5.1 reports from the roll-ups: figures, customers, mapping, filters and attributes,
and the exceptions of the report header; every report validated against COUNTER_API.json."""

import pytest

from libranet.network.models import Center
from libranet.usage import counter

from .counter_support import (
    JAN,
    MAR,
    TODAY,
    Usage,
    assert_valid,
    build_world,
    make_resource,
    month_days,
    roll_up,
)

pytestmark = pytest.mark.django_db
QUARTER = {"begin_date": "2024-01", "end_date": "2024-03"}


@pytest.fixture
def world(make_center):
    return build_world(make_center)


def build(kind, customer, **params):
    report = counter.build_report(kind, customer, {**QUARTER, **params}, today=TODAY)
    assert_valid(report, kind.report_id)
    return report


def codes(report):
    return [e["Code"] for e in report["Report_Header"].get("Exceptions", [])]


def exception(report, code):
    (found,) = [e for e in report["Report_Header"]["Exceptions"] if e["Code"] == code]
    return found


def performances(report):
    """Attribute_Performance entries of every report item (of every IR parent group)."""
    items = report["Report_Items"]
    if report["Report_Header"]["Report_ID"] == "IR":
        items = [item for group in items for item in group["Items"]]
    return [(item, entry) for item in items for entry in item["Attribute_Performance"]]


def figures(report, key=lambda item, entry: entry["Data_Type"]):
    """(key, Metric_Type, month) -> count, over the whole report."""
    out = {}
    for item, entry in performances(report):
        for metric, counts in entry["Performance"].items():
            for month, value in counts.items():
                k = (key(item, entry), metric, month)
                out[k] = out.get(k, 0) + value
    return out


def proprietary(resource):
    return f"presidentlib:{resource.identifier}"


# --- customers and figures ---------------------------------------------------------------------


def test_platform_report_sums_a_regional_centers_days_by_data_type(world):
    rc = counter.center_customer(world.tver_rc)
    report = build(counter.PR, rc)
    expected = {}
    for (resource_id, metric, month), value in world.usage.sums(centers=world.tver_region).items():
        kind = {
            world.book.pk: "Book",
            world.periodical.pk: "Journal",
            world.video.pk: "Audiovisual",
        }[resource_id]
        if metric == "No_License" or (metric.startswith("Unique_Title") and kind != "Book"):
            continue  # not a PR metric; title metrics are for books only
        expected[(kind, metric, month)] = expected.get((kind, metric, month), 0) + value
    for month, value in world.usage.searches_sum(world.tver_region).items():
        expected[("Platform", "Searches_Platform", month)] = value
    assert figures(report) == expected
    assert expected[("Book", "Total_Item_Requests", "2024-02")] == 2 * 2 + 2  # RC and Torzhok
    header = report["Report_Header"]
    assert header["Institution_Name"] == world.tver_rc.name
    assert header["Institution_ID"] == {"Proprietary": ["presidentlib:RU-TVE-RC"]}
    assert report["Report_Items"][0]["Platform"] == "Libranet"


@pytest.mark.parametrize(
    ("customer", "centers"),
    [
        ("tver_a", {"tver_a"}),  # a remote center: itself
        ("tver_rc", {"tver_rc", "tver_a", "tver_b"}),  # a regional center: its region too
        ("penza_rc", {"penza_rc"}),
        ("library", None),  # everything, usage outside every center included
    ],
)
def test_a_customer_covers_its_centers(world, customer, centers):
    if customer == "library":
        subject, scope = counter.library_customer(), None
    else:
        subject = counter.center_customer(getattr(world, customer))
        scope = {getattr(world, name).pk for name in centers}
    report = build(counter.TR, subject)
    got = figures(report, key=lambda item, entry: item["Item_ID"]["Proprietary"])
    titles = {world.book.pk: world.book, world.periodical.pk: world.periodical}
    titles[world.open_book.pk] = world.open_book
    expected = {
        (proprietary(titles[pk]), metric, month): value
        for (pk, metric, month), value in world.usage.sums(centers=scope).items()
        if pk in titles and not (metric.startswith("Unique_Title") and pk == world.periodical.pk)
    }
    assert got == expected


def test_the_library_counts_usage_outside_every_center_as_not_attributed(world):
    library = counter.library_customer()
    report = build(counter.IR, library, attributes_to_show="Attributed|Customer_ID")
    photo = [e for item, e in performances(report) if item["Item"] == world.photograph.title]
    outside = [e for e in photo if e["Attributed"] == "No"]
    assert [e.get("Customer_ID") for e in outside] == [None]
    assert outside[0]["Performance"]["Total_Item_Requests"] == {
        "2024-01": 5,
        "2024-02": 10,
        "2024-03": 15,
    }
    assert {e["Customer_ID"] for e in photo if e["Attributed"] == "Yes"} == {"MN-ULN-01"}
    platform = build(counter.PR, library, data_type="Platform")
    searches = platform["Report_Items"][0]["Attribute_Performance"][0]["Performance"]
    assert searches == {"Searches_Platform": {"2024-01": 18, "2024-02": 36, "2024-03": 54}}


def test_institution_attributes_break_a_report_down_by_center(world):
    report = build(
        counter.PR,
        counter.center_customer(world.tver_rc),
        attributes_to_show="Institution_Name|Customer_ID|Country_Name|Country_Code|"
        "Subdivision_Name|Subdivision_Code|Attributed",
        metric_type="Total_Item_Requests|Unique_Item_Requests",
        data_type="Book",
    )
    entries = [entry for _item, entry in performances(report)]
    assert [(e["Customer_ID"], e["Institution_Name"]) for e in entries] == [
        ("RU-TVE-RC", world.tver_rc.name),
        ("RU-TVE-001", world.tver_a.name),
    ]
    assert {(e["Country_Code"], e["Subdivision_Code"], e["Attributed"]) for e in entries} == {
        ("RU", "RU-TVE", "Yes")
    }
    assert entries[1]["Performance"]["Total_Item_Requests"] == {
        "2024-01": 1,
        "2024-02": 2,
        "2024-03": 3,
    }


def test_members(world, make_center):
    make_center(code="RU-TVE-PLAN", status=Center.Status.PLANNED)  # never opened: no member
    rc = counter.member_list(counter.center_customer(world.tver_rc))
    assert [m["Customer_ID"] for m in rc] == ["RU-TVE-001", "RU-TVE-002"]
    assert rc[0]["Institution_ID"] == {"Proprietary": ["presidentlib:RU-TVE-001"]}
    alone = counter.member_list(counter.center_customer(world.tver_a))
    assert [m["Customer_ID"] for m in alone] == ["RU-TVE-001"]
    library = counter.member_list(counter.library_customer())
    assert [m["Customer_ID"] for m in library] == ["MN-ULN-01", "RU-PNZ-RC", "RU-TVE-RC"]


# --- the mapping of resources ----------------------------------------------------------------


def test_title_report_shows_books_and_periodicals_with_their_attributes(world):
    report = build(
        counter.TR, counter.library_customer(), attributes_to_show="YOP|Access_Type|Access_Method"
    )
    rows = {
        item["Title"]: (
            entry["Data_Type"],
            entry["YOP"],
            entry["Access_Type"],
            entry["Access_Method"],
        )
        for item, entry in performances(report)
    }
    assert rows == {
        world.book.title: ("Book", "1903", "Controlled", "Regular"),
        world.open_book.title: ("Book", "0001", "Free_To_Read", "Regular"),
        world.periodical.title: ("Journal", "1913", "Controlled", "Regular"),
    }
    item = report["Report_Items"][0]
    assert item["Item_ID"] == {"Proprietary": proprietary(world.book)}
    assert item["Publisher"] and item["Platform"] == "Libranet"
    journal = [e for i, e in performances(report) if i["Title"] == world.periodical.title][0]
    assert "Unique_Title_Requests" not in journal["Performance"]  # titles metrics: books only
    assert "No_License" not in journal["Performance"]


def test_item_report_shows_the_other_resources(world):
    report = build(
        counter.IR,
        counter.library_customer(),
        attributes_to_show="YOP|Access_Type|Authors|Publication_Date",
        include_parent_details="True",
    )
    (group,) = report["Report_Items"]
    assert set(group) == {"Items"}  # no resource has a parent
    photo, video = group["Items"]
    assert photo["Item"] == world.photograph.title and video["Item"] == world.video.title
    assert photo["Authors"] == [{"Name": "Prokudin-Gorsky, S. M."}, {"Name": "Unknown studio"}]
    assert photo["Publication_Date"] == "1890-06-01" and "Publication_Date" not in video
    assert [
        (e["Data_Type"], e["YOP"], e["Access_Type"]) for e in video["Attribute_Performance"]
    ] == [("Audiovisual", "1961", "Controlled")]
    assert video["Attribute_Performance"][0]["Performance"]["No_License"] == {
        "2024-01": 1,
        "2024-02": 2,
        "2024-03": 3,
    }
    assert report["Report_Header"]["Report_Attributes"]["Include_Parent_Details"] == "True"


def test_standard_views_apply_their_fixed_filters(world):
    library = counter.library_customer()
    tr_b1 = build(counter.TR_B1, library)
    assert [item["Title"] for item in tr_b1["Report_Items"]] == [world.book.title]  # controlled
    (entry,) = tr_b1["Report_Items"][0]["Attribute_Performance"]
    assert entry["YOP"] == "1903" and set(entry["Performance"]) == {
        "Total_Item_Requests",
        "Unique_Title_Requests",
    }
    assert tr_b1["Report_Header"]["Report_Filters"]["Access_Type"] == ["Controlled"]
    pr_p1 = build(counter.PR_P1, library)
    kinds = {e["Data_Type"]: set(e["Performance"]) for _i, e in performances(pr_p1)}
    assert kinds["Book"] == {"Total_Item_Requests", "Unique_Item_Requests", "Unique_Title_Requests"}
    assert kinds["Platform"] == {"Searches_Platform"}
    assert "Access_Method" not in pr_p1["Report_Items"][0]["Attribute_Performance"][0]


def test_granularity_total_reports_the_period_under_its_first_month(world):
    report = build(
        counter.TR, counter.library_customer(), granularity="Total", item_id=proprietary(world.book)
    )
    (entry,) = report["Report_Items"][0]["Attribute_Performance"]
    assert entry["Performance"]["Total_Item_Requests"] == {"2024-01": 3 + 6 + 9}
    assert report["Report_Header"]["Report_Attributes"] == {"Granularity": "Total"}


# --- filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "titles", "applied"),
    [
        (counter.TR, {"data_type": "Journal"}, ["periodical"], {"Data_Type": ["Journal"]}),
        (
            counter.TR,
            {"access_type": "Free_To_Read"},
            ["open_book"],
            {"Access_Type": ["Free_To_Read"]},
        ),
        (
            counter.TR,
            {"yop": "1900-1910|1913"},
            ["book", "periodical"],
            {"YOP": ["1900-1910", "1913"]},
        ),
        (counter.TR, {"yop": "0001"}, ["open_book"], {"YOP": ["0001"]}),
        (counter.TR, {"item_id": "RU-PL"}, [], {"Item_ID": "RU-PL"}),
        (counter.TR, {"access_method": "TDM"}, [], {"Access_Method": ["TDM"]}),
        (counter.TR, {"subdivision_code": "RU-PNZ"}, ["open_book"], {"Subdivision_Code": "RU-PNZ"}),
        (counter.IR, {"country_code": "mn"}, ["photograph"], {"Country_Code": "MN"}),
        (counter.IR, {"attributed": "No"}, ["photograph"], {"Attributed": "No"}),
        (counter.IR, {"author": "unknown studio"}, ["photograph"], {"Author": "unknown studio"}),
        (counter.IR, {"metric_type": "No_License"}, ["video"], {"Metric_Type": ["No_License"]}),
    ],
)
def test_filters(world, kind, params, titles, applied):
    report = build(kind, counter.library_customer(), **params)
    name = "Title" if kind is counter.TR else "Item"
    expected = [getattr(world, t).title for t in titles]
    assert [item[name] for item, _entry in performances(report)] == expected
    filters = report["Report_Header"]["Report_Filters"]
    assert {k: v for k, v in filters.items() if k not in ("Begin_Date", "End_Date")} == applied
    assert (3030 in codes(report)) == (not titles)


def test_item_id_filter_takes_the_proprietary_forms(world):
    for value in (
        world.book.identifier,
        proprietary(world.book),
        f"Proprietary:{proprietary(world.book)}",
    ):
        report = build(counter.TR, counter.library_customer(), item_id=value)
        assert [item["Title"] for item in report["Report_Items"]] == [world.book.title]


# --- exceptions ------------------------------------------------------------------------------


def test_an_end_date_not_yet_processed_ends_at_the_previous_month(world):
    report = counter.build_report(
        counter.PR,
        counter.library_customer(),
        {"begin_date": "2024-02-01", "end_date": "2024-06-30"},
        today=TODAY,
    )
    assert_valid(report, "PR")
    assert report["Report_Header"]["Report_Filters"]["End_Date"] == "2024-03-31"
    assert exception(report, 3031)["Data"].startswith("2024-04 to 2024-06 not ready")
    assert exception(report, 3040)["Data"] == "2024-03: 10 of 31 days processed"


@pytest.mark.parametrize(
    ("params", "code", "data"),
    [
        ({"end_date": "2024-03"}, 1030, "begin_date missing"),
        ({"begin_date": "2024-01", "end_date": ""}, 1030, "end_date missing"),
        (
            {"begin_date": "2024-13", "end_date": "2024-03"},
            3020,
            "begin_date: “2024-13” names month 13: months run from 01 to 12.",
        ),
        (
            {"begin_date": "2024-02-30", "end_date": "2024-03"},
            3020,
            "begin_date: “2024-02-30” is not a date: 2024-02 has 29 days.",
        ),
        (
            {"begin_date": "January", "end_date": "2024-03"},
            3020,
            "begin_date: “January” is not a month or a date: give it as YYYY-MM or YYYY-MM-DD",
        ),
        ({"begin_date": "2024-03", "end_date": "2024-01"}, 3020, "end_date is before begin_date"),
        (
            {"begin_date": "2024-04", "end_date": "2024-04"},
            3020,
            "begin_date 2024-04 is not a past month",
        ),
        ({"begin_date": "2031-01", "end_date": "2031-12"}, 3020, "not a past month"),
    ],
)
def test_requests_that_cannot_be_answered(world, params, code, data):
    with pytest.raises(counter.CounterException) as raised:
        counter.build_report(counter.PR, counter.library_customer(), params, today=TODAY)
    assert raised.value.code == code and data in raised.value.data
    assert raised.value.http_status == 400


def test_months_not_processed_partial_or_before_the_first(db):
    usage = Usage()
    resource = make_resource()
    usage.requests(JAN.replace(day=3), None, resource)
    usage.requests(MAR.replace(day=3), None, resource)
    usage.save()
    roll_up(month_days(JAN) + month_days(MAR)[:-1])  # February never rolled up
    library = counter.library_customer()
    report = counter.build_report(
        counter.TR, library, {"begin_date": "2023-10", "end_date": "2024-03"}, today=TODAY
    )
    assert_valid(report, "TR")
    assert codes(report) == [3031, 3032, 3040]
    assert exception(report, 3031)["Data"] == "2024-02 not processed"
    assert exception(report, 3032)["Data"].startswith("usage is available from 2024-01")
    assert exception(report, 3040)["Data"] == "2024-03: 30 of 31 days processed"
    assert report["Report_Header"]["Report_Filters"]["Begin_Date"] == "2024-01-01"
    (entry,) = report["Report_Items"][0]["Attribute_Performance"]
    assert entry["Performance"]["Total_Item_Requests"] == {"2024-01": 1, "2024-03": 1}
    before = counter.build_report(
        counter.TR, library, {"begin_date": "2023-01", "end_date": "2023-06"}, today=TODAY
    )
    assert codes(before) == [3032] and before["Report_Items"] == []


def test_nothing_processed_yet_is_not_ready_rather_than_no_usage(db):
    report = counter.build_report(counter.PR, counter.library_customer(), QUARTER, today=TODAY)
    assert_valid(report, "PR")
    assert codes(report) == [3031] and report["Report_Items"] == []
    assert exception(report, 3031)["Data"] == "2024-01 to 2024-03 not processed"


def test_no_usage_in_processed_months(world, make_center):
    quiet = make_center(code="RU-TVE-QUIET")
    report = build(counter.IR, counter.center_customer(quiet))
    assert report["Report_Items"] == [] and codes(report) == [3030, 3040]


def test_unknown_parameters_and_values_are_noted_and_left_out(world):
    report = build(
        counter.TR,
        counter.library_customer(),
        metric_type="Total_Item_Requests|Clicks|unique_item_requests",
        data_type="journal|Article",
        yop="19x0|1913",
        attributes_to_show="YOP|Colour",
        granularity="Weekly",
        author="someone",  # IR's, not TR's
        platform="Elsewhere",
        country_code="RU|MN",
    )
    assert codes(report) == [3040, 3050, 3060, 3062]
    assert exception(report, 3050)["Data"] == "author"
    assert exception(report, 3060)["Data"] == (
        "platform=Elsewhere (this service reports Libranet); metric_type=Clicks; "
        "data_type=Article; yop=19x0; country_code=RU|MN"
    )
    assert exception(report, 3062)["Data"] == "attributes_to_show=Colour; granularity=Weekly"
    header = report["Report_Header"]
    assert header["Report_Filters"] == {
        "Begin_Date": "2024-01-01",
        "End_Date": "2024-03-31",
        "Metric_Type": ["Total_Item_Requests", "Unique_Item_Requests"],
        "Data_Type": ["Journal"],
        "YOP": ["1913"],
    }
    assert header["Report_Attributes"] == {"Attributes_To_Show": ["YOP"]}
    assert [item["Title"] for item in report["Report_Items"]] == [world.periodical.title]


def test_standard_views_take_no_filters(world):
    report = build(
        counter.TR_B1, counter.library_customer(), metric_type="No_License", granularity="Total"
    )
    assert exception(report, 3050)["Data"] == "granularity, metric_type"
    assert report["Report_Header"]["Report_Filters"]["Metric_Type"] == list(counter.TR_B1_METRICS)


def test_components_are_not_supported(world):
    report = build(counter.IR, counter.library_customer(), include_component_details="True")
    assert 3063 in codes(report)
    assert "Report_Attributes" not in report["Report_Header"]


# --- the other answers -------------------------------------------------------------------------


def test_report_list_and_status(world):
    reports = counter.report_list(today=TODAY)
    assert [r["Report_ID"] for r in reports] == ["PR", "PR_P1", "TR", "TR_B1", "IR"]
    assert {(r["First_Month_Available"], r["Last_Month_Available"]) for r in reports} == {
        ("2024-01", "2024-03")
    }
    assert reports[1]["Path"] == "/r51/reports/pr_p1"
    for report in reports:
        assert_valid(report, "Report")
    (status,) = counter.service_status()
    assert_valid(status, "Status")
    assert status["Note"] == "Usage is processed up to 2024-03-10."


def test_a_reports_queries_are_a_few_and_one_or_two_a_month(world, django_assert_max_num_queries):
    library = counter.library_customer()
    attributes = "YOP|Access_Type|Institution_Name|Customer_ID|Country_Name|Subdivision_Code"
    for months, params in ((1, {"end_date": "2024-01"}), (3, {})):
        for kind, extra in ((counter.PR, {}), (counter.TR, {"attributes_to_show": attributes})):
            # Whatever the number of centers and resources: one GROUP BY per month (two for
            # PR: items and searches), plus the resources' and centers' descriptions.
            with django_assert_max_num_queries(4 + 2 * months):
                counter.build_report(kind, library, {**QUARTER, **params, **extra}, today=TODAY)


def test_a_single_metric_type_is_refused_where_the_schema_wants_two(world):
    library = counter.library_customer()
    report = build(counter.TR, library, metric_type="Total_Item_Requests")
    assert exception(report, 3060)["Data"] == (
        "metric_type=Total_Item_Requests alone (PR and TR report two or more)"
    )
    assert "Metric_Type" not in report["Report_Header"]["Report_Filters"]
    searches = build(counter.PR, library, metric_type="Searches_Platform")
    assert 3060 not in codes(searches)
    assert [e["Data_Type"] for _i, e in performances(searches)] == ["Platform"]
