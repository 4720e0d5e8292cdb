"""The one reset rule (design.md): back to the fixture state by default, empty on request.

The admin API, the CLI, the mock and the pytest fixtures all reset through :func:`reset`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from emulator.errors import ConfigError
from emulator.runtime import Emulator
from emulator.store.schema import DataExtensionSchema

ResetTarget = Literal["fixtures", "empty"]
RESET_TARGETS: tuple[str, ...] = ("fixtures", "empty")


@dataclass(frozen=True)
class _Empty:
    schema: DataExtensionSchema
    rows: tuple[()] = ()


def reset(emulator: Emulator, to: str = "fixtures") -> None:
    """Reset the store: ``fixtures`` reloads the fixture DEs whole (schemas and rows), dropping
    any DE created since; ``empty`` keeps every DE's schema and removes every row.

    The request journal is cleared too, and a frozen clock stays frozen.
    """
    if to == "fixtures":
        emulator.store.replace_all(emulator.fixtures)
    elif to == "empty":
        store = emulator.store
        store.replace_all([_Empty(store.schema(key)) for key in store.keys()])
    else:
        raise ConfigError(f"cannot reset to {to!r}; expected one of: {', '.join(RESET_TARGETS)}")
    emulator.journal.clear()
