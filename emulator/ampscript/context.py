"""What an AMPscript render needs from the page around it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NoReturn, Protocol

from emulator.ampscript.keys import KeyStore
from emulator.ampscript.variables import Variables
from emulator.clock import Clock
from emulator.script.budget import PageBudget
from emulator.store.store import Store


def _ignore(message: str) -> None:
    """Drop a warning (the default when nobody listens)."""


def _ignore_rows(key: str, rows: list[dict[str, Any]]) -> None:
    """Drop the record of rows written (the default outside a page run)."""


class PageSide(Protocol):
    """What the page functions (RequestParameter, Redirect, ...) read of the page's request."""

    def parameter(self, name: str) -> str | None:
        """Return a form field or URL parameter (any case, repeats joined with ","), or None."""

    def header(self, name: str) -> str | None:
        """Return a request header (any case), or None."""

    def redirect(self, url: str) -> NoReturn:
        """End the page with a 302 to ``url``."""


@dataclass
class AmpscriptContext:
    """The variables a render shares with SSJS, where its warnings go, and the platform's data.

    ``store`` holds the Data Extensions that ``Lookup``/``LookupRows`` read (None: there are
    none), ``clock`` gives time and GUIDs, ``keys`` the keys of ``GetJWTByKeyName``, ``budget``
    the page run's time and memory limits (none outside a page run). ``attributes`` are the
    subscriber's, read by personalization strings, attribute references and ``AttributeValue``
    with names in any case; without them every attribute reads empty
    (docs/fidelity.md#ampscript-attributes).
    """

    variables: Variables
    warn: Callable[[str], None] = _ignore
    store: Store | None = None
    clock: Clock = field(default_factory=Clock)
    keys: KeyStore = field(default_factory=KeyStore)
    budget: PageBudget = field(default_factory=PageBudget.unlimited)
    attributes: Mapping[str, Any] | None = None
    #: called with (DE key, stored rows) after each AMPscript DE write, for the journal
    record_rows: Callable[[str, list[dict[str, Any]]], None] = _ignore_rows
    #: the page's request, for RequestParameter, Redirect and the like (None: not on a page)
    page: PageSide | None = None
    #: where a TriggeredSend's messages are captured (emulator.sends.outbox); None: not captured
    outbox: Any = None
    #: what answers HTTPGet/HTTPPost (emulator.outbound.Outbound); None: every call fails
    outbound: Any = None
    #: the page run's ObjectSession (emulator/objects), made by its first Invoke call
    objects: Any = field(default=None, init=False, repr=False)
    _now: datetime | None = field(default=None, init=False, repr=False)
    _folded: dict[str, Any] | None = field(default=None, init=False, repr=False)

    def attribute(self, name: str) -> Any:
        """Return the subscriber attribute ``name`` (any case), or empty text when it is absent.

        See docs/fidelity.md#ampscript-attributes.
        """
        if not self.attributes:
            return ""
        if self._folded is None:
            self._folded = {str(key).strip().casefold(): value
                            for key, value in reversed(list(self.attributes.items()))}
        return self._folded.get(name.strip().casefold(), "")

    def now(self) -> datetime:
        """Return the render's one instant as CST wall-clock time.

        See docs/fidelity.md#now-per-page.
        """
        if self._now is None:
            # RT: Now() is CST (UTC-6, no DST) and the same instant for every call in a render.
            self._now = self.clock.now_cst().replace(tzinfo=None)
        return self._now
