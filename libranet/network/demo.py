"""Demo data: the facts of the seed documents plus a synthetic network the size of the real one.

Deterministic for a given seed: the same ``seed`` and ``scale`` give the same network, so
benchmarks and screenshots compare like with like. Every center goes through the registry's
services, so demo data obeys the same rules as data entered by staff.
"""

import datetime
import ipaddress
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from .models import Center, Country, Institution, Region, StaffRole
from .reference_data import read_csv
from .services import center_create, institution_create, staff_role_assign

Kind = Center.Kind
Status = Center.Status
IKind = Institution.Kind

# Foreign centers: the countries the seed names (Germany, the USA, Italy, Spain, Austria, Great
# Britain, Mongolia) and others of the network, 27 in all; (code, city ru, city en, lat, lon).
FOREIGN_CITIES = [
    ("MN", "Улан-Батор", "Ulaanbaatar", 47.9077, 106.8832),
    ("DE", "Берлин", "Berlin", 52.5200, 13.4050),
    ("US", "Вашингтон", "Washington", 38.9072, -77.0369),
    ("IT", "Рим", "Rome", 41.9028, 12.4964),
    ("ES", "Мадрид", "Madrid", 40.4168, -3.7038),
    ("AT", "Вена", "Vienna", 48.2082, 16.3738),
    ("GB", "Лондон", "London", 51.5072, -0.1276),
    ("FR", "Париж", "Paris", 48.8566, 2.3522),
    ("BY", "Минск", "Minsk", 53.9006, 27.5590),
    ("KZ", "Астана", "Astana", 51.1605, 71.4704),
    ("KG", "Бишкек", "Bishkek", 42.8746, 74.5698),
    ("UZ", "Ташкент", "Tashkent", 41.2995, 69.2401),
    ("TJ", "Душанбе", "Dushanbe", 38.5598, 68.7870),
    ("AM", "Ереван", "Yerevan", 40.1872, 44.5152),
    ("AZ", "Баку", "Baku", 40.4093, 49.8671),
    ("RS", "Белград", "Belgrade", 44.7866, 20.4489),
    ("BG", "София", "Sofia", 42.6977, 23.3219),
    ("CZ", "Прага", "Prague", 50.0755, 14.4378),
    ("SK", "Братислава", "Bratislava", 48.1486, 17.1077),
    ("FI", "Хельсинки", "Helsinki", 60.1699, 24.9384),
    ("CN", "Пекин", "Beijing", 39.9042, 116.4074),
    ("IN", "Нью-Дели", "New Delhi", 28.6139, 77.2090),
    ("VN", "Ханой", "Hanoi", 21.0278, 105.8342),
    ("CY", "Никосия", "Nicosia", 35.1856, 33.3823),
    ("GR", "Афины", "Athens", 37.9838, 23.7275),
    ("EG", "Каир", "Cairo", 30.0444, 31.2357),
    ("MD", "Кишинёв", "Chisinau", 47.0105, 28.8638),
]
# A second center in these countries, at the national library (30+ centers in 27 countries).
NATIONAL_LIBRARY_COUNTRIES = ["KZ", "BY", "KG", "UZ", "TJ", "AM"]


@dataclass(frozen=True)
class DemoResult:
    centers: int
    regional: int
    remote: int
    branches: int
    foreign: int
    countries: int


class _Allocator:
    """Hands out non-overlapping networks: an IPv4 /28 per center, an IPv6 /56 to some."""

    def __init__(self) -> None:
        self.n = 0

    def next(self, with_v6: bool) -> list[str]:
        self.n += 1
        v4 = ipaddress.IPv4Network((int(ipaddress.IPv4Address("10.0.0.0")) + self.n * 16, 28))
        nets = [str(v4)]
        if with_v6:
            base = int(ipaddress.IPv6Address("2001:db8::")) + (self.n << 72)
            nets.append(str(ipaddress.IPv6Network((base, 56))))
        return nets


def _date(rng: random.Random, start_year: int = 2009, end_year: int = 2023) -> datetime.date:
    start = datetime.date(start_year, 1, 1).toordinal()
    end = datetime.date(end_year, 12, 31).toordinal()
    return datetime.date.fromordinal(rng.randint(start, end))


