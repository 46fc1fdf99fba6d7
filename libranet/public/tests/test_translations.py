"""The Russian catalog is complete: every message translated, none fuzzy, placeholders kept.

Refresh the catalog with ``make messages`` after changing strings, translate what it adds,
and this test says what is still missing or broken.
"""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parents[3] / "locale" / "ru" / "LC_MESSAGES" / "django.po"
RUSSIAN_PLURALS = 3

# ``{name}``, ``{0}``, ``{}``, ``{value!r}``, ``{count:d}``; ``{{`` and ``}}`` are literal braces.
BRACE = re.compile(r"\{\{|\}\}|\{[^{}]*\}")
# ``%(name)s``, ``%(count)d``, ``%s``, ``%5.2f``; ``%%`` is a literal percent sign.
PERCENT = re.compile(r"%%|%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")


def placeholders(text: str) -> set[str]:
    found = {m.group() for m in BRACE.finditer(text)} | {m.group() for m in PERCENT.finditer(text)}
    return found - {"{{", "}}", "%%"}


def describe(message) -> str:
    msgid = message.id[0] if message.pluralizable else message.id
    return f"{message.context}|{msgid!r}" if message.context else repr(msgid)


@pytest.fixture(scope="module")
def catalog():
    with CATALOG.open("rb") as f:
        return read_po(f, locale="ru")


def test_catalog_header_is_russian_and_not_fuzzy(catalog):
    assert str(catalog.locale) == "ru"
    assert catalog.num_plurals == RUSSIAN_PLURALS
    assert catalog.charset.lower() == "utf-8"
    assert not catalog.fuzzy, "remove the “#, fuzzy” flag from the catalog header"


def test_every_message_is_translated_with_its_placeholders(catalog):
    problems = []
    for message in catalog:
        if not message.id:
            continue  # the header
        name = describe(message)
        if message.fuzzy:
            problems.append(f"{name}: marked fuzzy")
        if message.pluralizable:
            expected = placeholders(message.id[0]) | placeholders(message.id[1])
            forms = list(message.string) if isinstance(message.string, (list, tuple)) else []
            if len(forms) != RUSSIAN_PLURALS:
                problems.append(f"{name}: {len(forms)} plural forms, Russian needs 3")
        else:
            expected = placeholders(message.id)
            forms = [message.string]
        for index, form in enumerate(forms):
            label = f"{name} [form {index}]" if message.pluralizable else name
            if not form:
                problems.append(f"{label}: not translated")
                continue
            got = placeholders(form)
            if got != expected:
                problems.append(
                    f"{label}: placeholders {sorted(got)} instead of {sorted(expected)}"
                )
    assert not problems, f"{CATALOG.name} needs work:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Center {code} is now {status}.", {"{code}", "{status}"}),
        ("{{literal}} {value!r} {count:d}", {"{value!r}", "{count:d}"}),
        ("%(counter)s centers; 100%% done, %s and %d", {"%(counter)s", "%s", "%d"}),
        ("page %(number)s of %(total)s", {"%(number)s", "%(total)s"}),
        ("No placeholders at all.", set()),
    ],
)
def test_placeholders_are_found(text, expected):
    assert placeholders(text) == expected
