"""The write path, request side: a usage event is one short line appended to this process's
spool file, then loaded into ``UsageEvent`` in batches by ``libranet.usage.services``.

Why a spool file: appending a line costs a few microseconds and takes no database lock, so a
reader's request never waits on the database for its own counting (SQLite has one writer at a
time; a roll-up or a bulk load may hold it for seconds). The line is in the operating system's
page cache before the response goes out: a worker that crashes loses nothing it has appended.

The spool (``LIBRANET_USAGE_SPOOL_DIR``, by default ``<data>/usage-spool/``) is local to the
machine: each machine that serves pages runs the loader (``manage.py ingest_usage`` or the
``usage_ingest`` task). Its files:

- ``<host>-<pid>-<ns>-<n>.open``: the file a process appends to, one per process (threads
  share it under a lock; a forked child starts its own). Only its writer touches it: the
  writer renames it ``.ready`` once it is ``LIBRANET_USAGE_SPOOL_ROTATE_SECONDS`` old (at the
  next event, or by a timer when none comes) or ``LIBRANET_USAGE_SPOOL_MAX_BYTES`` big, and
  when the process exits. The loader takes an ``.open`` file only when its process is gone
  (a crash) or it has been left alone for an hour;
- ``.ready``: closed, waiting for the loader; ``.loading``: taken by a loader (which holds
  ``flock`` on it while it loads, so that two loaders never load one file at once).

An event thus costs one ``write`` system call and no lock between processes.

A line: ``2 <ms since the epoch> <center> <reader kind> <session> <action> <resource>
<granted> <access level>`` separated by tabs (an empty center, resource or level is none), far
below the 4 kB that ``O_APPEND`` writes keep whole. Lines of version ``1`` (without the access
level, from before it was kept) are still read.

Nothing here may break a request: a failure is logged and counted (``write_failures()``).
"""

import atexit
import datetime
import hashlib
import itertools
import logging
import os
import re
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import timezone

from libranet.accounts.selectors import is_confirmed_reader
from libranet.audit.context import client_address
from libranet.network.permissions import is_staff_member
from libranet.network.places import Place, place_of
from libranet.resources.models import AccessLevel

from .models import Action, ReaderKind
from .robots import is_robot

logger = logging.getLogger(__name__)

OPEN, READY, LOADING = ".open", ".ready", ".loading"
LINE_VERSION = b"2"
FIELDS = {b"1": 8, b"2": 9}  # fields of a line, by its version
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MILLISECOND = datetime.timedelta(milliseconds=1)
_SESSION = re.compile(r"[0-9a-f]{32}")
# The namespaces whose pages begin a counted session: the public site and the JSON API (not
# the back office, sign-in pages, files, OAI-PMH or health checks).
SESSION_NAMESPACES = frozenset({"public", "api"})
SEEN_SESSIONS = 50_000  # sessions remembered per process for their SESSION event


class SpoolError(Exception):
    """An event could not be appended to the spool."""


# --- what went wrong, for the tests and the logs ------------------------------------------------


_failure_count = itertools.count(1)  # next() on it is atomic: threads may fail at once
_failures = 0


def write_failures() -> int:
    """Usage events that could not be written by this process (each also logged)."""
    return _failures


def _failed(what: str) -> None:
    global _failures
    _failures = next(_failure_count)
    logger.exception("A usage event could not be written (%s); %d so far", what, _failures)


# --- the spool file of this process -------------------------------------------------------------


def spool_directory() -> Path:
    return Path(settings.LIBRANET_USAGE_SPOOL_DIR)


