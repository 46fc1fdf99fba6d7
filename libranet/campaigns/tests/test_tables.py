"""The campaign's pages at the network's size: the centers' table filtered by area, state and
name, ordered and paged; the results drilled down by district, region and center; the cost of
a page in queries, whatever the number of centers."""

import datetime

import pytest

from libranet.campaigns.models import Response
from libranet.campaigns.services import response_save
from libranet.network.models import Center, Region

from .conftest import full_answers
from .test_views import sign_in, url

pytestmark = pytest.mark.django_db


def submit(campaign, center, **overrides):
    response_save(
        actor=None,
        campaign=campaign,
        center=center,
        answers=full_answers(campaign, **overrides),
        revision=None,
        submit=True,
    )


def codes_in(page: str, candidates) -> set[str]:
    return {code for code in candidates if f"({code})" in page}


ALL = {"RU-TVE-RC", "RU-TVE-LIB", "RU-PNZ-RC", "RU-PNZ-LIB", "MN-01"}


def test_the_centers_table_filters_by_area_state_and_name(client, network_user, campaign, centers):
    submit(campaign, centers["tver_lib"])
    response_save(
        actor=None,
        campaign=campaign,
        center=centers["penza_rc"],
        answers={},
        revision=None,
        submit=False,
    )
    sign_in(client, network_user)
    district = Region.objects.get(code="RU-PNZ").federal_district.code

    def shown(query: str) -> set[str]:
        answer = client.get(url("detail", campaign.pk) + query)
        assert answer.status_code == 200
        return codes_in(answer.content.decode(), ALL)

    assert shown("") == ALL
    assert shown("?region=RU-PNZ") == {"RU-PNZ-RC", "RU-PNZ-LIB"}
    assert shown(f"?district={district}") == {"RU-PNZ-RC", "RU-PNZ-LIB"}
    assert shown("?district=abroad") == shown("?region=MN") == {"MN-01"}
    assert shown("?state=submitted") == {"RU-TVE-LIB"}
    assert shown("?state=draft") == {"RU-PNZ-RC"}
    assert shown("?state=not_started&region=RU-PNZ") == {"RU-PNZ-LIB"}
    assert shown("?q=ЦУД+в+Твери") == shown("?q=ru-tve-lib") == {"RU-TVE-LIB"}
    page = client.get(url("detail", campaign.pk) + "?state=late").content.decode()
    assert "No center matches these filters." in page
    # An area not in the reader's scope is said, and the table shows the rest unfiltered.
    page = client.get(url("detail", campaign.pk) + "?region=RU-XXX").content.decode()
    assert 'id="id_region_error"' in page and codes_in(page, ALL) == ALL


def test_the_centers_table_orders_by_state_not_started_first(
    client, network_user, campaign, centers
):
    submit(campaign, centers["tver_rc"])
    sign_in(client, network_user)
    page = client.get(url("detail", campaign.pk) + "?sort=state").content.decode()
    assert page.index("(RU-TVE-RC)") > max(page.index(f"({c})") for c in ALL - {"RU-TVE-RC"})


def test_a_form_submitted_after_a_reopening_is_late_and_the_reopen_keeps_the_table(
    client, clock, network_user, operator_tver_lib, campaign, centers
):
    clock.move_to(datetime.datetime(2026, 3, 22, 9, 0, tzinfo=datetime.UTC), tick=False)
    sign_in(client, network_user)
    answer = client.post(
        url("reopen", campaign.pk, "RU-TVE-LIB"),
        {"until": "2026-03-25", "back": "region=RU-TVE&sort=state&page=1&evil=1"},
    )
    assert answer["Location"] == (
        url("detail", campaign.pk) + "?region=RU-TVE&sort=state&page=1#centers"
    )
    page = client.get(answer["Location"]).content.decode()
    assert "reopened until 25.03.2026" in page and 'name="back"' in page
    submit(campaign, centers["tver_lib"])
    assert Response.objects.get().state == Response.State.SUBMITTED
    late = client.get(url("detail", campaign.pk) + "?state=late").content.decode()
    assert codes_in(late, ALL) == {"RU-TVE-LIB"} and "submitted late" in late
    submitted = client.get(url("detail", campaign.pk) + "?state=submitted").content.decode()
    assert codes_in(submitted, ALL) == {"RU-TVE-LIB"}


def test_the_reopen_form_is_only_on_a_closed_campaign(client, clock, network_user, campaign):
    sign_in(client, network_user)
    assert 'name="until"' not in client.get(url("detail", campaign.pk)).content.decode()
    clock.move_to(datetime.datetime(2026, 3, 22, 9, 0, tzinfo=datetime.UTC), tick=False)
    sign_in(client, network_user)
    assert client.get(url("detail", campaign.pk)).content.decode().count('name="until"') == 5


