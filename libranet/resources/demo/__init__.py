"""Demo collections: a collection tree and a few hundred resources of every type and access
level, some on the subjects of the seed documents, with small files generated here.

Deterministic for a given seed: the same ``seed`` and ``scale`` give the same identifiers,
titles and files (the drawn text's font is whatever the machine has, so page images may differ
between machines, never their number or order). Every collection, resource and file goes
through the collections' services, so the demo obeys the rules staff do.

Files are generated, never downloaded (``files``): PDFs whose pages carry real text in Russian
and English (so the search finds words that only a PDF holds), page images and thumbnails
drawn with Pillow, a short WAV tone for sound recordings and a few seconds of WebM video for
films. ``scale`` N repeats the synthetic resources N times; copies after the first are
metadata only (the search benchmark's corpus of a million records is built by its own
generator, not here).
"""

import random
import re
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import transaction

from libranet.network.reference_data import read_csv

from ..models import AccessLevel, Collection, Resource, ResourceFile
from ..services import (
    collect_stored_files,
    collection_create,
    resource_create,
    resource_file_add,
    resource_thumbnail_set,
)
from .files import card, text_pdf, title_video, tone_wav

Type = Resource.Type
Kind = ResourceFile.Kind

# (code, name ru, name en, parent code): codes are slugs; the OAI-PMH set spec joins the codes
# along the tree (power:presidents).
COLLECTIONS = [
    ("power", "Государственная власть", "State power", None),
    ("presidents", "Президенты России", "Presidents of Russia", "power"),
    ("elections", "Выборы", "Elections", "power"),
    ("state-symbols", "Государственные символы", "State symbols", "power"),
    ("people", "Российский народ", "The people of Russia", None),
    ("culture", "Культура и литература", "Culture and literature", "people"),
    ("traditions", "Народы и традиции", "Peoples and traditions", "people"),
    ("territory", "Территория России", "The territory of Russia", None),
    ("regions", "Регионы России", "Regions of Russia", "territory"),
    ("maps", "Карты и атласы", "Maps and atlases", "territory"),
    ("abroad", "Россия и мир", "Russia and the world", "territory"),
    ("library", "Президентская библиотека и её сеть", "The Library and its network", None),
]

RIGHTS = {
    AccessLevel.OPEN: ("Общественное достояние", "Public domain"),
    AccessLevel.READERS: (
        "Доступ для читателей с подтверждённой учётной записью Госуслуг",
        "Readers with a confirmed Gosuslugi account",
    ),
    AccessLevel.ON_SITE: (
        "Охраняется авторским правом: в Президентской библиотеке и её центрах",
        "In copyright: on the premises of the Library and its centers",
    ),
    AccessLevel.STAFF: ("Служебный документ", "For the Library's staff"),
}


@dataclass
class _Item:
    """A resource to create, with the files to give it (first copy only)."""

    title_ru: str
    type: str
    access_level: str
    collections: list[str]
    title_en: str = ""
    creators: list[str] = field(default_factory=list)
    date_text: str = ""
    subjects: list[str] = field(default_factory=list)
    language: str = "ru"
    description_ru: str = ""
    description_en: str = ""
    pages: int = 0  # page images to draw
    text: str = ""  # what its PDF says beyond the catalogue (else sentences drawn for it)


