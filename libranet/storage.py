"""Where files live: the local folder or an S3-compatible object store, from one setting.

``LIBRANET_STORAGE_URL`` names the store (README, "Files: the local folder or an object
store"):

- empty, ``file://`` or ``file:///abs/path``: a folder (``MEDIA_ROOT`` by default);
- ``s3://<bucket>[/<prefix>]?endpoint=<url>&region=<r>``: any S3-compatible store through
  django-storages (boto3); credentials from ``LIBRANET_STORAGE_ACCESS_KEY`` and
  ``LIBRANET_STORAGE_SECRET_KEY``, else boto3's own chain (environment, instance profile).

``storages_from_url`` gives the two aliases of ``STORAGES``: ``default`` (every stored file)
and ``derivatives`` (the IIIF image service's tiles and size notes: a folder of their own
locally, the same bucket under ``iiif-cache/`` with S3), so that several servers share both.

The rest reads and writes through the storage API, with three helpers for what that API
does badly with S3: ``stat`` (size and time in one request), ``stream`` (a byte range read in
chunks: django-storages' ``S3File`` would first copy the whole object to a temporary file) and
``presigned_path`` (for nginx to fetch the bytes itself after the application decided).
Objects are private: no ACL is ever set, and URLs are signed for a minute.
"""

import datetime
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, Storage
from django.core.signals import setting_changed
from django.dispatch import receiver

from libranet.probes import probing_now

SETTING = "LIBRANET_STORAGE_URL"
DERIVATIVES_PREFIX = "iiif-cache"
CHUNK_SIZE = 64 * 1024
# A store that does not answer must not hold a reader's request (nor a worker) for long: a
# connection is given 3 s, a read 10 s, and one more attempt (boto3's default would retry
# for most of a minute). The start-up check gets a single, quicker attempt.
CONNECT_TIMEOUT = 3
READ_TIMEOUT = 10
ATTEMPTS = 2
CHECK_TIMEOUT = 2
# What retry after a store failure, in seconds (the 503's Retry-After).
RETRY_AFTER = 30
PRESIGNED_SECONDS = 60

_S3_BACKEND = "storages.backends.s3.S3Storage"


# --- the setting ------------------------------------------------------------------------------


def _bad(message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{SETTING}: {message}")


def storages_from_url(
    url: str, *, access_key: str = "", secret_key: str = ""
) -> dict[str, dict[str, Any]]:
    """The ``default`` and ``derivatives`` entries of ``STORAGES`` for ``url``; raises
    ``ImproperlyConfigured`` naming the setting when the URL cannot be used."""
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not url or scheme == "file":
        if scheme == "file" and (parts.netloc not in ("", "localhost") or parts.query):
            raise _bad(f"a folder is file:///absolute/path, not {url!r}")
        folder = (
            {"location": parts.path} if scheme == "file" and parts.path not in ("", "/") else {}
        )
        return {
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": folder,
            },
            "derivatives": {"BACKEND": "libranet.storage.DerivativeStorage"},
        }
    if scheme != "s3":
        raise _bad(f"unknown scheme {parts.scheme!r} (use file:// or s3://)")
    bucket = parts.netloc
    if not bucket:
        raise _bad("no bucket: s3://<bucket>[/<prefix>]?endpoint=<url>")
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - {"endpoint", "region", "addressing"})
    if unknown:
        raise _bad(f"unknown parameter {unknown[0]!r} (endpoint, region, addressing)")
    endpoint = query.get("endpoint", "")
    if endpoint:
        found = urlsplit(endpoint)
        if found.scheme not in ("http", "https") or not found.hostname:
            raise _bad(f"the endpoint {endpoint!r} is not an http:// or https:// address")
        try:
            found.port  # noqa: B018 (raises on a port that is not a number)
        except ValueError as exc:
            raise _bad(f"the endpoint {endpoint!r} has a bad port") from exc
    prefix = parts.path.strip("/")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "location": prefix,
        "endpoint_url": endpoint or None,
        "region_name": query.get("region") or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        # Path-style addressing (bucket in the path) works with every S3-compatible store;
        # virtual hosts need DNS for each bucket. AWS itself without an endpoint takes both.
        "addressing": query.get("addressing", "path" if endpoint else "auto"),
    }
    if options["addressing"] not in ("path", "virtual", "auto"):
        raise _bad("addressing is path, virtual or auto")
    return {
        "default": {"BACKEND": _S3_BACKEND, "OPTIONS": s3_options(**options)},
        "derivatives": {
            "BACKEND": _S3_BACKEND,
            "OPTIONS": s3_options(
                **{**options, "location": "/".join(p for p in (prefix, DERIVATIVES_PREFIX) if p)},
                overwrite=True,
            ),
        },
    }


