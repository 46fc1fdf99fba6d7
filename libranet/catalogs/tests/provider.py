"""A small OAI-PMH provider on loopback for the harvester's tests, whose faults a test injects:
a connection dropped, an HTTP status (503 with Retry-After), a corrupted page, HTML instead of
XML, the same token sent back (a loop), a token refused (badResumptionToken), a record changed
while the harvest goes on. Pages are generated from ``records`` at each request, so a change
made between two requests shows on the next page, as on a live repository.

A resumption token is "<from>|<set>|<datestamp>|<identifier>" of the last record served."""

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
    "<responseDate>{date}</responseDate><request>{base}</request>"
)
DC = (
    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/">{fields}</oai_dc:dc>'
)


@dataclass
class FakeRecord:
    identifier: str
    datestamp: str
    title: str = ""
    creator: str = "Иванов, И. И."
    deleted: bool = False
    sets: tuple[str, ...] = ()
    isbn: str = ""
    date: str = ""

    def xml(self) -> str:
        status = ' status="deleted"' if self.deleted else ""
        specs = "".join(f"<setSpec>{s}</setSpec>" for s in self.sets)
        header = (
            f"<header{status}><identifier>{escape(self.identifier)}</identifier>"
            f"<datestamp>{self.datestamp}</datestamp>{specs}</header>"
        )
        if self.deleted:
            return f"<record>{header}</record>"
        fields = f"<dc:title>{escape(self.title)}</dc:title>" if self.title else ""
        fields += f"<dc:creator>{escape(self.creator)}</dc:creator><dc:type>book</dc:type>"
        fields += f"<dc:identifier>ISBN {self.isbn}</dc:identifier>" if self.isbn else ""
        fields += f"<dc:date>{self.date}</dc:date>" if self.date else ""
        return f"<record>{header}<metadata>{DC.format(fields=fields)}</metadata></record>"


@dataclass
class Provider:
    """The repository and its faults. ``faults`` maps the number of a request (1, 2, ...) to
    what goes wrong then: "drop", "corrupt", "html", "loop", "badtoken", or an HTTP status
    (with ``retry_after``). ``after_page`` is called with the page number after a page."""

    records: list[FakeRecord] = field(default_factory=list)
    page_size: int = 3
    granularity: str = "YYYY-MM-DDThh:mm:ssZ"
    response_date: str = "2026-01-15T09:00:00Z"
    prefixes: tuple[str, ...] = ("oai_dc", "marc21")
    sets: tuple[str, ...] = ("books", "maps")
    faults: dict[int, object] = field(default_factory=dict)
    retry_after: str = "1"
    after_page: object = None
    requests: list[tuple[float, dict[str, str]]] = field(default_factory=list)
    url: str = ""
    pages_served: int = 0

    def answer(self, params: dict[str, str]) -> tuple[int, dict[str, str], bytes] | None:
        """(status, headers, body), or None to drop the connection."""
        self.requests.append((time.monotonic(), params))
        fault = self.faults.get(len(self.requests))
        if fault == "drop":
            return None
        if isinstance(fault, int):
            return fault, {"Retry-After": self.retry_after}, b"busy"
        if fault == "html":
            html = b"<!DOCTYPE html><html><body><h1>Welcome to our library</h1></body></html>"
            return 200, {"Content-Type": "text/html; charset=utf-8"}, html
        verb = params.get("verb", "")
        head = HEAD.format(date=self.response_date, base=escape(self.url))
        if fault == "badtoken":
            body = head + '<error code="badResumptionToken">expired</error></OAI-PMH>'
        elif verb == "Identify":
            body = head + (
                "<Identify><repositoryName>Тестовая библиотека</repositoryName>"
                f"<baseURL>{escape(self.url)}</baseURL><protocolVersion>2.0</protocolVersion>"
                "<adminEmail>oai@example.org</adminEmail>"
                "<earliestDatestamp>2001-01-01</earliestDatestamp>"
                "<deletedRecord>persistent</deletedRecord>"
                f"<granularity>{self.granularity}</granularity></Identify></OAI-PMH>"
            )
        elif verb == "ListMetadataFormats":
            formats = "".join(
                f"<metadataFormat><metadataPrefix>{p}</metadataPrefix><schema>s</schema>"
                f"<metadataNamespace>n</metadataNamespace></metadataFormat>"
                for p in self.prefixes
            )
            body = head + f"<ListMetadataFormats>{formats}</ListMetadataFormats></OAI-PMH>"
        elif verb == "ListSets":
            specs = "".join(
                f"<set><setSpec>{s}</setSpec><setName>{s}</setName></set>" for s in self.sets
            )
            body = head + f"<ListSets>{specs}</ListSets></OAI-PMH>"
        elif verb == "ListRecords":
            body = head + self._list(params, loop=fault == "loop") + "</OAI-PMH>"
        else:
            body = head + '<error code="badVerb">no</error></OAI-PMH>'
        data = body.encode()
        if fault == "corrupt":
            data = data[: len(data) // 2]
        return 200, {"Content-Type": "text/xml; charset=utf-8"}, data

    def _list(self, params: dict[str, str], *, loop: bool) -> str:
        token = params.get("resumptionToken")
        if token:
            since, spec, after = token.split("|", 2)
            last = tuple(after.split("|", 1)) if after else ("", "")
        else:
            since, spec, last = params.get("from", ""), params.get("set", ""), ("", "")
        listed = sorted(
            (
                r
                for r in self.records
                if r.datestamp[: len(since)] >= since and (not spec or spec in r.sets)
            ),
            key=lambda r: (r.datestamp, r.identifier),
        )
        if not listed:
            return '<error code="noRecordsMatch">nothing</error>'
        # Keyset paging, as careful providers do: a record changed during the harvest moves
        # to the end of the list and is listed again, and no other record is skipped.
        following = [r for r in listed if (r.datestamp, r.identifier) > last]
        page = following[: self.page_size]
        next_token = ""
        if len(following) > self.page_size:
            next_token = token_after(since, spec, page[-1])
        if loop and token:
            next_token = token
        self.pages_served += 1
        if callable(self.after_page):
            self.after_page(self.pages_served)
        return (
            "<ListRecords>"
            + "".join(r.xml() for r in page)
            + f'<resumptionToken completeListSize="{len(listed)}">'
            + f"{escape(next_token)}</resumptionToken></ListRecords>"
        )


def token_after(since: str, spec: str, record: FakeRecord) -> str:
    """The provider's token for the page after ``record``."""
    return f"{since}|{spec}|{record.datestamp}|{record.identifier}"


class _Handler(BaseHTTPRequestHandler):
    provider: Provider

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        answer = self.server.provider.answer(params)  # type: ignore[attr-defined]
        if answer is None:
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        status, headers, body = answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


def serve(provider: Provider):
    """Start ``provider`` on 127.0.0.1 (a free port); returns the server to shut down."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.provider = provider  # type: ignore[attr-defined]
    server.daemon_threads = True
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/oai"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
