"""Videos of the Tver and Penza regional centers, and a user per role."""

import datetime

import pytest

from libranet.network.models import Region, StaffRole
from libranet.videos.services import submit_video

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
RUTUBE = "https://rutube.ru/video/0123456789abcdef0123456789abcdef/"


@pytest.fixture
def now(time_machine):
    moment = datetime.datetime(2026, 11, 20, 6, 0, tzinfo=datetime.UTC)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def head_penza(make_staff):
    return make_staff(
        "head.penza", StaffRole.Role.REGIONAL_HEAD, region=Region.objects.get(code="RU-PNZ")
    )


@pytest.fixture
def make_video(network_user, tver_rc):
    def make(center=None, **fields):
        fields.setdefault("title_ru", "Конкурс к 700-летию Бортеневской битвы")
        fields.setdefault("title_en", "Contest for the 700th anniversary of the Battle of Bortenev")
        fields.setdefault("link", YOUTUBE)
        fields.setdefault("consent", True)
        return submit_video(actor=network_user, center=center or tver_rc, **fields)

    return make
