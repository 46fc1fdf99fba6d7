"""Demo data: the facts of the seed documents plus a synthetic network the size of the real one.

Deterministic for a given seed: the same ``seed`` and ``scale`` give the same network, so
benchmarks and screenshots compare like with like. Every center goes through the registry's
services, so demo data obeys the same rules as data entered by staff.
"""

import datetime
import ipaddress
import math
import random
import re
import unicodedata
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
        address_en="28 Svobodny Lane, Tver, 170100",
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
        address_en=tver_lib.address_en,
        latitude=Decimal("56.859600"),
        longitude=Decimal("35.911900"),
        hours="Вт–Сб 10:00–19:00",
        hours_en="Tue–Sat 10:00–19:00",
        networks=alloc.next(True),
    )
    penza_lib = _institution(
        name_ru="Пензенская областная библиотека им. М. Ю. Лермонтова",
        name_en="Penza M. Yu. Lermontov Regional Library",
        kind=IKind.LIBRARY,
        address="440026, г. Пенза, ул. Московская, 52",
        address_en="52 Moskovskaya St, Penza, 440026",
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
        address_en=penza_lib.address_en,
        latitude=Decimal("53.195000"),
        longitude=Decimal("45.018300"),
        networks=alloc.next(True),
    )
    tarkhany = _institution(
        name_ru="Государственный Лермонтовский музей-заповедник «Тарханы»",
        name_en="Tarkhany State Lermontov Museum-Reserve",
        kind=IKind.MUSEUM,
        address="442380, Пензенская обл., Белинский р-н, с. Лермонтово, ул. Лермонтова, 10",
        address_en="10 Lermontova St, Lermontovo, Belinsky District, Penza Region, 442380",
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
        address_en=tarkhany.address_en,
        latitude=Decimal("52.989700"),
        longitude=Decimal("43.431900"),
        networks=alloc.next(False),
    )
    tyumen = _institution(
        name_ru="Филиал Президентской библиотеки в Тюменской области",
        name_en="Branch of the Presidential Library in Tyumen Region",
        kind=IKind.OTHER,
        address="625000, г. Тюмень, ул. Советская, 63",
        address_en="63 Sovetskaya St, Tyumen, 625000",
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
        address_en=tyumen.address_en,
        latitude=Decimal("57.153000"),
        longitude=Decimal("65.534300"),
        networks=alloc.next(True),
    )
    return made


@dataclass(frozen=True)
class Settlement:
    """A real settlement of a region (``data/settlements.csv``, from GeoNames)."""

    region: str
    name_ru: str
    name_en: str
    latitude: float
    longitude: float
    population: int

    @property
    def label_ru(self) -> str:
        """As a Russian address writes it: «г. Удомля», «пос. Лорино», «г. Москва, Марьино»."""
        if self.region in FEDERAL_CITIES and self.name_ru != FEDERAL_CITIES[self.region][0]:
            return f"г. {FEDERAL_CITIES[self.region][0]}, {self.name_ru}"
        prefix = (
            "г." if self.population >= TOWN_POPULATION or self.region in FEDERAL_CITIES else "пос."
        )
        return f"{prefix} {self.name_ru}"

    @property
    def label_en(self) -> str:
        if self.region in FEDERAL_CITIES:
            city_ru, city_en = FEDERAL_CITIES[self.region]
            return city_en if self.name_ru == city_ru else f"{self.name_en}, {city_en}"
        return self.name_en


# Their settlements are districts and towns of the city itself.
FEDERAL_CITIES = {
    "RU-MOW": ("Москва", "Moscow"),
    "RU-SPE": ("Санкт-Петербург", "Saint Petersburg"),
    "RU-SEV": ("Севастополь", "Sevastopol"),
}
TOWN_POPULATION = 12_000  # a settlement this large is written as a town («г.»)
# A center stands within this many degrees of latitude of its settlement's point (~300 m).
PLACE_SPREAD = 0.003


