"""A small network with agreements: Tver's regional center and a remote access center, Penza's
regional center, a foreign center; "today" is 1 March 2026 (Moscow)."""

import datetime

import pytest

from libranet.agreements.services import agreement_create
from libranet.network.models import Center, Region

TODAY = datetime.date(2026, 3, 1)


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def centers(make_center, tver_rc, penza_rc):
    return {
        "tver_rc": tver_rc,
        "tver_remote": make_center(code="RU-TVE-0001", region=Region.objects.get(code="RU-TVE")),
        "penza_rc": penza_rc,
        "foreign": make_center(kind=Center.Kind.FOREIGN, code="MN-01"),
    }


@pytest.fixture
def make_agreement(centers):
    def make(center="tver_remote", *, number=None, starts=-400, ends=200, **fields):
        center_obj = centers[center] if isinstance(center, str) else center
        fields.setdefault("active", True)
        if fields["active"]:
            fields.setdefault("signed_on", day(starts))
        return agreement_create(
            actor=None,
            number=number or f"{center_obj.code}/{starts}",
            center=center_obj,
            starts_on=day(starts),
            ends_on=day(ends),
            **fields,
        )

    return make
