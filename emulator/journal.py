"""The bounded, in-memory request journal: what each request did, newest first.

And the server log's side of the same warnings (:class:`WarningLog`), which folds repeats.

docs/design.md: method, path, status, duration, bodies, rows written and warnings, owned by the core
and read by the admin API and the dashboard. Every text an entry keeps is bounded in UTF-8 bytes
(the bounds below, all in this one place): bodies are kept up to :data:`BODY_LIMIT` bytes with a
``truncated`` flag, and any other text longer than its bound is cut by :func:`cut`, which says how
long it was. So a flood of large requests cannot grow memory, whatever a client or a page sends.

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
from itertools import chain
from typing import Any

# --- the bounds of one entry, in UTF-8 bytes -------------------------------------------------
BODY_LIMIT = 64 * 1024  # each body, request and response
WARNING_LIMIT = 2 * 1024  # each warning
MAX_WARNINGS = 20  # warnings kept per entry; one more line says how many were not
ERROR_LIMIT = 8 * 1024  # the error text
ERROR_FILE_LIMIT = 1024  # the file the error arose in
PATH_LIMIT = 4 * 1024  # the path; the query string too
HEADER_LIMIT = 8 * 1024  # each header's name and each header's value (User-Agent among them)
HEADERS_LIMIT = 16 * 1024  # all request headers together; all response headers together
ROW_VALUE_LIMIT = 4 * 1024  # each text value of a row written (a Text field holds 4,000)
ROWS_LIMIT = 32 * 1024  # all rows written together; later rows are counted, not kept
#: The name of the one header that stands for the headers an entry could not keep.
HEADERS_CUT = "(cut)"


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
    #: The fault that stood in for the page (emulator.faults): ``{"id": 3, "did": "answered
    #: 503"}``; None when the page answered. A dropped connection has status 0.
    fault: dict[str, Any] | None = None
    #: The client id of the bearer token a REST call carried (emulator.rest); None otherwise.
    client_id: str | None = None
    #: The page's outbound HTTP calls (emulator.outbound.page), the first CALLS_KEPT of them:
    #: door, method, url, headers and bodies (cut), status or error, stub, via, duration_ms.
    calls: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    """A thread-safe ring of the last ``size`` requests."""

    def __init__(self, size: int = 500) -> None:
        self._records: deque[tuple[Any, ...]] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._saved: tuple[list[tuple[Any, ...]], int] = ([], 1)  # rollback()'s: as built

    def record(self, *, at: float, method: str, path: str, query_string: str, page: str | None,
               status: int, duration_ms: float, request_headers: Sequence[tuple[str, str]],
               request_body: bytes, response_headers: Sequence[tuple[str, str]],
               response_body: bytes, rows_written: Sequence[dict[str, Any]] | None = None,
               warnings: Sequence[str] | None = None, error: str | None = None,
               error_file: str | None = None, error_line: int | None = None,
               fault: tuple[int, str] | None = None, client_id: str | None = None,
               calls: tuple[tuple[tuple[Any, ...], ...], int] | None = None) -> int:
        """Add one request (``at``: seconds since the epoch) and return its entry's id.

        Every text is cut to its bound (the constants above); the caller's values are not changed.
        ``calls``: the page's outbound calls as emulator.outbound.page keeps them (already
        bounded) and how many were made.
        """
        # Each check is one len(): a text of at most limit / 4 characters fits in any encoding.
        if len(method) > _SURE_PATH:
            method = cut(method, PATH_LIMIT)
        if len(path) > _SURE_PATH:
            path = cut(path, PATH_LIMIT)
        if len(query_string) > _SURE_PATH:
            query_string = cut(query_string, PATH_LIMIT)
        if error is not None and len(error) > _SURE_ERROR:
            error = cut(error, ERROR_LIMIT)
        if error_file is not None and len(error_file) > _SURE_ERROR_FILE:
            error_file = cut(error_file, ERROR_FILE_LIMIT)
        flat: list[Any] = [at, method, path, query_string, page, status, duration_ms, error,
                           error_file, error_line,
                           _kept(request_body), len(request_body) > BODY_LIMIT,
                           _kept(response_body), len(response_body) > BODY_LIMIT, fault,
                           client_id, calls]
        _flatten_headers(flat, request_headers)
        _flatten_headers(flat, response_headers)
        rows_note = _flatten_rows(flat, rows_written or ())
        flat.extend(bounded_warnings(warnings or ()))  # the rest: the warnings
        if rows_note is not None:
            flat.append(rows_note)
        if calls is not None and calls[1] > len(calls[0]):
            flat.append(f"{calls[1] - len(calls[0]):,} more outbound call(s) made, not kept in "
                        f"the journal: an entry keeps {len(calls[0])}")
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

    def checkpoint(self) -> None:
        """Remember the entries and the next entry id, for :meth:`rollback`."""
        with self._lock:
            following = next(self._ids)
            self._ids = itertools.count(following)
            self._saved = (list(self._records), following)

    def rollback(self) -> None:
        """Put the entries and the next entry id back as they were at :meth:`checkpoint`."""
        with self._lock:
            records, following = self._saved
            self._records.clear()
            self._records.extend(records)
            self._ids = itertools.count(following)

    def __len__(self) -> int:
        return len(self._records)


def cut(text: str, limit: int) -> str:
    """Return ``text`` if it fits in ``limit`` UTF-8 bytes, else its head and how long it was.

    The head ends on a character boundary and, with the marker (``… [cut: 5,242,880 bytes]``),
    fits in ``limit`` bytes.
    """
    if len(text) <= limit >> 2:
        return text  # at most 4 bytes a character: it fits without encoding it
    data = text.encode("utf-8", "surrogatepass")  # a page's lone surrogates are counted too
    if len(data) <= limit:
        return text
    marker = f"… [cut: {len(data):,} bytes]"
    keep = max(0, limit - len(marker.encode("utf-8")))
    # "ignore" drops the character the cut went through (and any lone surrogate).
    return data[:keep].decode("utf-8", "ignore") + marker


def utf8_size(text: str) -> int:
    """Return the number of UTF-8 bytes of ``text`` (lone surrogates counted as 3)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def too_many_warnings(count: int | None = None) -> str:
    """Return the line that stands for the warnings (``count`` of them, if known) not kept."""
    more = "more warnings" if count is None else f"{count:,} more warning(s)"
    return f"{more} not kept: a request keeps at most {MAX_WARNINGS} (and logs no more)"