def _many(make_center, number, region="RU-TVE"):
    return [
        make_center(code=f"RU-X-{n:03d}", region=Region.objects.get(code=region))
        for n in range(number)
    ]


def test_the_centers_table_is_paged_at_a_fixed_cost_in_queries(
    client, network_user, campaign, centers, make_center, django_assert_max_num_queries
):
    sign_in(client, network_user)
    with django_assert_max_num_queries(12):
        small = client.get(url("detail", campaign.pk))
    assert small.status_code == 200 and 'class="pagination"' not in small.content.decode()
    _many(make_center, 60)
    with django_assert_max_num_queries(12):
        first = client.get(url("detail", campaign.pk) + "?sort=code").content.decode()
    assert first.count(f"/campaigns/{campaign.pk}/centers/") == 50 and 'rel="next"' in first
    assert "65 centers" in first
    second = client.get(url("detail", campaign.pk) + "?sort=code&page=2").content.decode()
    assert second.count(f"/campaigns/{campaign.pk}/centers/") == 15
    assert "(RU-X-059)" in second and "(RU-X-059)" not in first
    assert "?sort=code&amp;page=1" in second  # the pagination keeps the order


def test_the_results_drill_down_district_region_center(
    client, network_user, campaign, centers, make_center
):
    submit(campaign, centers["tver_lib"])
    submit(campaign, centers["penza_lib"], **{"Events held": "8"})
    make_center(code="RU-YAR-LIB", region=Region.objects.get(code="RU-YAR"))
    district = Region.objects.get(code="RU-TVE").federal_district
    sign_in(client, network_user)
    network = client.get(url("results", campaign.pk)).content.decode()
    assert f'href="?district={district.code}"' in network and 'href="?district=abroad"' in network
    assert 'href="?region=RU-TVE"' not in network and 'id="by-center"' not in network
    inside = client.get(url("results", campaign.pk) + f"?district={district.code}").content.decode()
    assert 'href="?region=RU-TVE"' in inside and "RU-PNZ" not in inside
    assert "Total 12, average 12.00, answers 1." in inside
    region = client.get(url("results", campaign.pk) + "?region=RU-TVE").content.decode()
    assert codes_in(region, ALL) == {"RU-TVE-RC", "RU-TVE-LIB"}
    assert district.name_en in region  # in the breadcrumbs
    abroad = client.get(url("results", campaign.pk) + "?district=abroad").content.decode()
    assert 'id="by-center"' in abroad and codes_in(abroad, ALL) == {"MN-01"}


def test_the_results_by_center_are_paged_and_the_downloads_complete(
    client, network_user, campaign, centers, make_center, django_assert_max_num_queries
):
    submit(campaign, centers["tver_lib"])
    sign_in(client, network_user)
    with django_assert_max_num_queries(13):
        client.get(url("results", campaign.pk))
    _many(make_center, 30)
    for center in Center.objects.filter(code__startswith="RU-X-"):
        submit(campaign, center)
    with django_assert_max_num_queries(13):
        client.get(url("results", campaign.pk))  # the network's figures: as many queries
    with django_assert_max_num_queries(16):
        first = client.get(url("results", campaign.pk) + "?region=RU-TVE").content.decode()
    assert first.count('class="card-title"') == 25 and 'rel="next"' in first
    assert "?district=" in first and "region=RU-TVE&amp;page=2" in first
    second = client.get(url("results", campaign.pk) + "?region=RU-TVE&page=2").content.decode()
    assert second.count('class="card-title"') == 7
    csv = client.get(url("results_download", campaign.pk, "csv")).content.decode("utf-8-sig")
    assert len(csv.splitlines()) == 1 + 5 + 30
    assert "Total 372, average 12.00, answers 31." in first


def test_a_regional_head_sees_the_region_s_centers_without_areas_to_choose(
    client, head_tver, campaign, centers
):
    sign_in(client, head_tver)
    page = client.get(url("detail", campaign.pk)).content.decode()
    assert codes_in(page, ALL) == {"RU-TVE-RC", "RU-TVE-LIB"}
    assert 'name="state"' in page and 'name="region"' not in page and "<details" not in page


def test_the_list_counts_at_a_fixed_cost_in_queries(
    client, network_user, campaign, centers, make_center, django_assert_max_num_queries
):
    sign_in(client, network_user)
    with django_assert_max_num_queries(8):
        client.get(url("list"))
    _many(make_center, 20)
    with django_assert_max_num_queries(8):
        page = client.get(url("list")).content.decode()
    assert "0 / 25" in page
