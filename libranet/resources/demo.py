"""Demo collections: a collection tree and a few hundred resources of every type and access
level, some on the subjects of the seed documents, with small files generated here.

Deterministic for a given seed: the same ``seed`` and ``scale`` give the same identifiers,
titles and files (the drawn text's font is whatever the machine has, so page images may differ
between machines, never their number or order). Every collection, resource and file goes
through the collections' services, so the demo obeys the rules staff do.

Files are generated, never downloaded: a one-page PDF written by hand (Helvetica, so its text is
Latin: the English title or a transliteration), page images and thumbnails drawn with Pillow, a
short WAV tone with the standard library. Video resources have a thumbnail but no file (a valid
video needs an encoder this project does not carry). ``scale`` N repeats the synthetic
resources N times; copies after the first are metadata only (the search benchmark's corpus of a
million records is built by its own generator, not here).
"""

import io
import math
import random
import struct
import wave
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from libranet.network.reference_data import read_csv

from .models import AccessLevel, Collection, Resource, ResourceFile
from .services import (
    collect_stored_files,
    collection_create,
    resource_create,
    resource_file_add,
    resource_thumbnail_set,
)

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
        pages=2,
    ),
    _Item(
        "Тарханы: усадьба Лермонтова",
        Type.PHOTOGRAPH,
        AccessLevel.READERS,
        ["culture", "regions"],
        "Tarkhany, Lermontov's estate",
        [],
        "1930s",
        ["Тарханы", "Лермонтов Михаил Юрьевич", "Пензенская область", "музеи-заповедники"],
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
    ),
    _Item(
        "Улан-Батор: фотографии",
        Type.PHOTOGRAPH,
        AccessLevel.READERS,
        ["abroad"],
        "Ulan Bator: photographs",
        [],
        "1930s",
        ["Монголия", "Улан-Батор", "Российский центр науки и культуры"],
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
    ),
]

TOPICS = [
    ("Государственная Дума", "The State Duma", "power"),
    ("Конституция Российской Федерации", "The Constitution of Russia", "power"),
    ("Государственный герб", "The coat of arms", "state-symbols"),
    ("Государственный флаг", "The national flag", "state-symbols"),
    ("Выборы в Учредительное собрание", "The Constituent Assembly elections", "elections"),
    ("Выборы Президента", "Presidential elections", "elections"),
    ("Инаугурация Президента", "The presidential inauguration", "presidents"),
    ("Указы Президента", "Decrees of the President", "presidents"),
    ("Русская поэзия", "Russian poetry", "culture"),
    ("Русский театр", "Russian theatre", "culture"),
    ("Народные промыслы", "Folk crafts", "traditions"),
    ("Праздники и обряды", "Feasts and rites", "traditions"),
    ("Освоение Сибири", "Settling Siberia", "regions"),
    ("Великий Сибирский путь", "The Trans-Siberian Railway", "regions"),
    ("Земские учреждения", "The zemstvo", "power"),
    ("Российская дипломатия", "Russian diplomacy", "abroad"),
    ("Русское зарубежье", "Russians abroad", "abroad"),
    ("Генеральное межевание", "The General Land Survey", "maps"),
]
TEMPLATES = {
    Type.BOOK: ("{topic}: очерки истории", "{topic_en}: essays in history"),
    Type.PERIODICAL: ("{region}: губернские ведомости", "{region_en}: the governorate gazette"),
    Type.MANUSCRIPT: ("{topic}: рукопись", "{topic_en}: a manuscript"),
    Type.ARCHIVAL: ("{topic}: документы ({region})", "{topic_en}: documents ({region_en})"),
    Type.PHOTOGRAPH: ("{region}: фотографии", "{region_en}: photographs"),
    Type.MAP: ("{region}: карта", "{region_en}: a map"),
    Type.SOUND: ("{topic}: звукозапись", "{topic_en}: a recording"),
    Type.VIDEO: ("{topic}: видеофильм", "{topic_en}: a film"),
    Type.OTHER: ("{topic}: материалы", "{topic_en}: materials"),
}
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
LANGUAGE_MIX = ["ru"] * 12 + ["en", "de", "fr", "cu"]
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


def _date(rng: random.Random) -> str:
    year = rng.randint(1700, 2019)
    shape = rng.random()
    if shape < 0.5:
        return str(year)
    if shape < 0.7:
        return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if shape < 0.8:
        return f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{year}"
    if shape < 0.9:
        return f"{year}–{min(year + rng.randint(1, 25), 2020)}"
    return f"{year // 10 * 10}s"


