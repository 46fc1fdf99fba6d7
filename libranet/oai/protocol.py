"""The OAI-PMH 2.0 engine: a request's arguments in, the response's XML out, piece by piece.

``respond`` checks the request and does every query that may end in a protocol error (unknown
identifier, no records, a bad token) before it returns, so that the document it then streams
is either the answer or the error, never both. Lists stream their page from the database
cursor in batches (``records.BATCH``); a page ends with a resumption token when more follow.
Records are stored rendered (``libranet.resources.harvest``): writing one is filling its two
markers with this repository's identifier and site address, nothing more.
"""

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

from libranet.resources import harvest

from . import records, tokens, writer
from .arguments import OaiError, OaiRequest, parse_request
from .writer import element, text

# The one metadata format: prefix -> (schema, namespace).
FORMATS = {"oai_dc": (harvest.OAI_DC_SCHEMA, harvest.OAI_DC_NS)}
# The oai-identifier scheme wants a domain name as the repository's identifier.
_DOMAIN = re.compile(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+")
_EMAIL = re.compile(r"\S+@(\S+\.)+\S+")  # the schema's emailType


@dataclass(frozen=True)
class Repository:
    """The provider's description, from settings (README "OAI-PMH")."""

    name: str
    repository_id: str
    base_url: str  # this endpoint
    site_url: str  # where the resources' public pages are
    records_per_page: int
    identifiers_per_page: int
    token_lifetime: dt.timedelta

    @classmethod
    def from_settings(cls, *, site_url: str) -> "Repository":
        return cls(
            name=settings.LIBRANET_OAI_REPOSITORY_NAME,
            repository_id=settings.LIBRANET_OAI_REPOSITORY_ID,
            base_url=f"{site_url}/oai",
            site_url=site_url,
            records_per_page=max(1, settings.LIBRANET_OAI_RECORDS_PER_PAGE),
            identifiers_per_page=max(1, settings.LIBRANET_OAI_IDENTIFIERS_PER_PAGE),
            token_lifetime=dt.timedelta(hours=settings.LIBRANET_OAI_TOKEN_HOURS),
        )

    @property
    def admin_email(self) -> str:
        return admin_email()  # read when Identify asks, not on every request (it parses)

    def oai_id(self, identifier: str) -> str:
        return writer.oai_identifier(self.repository_id, identifier)

    def local_id(self, oai_id: str) -> str | None:
        """Our identifier inside ``oai:<repository id>:<identifier>``, or None."""
        prefix = f"oai:{self.repository_id}:"
        return unquote(oai_id[len(prefix) :]) if oai_id.startswith(prefix) else None


def admin_email() -> str:
    """LIBRANET_OAI_ADMIN_EMAIL, else the address of DEFAULT_FROM_EMAIL. The protocol wants a
    dotted domain: a local host's address (the default ``libranet@localhost``) is written as
    ``...@localhost.localdomain``, the same mailbox by the usual convention."""
    address = settings.LIBRANET_OAI_ADMIN_EMAIL or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    if not _EMAIL.fullmatch(address) and "@" in address:
        address = f"{address}.localdomain"
    return address


Params = QueryDict | Mapping[str, list[str]]


def respond(
    params: Params, *, repository: Repository, now: dt.datetime | None = None
) -> Iterator[str]:
    """The response to one request, as pieces of XML text."""
    now = (now or timezone.now()).replace(microsecond=0)
    base = repository.base_url
    try:
        request = parse_request(params)
    except OaiError as exc:
        return writer.envelope(now, base, {}, [writer.error(exc.code, exc.message)])
    echo = {"verb": request.verb, **request.arguments}
    try:
        body = _HANDLERS[request.verb](request, repository, now)
    except OaiError as exc:
        shown = echo if exc.echoes_arguments else {}
        return writer.envelope(now, base, shown, [writer.error(exc.code, exc.message)])
    return writer.envelope(now, base, echo, body)


def identify(request: OaiRequest, repo: Repository, now: dt.datetime) -> Iterable[str]:
    earliest = records.earliest_datestamp() or now
    description = ""
    if _DOMAIN.fullmatch(repo.repository_id):
        sample = text(repo.oai_id("pl-000123"))
        description = (
            f'<description><oai-identifier xmlns="{writer.OAI_IDENTIFIER_NS}" '
            f'xmlns:xsi="{writer.XSI_NS}" xsi:schemaLocation="{writer.OAI_IDENTIFIER_NS} '
            f'{writer.OAI_IDENTIFIER_SCHEMA}"><scheme>oai</scheme>'
            f"<repositoryIdentifier>{text(repo.repository_id)}</repositoryIdentifier>"
            f"<delimiter>:</delimiter><sampleIdentifier>{sample}</sampleIdentifier>"
            "</oai-identifier></description>"
        )
    return [
        "<Identify>",
        element("repositoryName", repo.name),
        element("baseURL", repo.base_url),
        "<protocolVersion>2.0</protocolVersion>",
        element("adminEmail", repo.admin_email),
        f"<earliestDatestamp>{writer.datestamp(earliest)}</earliestDatestamp>",
        "<deletedRecord>persistent</deletedRecord>",
        "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>",
        "<compression>gzip</compression>",
        description,
        "</Identify>\n",
    ]


def formats_for(row: tuple[Any, ...]) -> list[str]:
    """The metadata formats an item can be disseminated in: every item has oai_dc."""
    return list(FORMATS)


def list_metadata_formats(request: OaiRequest, repo: Repository, now: dt.datetime) -> Iterable[str]:
    prefixes = list(FORMATS)
    if "identifier" in request.arguments:
        prefixes = formats_for(_item(request.arguments["identifier"], repo))
        if not prefixes:
            raise OaiError("noMetadataFormats", "This item has no metadata formats.")
    parts = ["<ListMetadataFormats>"]
    for prefix in prefixes:
        schema, namespace = FORMATS[prefix]
        parts.append(
            f"<metadataFormat><metadataPrefix>{prefix}</metadataPrefix><schema>{schema}</schema>"
            f"<metadataNamespace>{namespace}</metadataNamespace></metadataFormat>"
        )
    parts.append("</ListMetadataFormats>\n")
    return parts


def list_sets(request: OaiRequest, repo: Repository, now: dt.datetime) -> Iterable[str]:
    if "resumptionToken" in request.arguments:
        # The collection tree is small: the sets always come in one response.
        raise OaiError("badResumptionToken", "This repository issues no tokens for ListSets.")
    tree = records.SetTree.load()
    if not tree:
        raise OaiError("noSetHierarchy", "This repository has no collections, so no sets.")
    return itertools.chain(["<ListSets>\n"], _sets(tree), ["</ListSets>\n"])


def _sets(tree: records.SetTree) -> Iterator[str]:
    for (
        collection_id,
        _parent,
        _code,
        name_ru,
        name_en,
        description_ru,
        description_en,
    ) in tree.rows:
        described = writer.set_description(name_en, description_ru, description_en)
        yield (
            f"<set><setSpec>{tree.specs[collection_id]}</setSpec>"
            f"{element('setName', name_ru or name_en)}{described}</set>\n"
        )


def get_record(request: OaiRequest, repo: Repository, now: dt.datetime) -> Iterable[str]:
    row = _item(request.arguments["identifier"], repo)
    _check_prefix(request.arguments["metadataPrefix"])
    return ["<GetRecord>", _records([row], repo), "</GetRecord>\n"]


def _item(oai_id: str, repo: Repository) -> tuple[Any, ...]:
    local = repo.local_id(oai_id)
    row = records.find(local) if local else None
    if row is None:
        raise OaiError("idDoesNotExist", "This repository has no item with this identifier.")
    return row


def _check_prefix(prefix: str) -> None:
    if prefix not in FORMATS:
        raise OaiError(
            "cannotDisseminateFormat", f"The only metadata format here is oai_dc, not {prefix}."
        )


def _records(rows: list[tuple[Any, ...]], repo: Repository) -> str:
    """The records of rows of ``records.RECORD_FIELDS``, their markers filled. (Hot: the
    repository's marker is near a header's start and the site's near the metadata's end, so
    partition and rpartition find them at once, where replace would scan the whole text.)"""
    repository, site = text(repo.repository_id), text(repo.site_url)
    out = []
    for *_key, header, metadata in rows:
        head, _marker, tail = header.partition(harvest.REPOSITORY)
        if metadata:
            before, _marker, after = metadata.rpartition(harvest.SITE)
            out.append(f"<record>{head}{repository}{tail}{before}{site}{after}</record>\n")
        else:  # deleted: the header says so, and there is no metadata
            out.append(f"<record>{head}{repository}{tail}</record>\n")
    return "".join(out)


def _headers(rows: list[tuple[Any, ...]], repo: Repository) -> str:
    """The headers of rows of ``records.HEADER_FIELDS``, their marker filled."""
    repository = text(repo.repository_id)
    out = []
    for *_key, header in rows:
        head, _marker, tail = header.partition(harvest.REPOSITORY)
        out.append(f"{head}{repository}{tail}\n")
    return "".join(out)


def list_records(request: OaiRequest, repo: Repository, now: dt.datetime) -> Iterable[str]:
    return _list(request, repo, now, records.RECORD_FIELDS, _records, repo.records_per_page)


def list_identifiers(request: OaiRequest, repo: Repository, now: dt.datetime) -> Iterable[str]:
    return _list(request, repo, now, records.HEADER_FIELDS, _headers, repo.identifiers_per_page)


Items = Callable[[list[tuple[Any, ...]], Repository], str]


def _list(
    request: OaiRequest,
    repo: Repository,
    now: dt.datetime,
    fields: tuple[str, ...],
    items: Items,
    page_size: int,
) -> Iterable[str]:
    """The eager part of ListRecords and ListIdentifiers: arguments, the first row."""
    token = request.arguments.get("resumptionToken")
    if token is not None:
        position = tokens.read(token, verb=request.verb, now=now)
        prefix, spec = position.prefix, position.set_spec
        lower, upper = position.lower, position.upper
        after: tuple[dt.datetime, int] | None = (position.after_datestamp, position.after_id)
        cursor, total = position.cursor, position.total
    else:
        prefix, spec = request.arguments["metadataPrefix"], request.arguments.get("set")
        lower, upper = request.lower, request.upper
        after, cursor, total = None, 0, 0
    _check_prefix(prefix)
    collection_ids = None
    if spec is not None:
        tree = records.SetTree.load()
        if not tree:
            raise OaiError("noSetHierarchy", "This repository has no collections, so no sets.")
        collection_ids = tree.subtree(spec)
        if collection_ids is None and token is None:
            raise OaiError("noRecordsMatch", f"There is no set {spec}.")
        collection_ids = collection_ids or []  # a set removed during the harvest: nothing left
    selection = records.Selection(lower, upper, collection_ids)
    if token is None:
        total = selection.count()
        if not total:
            raise OaiError("noRecordsMatch", "No records match these arguments.")
    rows = selection.page(after=after, limit=page_size + 1, fields=fields)
    first = next(rows, None)
    if first is None:
        # Only on a resumed list whose remaining records left it (now staff-only, set gone).
        raise OaiError("noRecordsMatch", "No records are left in this list.")

    def resume(last: tuple[Any, ...] | None, sent: int, more: bool) -> str:
        if not more and not cursor:
            return ""  # a complete list in one response carries no token at all
        size = max(total, cursor + sent + (1 if more else 0))
        if not more:
            return f'<resumptionToken completeListSize="{size}" cursor="{cursor}"/>\n'
        assert last is not None
        expires = now + repo.token_lifetime
        next_token = tokens.issue(
            tokens.Position(
                verb=request.verb,
                prefix=prefix,
                lower=lower,
                upper=upper,
                set_spec=spec,
                after_datestamp=records.moment(last[1]),
                after_id=last[0],
                cursor=cursor + sent,
                total=size,
                expires=expires,
            )
        )
        return (
            f'<resumptionToken expirationDate="{writer.datestamp(expires)}" '
            f'completeListSize="{size}" cursor="{cursor}">{text(next_token)}</resumptionToken>\n'
        )

    return _stream(request.verb, itertools.chain([first], rows), page_size, items, repo, resume)


def _stream(
    verb: str,
    rows: Iterator[tuple[Any, ...]],
    page_size: int,
    items: Items,
    repo: Repository,
    resume: Callable[[tuple[Any, ...] | None, int, bool], str],
) -> Iterator[str]:
    """The list itself: up to ``page_size`` rows, written a batch at a time; one row more
    tells that a next page follows."""
    yield f"<{verb}>\n"
    page = itertools.islice(rows, page_size)
    sent, last = 0, None
    while batch := list(itertools.islice(page, records.BATCH)):
        yield items(batch, repo)
        sent, last = sent + len(batch), batch[-1]
    more = next(rows, None) is not None
    yield resume(last, sent, more)
    yield f"</{verb}>\n"


_HANDLERS: dict[str, Callable[[OaiRequest, Repository, dt.datetime], Iterable[str]]] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}
