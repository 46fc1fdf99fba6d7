"""Synthetic catalogs of a few host libraries of the demo network, for the demo's OAI-PMH
provider: Russian books (classics and their collected works, reference, textbooks, local
history) with authors, years, publishers, subjects, languages and valid ISBNs.

Deterministic: every catalog is built from its own seed, against a fixed epoch (datestamps are
spread over the six years before it, never later), so that the catalogs, their identifiers and
datestamps are the same on every run and a harvest can be compared with the last one. The
libraries draw from one pool of editions, so the same edition is held by several of them: by
its ISBN, or, for a Soviet book without one, by its title, author and year; that is what the
union search groups. A few records of each catalog are deleted (kept as deleted records)."""

import datetime
import functools
import random
from dataclasses import dataclass, field

from stdnum import ean
from stdnum import isbn as stdnum_isbn

EPOCH = datetime.datetime(2025, 9, 1, tzinfo=datetime.UTC)
SPAN_DAYS = 6 * 365
POOL_SEED = 14
DELETED_SHARE = 0.02  # a deleted record is rare, but every catalog has some


@dataclass(frozen=True)
class Person:
    family: str
    given: str  # given name and patronymic (or the given names of a foreign author)
    dates: str = ""

    @property
    def initials(self) -> str:
        return " ".join(f"{part[0]}." for part in self.given.split() if part[0].isupper())

    @property
    def inverted(self) -> str:
        """As a heading writes it: "Пушкин, Александр Сергеевич"."""
        return f"{self.family}, {self.given}"

    @property
    def short(self) -> str:
        """As a statement of responsibility writes it: "А. С. Пушкин"."""
        return f"{self.initials} {self.family}"


@dataclass(frozen=True)
class Publisher:
    city: str
    name: str
    isbn_prefix: str | None  # group and registrant, "5-699"; None: before ISBNs (Soviet)
    first_year: int
    last_year: int


@dataclass(frozen=True)
class Work:
    title: str
    subtitle: str
    authors: tuple[Person, ...]
    subjects: tuple[str, ...]
    kind: str  # classics, reference, textbook, local, press (a university's own)
    language: str = "rus"  # MARC language code (ISO 639-2/B)
    place: str = ""  # the geographic subject of local history

    @property
    def full_title(self) -> str:
        return f"{self.title} : {self.subtitle}" if self.subtitle else self.title


@dataclass(frozen=True)
class Edition:
    work: Work
    publisher: Publisher
    year: int
    pages: int
    isbn: str  # hyphenated as printed: ISBN-10 before 2007, ISBN-13 since; "" without one

    @property
    def city(self) -> str:
        return self.publisher.city


@dataclass(frozen=True)
class Record:
    identifier: str  # oai:<repository identifier>:<local id>
    local_id: str
    edition: Edition
    datestamp: datetime.datetime
    sets: tuple[str, ...]
    deleted: bool = False


@dataclass(frozen=True)
class Library:
    slug: str
    name_ru: str
    name_en: str
    repository_id: str  # the domain in its OAI identifiers
    record_format: str  # its own format: marc21, rusmarc or oai_dc
    # The demo's institution holding it: a center's code, or "university:<region code>" (the
    # first university hosting a center there).
    holder: str
    sets: tuple[tuple[str, str], ...]
    seed: int
    share: dict[str, float]  # of each kind of the common pool, the part it holds
    region: dict[str, str] = field(default_factory=dict)
    yo_as_e: bool = False  # its catalog writes "е" for "ё", as many do

    @property
    def formats(self) -> tuple[str, ...]:
        """Its own format first, and oai_dc, which OAI-PMH requires of every repository."""
        return tuple(dict.fromkeys((self.record_format, "oai_dc")))


@dataclass
class Catalog:
    library: Library
    records: list[Record]  # by datestamp, then identifier: the order of the lists

    def __post_init__(self) -> None:
        self.by_identifier = {record.identifier: record for record in self.records}
        self.by_local_id = {record.local_id: record for record in self.records}

    @property
    def earliest_datestamp(self) -> datetime.datetime:
        return self.records[0].datestamp


def _person(text: str) -> Person:
    family, _, rest = text.partition(", ")
    given, _, dates = rest.partition(" | ")
    return Person(family, given, dates)


# --- The common pool -------------------------------------------------------------------------