# The subjects of the seed documents: the battle of Bortenev (1317) and Tver, Tarkhany and
# Lermontov in Penza Region, the branch in Tyumen, the center in Ulan Bator, the 2020 annual
# meeting in Penza and its resolution, ESIA's extended access.
SEED_ITEMS = [
    _Item(
        "Бортеневская битва 1317 года",
        Type.BOOK,
        AccessLevel.OPEN,
        ["regions", "power"],
        "The Battle of Bortenev, 1317",
        ["Борисов Н. С."],
        "1913",
        ["Бортеневская битва", "Тверское княжество", "Михаил Ярославич Тверской", "Тверь"],
        description_ru="Победа тверского князя Михаила Ярославича над московским войском "
        "у деревни Бортенево 22 декабря 1317 года.",
        description_en="Prince Mikhail of Tver defeats the Moscow host near Bortenevo on "
        "22 December 1317.",
        text=(
            "В декабре 1317 года тверское войско князя Михаила Ярославича встретило у деревни "
            "Бортенево московскую рать князя Юрия Даниловича, с которой шёл ордынский отряд "
            "Кавгадыя. Тверичи одержали победу; в плену оказалась жена московского князя Агафья "
            "(Кончака), сестра хана Узбека. Книга пересказывает летописные известия о битве и её "
            "последствиях для Тверского княжества."
        ),
    ),
    _Item(
        "Карта Тверской губернии",
        Type.MAP,
        AccessLevel.OPEN,
        ["maps", "regions"],
        "Map of Tver Governorate",
        ["Менде А. И."],
        "1853",
        ["Тверская губерния", "Тверь", "картография"],
        description_ru="Карта губернии с уездами, городами, почтовыми трактами и реками, издание "
        "1853 г.",
        description_en="A map of the governorate with its districts, towns, post roads and "
        "rivers, published in 1853.",
        pages=2,
    ),
    _Item(
        "Тарханы: усадьба Лермонтова",
        Type.PHOTOGRAPH,
        AccessLevel.READERS,
        ["culture", "regions"],
        "Tarkhany, Lermontov's estate",
        [],
        "1930–1939",
        ["Тарханы", "Лермонтов Михаил Юрьевич", "Пензенская область", "музеи-заповедники"],
        description_en="Photographs of the estate where the poet spent his childhood.",
        description_ru="Фотографии усадьбы, где прошло детство поэта.",
        pages=3,
    ),
    _Item(
        "Лермонтов М. Ю. Стихотворения",
        Type.BOOK,
        AccessLevel.ON_SITE,
        ["culture"],
        "Lermontov. Poems",
        ["Лермонтов М. Ю."],
        "1840",
        ["Лермонтов Михаил Юрьевич", "русская поэзия", "Тарханы"],
        description_ru="Прижизненное собрание стихотворений поэта, 1840 г.",
        description_en="The poet's poems, collected in his lifetime, 1840.",
        text=(
            "В сборник вошли «Песня про царя Ивана Васильевича, молодого опричника и удалого "
            "купца Калашникова», поэма «Мцыри», «Бородино», «Дума», «Три пальмы». Детские годы "
            "поэта прошли в Тарханах, в имении бабушки Елизаветы Алексеевны Арсеньевой."
        ),
    ),
    _Item(
        "Пензенская губерния: атлас уездов",
        Type.MAP,
        AccessLevel.ON_SITE,
        ["maps", "regions"],
        "Penza Governorate: an atlas of its districts",
        [],
        "1820–1825",
        ["Пензенская губерния", "Пенза", "картография"],
        description_ru="Атлас уездов Пензенской губернии, составленный в 1820–1825 гг.",
        description_en="An atlas of the districts of Penza Governorate, drawn up in 1820–1825.",
        pages=2,
    ),
    _Item(
        "Тюменская область: четыре века освоения Сибири",
        Type.BOOK,
        AccessLevel.OPEN,
        ["regions"],
        "Tyumen Region: four centuries of Siberia",
        ["Копылов Д. И."],
        "2016",
        ["Тюменская область", "Тюмень", "освоение Сибири"],
        description_ru="История Тюменского края от основания Тюмени в 1586 г. до наших дней.",
        description_en="The history of the Tyumen lands from the founding of Tyumen in 1586 to "
        "the present.",
        text=(
            "Тюмень основана в 1586 году воеводами Василием Сукиным и Иваном Мясным на месте "
            "татарского городка Чинги-Тура и стала первым русским городом в Сибири. Через неё шли"
            " ямщицкий тракт и речной путь по Туре и Тоболу."
        ),
    ),
    _Item(
        "Филиал Президентской библиотеки в Тюменской области",
        Type.VIDEO,
        AccessLevel.OPEN,
        ["library"],
        "The branch of the Presidential Library in Tyumen Region",
        [],
        "01.12.2016",
        ["Президентская библиотека", "Тюмень", "филиалы"],
        description_ru="Видеорассказ о филиале Президентской библиотеки в Тюменской области, 1 "
        "декабря 2016 г.",
        description_en="A film about the branch of the Presidential Library in Tyumen Region, 1 "
        "December 2016.",
    ),
    _Item(
        "Российско-монгольские связи: документы",
        Type.ARCHIVAL,
        AccessLevel.ON_SITE,
        ["abroad"],
        "Russian–Mongolian relations: documents",
        [],
        "1921–1940",
        ["Монголия", "Улан-Батор", "международные отношения"],
        description_ru="Документы о российско-монгольских отношениях 1921–1940 гг.",
        description_en="Documents on Russian–Mongolian relations, 1921–1940.",
        text=(
            "Подборка включает дипломатическую переписку, торговые соглашения и отчёты "
            "консульства в Урге (с 1924 года — Улан-Батор), а также сведения о караванной "
            "торговле через Кяхту."
        ),
    ),
    _Item(
        "Улан-Батор: фотографии",
        Type.PHOTOGRAPH,
        AccessLevel.READERS,
        ["abroad"],
        "Ulan Bator: photographs",
        [],
        "1930–1939",
        ["Монголия", "Улан-Батор", "Российский центр науки и культуры"],
        description_ru="Фотографии Улан-Батора 1930-х гг.: улицы, здания и жители города.",
        description_en="Photographs of Ulan Bator in the 1930s: its streets, buildings and people.",
        language="mn",
        pages=2,
    ),
    _Item(
        "Резолюция выездного совещания руководителей региональных центров Президентской "
        "библиотеки (Пенза, 2020)",
        Type.ARCHIVAL,
        AccessLevel.OPEN,
        ["library"],
        "Resolution of the meeting of the heads of the regional centers (Penza, 2020)",
        ["Президентская библиотека"],
        "21.10.2020",
        ["Президентская библиотека", "региональные центры", "Пенза", "центры удалённого доступа"],
        description_ru="Приоритеты развития сети и решения с ответственными и сроками.",
        description_en="The network's priorities and decisions, each with who and by when.",
        text=(
            "Совещание рекомендовало региональным центрам каждый месяц представлять сведения о "
            "работе центров удалённого доступа, расширять доступ читателей через ЕСИА и проводить"
            " совместные мероприятия, а также договорилось о сроках исполнения решений."
        ),
    ),
    _Item(
        "Выездное совещание руководителей региональных центров: видеозапись",
        Type.VIDEO,
        AccessLevel.READERS,
        ["library"],
        "",
        [],
        "2020-10-21",
        ["Президентская библиотека", "региональные центры", "видеоконференции"],
    ),
    _Item(
        "Расширенный доступ через Госуслуги (ЕСИА): памятка читателю",
        Type.OTHER,
        AccessLevel.OPEN,
        ["library"],
        "Extended access with Gosuslugi (ESIA): a reader's guide",
        ["Президентская библиотека"],
        "2020",
        ["ЕСИА", "Госуслуги", "удалённый доступ"],
        description_ru="Как читать издания «для читателей» после входа через Госуслуги.",
        description_en='How to read the resources marked "for readers" after signing in with '
        "Gosuslugi.",
        text=(
            "Войдите на портал библиотеки с подтверждённой учётной записью Госуслуг. После входа "
            "издания с пометкой «для читателей» открываются полностью с любого компьютера; "
            "издания, охраняемые авторским правом, читают в залах библиотеки и в центрах "
            "удалённого доступа."
        ),
    ),
    _Item(
        "Обращение Президента Российской Федерации: звукозапись",
        Type.SOUND,
        AccessLevel.OPEN,
        ["presidents"],
        "Address of the President of the Russian Federation: a recording",
        [],
        "2009-05-27",
        ["Президент Российской Федерации", "Президентская библиотека"],
        description_ru="Звукозапись обращения Президента Российской Федерации, 27 мая 2009 г.",
        description_en="A recording of the address of the President of the Russian Federation, 27 "
        "May 2009.",
    ),
    _Item(
        "Служебная инструкция по оцифровке фондов",
        Type.OTHER,
        AccessLevel.STAFF,
        ["library"],
        "",
        ["Президентская библиотека"],
        "2019",
        ["оцифровка", "Президентская библиотека"],
        text=(
            "Перед сканированием проверьте сохранность переплёта и листов. Разрешение съёмки — не"
            " ниже 400 точек на дюйм, цветовой профиль — Adobe RGB; каждый файл сверяют с "
            "контрольной шкалой."
        ),
    ),
]

