"""How many SSJS page requests run at once: a few more wait briefly, the rest are turned away.

A page holds a server thread while its worker runs it, so without a bound a handful of requests
to a slow page would take every thread, and the built-in pages, the REST routes and the admin
API would queue behind them. As many requests as there are workers run; as many again may wait
up to :data:`QUEUE_WAIT` seconds for one of them to finish; any other is answered at once with
HTTP 503 (docs/fidelity.md#ssjs-busy). So SSJS pages hold at most :attr:`Admission.capacity`
server threads, and a request that waited still gets its page's whole time limit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Seconds a page request may wait for a busy worker before it is answered 503. Short: a test
#: suite's few parallel requests get served, a flood is turned away without holding threads.
QUEUE_WAIT = 1.0


class PoolBusy(Exception):
    """Every SSJS worker is busy, and the request could not wait for one."""


class Admission:
    """Admit at most ``running`` page runs at once; let up to ``waiting`` more wait briefly."""

    def __init__(self, running: int, waiting: int | None = None,
                 wait: float = QUEUE_WAIT) -> None:
        waiting = running if waiting is None else waiting
        self.capacity = running + waiting  # the most server threads SSJS pages hold at once
        self.wait = wait
        self._running = threading.BoundedSemaphore(running)
        self._waiting = threading.BoundedSemaphore(waiting) if waiting else None

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the running places for the ``with`` block; raise PoolBusy if none frees."""
        if not self._running.acquire(blocking=False):
            self._wait_for_place()
        try:
            yield
        finally:
            self._running.release()

    def _wait_for_place(self) -> None:
        if self._waiting is None or not self._waiting.acquire(blocking=False):
            raise PoolBusy("every SSJS worker is busy and enough requests already wait for one")
        try:
            if not self._running.acquire(timeout=self.wait):
                raise PoolBusy(f"no SSJS worker became free within {self.wait:g} s")
        finally:
            self._waiting.release()
