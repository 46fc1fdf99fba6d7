"""Where a change comes from: the client's address of the request being served.

Services record who changed what; the address is known only at the door. The middleware puts
it in a context variable for the length of the request, and ``audit_record`` reads it, so no
service has to pass the request down. Outside a request (commands, tasks) there is none.
"""

import ipaddress
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings

_address: ContextVar[str | None] = ContextVar("libranet_request_address", default=None)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net) for net in settings.LIBRANET_TRUSTED_PROXIES)


def client_address(request: Any) -> str | None:
    """The client's IP address. ``X-Forwarded-For`` is believed only when the request comes
    from a configured proxy, and then read from the right, skipping our own proxies: the
    first address a trusted proxy did not add is the client's."""
    remote = request.META.get("REMOTE_ADDR") or None
    if remote is None or not _trusted(remote):
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([a for a in forwarded if a]):
        if not _trusted(address):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # garbage in the header: the proxy is all we know
    return remote


def current_address() -> str | None:
    return _address.get()


class RequestAddressMiddleware:
    """Keeps the client's address for the audit trail while the request is served."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        token = _address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _address.reset(token)
