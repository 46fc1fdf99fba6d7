"""Demo events (``manage.py seed_demo``): the seed documents' events (the Tver regional
center's contest for the 700th anniversary of the Battle of Bortenev, the meeting at the Russian
Center for Science and Culture in Ulan Bator, both 2018; the annual meetings in Penza, 2020,
and Tyumen, 2023), about thirty synthetic events over the demo network around today (past and
upcoming), a few with a small generated photo, and this year's joint-event reporting round with
some regional centers confirmed. Dates of the synthetic ones are relative to today."""

import datetime
import io
import random
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone
from PIL import Image, ImageDraw

from libranet.network.models import Center

from .models import Event
from .services import event_add_photo, event_create, report_confirm, round_create

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
SYNTHETIC = 30
PHOTOS = 5

# (kind, Russian title, English title, Russian description, English description)
TOPICS = [
    (
        "lecture",
        "Лекция «Электронные ресурсы Президентской библиотеки»",
        "Lecture: the Presidential Library's electronic resources",
        "Сотрудники центра рассказали о коллекциях Президентской библиотеки и о работе с ними.",
        "The center's staff presented the Presidential Library's collections and how to use them.",
    ),
    (
        "exhibition",
        "Книжная выставка «Родной край в документах»",
        "Book exhibition: our region in documents",
        "Выставка документов из фондов Президентской библиотеки и местных архивов.",
        "Documents from the Presidential Library's collections and local archives.",
    ),
    (
        "book_presentation",
        "Презентация книги о истории края",
        "Presentation of a book on the region's history",
        "Автор представил новую книгу и ответил на вопросы читателей.",
        "The author presented a new book and answered the readers' questions.",
    ),
    (
        "round_table",
        "Круглый стол «Библиотека и школа»",
        "Round table: the library and the school",
        "Учителя и библиотекари обсудили использование электронных ресурсов в обучении.",
        "Teachers and librarians discussed electronic resources in teaching.",
    ),
    (
        "video_conference",
        "Видеоконференция с Президентской библиотекой",
        "Video conference with the Presidential Library",
        "Прямое подключение к мероприятию Президентской библиотеки в Санкт-Петербурге.",
        "A live connection to the Presidential Library's event in Saint Petersburg.",
    ),
    (
        "contest",
        "Конкурс исследовательских работ школьников",
        "Contest of school students' research papers",
        "Итоги регионального конкурса и награждение победителей.",
        "The results of the regional contest and the winners' awards.",
    ),
    (
        "forum",
        "Молодёжный исторический форум",
        "Youth history forum",
        "Два дня лекций, дискуссий и экскурсий для студентов.",
        "Two days of lectures, discussions and tours for students.",
    ),
]


@dataclass(frozen=True)
class SeededEvents:
    events: int
    photos: int
    confirmed: int
    reports: int