# (ru, en, collection, first year, last year): the years a resource on the topic can be from.
TOPICS = [
    ("Государственная Дума", "The State Duma", "power", 1906, 2019),
    ("Конституция Российской Федерации", "The Constitution of Russia", "power", 1993, 2019),
    ("Государственный герб", "The coat of arms", "state-symbols", 1700, 2019),
    ("Государственный флаг", "The national flag", "state-symbols", 1700, 2019),
    (
        "Выборы в Учредительное собрание",
        "The Constituent Assembly elections",
        "elections",
        1917,
        1918,
    ),
    ("Выборы Президента", "Presidential elections", "elections", 1991, 2018),
    ("Инаугурация Президента", "The presidential inauguration", "presidents", 1991, 2018),
    ("Указы Президента", "Decrees of the President", "presidents", 1991, 2019),
    ("Русская поэзия", "Russian poetry", "culture", 1740, 2010),
    ("Русский театр", "Russian theatre", "culture", 1750, 2010),
    ("Народные промыслы", "Folk crafts", "traditions", 1800, 2010),
    ("Праздники и обряды", "Feasts and rites", "traditions", 1800, 2010),
    ("Освоение Сибири", "Settling Siberia", "regions", 1700, 1960),
    ("Великий Сибирский путь", "The Trans-Siberian Railway", "regions", 1891, 1916),
    ("Земские учреждения", "The zemstvo", "power", 1864, 1918),
    ("Российская дипломатия", "Russian diplomacy", "abroad", 1700, 2019),
    ("Русское зарубежье", "Russians abroad", "abroad", 1920, 1990),
    ("Генеральное межевание", "The General Land Survey", "maps", 1765, 1861),
]
# The years each type of resource can be from: no photograph before the daguerreotype (1839),
# no sound recording before the phonograph (1877), no film before the cinematograph (1895),
# no governorate gazette outside the governorates' years of them (1838–1917).
TYPE_YEARS = {
    Type.BOOK: (1700, 2019),
    Type.PERIODICAL: (1838, 1917),
    Type.MANUSCRIPT: (1700, 1900),
    Type.ARCHIVAL: (1700, 2019),
    Type.PHOTOGRAPH: (1860, 2019),
    Type.MAP: (1700, 2019),
    Type.SOUND: (1900, 2019),
    Type.VIDEO: (1908, 2019),
    Type.OTHER: (1991, 2019),
}
# Title and description in both languages, from the topic, the place and the date: the
# description says what the title promises. ``{date}``, ``{date_en}``: the date in words.
TEMPLATES = {
    Type.BOOK: (
        "{topic}: очерки истории",
        "{topic_en}: essays in history",
        "Очерки по теме «{topic}». Издание: {date}",
        "Essays on {topic_lower}. Published: {date_en}.",
    ),
    Type.PERIODICAL: (
        "Губернские ведомости (г. {city})",
        "The governorate gazette ({city_en})",
        "Официальная газета губернии, выходившая в г. {city}. Номера: {date}",
        "The governorate's official newspaper, published in {city_en}. Issues: {date_en}.",
    ),
    Type.MANUSCRIPT: (
        "{topic}: рукопись",
        "{topic_en}: a manuscript",
        "Рукописный текст по теме «{topic}». Датировка: {date}",
        "A handwritten text on {topic_lower}. Dated: {date_en}.",
    ),
    Type.ARCHIVAL: (
        "{topic}: документы (г. {city})",
        "{topic_en}: documents ({city_en})",
        "Документы по теме «{topic}» из архивов г. {city}. Датировка: {date}",
        "Documents on {topic_lower} from the archives of {city_en}. Dated: {date_en}.",
    ),
    Type.PHOTOGRAPH: (
        "{city}: фотографии",
        "{city_en}: photographs",
        "Фотографии г. {city}: улицы, здания и жители города. Время съёмки: {date}",
        "Photographs of {city_en}: its streets, buildings and people. Taken: {date_en}.",
    ),
    Type.MAP: (
        "{city} и окрестности: карта",
        "{city_en} and its environs: a map",
        "Карта г. {city} и окрестностей. Издание: {date}",
        "A map of {city_en} and its environs. Published: {date_en}.",
    ),
    Type.SOUND: (
        "{topic}: звукозапись",
        "{topic_en}: a recording",
        "Звукозапись по теме «{topic}». Запись: {date}",
        "A sound recording on {topic_lower}. Recorded: {date_en}.",
    ),
    Type.VIDEO: (
        "{topic}: документальный фильм",
        "{topic_en}: a documentary film",
        "Документальный фильм по теме «{topic}». Съёмка: {date}",
        "A documentary film on {topic_lower}. Filmed: {date_en}.",
    ),
    Type.OTHER: (
        "{topic}: материалы",
        "{topic_en}: materials",
        "Справочные материалы по теме «{topic}». Издание: {date}",
        "Reference materials on {topic_lower}. Published: {date_en}.",
    ),
}
# Types whose title names a town (a region's capital): filed under the regions too.
PLACE_TYPES = {Type.PERIODICAL, Type.PHOTOGRAPH, Type.MAP, Type.ARCHIVAL}
# Capitals that were governorate towns under the same name before 1917; a resource on any
# other capital (Магас, Нарьян-Мар, a town renamed since) is from 1960 on.
OLD_TOWNS = {
    *("Архангельск", "Астрахань", "Владимир", "Вологда", "Воронеж", "Иркутск", "Казань"),
    *("Калуга", "Кострома", "Красноярск", "Курск", "Москва", "Оренбург", "Орёл", "Пенза"),
    *("Пермь", "Псков", "Рязань", "Самара", "Санкт-Петербург", "Саратов", "Смоленск"),
    *("Ставрополь", "Тамбов", "Тверь", "Томск", "Тула", "Уфа", "Ярославль"),
}
NEW_TOWN_YEAR = 1960
# Types about a town whatever the topic, with their subject headings.
TOWN_TYPES = {
    Type.PERIODICAL: ["периодическая печать"],
    Type.PHOTOGRAPH: ["фотографии"],
    Type.MAP: ["картография"],
}
TOWNS_FOUNDED = {"Магас": 1995}  # capitals younger than that
TYPE_MIX = (
    [Type.BOOK] * 6
    + [Type.PERIODICAL] * 3
    + [Type.ARCHIVAL] * 3
    + [Type.PHOTOGRAPH] * 3
    + [Type.MAP] * 2
    + [Type.MANUSCRIPT, Type.SOUND, Type.VIDEO, Type.OTHER]
)
LEVEL_MIX = (
    [AccessLevel.OPEN] * 8
    + [AccessLevel.READERS] * 5
    + [AccessLevel.ON_SITE] * 6
    + [AccessLevel.STAFF]
)
# Books and documents on the world abroad are in its languages now and then.
FOREIGN_LANGUAGES = ["en", "de", "fr"]
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Морозов", "Волков"]
INITIALS = "АБВГДЕИКМНОПС"
SYNTHETIC_PER_COPY = 300
COLORS: dict[str, tuple[int, int, int]] = {
    Type.BOOK: (122, 46, 38),
    Type.PERIODICAL: (58, 82, 122),
    Type.MANUSCRIPT: (150, 110, 60),
    Type.ARCHIVAL: (90, 90, 90),
    Type.PHOTOGRAPH: (40, 40, 40),
    Type.MAP: (46, 110, 70),
    Type.SOUND: (110, 60, 130),
    Type.VIDEO: (30, 60, 90),
    Type.OTHER: (100, 100, 60),
}