def _synthetic(rng: random.Random, regions: list[dict[str, str]]) -> list[_Item]:
    items = []
    for _n in range(SYNTHETIC_PER_COPY):
        kind = rng.choice(TYPE_MIX)
        topic_ru, topic_en, collection = rng.choice(TOPICS)
        region = rng.choice(regions)
        title_ru, title_en = TEMPLATES[kind]
        words = {
            "topic": topic_ru,
            "topic_en": topic_en,
            "region": region["name_ru"],
            "region_en": region["name_en"],
        }
        collections = [collection]
        if "{region" in title_ru:
            collections.append("maps" if kind == Type.MAP else "regions")
        english = rng.random() < 0.5
        creators = [
            f"{rng.choice(SURNAMES)} {rng.choice(INITIALS)}. {rng.choice(INITIALS)}."
            for _c in range(rng.choice([0, 1, 1, 2]))
        ]
        language = "cu" if kind == Type.MANUSCRIPT else rng.choice(LANGUAGE_MIX)
        items.append(
            _Item(
                title_ru=title_ru.format(**words),
                type=kind,
                access_level=rng.choice(LEVEL_MIX),
                collections=sorted(set(collections)),
                title_en=title_en.format(**words) if english else "",
                creators=creators,
                date_text=_date(rng),
                subjects=[topic_ru, region["name_ru"], region["capital_ru"]],
                language=language,
                description_ru=f"{topic_ru}. {region['name_ru']}, г. {region['capital_ru']}.",
                description_en=f"{topic_en}. {region['name_en']}." if english else "",
                pages=rng.randint(1, 3)
                if kind in (Type.PHOTOGRAPH, Type.MAP, Type.MANUSCRIPT)
                else 0,
            )
        )
    return items


# --- generated files -----------------------------------------------------------------------------

_LATIN = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch  y  e yu ya".split(" "),
        strict=True,
    )
)


def transliterate(text: str) -> str:
    """Russian in Latin letters (for the PDF's Helvetica and fonts without Cyrillic)."""
    out = []
    for char in text:
        latin = _LATIN.get(char.lower())
        if latin is None:
            out.append(char if char.isascii() else "-" if char in "–—" else "")
        else:
            out.append(latin.capitalize() if char.isupper() else latin)
    return "".join(out)


def minimal_pdf(lines: Iterable[str]) -> bytes:
    """A valid one-page PDF (A4, Helvetica) showing ``lines``, written by hand: a few hundred
    bytes with a correct cross-reference table."""

    def literal(text: str) -> str:
        ascii_text = transliterate(text).encode("ascii", "replace").decode()
        return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 16 Tf", "72 770 Td", "20 TL"]
    ops += [f"({literal(line)[:90]}) '" for line in lines]
    ops.append("ET")
    stream = "\n".join(ops).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def tone_wav(*, seconds: float = 0.5, frequency: float = 440.0, rate: int = 8000) -> bytes:
    """A short sine tone as an 8-bit mono WAV (some 4 kB)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(1)
        sound.setframerate(rate)
        frames = int(seconds * rate)
        sound.writeframes(
            struct.pack(
                f"{frames}B",
                *(
                    int(128 + 90 * math.sin(2 * math.pi * frequency * i / rate))
                    for i in range(frames)
                ),
            )
        )
    return buffer.getvalue()


_FONT_FILES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
]


@cache
def _font(size: int) -> tuple[Any, bool]:
    """A font and whether it draws Cyrillic (else the text is transliterated)."""
    for path in _FONT_FILES:
        if Path(path).is_file():
            return ImageFont.truetype(path, size), True
    return ImageFont.load_default(size=size), False


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line][:6]


def _card(title: str, caption: str, color: tuple[int, int, int], size: tuple[int, int]) -> bytes:
    """A page or cover: the title drawn on a coloured ground, as a three-colour PNG (about
    1.5 kB; drawn in palette mode, which is ten times faster than quantizing a colour image)."""
    image = Image.new("P", size, 0)
    image.putpalette([*color, 250, 245, 230, 235, 225, 200])
    draw = ImageDraw.Draw(image)
    font, cyrillic = _font(max(size[0] // 18, 10))
    small, _c = _font(max(size[0] // 28, 8))
    text = title if cyrillic else transliterate(title)
    margin = size[0] // 12
    frame = [margin // 2, margin // 2, size[0] - margin // 2, size[1] - margin // 2]
    draw.rectangle(frame, outline=2, width=2)
    y = margin
    for line in _wrap(text, 22):
        draw.text((margin, y), line, fill=1, font=font)
        y += int(size[0] / 14)
    draw.text((margin, size[1] - 2 * margin), caption, fill=2, font=small)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _add_files(resource: Resource, item: _Item, pdf_lines: list[str]) -> int:
    stored = 0
    color = COLORS[item.type]
    if item.type in (Type.BOOK, Type.PERIODICAL, Type.ARCHIVAL, Type.OTHER, Type.MANUSCRIPT):
        resource_file_add(
            actor=None,
            resource=resource,
            kind=Kind.PDF,
            name=f"{resource.identifier}.pdf",
            content=minimal_pdf(pdf_lines),
        )
        stored += 1
    first_page = None
    for page in range(1, item.pages + 1):
        content = _card(item.title_ru, f"{resource.identifier} · {page}", color, (420, 560))
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
    cover = first_page or _card(item.title_ru, resource.identifier, color, (240, 320))
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
                            lines = [
                                item.title_en or item.title_ru,
                                resource.identifier,
                                item.date_text,
                                "Libranet demo: the Presidential Library's collections",
                            ]
                            files += _add_files(resource, item, lines)
        except BaseException:
            for name in written:
                default_storage.delete(name)
            raise
    return ResourceDemoResult(collections=len(COLLECTIONS), resources=number, files=files)
