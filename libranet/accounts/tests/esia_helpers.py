"""Helpers for tests of the ESIA sign-in: walk the flow as a browser would, over real HTTP to
the local provider and through Django's test client for our own views."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import requests

CONFIRMED = "1000000001"  # Анна Смирнова: confirmed, verified e-mail
NO_EMAIL = "1000000002"  # Борис Кузнецов: confirmed, no e-mail
UNVERIFIED_EMAIL = "1000000003"  # Вера Попова: confirmed, e-mail not verified
SIMPLIFIED = "1000000004"  # Глеб Соколов: simplified account, verified e-mail


def start(client, next_url: str = "") -> str:
    """Our /accounts/esia/login/: the provider's authorization URL it redirects to."""
    response = client.get("/accounts/esia/login/", {"next": next_url} if next_url else {})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def pick(authorization_url: str, oid: str) -> str:
    """On the provider's page, pick a test person: the callback path with code and state."""
    page = requests.get(authorization_url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    match = re.search(r'href="([^"]*/aas/oauth2/choose\?[^"]*)" data-oid="' + oid + '"', page.text)
    assert match, f"no test person {oid} on the provider's page"
    base = "{0.scheme}://{0.netloc}".format(urlsplit(authorization_url))
    back = requests.get(base + unescape(match.group(1)), allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text[:500]
    return callback_path(back.headers["Location"])


def callback_path(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def sign_in(client, oid: str = CONFIRMED, next_url: str = ""):
    """The whole flow; the response of our callback."""
    return client.get(pick(start(client, next_url), oid))