@dataclass(frozen=True)
class ResourceDemoResult:
    collections: int
    resources: int
    files: int


def _identifier(number: int) -> str:
    return f"pl-{number:06d}"


def _date(rng: random.Random, first: int, last: int) -> str:
    """A date in ``first``..``last`` as catalogues write them: a year, a day (ISO or Russian
    style), a range of years or a decade, each within the bounds."""
    year = rng.randint(first, last)
    shape = rng.random()
    if shape < 0.5 or first == last:
        return str(year)
    if shape < 0.7:
        return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if shape < 0.8:
        return f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{year}"
    if shape < 0.9 and year < last:
        return f"{year}–{rng.randint(year + 1, min(year + 25, last))}"
    decade = year // 10 * 10  # a decade as a range: the same in both languages
    if decade >= first and decade + 9 <= last:
        return f"{decade}–{decade + 9}"
    return str(year)


MONTHS_RU = [
    *("января", "февраля", "марта", "апреля", "мая", "июня"),
    *("июля", "августа", "сентября", "октября", "ноября", "декабря"),
]
MONTHS_EN = [
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
]


def _date_words(text: str) -> tuple[str, str]:
    """A catalogued date in words: («12 октября 1892 г.», "12 October 1892"), («1881–1904 гг.»,
    "1881–1904"), («1747 г.», "1747")."""
    day = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)|(\d\d)\.(\d\d)\.(\d{4})", text)
    if day:
        year, month, number = day.group(1, 2, 3) if day.group(1) else day.group(6, 5, 4)
        return (
            f"{int(number)} {MONTHS_RU[int(month) - 1]} {year} г.",
            f"{int(number)} {MONTHS_EN[int(month) - 1]} {year}",
        )
    if "–" in text:
        return f"{text} гг.", text
    return f"{text} г.", text


