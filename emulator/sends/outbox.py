"""The outbox: every message a page sent, captured and never delivered.

One message a recipient::

    {"id": 1, "definitionKey": "welcome", "definitionObjectID": "...",
     "subscriberKey": "ann", "emailAddress": "ann@example.org",
     "attributes": {"First Name": "Ann"}, "time": "2024-01-01T12:00:00+00:00"}

``time`` is the emulator clock's (a frozen clock gives a fixed one). The outbox is a part of
the emulator's state: checkpointed and rolled back with the others, and cleared by a reset
whatever its target (docs/design.md, "State").
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from emulator import assumptions


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Outbox:
    """The captured messages, oldest first; past the limit the oldest go (ASSUMED)."""

    def __init__(self, now: Callable[[], datetime] = _utc_now,
                 limit: int = assumptions.OUTBOX_LIMIT) -> None:
        self.now = now
        self.limit = limit
        self._lock = threading.Lock()
        self._messages: list[dict[str, Any]] = []
        self._next_id = 1
        self._saved: tuple[tuple[dict[str, Any], ...], int] = ((), 1)

    def record(self, messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Add ``messages`` (sent together: one time) and return them with id and time."""
        at = self.now().isoformat()
        with self._lock:
            added = []
            for message in messages:
                added.append({"id": self._next_id, **copy.deepcopy(dict(message)), "time": at})
                self._next_id += 1
            self._messages.extend(added)
            if len(self._messages) > self.limit:
                del self._messages[:len(self._messages) - self.limit]
            return copy.deepcopy(added)

    def messages(self) -> list[dict[str, Any]]:
        """Return copies of the messages, oldest first."""
        with self._lock:
            return copy.deepcopy(self._messages)

    def __len__(self) -> int:
        return len(self._messages)

    def clear(self) -> None:
        """Forget every message (ids start again at 1)."""
        with self._lock:
            self._messages = []
            self._next_id = 1

    def checkpoint(self) -> None:
        """Remember the current messages."""
        with self._lock:
            self._saved = (tuple(self._messages), self._next_id)

    def rollback(self) -> None:
        """Go back to the messages remembered by the last checkpoint."""
        with self._lock:
            # The saved dicts are never handed out or changed (record and messages copy).
            self._messages = list(self._saved[0])
            self._next_id = self._saved[1]
