"""The subscriber the next page requests of an app run for, until cleared (``mc.subscriber``).

A request's ``X-Mcemu-Subscriber`` header wins over it. It is part of the state a test's
rollback puts back, so one test's subscriber never reaches the next.
"""

from __future__ import annotations

HEADER = "X-Mcemu-Subscriber"


class SubscriberContext:
    """The app's default subscriber key (None: pages run without a subscriber)."""

    def __init__(self) -> None:
        self.key: str | None = None
        self._saved: str | None = None

    def checkpoint(self) -> None:
        """Remember the current key."""
        self._saved = self.key

    def rollback(self) -> None:
        """Go back to the key remembered by the last checkpoint."""
        self.key = self._saved