def _synthetic(rng: random.Random, regions: list[dict[str, str]]) -> list[_Item]:
    items = []
    for _n in range(SYNTHETIC_PER_COPY):
        kind = rng.choice(TYPE_MIX)
        region = rng.choice(regions)
        if kind == Type.PERIODICAL:  # the gazettes of governorate towns only
            region = rng.choice([r for r in regions if r["capital_ru"] in OLD_TOWNS])
        low, high = TYPE_YEARS[kind]
        if kind in PLACE_TYPES and region["capital_ru"] not in OLD_TOWNS:
            low = max(low, NEW_TOWN_YEAR, TOWNS_FOUNDED.get(region["capital_ru"], 0))
        # A topic whose years meet the type's: no film of the General Land Survey.
        topics = [t for t in TOPICS if t[3] <= high and t[4] >= low]
        topic_ru, topic_en, collection, first, last = rng.choice(topics)
        date_text = _date(rng, max(first, low), min(last, high))
        words = {
            "topic": topic_ru,
            "topic_en": topic_en,
            # "the zemstvo", "settling Siberia", but "Russian poetry"
            "topic_lower": topic_en
            if topic_en.split()[0] in ("Russian", "Russians")
            else topic_en[0].lower() + topic_en[1:],
            "city": region["capital_ru"],
            "city_en": region["capital_en"],
        }
        words["date"], words["date_en"] = _date_words(date_text)
        title_ru, title_en, description_ru, description_en = TEMPLATES[kind]
        subjects = [topic_ru, region["name_ru"], region["capital_ru"]]
        collections = [collection]
        if kind in TOWN_TYPES:  # about the town alone: the topic only dated it
            subjects, collections = [*TOWN_TYPES[kind], *subjects[1:]], []
        if kind in PLACE_TYPES:
            collections.append("maps" if kind == Type.MAP else "regions")
        creators = [
            f"{rng.choice(SURNAMES)} {rng.choice(INITIALS)}. {rng.choice(INITIALS)}."
            for _c in range(rng.choice([0, 1, 1, 2]))
        ]
        language = "ru"
        if kind == Type.MANUSCRIPT and re.search(r"\b17\d\d\b", date_text):
            language = "cu"  # Church Slavonic, as manuscripts of the 18th century often are
        elif collection == "abroad" and kind in (Type.BOOK, Type.ARCHIVAL) and rng.random() < 0.4:
            language = rng.choice(FOREIGN_LANGUAGES)
        items.append(
            _Item(
                title_ru=title_ru.format(**words),
                type=kind,
                access_level=rng.choice(LEVEL_MIX),
                collections=sorted(set(collections)),
                title_en=title_en.format(**words),
                creators=creators if kind not in (Type.PERIODICAL, Type.MAP) else [],
                date_text=date_text,
                subjects=subjects,
                language=language,
                description_ru=description_ru.format(**words),
                description_en=description_en.format(**words),
                pages=rng.randint(1, 3)
                if kind in (Type.PHOTOGRAPH, Type.MAP, Type.MANUSCRIPT)
                else 0,
            )
        )
    return items


