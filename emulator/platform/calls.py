"""How a platform method refuses a call with the wrong number of arguments.

docs/fidelity.md#engine-generic-error: "Unable to retrieve security descriptor for this frame." is
the engine's error for a wrong argument count or an unknown member; the DE functions throw it for
their scalar forms too (docs/fidelity.md#de-functions-arrays). Page ports call platform methods with
SSJS arguments, so methods that can be miscalled take ``*args`` and check them here.
"""

from __future__ import annotations

from typing import Any

from emulator.script.errors import PlatformError

ARITY_ERROR = "Unable to retrieve security descriptor for this frame."


def arity(args: tuple[Any, ...], low: int, high: int) -> None:
    """Raise the platform's arity error unless ``low <= len(args) <= high``."""
    if not low <= len(args) <= high:
        raise PlatformError(ARITY_ERROR)


def padded(args: tuple[Any, ...], size: int, fill: Any) -> tuple[Any, ...]:
    """Return ``args`` filled up to ``size`` with ``fill`` (optional arguments left out)."""
    return args + (fill,) * (size - len(args))
