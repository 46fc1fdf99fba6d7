"""The log of the shared cache's failures (logger ``libranet.cache``; see CACHES in the
settings). Kept apart from the models: the logging is set up before the apps are."""

import logging


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
