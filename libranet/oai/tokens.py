"""Resumption tokens: where a list stopped, signed so that nobody can forge or alter one.

A token is stateless (any worker, any restart with the same SECRET_KEY reads it): it carries
the original request (verb, prefix, from, until, set), the key ``(modified_at, id)`` of the last
record sent, the cursor, the size of the list counted at its first page, and an expiry. The next
page continues strictly after that key in ``(modified_at, id)`` order, so a page costs the same
at the end of a list as at its start (never OFFSET), and a record changed during a harvest moves
to the end of the list, where the same harvest meets it again: nothing is skipped.
"""

import datetime as dt
from dataclasses import dataclass

from django.core import signing

from .arguments import OaiError

_SALT = "libranet.oai.resumption-token"
_VERSION = 1


@dataclass(frozen=True)
class Position:
    verb: str
    prefix: str
    lower: dt.datetime | None
    upper: dt.datetime | None
    set_spec: str | None
    after_datestamp: dt.datetime
    after_id: int
    cursor: int  # how many records the list has sent before the next page
    total: int  # completeListSize, counted at the first page
    expires: dt.datetime


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _moment(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value is not None else None


def issue(position: Position) -> str:
    payload = [
        _VERSION,
        position.verb,
        position.prefix,
        _iso(position.lower),
        _iso(position.upper),
        position.set_spec,
        _iso(position.after_datestamp),
        position.after_id,
        position.cursor,
        position.total,
        int(position.expires.timestamp()),
    ]
    return signing.dumps(payload, salt=_SALT, compress=True)


def read(token: str, *, verb: str, now: dt.datetime) -> Position:
    """The position a token stands for; badResumptionToken if it was altered, belongs to
    another verb or has expired."""
    try:
        payload = signing.loads(token, salt=_SALT)
        version, token_verb, prefix, lower, upper, set_spec, after, after_id = payload[:8]
        cursor, total, expires = payload[8:]
        if version != _VERSION:
            raise ValueError(version)
        position = Position(
            verb=token_verb,
            prefix=prefix,
            lower=_moment(lower),
            upper=_moment(upper),
            set_spec=set_spec,
            after_datestamp=_moment(after),  # type: ignore[arg-type]
            after_id=int(after_id),
            cursor=int(cursor),
            total=int(total),
            expires=dt.datetime.fromtimestamp(int(expires), tz=dt.UTC),
        )
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise OaiError("badResumptionToken", "The resumption token is invalid.") from exc
    if position.verb != verb:
        raise OaiError("badResumptionToken", f"This resumption token is not for {verb}.")
    if position.expires <= now:
        raise OaiError(
            "badResumptionToken",
            "The resumption token has expired: start the list again without it.",
        )
    return position
