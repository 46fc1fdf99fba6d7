"""A small network with events: Tver's regional center and a remote access center, Penza's
regional center, a foreign center; "now" is 1 March 2026, 09:00 UTC."""

import datetime
import io

import pytest
from PIL import Image

from conftest import with_authenticator
from libranet.events.services import event_create
from libranet.network.models import Center, Region, StaffRole

NOW = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
Role = StaffRole.Role


def at(days: int, hours: int = 0) -> datetime.datetime:
    return NOW + datetime.timedelta(days=days, hours=hours)


def png_bytes(size=(8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def centers(make_center, tver_rc, penza_rc):
    return {
        "tver_rc": tver_rc,
        "tver_remote": make_center(code="RU-TVE-0001", region=Region.objects.get(code="RU-TVE")),
        "penza_rc": penza_rc,
        "foreign": make_center(kind=Center.Kind.FOREIGN, code="MN-01"),
    }


@pytest.fixture
def users(make_staff, centers, network_user):
    tver = Region.objects.get(code="RU-TVE")
    return {
        "department": network_user,
        "international": with_authenticator(make_staff("intl", Role.INTERNATIONAL)),
        "tver_head": with_authenticator(make_staff("tver_head", Role.REGIONAL_HEAD, region=tver)),
        "tver_operator": make_staff(
            "tver_operator", Role.CENTER_OPERATOR, center=centers["tver_remote"]
        ),
        "penza_operator": make_staff(
            "penza_operator", Role.CENTER_OPERATOR, center=centers["penza_rc"]
        ),
    }


@pytest.fixture
def make_event(centers):
    def make(center="tver_rc", *, starts=3, hours=2, **fields):
        organisers = [centers[center]] if isinstance(center, str) else center
        fields.setdefault("kind", "lecture")
        fields.setdefault("title_ru", "Лекция о Бортеневской битве")
        fields.setdefault("title_en", "A lecture on the Battle of Bortenev")
        return event_create(
            actor=None,
            centers=organisers,
            starts_at=at(starts),
            ends_at=at(starts, hours),
            **fields,
        )

    return make
