"""Fold long texts in the server log: no log record is longer than :data:`LOG_LIMIT` bytes.

A client chooses much of what the server logs (a path, a page's warning about its field names,
a page's error message). Without a bound, 80 requests with a 5 MB field name wrote 762 MB of log;
with it, each record says what it would have said, cut, and how long it was.
"""

from __future__ import annotations

import logging

from emulator.journal import cut

LOG_LIMIT = 4 * 1024  # UTF-8 bytes of one record's message; its traceback has as many again
_SURE = LOG_LIMIT >> 2  # a message of at most this many characters fits in any case


class LogFold(logging.Filter):
    """Cut a record's message (and its traceback) to LOG_LIMIT bytes, marked with its length.

    A handler's filter, so it sees every record the handler writes, from any logger.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > _SURE:
            folded = cut(message, LOG_LIMIT)
            if folded is not message:
                record.msg, record.args = folded, None
        if record.exc_info and not record.exc_text:
            # Formatted here, as the formatter would, so the text the formatter uses is cut.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and len(record.exc_text) > _SURE:
            record.exc_text = cut(record.exc_text, LOG_LIMIT)
        if record.stack_info and len(record.stack_info) > _SURE:
            record.stack_info = cut(record.stack_info, LOG_LIMIT)
        return True


def install(logger: logging.Logger | None = None) -> LogFold:
    """Add one LogFold to every handler of ``logger`` (default: the root); return it."""
    fold = LogFold()
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(known, LogFold) for known in handler.filters):
            handler.addFilter(fold)
    return fold