P = {
    "hudlit": Publisher("Москва", "Художественная литература", None, 1955, 1989),
    "hudlit90": Publisher("Москва", "Художественная литература", "5-280", 1990, 2006),
    "pravda": Publisher("Москва", "Правда", None, 1960, 1989),
    "lenizdat": Publisher("Ленинград", "Лениздат", None, 1955, 1989),
    "detlit": Publisher("Москва", "Детская литература", "5-08", 1990, 2024),
    "nauka_su": Publisher("Москва", "Наука", None, 1960, 1989),
    "nauka": Publisher("Москва", "Наука", "5-02", 1990, 2024),
    "eksmo": Publisher("Москва", "Эксмо", "5-699", 1995, 2024),
    "ast": Publisher("Москва", "АСТ", "5-17", 1995, 2024),
    "azbuka": Publisher("Санкт-Петербург", "Азбука", "5-389", 2000, 2024),
    "prosv": Publisher("Москва", "Просвещение", "5-09", 1990, 2024),
    "vshkola_su": Publisher("Москва", "Высшая школа", None, 1960, 1989),
    "vshkola": Publisher("Москва", "Высшая школа", "5-06", 1990, 2012),
    "urait": Publisher("Москва", "Юрайт", "5-534", 2012, 2024),
    "lan": Publisher("Санкт-Петербург", "Лань", "5-8114", 2000, 2024),
    "drofa": Publisher("Москва", "Дрофа", "5-358", 1995, 2019),
    "fizmatlit": Publisher("Москва", "Физматлит", "5-9221", 1995, 2024),
    "bre": Publisher("Москва", "Большая российская энциклопедия", "5-85270", 1992, 2020),
    "sovenc": Publisher("Москва", "Советская энциклопедия", None, 1960, 1989),
    "ruslang": Publisher("Москва", "Русский язык", "5-200", 1990, 2010),
    "ruslang_su": Publisher("Москва", "Русский язык", None, 1970, 1989),
    "cup": Publisher("Cambridge", "Cambridge University Press", "0-521", 1995, 2024),
    "reclam": Publisher("Stuttgart", "Reclam", "3-15", 1990, 2024),
    "gallimard": Publisher("Paris", "Gallimard", "2-07", 1990, 2024),
}
FICTION = ("hudlit", "hudlit90", "pravda", "lenizdat", "detlit", "eksmo", "ast", "azbuka")

