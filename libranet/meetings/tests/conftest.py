"""A small network for the resolutions' tests: three open regional centers (Tver, Penza,
Belgorod) and a closed one (Bryansk), a meeting with a resolution, and a user per role."""

import datetime

import pytest

from libranet.meetings.models import Responsible
from libranet.meetings.services import decision_save, meeting_save, resolution_save
from libranet.network.models import Center, Region, StaffRole

Role = StaffRole.Role
# The day the tests live on (09:00 in Moscow): deadlines are set around it.
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 20, 6, 0, tzinfo=datetime.UTC), tick=False)
    return TODAY


@pytest.fixture
def regional_centers(tver_rc, penza_rc, make_center):
    belgorod = make_center(
        code="RU-BEL-RC",
        kind=Center.Kind.REGIONAL,
        region=Region.objects.get(code="RU-BEL"),
        email="rc@belgorod.example",
    )
    make_center(
        code="RU-BRY-RC",
        kind=Center.Kind.REGIONAL,
        region=Region.objects.get(code="RU-BRY"),
        status=Center.Status.CLOSED,
    )
    return [tver_rc, penza_rc, belgorod]


@pytest.fixture
def head_penza(make_staff):
    return make_staff("head.penza", Role.REGIONAL_HEAD, region=Region.objects.get(code="RU-PNZ"))


@pytest.fixture
def meeting(db):
    return meeting_save(
        actor=None,
        number="XI",
        slug="2020-penza",
        title_ru="Совещание руководителей РЦ",
        title_en="Meeting of regional-center heads",
        starts_on=datetime.date(2020, 10, 21),
        ends_on=datetime.date(2020, 10, 22),
        city_ru="Пенза",
        city_en="Penza",
        participants_in_hall=50,
        regions_by_video=18,
        connection_points=72,
    )


@pytest.fixture
def resolution(meeting):
    return resolution_save(
        actor=None,
        meeting=meeting,
        adopted_on=datetime.date(2020, 10, 22),
        priorities=[("Партнёрство", "Partnership")],
    )


@pytest.fixture
def make_decision(resolution):
    numbers = iter(range(1, 100))

    def make(responsible=Responsible.REGIONAL_CENTERS, deadline=TODAY, **fields):
        return decision_save(
            actor=None,
            resolution=resolution,
            number=fields.pop("number", next(numbers)),
            text_ru=fields.pop("text_ru", "Направить сведения в ПБ"),
            text_en=fields.pop("text_en", "Send the Library the figures"),
            responsible=responsible,
            deadline=deadline,
            **fields,
        )

    return make
