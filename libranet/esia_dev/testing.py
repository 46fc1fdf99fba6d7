"""Pytest fixtures: the local ESIA provider serving in a thread, and the site pointed at it.

Test modules that need them import them into their conftest.py (``from
libranet.esia_dev.testing import *``), so the root conftest stays as it is.
"""

import pytest

from libranet.accounts.esia.signing import gost_available

from .keys import DEMO_CLIENT_ID, DevKeys, ensure_dev_keys
from .provider import Provider
from .server import ProviderThread

__all__ = ["esia_keys", "esia_servers", "esia_provider", "configure_site_for", "EsiaTestProvider"]


class EsiaTestProvider:
    """A running provider, its keys, and switches for the misbehaviour tests need."""

    def __init__(self, thread: ProviderThread, keys: DevKeys, kind: str):
        self.thread = thread
        self.keys = keys
        self.kind = kind  # "rsa" or "gost"
        self.url = thread.url
        self.provider: Provider = thread.provider

    def reset(self) -> None:
        provider = self.provider
        provider.fault = ""
        provider.claim_overrides = {}
        provider.code_ttl = 60
        provider.issuer = self.url + "/"
        provider._grants.clear()
        provider._tokens.clear()


def _start(keys: DevKeys, kind: str) -> EsiaTestProvider:
    provider = Provider(
        issuer="",
        key_path=keys.provider_key,
        cert_path=keys.provider_cert,
        clients_dir=keys.clients,
        cert_hash="gost" if kind == "gost" else "sha256",
    )
    thread = ProviderThread(provider).start()
    running = EsiaTestProvider(thread, keys, kind)
    running.reset()
    return running


@pytest.fixture(scope="session")
def esia_keys(tmp_path_factory):
    """RSA keys (provider and demo client) in a folder of their own."""
    keys, _written = ensure_dev_keys(tmp_path_factory.mktemp("esia-rsa"))
    return keys


@pytest.fixture(scope="session")
def esia_servers(tmp_path_factory, esia_keys):
    """One provider per key kind, started on first use and stopped at the end."""
    started: dict[str, EsiaTestProvider] = {}

    def get(kind: str) -> EsiaTestProvider:
        if kind not in started:
            if kind == "gost":
                if not gost_available():
                    pytest.skip("the openssl GOST engine is not installed (libengine-gost-openssl)")
                keys, _written = ensure_dev_keys(tmp_path_factory.mktemp("esia-gost"), gost=True)
            else:
                keys = esia_keys
            started[kind] = _start(keys, kind)
        return started[kind]

    yield get
    for running in started.values():
        running.thread.stop()


def configure_site_for(settings, running: EsiaTestProvider, *, version: str = "v2") -> None:
    """Point the site's ESIA settings at a running provider (pytest-django's ``settings``)."""
    settings.LIBRANET_ESIA_BASE_URL = running.url
    settings.LIBRANET_ESIA_ISSUER = running.url + "/"
    settings.LIBRANET_ESIA_CLIENT_ID = DEMO_CLIENT_ID
    settings.LIBRANET_ESIA_KEY = str(running.keys.client_key)
    settings.LIBRANET_ESIA_CERT = str(running.keys.client_cert)
    settings.LIBRANET_ESIA_PROVIDER_CERT = str(running.keys.provider_cert)
    settings.LIBRANET_ESIA_SIGNER = "openssl" if running.kind == "gost" else "rsa"
    settings.LIBRANET_ESIA_CERT_HASH = running.provider.cert_hash
    settings.LIBRANET_ESIA_API_VERSION = version
    settings.LIBRANET_ESIA_REDIRECT_URI = ""


@pytest.fixture
def esia_provider(esia_servers, settings):
    """The RSA provider, reset, with the site's settings pointing at it."""
    running = esia_servers("rsa")
    running.reset()
    configure_site_for(settings, running)
    yield running
    running.reset()
