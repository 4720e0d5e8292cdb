"""One page run's budget: a deadline, and an allowance of bytes the server holds for the page.

A page's script runs in a worker with its own limits, but what it asks of the server (AMPscript,
host calls, variables, output) runs here. The budget bounds that work too: every long-running
step asks :meth:`PageBudget.check` (or :meth:`PageBudget.remaining`, for a regex's match
timeout), and what the server keeps for the page (variables, output, a render's text) is
counted with :meth:`PageBudget.charge`; a value that only passes through (a function's result,
a host call's request and reply, a rowset) is measured with :meth:`PageBudget.fits`, before it is
built where it could explode. Sizes are the bytes of character data as CPython stores them: 1, 2
or 4 per character (:func:`text_bytes`), without object headers.

Past either limit the page ends with an exception the page's own ``try``/``catch`` cannot
stop (docs/fidelity.md#page-budget): both derive from BaseException, like a redirect.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from typing import Any

DEFAULT_TIME_LIMIT = 10.0  # seconds, as the ssjs_timeout setting's default
DEFAULT_MEMORY_LIMIT = 64 * 1024 * 1024  # bytes: two pages at once (two SSJS workers) stay small
#: A non-ASCII str's header: sys.getsizeof gives it plus (length + 1) × bytes per character.
_COMPACT_HEADER = sys.getsizeof("\xe9") - 2
_SCALAR_SIZE = 8  # numbers, booleans, dates, null: a word each is close enough


class PageTimeUp(BaseException):
    """The page ran past its time limit; the runner answers 408."""


class PageOutOfMemory(BaseException):
    """The page made the server hold more than its memory limit; the runner answers 500."""


class PageBudget:
    """A deadline (monotonic) and a byte allowance for one page run; not thread-safe."""

    __slots__ = ("deadline", "held", "memory_limit", "time_limit")

    def __init__(self, time_limit: float = DEFAULT_TIME_LIMIT,
                 memory_limit: float = DEFAULT_MEMORY_LIMIT) -> None:
        self.time_limit = time_limit
        self.memory_limit = memory_limit
        self.deadline = time.monotonic() + time_limit
        self.held = 0

    @classmethod
    def unlimited(cls) -> PageBudget:
        """Return a budget that never runs out (AMPscript rendered outside a page run)."""
        return cls(math.inf, math.inf)

    def restart(self) -> None:
        """Start the time limit again from now (a fresh worker's start-up is not the page's)."""
        self.deadline = time.monotonic() + self.time_limit

    def remaining(self) -> float:
        """Return the seconds left before the deadline (0 when past it, inf when unlimited)."""
        return max(0.0, self.deadline - time.monotonic())

    def check(self) -> None:
        """Raise PageTimeUp when the deadline has passed."""
        if time.monotonic() >= self.deadline:
            raise PageTimeUp(f"the page ran for more than {self.time_limit:g} s")

    def charge(self, size: int) -> None:
        """Count ``size`` more bytes held for the page (negative: given back); raise past it."""
        self.held += size
        if self.held > self.memory_limit:
            self.held -= size  # what failed was never kept
            raise self._out_of_memory(size)

    def charge_text(self, text: str) -> None:
        """Count ``text``'s character data as held for the page."""
        self.charge(text_bytes(text))

    def fits(self, size: int) -> None:
        """Raise PageOutOfMemory unless ``size`` more bytes fit beside what the page holds."""
        if self.held + size > self.memory_limit:
            raise self._out_of_memory(size)

    def pacer(self, every: int = 64 * 1024) -> Callable[[], None]:
        """Return a function to call per step of a long loop; it checks every ``every`` steps."""
        count = 0

        def step() -> None:
            nonlocal count
            count += 1
            if count >= every:
                count = 0
                self.check()

        return step

    def _out_of_memory(self, size: int) -> PageOutOfMemory:
        return PageOutOfMemory(f"the page needed {self.held + size} bytes of server memory, "
                               f"more than the limit of {self.memory_limit:g}")


def text_bytes(text: str) -> int:
    """Return the bytes of ``text``'s characters as CPython stores them (1, 2 or 4 each)."""
    if text.isascii():  # O(1): a flag of the string
        return len(text)
    return (sys.getsizeof(text) - _COMPACT_HEADER) // (len(text) + 1) * len(text)


def char_width(*texts: str) -> int:
    """Return the bytes per character of a text made of ``texts``: the widest one's (1, 2 or 4)."""
    return max((text_bytes(text) // len(text) for text in texts if text), default=1)


def joined_bytes(parts: list[str]) -> int:
    """Return the bytes of ``"".join(parts)`` without building it."""
    return sum(len(part) for part in parts) * char_width(*parts)


def size_of(value: Any) -> int:
    """Return about the bytes ``value`` holds: texts by :func:`text_bytes`, containers summed.

    Rowsets and rows (anything with ``rows`` or ``fields``) count their cells.
    """
    if isinstance(value, str):
        return text_bytes(value)
    if value is None:  # a variable never set, or set to null, holds nothing
        return 0
    if isinstance(value, dict):
        return sum(text_bytes(str(key)) + size_of(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return sum(size_of(item) for item in value) + _SCALAR_SIZE * len(value)
    rows = getattr(value, "rows", None)
    if isinstance(rows, tuple):
        return _held_by(value, rows)
    fields = getattr(value, "fields", None)
    if isinstance(fields, tuple):
        return _held_by(value, fields, _fields_size)
    return _SCALAR_SIZE


def _fields_size(fields: tuple[Any, ...]) -> int:
    """Return :func:`size_of` of a row's ``(name, value)`` pairs, without a call per pair."""
    total = 3 * _SCALAR_SIZE * len(fields)  # each pair, and its two slots
    for name, value in fields:
        total += text_bytes(name) + (text_bytes(value) if type(value) is str else size_of(value))
    return total


def _held_by(holder: Any, cells: tuple[Any, ...],
             measure: Callable[[tuple[Any, ...]], int] | None = None) -> int:
    """Return the size of a rowset's or row's cells, counted once per object.

    Rows and rowsets never change after they are made, and a page sets the same ones into
    variables again and again (``SET @row = Row(@rows, @i)`` in a loop): walking them each time
    was a third of an AMPscript page's time.
    """
    size = getattr(holder, "_held_bytes", None)
    if size is None:
        size = (measure or size_of)(cells)
        try:
            holder._held_bytes = size
        except AttributeError:  # a holder without room for it: count it each time
            pass
    return size
