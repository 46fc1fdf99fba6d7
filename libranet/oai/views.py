"""The OAI-PMH endpoint: /oai, GET or POST (form-encoded), one streamed XML document."""

import zlib
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.http import HttpRequest, StreamingHttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .protocol import Repository, respond

CHUNK = 32 * 1024  # characters per write: few enough writes, little held at once
# The fastest level: on OAI-PMH's XML it still shrinks the stream some 8 times, at about three
# times the speed of level 6 (GZipMiddleware's), which would cost as much as writing the XML.
GZIP_LEVEL = 1


@csrf_exempt  # a protocol for programs: no session, no form, nothing to forge
@require_http_methods(["GET", "POST"])
def endpoint(request: HttpRequest) -> StreamingHttpResponse:
    # Links and baseURL use the site's configured address; without one, this request's host.
    site_url = settings.LIBRANET_SITE_URL or request.build_absolute_uri("/").rstrip("/")
    params = request.POST if request.method == "POST" else request.GET
    content: Iterable[bytes] = _chunks(
        respond(params, repository=Repository.from_settings(site_url=site_url))
    )
    # The harvester asked for gzip: compress the stream as it goes (GZipMiddleware is not
    # installed for the site, whose pages whitenoise already compresses).
    gzip = bool(re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")))
    if gzip:
        content = _gzip(content)
    response = StreamingHttpResponse(content, content_type="text/xml; charset=utf-8")
    patch_vary_headers(response, ("Accept-Encoding",))
    if gzip:
        response["Content-Encoding"] = "gzip"
    return response


def _chunks(pieces: Iterable[str]) -> Iterator[bytes]:
    """Join small pieces of text into chunks of about ``CHUNK`` characters, as UTF-8."""
    buffer: list[str] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def _gzip(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """One gzip member, compressed as the chunks come."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for chunk in chunks:
        if data := compressor.compress(chunk):
            yield data
    yield compressor.flush()