def demo_photo(seed: int) -> bytes:
    """A small generated picture (a coloured card with a stripe), as a PNG."""
    rng = random.Random(seed)  # noqa: S311 (deterministic demo data, not secrets)
    image = Image.new("RGB", (320, 200), tuple(rng.randrange(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 150, 320, 200), fill=(255, 255, 255))
    draw.ellipse((20, 20, 120, 120), outline=(255, 255, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=MOSCOW)


def _seed_documents() -> list[Event]:
    made = []
    centers = {
        c.code: c
        for c in Center.objects.filter(code__in=["RU-TVE-RC", "MN-01", "RU-PNZ-RC", "RU-TYU-BR"])
    }
    if "RU-TVE-RC" in centers:
        made.append(
            event_create(
                actor=None,
                centers=[centers["RU-TVE-RC"]],
                kind="contest",
                joint_with_library=True,
                title_ru="Награждение победителей конкурса «И была сеча великая…» к 700-летию "
                "Бортеневской битвы",
                title_en="Awards of the contest “And there was a great battle…” for the 700th "
                "anniversary of the Battle of Bortenev",
                description_ru="<p>Региональный центр Президентской библиотеки на базе Тверской "
                "ордена «Знак Почёта» областной универсальной научной библиотеки им. А. М. "
                "Горького "
                "провёл торжественное награждение победителей регионального творческого конкурса "
                "для старшеклассников «И была сеча великая…», посвящённого 700-летию Бортеневской "
                "битвы. Мероприятие прошло в рамках XXIV Недели тверской книги.</p>",
                description_en="<p>The regional center of the Presidential Library at the A. M. "
                "Gorky Tver Regional Scientific Library hosted the awards of the regional creative "
                "contest for high school students “And there was a great battle…”, dedicated to "
                "the "
                "700th anniversary of the Battle of Bortenev, within the XXIV Week of the Tver "
                "Book.</p>",
                venue_ru="Тверь, областная научная библиотека им. А. М. Горького",
                venue_en="Tver, A. M. Gorky Regional Scientific Library",
                audience="старшеклассники",
                participants_hall=80,
                starts_at=_at(datetime.date(2018, 2, 15), 12),
                ends_at=_at(datetime.date(2018, 2, 15), 14),
            )
        )
    if "MN-01" in centers:
        made.append(
            event_create(
                actor=None,
                centers=[centers["MN-01"]],
                kind="meeting",
                title_ru="Встреча с соотечественниками в Российском центре науки и культуры в "
                "Улан-Баторе",
                title_en="Meeting with compatriots at the Russian Center for Science and Culture "
                "in "
                "Ulan Bator",
                description_ru="<p>Встреча руководителя Россотрудничества Евгения Михайлова и "
                "членов "
                "участковой избирательной комиссии с россиянами, проживающими и временно "
                "находящимися в Монголии.</p>",
                description_en="<p>A meeting between the head of Rossotrudnichestvo Yevgeny "
                "Mikhailov and members of the precinct election commission with the Russians "
                "living "
                "in Mongolia and temporarily staying there.</p>",
                venue_ru="Улан-Батор, Российский центр науки и культуры",
                venue_en="Ulan Bator, Russian Center for Science and Culture",
                time_zone="Asia/Ulaanbaatar",
                starts_at=datetime.datetime(
                    2018, 2, 21, 15, tzinfo=zoneinfo.ZoneInfo("Asia/Ulaanbaatar")
                ),
                ends_at=datetime.datetime(
                    2018, 2, 21, 17, tzinfo=zoneinfo.ZoneInfo("Asia/Ulaanbaatar")
                ),
            )
        )
    if "RU-PNZ-RC" in centers:
        made.append(
            event_create(
                actor=None,
                centers=[centers["RU-PNZ-RC"]],
                kind="meeting",
                joint_with_library=True,
                partners="Министерство культуры и туризма Пензенской области",
                title_ru="Ежегодное выездное совещание руководителей региональных центров",
                title_en="Annual meeting of the heads of regional centers",
                description_ru="<p>Совещание прошло в рамках XI Интеграционного форума "
                "Президентской "
                "библиотеки.</p>",
                description_en="<p>The meeting was held within the XI Integration Forum of the "
                "Presidential Library.</p>",
                venue_ru="Пенза",
                venue_en="Penza",
                online=True,
                connection_points=40,
                starts_at=_at(datetime.date(2020, 10, 21), 10),
                ends_at=_at(datetime.date(2020, 10, 22), 18),
            )
        )
    if "RU-TYU-BR" in centers:
        ekb = zoneinfo.ZoneInfo("Asia/Yekaterinburg")
        made.append(
            event_create(
                actor=None,
                centers=[centers["RU-TYU-BR"]],
                kind="meeting",
                joint_with_library=True,
                title_ru="X Всероссийское ежегодное выездное совещание руководителей региональных "
                "центров и партнёров Президентской библиотеки",
                title_en="X All-Russian annual retreat of the heads of regional centers and "
                "partners "
                "of the Presidential Library",
                description_ru="<p>В совещании приняли участие 58 сотрудников из 22 регионов. "
                "Площадки — в Тюменской, Курганской и Свердловской областях.</p>",
                description_en="<p>58 employees from 22 regions took part, at venues in the "
                "Tyumen, "
                "Kurgan and Sverdlovsk Regions.</p>",
                venue_ru="Тюмень",
                venue_en="Tyumen",
                participants_hall=58,
                time_zone="Asia/Yekaterinburg",
                starts_at=datetime.datetime(2023, 9, 23, 10, tzinfo=ekb),
                ends_at=datetime.datetime(2023, 9, 29, 18, tzinfo=ekb),
            )
        )
    return made


def seed_events(*, seed: int = 2018) -> SeededEvents:
    rng = random.Random(seed)  # noqa: S311 (deterministic demo data, not secrets)
    today = timezone.localdate()
    made = _seed_documents()
    centers = list(
        Center.objects.filter(status=Center.Status.OPEN)
        .exclude(kind=Center.Kind.FOREIGN)
        .order_by("code")
    )
    photos = 0
    for n in range(SYNTHETIC if centers else 0):
        center = rng.choice(centers)
        kind, title_ru, title_en, text_ru, text_en = rng.choice(TOPICS)
        day = today + datetime.timedelta(days=rng.randint(-150, 90))
        start = _at(day, rng.choice([11, 14, 16, 18]))
        event = event_create(
            actor=None,
            centers=[center],
            kind=kind,
            title_ru=title_ru,
            title_en=title_en,
            description_ru=f"<p>{text_ru}</p>",
            description_en=f"<p>{text_en}</p>",
            venue_ru=center.address or center.name_ru,
            venue_en=center.address_en or center.name_en,
            online=kind == "video_conference",
            participants_hall=rng.randint(10, 120),
            participants_online=rng.randint(0, 300),
            connection_points=rng.randint(0, 12) if kind == "video_conference" else 0,
            joint_with_library=rng.random() < 0.4,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=rng.choice([1, 2, 3])),
        )
        made.append(event)
        if photos < PHOTOS and day < today:
            data = demo_photo(seed + n)
            event_add_photo(
                actor=None,
                event=event,
                upload=io.BytesIO(data),
                name="photo.png",
                size=len(data),
                caption_ru="В зале центра",
                caption_en="In the center's hall",
            )
            photos += 1
    round_ = round_create(
        actor=None,
        title=f"Совместные мероприятия с Президентской библиотекой, {today.year}",
        period_start=datetime.date(today.year, 1, 1),
        period_end=datetime.date(today.year, 12, 31),
        deadline=max(datetime.date(today.year, 12, 1), today + datetime.timedelta(days=10)),
    )
    reports = list(round_.reports.all())
    confirmed = 0
    for report in reports[: len(reports) // 3]:
        report_confirm(actor=None, report=report, note="Список сверен.")
        confirmed += 1
    return SeededEvents(events=len(made), photos=photos, confirmed=confirmed, reports=len(reports))
