"""The escaping of records and envelopes, and the reading of values as database drivers give
them."""

import datetime as dt

import pytest

from libranet.oai import records, writer
from libranet.resources import harvest

MSK = dt.timezone(dt.timedelta(hours=3))


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("plain", "plain"),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("строка\x00с\x08управляющими\x1fзнаками", "строкасуправляющимизнаками"),
        ("tab\tnewline\ncarriage\r", "tab\tnewline\ncarriage\r"),
        ("non-characters \ufffe\uffff", "non-characters "),
        ("nbsp\u00a0and soft\u00adhyphen & more", "nbsp\u00a0and soft\u00adhyphen &amp; more"),
        ("emoji 📜", "emoji 📜"),
    ],
)
def test_text_escapes_and_drops_what_xml_cannot_carry(value, escaped):
    assert writer.text(value) == escaped


def test_attributes_escape_quotes_and_line_breaks():
    assert writer.attr('a"b\nc') == "a&quot;b&#10;c"


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2024, 5, 10, 9, 30, 15, 999999),  # noqa: DTZ001 (SQLite: naive, in UTC)
        dt.datetime(2024, 5, 10, 9, 30, 15, 999999, tzinfo=dt.UTC),  # PostgreSQL
        dt.datetime(2024, 5, 10, 12, 30, 15, 999999, tzinfo=MSK),  # another session zone
    ],
)
def test_datestamps_of_driver_values(value):
    moment = records.moment(value)
    assert moment == dt.datetime(2024, 5, 10, 9, 30, 15, 999999, tzinfo=dt.UTC)
    assert harvest.datestamp(moment) == "2024-05-10T09:30:15Z"


def test_identifiers_in_uris():
    assert writer.uri_part("RU-PL-000001") == "RU-PL-000001"
    assert writer.uri_part("pl:books/1703.2") == "pl:books/1703.2"
    assert writer.uri_part("a/b c&d%") == "a/b%20c&d%25"
    assert (
        writer.oai_identifier("prlib.ru", "фонд 1") == "oai:prlib.ru:%D1%84%D0%BE%D0%BD%D0%B4%201"
    )


def test_names_of_every_shape_imports_may_give():
    assert harvest.names("creator", ["A & B", ""]) == "<dc:creator>A &amp; B</dc:creator>"
    assert harvest.names("creator", []) == ""
    assert harvest.names("creator", [{"name": "X"}, {"name_ru": "Я", "name_en": "Ya"}, 5]) == (
        '<dc:creator>X</dc:creator><dc:creator xml:lang="ru">Я</dc:creator>'
        '<dc:creator xml:lang="en">Ya</dc:creator>'
    )
    assert harvest.names("subject", "one heading, not a list") == (
        "<dc:subject>one heading, not a list</dc:subject>"
    )