# Author | dates, then their works: (title, subtitle, subjects).
CLASSICS: list[tuple[str, list[tuple[str, str, tuple[str, ...]]]]] = [
    (
        "Пушкин, Александр Сергеевич | 1799-1837",
        [
            ("Евгений Онегин", "роман в стихах", ("Русская поэзия", "Романы в стихах")),
            ("Капитанская дочка", "повесть", ("Русская проза", "Исторические повести")),
            ("Повести Белкина", "", ("Русская проза",)),
            ("Стихотворения", "", ("Русская поэзия",)),
            ("Борис Годунов", "трагедия", ("Русская драматургия",)),
        ],
    ),
    (
        "Лермонтов, Михаил Юрьевич | 1814-1841",
        [
            ("Герой нашего времени", "роман", ("Русская проза", "Романы")),
            ("Мцыри", "поэма", ("Русская поэзия", "Поэмы")),
            ("Стихотворения и поэмы", "", ("Русская поэзия",)),
            ("Маскарад", "драма в стихах", ("Русская драматургия",)),
            ("Демон", "восточная повесть", ("Русская поэзия", "Поэмы")),
        ],
    ),
    (
        "Гоголь, Николай Васильевич | 1809-1852",
        [
            ("Мёртвые души", "поэма", ("Русская проза",)),
            ("Вечера на хуторе близ Диканьки", "", ("Русская проза", "Повести")),
            ("Ревизор", "комедия в пяти действиях", ("Русская драматургия",)),
            ("Петербургские повести", "", ("Русская проза", "Повести")),
        ],
    ),
    (
        "Толстой, Лев Николаевич | 1828-1910",
        [
            ("Война и мир", "роман", ("Русская проза", "Исторические романы")),
            ("Анна Каренина", "роман", ("Русская проза", "Романы")),
            ("Воскресение", "роман", ("Русская проза", "Романы")),
            ("Севастопольские рассказы", "", ("Русская проза", "Рассказы")),
        ],
    ),
    (
        "Достоевский, Фёдор Михайлович | 1821-1881",
        [
            ("Преступление и наказание", "роман", ("Русская проза", "Романы")),
            ("Идиот", "роман", ("Русская проза", "Романы")),
            ("Братья Карамазовы", "роман", ("Русская проза", "Романы")),
            ("Бесы", "роман", ("Русская проза", "Романы")),
        ],
    ),
    (
        "Тургенев, Иван Сергеевич | 1818-1883",
        [
            ("Отцы и дети", "роман", ("Русская проза", "Романы")),
            ("Записки охотника", "", ("Русская проза", "Рассказы")),
            ("Дворянское гнездо", "роман", ("Русская проза", "Романы")),
        ],
    ),
    (
        "Чехов, Антон Павлович | 1860-1904",
        [
            ("Рассказы", "", ("Русская проза", "Рассказы")),
            ("Вишнёвый сад", "комедия в четырёх действиях", ("Русская драматургия",)),
            ("Пьесы", "", ("Русская драматургия",)),
            ("Остров Сахалин", "из путевых записок", ("Русская проза", "Очерки")),
        ],
    ),
    (
        "Салтыков-Щедрин, Михаил Евграфович | 1826-1889",
        [
            ("История одного города", "", ("Русская проза", "Сатира")),
            ("Господа Головлёвы", "роман", ("Русская проза", "Романы")),
            ("Сказки", "", ("Русская проза", "Сказки литературные")),
        ],
    ),
    (
        "Крылов, Иван Андреевич | 1769-1844",
        [("Басни", "", ("Русская поэзия", "Басни"))],
    ),
    (
        "Грибоедов, Александр Сергеевич | 1795-1829",
        [("Горе от ума", "комедия в четырёх действиях в стихах", ("Русская драматургия",))],
    ),
    (
        "Некрасов, Николай Алексеевич | 1821-1878",
        [
            ("Кому на Руси жить хорошо", "поэма", ("Русская поэзия", "Поэмы")),
            ("Стихотворения", "", ("Русская поэзия",)),
        ],
    ),
    (
        "Островский, Александр Николаевич | 1823-1886",
        [
            ("Гроза", "драма в пяти действиях", ("Русская драматургия",)),
            ("Бесприданница", "драма", ("Русская драматургия",)),
        ],
    ),
    (
        "Гончаров, Иван Александрович | 1812-1891",
        [("Обломов", "роман в четырёх частях", ("Русская проза", "Романы"))],
    ),
    (
        "Лесков, Николай Семёнович | 1831-1895",
        [
            ("Левша", "сказ о тульском косом левше и о стальной блохе", ("Русская проза",)),
            ("Очарованный странник", "", ("Русская проза", "Повести")),
        ],
    ),
    (
        "Бунин, Иван Алексеевич | 1870-1953",
        [
            ("Тёмные аллеи", "рассказы", ("Русская проза", "Рассказы")),
            ("Жизнь Арсеньева", "роман", ("Русская проза", "Романы")),
        ],
    ),
    (
        "Куприн, Александр Иванович | 1870-1938",
        [
            ("Гранатовый браслет", "повести и рассказы", ("Русская проза", "Повести")),
            ("Поединок", "повесть", ("Русская проза", "Повести")),
        ],
    ),
    (
        "Блок, Александр Александрович | 1880-1921",
        [("Стихотворения и поэмы", "", ("Русская поэзия",))],
    ),
    (
        "Есенин, Сергей Александрович | 1895-1925",
        [("Стихотворения и поэмы", "", ("Русская поэзия",))],
    ),
    (
        "Булгаков, Михаил Афанасьевич | 1891-1940",
        [
            ("Мастер и Маргарита", "роман", ("Русская проза", "Романы")),
            ("Белая гвардия", "роман", ("Русская проза", "Романы")),
            ("Собачье сердце", "повесть", ("Русская проза", "Повести")),
        ],
    ),
    (
        "Шолохов, Михаил Александрович | 1905-1984",
        [
            ("Тихий Дон", "роман", ("Русская проза", "Романы")),
            ("Судьба человека", "рассказ", ("Русская проза", "Рассказы")),
        ],
    ),
    (
        "Пастернак, Борис Леонидович | 1890-1960",
        [("Доктор Живаго", "роман", ("Русская проза", "Романы"))],
    ),
    (
        "Паустовский, Константин Георгиевич | 1892-1968",
        [("Мещерская сторона", "повесть", ("Русская проза", "Повести"))],
    ),
    (
        "Твардовский, Александр Трифонович | 1910-1971",
        [("Василий Тёркин", "книга про бойца", ("Русская поэзия", "Поэмы"))],
    ),
    (
        "Распутин, Валентин Григорьевич | 1937-2015",
        [("Прощание с Матёрой", "повесть", ("Русская проза", "Повести"))],
    ),
    (
        "Шукшин, Василий Макарович | 1929-1974",
        [("Рассказы", "", ("Русская проза", "Рассказы"))],
    ),
    (
        "Сент-Экзюпери, Антуан де | 1900-1944",
        [("Маленький принц", "", ("Французская проза", "Сказки литературные"))],
    ),
]
FOREIGN_ORIGINALS = [
    (
        "Goethe, Johann Wolfgang von | 1749-1832",
        "Faust",
        "Der Tragödie erster Teil",
        "ger",
        "reclam",
    ),
    ("Saint-Exupéry, Antoine de | 1900-1944", "Le Petit Prince", "", "fre", "gallimard"),
    ("Murphy, Raymond", "English Grammar in Use", "a self-study reference", "eng", "cup"),
]
# Collected works: author, volumes, publisher, first year (a volume a year or so).
COLLECTED_WORKS = [
    ("Пушкин, Александр Сергеевич | 1799-1837", 10, "hudlit", 1974),
    ("Лермонтов, Михаил Юрьевич | 1814-1841", 4, "pravda", 1969),
    ("Гоголь, Николай Васильевич | 1809-1852", 7, "hudlit", 1976),
    ("Тургенев, Иван Сергеевич | 1818-1883", 12, "hudlit", 1975),
    ("Толстой, Лев Николаевич | 1828-1910", 22, "hudlit", 1978),
    ("Чехов, Антон Павлович | 1860-1904", 12, "pravda", 1985),
    ("Достоевский, Фёдор Михайлович | 1821-1881", 15, "nauka_su", 1988),
]
REFERENCE = [
    (
        "Ожегов, Сергей Иванович",
        "Словарь русского языка",
        "",
        ("ruslang_su", "ruslang"),
        ("Русский язык", "Толковые словари"),
    ),
    (
        "Даль, Владимир Иванович | 1801-1872",
        "Толковый словарь живого великорусского языка",
        "в четырёх томах",
        ("ruslang_su", "ruslang"),
        ("Русский язык", "Толковые словари"),
    ),
    (
        "Розенталь, Дитмар Эльяшевич",
        "Справочник по правописанию и литературной правке",
        "",
        ("ruslang", "ast"),
        ("Русский язык", "Орфография"),
    ),
    ("", "Большой энциклопедический словарь", "", ("sovenc", "bre"), ("Энциклопедии",)),
    (
        "",
        "Лермонтовская энциклопедия",
        "",
        ("sovenc", "bre"),
        ("Лермонтов, Михаил Юрьевич", "Энциклопедии"),
    ),
    ("", "Советский энциклопедический словарь", "", ("sovenc",), ("Энциклопедии",)),
    ("", "Большая российская энциклопедия", "в 35 томах. Т. 1", ("bre",), ("Энциклопедии",)),
    (
        "Фасмер, Макс",
        "Этимологический словарь русского языка",
        "в четырёх томах",
        ("nauka_su", "ast"),
        ("Русский язык", "Этимология"),
    ),
]
TEXTBOOKS = [
    (
        "Фихтенгольц, Григорий Михайлович",
        "Курс дифференциального и интегрального исчисления",
        "",
        ("nauka_su", "fizmatlit", "lan"),
        ("Математический анализ",),
    ),
    (
        "Демидович, Борис Павлович",
        "Сборник задач и упражнений по математическому анализу",
        "учебное пособие",
        ("nauka_su", "nauka"),
        ("Математический анализ", "Задачники"),
    ),
    (
        "Ландау, Лев Давидович; Лифшиц, Евгений Михайлович",
        "Механика",
        "учебное пособие для вузов",
        ("nauka_su", "fizmatlit"),
        ("Теоретическая физика",),
    ),
    (
        "Савельев, Игорь Владимирович",
        "Курс общей физики",
        "учебное пособие",
        ("nauka_su", "lan"),
        ("Физика",),
    ),
    (
        "Глинка, Николай Леонидович",
        "Общая химия",
        "учебное пособие для вузов",
        ("vshkola_su", "urait"),
        ("Химия",),
    ),
    (
        "Ключевский, Василий Осипович",
        "Курс русской истории",
        "",
        ("nauka", "azbuka"),
        ("История России",),
    ),
    (
        "Карамзин, Николай Михайлович",
        "История государства Российского",
        "",
        ("nauka", "eksmo"),
        ("История России",),
    ),
    (
        "Розенталь, Дитмар Эльяшевич; Голуб, Ирина Борисовна",
        "Современный русский язык",
        "учебное пособие",
        ("vshkola", "urait"),
        ("Русский язык",),
    ),
    (
        "Кремер, Наум Шевелевич",
        "Теория вероятностей и математическая статистика",
        "учебник для вузов",
        ("urait",),
        ("Теория вероятностей", "Математическая статистика"),
    ),
    (
        "Орлов, Александр Сергеевич; Георгиев, Владимир Анатольевич",
        "История России",
        "учебник",
        ("prosv", "drofa"),
        ("История России",),
    ),
]
DISCIPLINES = [
    ("Высшая математика", "высшей математике"),
    ("Линейная алгебра", "линейной алгебре"),
    ("Физика", "физике"),
    ("Общая химия", "общей химии"),
    ("Органическая химия", "органической химии"),
    ("История России", "истории России"),
    ("Философия", "философии"),
    ("Экономическая теория", "экономической теории"),
    ("Информатика", "информатике"),
    ("Русский язык и культура речи", "русскому языку и культуре речи"),
    ("Педагогика", "педагогике"),
    ("Психология", "психологии"),
    ("Социология", "социологии"),
    ("Правоведение", "правоведению"),
    ("Экология", "экологии"),
    ("Культурология", "культурологии"),
    ("Английский язык", "английскому языку"),
    ("Библиотековедение", "библиотековедению"),
]
TEXTBOOK_FORMS = [
    ("{d}", "учебник для вузов"),
    ("{d}", "учебное пособие"),
    ("Практикум по {dd}", "учебное пособие"),
    ("Сборник задач по {dd}", ""),
    ("Лекции по {dd}", "курс лекций"),
]
TEXTBOOK_PUBLISHERS = ("vshkola", "urait", "lan", "drofa", "prosv", "fizmatlit")

