"""The demo's OAI-PMH provider: a WSGI application serving each synthetic library's catalog as
its own repository at ``/<slug>/oai``, through oai_repo (MSU Libraries' independent OAI-PMH 2.0
repository implementation), and each record's page at ``/<slug>/record/<local id>``, the
"partner's catalog page" a harvested record links to.

oai_repo 0.5.2 validates a header's ``status`` but never writes it, and leaves out a record
without metadata; so a deleted record is given placeholder metadata and the response is
corrected before it is sent: its header marked ``status="deleted"``, its metadata removed.
A day-granular ``until`` is widened to that day's last second (the protocol counts the whole
day; oai_repo reads midnight). The request element names the verb, which oai_repo drops."""

import contextlib
import datetime
import html
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from wsgiref.simple_server import make_server as wsgiref_make_server
from wsgiref.util import application_uri

import oai_repo
from lxml import etree
from oai_repo.error import OAIErrorResponse
from oai_repo.exceptions import OAIErrorBadArgument, OAIErrorBadResumptionToken

from .catalogs import Catalog, Record, catalogs
from .metadata import FORMATS, metadata

GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
STAMP = "%Y-%m-%dT%H:%M:%SZ"
DEFAULT_PAGE_SIZE = 100
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

StartResponse = Callable[..., object]
# What oai_repo leaves unsaid for some errors.
ERROR_MESSAGES = {"badResumptionToken": "The resumptionToken is not valid."}


def datestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime(STAMP)


class CatalogData(oai_repo.DataInterface):
    """One library's catalog as oai_repo asks for it (one instance per request)."""

    def __init__(self, catalog: Catalog, *, base_url: str, page_size: int) -> None:
        self.catalog = catalog
        self.library = catalog.library
        self.base_url = base_url
        self.limit = page_size

    def get_identify(self) -> oai_repo.Identify:
        return oai_repo.Identify(
            repository_name=f"{self.library.name_ru} — электронный каталог",
            base_url=self.base_url,
            admin_email=[f"catalog@{self.library.repository_id}"],
            earliest_datestamp=datestamp(self.catalog.earliest_datestamp),
            deleted_record="persistent",
            granularity=GRANULARITY,
        )

    def is_valid_identifier(self, identifier: str) -> bool:
        return identifier in self.catalog.by_identifier

    def get_metadata_formats(self, identifier: str | None = None) -> list[oai_repo.MetadataFormat]:
        return [
            oai_repo.MetadataFormat(prefix, *FORMATS[prefix]) for prefix in self.library.formats
        ]

    def get_record_header(self, identifier: str) -> oai_repo.RecordHeader:
        record = self.catalog.by_identifier[identifier]
        return oai_repo.RecordHeader(
            identifier=identifier,
            datestamp=datestamp(record.datestamp),
            setspecs=list(record.sets),
            status="deleted" if record.deleted else None,
        )

    def get_record_metadata(self, identifier: str, metadataprefix: str) -> etree._Element:
        record = self.catalog.by_identifier[identifier]
        if record.deleted:
            return etree.Element("deleted")  # removed again by _mark_deleted
        return metadata(self.library, record, metadataprefix)

    def get_record_abouts(self, identifier: str) -> list[etree._Element]:
        return []

    def list_set_specs(self, identifier: str | None = None, cursor: int = 0) -> tuple:
        specs = [spec for spec, _name in self.library.sets]
        return specs, len(specs), None

    def get_set(self, setspec: str) -> oai_repo.Set:
        names = dict(self.library.sets)
        return oai_repo.Set(spec=setspec, name=names[setspec], description=[])

    def list_identifiers(
        self,
        metadataprefix: str,
        filter_from: datetime.datetime | None = None,
        filter_until: datetime.datetime | None = None,
        filter_set: str | None = None,
        cursor: int = 0,
    ) -> tuple:
        chosen = [
            record.identifier
            for record in self.catalog.records
            if (filter_from is None or record.datestamp >= filter_from)
            and (filter_until is None or record.datestamp <= filter_until)
            and (filter_set is None or filter_set in record.sets)
        ]
        if cursor < 0 or (cursor and cursor >= len(chosen)):
            # Only a token can carry a cursor; oai_repo would answer noRecordsMatch.
            raise OAIErrorBadResumptionToken("The resumptionToken is past the list's end.")
        # The catalogs never change while served: no state to invalidate a token with.
        return chosen[cursor : cursor + self.limit], len(chosen), None


def _mark_deleted(root: etree._Element, catalog: Catalog) -> None:
    for header in root.iter("header"):
        record = catalog.by_identifier.get(header.findtext("identifier") or "")
        if record is None or not record.deleted:
            continue
        header.set("status", "deleted")
        parent = header.getparent()
        for element in parent.findall("metadata") if parent is not None else []:
            parent.remove(element)


def _name_the_verb(root: etree._Element, verb: str) -> None:
    request = root.find("request")
    attributes = {"verb": verb, **request.attrib}
    request.attrib.clear()
    request.attrib.update(attributes)


