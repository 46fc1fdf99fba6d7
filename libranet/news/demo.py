"""Demo news: the seed documents' articles (Tver 2018, Ulan Bator 2018, the annual meetings in
Penza 2020 and Tyumen 2023) and synthetic news over the demo network, some in review and some
drafts, a few with a cover drawn with Pillow; dates relative to today."""

import datetime
import io
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from libranet.accounts.models import User
from libranet.events.models import Event
from libranet.network.models import Center, Country, Region

from .models import Article, Section
from .services import article_publish, article_return, article_save, article_submit

SEED_ARTICLES: list[dict[str, Any]] = [
    {
        "slug": "tver-bortenev-700",
        "section": Section.REGIONAL,
        "at": datetime.datetime(2018, 2, 22, 10, 0, tzinfo=datetime.UTC),
        "author": "head.tver",
        "centers": ["RU-TVE-RC"],
        "regions": ["RU-TVE"],
        "title_ru": "В Твери подвели итоги творческого конкурса «И была великая битва…», "
        "посвящённого 700-летию Бортеневской битвы",
        "title_en": "The results of the creative contest “And there was a great battle…”, "
        "dedicated to the 700th anniversary of the Battle of Bortenev, were summed up in Tver",
        "lead_ru": "Региональный центр Президентской библиотеки наградил победителей "
        "областного конкурса для старшеклассников.",
        "lead_en": "The regional center of the Presidential Library rewarded the winners of the "
        "regional contest for high school students.",
        "body_ru": "<p>15 февраля региональный центр Президентской библиотеки, действующий на "
        "базе Тверской областной универсальной научной библиотеки им. А. М. Горького, провёл "
        "торжественное награждение победителей областного творческого конкурса для "
        "старшеклассников «И была великая битва…», посвящённого 700-летию Бортеневской битвы. "
        "Мероприятие прошло в рамках XXIV Недели тверской книги.</p>",
        "body_en": "<p>On February 15 the regional center of the Presidential Library, acting "
        "on the basis of the A. M. Gorky Tver Regional Scientific Library, hosted a solemn "
        "rewarding of the winners of the regional creative contest for high school students "
        "“And there was a great battle…”, dedicated to the 700th anniversary of the Battle of "
        "Bortenev. The event was held within the framework of the XXIV Week of the Tver "
        "Book.</p>",
    },
    {
        "slug": "ulan-bator-meeting-2018",
        "section": Section.FOREIGN,
        "at": datetime.datetime(2018, 2, 21, 10, 0, tzinfo=datetime.UTC),
        "author": "international",
        "centers": ["@MN"],
        "countries": ["MN"],
        "title_ru": "Монголия готовится к выборам Президента России",
        "title_en": "Mongolia is getting ready to vote for the President of Russia",
        "lead_ru": "В Российском центре науки и культуры в Улан-Баторе прошла встреча с "
        "соотечественниками.",
        "lead_en": "The Russian Center for Science and Culture in Ulan Bator hosted a meeting "
        "with compatriots.",
        "body_ru": "<p>В Российском центре науки и культуры в Улан-Баторе состоялась встреча "
        "руководителя Россотрудничества Евгения Михайлова и членов участковой избирательной "
        "комиссии в Улан-Баторе с россиянами, проживающими в Монголии и временно "
        "пребывающими в ней.</p>",
        "body_en": "<p>The Russian Center for Science and Culture in Ulan Bator hosted a meeting "
        "between the head of Rossotrudnichestvo Yevgeny Mikhailov and members of the precinct "
        "election commission in Ulan Bator with the Russians living in Mongolia and "
        "temporarily staying in Mongolia.</p>",
    },
    {
        "slug": "penza-annual-meeting-2020",
        "section": Section.REGIONAL,
        "at": datetime.datetime(2020, 10, 23, 9, 0, tzinfo=datetime.UTC),
        "author": "network",
        "centers": ["RU-PNZ-RC"],
        "regions": ["RU-PNZ"],
        "title_ru": "В Пензе прошло ежегодное совещание руководителей региональных центров "
        "Президентской библиотеки",
        "title_en": "The annual meeting of the heads of the Presidential Library's regional "
        "centers was held in Penza",
        "lead_ru": "Совещание в Пензе приняло резолюцию о совместных мероприятиях и видео "
        "для канала библиотеки.",
        "lead_en": "The meeting in Penza adopted a resolution on joint events and video for the "
        "Library's channel.",
        "body_ru": "<p>21–22 октября 2020 года в Пензе состоялось ежегодное совещание "
        "руководителей региональных центров Президентской библиотеки. В зале работали "
        "50 участников, ещё 18 регионов подключились по видеосвязи.</p><p>Участники приняли "
        "резолюцию: региональным центрам поручено проводить совместные с библиотекой "
        "мероприятия и направлять видеозаписи лучших из них для канала библиотеки.</p>",
        "body_en": "<p>On 21–22 October 2020 Penza hosted the annual meeting of the heads of "
        "the Presidential Library's regional centers. Fifty participants worked in the hall; "
        "18 more regions joined by video.</p><p>The participants adopted a resolution: the "
        "regional centers are to hold joint events with the Library and send video of the best "
        "of them for the Library's channel.</p>",
    },
    {
        "slug": "tyumen-x-annual-retreat-2023",
        "section": Section.REGIONAL,
        "at": datetime.datetime(2023, 9, 29, 12, 0, tzinfo=datetime.UTC),
        "author": "network",
        "centers": ["RU-TYU-BR"],
        "regions": ["RU-TYU", "RU-KGN", "RU-SVE"],
        "title_ru": "Ежегодное совещание руководителей региональных центров Президентской "
        "библиотеки",
        "title_en": "The annual meeting of the heads of regional centers of the Presidential "
        "Library",
        "lead_ru": "С 23 по 29 сентября 2023 года прошёл X Всероссийский ежегодный выездной "
        "семинар руководителей региональных центров и партнёров Президентской библиотеки.",
        "lead_en": "From September 23–29, 2023 the X All-Russian annual retreat of the heads of "
        "regional centers and partners of the Presidential Library was held.",
        "body_ru": "<p>Семинар прошёл в рамках Ежегодного интеграционного форума; в нём "
        "участвовали 58 сотрудников из 22 регионов России. Семь дней руководители "
        "региональных центров работали на площадках трёх субъектов Уральского федерального "
        "округа: Тюменской, Курганской и Свердловской областей. Принимал участников филиал "
        "Президентской библиотеки в Тюменской области.</p><p>29 сентября прошло пленарное "
        "заседание «Межведомственное партнёрство как приоритет регионального развития "
        "Президентской библиотеки»: в центре внимания — основы стратегии регионального "
        "развития библиотеки до 2030 года и интеграция её ресурсов в образовательный "
        "процесс.</p>",
        "body_en": "<p>The retreat was held within the framework of the Annual Integration "
        "Forum and was attended by 58 employees from 22 regions of the Russian Federation. "
        "For seven days the heads of regional centers worked at venues in three subjects of "
        "the Ural Federal District (Tyumen, Kurgan and Sverdlovsk Regions). The host was the "
        "branch of the Presidential Library in Tyumen Region.</p><p>The plenary meeting "
        "“Interdepartmental partnership as a priority for the regional development of the "
        "Presidential Library” was held on September 29, 2023; it focused on the fundamentals "
        "of the Library's regional development strategy until 2030 and on integrating its "
        "resources into the educational process.</p>",
    },
]

