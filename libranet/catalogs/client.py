"""A partner's OAI-PMH repository as seen by the harvester: Sickle speaks the protocol (the
requests, the retries on 5xx with Retry-After); this module adds what a harvest that must never
crash needs around it: retries with back-off on timeouts and dropped connections, a strict
reading of each answer (Sickle's parser recovers from broken XML silently, which would lose the
records of a corrupted page), and every failure as a ``SourceError`` with a reason a person can
act on. The numbers are settings (``LIBRANET_HARVEST_*``) so that tests use tiny ones."""

import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree
from sickle import Sickle
from sickle.response import OAIResponse

OAI = "{http://www.openarchives.org/OAI/2.0/}"


class SourceError(Exception):
    """The source could not be asked or its answer could not be read; ``reason`` says why."""

    def __init__(self, reason: str, *, code: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code  # the OAI-PMH error code, when the source answered one


@dataclass
class Page:
    """One answer to a list request: its records (``<record>`` or ``<header>`` elements), the
    token of the next page ("" at the end), the list's size if the source says it."""

    root: Any
    response_date: str
    items: list[Any]
    token: str
    complete_size: int | None


class _Sickle(Sickle):
    """Sickle with retries on timeouts and connection errors too, backing off each time."""

    def _request(self, kwargs: dict) -> requests.Response:
        attempt = 0
        while True:
            try:
                return super()._request(kwargs)
            except (requests.ConnectionError, requests.Timeout):
                if attempt >= self.max_retries:
                    raise
                time.sleep(self.default_retry_after * 2**attempt)
                attempt += 1

    def get_retry_after(self, http_response: requests.Response) -> int:
        # Sickle reads only whole seconds; a date or nonsense gets our default, and a source
        # asking for an hour is not waited for longer than the setting allows.
        try:
            wanted = int(http_response.headers.get("retry-after", ""))
        except ValueError:
            wanted = self.default_retry_after
        return max(0, min(wanted, settings.LIBRANET_HARVEST_MAX_RETRY_AFTER))


class SourceClient:
    """``check=True``: the registration's check, quick (a short timeout, no retries)."""

    def __init__(self, base_url: str, *, check: bool = False) -> None:
        self.base_url = base_url
        self.sickle = _Sickle(
            base_url,
            max_retries=0 if check else settings.LIBRANET_HARVEST_RETRIES,
            retry_status_codes=[500, 502, 503, 504],
            default_retry_after=settings.LIBRANET_HARVEST_RETRY_AFTER,
            timeout=settings.LIBRANET_HARVEST_CHECK_TIMEOUT
            if check
            else settings.LIBRANET_HARVEST_TIMEOUT,
            headers={"User-Agent": "Libranet harvester (OAI-PMH)"},
        )

    def ask(self, **params: str) -> Any:
        """The root of the source's answer to ``params``, checked to be OAI-PMH; an OAI-PMH
        error becomes a ``SourceError`` with its code (``badResumptionToken``...)."""
        try:
            response: OAIResponse = self.sickle.harvest(**params)
        except requests.Timeout as exc:
            raise SourceError(
                _("The source did not answer in time ({error}).").format(error=type(exc).__name__)
            ) from exc
        except requests.ConnectionError as exc:
            raise SourceError(
                _("The source cannot be reached: {error}.").format(error=_short(exc))
            ) from exc
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            raise SourceError(
                _("The source answered with HTTP error {status}.").format(status=status)
            ) from exc
        except requests.RequestException as exc:
            raise SourceError(
                _("The source cannot be asked: {error}.").format(error=_short(exc))
            ) from exc
        return read_answer(response.http_response.content, response.http_response.headers)

    def identify(self) -> dict[str, str]:
        root = self.ask(verb="Identify")
        found = root.find(f"{OAI}Identify")
        if found is None:
            raise SourceError(_("The answer to Identify holds no repository description."))
        return {
            name: (found.findtext(f"{OAI}{name}") or "").strip()
            for name in ("repositoryName", "granularity", "earliestDatestamp", "deletedRecord")
        }

    def metadata_prefixes(self) -> list[str]:
        root = self.ask(verb="ListMetadataFormats")
        return [(e.text or "").strip() for e in root.iter(f"{OAI}metadataPrefix") if (e.text or "")]

    def set_specs(self) -> list[str]:
        """Every set of the source (following the tokens of ListSets)."""
        specs: list[str] = []
        params: dict[str, str] = {"verb": "ListSets"}
        seen: set[str] = set()
        while True:
            root = self.ask(**params)
            specs += [(e.text or "").strip() for e in root.iter(f"{OAI}setSpec")]
            token = (root.findtext(f".//{OAI}resumptionToken") or "").strip()
            if not token or token in seen:
                return specs
            seen.add(token)
            params = {"verb": "ListSets", "resumptionToken": token}

    def page(self, **params: str) -> Page:
        root = self.ask(**params)
        token_element = root.find(f".//{OAI}resumptionToken")
        token = (token_element.text or "").strip() if token_element is not None else ""
        size = token_element.get("completeListSize") if token_element is not None else None
        verb = params.get("verb", "ListRecords")
        element = "header" if verb == "ListIdentifiers" else "record"
        return Page(
            root=root,
            response_date=(root.findtext(f"{OAI}responseDate") or "").strip(),
            items=list(root.iterfind(f"{OAI}{verb}/{OAI}{element}")),
            token=token,
            complete_size=int(size) if size and size.isdigit() else None,
        )


def read_answer(content: bytes, headers: Any = None) -> Any:
    """The root element of an OAI-PMH answer, or a ``SourceError`` saying what it is instead."""
    head = content[:512].lstrip().lower()
    content_type = (headers or {}).get("Content-Type", "").lower()
    if head.startswith((b"<!doctype html", b"<html")) or "text/html" in content_type:
        raise SourceError(
            _("The source answered with a web page (HTML), not OAI-PMH XML: check the address.")
        )
    try:
        # A parser per answer: lxml's parsers are not to be shared between threads.
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError(
            _("The source's answer is malformed XML: {error}.").format(error=exc)
        ) from exc
    if root.tag != f"{OAI}OAI-PMH":
        raise SourceError(
            _("The source's answer is XML but not OAI-PMH (its root is <{tag}>).").format(
                tag=etree.QName(root).localname
            )
        )
    error = root.find(f"{OAI}error")
    if error is not None:
        code = error.get("code", "")
        if code != "noRecordsMatch":
            raise SourceError(
                _("The source answered with the OAI-PMH error {code}: {text}").format(
                    code=code or "?", text=(error.text or "").strip() or "—"
                ),
                code=code,
            )
    return root


def _short(exc: Exception) -> str:
    """The useful end of a requests error ("[Errno 111] Connection refused")."""
    text = str(exc)
    for marker in ("Errno", "Name or service not known", "Temporary failure"):
        at = text.find(marker)
        if at >= 0:
            return text[max(0, at - 1) :].rstrip(")'\"")
    return text[:200]