class SpoolWriter:
    """Appends lines to this process's spool file (see the module's docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sequence = itertools.count()
        self._setting: object = None  # the setting the file was opened under
        self._fd: int | None = None
        self._path: Path | None = None
        self._due = 0.0  # when it is handed over (time.monotonic)
        self._size = 0
        self._max_bytes = 0
        self._timer: threading.Timer | None = None

    def append(self, line: bytes) -> None:
        setting = settings.LIBRANET_USAGE_SPOOL_DIR
        with self._lock:
            if self._fd is None or setting is not self._setting:
                self._close()
                self._open(setting)
            elif self._size >= self._max_bytes or time.monotonic() >= self._due:
                self._close()
                self._open(setting)
            assert self._fd is not None
            if os.write(self._fd, line) != len(line):
                raise SpoolError(f"a short write to {self._path}")
            self._size += len(line)

    def close(self) -> None:
        """Hand the current file to the loader now (rotation, exit, tests)."""
        with self._lock:
            self._close()

    def _open(self, setting: object) -> None:
        directory = Path(str(setting))
        name = f"{host_name()}-{os.getpid()}-{time.time_ns()}-{next(self._sequence)}{OPEN}"
        path = directory / name
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
        try:
            fd = os.open(path, flags, 0o640)
        except FileNotFoundError:
            directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, flags, 0o640)
        self._fd, self._path, self._setting = fd, path, setting
        rotate = settings.LIBRANET_USAGE_SPOOL_ROTATE_SECONDS
        self._size, self._max_bytes = 0, settings.LIBRANET_USAGE_SPOOL_MAX_BYTES
        self._due = time.monotonic() + rotate
        # A quiet process still hands its file over in time.
        self._timer = threading.Timer(rotate, self._expire, args=(path,))
        self._timer.daemon = True
        self._timer.start()

    def _expire(self, path: Path) -> None:
        with self._lock:
            if self._path == path:
                try:
                    self._close()
                except OSError:
                    logger.exception("The usage spool file %s could not be closed", path)

    def _close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._fd is None or self._path is None:
            return
        fd, path = self._fd, self._path
        self._fd, self._path = None, None
        os.close(fd)
        os.rename(path, path.with_suffix(READY))

    def after_fork(self) -> None:
        """In a forked child: the open file is the parent's, and so may be the lock's state."""
        self._lock = threading.Lock()
        self._fd, self._path, self._timer = None, None, None


def host_name() -> str:
    """This machine's name as spool file names hold it (no "-" in it)."""
    return re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname())[:60] or "host"


def writer_of(name: str) -> tuple[str, int] | None:
    """The host and process id that wrote the spool file ``name`` (None if it is not one)."""
    parts = name.split("-")
    if len(parts) != 4 or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1])


writer = SpoolWriter()
os.register_at_fork(after_in_child=writer.after_fork)


def _close_at_exit() -> None:
    try:
        writer.close()
    except Exception:  # noqa: S110 (at exit: the loader takes a dead process's file anyway)
        pass


atexit.register(_close_at_exit)


# --- the domain function: one event, from primitives ------------------------------------------


def event_record(
    *,
    action: int,
    session: str,
    reader_kind: int,
    center_id: int | None = None,
    resource_id: int | None = None,
    granted: bool = True,
    access_level: str = "",
    occurred_at: datetime.datetime | None = None,
) -> bool:
    """Append one usage event to the spool; never raises (a failure is logged and counted,
    and the answer is False). ``session`` is the hashed COUNTER session (``session_id``);
    ``access_level`` the resource's now (reports show the Access_Type of the time of use);
    ``occurred_at`` defaults to now and is kept to the millisecond."""
    try:
        if occurred_at is None:
            moment = time.time_ns() // 1_000_000
        else:
            moment = (occurred_at - EPOCH) // MILLISECOND
        if not _SESSION.fullmatch(session):
            raise SpoolError(f"a session must be 32 hexadecimal digits, not {session!r}")
        if access_level not in _LEVELS:
            raise SpoolError(f"no access level {access_level!r}")
        line = "2\t%d\t%s\t%d\t%s\t%d\t%s\t%d\t%s\n" % (  # noqa: UP031 (the fastest formatting)
            moment,
            "" if center_id is None else int(center_id),
            int(reader_kind),
            session,
            int(action),
            "" if resource_id is None else int(resource_id),
            1 if granted else 0,
            access_level,
        )
        writer.append(line.encode("ascii"))
    except Exception:
        _failed(f"action {action}")
        return False
    return True


class SpooledEvent(NamedTuple):
    """A decoded spool line, as ``UsageEvent`` stores it (a tuple: the loader inserts it)."""

    occurred_at: datetime.datetime
    center_id: int | None
    reader_kind: int
    session: str
    action: int
    resource_id: int | None
    granted: bool
    access_level: str


_ACTIONS = frozenset(Action.values)
_LEVELS = frozenset(AccessLevel.values) | {""}
_KINDS = frozenset(ReaderKind.values)
_HEX = b"0123456789abcdef"


def decode_line(line: bytes) -> SpooledEvent | None:
    """The event of a spool line, or None for a line that is not one (a torn last line of a
    process that died mid-write, or garbage)."""
    parts = line.rstrip(b"\n").split(b"\t")
    if len(parts) != FIELDS.get(parts[0]):
        return None
    _version, moment, center, kind, session, action, resource, granted = parts[:8]
    try:
        event = SpooledEvent(
            EPOCH + int(moment) * MILLISECOND,
            int(center) if center else None,
            int(kind),
            session.decode("ascii"),
            int(action),
            int(resource) if resource else None,
            granted == b"1",
            parts[8].decode("ascii") if len(parts) > 8 else "",
        )
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None
    if (
        event.access_level not in _LEVELS
        or len(session) != 32
        or session.strip(_HEX)
        or event.action not in _ACTIONS
        or event.reader_kind not in _KINDS
        or granted not in (b"0", b"1")
    ):
        return None
    return event


# --- COUNTER's session, hashed ------------------------------------------------------------------