def bounded_warnings(warnings: Sequence[str]) -> Sequence[str]:
    """Return at most MAX_WARNINGS + 1 warnings, each cut to WARNING_LIMIT bytes.

    The one extra is the line saying how many more there were (the page context adds it too).
    """
    if len(warnings) <= MAX_WARNINGS + 1:
        for warning in warnings:
            if len(warning) > _SURE_WARNING:
                break
        else:
            return warnings  # the usual case: a few short warnings, kept as they are
    kept = [cut(warning, WARNING_LIMIT) for warning in warnings[:MAX_WARNINGS + 1]]
    if len(warnings) > MAX_WARNINGS + 1:
        kept[MAX_WARNINGS:] = [too_many_warnings(len(warnings) - MAX_WARNINGS)]
    return kept


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


def _flatten_headers(flat: list[Any], headers: Sequence[tuple[str, str]]) -> None:
    """Append the headers as counted pairs, within HEADER_LIMIT each and HEADERS_LIMIT in all."""
    count_at = len(flat)
    flat.append(0)
    chars = 0
    for name, value in headers:
        chars += len(name) + len(value)
        flat.append(name)
        flat.append(value)
    if chars > _SURE_HEADERS:  # rare: measure in bytes, cut, and drop what does not fit
        del flat[count_at + 1:]
        _append_bounded_headers(flat, headers)
    flat[count_at] = (len(flat) - count_at - 1) // 2


