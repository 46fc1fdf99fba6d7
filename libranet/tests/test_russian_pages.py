"""A page rendered in Russian shows no string of the English source, and no raw language code.

Each main page type is rendered in Russian with the test client; its visible text (text nodes
outside scripts and styles, and the title, alt, aria-label and placeholder attributes) is read
and compared with the catalog's messages whose Russian differs from the English: a message of
two words or more may not appear anywhere in it, a one-word message not as a whole text node.
Strings that never reached the catalog are caught too: a piece of a text node (between
separators such as "·") made of English-looking words alone, as «Readable here» or a raw type
«photo», is flagged; codes (capitals, digits, colons) and names the same in both languages are
not. Text marked as another language (``lang="en"``, the data fallback of ``l10n_data``) is
data, not interface, and is skipped.
"""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import pycountry
import pytest
from babel.messages.pofile import read_po
from django_otp.plugins.otp_totp.models import TOTPDevice

from libranet.network.models import Center, StaffRole
from libranet.public.tests.resources_data import (
    make_resource,
    media,  # noqa: F401 (a fixture)
)
from libranet.resources.models import Collection, Resource
from libranet.usage.models import DailyCenterUsage, Metric

CATALOG = Path(__file__).resolve().parents[2] / "locale" / "ru" / "LC_MESSAGES" / "django.po"
ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
SKIPPED = {"script", "style", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
# Placeholders split a message into the literal pieces a page shows.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{[^{}]*\}")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# Between these a text node holds separate pieces (a type · a date · a place).
SEPARATORS = re.compile(r"\s*[·|,;()—–«»“”\"]\s*")
LATIN_WORDS = re.compile(r"[A-Za-z][a-z'’-]*(?: [A-Za-z][a-z'’-]*)*")
# Names written in Latin letters on Russian pages too.
NAMES = {"Libranet", "OpenStreetMap", "Leaflet", "OpenSeadragon", "Mirador", "GeoNames"}
LANGUAGE_CODES = {
    code for lang in pycountry.languages for code in (getattr(lang, "alpha_2", None),) if code
}

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


class VisibleText(HTMLParser):
    """Text nodes and labelling attributes, outside scripts, styles and foreign-language spans."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden from this check)

    @property
    def hidden(self) -> bool:
        return any(hidden for _tag, hidden in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang") or ""
        hidden = tag in SKIPPED or bool(lang and not lang.startswith("ru"))
        if not (self.hidden or hidden):
            self.nodes += [attrs[a].strip() for a in ATTRIBUTES if attrs.get(a)]
        if tag not in VOID:
            self.stack.append((tag, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.hidden:
            self.nodes.append(text)


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.nodes


@pytest.fixture(scope="module")
def english_messages() -> tuple[set[str], set[str], set[str]]:
    """(phrases of two words or more, single words, the same in both): the English source of
    every message whose Russian is not the same text, and the names that are."""
    with CATALOG.open("rb") as f:
        catalog = read_po(f, locale="ru")
    phrases, words, same = set(), set(), set(NAMES)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if message.pluralizable else (message.id,)
        forms = message.string if message.pluralizable else (message.string,)
        for msgid in ids:
            if msgid in forms:
                same.add(msgid)  # a name or a symbol, the same in both languages
                continue
            for piece in PLACEHOLDER.split(msgid):
                piece = " ".join(re.sub(r"<[^>]+>", " ", piece).split()).strip(" .,:;()·—")
                count = len(WORD.findall(piece))
                if count >= 2:
                    phrases.add(piece)
                elif count == 1 and WORD.fullmatch(piece):
                    words.add(piece)
    return phrases, words - same, same


def untranslated_pieces(node: str, same: set[str]) -> list[str]:
    """Pieces of ``node`` in English-looking words only (not capitals alone, not names)."""
    found = []
    for piece in SEPARATORS.split(node):
        piece = piece.strip(" .:!?")
        if (
            LATIN_WORDS.fullmatch(piece)
            and piece not in same
            and any(len(word) > 2 for word in piece.split())
        ):
            found.append(piece)
    return found


def english_on(html: str, messages: tuple[set[str], set[str], set[str]]) -> list[str]:
    phrases, words, same = messages
    nodes = visible_text(html)
    text = " \n ".join(nodes)
    found = [
        phrase
        for phrase in phrases
        if re.search(rf"(?<![A-Za-z]){re.escape(phrase)}(?![A-Za-z])", text)
    ]
    found += [node for node in nodes if node in words]
    found += [f"language code {node!r}" for node in nodes if node in LANGUAGE_CODES]
    found += [piece for node in nodes for piece in untranslated_pieces(node, same)]
    return sorted(set(found))


@pytest.fixture
def site(make_center, tver_rc, institution):
    """A little of everything the pages show: centers of each kind, a record, a month of use."""
    Center.objects.filter(pk=tver_rc.pk).update(
        address="170100, г. Тверь, ул. Свободный пер., 28",
        address_en="28 Svobodny Lane, Tver, 170100",
        hours="Вт–Сб 10:00–19:00",
        hours_en="",
        phone="+7 (4822) 34-56-78",
        contact_person="Иванова Мария Петровна",
    )
    make_center(code="RU-TVE-0001", name_ru="Центр удалённого доступа в Удомле")
    make_center(code="MN-01", kind=Center.Kind.FOREIGN)
    collection = Collection.objects.create(code="power", name_ru="Власть", name_en="Power")
    record = make_resource(
        "pl:photo/1",
        title_ru="Открытие моста через Волгу",
        title_en="Opening of the bridge over the Volga",
        type=Resource.Type.PHOTOGRAPH,
        date_text="1900",
        year_from=1900,
        year_to=1900,
        language="ru",
        description_ru="Фотография открытия моста.",
        description_en="A photograph of the bridge's opening.",
    )
    record.collections.add(collection)
    DailyCenterUsage.objects.create(
        center=tver_rc, day=datetime.date(2026, 11, 3), metric=Metric.SESSIONS, value=12
    )
    return {"center": tver_rc, "record": record}


PUBLIC_PAGES = [
    "/ru/",
    "/ru/centers/",
    "/ru/centers/RU-TVE-RC/",
    "/ru/centers/map/",
    "/ru/resources/",
    "/ru/resources/?q=мост",
    "/ru/resources/pl:photo/1/",
    "/ru/accounts/login/",
]
STAFF_PAGES = [
    "/ru/office/",
    "/ru/office/centers/",
    "/ru/office/centers/RU-TVE-RC/edit/",
    "/ru/office/institutions/",
    "/ru/office/audit/",
    "/ru/stats/?month=2026-11",
    "/ru/stats/zero-usage/?month=2026-11",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES + STAFF_PAGES)
def test_russian_page_has_no_english_source_strings(
    client, site, make_staff, english_messages, time_machine, path
):
    time_machine.move_to(datetime.datetime(2026, 12, 6, 12, 0, tzinfo=datetime.UTC))
    if path in STAFF_PAGES:
        # A username the header shows as it is, and that no check mistakes for English.
        staff = make_staff("net.staff", StaffRole.Role.NETWORK_DEPARTMENT)
        TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
        client.force_login(staff)
    response = client.get(path)
    assert response.status_code == 200, path
    found = english_on(response.content.decode(), english_messages)
    assert not found, f"{path} shows English: {found}"


def test_the_check_finds_english_and_skips_marked_data(english_messages):
    html = (
        "<html><head><title>Центры</title><script>var a = 'Opening hours';</script></head>"
        '<body><p>Режим работы</p><p aria-label="Opening hours">x</p>'
        '<span lang="en">Opening hours</span><p>Center</p><p>cu</p>'
        "<p>photo · 1900 · RU-TVE-RC · pl:photo/1 · Libranet</p><p>Readable here</p></body></html>"
    )
    assert english_on(html, english_messages) == [
        "Center",
        "Opening hours",
        "Readable here",
        "language code 'cu'",
        "photo",
    ]
