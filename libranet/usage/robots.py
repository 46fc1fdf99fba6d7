"""Robots and crawlers, by COUNTER's own list: their requests are never counted.

The list is data (``data/COUNTER_Robots_list.json``, COUNTER-Robots' JSON as published: a list
of ``{"pattern": ..., "last_changed": ...}``); ``LIBRANET_USAGE_ROBOTS_FILE`` points at an
updated copy without a new release. Its patterns are regular expressions matched anywhere in
the User-Agent, ignoring case (as COUNTER applies them: "bot" catches "Googlebot"). They are
compiled once into one alternation, and each User-Agent string is judged once per process.
"""

import json
import re
from functools import cache, lru_cache
from pathlib import Path

from django.conf import settings

SHIPPED_LIST = Path(__file__).resolve().parent / "data" / "COUNTER_Robots_list.json"


class RobotsListError(Exception):
    """The robots list cannot be read or one of its patterns is not a regular expression."""


def robots_file() -> Path:
    configured = getattr(settings, "LIBRANET_USAGE_ROBOTS_FILE", "")
    return Path(configured) if configured else SHIPPED_LIST


def load_patterns(path: Path) -> list[str]:
    """The patterns of a COUNTER robots list, each checked to compile (a bad one is named)."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RobotsListError(f"Cannot read the robots list {path}: {exc}") from exc
    if not isinstance(entries, list):
        raise RobotsListError(f"The robots list {path} is not a JSON list.")
    patterns = []
    for number, entry in enumerate(entries, start=1):
        pattern = entry.get("pattern") if isinstance(entry, dict) else None
        if not isinstance(pattern, str) or not pattern:
            raise RobotsListError(f"Entry {number} of the robots list {path} has no pattern.")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise RobotsListError(
                f"Pattern {number} of the robots list {path} ({pattern!r}) is invalid: {exc}"
            ) from exc
        patterns.append(pattern)
    return patterns


@cache
def _matcher() -> re.Pattern[str]:
    patterns = load_patterns(robots_file())
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@lru_cache(maxsize=8192)
def is_robot(user_agent: str) -> bool:
    """Whether COUNTER's list names this User-Agent (an empty one is a robot: the list says
    so with ``^.?$``)."""
    return _matcher().search(user_agent) is not None


def reload() -> None:
    """Forget the compiled list and the judged User-Agents (after the list file changed)."""
    _matcher.cache_clear()
    is_robot.cache_clear()