def _jitter(rng: random.Random, value: float, spread: float = 0.6) -> Decimal:
    return Decimal(f"{value + rng.uniform(-spread, spread):.6f}")


def _institution(**fields: Any) -> Institution:
    existing = Institution.objects.filter(name_ru=fields["name_ru"]).first()
    return existing or institution_create(actor=None, **fields)


def _seed_facts(regions: dict[str, Region], alloc: _Allocator) -> dict[str, Center]:
    """The centers the seed documents name."""
    made: dict[str, Center] = {}
    tver_lib = _institution(
        name_ru="Тверская ордена «Знак Почёта» областная универсальная научная библиотека "
        "им. А. М. Горького",
        name_en="A. M. Gorky Tver Regional Scientific Library",
        kind=IKind.LIBRARY,
        address="170100, г. Тверь, ул. Свободный пер., 28",
        website="https://www.tverlib.ru/",
    )
    made["RU-TVE-RC"] = center_create(
        actor=None,
        code="RU-TVE-RC",
        kind=Kind.REGIONAL,
        region=regions["RU-TVE"],
        name_ru="Региональный центр Президентской библиотеки в Тверской области",
        name_en="Regional center of the Presidential Library in Tver Region",
        institution=tver_lib,
        status=Status.OPEN,
        opened_on=datetime.date(2010, 11, 25),
        address=tver_lib.address,
        latitude=Decimal("56.859600"),
        longitude=Decimal("35.911900"),
        hours="Вт–Сб 10:00–19:00",
        networks=alloc.next(True),
    )
    penza_lib = _institution(
        name_ru="Пензенская областная библиотека им. М. Ю. Лермонтова",
        name_en="Penza M. Yu. Lermontov Regional Library",
        kind=IKind.LIBRARY,
        address="440026, г. Пенза, ул. Московская, 52",
        website="https://liblermont.ru/",
    )
    made["RU-PNZ-RC"] = center_create(
        actor=None,
        code="RU-PNZ-RC",
        kind=Kind.REGIONAL,
        region=regions["RU-PNZ"],
        name_ru="Региональный центр Президентской библиотеки в Пензенской области",
        name_en="Regional center of the Presidential Library in Penza Region",
        institution=penza_lib,
        status=Status.OPEN,
        opened_on=datetime.date(2011, 3, 15),
        address=penza_lib.address,
        latitude=Decimal("53.195000"),
        longitude=Decimal("45.018300"),
        networks=alloc.next(True),
    )
    tarkhany = _institution(
        name_ru="Государственный Лермонтовский музей-заповедник «Тарханы»",
        name_en="Tarkhany State Lermontov Museum-Reserve",
        kind=IKind.MUSEUM,
        address="442380, Пензенская обл., Белинский р-н, с. Лермонтово, ул. Лермонтова, 10",
        website="https://tarhany.ru/",
    )
    made["RU-PNZ-TARKHANY"] = center_create(
        actor=None,
        code="RU-PNZ-TARKHANY",
        kind=Kind.REMOTE,
        region=regions["RU-PNZ"],
        name_ru="Центр удалённого доступа в музее-заповеднике «Тарханы»",
        name_en="Remote access center at the Tarkhany museum-reserve",
        institution=tarkhany,
        status=Status.OPEN,
        opened_on=datetime.date(2020, 10, 21),
        address=tarkhany.address,
        latitude=Decimal("52.989700"),
        longitude=Decimal("43.431900"),
        networks=alloc.next(False),
    )
    tyumen = _institution(
        name_ru="Филиал Президентской библиотеки в Тюменской области",
        name_en="Branch of the Presidential Library in Tyumen Region",
        kind=IKind.OTHER,
        address="625000, г. Тюмень, ул. Советская, 63",
    )
    made["RU-TYU-BR"] = center_create(
        actor=None,
        code="RU-TYU-BR",
        kind=Kind.BRANCH,
        region=regions["RU-TYU"],
        name_ru="Филиал Президентской библиотеки в Тюменской области",
        name_en="Branch of the Presidential Library in Tyumen Region",
        institution=tyumen,
        status=Status.OPEN,
        opened_on=datetime.date(2016, 12, 1),
        address=tyumen.address,
        latitude=Decimal("57.153000"),
        longitude=Decimal("65.534300"),
        networks=alloc.next(True),
    )
    return made


