"""The shared cache on Redis (see CACHES in the settings): the connection pool that stops
trying for a moment after a failure, and the one-line log of failed commands. Kept apart from
the models: the logging is set up before the apps are."""

import logging
import time
from typing import Any

import redis

# Seconds a server leaves Redis alone after a failed connection: its pages then come from the
# database at once, instead of each waiting out the timeouts of a Redis that hangs.
PAUSE = 5.0


class PausingConnectionPool(redis.ConnectionPool):
    """A connection pool (django-redis' ``CONNECTION_POOL_CLASS``) that, once connecting has
    failed, timed out or met a server that is not Redis, refuses at once for ``PAUSE``
    seconds; django-redis answers those commands as misses. A connection that hangs in a
    command is dropped by the client, so the next command connects again and trips the pause
    too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paused_until = 0.0

    def get_connection(self, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self.paused_until:
            raise redis.ConnectionError(f"not tried: it failed less than {PAUSE:g} s ago")
        try:
            return super().get_connection(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError):
            self.paused_until = time.monotonic() + PAUSE
            raise
        except redis.RedisError as error:
            # Not Redis at that address (it answered something else): a connection failure
            # too, which django-redis then answers as a miss rather than raising.
            self.paused_until = time.monotonic() + PAUSE
            raise redis.ConnectionError(f"not a Redis server: {error}") from error


class OneLine(logging.Filter):
    """A failed cache command as one line naming its error, without the traceback: while Redis
    is down every cached page logs its misses, and a traceback each would bury the rest."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = "cache command failed, answered as a miss: %s"
            record.args = (error.__cause__ or error,)
            record.exc_info = record.exc_text = None
        return True