# Synthetic news: (Russian title, English title, Russian lead, English lead) with {place}.
TOPICS = [
    (
        "Лекция «Президентская библиотека: ресурсы для учителя» — {ru}",
        "Lecture “The Presidential Library: resources for teachers” in {en}",
        "Специалисты центра рассказали педагогам о коллекциях библиотеки.",
        "The center's staff introduced teachers to the Library's collections.",
    ),
    (
        "Книжная выставка ко Дню народного единства — {ru}",
        "A book exhibition for National Unity Day in {en}",
        "Читатели увидели электронные копии редких изданий.",
        "Readers saw digital copies of rare editions.",
    ),
    (
        "Видеоконференция с Президентской библиотекой — {ru}",
        "A video conference with the Presidential Library in {en}",
        "Школьники задали вопросы историкам в прямом эфире.",
        "Schoolchildren put their questions to historians live.",
    ),
    (
        "Круглый стол о краеведческих коллекциях — {ru}",
        "A round table on local history collections in {en}",
        "Библиотекари обсудили оцифровку региональных фондов.",
        "Librarians discussed digitising the region's holdings.",
    ),
    (
        "Итоги конкурса исследовательских работ школьников — {ru}",
        "Results of the schoolchildren's research contest in {en}",
        "Победители получили дипломы Президентской библиотеки.",
        "The winners received diplomas of the Presidential Library.",
    ),
    (
        "Презентация электронной коллекции «Память о Великой Победе» — {ru}",
        "Presentation of the digital collection “In Memory of the Great Victory” in {en}",
        "Центр представил коллекцию студентам и ветеранским организациям.",
        "The center presented the collection to students and veterans' organisations.",
    ),
]
COLOURS = [(31, 78, 121), (140, 45, 40), (46, 110, 75), (110, 80, 30)]