def s3_options(*, addressing: str, overwrite: bool = False, **given: Any) -> dict[str, Any]:
    from botocore.config import Config

    return {
        **given,
        # Never a public ACL: files are served only after the access decision.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": PRESIGNED_SECONDS,
        # A stored name is never replaced in place (as in a folder, a second file with the
        # same name gets another name), except derivatives, which are the same bytes again.
        "file_overwrite": overwrite,
        # An object opened whole (an import's archive, a scan Pillow reads) is copied to a
        # temporary file past 2 MiB instead of being held in memory.
        "max_memory_size": 2 * 1024 * 1024,
        "client_config": Config(
            s3={"addressing_style": addressing},
            signature_version="s3v4",
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={"max_attempts": ATTEMPTS, "mode": "standard"},
        ),
    }


def storage_from_url(url: str, alias: str = "default") -> Storage:
    """A storage object for ``url`` (``transfer_files`` moves files between two of them)."""
    from django.core.files.storage.handler import StorageHandler

    entries: Any = storages_from_url(
        url,
        access_key=settings.LIBRANET_STORAGE_ACCESS_KEY,
        secret_key=settings.LIBRANET_STORAGE_SECRET_KEY,
    )
    return StorageHandler(entries)[alias]


class DerivativeStorage(FileSystemStorage):
    """The image service's derivatives in ``LIBRANET_IIIF_CACHE_DIR``. A derivative is written
    to a temporary file and renamed into place, so that a reader never sees half of one while
    another worker makes the same derivative."""

    def __init__(self, **options: Any) -> None:
        super().__init__(allow_overwrite=True, **options)

    @cached_property
    def base_location(self) -> Any:
        given = self._location  # type: ignore[attr-defined]
        return self._value_or_setting(given, settings.LIBRANET_IIIF_CACHE_DIR)

    def _save(self, name: str, content: Any) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return name


@receiver(setting_changed)
def _cache_dir_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "LIBRANET_IIIF_CACHE_DIR":
        from django.core.files.storage import storages

        found = storages._storages.get("derivatives")  # type: ignore[attr-defined]
        if isinstance(found, DerivativeStorage):
            found.__dict__.pop("base_location", None)
            found.__dict__.pop("location", None)


# --- failures ---------------------------------------------------------------------------------


