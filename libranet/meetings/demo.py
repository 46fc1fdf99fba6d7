# ruff: noqa: E501 (tables of the demo's texts: one row a line reads best)
"""The demo's meetings: the 2020 Penza meeting (XI Integration Forum) with its resolution, whose
nine decisions are issued to their parties (the regional-center ones fan out to every regional
center of the demo network) and partly carried out; and the 2023 Tyumen meeting with its
programme. The talks and speakers are invented for the demo's regional centers; the figures,
priorities and decisions are the seeds'. Deadlines of the recurring decisions are set from
today, so that the demo always has tasks open, late and done."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from libranet.network.models import Center, Region

from .models import Meeting, Responsible, Task, Workflow
from .services import (
    decision_issue,
    decision_save,
    meeting_publish,
    meeting_save,
    resolution_save,
    session_save,
    task_close,
)

D = datetime.date
T = datetime.time

PENZA_SESSIONS = [
    (
        "Итоги и перспективы развития региональной сети и филиала Президентской библиотеки",
        "The regional network and the branch of the Presidential Library: results and prospects",
        D(2020, 10, 21),
        T(10, 0),
        T(13, 0),
        "Большой зал Пензенской областной библиотеки им. М. Ю. Лермонтова",
        "Main hall of the Penza M. Yu. Lermontov Regional Library",
        [
            (
                "Терещенко П. Г.",
                "P. G. Tereshchenko",
                "и.о. генерального директора Президентской библиотеки",
                "acting Director General of the Presidential Library",
                None,
                "Президентская библиотека в 2020 году: итоги и задачи",
                "The Presidential Library in 2020: results and tasks",
            ),
            (
                "Курдова Т. В.",
                "T. V. Kurdova",
                "врио министра культуры и туризма Пензенской области",
                "acting Minister of Culture and Tourism of Penza Region",
                None,
                "Культурная политика Пензенской области и региональная сеть ПБ",
                "The cultural policy of Penza Region and the Library's regional network",
            ),
            (
                "Осипова М. Н.",
                "M. N. Osipova",
                "директор Пензенской областной библиотеки им. М. Ю. Лермонтова",
                "Director of the Penza M. Yu. Lermontov Regional Library",
                "RU-PNZ-RC",
                "Региональный центр в Пензенской области: десять лет работы",
                "The regional center in Penza Region: ten years of work",
            ),
            (
                "Соколова Е. А.",
                "E. A. Sokolova",
                "начальник отдела мониторинга и методического сопровождения ПБ",
                "head of the Library's network department",
                None,
                "Региональная сеть в цифрах: итоги оперативного мониторинга 2020 года",
                "The regional network in figures: the 2020 monitoring",
            ),
            (
                "Гусев Д. В.",
                "D. V. Gusev",
                "руководитель филиала ПБ в Тюменской области",
                "head of the Library's branch in Tyumen Region",
                "RU-TYU-BR",
                "Филиал Президентской библиотеки как площадка для сети",
                "The Library's branch as a venue for the network",
            ),
            (
                "Миронова О. С.",
                "O. S. Mironova",
                "главный специалист отдела конкурсов ПБ",
                "chief specialist of the Library's competitions office",
                None,
                "Конкурсы Президентской библиотеки с участием региональных центров",
                "The Library's competitions with the regional centers",
            ),
        ],
    ),
    (
        "Приоритетные направления развития региональной сети",
        "Priorities of the regional network's development",
        D(2020, 10, 21),
        T(14, 30),
        T(18, 0),
        "Большой зал Пензенской областной библиотеки им. М. Ю. Лермонтова",
        "Main hall of the Penza M. Yu. Lermontov Regional Library",
        [
            (
                "Кузнецова И. П.",
                "I. P. Kuznetsova",
                "руководитель регионального центра в Республике Крым",
                "head of the regional center in the Republic of Crimea",
                "RU-CR-RC",
                "Партнёрские связи регионального центра: от библиотек до вузов",
                "A regional center's partners: from libraries to universities",
            ),
            (
                "Попов А. Н.",
                "A. N. Popov",
                "руководитель регионального центра в Республике Коми",
                "head of the regional center in the Komi Republic",
                "RU-KO-RC",
                "Проекты на ресурсах Президентской библиотеки в Республике Коми",
                "Projects on the Library's resources in the Komi Republic",
            ),
            (
                "Белова Н. Ю.",
                "N. Yu. Belova",
                "руководитель регионального центра в Рязанской области",
                "head of the regional center in Ryazan Region",
                "RU-RYA-RC",
                "Просветительские лектории для школьников",
                "Educational lectures for schoolchildren",
            ),
            (
                "Шмидт Л. Р.",
                "L. R. Shmidt",
                "руководитель регионального центра в Ханты-Мансийском автономном округе",
                "head of the regional center in Khanty-Mansi Autonomous Okrug",
                "RU-KHM-RC",
                "Региональные конкурсы по истории государственности",
                "Regional competitions on the history of statehood",
            ),
            (
                "Сергеева Т. А.",
                "T. A. Sergeeva",
                "заведующая ЦУД в музее-заповеднике «Тарханы»",
                "head of the remote access center at the Tarkhany museum-reserve",
                "RU-PNZ-TARKHANY",
                "Новый ЦУД в музее: первые месяцы",
                "A new remote access center in a museum: the first months",
            ),
            (
                "Орлов В. К.",
                "V. K. Orlov",
                "руководитель регионального центра в Тверской области",
                "head of the regional center in Tver Region",
                "RU-TVE-RC",
                "Продвижение контента ЦУД в социальных сетях",
                "Promoting the centers' content in social networks",
            ),
        ],
    ),
    (
        "Опыт работы региональных центров",
        "The regional centers' experience",
        D(2020, 10, 22),
        T(10, 0),
        T(13, 0),
        "Конференц-зал Пензенской областной библиотеки им. М. Ю. Лермонтова",
        "Conference room of the Penza M. Yu. Lermontov Regional Library",
        [
            (
                "Захарова Е. В.",
                "E. V. Zakharova",
                "специалист регионального центра в Пензенской области",
                "specialist of the regional center in Penza Region",
                "RU-PNZ-RC",
                "Статистика ЦУД: как собирать и проверять",
                "The centers' statistics: collecting and checking them",
            ),
            (
                "Ильин С. М.",
                "S. M. Ilyin",
                "специалист регионального центра в Тверской области",
                "specialist of the regional center in Tver Region",
                "RU-TVE-RC",
                "Работа ЦУД в удалённом режиме",
                "Running a center remotely",
            ),
            (
                "Никитина А. Г.",
                "A. G. Nikitina",
                "специалист регионального центра в Республике Коми",
                "specialist of the regional center in the Komi Republic",
                "RU-KO-RC",
                "Видеотрансляции мероприятий: техника и права",
                "Streaming events: equipment and rights",
            ),
            (
                "Фёдоров Р. И.",
                "R. I. Fedorov",
                "специалист регионального центра в Рязанской области",
                "specialist of the regional center in Ryazan Region",
                "RU-RYA-RC",
                "Обновление соглашений о сотрудничестве с ЦУД",
                "Renewing the cooperation agreements with the centers",
            ),
            (
                "Волкова М. Д.",
                "M. D. Volkova",
                "специалист регионального центра в Республике Крым",
                "specialist of the regional center in the Republic of Crimea",
                "RU-CR-RC",
                "Электронные выставки на материалах фондов ПБ",
                "Online exhibitions from the Library's collections",
            ),
        ],
    ),
]

PRIORITIES = [
    ("Укрепление и расширение партнерских связей", "Strengthening and widening partnerships"),
    (
        "Поиск путей мотивации сотрудников, партнеров, пользователей (ПБ, РЦ)",
        "Ways to motivate staff, partners and users (the Library, the regional centers)",
    ),
    (
        "Видео-трансляция лучших мероприятий и деятельности РЦ на YouTube-канале ПБ",
        "Streaming the regional centers' best events and work on the Library's YouTube channel",
    ),
    (
        "Наработка технологий и методик создания различных цифровых ресурсов и продвижения их в "
        "социальных сетях",
        "Techniques for making digital resources and promoting them in social networks",
    ),
]

N, RC = Responsible.NETWORK_DEPARTMENT, Responsible.REGIONAL_CENTERS

# The 2020 decisions whose work Libranet does (the others, 4 and 8 of events and video, and 9
# of the ESIA integration, are done outside it and reported on their tasks).
WORKFLOWS = {
    1: Workflow.ZERO_USAGE_MAILING,
    2: Workflow.MEETINGS,
    3: Workflow.MONITORING,
    5: Workflow.OPENING_PLAN,
    6: Workflow.OPENING_PLAN,
    7: Workflow.AGREEMENTS,
}


def _decisions(today: datetime.date) -> list[tuple]:
    """(number, Russian, English, responsible, deadline, recurrence ru, en, share done)."""
    return [
        (
            1,
            "Организовать ежемесячную рассылку статистики ЦУД с нулевыми показателями в каждый РЦ",
            "Mail every regional center, every month, the statistics of its centers with zero indicators",
            N,
            D(2020, 12, 10),
            "ежемесячно",
            "every month",
            1.0,
        ),
        (
            2,
            "Провести очередное совещание по итогам оперативного мониторинга в ноябре 2020 г. через ВКС",
            "Hold the next meeting on the results of the operational monitoring by video conference in November 2020",
            N,
            D(2020, 11, 30),
            "",
            "",
            1.0,
        ),
        (
            3,
            "Осуществить рассылку итогов оперативного мониторинга всем РЦ",
            "Send the results of the operational monitoring to every regional center",
            N,
            D(2020, 12, 15),
            "",
            "",
            1.0,
        ),
        (
            4,
            "Направить сведения о совместных мероприятиях в ПБ до 01.12.2020 г.",
            "Send the Library the joint events by 01.12.2020",
            RC,
            D(2020, 12, 1),
            "",
            "",
            0.6,
        ),
        (
            5,
            "Направить в ПБ сведения о планируемых к открытию ЦУД в 2021 г. до 01.12.2020 г.",
            "Send the Library the remote access centers planned to open in 2021 by 01.12.2020",
            RC,
            D(2020, 12, 1),
            "",
            "",
            0.7,
        ),
        (
            6,
            "Представить ежегодный план открытия ЦУД и организовать согласование открытия ЦУД с РЦ, координацию деятельности ЦУД с РЦ",
            "Present the annual opening plan of remote access centers, agree each opening with the regional center, coordinate the centers' work with the regional centers",
            N,
            D(2021, 2, 1),
            "",
            "",
            1.0,
        ),
        (
            7,
            "Начать процесс обновления соглашений о сотрудничестве в 2021 году",
            "Start renewing the cooperation agreements in 2021",
            RC,
            D(2021, 12, 31),
            "",
            "",
            0.3,
        ),
        (
            8,
            "Размещать видеоконтент региональной сети ПБ на YouTube-канале ПБ",
            "Publish the regional network's video on the Library's YouTube channel",
            RC,
            today + datetime.timedelta(days=10),
            "ежемесячно, к концу месяца",
            "every month, by its end",
            0.2,
        ),
        (
            9,
            "Завершить интеграцию информационной системы Президентской библиотеки с ЕСИА для самостоятельной регистрации пользователей и расширенного доступа к ресурсам вне помещений библиотек",
            "Complete the integration of the Library's system with ESIA, for readers to register themselves and get extended access outside library premises",
            Responsible.IT,
            today + datetime.timedelta(days=45),
            "",
            "",
            0.0,
        ),
    ]


REPORTS = {
    1: (
        "Рассылка организована: ежемесячно, 3-го числа, в каждый РЦ (Libranet).",
        "https://example.org/zero-usage",
    ),
    2: ("Совещание проведено 26.11.2020 через ВКС, 64 подключения.", ""),
    3: ("Итоги мониторинга разосланы всем РЦ 14.12.2020.", ""),
    4: ("Сведения о совместных мероприятиях направлены письмом.", ""),
    5: ("Сведения о планируемых ЦУД направлены в ПБ.", ""),
    6: ("План открытия ЦУД на 2021 год утверждён и согласован с РЦ.", ""),
    7: ("Проекты дополнительных соглашений направлены партнёрам.", ""),
    8: ("Записи мероприятий переданы для канала ПБ.", "https://example.org/video"),
}


@dataclass(frozen=True)
class MeetingsDemo:
    meetings: int
    tasks: int
    done: int


def _talks(rows: list[tuple], centers: dict[str, Center]) -> list[dict]:
    return [
        {
            "speaker_ru": s_ru,
            "speaker_en": s_en,
            "affiliation_ru": a_ru,
            "affiliation_en": a_en,
            "center": centers.get(code) if code else None,
            "title_ru": t_ru,
            "title_en": t_en,
        }
        for s_ru, s_en, a_ru, a_en, code, t_ru, t_en in rows
    ]


def _session(meeting: Meeting, position: int, row: tuple, centers: dict[str, Center]) -> None:
    title_ru, title_en, date, starts, ends, venue_ru, venue_en, talks = row
    session_save(
        actor=None,
        meeting=meeting,
        position=position,
        title_ru=title_ru,
        title_en=title_en,
        date=date,
        starts_at=starts,
        ends_at=ends,
        venue_ru=venue_ru,
        venue_en=venue_en,
        talks=_talks(talks, centers),
    )


def seed_penza(today: datetime.date) -> Meeting:
    centers = {c.code: c for c in Center.objects.select_related("institution")}
    regions = {r.code: r for r in Region.objects.all()}
    host = centers.get("RU-PNZ-RC")
    meeting = meeting_save(
        actor=None,
        number="XI",
        slug="2020-penza",
        title_ru="Ежегодное выездное совещание руководителей региональных центров Президентской "
        "библиотеки (XI Интеграционный форум)",
        title_en="Annual meeting of the heads of the Presidential Library's regional centers "
        "(XI Integration Forum)",
        starts_on=D(2020, 10, 21),
        ends_on=D(2020, 10, 22),
        city_ru="Пенза",
        city_en="Penza",
        host_institution=host.institution if host else None,
        host_center=host,
        description_ru="Совещание прошло в рамках XI Интеграционного форума Президентской "
        "библиотеки на базе Пензенской областной библиотеки им. М. Ю. Лермонтова; в его дни "
        "открыт ЦУД в музее-заповеднике «Тарханы». Специалистам региональных центров, "
        "работающим удалённо, была организована закрытая трансляция.",
        description_en="The meeting was held within the XI Integration Forum of the Presidential "
        "Library at the Penza M. Yu. Lermontov Regional Library; a remote access center opened "
        "at the Tarkhany museum-reserve in its days. Specialists of the regional centers working "
        "remotely followed a closed broadcast.",
        participants_in_hall=50,
        regions_by_video=18,
        connection_points=72,
        attendance=[
            (regions[code], count)
            for code, count in (
                ("RU-PNZ", 40),
                ("RU-SPE", 6),
                ("RU-CR", 1),
                ("RU-KO", 1),
                ("RU-RYA", 1),
                ("RU-KHM", 1),
            )
            if code in regions
        ],
        points=[
            (centers[code], "")
            for code in ("RU-TVE-RC", "RU-TYU-BR", "RU-SVE-RC", "RU-KGN-RC", "RU-MOW-RC")
            if code in centers
        ]
        + [(None, "Закрытая трансляция для специалистов региональных центров")],
    )
    for position, row in enumerate(PENZA_SESSIONS, start=1):
        _session(meeting, position, row, centers)
    meeting_publish(actor=None, meeting=meeting, published=True)
    resolution = resolution_save(
        actor=None,
        meeting=meeting,
        adopted_on=D(2020, 10, 22),
        preamble_ru="По итогам ежегодного выездного совещания руководителей региональных "
        "центров удаленного доступа к информационным ресурсам Президентской библиотеки, "
        "21–22 октября 2020 г., г. Пенза. Определены приоритетные задачи для региональной сети "
        "ПБ на 2021 год и озвучены решения.",
        preamble_en="Following the annual meeting of the heads of the regional remote access "
        "centers of the Presidential Library, 21–22 October 2020, Penza: the priorities of the "
        "regional network for 2021, and the decisions.",
        signed_by="А. А. Воробьев, директор (по внешним связям)",
        priorities=PRIORITIES,
    )
    for number, ru, en, responsible, deadline, rec_ru, rec_en, share in _decisions(today):
        decision = decision_save(
            actor=None,
            resolution=resolution,
            number=number,
            text_ru=ru,
            text_en=en,
            responsible=responsible,
            deadline=deadline,
            recurrence_ru=rec_ru,
            recurrence_en=rec_en,
            workflow=WORKFLOWS.get(number, Workflow.NONE),
        )
        decision_issue(actor=None, decision=decision)
        tasks = list(decision.tasks.order_by("center__code"))
        report, link = REPORTS.get(number, ("", ""))
        # Every n-th task done, spread over the regions rather than the first ones.
        done = round(len(tasks) * share)
        for index, task in enumerate(tasks):
            if done and (index * done) // len(tasks) != ((index + 1) * done) // len(tasks):
                task_close(actor=None, task=task, report=report, link=link)
                # The outcome came before the deadline (or, for the recurring, this month).
                moment = datetime.datetime.combine(
                    min(deadline, today) - datetime.timedelta(days=index % 9 + 1),
                    T(12, 0),
                    tzinfo=timezone.get_current_timezone(),
                )
                Task.objects.filter(pk=task.pk).update(done_at=moment)
    return meeting


def seed_tyumen() -> Meeting:
    centers = {c.code: c for c in Center.objects.select_related("institution")}
    host = centers.get("RU-TYU-BR")
    regional = sorted(
        {
            c.region.code: c.region
            for c in Center.objects.filter(kind=Center.Kind.REGIONAL).select_related("region")
        }.items()
    )
    counts = {"RU-TYU": 10, "RU-SVE": 6, "RU-KGN": 4}
    chosen = [region for code, region in regional if code in counts]
    chosen += [region for code, region in regional if code not in counts][: 22 - len(chosen)]
    attendance = [(region, counts.get(region.code, 2)) for region in chosen]
    meeting = meeting_save(
        actor=None,
        number="X",
        slug="2023-tyumen",
        title_ru="X Всероссийское ежегодное выездное совещание руководителей региональных "
        "центров и партнёров Президентской библиотеки",
        title_en="X All-Russian annual retreat of the heads of regional centers and partners of "
        "the Presidential Library",
        starts_on=D(2023, 9, 23),
        ends_on=D(2023, 9, 29),
        city_ru="Тюмень",
        city_en="Tyumen",
        host_institution=host.institution if host else None,
        host_center=host,
        description_ru="Совещание прошло в рамках ежегодного Интеграционного форума на площадках "
        "трёх субъектов Уральского федерального округа (Тюменская, Курганская, Свердловская "
        "области); принимал филиал Президентской библиотеки в Тюменской области. В Год педагога "
        "и наставника особое внимание уделено взаимодействию с образовательными организациями.",
        description_en="The meeting was held within the annual Integration Forum at venues in "
        "three subjects of the Ural Federal District (Tyumen, Kurgan and Sverdlovsk Regions); "
        "the host was the branch of the Presidential Library in Tyumen Region. In the Year of "
        "Teachers and Mentors, special attention went to the work with educational organizations.",
        participants_in_hall=58,
        regions_by_video=0,
        connection_points=0,
        attendance=attendance,
    )
    sessions = [
        (
            "Рабочая сессия: опыт межведомственного взаимодействия",
            "Working session: the experience of interdepartmental cooperation",
            D(2023, 9, 28),
            T(10, 0),
            T(17, 0),
            "Филиал Президентской библиотеки в Тюменской области",
            "Branch of the Presidential Library in Tyumen Region",
            [
                (
                    "Гусев Д. В.",
                    "D. V. Gusev",
                    "руководитель филиала ПБ в Тюменской области",
                    "head of the Library's branch in Tyumen Region",
                    "RU-TYU-BR",
                    "Филиал и образовательные организации Тюменской области",
                    "The branch and the schools and universities of Tyumen Region",
                ),
                (
                    "Орлов В. К.",
                    "V. K. Orlov",
                    "руководитель регионального центра в Тверской области",
                    "head of the regional center in Tver Region",
                    "RU-TVE-RC",
                    "Совместные проекты с партнёрами: кейсы Тверской области",
                    "Joint projects with partners: cases from Tver Region",
                ),
                (
                    "Осипова М. Н.",
                    "M. N. Osipova",
                    "директор Пензенской областной библиотеки им. М. Ю. Лермонтова",
                    "Director of the Penza M. Yu. Lermontov Regional Library",
                    "RU-PNZ-RC",
                    "Государственно-частное партнёрство в работе ЦУД",
                    "Public-private partnership in the centers' work",
                ),
            ],
        ),
        (
            "Межведомственное партнёрство как приоритет регионального развития Президентской "
            "библиотеки",
            "Interdepartmental partnership as a priority for the regional development of the "
            "Presidential Library",
            D(2023, 9, 29),
            T(10, 0),
            T(14, 0),
            "Филиал Президентской библиотеки в Тюменской области",
            "Branch of the Presidential Library in Tyumen Region",
            [
                (
                    "Представитель аппарата полномочного представителя Президента РФ в УрФО",
                    "A representative of the office of the Plenipotentiary Representative of the President in the Ural Federal District",
                    "",
                    "",
                    None,
                    "Информационные ресурсы ПБ в образовательном пространстве УрФО",
                    "The Library's resources in the education of the Ural Federal District",
                ),
                (
                    "Представитель Министерства просвещения РФ",
                    "A representative of the Ministry of Education of the Russian Federation",
                    "",
                    "",
                    None,
                    "Год педагога и наставника: ресурсы для учителя",
                    "The Year of Teachers and Mentors: resources for teachers",
                ),
                (
                    "Представитель Академии Минпросвещения России",
                    "A representative of the Academy of the Ministry of Education",
                    "",
                    "",
                    None,
                    "Повышение квалификации педагогов на материалах ПБ",
                    "Teachers' training on the Library's materials",
                ),
                (
                    "Представитель Министерства образования и молодёжной политики Свердловской области",
                    "A representative of the Ministry of Education and Youth Policy of Sverdlovsk Region",
                    "",
                    "",
                    "RU-SVE-RC",
                    "Региональный опыт Свердловской области",
                    "The experience of Sverdlovsk Region",
                ),
                (
                    "Соколова Е. А.",
                    "E. A. Sokolova",
                    "начальник отдела мониторинга и методического сопровождения ПБ",
                    "head of the Library's network department",
                    None,
                    "Основы стратегии регионального развития ПБ до 2030 года",
                    "The fundamentals of the Library's regional development strategy until 2030",
                ),
            ],
        ),
    ]
    for position, row in enumerate(sessions, start=1):
        _session(meeting, position, row, centers)
    meeting_publish(actor=None, meeting=meeting, published=True)
    return meeting


def seed_meetings(today: datetime.date | None = None) -> MeetingsDemo:
    """Seed both meetings (in one transaction); the registry must be seeded first."""
    today = today or timezone.localdate()
    with transaction.atomic():
        seed_penza(today)
        seed_tyumen()
    tasks = Task.objects.all()
    return MeetingsDemo(
        meetings=Meeting.objects.count(), tasks=tasks.count(), done=tasks.filter(done=True).count()
    )
