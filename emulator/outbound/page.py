"""One page request's outbound calls, kept small for its journal entry.

The page's doors send through a :class:`PageOutbound`, which hands each call to the app's
:class:`~emulator.outbound.send.Outbound` and keeps the first :data:`CALLS_KEPT` of them, each
cut to its bounds (bodies :data:`BODY_KEPT` bytes, headers :data:`HEADERS_KEPT` bytes a side);
later calls are only counted. So a page that calls out 10,000 times keeps a small entry, and
its memory budget pays for none of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from emulator.journal import cut, utf8_size

if TYPE_CHECKING:
    from emulator.outbound.send import Outbound, OutboundAnswer, OutboundRequest
    from emulator.script.budget import PageBudget

CALLS_KEPT = 20  # calls a journal entry keeps whole; the rest are counted
BODY_KEPT = 2 * 1024  # UTF-8 bytes of each body a kept call shows
HEADER_KEPT = 512  # UTF-8 bytes of each header name or value
HEADERS_KEPT = 2 * 1024  # UTF-8 bytes of one side's headers together
URL_KEPT = 2 * 1024

#: A kept call, flat (the journal keeps tuples of atoms), its fields
#: :data:`emulator.journal.CALL_FIELDS`.
CallRecord = tuple[Any, ...]


class PageOutbound:
    """The outbound side as one page run sees it: the app's stubs, this page's calls."""

    __slots__ = ("outbound", "kept", "made")

    def __init__(self, outbound: Outbound) -> None:
        self.outbound = outbound
        self.kept: list[CallRecord] = []
        self.made = 0  # every call, kept or not

    def send(self, request: OutboundRequest, budget: PageBudget | None = None,
             warn: Callable[[str], None] | None = None,
             charset: str = "utf-8") -> OutboundAnswer:
        """Send through the app's outbound side; the call is kept for the journal."""
        return self.outbound.send(request, budget, warn, charset, page=self)

    def add(self, request: OutboundRequest, answer: OutboundAnswer | None, error: str | None,
            duration_ms: float) -> None:
        """Keep one call (its answer, or the error that stood for one)."""
        self.made += 1
        if len(self.kept) >= CALLS_KEPT:
            return
        self.kept.append((
            request.door, request.method.upper(), cut(request.url, URL_KEPT),
            _headers(request.headers), cut(request.body, BODY_KEPT),
            answer.status if answer is not None else None,
            _headers(answer.headers) if answer is not None else (),
            cut(answer.text, BODY_KEPT) if answer is not None else "",
            cut(error, BODY_KEPT) if error is not None else None,
            answer.stub if answer is not None else None,
            answer.via if answer is not None else None,
            round(duration_ms, 3)))

    def record(self) -> tuple[tuple[CallRecord, ...], int] | None:
        """Return what the journal keeps: the kept calls and how many were made; None: none."""
        return (tuple(self.kept), self.made) if self.made else None


def _headers(headers: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    kept, room = [], HEADERS_KEPT
    for name, value in headers:
        pair = (cut(name, HEADER_KEPT), cut(value, HEADER_KEPT))
        room -= utf8_size(pair[0]) + utf8_size(pair[1])
        if room < 0:
            kept.append(("(cut)", f"{len(headers) - len(kept)} more header(s) not kept"))
            break
        kept.append(pair)
    return tuple(kept)