def _cover(rng: random.Random) -> io.BytesIO:
    """A plain picture: a band of colour with the Library's stripes, as a stand-in photo."""
    image = Image.new("RGB", (960, 540), rng.choice(COLOURS))
    draw = ImageDraw.Draw(image)
    for i in range(6):
        draw.rectangle((0, 380 + i * 20, 960, 388 + i * 20), fill=(235, 230, 215))
    draw.ellipse((380, 90, 580, 290), outline=(255, 255, 255), width=8)
    upload = io.BytesIO()
    image.save(upload, "PNG")
    upload.seek(0)
    upload.size = len(upload.getvalue())  # type: ignore[attr-defined]
    return upload


def _users() -> dict[str, Any]:
    return {u.username: u for u in User.objects.filter(username__in=_NAMES)}


_NAMES = ["admin", "network", "international", "head.tver", "head.penza", "operator.tarkhany"]


def _backdate(article: Article, at: datetime.datetime) -> None:
    Article.objects.filter(pk=article.pk).update(published_at=at)
    article.reviews.update(at=at)


def _seed_documents(users: dict[str, Any]) -> int:
    made = 0
    foreign = Center.objects.filter(kind=Center.Kind.FOREIGN)
    for spec in SEED_ARTICLES:
        spec = dict(spec)
        at = spec.pop("at")
        centers = []
        for code in spec.pop("centers"):
            center = (
                foreign.filter(country__code=code[1:]).order_by("code").first()
                if code.startswith("@")
                else Center.objects.filter(code=code).first()
            )
            if center is not None:
                centers.append(center)
        regions = list(Region.objects.filter(code__in=spec.pop("regions", [])))
        countries = list(Country.objects.filter(code__in=spec.pop("countries", [])))
        author = users.get(spec.pop("author"))
        # The seeded events these articles tell of: their centers', of the month before.
        events = Event.objects.filter(
            centers__in=centers, starts_at__range=(at - datetime.timedelta(days=31), at)
        ).distinct()
        article = article_save(
            actor=None,
            centers=centers,
            regions=regions,
            countries=countries,
            events=events,
            **spec,
        )
        Article.objects.filter(pk=article.pk).update(author=author)
        article_publish(actor=None, article=article)
        _backdate(article, at)
        made += 1
    return made


def _seed_synthetic(users: dict[str, Any], rng: random.Random, count: int) -> int:
    now = timezone.now()
    centers = list(
        Center.objects.filter(status=Center.Status.OPEN)
        .select_related("region", "country")
        .order_by("code")
    )
    if not centers:
        return 0
    reviewer = users.get("network")
    made = 0
    for i in range(count):
        center = rng.choice(centers)
        foreign = center.kind == Center.Kind.FOREIGN
        place_ru = center.country.name_ru if foreign else center.region.name_ru
        place_en = center.country.name_en if foreign else center.region.name_en
        title_ru, title_en, lead_ru, lead_en = rng.choice(TOPICS)
        article = article_save(
            actor=None,
            section=Section.FOREIGN if foreign else Section.REGIONAL,
            title_ru=title_ru.format(ru=place_ru),
            title_en=title_en.format(en=place_en) if i % 5 else "",  # some only in Russian
            lead_ru=lead_ru,
            lead_en=lead_en if i % 5 else "",
            body_ru=f"<p>{lead_ru} Мероприятие провёл {center.name_ru}.</p>",
            body_en=f"<p>{lead_en} The event was held by {center.name_en}.</p>" if i % 5 else "",
            centers=[center],
            regions=[] if foreign else [center.region],
            countries=[center.country] if foreign else [],
            cover=_cover(rng) if i % 4 == 0 else None,
        )
        if i % 7 == 3:  # a draft, not yet sent
            continue
        article_submit(actor=None, article=article)
        if i % 7 == 5:  # waiting for review
            continue
        if i % 11 == 6:  # returned to its author
            article_return(
                actor=reviewer, article=article, comment="Добавьте, пожалуйста, фотографии."
            )
            continue
        article_publish(actor=reviewer, article=article)
        _backdate(article, now - datetime.timedelta(days=3 + i * 9, hours=rng.randint(0, 8)))
        made += 1
    return made


def seed_news(*, seed: int = 2018, count: int = 22) -> str:
    """Seed the demo news (the registry and the demo accounts must be seeded first)."""
    rng = random.Random(seed)  # noqa: S311 (deterministic demo data, not secrets)
    with transaction.atomic():
        users = _users()
        documents = _seed_documents(users)
        synthetic = _seed_synthetic(users, rng, count)
    total = Article.objects.count()
    return (
        f"Seeded {total} news articles: {documents} from the seed documents, "
        f"{synthetic} synthetic published, {total - documents - synthetic} in review or drafts."
    )
