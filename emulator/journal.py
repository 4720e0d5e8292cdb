"""The bounded, in-memory request journal: what each request did, newest first.

And the server log's side of the same warnings (:class:`WarningLog`), which folds repeats.

docs/design.md: method, path, status, duration, bodies, rows written and warnings, owned by the core
and read by the admin API and the dashboard. Bodies are kept up to :data:`BODY_LIMIT` bytes so a
flood of large requests cannot grow memory without bound.

Every request writes an entry and few are ever read, so a write keeps the request's values as
one flat tuple of text, bytes and numbers, and :class:`JournalEntry` objects are built when the
journal is read. Decoding and formatting on the request path cost throughput, and so did nested
containers: the garbage collector walked them again and again while 500 entries waited in the
ring, where a flat tuple of atoms is dropped from its watch at its first collection.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

BODY_LIMIT = 64 * 1024


@dataclass
class JournalEntry:
    """One request as the emulator saw it."""

    id: int
    time: str
    method: str
    path: str
    query_string: str
    page: str | None
    status: int
    duration_ms: float
    request_headers: list[tuple[str, str]]
    request_body: str
    request_body_truncated: bool
    response_headers: list[tuple[str, str]]
    response_body: str
    response_body_truncated: bool
    rows_written: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    #: Where a page error arose: the page file (or the Python port's module) and its line.
    error_file: str | None = None
    error_line: int | None = None
    outcome: str = ""  # what the answer meant, in words (:func:`outcome`)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    """A thread-safe ring of the last ``size`` requests."""

    def __init__(self, size: int = 500) -> None:
        self._records: deque[tuple[Any, ...]] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, *, at: float, method: str, path: str, query_string: str, page: str | None,
               status: int, duration_ms: float, request_headers: Sequence[tuple[str, str]],
               request_body: bytes, response_headers: Sequence[tuple[str, str]],
               response_body: bytes, rows_written: Sequence[dict[str, Any]] | None = None,
               warnings: Sequence[str] | None = None, error: str | None = None,
               error_file: str | None = None, error_line: int | None = None) -> int:
        """Add one request (``at``: seconds since the epoch) and return its entry's id."""
        flat: list[Any] = [at, method, path, query_string, page, status, duration_ms, error,
                           error_file, error_line,
                           _kept(request_body), len(request_body) > BODY_LIMIT,
                           _kept(response_body), len(response_body) > BODY_LIMIT]
        _flatten_pairs(flat, request_headers)
        _flatten_pairs(flat, response_headers)
        rows = rows_written or ()
        flat.append(len(rows))
        for row in rows:
            flat.append(row["dataExtension"])
            _flatten_pairs(flat, row["row"].items())
        flat.extend(warnings or ())  # the rest: the warnings
        record = tuple(flat)
        with self._lock:
            entry_id = next(self._ids)
            self._records.append((entry_id, record))
        return entry_id

    def entries(self) -> list[JournalEntry]:
        """Return the entries, newest first."""
        with self._lock:
            records = list(reversed(self._records))
        return [_entry(entry_id, record) for entry_id, record in records]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def __len__(self) -> int:
        return len(self._records)


def _kept(body: bytes) -> bytes:
    return body if len(body) <= BODY_LIMIT else body[:BODY_LIMIT]


def _flatten_pairs(flat: list[Any], pairs: Iterable[tuple[str, Any]]) -> None:
    """Append a count, then each pair's two values (:func:`_read_pairs` reads them back)."""
    count_at = len(flat)
    flat.append(0)
    for name, value in pairs:
        flat.append(name)
        flat.append(value)
    flat[count_at] = (len(flat) - count_at - 1) // 2


def _read_pairs(record: tuple[Any, ...], at: int) -> tuple[list[tuple[str, Any]], int]:
    """Return the pairs stored at ``at`` and the index after them."""
    count = record[at]
    start = at + 1
    end = start + 2 * count
    return list(zip(record[start:end:2], record[start + 1:end:2], strict=True)), end