# Sentences of the synthetic resources' PDFs: what a digitized book says beyond its catalogue
# record, so that a search finds words that only a PDF holds (such as «исправник»).
PDF_SENTENCES = [
    "Текст подготовлен по экземпляру из фондов Президентской библиотеки и сверен с оригиналом.",
    "В приложении помещены таблицы ярмарочной торговли, цены на хлеб и перечень почтовых станций.",
    "Особое внимание уделено переписке губернатора с уездными исправниками и земскими управами.",
    "Автор приводит выдержки из летописей, писцовых книг и ревизских сказок.",
    "Издание снабжено указателем личных имён и географических названий.",
    "На полях сохранились карандашные пометы прежнего владельца.",
    "Сведения о народном образовании: число училищ, учителей и учащихся по уездам.",
    "Описаны пути сообщения: тракты, переправы, пристани и постройка железной дороги.",
    "Приведены данные переписи населения и городских обывательских книг.",
    "Документы публикуются в современной орфографии с сохранением особенностей языка.",
]
PDF_FOOTER = "Libranet: демонстрационные фонды / a demo of the Presidential Library's collections"


def _pdf_pages(resource: Resource, item: _Item) -> list[list[str]]:
    """A resource's PDF: its catalogue heading and its text (the seed item's own, else
    sentences drawn for its identifier, so the same every time) over two pages."""
    rng = random.Random(f"pdf-{resource.identifier}")  # noqa: S311 (demo text, not a secret)
    sentences = rng.sample(PDF_SENTENCES, 5)
    heading = [item.title_ru, item.title_en, "; ".join(item.creators), item.date_text]
    first = [*(line for line in heading if line), resource.identifier, ""]
    first.append(item.text or " ".join(sentences[:3]))
    second = [] if item.text else [" ".join(sentences[3:]), ""]
    return [first, [*second, PDF_FOOTER]]


