"""A small network (two regions, their regional centers and a remote access center each, a
foreign center) and an open campaign of the first quarter, the clock on 10 March 2026."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from libranet.campaigns.models import Campaign, Indicator
from libranet.campaigns.services import campaign_create, campaign_open
from libranet.network.models import Center, Region, StaffRole

NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def centers(tver_rc, penza_rc, make_center):
    tver_lib = make_center(code="RU-TVE-LIB", name_ru="ЦУД в Твери", email="lib@tver.example")
    penza_lib = make_center(
        code="RU-PNZ-LIB", region=Region.objects.get(code="RU-PNZ"), email="lib@penza.example"
    )
    foreign = make_center(kind=Center.Kind.FOREIGN, code="MN-01")
    return {
        "tver_rc": tver_rc,
        "tver_lib": tver_lib,
        "penza_rc": penza_rc,
        "penza_lib": penza_lib,
        "foreign": foreign,
    }


INDICATORS: list[dict[str, Any]] = [
    {
        "name_ru": "Количество мероприятий",
        "name_en": "Events held",
        "type": Indicator.Type.INTEGER,
        "min_value": Decimal(0),
        "max_value": Decimal(1000),
    },
    {
        "name_ru": "Число сессий",
        "name_en": "Sessions",
        "type": Indicator.Type.INTEGER,
        "min_value": Decimal(0),
        "source": Indicator.Source.SESSIONS,
    },
    {
        "name_ru": "Есть ли отдельное помещение ЦУД",
        "name_en": "Separate room for the center",
        "type": Indicator.Type.BOOLEAN,
    },
    {
        "name_ru": "Тип подключения к интернету",
        "name_en": "Internet connection",
        "type": Indicator.Type.CHOICE,
        "choices_ru": "Оптоволокно\nADSL\nМобильная связь",
        "choices_en": "Fibre\nADSL\nMobile",
    },
    {
        "name_ru": "Доля времени работы",
        "name_en": "Share of hours open",
        "type": Indicator.Type.DECIMAL,
        "unit": "%",
        "min_value": Decimal(0),
        "max_value": Decimal(100),
        "required": False,
    },
    {
        "name_ru": "Проблемы и предложения",
        "name_en": "Problems and suggestions",
        "type": Indicator.Type.TEXT,
        "required": False,
    },
]


def make_campaign(**fields) -> Campaign:
    defaults: dict[str, Any] = {
        "title_ru": "Оперативный мониторинг, I квартал 2026",
        "title_en": "Operational monitoring, Q1 2026",
        "period_start": datetime.date(2026, 1, 1),
        "period_end": datetime.date(2026, 3, 31),
        "opens_on": datetime.date(2026, 3, 1),
        "deadline": datetime.date(2026, 3, 20),
        "indicators": INDICATORS,
    }
    return campaign_create(actor=None, **(defaults | fields))


@pytest.fixture
def draft(centers):
    return make_campaign()


@pytest.fixture
def campaign(draft):
    return campaign_open(actor=None, campaign=draft)


def by_name(campaign: Campaign) -> dict[str, Indicator]:
    return {i.name_en: i for i in campaign.indicators.all()}


def full_answers(campaign: Campaign, **overrides) -> dict[int, object]:
    values = {
        "Events held": "12",
        "Sessions": 340,
        "Separate room for the center": "yes",
        "Internet connection": "Оптоволокно",
        "Share of hours open": "87,5",
        "Problems and suggestions": "Нужен второй компьютер",
    } | overrides
    return {i.pk: values[name] for name, i in by_name(campaign).items()}


@pytest.fixture
def operator_tver_lib(make_staff, centers):
    user = make_staff("operator.lib", StaffRole.Role.CENTER_OPERATOR, center=centers["tver_lib"])
    user.email = "operator@tver.example"
    user.save()
    return user


@pytest.fixture
def head_penza(make_staff):
    return make_staff(
        "head.penza", StaffRole.Role.REGIONAL_HEAD, region=Region.objects.get(code="RU-PNZ")
    )
