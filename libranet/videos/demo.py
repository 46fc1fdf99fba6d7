# ruff: noqa: E501 (a table of the demo's videos: one row a line reads best)
"""The demo's videos of the regional network's best events: the Tver contest of 2018, the
Penza meeting of 2020, the Tyumen retreat of 2023 and others, in every state of the workflow.
The links are of the hosting services' form; the videos themselves are invented."""

import datetime

from django.db import transaction
from django.utils import timezone

from libranet.events.models import Event
from libranet.network.models import Center

from .models import Video, VideoState

S, A, D, P = VideoState.SUBMITTED, VideoState.ACCEPTED, VideoState.DECLINED, VideoState.PUBLISHED
CHANNEL = "https://rutube.ru/video/{}/"

# center, title ru/en, event ru, event date, link, state, days ago submitted, comment
VIDEOS = [
    (
        "RU-TVE-RC",
        "Конкурс к 700-летию Бортеневской битвы: награждение победителей",
        "Contest for the 700th anniversary of the Battle of Bortenev: the award ceremony",
        "Конкурс «Бортеневская битва: 700 лет»",
        datetime.date(2018, 2, 15),
        "https://www.youtube.com/watch?v=Tv7Bortenev",
        P,
        120,
        "",
    ),
    (
        "RU-PNZ-RC",
        "XI Интеграционный форум в Пензе: совещание руководителей РЦ",
        "XI Integration Forum in Penza: the meeting of regional-center heads",
        "Совещание руководителей РЦ, Пенза",
        datetime.date(2020, 10, 21),
        "https://rutube.ru/video/5e1f0c2a9b7d4e3f8a6c1b2d3e4f5a60/",
        P,
        100,
        "",
    ),
    (
        "RU-TYU-BR",
        "Выездное совещание в Тюмени, 2023",
        "The Tyumen retreat of 2023",
        "Выездное совещание руководителей РЦ, Тюмень",
        datetime.date(2023, 9, 29),
        "https://vkvideo.ru/video-170123456_456239021",
        P,
        80,
        "",
    ),
    (
        "RU-TVE-RC",
        "Лекция «Тверское княжество в документах Президентской библиотеки»",
        "Lecture: the Principality of Tver in the Presidential Library's documents",
        "Лекция в РЦ",
        None,
        "https://youtu.be/kTverLect01",
        P,
        60,
        "",
    ),
    (
        "RU-PNZ-RC",
        "Презентация электронной коллекции «Лермонтов и Пензенский край»",
        "Presentation of the digital collection 'Lermontov and the Penza land'",
        "Презентация коллекции",
        None,
        "https://rutube.ru/video/0a1b2c3d4e5f60718293a4b5c6d7e8f9/",
        A,
        20,
        "Опубликуем к юбилею Лермонтова.",
    ),
    (
        "RU-TVE-RC",
        "Круглый стол «Краеведение в цифровую эпоху»",
        "Round table: local history in the digital age",
        "Круглый стол",
        None,
        "https://vk.com/video-170123456_456239030",
        S,
        5,
        "",
    ),
    (
        "RU-PNZ-RC",
        "Видеоконференция с Президентской библиотекой ко Дню народного единства",
        "Video conference with the Presidential Library for National Unity Day",
        "Видеоконференция",
        None,
        "https://www.youtube.com/watch?v=PnzUnity4No",
        S,
        3,
        "",
    ),
    (
        "RU-TYU-BR",
        "Выставка «Сибирь в истории России»: открытие",
        "Exhibition 'Siberia in Russia's history': the opening",
        "Выставка",
        None,
        "https://rutube.ru/video/9f8e7d6c5b4a39281706f5e4d3c2b1a0/",
        D,
        40,
        "Нет согласия участников съёмки, снятых крупным планом.",
    ),
    (
        "RU-TVE-RC",
        "Книжная выставка-презентация к Дню Конституции",
        "Book exhibition and presentation for Constitution Day",
        "Выставка-презентация",
        None,
        "https://youtu.be/TvConst12Dc",
        D,
        30,
        "Плохое качество звука: просим перезаписать.",
    ),
    (
        "RU-PNZ-RC",
        "Онлайн-лекция для школьников «Государственные символы России»",
        "Online lecture for schoolchildren: the state symbols of Russia",
        "Онлайн-лекция",
        None,
        "https://vkvideo.ru/video-170123456_456239044",
        P,
        10,
        "",
    ),
]


@transaction.atomic
def seed_videos() -> int:
    """Seed the demo's videos, dated back from now (the registry and the events must be seeded
    first); the number made."""
    now = timezone.now()
    centers = {c.code: c for c in Center.objects.filter(code__in={row[0] for row in VIDEOS})}
    made = 0
    for number, row in enumerate(VIDEOS):
        code, title_ru, title_en, event, event_date, link, state, days, comment = row
        if code not in centers:
            continue
        submitted = now - datetime.timedelta(days=days)
        # The seeded event filmed, if there is one of the center that day (seed_events first).
        filmed = (
            Event.objects.filter(
                centers=centers[code],
                starts_at__date__lte=event_date,
                ends_at__date__gte=event_date,
            ).first()
            if event_date
            else None
        )
        decided = submitted + datetime.timedelta(days=2) if state != S else None
        Video.objects.create(
            center=centers[code],
            title_ru=title_ru,
            title_en=title_en,
            description_ru=f"<p>{event}. Запись мероприятия для канала Президентской библиотеки.</p>",
            description_en="<p>A recording of the event for the Presidential Library's channel.</p>",
            link=link,
            event=filmed,
            event_name="" if filmed else event,
            event_date=event_date,
            consent=True,
            consent_note="Согласия участников собраны при регистрации.",
            state=state,
            decision_comment=comment,
            decided_at=decided,
            published_url=CHANNEL.format(f"{number:02d}" + "c0ffee" * 5) if state == P else "",
            published_at=submitted + datetime.timedelta(days=7) if state == P else None,
            submitted_at=submitted,
        )
        made += 1
    return made
