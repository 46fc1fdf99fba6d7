"""A small network for the news' tests: the Tver regional center (conftest), the Penza one,
a foreign center in Ulan Bator, a user per role, and a clock fixed on a known day."""

import datetime
import io

import pytest
from PIL import Image

from libranet.network.models import Center, Country, Region, StaffRole
from libranet.news.models import Section
from libranet.news.services import article_publish, article_save

Role = StaffRole.Role


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def now(time_machine):
    moment = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def ulan_bator(make_center):
    return make_center(
        code="MN-ULN-RCSC",
        kind=Center.Kind.FOREIGN,
        country=Country.objects.get(code="MN"),
        name_ru="Русский дом в Улан-Баторе",
        name_en="Russian House in Ulan Bator",
    )


@pytest.fixture
def penza_operator(make_staff, penza_rc):
    return make_staff("operator.penza", Role.CENTER_OPERATOR, center=penza_rc)


@pytest.fixture
def png():
    def make(name="cover.png"):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
        upload = io.BytesIO(buffer.getvalue())
        upload.name = name
        upload.size = len(buffer.getvalue())
        return upload

    return make


@pytest.fixture
def make_article(now, tver_rc):
    def make(actor=None, *, publish=True, centers=None, **fields):
        fields.setdefault("section", Section.REGIONAL)
        fields.setdefault("title_ru", "Конкурс к 700-летию Бортеневской битвы")
        fields.setdefault(
            "title_en", "A contest for the 700th anniversary of the Battle of Bortenev"
        )
        fields.setdefault("lead_ru", "Региональный центр провёл конкурс.")
        fields.setdefault("lead_en", "The regional center held a contest.")
        fields.setdefault("body_ru", "<p>Текст</p>")
        fields.setdefault("body_en", "<p>Text</p>")
        article = article_save(
            actor=actor, centers=centers if centers is not None else [tver_rc], **fields
        )
        if publish:
            article = article_publish(actor=None, article=article)
        return article

    return make


@pytest.fixture
def tver_region(db):
    return Region.objects.get(code="RU-TVE")
