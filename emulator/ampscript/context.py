"""What an AMPscript render needs from the page around it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from emulator.ampscript.keys import KeyStore
from emulator.ampscript.variables import Variables
from emulator.clock import Clock
from emulator.script.budget import PageBudget
from emulator.store.store import Store


def _ignore(message: str) -> None:
    """Drop a warning (the default when nobody listens)."""


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
