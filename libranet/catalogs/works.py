"""The same work held by several libraries is one search result: records are grouped by a
``work_key``. A record with an ISBN is keyed by the smallest of its ISBN-13s (an ISBN-10 is
converted); one without, by its normalised title, first creator's family name and year. The
normalisation folds case, ``ё`` into ``е``, punctuation and spacing, and cuts the title at its
subtitle (" : ") or statement of responsibility (" / "), which catalogs write differently.

A record also keeps its title key (title, family name and year) when it has an ISBN: a record
without ISBN joins the ISBN work with its title key (the smallest ISBN when several editions
share it), so that a catalog that leaves the ISBN out still lists its copy under the work
(``libranet.catalogs.harvesting`` re-keys them as records arrive)."""

import hashlib
import re
from collections.abc import Iterable

from stdnum import isbn as stdnum_isbn

_CUT = re.compile(r"\s+[:/;=]\s+|\s*\[.*?\]\s*")
_NOT_WORD = re.compile(r"[^\w]+")
_YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")


def isbn13(value: str) -> str:
    """An ISBN as 13 digits without hyphens, or "" if ``value`` is not a valid ISBN (a catalog
    often adds a price or a binding after it: "5-699-12345-6 (в пер.)")."""
    candidate = re.split(r"[\s(]", (value or "").strip(), maxsplit=1)[0]
    if not stdnum_isbn.is_valid(candidate):
        return ""
    return stdnum_isbn.to_isbn13(stdnum_isbn.compact(candidate))


def isbns(values: Iterable[str]) -> list[str]:
    """The valid ISBNs of ``values`` as ISBN-13, each once, in their order."""
    return list(dict.fromkeys(n for n in (isbn13(v) for v in values) if n))


def year_of(date_text: str) -> int | None:
    found = _YEAR.search(date_text or "")
    return int(found[1]) if found else None


def normal_title(title: str) -> str:
    title = (title or "").casefold().replace("ё", "е")
    title = _CUT.split(title, maxsplit=1)[0]
    return " ".join(_NOT_WORD.sub(" ", title).split())


def family_name(creator: str) -> str:
    """ "Пушкин, А. С." and "Пушкин Александр Сергеевич" both give "пушкин"."""
    creator = (creator or "").casefold().replace("ё", "е")
    first = creator.split(",", 1)[0].split()
    return _NOT_WORD.sub("", first[0]) if first else ""


def title_key(*, title: str, creators: list[str], year: int | None) -> str:
    """The key of the normalised title, first creator's family name and year ("" untitled)."""
    title = normal_title(title)
    if not title:
        return ""
    name = family_name(creators[0]) if creators else ""
    text = f"{title}|{name}|{year or ''}"
    return "work:" + hashlib.sha256(text.encode()).hexdigest()[:40]


def work_key(*, title: str, creators: list[str], year: int | None, isbns: list[str]) -> str:
    if isbns:
        return "isbn:" + min(isbns)
    return title_key(title=title, creators=creators, year=year)
