"""The one clock and ID provider every page reads time and new GUIDs through.

docs/design.md: tests freeze it (``MCEMU_FROZEN_TIME``, and a handle on the mock) so that pages
which stamp ``iat``/``exp``/``jti`` are reproducible. SFMC's own clock is Central Standard Time with
no daylight saving (docs/fidelity.md#now-cst).
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone

#: SFMC server time: UTC-6 all year round.
CST = timezone(timedelta(hours=-6), "CST")


class Clock:
    """Current time and new GUIDs, frozen on request."""

    def __init__(self, frozen: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen = frozen
        self._guid_counter = 0

    @property
    def frozen(self) -> datetime | None:
        return self._frozen

    def freeze(self, moment: datetime | None) -> None:
        """Stop the clock at ``moment`` (naive means UTC); ``None`` lets it run again."""
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        with self._lock:
            self._frozen = moment
            self._guid_counter = 0

    def now_utc(self) -> datetime:
        """Return the current instant in UTC."""
        frozen = self._frozen
        return frozen.astimezone(timezone.utc) if frozen else datetime.now(timezone.utc)

    def now_cst(self) -> datetime:
        """Return the platform's local time (CST, UTC-6)."""
        return self.now_utc().astimezone(CST)

    def new_guid(self) -> str:
        """Return a new GUID; a frozen clock gives a reproducible sequence."""
        if self._frozen is None:
            return str(uuid.uuid4())
        with self._lock:
            self._guid_counter += 1
            count = self._guid_counter
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mcemu:{self._frozen.isoformat()}:{count}"))