def failures() -> tuple[type[BaseException], ...]:
    """What the object store raises when it cannot be reached or refuses us (a timeout, a
    refused connection, wrong credentials, a missing bucket, its own 5xx): the doors answer
    503 with ``Retry-After``. A missing object is ``FileNotFoundError`` from the helpers here
    and from django-storages' ``open`` and ``size``."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)


def is_failure(exc: BaseException) -> bool:
    return isinstance(exc, failures())


# --- reading ----------------------------------------------------------------------------------


def _s3(storage: Storage) -> bool:
    from storages.backends.s3 import S3Storage

    return isinstance(storage, S3Storage)


def _key(storage: Any, name: str) -> str:
    from storages.utils import clean_name

    return storage._normalize_name(clean_name(name))  # the storage's own key for a name


def _status(exc: BaseException) -> int | None:
    """The HTTP status the store answered with (None: it did not answer)."""
    return getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")


def _ask(storage: Any, operation: str, name: str, **options: Any) -> dict[str, Any]:
    """One request about the object of ``name``; raises ``FileNotFoundError`` when there is
    none (a missing bucket is a failure of the store, not a missing file)."""
    client = storage.connection.meta.client
    try:
        return getattr(client, operation)(
            Bucket=storage.bucket_name, Key=_key(storage, name), **options
        )
    except failures() as exc:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code")
        if _status(exc) == 404 and code != "NoSuchBucket":
            raise FileNotFoundError(name) from exc
        raise


@dataclass(frozen=True)
class Stat:
    size: int
    modified: datetime.datetime | None


def stat(storage: Storage, name: str) -> Stat:
    """Size and time of a stored file (one request to an object store); raises
    ``FileNotFoundError`` when there is none."""
    if _s3(storage):
        head = _ask(storage, "head_object", name)
        return Stat(head["ContentLength"], head["LastModified"])
    size = storage.size(name)
    try:
        modified = storage.get_modified_time(name)
    except NotImplementedError:
        modified = None
    return Stat(size, modified)


class Chunks:
    """Bytes of a stored file, ``CHUNK_SIZE`` at a time; the response closes it when it is done
    (or when the client goes away), which frees the connection."""

    def __init__(self, chunks: Iterator[bytes], close: Any) -> None:
        self._chunks = chunks
        self._close = close

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        self._close()


def stream(storage: Storage, name: str, start: int = 0, end: int | None = None) -> Chunks:
    """Bytes ``start``..``end`` (inclusive; to the end when None) of a stored file. With S3 the
    request is made here, so that a store that does not answer fails before the response
    starts; raises ``FileNotFoundError`` when there is no such file."""
    if end is not None and end < start:
        return Chunks(iter(()), lambda: None)
    if _s3(storage):
        whole = start == 0 and end is None  # no Range: an empty object has no byte 0
        asked = {} if whole else {"Range": f"bytes={start}-{'' if end is None else end}"}
        body = _ask(storage, "get_object", name, **asked)["Body"]
        return Chunks(body.iter_chunks(CHUNK_SIZE), body.close)
    opened = storage.open(name, "rb")
    return Chunks(_read(opened, start, end), opened.close)


class Opened:
    """A stored file's ``stat`` and, with an object store, the body of the one request that
    read both (the bytes ``first``..``last``): the file door decides on the validators and
    the range, then ``take``s those bytes, so a GET costs the store one request, not two."""

    def __init__(
        self, storage: Storage, name: str, found: Stat, body: Chunks | None, first: int, last: int
    ) -> None:
        self.storage, self.name, self.stat = storage, name, found
        self._body, self._first, self._last = body, first, last

    def take(self, start: int, end: int) -> Chunks:
        """Bytes ``start``..``end``: the body already asked for when it holds just those,
        else a new request."""
        body, self._body = self._body, None
        if body is not None and (start, end) == (self._first, self._last):
            return body
        if body is not None:
            body.close()
        return stream(self.storage, self.name, start, end)

    def close(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None


def open_object(
    storage: Storage,
    name: str,
    asked: tuple[int | None, int | None] | None = None,
    *,
    read: bool = True,
) -> Opened:
    """Open a stored file for delivery. With an object store, one GetObject of the range
    ``asked`` (``(first, last)``, ``(None, n)`` the last n bytes, None the whole) gives the size,
    the time and the body; a range the store cannot satisfy falls back to a HeadObject (the
    door answers 416), as does ``read=False`` (a HEAD request). Raises ``FileNotFoundError``
    when there is no such file."""
    if not read or not _s3(storage):
        return Opened(storage, name, stat(storage, name), None, 0, -1)
    options = {}
    if asked is not None:
        first, last = asked
        spec = f"-{last}" if first is None else f"{first}-{'' if last is None else last}"
        options["Range"] = f"bytes={spec}"
    try:
        found = _ask(storage, "get_object", name, **options)
    except failures() as exc:
        if _status(exc) != 416:
            raise
        return Opened(storage, name, stat(storage, name), None, 0, -1)
    length = found["ContentLength"]
    first, last, size = 0, length - 1, length
    if found.get("ContentRange"):  # "bytes 100-199/1000"
        span, _, total = found["ContentRange"].removeprefix("bytes ").partition("/")
        first, last = (int(part) for part in span.split("-"))
        size = int(total)
    body = found["Body"]
    chunks = Chunks(body.iter_chunks(CHUNK_SIZE), body.close)
    return Opened(storage, name, Stat(size, found["LastModified"]), chunks, first, last)


def _read(file: IO[bytes], start: int, end: int | None) -> Iterator[bytes]:
    file.seek(start)
    remaining = None if end is None else end - start + 1
    while remaining is None or remaining > 0:
        chunk = file.read(CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining))
        if not chunk:
            return
        if remaining is not None:
            remaining -= len(chunk)
        yield chunk


def read_bytes(storage: Storage, name: str) -> bytes:
    """A small stored file whole (a derivative, a size note)."""
    chunks = stream(storage, name)
    try:
        return b"".join(chunks)
    finally:
        chunks.close()


def presigned_path(storage: Storage, name: str) -> str | None:
    """The path and query of a short-lived signed URL of the object (for nginx's internal
    location, which proxies it to the store), or None when the storage is a folder."""
    if not _s3(storage):
        return None
    url = storage.connection.meta.client.generate_presigned_url(  # type: ignore[attr-defined]
        "get_object",
        Params={"Bucket": storage.bucket_name, "Key": _key(storage, name)},  # type: ignore[attr-defined]
        ExpiresIn=PRESIGNED_SECONDS,
    )
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


# --- walking (transfer_files) -----------------------------------------------------------------


def walk(storage: Storage) -> Iterator[tuple[str, int]]:
    """Every stored file's name and size (an object store lists whole pages of keys; a folder
    is walked on disk)."""
    if _s3(storage):
        location = storage.location  # type: ignore[attr-defined]
        prefix = f"{location}/" if location else ""
        client = storage.connection.meta.client  # type: ignore[attr-defined]
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=storage.bucket_name,  # type: ignore[attr-defined]
            Prefix=prefix,
        )
        for page in pages:
            for item in page.get("Contents", []):
                if not item["Key"].endswith("/"):
                    yield item["Key"][len(prefix) :], item["Size"]
        return
    root = Path(storage.location)  # type: ignore[attr-defined]
    for folder, _dirs, files in os.walk(root):
        for file in files:
            path = Path(folder) / file
            yield path.relative_to(root).as_posix(), path.stat().st_size


# --- manage.py check --------------------------------------------------------------------------


def check_storage(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The store answers and takes our files: one quick HeadBucket with S3 (one attempt, a
    couple of seconds; in ``manage.py check`` only, see ``libranet.probes``), a writable folder
    otherwise."""
    from django.core.files.storage import storages

    storage = storages["default"]
    if _s3(storage):
        return _check_bucket(storage) if probing_now() else []
    folder = Path(storage.location)  # type: ignore[attr-defined]
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        message = f"{SETTING}: the folder {folder} cannot be written."
        return [Error(message, id="libranet.E101")]
    return []


