"""The forgiving query syntax: what a reader types becomes clauses, and nothing raises."""

import pytest

from libranet.resources.search.query import MAX_CLAUSES, MAX_QUERY_CHARS, Clause, parse


def test_plain_words_are_lowercased_words_each_required():
    parsed = parse("Библиотека  Тверской области")
    assert parsed.clauses == (
        Clause(("библиотека",)),
        Clause(("тверской",)),
        Clause(("области",)),
    )
    assert not parsed.notes


def test_phrase_in_quotes():
    parsed = parse('"Война и мир" Толстой')
    assert parsed.clauses == (Clause(("война", "и", "мир")), Clause(("толстой",)))


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("author:Пушкин", "author", ("пушкин",)),
        ("Автор:пушкин", "author", ("пушкин",)),
        ("title:library", "title", ("library",)),
        ('title:"капитанская дочка"', "title", ("капитанская", "дочка")),
        ("subject:history", "subject", ("history",)),
        ("тема:история", "subject", ("история",)),
    ],
)
def test_field_prefixes(text, field, words):
    assert parse(text).clauses == (Clause(words, field),)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("year:1812", ((1812, 1812),)),
        ("год:1800-1850", ((1800, 1850),)),
        ("year:1850–1800", ((1800, 1850),)),
        ('year:"1700 - 1725"', ((1700, 1725),)),
    ],
)
def test_year_spans(text, years):
    parsed = parse(text)
    assert parsed.years == years
    assert not parsed.clauses


def test_a_bad_year_is_ignored_with_a_note():
    parsed = parse("year:twelve война")
    assert parsed.years == ()
    assert parsed.clauses == (Clause(("война",)),)
    assert "year:" in parsed.notes[0]


def test_unbalanced_quote_after_a_prefix_keeps_the_field():
    assert parse('title:"война и').clauses == (Clause(("война",), "title"), Clause(("и",), "title"))


def test_unknown_prefix_is_plain_words():
    assert parse("foo:bar").clauses == (Clause(("foo",)), Clause(("bar",)))


def test_stop_words_are_optional_unless_alone():
    parsed = parse("война и мир")
    assert [c.optional for c in parsed.clauses] == [False, True, False]
    assert [c.optional for c in parse("the").clauses] == [False]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('"unbalanced quote', ["unbalanced", "quote"]),
        ('title:"never closed', ["never", "closed"]),
        ("AND OR NOT", ["and", "or", "not"]),
        ("+война -мир (a OR b)* ~2 ^3 :: ! || &&", ["война", "мир", "a", "or", "b", "2", "3"]),
        ("a:b:c", ["a", "b", "c"]),
        ("author:", []),
        ('""', []),
        ("\x00\x01\u202e", []),
    ],
)
def test_hostile_input_becomes_words(text, words):
    parsed = parse(text)
    assert [w for c in parsed.clauses for w in c.words] == words


def test_a_10_kb_query_is_cut_with_notes():
    parsed = parse("слово " * 2000)
    assert len(parsed.text) <= MAX_QUERY_CHARS
    assert parsed.clauses == (Clause(("слово",)),)  # repeated clauses count once
    parsed = parse(" ".join(f"w{i}" for i in range(3000)))
    assert len(parsed.clauses) == MAX_CLAUSES
    assert len(parsed.notes) == 2


def test_identifier_like_query_is_also_an_identifier():
    assert parse(" RU-PL-0042 ").identifier == "RU-PL-0042"
    assert parse("библиотека").identifier == ""
    assert parse("two words 1").identifier == ""


def test_empty_query():
    assert parse("").is_empty
    assert parse("   ").is_empty
    assert not parse("year:1900").is_empty
