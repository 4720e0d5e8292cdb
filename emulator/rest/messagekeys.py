"""The message keys transactional sends used: unique per business unit over 72 hours.

docs/fidelity.md#rest-messaging-keys: a messageKey is refused while the same unit used it in the
last 72 hours on the emulator's clock. The keys are state: a test's rollback and every reset
clear the ones used since (docs/design.md, the reset table).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta

#: How long a used key stays taken.
KEY_LIFETIME = timedelta(hours=72)
#: Keys kept before the expired ones are swept out (a sweep costs one pass; the next one waits
#: until the keys kept have doubled, so sending stays linear under a frozen clock too).
SWEEP_AT = 10_000
#: Keys kept at most, the oldest forgotten first: a bound on memory that a test never reaches.
MAX_KEYS = 1_000_000


class MessageKeys:
    """The (MID, messageKey) pairs used, with when; a checkpointed part of the state."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # Ordered by use, so the oldest leaves in O(1) at the bound.
        self._used: OrderedDict[tuple[int, str], datetime] = OrderedDict()
        self._saved: OrderedDict[tuple[int, str], datetime] = OrderedDict()
        self._changed = False  # since the checkpoint: a rollback with nothing used is free
        self._sweep_at = SWEEP_AT

    def taken(self, mid: int, key: str, now: datetime) -> bool:
        """Say whether unit ``mid`` used ``key`` less than 72 hours before ``now``."""
        used = self._used.get((mid, key))
        return used is not None and now - used < KEY_LIFETIME

    def use(self, mid: int, keys: list[str], now: datetime) -> None:
        """Mark ``keys`` used by unit ``mid`` at ``now``."""
        with self._lock:
            if len(self._used) + len(keys) > self._sweep_at:
                self._used = OrderedDict((pair, at) for pair, at in self._used.items()
                                         if now - at < KEY_LIFETIME)
                self._sweep_at = max(SWEEP_AT, 2 * len(self._used))
            while self._used and len(self._used) + len(keys) > MAX_KEYS:
                self._used.popitem(last=False)
            for key in keys:
                self._used[(mid, key)] = now
                self._used.move_to_end((mid, key))  # a key used again is the newest
            self._changed = True

    def __len__(self) -> int:
        return len(self._used)

    def clear(self) -> None:
        """Forget every key (a reset)."""
        with self._lock:
            self._used = OrderedDict()
            self._changed = True

    def checkpoint(self) -> None:
        with self._lock:
            self._saved = OrderedDict(self._used)
            self._changed = False

    def rollback(self) -> None:
        with self._lock:
            if self._changed:
                self._used = OrderedDict(self._saved)
                self._changed = False
