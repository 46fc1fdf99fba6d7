"""Caching of registry reads, keyed by the registry's version so that no change goes unseen."""

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import F

from .models import RegistryState

_VERSION_SQL = f"SELECT version FROM {RegistryState._meta.db_table} WHERE id = 1"  # noqa: S608

TIMEOUT = 600
_PROBE_KEY = "libranet:cache-probe"


def registry_version() -> int:
    """The registry's version: read on every cached page, so plain SQL rather than a queryset
    (compiling the query cost more than running it)."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        row = cursor.fetchone()
    return row[0] if row else 0


def registry_changed() -> None:
    """Bump the version; services call this inside their transaction."""
    updated = RegistryState.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        RegistryState.objects.create(pk=1, version=1)


def cached(namespace: str, parts: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """``build()`` once per registry version and ``parts`` (language, filters, page...)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"libranet:{namespace}:{registry_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value


def cache_state() -> str:
    """Whether the cache answers: "ok" when it stores and returns a value, else "unavailable"
    (a Redis that is down answers every command with nothing: see CACHES in the settings).
    Pages are served either way, from the database when it does not answer."""
    try:
        cache.set(_PROBE_KEY, "ok", 10)
        answered = cache.get(_PROBE_KEY)
    except Exception:  # whatever the server answers, the cache is not usable
        return "unavailable"
    return "ok" if answered == "ok" else "unavailable"
