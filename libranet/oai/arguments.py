"""The arguments of an OAI-PMH request: which verb, which arguments it allows, their syntax.

Everything here is decided before any record is read, so a malformed request is answered with
badVerb or badArgument and costs no query (OAI-PMH 2.0, sections 3.1.1 and 3.6).
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.http import QueryDict


class OaiError(Exception):
    """A protocol error: answered as ``<error code="...">message</error>``, never as a 500."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def echoes_arguments(self) -> bool:
        """The ``request`` element carries the arguments unless they were the problem (4.2)."""
        return self.code not in ("badVerb", "badArgument")


def bad_argument(message: str) -> OaiError:
    return OaiError("badArgument", message)


@dataclass(frozen=True)
class Verb:
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    exclusive: str | None = None  # resumptionToken: allowed only alone

    @property
    def allowed(self) -> set[str]:
        return {*self.required, *self.optional, *([self.exclusive] if self.exclusive else [])}


_LIST = Verb(
    required=("metadataPrefix",), optional=("from", "until", "set"), exclusive="resumptionToken"
)
VERBS: dict[str, Verb] = {
    "Identify": Verb(),
    "ListMetadataFormats": Verb(optional=("identifier",)),
    "ListSets": Verb(exclusive="resumptionToken"),
    "GetRecord": Verb(required=("identifier", "metadataPrefix")),
    "ListIdentifiers": _LIST,
    "ListRecords": _LIST,
}

# The schema's patterns for these types (OAI-PMH.xsd), so that what we echo always validates.
METADATA_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECONDS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# An identifier is echoed as xs:anyURI: whitespace, controls and the characters URIs never
# carry make it illegal syntax rather than an unknown identifier.
_ILLEGAL_IN_URI = re.compile(r'[\s\x00-\x1f\x7f<>"{}|\\^`]')


@dataclass(frozen=True)
class OaiRequest:
    verb: str
    arguments: dict[str, str] = field(default_factory=dict)  # as given, verb excluded
    # from and until as bounds on the datestamp: lower inclusive, upper exclusive (UTC).
    lower: dt.datetime | None = None
    upper: dt.datetime | None = None


def parse_request(params: QueryDict | Mapping[str, list[str]]) -> OaiRequest:
    """Check the verb and its arguments (names, repetition, exclusivity, syntax)."""
    getlist = params.getlist if isinstance(params, QueryDict) else params.get
    verbs = getlist("verb") or []
    if not verbs:
        raise OaiError("badVerb", "The verb argument is missing.")
    if len(verbs) > 1:
        raise OaiError("badVerb", "The verb argument is repeated.")
    name = verbs[0]
    if name not in VERBS:
        raise OaiError("badVerb", "This is not an OAI-PMH verb.")
    verb = VERBS[name]

    arguments: dict[str, str] = {}
    for key in params:
        if key == "verb":
            continue
        values = getlist(key) or []
        if key not in verb.allowed:
            raise bad_argument(f"{name} does not take the argument {key!r}.")
        if len(values) != 1:
            raise bad_argument(f"The argument {key} is repeated.")
        if not values[0]:
            raise bad_argument(f"The argument {key} is empty.")
        arguments[key] = values[0]

    if verb.exclusive and verb.exclusive in arguments:
        if len(arguments) > 1:
            raise bad_argument(f"{verb.exclusive} is an exclusive argument: it comes alone.")
        return OaiRequest(name, arguments)
    missing = [key for key in verb.required if key not in arguments]
    if missing:
        raise bad_argument(f"{name} requires the argument {missing[0]}.")

    prefix = arguments.get("metadataPrefix")
    if prefix is not None and not METADATA_PREFIX.fullmatch(prefix):
        raise bad_argument("The metadataPrefix has an illegal syntax.")
    spec = arguments.get("set")
    if spec is not None and not SET_SPEC.fullmatch(spec):
        raise bad_argument("The set has an illegal syntax.")
    identifier = arguments.get("identifier")
    if identifier is not None and _ILLEGAL_IN_URI.search(identifier):
        raise bad_argument("The identifier has an illegal syntax.")
    lower, upper = _date_range(arguments.get("from"), arguments.get("until"))
    return OaiRequest(name, arguments, lower, upper)


def _date_range(
    start: str | None, end: str | None
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``from`` and ``until`` as [lower, upper) bounds; both must have the same granularity."""
    lower = _datestamp(start, "from") if start else None
    upper = _datestamp(end, "until") if end else None
    if start and end and len(start) != len(end):
        raise bad_argument("from and until must have the same granularity.")
    if lower is not None and upper is not None:
        if upper[0] < lower[0]:
            raise bad_argument("until is earlier than from.")
    # until is inclusive at its granularity: up to the end of that day, or of that second.
    upper_bound = None
    if upper is not None:
        try:
            upper_bound = upper[0] + upper[1]
        except OverflowError:
            upper_bound = None  # the end of time: no upper bound
    return (lower[0] if lower else None), upper_bound


def _datestamp(value: str, name: str) -> tuple[dt.datetime, dt.timedelta]:
    """A UTC datestamp to the day or the second, with the length of its granularity."""
    try:
        if _DAY.fullmatch(value):
            day = dt.date.fromisoformat(value)
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC), dt.timedelta(days=1)
        if _SECONDS.fullmatch(value):
            moment = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
            return moment, dt.timedelta(seconds=1)
    except ValueError:
        pass
    raise bad_argument(f"{name} is not a datestamp of the form YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.")
