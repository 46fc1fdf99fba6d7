"""System checks of the network's configuration: the shared cache answers (``manage.py check``
only, see ``libranet.probes``)."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

from libranet.probes import server_probe

from .cache import cache_state


def _location() -> str:
    """The cache's address without its password, for the message."""
    location = settings.CACHES["default"].get("LOCATION", "")
    if isinstance(location, list | tuple):
        location = ",".join(location)
    parts = urlsplit(str(location))
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return str(location)


@register(Tags.caches)
@server_probe
def cache_answers_check(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """A shared cache that does not answer is a Warning, not an Error: pages are still served
    (from the database, slower), sign-in and its lockout live in the database, and the SUSHI
    rate limit is counted per process meanwhile."""
    if cache_state() == "ok":
        return []
    return [
        Warning(
            f"LIBRANET_CACHE_URL: the cache at {_location()} does not answer.",
            hint="Start it or correct LIBRANET_CACHE_URL. Meanwhile pages are built from the "
            "database on every request and the SUSHI rate limit is counted per process.",
            id="libranet.W101",
        )
    ]
