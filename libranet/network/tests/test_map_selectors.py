"""The map's reads: the compact map data at the network's future size, the nearest centers, the
regional center a center belongs to, the town of an address."""

import gzip
import json
import random

import pytest

from libranet.network.cache import registry_changed
from libranet.network.models import Center, Region
from libranet.network.selectors import (
    CenterFilters,
    distance_km,
    map_centers,
    nearest_centers,
    regional_center_of,
    town_of,
    town_of_english,
)

pytestmark = pytest.mark.django_db

TOWNS = ["г. Тверь", "с. Лермонтово", "пгт Суходол", "д. Горки", "г. Ржев"]


def bulk_centers(institution, count: int, *, seed: int = 11) -> None:
    """``count`` remote access centers spread over Russia's regions: made in bulk (the service
    would take minutes), with the names, addresses and coordinates of a real registry's size."""
    rng = random.Random(seed)
    regions = list(Region.objects.all())
    Center.objects.bulk_create(
        [
            Center(
                code=f"RU-BULK-{n:05d}",
                kind=Center.Kind.REMOTE,
                status=rng.choice(["open"] * 8 + ["planned", "suspended", "closed"]),
                name_ru=f"Центр удалённого доступа при библиотеке № {n} им. А. С. Пушкина",
                name_en=f"Remote access center at the Pushkin library no. {n}",
                institution=institution,
                region=rng.choice(regions),
                address=f"{rng.randrange(100000, 999999)}, {rng.choice(TOWNS)}, ул. Мира, {n % 90}",
                latitude=f"{rng.uniform(43, 70):.6f}",
                longitude=f"{rng.uniform(20, 179):.6f}",
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    registry_changed()


def test_map_data_for_16000_centers_is_under_a_megabyte_compressed(client, institution):
    bulk_centers(institution, 16_000)
    response = client.get("/ru/centers/map.json", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert len(response.content) < 1_000_000, len(response.content)
    assert response["ETag"]
    data = json.loads(gzip.decompress(response.content))
    assert len(data["centers"]["code"]) == 16_000
    # The same version of the registry: the browser's copy is still good.
    again = client.get("/ru/centers/map.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_map_data_columns_speak_the_request_language(make_center, tver_rc, time_machine):
    time_machine.move_to("2026-12-07 10:00+03:00")
    make_center(
        code="RU-TVE-LIB",
        name_ru="ЦУД в библиотеке Твери",
        name_en="Tver library center",
        address="170100, г. Тверь, Свободный пер., 28",
        latitude="56.858722",
        longitude="35.900112",
    )
    make_center(
        code="RU-TVE-KIM",
        name_ru="ЦУД в Кимрах",
        address="Тверская обл., г. Кимры, ул. Ленина, 5",
        address_en="5 Lenin St, Kimry, Tver Region",
        latitude="56.87",
        longitude="37.35",
    )
    make_center(code="NO-COORDS")
    from django.utils import translation

    with translation.override("en"):
        data = map_centers(filters=CenterFilters())
    centers = data["centers"]
    # a center with no coordinates is not on a map
    assert centers["code"] == ["RU-TVE-KIM", "RU-TVE-LIB"]
    assert centers["name"][1] == "Tver library center"
    # the English address's town where there is one, else the Russian address's
    assert centers["town"] == ["Kimry", "г. Тверь"]
    assert (centers["lat"][1], centers["lon"][1]) == (56.8587, 35.9001)
    assert data["regions"][centers["region"][0]] == "RU-TVE"
    assert data["statuses"][centers["status"][0]] == "open"


@pytest.mark.parametrize(
    ("address", "town"),
    [
        ("170100, г. Тверь, Свободный пер., 28", "г. Тверь"),
        (
            "442380, Пензенская обл., Белинский р-н, с. Лермонтово, ул. Лермонтова, 10",
            "с. Лермонтово",
        ),
        ("Тверь, Свободный пер., 28", ""),
        ("", ""),
    ],
)
def test_town_of(address, town):
    assert town_of(address) == town


@pytest.mark.parametrize(
    ("address_en", "town"),
    [
        ("28 Svobodny Lane, Tver, 170100", "Tver"),
        ("10 Lermontova St, Lermontovo, Belinsky District, Penza Region, 442380", "Lermontovo"),
        ("5 Lenin St, Kimry, Tver Region", "Kimry"),
        ("Republic of Tatarstan, 12 Kremlin St", ""),
        ("", ""),
    ],
)
def test_town_of_english(address_en, town):
    assert town_of_english(address_en) == town


def test_distance_km():
    # Moscow to Saint Petersburg, centre to centre: about 634 km.
    assert distance_km(55.7558, 37.6173, 59.9343, 30.3351) == pytest.approx(634, abs=3)


def test_nearest_centers_are_the_closest_open_ones_in_order(make_center, tver_rc, time_machine):
    time_machine.move_to("2026-12-07 10:00+03:00")
    here = make_center(code="HERE", latitude="56.86", longitude="35.90")
    for code, lat, lon in [
        ("NEAR-1", "56.90", "35.90"),  # ~4.5 km
        ("NEAR-2", "57.00", "35.90"),  # ~15.6 km
        ("NEAR-3", "56.86", "36.50"),  # ~36 km
        ("FAR-1", "59.93", "30.33"),  # ~470 km: the box must widen to reach it
        ("FAR-2", "47.90", "106.90"),  # Ulaanbaatar
        ("FAR-3", "43.10", "131.90"),  # Vladivostok
    ]:
        make_center(code=code, latitude=lat, longitude=lon)
    make_center(code="CLOSED", latitude="56.861", longitude="35.901", status=Center.Status.CLOSED)
    make_center(code="NOWHERE")

    near = nearest_centers(center=here, limit=5)
    assert [found.center.code for found in near] == ["NEAR-1", "NEAR-2", "NEAR-3", "FAR-1", "FAR-2"]
    assert near[0].km == pytest.approx(4.45, abs=0.1)
    assert nearest_centers(center=Center.objects.get(code="NOWHERE")) == []


def test_nearest_centers_across_the_antimeridian(make_center, tver_rc, time_machine):
    time_machine.move_to("2026-12-07 10:00+03:00")
    here = make_center(code="UELEN", latitude="66.16", longitude="179.90")
    make_center(code="ACROSS", latitude="66.16", longitude="-179.90")  # ~9 km east
    for n in range(5):
        make_center(code=f"WEST-{n}", latitude="66.16", longitude=f"{179.0 - n * 0.1:.1f}")
    assert nearest_centers(center=here)[0].center.code == "ACROSS"


def test_nearest_centers_among_16000_read_few_rows(
    institution, make_center, tver_rc, time_machine, django_assert_max_num_queries
):
    time_machine.move_to("2026-12-07 10:00+03:00")
    bulk_centers(institution, 16_000)
    here = make_center(code="HERE", latitude="56.86", longitude="35.90")
    with django_assert_max_num_queries(6):
        near = nearest_centers(center=here)
    assert len(near) == 5
    everyone = [
        distance_km(56.86, 35.90, float(c.latitude), float(c.longitude))
        for c in Center.objects.exclude(pk=here.pk).exclude(status="closed").exclude(latitude=None)
    ]
    assert [round(found.km, 6) for found in near] == [round(km, 6) for km in sorted(everyone)[:5]]


def test_regional_center_of(make_center, tver_rc, time_machine):
    time_machine.move_to("2026-12-07 10:00+03:00")
    plain = make_center(code="PLAIN")
    coordinated = make_center(code="COORD", regional_center=tver_rc)
    assert regional_center_of(plain) == tver_rc  # the open regional center of its region
    assert regional_center_of(coordinated) == tver_rc
    assert regional_center_of(tver_rc) is None
