"""The one clock and ID provider every page reads time and new GUIDs through.

docs/design.md: tests freeze it (``MCEMU_FROZEN_TIME``, and a handle on the mock) so that pages
which stamp ``iat``/``exp``/``jti`` are reproducible. SFMC's own clock is Central Standard Time with
no daylight saving (docs/fidelity.md#now-cst).
"""

from __future__ import annotations

import math
import re
import threading
import uuid
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: SFMC server time: UTC-6 all year round.
CST = timezone(timedelta(hours=-6), "CST")
#: The longest step :meth:`Clock.advance` takes: 100 years of 365.25 days, in seconds.
MAX_ADVANCE = 100 * 365.25 * 24 * 3600
#: The account's time zone unless ``--time-zone`` says otherwise: the system's own, UTC-6
#: (ASSUMED "local-time-zone"; the platform takes it from the user's settings).
DEFAULT_LOCAL_ZONE = "UTC-6"
_OFFSET = re.compile(r"UTC(?:([+-])([0-9]{1,2})(?::?([0-9]{2}))?)?", re.IGNORECASE)


def zone_of(name: str) -> tzinfo:
    """Return the zone ``name``: ``UTC``, ``UTC+2``, ``UTC-05:30`` or an IANA name; ValueError."""
    text = name.strip()
    match = _OFFSET.fullmatch(text)
    if match is not None:
        sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
        if offset > timedelta(hours=14) or int(minutes or 0) > 59:
            raise ValueError(f"{name!r} is beyond UTC-14 to UTC+14")
        return timezone(-offset if sign == "-" else offset, text.upper())
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is no time zone") from None


class Clock:
    """Current time and new GUIDs, frozen on request."""

    def __init__(self, frozen: datetime | None = None, local_zone: tzinfo = CST) -> None:
        #: the account's time zone: SystemDateToLocalDate's target (docs/fidelity.md#local-time)
        self.local_zone = local_zone
        self._lock = threading.Lock()
        self._frozen = frozen
        self._guid_counter = 0
        self._saved = (frozen, 0)  # what rollback() puts back: as built until a checkpoint

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

    def advance(self, seconds: float) -> datetime:
        """Move the clock ``seconds`` forward and return the new instant.

        A frozen clock moves from where it stands; a running clock is frozen at now + ``seconds``
        (it stays frozen: :meth:`freeze` with ``None`` lets it run again). ``seconds`` is a
        number from 0 to :data:`MAX_ADVANCE`; to go back, freeze at an earlier time.
        """
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise TypeError(f'"advance" takes a number of seconds, not {seconds!r} '
                            f"({type(seconds).__name__})")
        if not math.isfinite(seconds) or not 0 <= seconds <= MAX_ADVANCE:
            raise ValueError(f'"advance" takes seconds from 0 to {MAX_ADVANCE:,.0f} (100 years), '
                             f"not {seconds!r}; to go back, freeze the clock at an earlier time")
        with self._lock:
            start = self._frozen or datetime.now(timezone.utc)
            try:
                self._frozen = start + timedelta(seconds=seconds)
            except OverflowError:
                raise ValueError(f"advancing {start.isoformat()} by {seconds!r} seconds "
                                 "passes the year 9999") from None
            self._guid_counter = 0
            return self._frozen

    def now_utc(self) -> datetime:
        """Return the current instant in UTC."""
        frozen = self._frozen
        return frozen.astimezone(timezone.utc) if frozen else datetime.now(timezone.utc)

    def now_cst(self) -> datetime:
        """Return the platform's local time (CST, UTC-6)."""
        return self.now_utc().astimezone(CST)

    def checkpoint(self) -> None:
        """Remember the frozen moment and the GUID sequence, for :meth:`rollback`."""
        with self._lock:
            self._saved = (self._frozen, self._guid_counter)

    def rollback(self) -> None:
        """Put the frozen moment (or a running clock) and the GUID sequence back as checkpointed."""
        with self._lock:
            self._frozen, self._guid_counter = self._saved

    def new_guid(self) -> str:
        """Return a new GUID; a frozen clock gives a reproducible sequence."""
        if self._frozen is None:
            return str(uuid.uuid4())
        with self._lock:
            self._guid_counter += 1
            count = self._guid_counter
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"mcemu:{self._frozen.isoformat()}:{count}"))
