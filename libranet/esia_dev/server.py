"""The local provider's own small server: Django's threaded WSGI server (the one runserver
and the test live server use) over a handler that routes by the provider's URLconf."""

import threading
from pathlib import Path

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

from .keys import DevKeys
from .provider import Provider

URLCONF = "libranet.esia_dev.urls"


class ProviderHandler(WSGIHandler):
    """Every request goes to the provider's URLs, with the provider at hand; the site's
    URLconf is never consulted."""

    def __init__(self, provider: Provider):
        super().__init__()
        self.provider = provider

    def get_response(self, request):
        request.urlconf = URLCONF
        request.esia_provider = self.provider
        return super().get_response(request)


class _QuietRequestHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the standard library's name)
        pass


def provider_from_folder(folder: Path | None = None, *, issuer: str) -> Provider:
    """The provider whose keys and registered clients ``manage.py esia_dev_keys`` wrote."""
    keys = DevKeys(Path(folder or settings.LIBRANET_ESIA_DEV_DIR))
    missing = [str(p) for p in (keys.provider_key, keys.provider_cert) if not p.exists()]
    if missing:
        raise FileNotFoundError(
            "no provider keys (" + ", ".join(missing) + "): run manage.py esia_dev_keys"
        )
    return Provider(
        issuer=issuer,
        key_path=keys.provider_key,
        cert_path=keys.provider_cert,
        clients_dir=keys.clients,
        cert_hash=settings.LIBRANET_ESIA_CERT_HASH,
    )


def make_server(host: str, port: int, provider: Provider, *, quiet: bool = False):
    handler = _QuietRequestHandler if quiet else WSGIRequestHandler
    server = ThreadedWSGIServer((host, port), handler, allow_reuse_address=True)
    server.set_app(ProviderHandler(provider))
    return server


class ProviderThread:
    """The provider serving in a thread of this process (tests): ``url`` once started."""

    def __init__(self, provider: Provider, *, host: str = "127.0.0.1", port: int = 0):
        self.provider = provider
        self.server = make_server(host, port, provider, quiet=True)
        self.host, self.port = self.server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "ProviderThread":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)
