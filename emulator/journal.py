"""The bounded, in-memory request journal: what each request did, newest first.

design.md: method, path, status, duration, bodies, rows written and warnings, owned by the core
and read by the admin API and the dashboard. Bodies are kept up to :data:`BODY_LIMIT` bytes so a
flood of large requests cannot grow memory without bound.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

BODY_LIMIT = 64 * 1024


def _clip(body: bytes) -> tuple[str, bool]:
    clipped = body[:BODY_LIMIT]
    return clipped.decode("utf-8", errors="replace"), len(body) > BODY_LIMIT


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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    """A thread-safe ring of the last ``size`` requests."""

    def __init__(self, size: int = 500) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, *, time: str, method: str, path: str, query_string: str, page: str | None,
               status: int, duration_ms: float, request_headers: list[tuple[str, str]],
               request_body: bytes, response_headers: list[tuple[str, str]],
               response_body: bytes, rows_written: list[dict[str, Any]] | None = None,
               warnings: list[str] | None = None, error: str | None = None) -> JournalEntry:
        """Add one request and return its entry."""
        req_text, req_cut = _clip(request_body)
        resp_text, resp_cut = _clip(response_body)
        with self._lock:
            entry = JournalEntry(
                id=next(self._ids), time=time, method=method, path=path,
                query_string=query_string, page=page, status=status,
                duration_ms=round(duration_ms, 3), request_headers=request_headers,
                request_body=req_text, request_body_truncated=req_cut,
                response_headers=response_headers, response_body=resp_text,
                response_body_truncated=resp_cut, rows_written=list(rows_written or []),
                warnings=list(warnings or []), error=error)
            self._entries.append(entry)
        return entry

    def entries(self) -> list[JournalEntry]:
        """Return the entries, newest first."""
        with self._lock:
            return list(reversed(self._entries))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
