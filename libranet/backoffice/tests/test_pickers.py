"""The pickers' searches: each user is offered only what the permission module lets them
reach, by name or code in either language, 20 at most; nobody unsigned learns anything."""

import pytest

from libranet.backoffice import forms
from libranet.network.models import Center, Region

pytestmark = pytest.mark.django_db
PICKERS = "/en/office/pickers/"


def values(client, path):
    response = client.get(PICKERS + path)
    assert response.status_code == 200
    return [row["value"] for row in response.json()["results"]]


@pytest.fixture
def registry(make_center, tver_rc, penza_rc):
    make_center(code="RU-TVE-0001", name_ru="Центр в Торжке", name_en="Center in Torzhok")
    make_center(code="RU-TVE-0002", name_ru="Центр в Ржеве", name_en="Center in Rzhev")
    make_center(
        code="RU-PNZ-0001",
        region=Region.objects.get(code="RU-PNZ"),
        name_ru="Центр в Кузнецке",
        name_en="Center in Kuznetsk",
    )


def test_a_head_is_offered_only_the_centers_of_their_region(client, head_tver, registry):
    client.force_login(head_tver)
    assert values(client, "centers.json") == ["RU-TVE-RC", "RU-TVE-0001", "RU-TVE-0002"]
    assert values(client, "centers.json?q=Кузнецк") == []
    assert values(client, "regions.json") == [Region.objects.get(code="RU-TVE").pk]


def test_the_network_department_searches_every_center(client, network_user, registry):
    client.force_login(network_user)
    # by name in either language (Cyrillic folded on SQLite too), by code, by several words
    assert values(client, "centers.json?q=ТОРЖКЕ") == ["RU-TVE-0001"]
    assert values(client, "centers.json?q=Rzhev") == ["RU-TVE-0002"]
    assert values(client, "centers.json?q=rU-pnz") == ["RU-PNZ-RC", "RU-PNZ-0001"]
    assert values(client, "centers.json?q=center kuznetsk") == ["RU-PNZ-0001"]
    # regional centers only, by key: the center form's coordinating center
    regional = values(client, "centers.json?kind=regional&value=pk")
    assert regional == [Center.objects.get(code=c).pk for c in ("RU-PNZ-RC", "RU-TVE-RC")]
    response = client.get(PICKERS + "centers.json?q=Torzhok")
    assert response.json()["results"] == [
        {"value": "RU-TVE-0001", "text": "Center in Torzhok (RU-TVE-0001)"}
    ]


def test_an_operator_is_offered_their_own_center(client, operator_user, registry):
    client.force_login(operator_user)
    assert values(client, "centers.json") == ["RU-TVE-RC"]
    assert values(client, "regions.json") == []
    assert client.get(PICKERS + "institutions.json").status_code == 403


def test_at_most_twenty(client, network_user, make_center):
    for _ in range(25):
        make_center()
    client.force_login(network_user)
    assert len(values(client, "centers.json?q=test")) == 20
    assert len(values(client, "regions.json")) == 20
    assert len(values(client, "countries.json")) == 20


def test_reference_searches_in_the_active_language(client, network_user, institution):
    client.force_login(network_user)
    assert values(client, "regions.json?q=tver") == [Region.objects.get(code="RU-TVE").pk]
    assert values(client, "regions.json?q=RU-PNZ") == [Region.objects.get(code="RU-PNZ").pk]
    assert values(client, "institutions.json?q=scientific") == [institution.pk]
    ru = client.get("/ru/office/pickers/regions.json?q=тверская").json()["results"]
    assert ru == [
        {"value": Region.objects.get(code="RU-TVE").pk, "text": "Тверская область (RU-TVE)"}
    ]


@pytest.mark.parametrize("path", ["centers.json", "regions.json", "institutions.json"])
def test_anonymous_and_readers_learn_nothing(client, reader_user, registry, path):
    response = client.get(PICKERS + path + "?q=RU")
    assert response.status_code == 302 and "/accounts/login/" in response.headers["Location"]
    client.force_login(reader_user)
    assert client.get(PICKERS + path + "?q=RU").status_code == 403


def test_a_large_choice_lists_only_the_chosen_one(client, network_user, tver_rc, monkeypatch):
    client.force_login(network_user)
    page = client.get(f"/en/office/centers/{tver_rc.code}/edit/").content.decode()
    assert 'data-picker="/en/office/pickers/institutions.json"' in page
    assert "data-picker-remote" not in page  # few institutions: all listed, works without JS
    monkeypatch.setattr(forms, "INLINE_CHOICES_MAX", 0)
    page = client.get(f"/en/office/centers/{tver_rc.code}/edit/").content.decode()
    institution_select = page.split('name="institution"')[1].split("</select>")[0]
    assert "data-picker-remote" in institution_select
    assert institution_select.count('<option value="') == 2  # the empty choice, the chosen one
    assert "Tver Regional Scientific Library" in institution_select