FAMILY = [
    "Иванов", "Смирнов", "Кузнецов", "Соколов", "Попов", "Лебедев", "Козлов", "Новиков",
    "Морозов", "Волков", "Соловьёв", "Васильев", "Зайцев", "Павлов", "Семёнов", "Голубев",
    "Виноградов", "Богданов", "Воробьёв", "Фёдоров", "Михайлов", "Беляев", "Тарасов", "Белов",
    "Комаров", "Орлов", "Киселёв", "Макаров", "Андреев", "Ковалёв", "Ильин", "Гусев", "Титов",
    "Кузьмин", "Кудрявцев", "Баранов", "Куликов", "Алексеев", "Степанов", "Яковлев", "Сорокин",
    "Сергеев", "Романов", "Захаров", "Борисов", "Королёв", "Герасимов", "Пономарёв",
    "Григорьев", "Лазарев", "Медведев", "Ершов", "Никитин", "Соболев", "Рябов", "Поляков",
]  # fmt: skip
GIVEN_MEN = ["Александр", "Сергей", "Владимир", "Николай", "Михаил", "Юрий", "Виктор", "Пётр"]
GIVEN_WOMEN = ["Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Галина", "Людмила", "Анна"]
PATRONYMICS = [
    ("Иванович", "Ивановна"), ("Петрович", "Петровна"), ("Николаевич", "Николаевна"),
    ("Сергеевич", "Сергеевна"), ("Васильевич", "Васильевна"), ("Михайлович", "Михайловна"),
    ("Александрович", "Александровна"), ("Викторович", "Викторовна"),
]  # fmt: skip


