"""Caching of registry reads, keyed by the registry's version so that no change goes unseen."""

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import F

from .models import RegistryState

TIMEOUT = 600


def registry_version() -> int:
    state = RegistryState.objects.filter(pk=1).values_list("version", flat=True).first()
    return state or 0


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