def _hash_key() -> bytes:
    # Keyed by the site's secret: an address hashed without a key could be found again by
    # hashing all four billion of them.
    return hashlib.sha256(b"libranet.usage.session:" + settings.SECRET_KEY.encode()).digest()


def session_id(
    *,
    moment: datetime.datetime,
    session_key: str | None = None,
    user_id: int | None = None,
    address: str | None = None,
    user_agent: str = "",
) -> str:
    """COUNTER's session identifier, hashed (32 hexadecimal digits): the session key and the
    date when there is a session; else the date and hour with the user, or with the address and
    User-Agent (COUNTER's surrogate session). Date and hour are the project's time zone's, so a
    session never spans two days of the roll-up."""
    local = timezone.localtime(moment)
    if session_key:
        text = f"s|{session_key}|{local:%Y-%m-%d}"
    elif user_id is not None:
        text = f"u|{user_id}|{local:%Y-%m-%d|%H}"
    else:
        text = f"a|{address or ''}|{user_agent}|{local:%Y-%m-%d|%H}"
    return hashlib.blake2b(text.encode(), digest_size=16, key=_hash_key()).hexdigest()


# --- the faces' adapter -------------------------------------------------------------------------


def reader_kind_of(user: Any) -> ReaderKind:
    if is_staff_member(user):
        return ReaderKind.STAFF
    if is_confirmed_reader(user):
        return ReaderKind.CONFIRMED_READER
    if getattr(user, "is_authenticated", False):
        return ReaderKind.READER
    return ReaderKind.ANONYMOUS


def request_session(request: Any) -> str:
    """The request's COUNTER session, hashed; read once and kept on the request. From the
    request alone (its session, signed-in user, address and User-Agent), so that an API client
    with a token and the pages it opens count as one session."""
    cached = getattr(request, "_libranet_usage_session", None)
    if cached is None:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        cached = session_id(
            moment=timezone.now(),
            session_key=getattr(session, "session_key", None),
            user_id=getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None,
            address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        request._libranet_usage_session = cached
    return cached


def _counted_denial(resource: Any) -> bool:
    """A refusal is COUNTER's No_License only for content that a licence (a place, a confirmed
    account) opens: not for a withdrawn resource nor a staff-only one."""
    return resource.deleted_at is None and resource.access_level != AccessLevel.STAFF


def usage_record(
    request: Any,
    action: Action,
    resource: Any = None,
    *,
    granted: bool = True,
    place: Place | None = None,
    user: Any = None,
) -> None:
    """Count what a face just did for ``request``: a search, a record view or a file request
    (granted or refused, as the access decision said). ``place`` is the request's place, when
    the face has it; ``user`` the caller when it is not the session's (an API token's user).
    Robots, ``HEAD`` requests and refusals that are no licence matter are not counted. Never
    raises."""
    try:
        if request.method == "HEAD" or is_robot(request.META.get("HTTP_USER_AGENT", "")):
            return
        if not granted and resource is not None and not _counted_denial(resource):
            return
        place = place if place is not None else place_of(request)
        event_record(
            action=action,
            session=request_session(request),
            reader_kind=reader_kind_of(user if user is not None else request.user),
            center_id=place.center.pk if place.center is not None else None,
            resource_id=resource.pk if resource is not None else None,
            granted=granted,
            access_level=resource.access_level if resource is not None else "",
        )
    except Exception:
        _failed(f"action {action} on {request.path}")


class _SeenSessions:
    """The sessions this process has recorded a SESSION event for, the oldest forgotten first
    (a session seen again by another process is recorded again: the roll-up counts distinct
    sessions, so that costs nothing but a line)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, session: str) -> bool:
        with self._lock:
            if session in self._seen:
                return False
            self._seen[session] = None
            if len(self._seen) > self._size:
                self._seen.popitem(last=False)
            return True

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()


seen_sessions = _SeenSessions(SEEN_SESSIONS)


def session_begin(request: Any) -> None:
    """Record the SESSION event of the request's session, the first time this process sees it.
    Never raises."""
    try:
        if is_robot(request.META.get("HTTP_USER_AGENT", "")):
            return
        session = request_session(request)
        if not seen_sessions.first_time(session):
            return
        place = place_of(request)
        event_record(
            action=Action.SESSION,
            session=session,
            reader_kind=reader_kind_of(request.user),
            center_id=place.center.pk if place.center is not None else None,
        )
    except Exception:
        _failed(f"session on {request.path}")


class UsageSessionMiddleware:
    """Begins a counted session on the pages of the public site and the API (after the
    session, authentication and second-factor middleware: it asks who the user is)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        return self.get_response(request)

    def process_view(self, request: Any, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        match = request.resolver_match
        if match is not None and match.namespaces and match.namespaces[0] in SESSION_NAMESPACES:
            session_begin(request)