def _random_person(rng: random.Random) -> Person:
    family = rng.choice(FAMILY)
    patronymic = rng.choice(PATRONYMICS)
    if rng.random() < 0.45:
        return Person(family + "а", f"{rng.choice(GIVEN_WOMEN)} {patronymic[1]}")
    return Person(family, f"{rng.choice(GIVEN_MEN)} {patronymic[0]}")


def _isbn(rng: random.Random, publisher: Publisher, year: int, used: set[str]) -> str:
    """A new ISBN of ``publisher`` (never one of ``used``, to which it is added)."""
    if publisher.isbn_prefix is None:
        return ""
    group, registrant = publisher.isbn_prefix.split("-")
    body = ""
    while not body or body in used:
        item = "".join(rng.choice("0123456789") for _ in range(8 - len(registrant)))
        body = f"978{group}{registrant}{item}"
    used.add(body)
    number = body + ean.calc_check_digit(body)
    # Printed as ISBN-10 until 2007, when ISBNs became 13 digits.
    return stdnum_isbn.format(stdnum_isbn.to_isbn10(number) if year < 2007 else number)


class _Editions:
    """Makes editions from one random sequence, each ISBN once."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (deterministic demo data, not secrets)
        self.used: set[str] = set()

    def one(self, work: Work, publisher: Publisher, year: int | None = None) -> Edition:
        rng = self.rng
        year = year or rng.randint(publisher.first_year, min(publisher.last_year, EPOCH.year))
        pages = rng.randrange(96, 960, 8)
        return Edition(work, publisher, year, pages, _isbn(rng, publisher, year, self.used))

    def some(self, work: Work, keys: tuple[str, ...], most: int) -> list[Edition]:
        return [self.one(work, P[self.rng.choice(keys)]) for _ in range(self.rng.randint(1, most))]


def _authors(text: str) -> tuple[Person, ...]:
    return tuple(_person(name) for name in text.split("; ") if name)


@functools.cache
def common_pool() -> tuple[Edition, ...]:
    """The editions every library draws from: the same book in several catalogs."""
    make = _Editions(POOL_SEED)
    rng = make.rng
    pool: list[Edition] = []
    for author, works in CLASSICS:
        for title, subtitle, subjects in works:
            work = Work(title, subtitle, _authors(author), subjects, "classics")
            pool += make.some(work, FICTION, 4)
    for author, title, subtitle, language, publisher in FOREIGN_ORIGINALS:
        work = Work(title, subtitle, _authors(author), (), "classics", language)
        pool += make.some(work, (publisher,), 2)
    for author, volumes, publisher, first_year in COLLECTED_WORKS:
        for volume in range(1, volumes + 1):
            title = f"Собрание сочинений. Т. {volume}"
            work = Work(
                title, f"в {volumes} томах", _authors(author), ("Русская литература",), "classics"
            )
            pool.append(make.one(work, P[publisher], first_year + volume * 2 // 3))
    for author, title, subtitle, keys, subjects in REFERENCE:
        pool += make.some(Work(title, subtitle, _authors(author), subjects, "reference"), keys, 2)
    for author, title, subtitle, keys, subjects in TEXTBOOKS:
        pool += make.some(Work(title, subtitle, _authors(author), subjects, "textbook"), keys, 3)
    for discipline, dative in DISCIPLINES:
        for form, subtitle in TEXTBOOK_FORMS:
            if rng.random() < 0.3:
                continue
            title = form.format(d=discipline, dd=dative)
            authors = tuple(_random_person(rng) for _ in range(rng.choice((1, 1, 2, 3))))
            work = Work(title, subtitle, authors, (discipline,), "textbook")
            pool += make.some(work, TEXTBOOK_PUBLISHERS, 2)
    return tuple(pool)


# --- Each library's own: local history, or a university's own press -------------------------

LOCAL_TITLES = [
    ("История {gen} с древнейших времён до наших дней", ""),
    ("Очерки истории {gen}", ""),
    ("{city}: страницы истории", ""),
    ("Памятники истории и культуры {gen}", "каталог"),
    ("Природа {gen}", ""),
    ("Литературная карта {gen}", ""),
    ("Храмы {gen}", "иллюстрированный путеводитель"),
    ("Знаменитые земляки", "биографический словарь"),
    ("{adj} край в годы Великой Отечественной войны", "сборник документов"),
    ("Купечество {city_gen}", ""),
    ("Усадьбы {gen}", ""),
    ("Народные промыслы {gen}", ""),
    ("Топонимический словарь {gen}", ""),
    ("Археологические памятники {gen}", ""),
    ("Улицы {city_gen}", "краеведческий справочник"),
]
TOWN_TITLES = [
    ("{town}", "история и современность"),
    ("{town}", "путеводитель"),
    ("{town} в старых фотографиях", ""),
    ("Летопись города {town}", ""),
]
PRESS_TITLES = [
    ("Известия {univ}. Серия «Филология»", "научный журнал"),
    ("Известия {univ}. Серия «История»", "научный журнал"),
    ("Известия {univ}. Серия «Математика»", "научный журнал"),
    ("Учёные записки {univ}", ""),
]


def _local_works(make: _Editions, library: Library) -> list[Edition]:
    rng = make.rng
    region = library.region
    place = region["place"]
    subjects = (f"{place} — История", "Краеведение")
    soviet = Publisher(region["soviet_city"], region["soviet_publisher"], None, 1960, 1989)
    local = Publisher(region["city"], region["publisher"], region["isbn_prefix"], 1992, 2024)
    editions: list[Edition] = []
    words = {k: region[k] for k in ("gen", "city", "city_gen", "adj")}
    for form, subtitle in LOCAL_TITLES:
        authors = tuple(_random_person(rng) for _ in range(rng.choice((0, 1, 1, 2))))
        work = Work(form.format(**words), subtitle, authors, subjects, "local", place=place)
        editions += [
            make.one(work, rng.choice((soviet, local, local))) for _ in range(rng.randint(1, 3))
        ]
    for town in region["towns"].split(", "):
        for form, subtitle in TOWN_TITLES:
            authors = (_random_person(rng),)
            work = Work(form.format(town=town), subtitle, authors, subjects, "local", place=place)
            editions.append(make.one(work, local))
    almanac = region["almanac"]
    for issue, year in enumerate(range(1994, EPOCH.year + 1), start=1):
        title = f"{almanac}. Вып. {issue}"
        work = Work(title, "краеведческий альманах", (), subjects, "local", place=place)
        editions.append(make.one(work, local, year))
    for year in range(1975, EPOCH.year + 1):
        title = f"Календарь знаменательных дат {region['gen']} на {year} год"
        publisher = soviet if year < 1990 else local
        work = Work(title, "", (), subjects, "local", place=place)
        editions.append(make.one(work, publisher, year - 1))
    return editions


def _press_works(make: _Editions, library: Library) -> list[Edition]:
    press = Publisher(
        library.region["city"], library.region["press"], library.region["isbn_prefix"], 1992, 2024
    )
    editions: list[Edition] = []
    for form, subtitle in PRESS_TITLES:
        for year in range(2003, EPOCH.year + 1):
            title = f"{form.format(univ=library.region['univ'])}. {year}. Т. {year - 2002}"
            work = Work(title, subtitle, (), ("Научные труды",), "press")
            editions.append(make.one(work, press, year))
    return editions


LIBRARIES = (
    Library(
        slug="tver",
        name_ru="Тверская областная универсальная научная библиотека им. А. М. Горького",
        name_en="A. M. Gorky Tver Regional Scientific Library",
        repository_id="tverlib.ru",
        record_format="marc21",
        holder="RU-TVE-RC",
        sets=(("books", "Книги"), ("local-history", "Краеведение")),
        seed=1801,
        share={"classics": 0.8, "reference": 0.9, "textbook": 0.45, "local": 1.0},
        region={
            "place": "Тверская область",
            "gen": "Тверского края",
            "adj": "Тверской",
            "city": "Тверь",
            "city_gen": "Твери",
            "soviet_city": "Калинин",
            "soviet_publisher": "Московский рабочий, Калининское отделение",
            "publisher": "Тверское областное книжно-журнальное издательство",
            "isbn_prefix": "5-85457",
            "almanac": "Тверская старина",
            "towns": "Торжок, Старица, Кашин, Осташков, Ржев, Вышний Волочёк, Бежецк, Калязин",
        },
    ),
    Library(
        slug="penza",
        name_ru="Пензенская областная библиотека им. М. Ю. Лермонтова",
        name_en="Penza M. Yu. Lermontov Regional Library",
        repository_id="liblermont.ru",
        record_format="rusmarc",
        holder="RU-PNZ-RC",
        sets=(
            ("books", "Книги"),
            ("local-history", "Краеведение"),
            ("lermontoviana", "Лермонтовиана"),
        ),
        seed=1892,
        share={"classics": 0.7, "reference": 0.8, "textbook": 0.35, "local": 1.0},
        region={
            "place": "Пензенская область",
            "gen": "Пензенского края",
            "adj": "Пензенский",
            "city": "Пенза",
            "city_gen": "Пензы",
            "soviet_city": "Саратов",
            "soviet_publisher": "Приволжское книжное издательство, Пензенское отделение",
            "publisher": "Пензенская правда",
            "isbn_prefix": "5-94321",
            "almanac": "Сура",
            "towns": "Кузнецк, Нижний Ломов, Сердобск, Каменка, Тарханы",
        },
    ),
    Library(
        slug="tyumen",
        name_ru="Тюменская областная научная библиотека им. Д. И. Менделеева",
        name_en="D. I. Mendeleev Tyumen Regional Scientific Library",
        repository_id="tonb.ru",
        record_format="oai_dc",
        holder="RU-TYU-RC",
        yo_as_e=True,
        sets=(("books", "Книги"), ("local-history", "Краеведение")),
        seed=1586,
        share={"classics": 0.6, "reference": 0.7, "textbook": 0.3, "local": 1.0},
        region={
            "place": "Тюменская область",
            "gen": "Тюменского края",
            "adj": "Тюменский",
            "city": "Тюмень",
            "city_gen": "Тюмени",
            "soviet_city": "Свердловск",
            "soviet_publisher": "Средне-Уральское книжное издательство",
            "publisher": "Мандр и Ка",
            "isbn_prefix": "5-93020",
            "almanac": "Лукич",
            "towns": "Тобольск, Ишим, Ялуторовск, Заводоуковск",
        },
    ),
    Library(
        slug="irkutsk-university",
        name_ru="Научная библиотека Иркутского государственного университета",
        name_en="Research Library of Irkutsk State University",
        repository_id="library.isu.ru",
        record_format="oai_dc",
        holder="university:RU-IRK",
        sets=(
            ("textbooks", "Учебная литература"),
            ("books", "Художественная и справочная литература"),
            ("university-press", "Издания университета"),
        ),
        seed=1918,
        share={"classics": 0.35, "reference": 0.8, "textbook": 0.95},
        region={
            "city": "Иркутск",
            "press": "Издательство Иркутского государственного университета",
            "isbn_prefix": "5-9624",
            "univ": "Иркутского государственного университета",
        },
    ),
)


def _sets(library: Library, edition: Edition) -> tuple[str, ...]:
    specs = {spec for spec, _name in library.sets}
    kind = edition.work.kind
    chosen = {
        "local": "local-history",
        "press": "university-press",
        "textbook": "textbooks" if "textbooks" in specs else "books",
    }.get(kind, "books")
    about_lermontov = "Лермонтов" in edition.work.title or any(
        a.family == "Лермонтов" for a in edition.work.authors
    )
    if "lermontoviana" in specs and about_lermontov:
        return (chosen, "lermontoviana")
    return (chosen,)


def build_catalog(library: Library) -> Catalog:
    make = _Editions(library.seed)
    rng = make.rng
    editions = [e for e in common_pool() if rng.random() < library.share.get(e.work.kind, 0)]
    if "towns" in library.region:
        editions += _local_works(make, library)
    if "press" in library.region:
        editions += _press_works(make, library)
    numbers = rng.sample(range(100_000, 999_999), len(editions))
    start = EPOCH - datetime.timedelta(days=SPAN_DAYS)
    records = []
    for edition, number in zip(editions, numbers, strict=True):
        # Catalogued some time after it was published, within the six years before the epoch.
        published = datetime.datetime(edition.year, 1, 1, tzinfo=datetime.UTC)
        first_day = min(max(0, (published - start).days), SPAN_DAYS - 1)
        day = rng.randint(first_day, SPAN_DAYS - 1)
        stamp = start + datetime.timedelta(days=day, seconds=rng.randint(0, 86_399))
        local_id = str(number)
        records.append(
            Record(
                identifier=f"oai:{library.repository_id}:{local_id}",
                local_id=local_id,
                edition=edition,
                datestamp=stamp,
                sets=_sets(library, edition),
                deleted=rng.random() < DELETED_SHARE,
            )
        )
    records.sort(key=lambda r: (r.datestamp, r.identifier))
    return Catalog(library, records)


@functools.cache
def catalogs() -> dict[str, Catalog]:
    """Every synthetic library's catalog by its slug (built once per process)."""
    return {library.slug: build_catalog(library) for library in LIBRARIES}