def _seed_regional(
    rng: random.Random,
    regions: dict[str, Region],
    capitals: dict[str, dict],
    alloc: _Allocator,
    made: dict[str, Center],
) -> None:
    for code, region in regions.items():
        if f"{code}-RC" in made:
            continue
        cap = capitals[code]
        library = _institution(
            name_ru=f"Научная библиотека — {region.name_ru} (г. {cap['capital_ru']})",
            name_en=f"Regional Scientific Library, {region.name_en} ({cap['capital_en']})",
            kind=IKind.LIBRARY,
            address=f"г. {cap['capital_ru']}",
        )
        made[f"{code}-RC"] = center_create(
            actor=None,
            code=f"{code}-RC",
            kind=Kind.REGIONAL,
            region=region,
            name_ru=f"Региональный центр Президентской библиотеки — {region.name_ru}",
            name_en=f"Regional center of the Presidential Library, {region.name_en}",
            institution=library,
            status=Status.OPEN,
            opened_on=_date(rng, 2009, 2016),
            address=library.address,
            latitude=_jitter(rng, float(cap["latitude"]), 0.02),
            longitude=_jitter(rng, float(cap["longitude"]), 0.02),
            hours="Пн–Пт 9:00–18:00",
            # The monthly mailing reaches a regional center without a head at this address.
            email=f"rc.{code.lower()}@example.org",
            networks=alloc.next(rng.random() < 0.3),
        )


REMOTE_HOSTS = [
    (
        IKind.LIBRARY,
        "Центральная городская библиотека № {n}, г. {city}",
        "Central City Library No. {n}, {city_en}",
    ),
    (
        IKind.UNIVERSITY,
        "Государственный университет, г. {city} (корпус {n})",
        "State University, {city_en} (building {n})",
    ),
    (
        IKind.MUSEUM,
        "Краеведческий музей № {n}, г. {city}",
        "Museum of Local Lore No. {n}, {city_en}",
    ),
    (IKind.SCHOOL, "Средняя школа № {n}, г. {city}", "Secondary School No. {n}, {city_en}"),
    (IKind.LIBRARY, "Районная библиотека № {n}, г. {city}", "District Library No. {n}, {city_en}"),
]
STATUS_MIX = [Status.OPEN] * 16 + [Status.PLANNED, Status.APPROVED, Status.SUSPENDED, Status.CLOSED]


def _seed_remote(
    rng: random.Random,
    regions: dict[str, Region],
    capitals: dict[str, dict],
    alloc: _Allocator,
    made: dict[str, Center],
    scale: int,
) -> None:
    for code, region in regions.items():
        cap = capitals[code]
        for n in range(1, (rng.randint(3, 7) * scale) + 1):
            kind, name_ru, name_en = rng.choice(REMOTE_HOSTS)
            host = _institution(
                name_ru=name_ru.format(n=n, city=cap["capital_ru"]),
                name_en=name_en.format(n=n, city_en=cap["capital_en"]),
                kind=kind,
                address=f"г. {cap['capital_ru']}, ул. Ленина, {n}",
            )
            status = rng.choice(STATUS_MIX)
            opened = (
                _date(rng) if status in (Status.OPEN, Status.SUSPENDED, Status.CLOSED) else None
            )
            center_create(
                actor=None,
                code=f"{code}-{n:04d}",
                kind=Kind.REMOTE,
                region=region,
                regional_center=made[f"{code}-RC"],
                name_ru=f"Центр удалённого доступа — {host.name_ru}",
                name_en=f"Remote access center, {host.name_en}",
                institution=host,
                status=status,
                opened_on=opened,
                status_date=(
                    opened + datetime.timedelta(days=400)
                    if status in (Status.SUSPENDED, Status.CLOSED)
                    else None
                ),
                address=host.address,
                latitude=_jitter(rng, float(cap["latitude"])),
                longitude=_jitter(rng, float(cap["longitude"])),
                email=f"cud{n}@example.org",
                networks=alloc.next(rng.random() < 0.3),
            )