def _add_files(resource: Resource, item: _Item) -> int:
    stored = 0
    color = COLORS[item.type]
    if item.type in (Type.BOOK, Type.PERIODICAL, Type.ARCHIVAL, Type.OTHER, Type.MANUSCRIPT):
        resource_file_add(
            actor=None,
            resource=resource,
            kind=Kind.PDF,
            name=f"{resource.identifier}.pdf",
            content=text_pdf(_pdf_pages(resource, item)),
        )
        stored += 1
    first_page = None
    for page in range(1, item.pages + 1):
        content = card(item.title_ru, f"{resource.identifier} · {page}", color, (420, 560))
        first_page = first_page or content
        resource_file_add(
            actor=None,
            resource=resource,
            kind=Kind.PAGE,
            name=f"{resource.identifier}-{page:03d}.png",
            content=content,
            label=str(page),
        )
        stored += 1
    if item.type == Type.SOUND:
        resource_file_add(
            actor=None,
            resource=resource,
            kind=Kind.AUDIO,
            name=f"{resource.identifier}.wav",
            content=tone_wav(frequency=330 + 10 * (sum(map(ord, resource.identifier)) % 20)),
        )
        stored += 1
    if item.type == Type.VIDEO:
        caption = f"{resource.identifier} · {item.date_text}"
        resource_file_add(
            actor=None,
            resource=resource,
            kind=Kind.VIDEO,
            name=f"{resource.identifier}.webm",
            content=title_video(item.title_ru, caption, color),
        )
        stored += 1
    cover = first_page or card(item.title_ru, resource.identifier, color, (240, 320))
    resource_thumbnail_set(actor=None, resource=resource, content=cover)
    return stored


def _create(number: int, item: _Item, collections: dict[str, Collection]) -> Resource:
    rights_ru, _rights_en = RIGHTS[AccessLevel(item.access_level)]
    return resource_create(
        actor=None,
        identifier=_identifier(number),
        title_ru=item.title_ru,
        title_en=item.title_en,
        type=item.type,
        access_level=item.access_level,
        creators=item.creators,
        date_text=item.date_text,
        subjects=item.subjects,
        language=item.language,
        description_ru=item.description_ru,
        description_en=item.description_en,
        collections=[collections[code] for code in item.collections],
        rights=rights_ru,
    )


def seed_resources(*, seed: int = 2018, scale: int = 1) -> ResourceDemoResult:
    """Build the demo collections (in one transaction: all of it or nothing; the files written
    are removed if it fails). Does nothing when collections exist already."""
    if Collection.objects.exists():
        return ResourceDemoResult(collections=0, resources=0, files=0)
    rng = random.Random(seed)  # noqa: S311 (deterministic demo data, not a secret)
    regions = read_csv("federal_subjects.csv")
    synthetic = _synthetic(rng, regions)
    files = 0
    with collect_stored_files() as written:
        try:
            with transaction.atomic():
                collections: dict[str, Collection] = {}
                for position, (code, name_ru, name_en, parent) in enumerate(COLLECTIONS):
                    collections[code] = collection_create(
                        actor=None,
                        code=code,
                        name_ru=name_ru,
                        name_en=name_en,
                        parent=collections[parent] if parent else None,
                        position=position,
                    )
                number = 0
                for copy in range(scale):
                    items = (SEED_ITEMS if copy == 0 else []) + synthetic
                    for item in items:
                        number += 1
                        resource = _create(number, item, collections)
                        if copy == 0:
                            files += _add_files(resource, item)
        except BaseException:
            for name in written:
                default_storage.delete(name)
            raise
    return ResourceDemoResult(collections=len(COLLECTIONS), resources=number, files=files)