def _append_bounded_headers(flat: list[Any], headers: Sequence[tuple[str, str]]) -> None:
    room = HEADERS_LIMIT - 96  # kept for the HEADERS_CUT header
    dropped = dropped_bytes = 0
    for name, value in headers:
        kept_name, kept_value = cut(name, HEADER_LIMIT), cut(value, HEADER_LIMIT)
        size = utf8_size(kept_name) + utf8_size(kept_value)
        if size > room:  # left out; a smaller header after it may still fit
            dropped += 1
            dropped_bytes += utf8_size(name) + utf8_size(value)
            continue
        room -= size
        flat.append(kept_name)
        flat.append(kept_value)
    if dropped:
        flat.append(HEADERS_CUT)
        flat.append(f"{dropped} more header(s) not kept: {dropped_bytes:,} bytes")


def _flatten_rows(flat: list[Any], rows: Sequence[dict[str, Any]]) -> str | None:
    """Append the rows written (a count, then each key and its counted pairs), bounded.

    Return the line for the warnings when rows were left out, else ``None``.
    """
    count_at = len(flat)
    flat.append(len(rows))
    for row in rows:
        values = row["row"]
        flat.append(row["dataExtension"])
        flat.append(len(values))
        flat.extend(chain.from_iterable(values.items()))
    # The usual case, measured over everything appended at once: every text is short and plain
    # ASCII (its size is its length) and the rest (counts too) is counted as 16 bytes each, a
    # bound over the exact size: when that fits, the rows are kept as they are.
    texts = [item for item in itertools.islice(flat, count_at + 1, None) if type(item) is str]
    others = len(flat) - count_at - 1 - len(texts)
    if ((not texts or (max(map(len, texts)) <= ROW_VALUE_LIMIT and "".join(texts).isascii()))
            and sum(map(len, texts)) + 16 * others <= ROWS_LIMIT):
        return None
    del flat[count_at + 1:]  # rare: cut each text, keep rows while they fit
    room, kept = ROWS_LIMIT, 0
    for row in rows:
        values = {name: cut(value, ROW_VALUE_LIMIT) if type(value) is str else value
                  for name, value in row["row"].items()}
        room -= utf8_size(row["dataExtension"]) + sum(
            utf8_size(name) + (utf8_size(value) if type(value) is str else 16)
            for name, value in values.items())
        if room < 0:
            break
        kept += 1
        flat.append(row["dataExtension"])
        _flatten_pairs(flat, values.items())
    flat[count_at] = kept
    if kept == len(rows):
        return None
    return (f"{len(rows) - kept:,} more row(s) written, not kept in the journal: an entry keeps "
            f"{ROWS_LIMIT:,} bytes of rows")


# A text of at most this many characters fits its bound whatever it holds (4 bytes a character).
_SURE_PATH = PATH_LIMIT >> 2
_SURE_ERROR = ERROR_LIMIT >> 2
_SURE_ERROR_FILE = ERROR_FILE_LIMIT >> 2
_SURE_WARNING = WARNING_LIMIT >> 2
_SURE_HEADERS = min(HEADER_LIMIT, HEADERS_LIMIT) >> 2  # every name and value together


def _read_pairs(record: tuple[Any, ...], at: int) -> tuple[list[tuple[str, Any]], int]:
    """Return the pairs stored at ``at`` and the index after them."""
    count = record[at]
    start = at + 1
    end = start + 2 * count
    return list(zip(record[start:end:2], record[start + 1:end:2], strict=True)), end


def _entry(entry_id: int, record: tuple[Any, ...]) -> JournalEntry:
    (at, method, path, query_string, page, status, duration_ms, error, error_file, error_line,
     request_body, request_cut, response_body, response_cut, fault, client_id,
     calls) = record[:_FIXED]
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
        outcome=(f"fault {fault[0]}: {fault[1]}" if fault is not None else
                 outcome(status, response_headers, response_text, error)),
        fault=None if fault is None else {"id": fault[0], "did": fault[1]},
        client_id=client_id, calls=[_call_json(call) for call in calls[0]] if calls else [])