def _seed_foreign(
    rng: random.Random, countries: dict[str, Country], alloc: _Allocator, scale: int
) -> None:
    places = [(code, ru, en, lat, lon, IKind.RCSC) for code, ru, en, lat, lon in FOREIGN_CITIES]
    places += [
        (code, ru, en, lat, lon, IKind.NATIONAL_LIBRARY)
        for code, ru, en, lat, lon in FOREIGN_CITIES
        if code in NATIONAL_LIBRARY_COUNTRIES
    ]
    for copy in range(scale):
        for code, city_ru, city_en, lat, lon, kind in places:
            suffix = "" if copy == 0 else f" ({copy + 1})"
            if kind == IKind.RCSC:
                host_ru = f"Российский центр науки и культуры в г. {city_ru}{suffix}"
                host_en = f"Russian Center for Science and Culture in {city_en}{suffix}"
            else:
                host_ru = f"Национальная библиотека, г. {city_ru}{suffix}"
                host_en = f"National Library, {city_en}{suffix}"
            host = _institution(name_ru=host_ru, name_en=host_en, kind=kind, address=f"{city_en}")
            number = Center.objects.filter(country=countries[code]).count() + 1
            center_create(
                actor=None,
                code=f"{code}-{number:02d}",
                kind=Kind.FOREIGN,
                country=countries[code],
                name_ru=f"Центр удалённого доступа Президентской библиотеки — {host_ru}",
                name_en=f"Presidential Library remote access center, {host_en}",
                institution=host,
                status=Status.OPEN,
                opened_on=_date(rng, 2011, 2023),
                address=host.address,
                latitude=_jitter(rng, lat, 0.05),
                longitude=_jitter(rng, lon, 0.05),
                networks=alloc.next(rng.random() < 0.5),
            )


DEMO_ACCOUNTS = [
    # username, role, scope (center code or region code), superuser
    ("admin", StaffRole.Role.ADMINISTRATOR, None, True),
    ("network", StaffRole.Role.NETWORK_DEPARTMENT, None, False),
    ("international", StaffRole.Role.INTERNATIONAL, None, False),
    ("head.tver", StaffRole.Role.REGIONAL_HEAD, "RU-TVE", False),
    ("head.penza", StaffRole.Role.REGIONAL_HEAD, "RU-PNZ", False),
    ("operator.tarkhany", StaffRole.Role.CENTER_OPERATOR, "RU-PNZ-TARKHANY", False),
]


def seed_accounts(*, password: str) -> list[tuple[str, str]]:
    """Demo staff for each role; returns (username, role label) pairs."""
    from libranet.accounts.models import User
    from libranet.accounts.services import user_create_staff

    made = []
    for username, role, scope, superuser in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first() or user_create_staff(
            username=username,
            password=password,
            is_superuser=superuser,
            email=f"{username}@example.org",
        )
        staff_role_assign(
            actor=None,
            user=user,
            role=role,
            center=Center.objects.get(code=scope)
            if role == StaffRole.Role.CENTER_OPERATOR
            else None,
            region=Region.objects.get(code=scope) if role == StaffRole.Role.REGIONAL_HEAD else None,
        )
        made.append((username, str(role.label)))
    return made


def seed_network(*, seed: int = 2018, scale: int = 1) -> DemoResult:
    """Build the demo network (in one transaction: all of it or nothing)."""
    rng = random.Random(seed)
    alloc = _Allocator()
    capitals = {row["code"]: row for row in read_csv("federal_subjects.csv")}
    regions = {r.code: r for r in Region.objects.filter(code__in=capitals).order_by("code")}
    countries = {c.code: c for c in Country.objects.all()}
    with transaction.atomic():
        made = _seed_facts(regions, alloc)
        _seed_regional(rng, regions, capitals, alloc, made)
        _seed_remote(rng, regions, capitals, alloc, made, scale)
        _seed_foreign(rng, countries, alloc, scale)
    centers = Center.objects.all()
    return DemoResult(
        centers=centers.count(),
        regional=centers.filter(kind=Kind.REGIONAL).count(),
        remote=centers.filter(kind=Kind.REMOTE).count(),
        branches=centers.filter(kind=Kind.BRANCH).count(),
        foreign=centers.filter(kind=Kind.FOREIGN).count(),
        countries=centers.filter(kind=Kind.FOREIGN).values("country").distinct().count(),
    )
