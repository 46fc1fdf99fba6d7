"""Checks that ask the shared servers (the object store, the cache) whether they answer run in
``manage.py check`` only, the start-up check of every server (README "Several servers"). Every
other command runs the system checks too: a store or cache down for a moment must not stop a
loader run from cron or a migration, nor cost each command a network round trip."""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_probing: ContextVar[bool] = ContextVar("probing", default=False)


@contextmanager
def probing() -> Iterator[None]:
    """Within this block the server probes run (``manage.py check`` wraps its checks in it)."""
    token = _probing.set(True)
    try:
        yield
    finally:
        _probing.reset(token)


def probing_now() -> bool:
    return _probing.get()


def server_probe(check: Callable[..., list]) -> Callable[..., list]:
    """A system check that asks a server: it answers nothing outside ``probing()``."""

    @functools.wraps(check)
    def probe(*args: Any, **kwargs: Any) -> list:
        return check(*args, **kwargs) if _probing.get() else []

    return probe