_FIXED = 17  # the record's leading single values, before the counted pairs
#: The fields of a kept outbound call, in the order emulator.outbound.page keeps them.
CALL_FIELDS = ("door", "method", "url", "request_headers", "request_body", "status",
               "response_headers", "response_body", "error", "stub", "via", "duration_ms")


def _call_json(call: tuple[Any, ...]) -> dict[str, Any]:
    shown = dict(zip(CALL_FIELDS, call, strict=True))
    shown["request_headers"] = [list(pair) for pair in shown["request_headers"]]
    shown["response_headers"] = [list(pair) for pair in shown["response_headers"]]
    return shown


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
# every one (up to MAX_WARNINGS a request); the log would otherwise repeat the same line for every
# request of a load test (the seed page warns on each token it issues), which costs a quarter of
# the throughput and buries anything new. So a repeated warning is logged again only after the
# window, with a count of the repeats it stood for.

log = logging.getLogger("emulator.page")

DEFAULT_WINDOW = 10.0  # seconds during which a repeated warning is counted, not logged
MAX_TRACKED = 1000  # distinct warnings remembered; the oldest is forgotten first
#: UTF-8 bytes of the distinct warnings remembered, all together; the oldest go first. A warning
#: is remembered (and logged) cut to WARNING_LIMIT, so one cannot take it all.
TRACKED_BYTES = 256 * 1024


class WarningLog:
    """Log page warnings with repeats folded into a count, per emulator app."""

    def __init__(self, window: float = DEFAULT_WINDOW,
                 now: Callable[[], float] = time.monotonic) -> None:
        self._window = window
        self._now = now
        self._lock = threading.Lock()
        # cut text -> (when it was last logged, repeats counted since, its UTF-8 bytes)
        self._seen: OrderedDict[str, tuple[float, int, int]] = OrderedDict()
        self._bytes = 0
        self._saved: tuple[OrderedDict[str, tuple[float, int, int]], int] = (OrderedDict(), 0)

    def warn(self, where: str, message: str) -> bool:
        """Log ``message`` for ``where`` unless it was logged within the window; say if logged.

        A message over WARNING_LIMIT bytes is logged (and remembered) cut, as the journal keeps it.
        """
        if len(message) > _SURE_WARNING:
            message = cut(message, WARNING_LIMIT)
        moment = self._now()
        with self._lock:
            last = self._seen.get(message)
            if last is not None and moment - last[0] < self._window:
                self._seen[message] = (last[0], last[1] + 1, last[2])
                return False
            if last is None:
                size = utf8_size(message)
                self._bytes += size
            else:
                size = last[2]
            repeats = last[1] if last is not None else 0
            self._seen[message] = (moment, 0, size)
            self._seen.move_to_end(message)
            while len(self._seen) > MAX_TRACKED or self._bytes > TRACKED_BYTES:
                self._bytes -= self._seen.popitem(last=False)[1][2]
        if repeats:
            log.warning("%s: %s (and %d more times in the last %g s)", where, message, repeats,
                        self._window)
        else:
            log.warning("%s: %s", where, message)
        return True

    def checkpoint(self) -> None:
        """Remember the warnings seen and their counts, for :meth:`rollback`."""
        with self._lock:
            self._saved = (OrderedDict(self._seen), self._bytes)

    def rollback(self) -> None:
        """Forget the warnings seen since :meth:`checkpoint`: a repeat is logged again."""
        with self._lock:
            seen, self._bytes = self._saved
            self._seen = OrderedDict(seen)

    def tracked_bytes(self) -> int:
        """Return the UTF-8 bytes of the distinct warnings remembered (at most TRACKED_BYTES)."""
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        """Return how many distinct warnings are remembered."""
        return len(self._seen)
