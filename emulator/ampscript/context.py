"""What an AMPscript render needs from the page around it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from emulator.ampscript.variables import Variables


def _ignore(message: str) -> None:
    """Drop a warning (the default when nobody listens)."""


@dataclass
class AmpscriptContext:
    """The variables a render shares with SSJS, and where its warnings go."""

    variables: Variables
    warn: Callable[[str], None] = _ignore