def read_settlements() -> dict[str, list[Settlement]]:
    """The settlements of each region, largest first."""
    by_region: dict[str, list[Settlement]] = {}
    for row in read_csv("settlements.csv"):
        by_region.setdefault(row["region"], []).append(
            Settlement(
                region=row["region"],
                name_ru=row["name_ru"],
                name_en=row["name_en"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                population=int(row["population"]),
            )
        )
    return by_region


# Common Russian street names with their English forms (BGN romanization, as on signs).
STREETS = [
    ("ул. Ленина", "Lenina St"),
    ("ул. Советская", "Sovetskaya St"),
    ("ул. Мира", "Mira St"),
    ("ул. Молодёжная", "Molodyozhnaya St"),
    ("ул. Школьная", "Shkolnaya St"),
    ("ул. Садовая", "Sadovaya St"),
    ("ул. Центральная", "Tsentralnaya St"),
    ("ул. Гагарина", "Gagarina St"),
    ("ул. Набережная", "Naberezhnaya St"),
    ("ул. Пушкина", "Pushkina St"),
    ("ул. Октябрьская", "Oktyabrskaya St"),
    ("ул. Комсомольская", "Komsomolskaya St"),
    ("ул. Первомайская", "Pervomayskaya St"),
    ("ул. Кирова", "Kirova St"),
    ("ул. Лесная", "Lesnaya St"),
    ("ул. Заречная", "Zarechnaya St"),
    ("ул. Полевая", "Polevaya St"),
    ("ул. Пролетарская", "Proletarskaya St"),
    ("ул. Строителей", "Stroiteley St"),
    ("ул. Горького", "Gorkogo St"),
    ("ул. Чехова", "Chekhova St"),
    ("ул. Лермонтова", "Lermontova St"),
    ("ул. Калинина", "Kalinina St"),
    ("ул. Победы", "Pobedy St"),
    ("ул. Рабочая", "Rabochaya St"),
    ("ул. Северная", "Severnaya St"),
    ("ул. Новая", "Novaya St"),
    ("ул. Луговая", "Lugovaya St"),
    ("ул. Вокзальная", "Vokzalnaya St"),
    ("ул. Красноармейская", "Krasnoarmeyskaya St"),
    ("ул. Свердлова", "Sverdlova St"),
    ("ул. Чапаева", "Chapayeva St"),
    ("ул. Суворова", "Suvorova St"),
    ("ул. Маяковского", "Mayakovskogo St"),
    ("ул. Гоголя", "Gogolya St"),
    ("ул. Зелёная", "Zelyonaya St"),
    ("ул. Библиотечная", "Bibliotechnaya St"),
    ("пр-т Ленина", "Lenina Ave"),
    ("пр-т Мира", "Mira Ave"),
    ("пер. Школьный", "Shkolny Ln"),
    ("пер. Почтовый", "Pochtovy Ln"),
    ("пл. Революции", "Revolyutsii Sq"),
    ("бул. Победы", "Pobedy Blvd"),
]
HOURS = [
    ("Пн–Пт 9:00–18:00", "Mon–Fri 9:00–18:00"),
    ("Вт–Сб 10:00–19:00", "Tue–Sat 10:00–19:00"),
    ("Пн–Пт 10:00–18:00, Сб 10:00–16:00", "Mon–Fri 10:00–18:00, Sat 10:00–16:00"),
    ("Пн–Чт 9:00–17:00, Пт 9:00–16:00", "Mon–Thu 9:00–17:00, Fri 9:00–16:00"),
    ("Вт–Вс 11:00–19:00", "Tue–Sun 11:00–19:00"),
    ("Пн–Пт 8:30–17:30", "Mon–Fri 8:30–17:30"),
]
SCHOOL_HOURS = ("Пн–Пт 8:00–17:00, Сб 9:00–14:00", "Mon–Fri 8:00–17:00, Sat 9:00–14:00")
# Contact persons: surname (masculine, feminine), first names, patronymics (masculine, feminine).
SURNAMES = [
    ("Иванов", "Иванова"),
    ("Смирнов", "Смирнова"),
    ("Кузнецов", "Кузнецова"),
    ("Попов", "Попова"),
    ("Соколов", "Соколова"),
    ("Лебедев", "Лебедева"),
    ("Новиков", "Новикова"),
    ("Морозов", "Морозова"),
    ("Волков", "Волкова"),
    ("Алексеев", "Алексеева"),
    ("Семёнов", "Семёнова"),
    ("Егоров", "Егорова"),
    ("Павлов", "Павлова"),
    ("Степанов", "Степанова"),
    ("Никитин", "Никитина"),
    ("Орлов", "Орлова"),
    ("Андреев", "Андреева"),
    ("Макаров", "Макарова"),
    ("Захаров", "Захарова"),
    ("Белов", "Белова"),
]
FIRST_NAMES_F = ["Анна", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Марина"]
FIRST_NAMES_F += ["Людмила", "Галина", "Екатерина", "Юлия", "Надежда", "Валентина"]
FIRST_NAMES_M = ["Александр", "Сергей", "Андрей", "Дмитрий", "Алексей", "Михаил", "Николай"]
PATRONYMICS = [
    ("Александрович", "Александровна"),
    ("Сергеевич", "Сергеевна"),
    ("Викторович", "Викторовна"),
    ("Николаевич", "Николаевна"),
    ("Владимирович", "Владимировна"),
    ("Петрович", "Петровна"),
    ("Иванович", "Ивановна"),
    ("Михайлович", "Михайловна"),
]


def _person(rng: random.Random) -> str:
    """A plausible full name; most of the network's staff are women, as in libraries."""
    surname, patronymic = rng.choice(SURNAMES), rng.choice(PATRONYMICS)
    if rng.random() < 0.8:
        return f"{surname[1]} {rng.choice(FIRST_NAMES_F)} {patronymic[1]}"
    return f"{surname[0]} {rng.choice(FIRST_NAMES_M)} {patronymic[0]}"


def _slug(text: str) -> str:
    """``Vyshniy Volochëk`` → ``vyshniy-volochek``: a settlement's name in a domain name."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def _phone(rng: random.Random, zone: str) -> str:
    return f"+7 ({zone}) {rng.randint(200, 999)}-{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"


def _near(rng: random.Random, place: Settlement) -> tuple[Decimal, Decimal]:
    """A point a few hundred metres from the settlement's, as a building in it is."""
    lat = place.latitude + rng.uniform(-PLACE_SPREAD, PLACE_SPREAD)
    spread_lon = PLACE_SPREAD / max(math.cos(math.radians(place.latitude)), 0.2)
    lon = place.longitude + rng.uniform(-spread_lon, spread_lon)
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


class _Addresses:
    """Street addresses in a settlement, never the same twice in one region."""

    def __init__(self) -> None:
        self.used: set[tuple[str, str, str, int]] = set()

    def new(self, rng: random.Random, place: Settlement, region: Region) -> tuple[str, str]:
        while True:
            street = rng.choice(STREETS)
            house = rng.randint(1, 9) if rng.random() < 0.5 else rng.randint(10, 120)
            key = (place.region, place.name_ru, street[0], house)
            if key not in self.used:
                self.used.add(key)
                break
        ru = f"{place.label_ru}, {street[0]}, {house}"
        en = f"{house} {street[1]}, {place.label_en}"
        if place.region not in FEDERAL_CITIES:
            ru, en = f"{region.name_ru}, {ru}", f"{en}, {region.name_en}"
        return ru, en


def _contacts(
    rng: random.Random, *, zone: str, domain: str, mailbox: str, hours: tuple[str, str]
) -> dict[str, str]:
    return {
        "phone": _phone(rng, zone),
        "email": f"{mailbox}@{domain}",
        "website": f"https://{domain}/",
        "contact_person": _person(rng),
        "hours": hours[0],
        "hours_en": hours[1],
    }


def _regional_library(region: Region) -> tuple[str, str]:
    """The kind of library a region's capital has, by the kind of region."""
    name = region.name_ru
    if region.code in FEDERAL_CITIES:
        return "Центральная городская публичная библиотека", "Central City Public Library"
    if "округ" in name:
        return "Окружная научная библиотека", "Okrug Scientific Library"
    if "край" in name.split():
        return "Краевая научная библиотека", "Territorial Scientific Library"
    if "Республика" in name or "Чувашия" in name:
        return "Национальная библиотека", "National Library"
    return "Областная научная библиотека", "Regional Scientific Library"


def _seed_regional(
    rng: random.Random,
    regions: dict[str, Region],
    capitals: dict[str, dict],
    places: dict[str, list[Settlement]],
    zones: dict[str, str],
    addresses: _Addresses,
    alloc: _Allocator,
    made: dict[str, Center],
) -> None:
    for code, region in regions.items():
        if f"{code}-RC" in made:
            continue
        cap = capitals[code]
        capital = places[code][0]  # the largest settlement: the capital (Moscow Region aside)
        capital = next((p for p in places[code] if p.name_ru == cap["capital_ru"]), capital)
        address, address_en = addresses.new(rng, capital, region)
        library_ru, library_en = _regional_library(region)
        library = _institution(
            name_ru=f"{library_ru}, г. {cap['capital_ru']}",
            name_en=f"{library_en}, {cap['capital_en']}",
            kind=IKind.LIBRARY,
            address=address,
            address_en=address_en,
        )
        domain = f"library-{_slug(capital.name_en)}.ru"
        contacts = _contacts(
            rng, zone=zones[code], domain=domain, mailbox="rc", hours=rng.choice(HOURS)
        )
        latitude, longitude = _near(rng, capital)
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
            address=address,
            address_en=address_en,
            latitude=latitude,
            longitude=longitude,
            networks=alloc.next(rng.random() < 0.3),
            # The monthly mailing reaches a regional center without a head at its e-mail.
            **contacts,
        )


# Host institutions' names: (ru, en, web name); ``n`` numbers the hosts of one settlement.
CENTRAL_LIBRARY = {
    True: ("Центральная городская библиотека, {where}", "Central City Library, {where_en}"),
    False: ("Центральная библиотека, {where}", "Central Library, {where_en}"),
}
HOST_NAMES = {
    IKind.LIBRARY: ("Библиотека-филиал № {n}, {where}", "Branch Library No. {n}, {where_en}"),
    IKind.SCHOOL: ("Средняя школа № {n}, {where}", "Secondary School No. {n}, {where_en}"),
    IKind.MUSEUM: (
        "Краеведческий музей, филиал № {n}, {where}",
        "Museum of Local Lore, branch No. {n}, {where_en}",
    ),
    IKind.UNIVERSITY: (
        "Государственный университет, корпус № {n}, {where}",
        "State University, building {n}, {where_en}",
    ),
}


def _host(
    rng: random.Random, place: Settlement, hosts: dict[tuple[str, str], int]
) -> tuple[str, str, str, str]:
    """(kind, name ru, name en, web name) of a new host institution in ``place``: its central
    library first, then what the settlement's size makes likely, numbered so that no two are
    the same."""
    key = (place.region, place.name_ru)
    hosts[key] = n = hosts.get(key, 0) + 1
    if n == 1:
        kind, web = IKind.LIBRARY, "library"
        name_ru, name_en = CENTRAL_LIBRARY[place.population >= TOWN_POPULATION]
    else:
        choices = [IKind.LIBRARY, IKind.LIBRARY, IKind.SCHOOL, IKind.MUSEUM]
        if place.population >= 100_000:
            choices.append(IKind.UNIVERSITY)
        kind = rng.choice(choices)
        name_ru, name_en = HOST_NAMES[kind]
        web = f"{kind}{n}"
    where = {"where": place.label_ru, "where_en": place.label_en, "n": n}
    return kind, name_ru.format(**where), name_en.format(**where), web


# The seed documents' regions show the most: Tver's regional center coordinates seven remote
# access centers here, as in the demo's first versions.
REGION_SIZES = {"RU-TVE": 7}
STATUS_MIX = [Status.OPEN] * 16 + [Status.PLANNED, Status.APPROVED, Status.SUSPENDED, Status.CLOSED]


def _seed_remote(
    rng: random.Random,
    regions: dict[str, Region],
    places: dict[str, list[Settlement]],
    zones: dict[str, str],
    addresses: _Addresses,
    alloc: _Allocator,
    made: dict[str, Center],
    scale: int,
) -> None:
    hosts: dict[tuple[str, str], int] = {}
    for code, region in regions.items():
        settlements = places[code]
        # Larger places host more centers, but every size has some.
        weights = [math.sqrt(p.population) for p in settlements]
        size = rng.randint(3, 7)
        for n in range(1, (REGION_SIZES.get(code, size) * scale) + 1):
            place = rng.choices(settlements, weights)[0]
            kind, name_ru, name_en, web = _host(rng, place, hosts)
            address, address_en = addresses.new(rng, place, region)
            host = _institution(
                name_ru=name_ru, name_en=name_en, kind=kind, address=address, address_en=address_en
            )
            status = rng.choice(STATUS_MIX)
            opened = (
                _date(rng) if status in (Status.OPEN, Status.SUSPENDED, Status.CLOSED) else None
            )
            hours = SCHOOL_HOURS if kind == IKind.SCHOOL else rng.choice(HOURS)
            domain = f"{web}-{_slug(place.name_en)}.ru"
            latitude, longitude = _near(rng, place)
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
                address=address,
                address_en=address_en,
                latitude=latitude,
                longitude=longitude,
                networks=alloc.next(rng.random() < 0.3),
                **_contacts(rng, zone=zones[code], domain=domain, mailbox="cud", hours=hours),
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
            country = countries[code]
            host = _institution(
                name_ru=host_ru,
                name_en=host_en,
                kind=kind,
                address=f"{city_ru}, {country.name_ru}",
                address_en=f"{city_en}, {country.name_en}",
            )
            number = Center.objects.filter(country=country).count() + 1
            hours = rng.choice(HOURS)
            center_create(
                actor=None,
                code=f"{code}-{number:02d}",
                kind=Kind.FOREIGN,
                country=country,
                name_ru=f"Центр удалённого доступа Президентской библиотеки — {host_ru}",
                name_en=f"Presidential Library remote access center, {host_en}",
                institution=host,
                status=Status.OPEN,
                opened_on=_date(rng, 2011, 2023),
                address=host.address,
                address_en=host.address_en,
                hours=hours[0],
                hours_en=hours[1],
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
    places = read_settlements()
    zones = {row["region"]: row["phone_code"] for row in read_csv("phone_codes.csv")}
    regions = {r.code: r for r in Region.objects.filter(code__in=capitals).order_by("code")}
    countries = {c.code: c for c in Country.objects.all()}
    addresses = _Addresses()
    with transaction.atomic():
        made = _seed_facts(regions, alloc)
        _seed_regional(rng, regions, capitals, places, zones, addresses, alloc, made)
        _seed_remote(rng, regions, places, zones, addresses, alloc, made, scale)
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
