"""The server log's side of page warnings: each distinct warning at most once per window.

fidelity.md asks for the warnings in the journal and the server log. The journal keeps every
one; the log would otherwise repeat the same line for every request of a load test (the seed
page warns on each token it issues), which costs a quarter of the throughput and buries
anything new. So a repeated warning is logged again only after the window, with a count of the
repeats it stood for.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

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
