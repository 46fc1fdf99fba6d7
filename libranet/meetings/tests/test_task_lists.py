"""The task lists that must hold at the network's size: the late tasks (filtered by state,
decision, federal district, region and regional center, with counts, grouped by decision, paged)
and the progress by regional center (one row each, counted in the database, by federal
district, sortable, paged), each at a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from libranet.meetings import views
from libranet.meetings.models import Responsible, Task
from libranet.meetings.services import decision_issue
from libranet.network.models import Center, Region

pytestmark = pytest.mark.django_db
D = datetime.date
LATE = "/ru/office/meetings/tasks/late/"
BY_CENTER = "/ru/office/meetings/tasks/by-center/"


@pytest.fixture
def decisions(regional_centers, make_decision, today):
    """Three regional centers (Tver and Belgorod in the Central district, Penza in the Volga
    one) with two decisions each: the first late everywhere but in Tver, where it is done; the
    second open. And a department's late task."""
    late = make_decision(deadline=D(2020, 12, 1), text_en="Send the figures")
    decision_issue(actor=None, decision=late)
    Task.objects.filter(decision=late, center__code="RU-TVE-RC").update(done=True)
    open_ = make_decision(deadline=D(2027, 1, 1), text_en="Plan the openings")
    decision_issue(actor=None, decision=open_)
    department = make_decision(
        responsible=Responsible.NETWORK_DEPARTMENT, deadline=D(2021, 1, 1), text_en="Report"
    )
    decision_issue(actor=None, decision=department)
    return {"late": late, "open": open_, "department": department}


def test_the_late_list_by_default_and_its_counts(client, network_user, decisions):
    client.force_login(network_user)
    response = client.get(LATE)
    assert response.status_code == 200
    tasks = list(response.context["page"].object_list)
    assert {(t.decision_id, t.center.code if t.center else t.department) for t in tasks} == {
        (decisions["late"].pk, "RU-BEL-RC"),
        (decisions["late"].pk, "RU-PNZ-RC"),
        (decisions["department"].pk, Responsible.NETWORK_DEPARTMENT),
    }
    facets = response.context["facets"]
    assert [(d.pk, n) for d, n in facets.decisions] == [
        (decisions["late"].pk, 2),
        (decisions["department"].pk, 1),
    ]
    # In the districts' order (by name: Privolzhsky before Tsentralny).
    assert [(d.code, n) for d, n in facets.districts] == [("VFD", 1), ("CFD", 1)]
    text = response.content.decode()
    assert "3 поручения" in text and "Просроченные поручения" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("district=CFD", {"RU-BEL-RC"}),
        ("district=VFD", {"RU-PNZ-RC"}),
        ("region=RU-PNZ", {"RU-PNZ-RC"}),
        ("center=RU-BEL-RC", {"RU-BEL-RC"}),
        ("state=done", {"RU-TVE-RC"}),
        ("state=open&district=CFD", {"RU-TVE-RC", "RU-BEL-RC"}),
        ("state=all&center=RU-TVE-RC", {"RU-TVE-RC"}),
        ("state=nonsense&region=RU-BEL", {"RU-BEL-RC"}),  # an unknown state: the late ones
    ],
)
def test_the_tasks_filters(client, network_user, decisions, query, expected):
    client.force_login(network_user)
    response = client.get(f"{LATE}?{query}")
    assert response.status_code == 200
    shown = {t.center.code for t in response.context["page"].object_list}
    assert shown == expected


def test_a_decision_filter_and_the_other_facets_counts(client, network_user, decisions):
    client.force_login(network_user)
    response = client.get(f"{LATE}?state=all&decision={decisions['open'].pk}")
    assert {t.decision_id for t in response.context["page"].object_list} == {decisions["open"].pk}
    facets = response.context["facets"]
    # The districts count the chosen decision's tasks; the decisions count every task.
    assert dict((d.code, n) for d, n in facets.districts) == {"CFD": 2, "VFD": 1}
    assert dict((d.pk, n) for d, n in facets.decisions) == {
        decisions["late"].pk: 3,
        decisions["open"].pk: 3,
        decisions["department"].pk: 1,
    }
    assert "Поручения" in response.content.decode()  # not only the late ones: the title says so


def test_the_late_list_is_paged_with_its_filters_in_the_links(
    client, network_user, decisions, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(network_user)
    first = client.get(f"{LATE}?state=all")
    assert first.context["page"].paginator.num_pages == 4
    assert "?state=all&amp;page=2" in first.content.decode()
    last = client.get(f"{LATE}?state=all&page=4")
    assert len(last.context["page"].object_list) == 1


def test_the_tasks_list_costs_a_fixed_number_of_queries(
    client, network_user, decisions, make_center, make_decision
):
    client.force_login(network_user)

    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = [f"{LATE}?state=all", LATE, BY_CENTER, f"{BY_CENTER}?district=CFD&sort=name"]
    few = [cost(url) for url in urls]
    for code in ("RU-KOS", "RU-IVA", "RU-SAM", "RU-KGD"):
        make_center(
            code=f"{code}-RC", kind=Center.Kind.REGIONAL, region=Region.objects.get(code=code)
        )
    later = make_decision(deadline=D(2021, 6, 1))
    decision_issue(actor=None, decision=later)
    assert [cost(url) for url in urls] == few


def test_progress_by_regional_center_counts_and_sorts(client, network_user, decisions):
    client.force_login(network_user)
    response = client.get(BY_CENTER)
    assert response.status_code == 200
    rows = [(c.code, c.done, c.open, c.late, c.total) for c in response.context["page"]]
    # The most late first, then by region: Belgorod before Penza.
    assert rows == [
        ("RU-BEL-RC", 0, 1, 1, 2),
        ("RU-PNZ-RC", 0, 1, 1, 2),
        ("RU-TVE-RC", 1, 1, 0, 2),
    ]
    text = response.content.decode()
    assert f"{LATE}?state=done&amp;center=RU-TVE-RC" in text
    assert f"{LATE}?center=RU-BEL-RC" in text
    by_done = client.get(f"{BY_CENTER}?sort=-done")
    assert [c.code for c in by_done.context["page"]][0] == "RU-TVE-RC"
    assert 'aria-sort="descending"' in by_done.content.decode()
    central = client.get(f"{BY_CENTER}?district=CFD&sort=name")
    assert [c.code for c in central.context["page"]] == ["RU-BEL-RC", "RU-TVE-RC"]
    # An unknown order: the most late first.
    assert client.get(f"{BY_CENTER}?sort=pk").context["columns"][3]["aria_sort"] == "descending"


def test_progress_by_regional_center_is_paged(client, network_user, decisions, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(network_user)
    response = client.get(f"{BY_CENTER}?sort=name")
    assert response.context["page"].paginator.num_pages == 2
    assert "?sort=name&amp;page=2" in response.content.decode()
    second = client.get(f"{BY_CENTER}?sort=name&page=2")
    assert [c.code for c in second.context["page"]] == ["RU-TVE-RC"]
