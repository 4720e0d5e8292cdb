"""The AMPscript variable scope, shared with SSJS ``Variable.SetValue/GetValue``.

docs/fidelity.md#variable-values: ``@`` optional, names case-insensitive, numbers and
booleans keep their type, a never-set variable reads ``null``.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.script.budget import PageBudget, size_of
from emulator.script.undefined import UNDEFINED

_NAME = re.compile(r"@?[A-Za-z0-9_]+")


class Variables:
    """One request's AMPscript variables: ``"x"``, ``"@x"`` and ``"@X"`` are one variable.

    With a ``budget`` (a page run's), what the values hold counts against its memory: a value
    replaced gives its bytes back (docs/fidelity.md#page-budget).
    """

    def __init__(self, budget: PageBudget | None = None) -> None:
        self._values: dict[str, Any] = {}
        self.budget = budget

    def set(self, name: str, value: Any) -> None:
        """Store ``value`` as given; ``undefined`` reads back as ``null``.

        See docs/fidelity.md#variable-values.
        """
        key = self.key(name)
        value = None if value is UNDEFINED else value
        if self.budget is not None:
            self.budget.charge(size_of(value) - size_of(self._values.get(key)))
        self._values[key] = value

    def get(self, name: str) -> Any:
        """Return the value of ``name``; a never-set variable reads ``None``."""
        return self._values.get(self.key(name))

    def declare(self, name: str) -> None:
        """Declare ``name`` as ``VAR`` does: (re)set it to ``None``.

        See docs/fidelity.md#ampscript-var-set.
        """
        self.set(name, None)

    @staticmethod
    def key(name: str) -> str:
        """Return the canonical key of ``name``; raise ``ValueError`` for an invalid name."""
        key = _KEYS.get(name) if isinstance(name, str) else None
        if key is not None:
            return key
        if not isinstance(name, str) or _NAME.fullmatch(name) is None:
            raise ValueError(f"invalid AMPscript variable name {name!r}")
        key = name.removeprefix("@").lower()
        if len(_KEYS) < _KEYS_LIMIT:  # bounded: pages choose their names
            _KEYS[name] = key
        return key


#: Canonical keys of the names seen so far: pages use a few names, on every request.
_KEYS: dict[str, str] = {}
_KEYS_LIMIT = 4096
