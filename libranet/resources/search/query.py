"""The forgiving query syntax, parsed by us into clauses that each backend turns into its own
query objects (never a raw string handed to an engine's parser, so no input can raise).

- words: every word must match somewhere (title, creators, subjects, description, file text);
- ``"a phrase"``: the words next to each other;
- ``author:``/``title:``/``subject:`` (and ``автор:``, ``заглавие:``, ``тема:``) before a word or
  a phrase: only in that field;
- ``year:1812`` or ``year:1800-1850`` (``год:``): resources whose date touches that year or span;
- anything else (``AND OR NOT + - ( ) * ~ ^ :``, an unbalanced quote, an unknown prefix) is
  taken as plain words, or dropped when it is punctuation. Stop words («и», "the") are
  optional unless the query has nothing else.

Over-long queries are cut, with a note that says so.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _

MAX_QUERY_CHARS = 1000
MAX_CLAUSES = 20
MAX_PHRASE_WORDS = 12
MAX_WORD_CHARS = 40  # longer "words" are noise (and the analyzers drop them)

# Field prefixes a reader may type, in either language; value: the clause's field.
PREFIXES = {
    "author": "author",
    "creator": "author",
    "автор": "author",
    "title": "title",
    "заглавие": "title",
    "название": "title",
    "subject": "subject",
    "тема": "subject",
    "year": "year",
    "год": "year",
}
FIELDS = ("any", "author", "title", "subject")

_WORD = re.compile(r"[^\W_]+")
_YEAR = re.compile(r"^(-?\d{1,4})(?:\s*(?:-|–|—|\.\.)\s*(-?\d{1,4}))?$")
_PREFIX = re.compile(r"^([^\W\d_]+):(.*)$", re.DOTALL)
# Looks like an identifier (has a digit and no spaces): also matched exactly against identifiers.
_IDENTIFIER = re.compile(r"^(?=.*\d)[\w.:/\-]{2,200}$")

# Common Russian and English stop words: optional in a query with other words. (The
# index keeps them, so a phrase such as "война и мир" still needs its «и».)
STOP_WORDS = frozenset(
    """
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только
    ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть
    был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо
    ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот
    того потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда
    зачем всех никогда можно при наконец два об другой хоть после над больше тот через эти нас
    про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть
    том нельзя такой им более всегда конечно всю между
    a an and are as at be but by for if in into is it no not of on or such that the their then
    there these they this to was will with from
    """.split()
)


@dataclass(frozen=True)
class Clause:
    """One thing the query asks for: a word or a phrase (``words`` longer than one), in one
    field or in any; ``optional`` ones (stop words) only add to the score."""

    words: tuple[str, ...]
    field: str = "any"
    optional: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    clauses: tuple[Clause, ...] = ()
    years: tuple[tuple[int, int], ...] = ()  # each an inclusive span the date must touch
    identifier: str = ""  # the whole query, when it looks like an identifier
    notes: tuple[str, ...] = field(default=())  # what was cut or ignored, for the person

    @property
    def is_empty(self) -> bool:
        """Nothing to match: the search lists everything (within the filters)."""
        return not self.clauses and not self.years


def words_of(text: str) -> list[str]:
    """The words of ``text`` as the engines' simple tokenizers see them: runs of letters and
    digits, lower-cased."""
    return [w.lower() for w in _WORD.findall(text) if len(w) <= MAX_WORD_CHARS]


def parse(text: str) -> ParsedQuery:
    """Parse a reader's query; never raises, whatever the input."""
    text = text or ""
    notes: list[str] = []
    if len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS]
        if not text[MAX_QUERY_CHARS].isspace():  # no half word at the end
            cut = re.sub(r"\S+$", "", cut) or cut
        text = cut
        notes.append(
            _("The query was too long: only its first {count} characters were used.").format(
                count=MAX_QUERY_CHARS
            )
        )
    text = text.replace("\x00", " ")
    clauses: list[Clause] = []
    years: list[tuple[int, int]] = []
    bad_years: list[str] = []

    for field_name, value, quoted in _segments(text):
        if field_name == "year":
            span = _year_span(value)
            if span is None:
                bad_years.append(value)
            else:
                years.append(span)
            continue
        words = words_of(value)
        if not words:
            continue
        if quoted:
            for start in range(0, len(words), MAX_PHRASE_WORDS):
                clauses.append(Clause(tuple(words[start : start + MAX_PHRASE_WORDS]), field_name))
        else:
            clauses.extend(Clause((word,), field_name) for word in words)

    if bad_years:
        notes.append(
            _(
                "“year:” takes a year such as 1812 or a span such as 1800-1850; "
                "“{value}” was ignored."
            ).format(value=bad_years[0][:40])
        )

    unique = list(dict.fromkeys(clauses))
    if len(unique) > MAX_CLAUSES:
        unique = unique[:MAX_CLAUSES]
        notes.append(
            _("Only the first {count} words and phrases of the query were used.").format(
                count=MAX_CLAUSES
            )
        )
    # Stop words are optional, unless nothing else is asked for ("the", «и»).
    if any(not _is_stop(c) for c in unique):
        unique = [Clause(c.words, c.field, optional=_is_stop(c)) for c in unique]

    stripped = text.strip()
    identifier = stripped if _IDENTIFIER.match(stripped) else ""
    return ParsedQuery(
        text=text,
        clauses=tuple(unique),
        years=tuple(dict.fromkeys(years))[:MAX_CLAUSES],
        identifier=identifier,
        notes=tuple(notes),
    )


def _is_stop(clause: Clause) -> bool:
    return not clause.is_phrase and clause.field == "any" and clause.words[0] in STOP_WORDS


def _segments(text: str):
    """Yield ``(field, value, quoted)`` for each word group of ``text``: quoted phrases,
    prefixed words or phrases, and plain runs of text. An unbalanced quote is ignored."""
    position = 0
    length = len(text)
    while position < length:
        char = text[position]
        if char.isspace():
            position += 1
            continue
        if char == '"':
            end = text.find('"', position + 1)
            if end == -1:  # unbalanced: the rest is plain words
                yield "any", text[position + 1 :], False
                return
            yield "any", text[position + 1 : end], True
            position = end + 1
            continue
        end = position
        while end < length and not text[end].isspace() and text[end] != '"':
            end += 1
        token = text[position:end]
        position = end
        match = _PREFIX.match(token)
        prefix = PREFIXES.get(match.group(1).lower()) if match else None
        if match is None or prefix is None:
            yield "any", token, False
            continue
        value = match.group(2)
        if not value and position < length and text[position] == '"':
            close = text.find('"', position + 1)
            if close == -1:  # unbalanced: the rest is plain words in that field
                yield prefix, text[position + 1 :], False
                return
            yield prefix, text[position + 1 : close], True
            position = close + 1
            continue
        if value:
            yield prefix, value, False
        # A prefix with nothing after it asks for nothing.


@lru_cache(maxsize=256)
def _year_span(value: str) -> tuple[int, int] | None:
    match = _YEAR.match(value.strip())
    if not match:
        return None
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) is not None else first
    return (min(first, last), max(first, last))