def _arguments(environ: dict) -> dict[str, list[str]]:
    if environ.get("REQUEST_METHOD") == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        query = environ["wsgi.input"].read(length).decode("utf-8", "replace")
    else:
        query = environ.get("QUERY_STRING", "")
    return parse_qs(query, keep_blank_values=True)


class ProviderApp:
    """The WSGI application of every synthetic library's repository."""

    def __init__(
        self, served: dict[str, Catalog] | None = None, *, page_size: int = DEFAULT_PAGE_SIZE
    ) -> None:
        self.catalogs = served if served is not None else catalogs()
        self.page_size = page_size

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        parts = environ.get("PATH_INFO", "/").strip("/").split("/")
        catalog = self.catalogs.get(parts[0])
        if parts == [""]:
            return self._index(environ, start_response)
        if catalog and parts[1:] == ["oai"]:
            return self._oai(catalog, environ, start_response)
        if catalog and len(parts) == 3 and parts[1] == "record":
            record = catalog.by_local_id.get(parts[2])
            if record:
                return self._record(catalog, record, start_response)
        return self._send(start_response, "404 Not Found", "text/plain", b"Not found.\n")

    def _oai(self, catalog: Catalog, environ: dict, start_response: StartResponse):
        base_url = application_uri(environ).rstrip("/") + f"/{catalog.library.slug}/oai"
        repository = oai_repo.OAIRepository(
            CatalogData(catalog, base_url=base_url, page_size=self.page_size)
        )
        given = _arguments(environ)
        args = {name: values[0] for name, values in given.items()}
        if any(len(values) > 1 for values in given.values()):
            response = OAIErrorResponse(repository, OAIErrorBadArgument("Repeated argument."))
        else:
            if _DAY.fullmatch(args.get("until", "")):
                args["until"] += "T23:59:59Z"
            response = repository.process(dict(args))  # it takes "verb" out of what it is given
            if response:
                _name_the_verb(response.root(), args["verb"])
                _mark_deleted(response.root(), catalog)
        root = response.root()
        error = root.find("error")
        if error is not None and not error.text:
            error.text = ERROR_MESSAGES.get(error.get("code", ""), "")
        # UTF-8 rather than oai_repo's ASCII with a character reference for each Cyrillic letter.
        body = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
        return self._send(start_response, "200 OK", "text/xml; charset=utf-8", body)

    def _record(self, catalog: Catalog, record: Record, start_response: StartResponse):
        """The record's page in the partner's catalog (a deleted record is gone: 410)."""
        library, edition = catalog.library, record.edition
        if record.deleted:
            body = f"<p>Запись {html.escape(record.local_id)} удалена из каталога.</p>"
            return self._send(
                start_response, "410 Gone", "text/html; charset=utf-8", _page(library.name_ru, body)
            )
        rows = [
            ("Заглавие", edition.work.full_title),
            ("Авторы", "; ".join(a.inverted for a in edition.work.authors)),
            ("Издание", f"{edition.city} : {edition.publisher.name}, {edition.year}"),
            ("Объём", f"{edition.pages} с."),
            ("ISBN", edition.isbn),
            ("Предметы", "; ".join(edition.work.subjects)),
        ]
        body = (
            "<dl>"
            + "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows if v)
            + "</dl>"
        )
        return self._send(
            start_response, "200 OK", "text/html; charset=utf-8", _page(library.name_ru, body)
        )

    def _index(self, environ: dict, start_response: StartResponse):
        root = application_uri(environ).rstrip("/")
        items = "".join(
            f'<li><a href="{root}/{slug}/oai?verb=Identify">{html.escape(c.library.name_ru)}</a>'
            f" ({', '.join(c.library.formats)}; {len(c.records)})</li>"
            for slug, c in self.catalogs.items()
        )
        body = f"<p>OAI-PMH repositories of the demo's partner catalogs:</p><ul>{items}</ul>"
        return self._send(
            start_response,
            "200 OK",
            "text/html; charset=utf-8",
            _page("Demo partner catalogs", body),
        )

    @staticmethod
    def _send(start_response: StartResponse, status: str, content_type: str, body: bytes):
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]


def _page(title: str, body: str) -> bytes:
    return (
        f'<!doctype html><html lang="ru"><meta charset="utf-8"><title>{html.escape(title)}'
        f"</title><h1>{html.escape(title)}</h1>{body}</html>"
    ).encode()


class _ThreadedServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the standard library's name)
        pass


def make_server(
    host: str, port: int, *, page_size: int = DEFAULT_PAGE_SIZE, quiet: bool = False
) -> WSGIServer:
    return wsgiref_make_server(
        host,
        port,
        ProviderApp(page_size=page_size),
        server_class=_ThreadedServer,
        handler_class=_QuietHandler if quiet else WSGIRequestHandler,
    )


@contextlib.contextmanager
def provider_in_thread(
    host: str = "127.0.0.1", port: int = 0, *, page_size: int = DEFAULT_PAGE_SIZE
) -> Iterator[str]:
    """The provider serving in a thread of this process (port 0: a free one); yields its
    address, "http://host:port", and stops it on leaving."""
    server = make_server(host, port, page_size=page_size, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