def _check_bucket(storage: Any) -> list[CheckMessage]:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError, NoCredentialsError

    client = boto3.session.Session().client(
        "s3",
        endpoint_url=storage.endpoint_url,
        region_name=storage.region_name,
        aws_access_key_id=storage.access_key,
        aws_secret_access_key=storage.secret_key,
        config=storage.client_config.merge(
            Config(
                connect_timeout=CHECK_TIMEOUT,
                read_timeout=CHECK_TIMEOUT,
                retries={"total_max_attempts": 1},
            )
        ),
    )
    where = storage.endpoint_url or "AWS S3"
    bucket = storage.bucket_name
    try:
        client.head_bucket(Bucket=bucket)
    except NoCredentialsError:
        message = (
            f"{SETTING}: no credentials for the object store; set LIBRANET_STORAGE_ACCESS_KEY "
            "and LIBRANET_STORAGE_SECRET_KEY."
        )
    except ClientError as exc:
        status = _status(exc)
        if status == 404:
            message = f"{SETTING}: the bucket {bucket!r} does not exist at {where}."
        elif status in (400, 401, 403):
            message = (
                f"{SETTING}: {where} refused the credentials for the bucket {bucket!r} "
                "(LIBRANET_STORAGE_ACCESS_KEY, LIBRANET_STORAGE_SECRET_KEY)."
            )
        else:
            message = f"{SETTING}: {where} answered {status} for the bucket {bucket!r}."
    except failures() as exc:
        message = f"{SETTING}: the object store at {where} cannot be reached ({exc})."
    else:
        return []
    return [Error(message, id="libranet.E100")]


# --- moving files between stores (transfer_files) ---------------------------------------------


@dataclass
class TransferReport:
    copied: int = 0
    skipped: int = 0
    deleted: int = 0
    bytes_copied: int = 0


class TransferError(Exception):
    """A file could not be copied or checked; what was copied before it stays copied."""


def transfer(
    source: Storage,
    destination: Storage,
    *,
    delete_source: bool = False,
    progress: Any = None,
    report: TransferReport | None = None,
) -> TransferReport:
    """Copy every file of ``source`` to ``destination`` under the same name. A file already
    there with the same size is skipped, so that a run that was interrupted continues where it
    stopped (a half-written copy has another size and is written again). With
    ``delete_source`` a file leaves the source only once its copy has been read back with its
    size. ``report`` (given) is filled as the work goes, so that an interrupted caller can
    say how far it got."""
    report = report if report is not None else TransferReport()
    files = sorted(walk(source))
    there = dict(walk(destination))
    for done, (name, size) in enumerate(files, start=1):
        if there.get(name) == size:
            report.skipped += 1
        else:
            if name in there:
                destination.delete(name)  # a copy cut short: written again from the start
            with source.open(name, "rb") as opened:
                written = destination.save(name, opened)
            if written != name:
                raise TransferError(f"{name} was stored at the destination as {written}")
            report.copied += 1
            report.bytes_copied += size
        if delete_source:
            copied = stat(destination, name).size
            if copied != size:
                raise TransferError(
                    f"{name}: the destination holds {copied} bytes of {size}; the source is kept"
                )
            source.delete(name)
            report.deleted += 1
        if progress is not None:
            progress(done, len(files), name)
    return report