def _entry(entry_id: int, record: tuple[Any, ...]) -> JournalEntry:
    (at, method, path, query_string, page, status, duration_ms, error, error_file, error_line,
     request_body, request_cut, response_body, response_cut) = record[:_FIXED]
    request_headers, index = _read_pairs(record, _FIXED)
    response_headers, index = _read_pairs(record, index)
    rows_written = []
    row_count, index = record[index], index + 1
    for _ in range(row_count):
        key = record[index]
        row, index = _read_pairs(record, index + 1)
        rows_written.append({"dataExtension": key, "row": dict(row)})
    response_text = response_body.decode("utf-8", errors="replace")
    return JournalEntry(
        id=entry_id,
        time=datetime.fromtimestamp(at, timezone.utc).isoformat(timespec="milliseconds"),
        method=method, path=path, query_string=query_string, page=page, status=status,
        duration_ms=round(duration_ms, 3), request_headers=request_headers,
        request_body=request_body.decode("utf-8", errors="replace"),
        request_body_truncated=request_cut, response_headers=response_headers,
        response_body=response_text,
        response_body_truncated=response_cut, rows_written=rows_written,
        warnings=list(record[index:]), error=error, error_file=error_file,
        error_line=error_line,
        outcome=outcome(status, response_headers, response_text, error))


_FIXED = 14  # the record's leading single values, before the counted pairs


def outcome(status: int, headers: Sequence[tuple[str, str]], body: str,
            error: str | None) -> str:
    """Say what an answer meant: a token issued, the page's ``Error``, a redirect, a failure.

    Read from the recorded answer when the journal is read, never on the request path.
    """
    if error is not None:
        return f"page error: {error}"
    if 300 <= status < 400:
        location = next((value for name, value in headers if name.lower() == "location"), None)
        if location is not None:
            return f"redirect → {location}"
    answer = _json_object(body) if body[:1] == "{" else None
    if answer is not None:
        if "emulator_error" in answer:
            return f"refused: {answer['emulator_error']}"
        if "access_token" in answer and status < 400:
            return "token issued"
        if "Error" in answer:
            return str(answer["Error"])
    return str(status)


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


# --- page warnings in the server log ----------------------------------------------------------
# The server log's side of page warnings: each distinct warning at most once per window.
#
# docs/fidelity.md#seed-warnings asks for the warnings in the journal and the log. The journal keeps
# every one; the log would otherwise repeat the same line for every request of a load test (the seed
# page warns on each token it issues), which costs a quarter of the throughput and buries
# anything new. So a repeated warning is logged again only after the window, with a count of the
# repeats it stood for.

log = logging.getLogger("emulator.page")

DEFAULT_WINDOW = 10.0  # seconds during which a repeated warning is counted, not logged
MAX_TRACKED = 1000  # distinct warnings remembered; the oldest is forgotten first


class WarningLog:
    """Log page warnings with repeats folded into a count, per emulator app."""

    def __init__(self, window: float = DEFAULT_WINDOW,
                 now: Callable[[], float] = time.monotonic) -> None:
        self._window = window
        self._now = now
        self._lock = threading.Lock()
        # text -> (when it was last logged, repeats counted since)
        self._seen: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def warn(self, where: str, message: str) -> bool:
        """Log ``message`` for ``where`` unless it was logged within the window; say if logged."""
        moment = self._now()
        with self._lock:
            last = self._seen.get(message)
            if last is not None and moment - last[0] < self._window:
                self._seen[message] = (last[0], last[1] + 1)
                return False
            repeats = last[1] if last is not None else 0
            self._seen[message] = (moment, 0)
            self._seen.move_to_end(message)
            while len(self._seen) > MAX_TRACKED:
                self._seen.popitem(last=False)
        if repeats:
            log.warning("%s: %s (and %d more times in the last %g s)", where, message, repeats,
                        self._window)
        else:
            log.warning("%s: %s", where, message)
        return True
