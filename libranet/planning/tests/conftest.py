"""The opening plan's fixtures: a round for 2027 with its deadline on 1 December 2026, the clock
on 10 November 2026 (before it), the heads of Tver and Penza with their addresses."""

import datetime

import pytest

from libranet.network.models import Region, StaffRole
from libranet.planning.models import PlanningRound
from libranet.planning.services import proposal_create, round_create

BEFORE_DEADLINE = datetime.datetime(2026, 11, 10, 9, 0, tzinfo=datetime.UTC)
DEADLINE = datetime.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _november_10th(time_machine):
    time_machine.move_to(BEFORE_DEADLINE, tick=False)


@pytest.fixture
def tver(db):
    return Region.objects.get(code="RU-TVE")


@pytest.fixture
def penza(db):
    return Region.objects.get(code="RU-PNZ")


@pytest.fixture
def head_tver(make_staff, tver):
    user = make_staff("head.tver", StaffRole.Role.REGIONAL_HEAD, region=tver)
    user.email = "head@tver.example"
    user.save()
    return user


@pytest.fixture
def head_penza(make_staff, penza):
    user = make_staff("head.penza", StaffRole.Role.REGIONAL_HEAD, region=penza)
    user.email = "head@penza.example"
    user.preferred_language = "en"
    user.save()
    return user


@pytest.fixture
def round_2027(db) -> PlanningRound:
    return round_create(actor=None, year=2027, deadline=DEADLINE)


def proposal_fields(**overrides):
    fields = {
        "new_institution_name": "Библиотека им. А. С. Пушкина",
        "new_institution_kind": "library",
        "new_institution_address": "Торжок, ул. Ленина, 1",
        "name_ru": "ЦУД в библиотеке им. А. С. Пушкина",
        "name_en": "Remote access center at the Pushkin Library",
        "address": "Торжок, ул. Ленина, 1",
        "planned_month": "2027-03",
        "premises": "Читальный зал, 12 мест, 4 рабочих места",
        "justification": "Город без центра удалённого доступа",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def make_proposal(round_2027, tver):
    def make(*, actor=None, region=None, round=None, **overrides):
        return proposal_create(
            actor=actor,
            round=round or round_2027,
            region=region or tver,
            **proposal_fields(**overrides),
        )

    return make
