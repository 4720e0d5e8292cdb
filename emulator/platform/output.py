"""``Write`` and ``Platform.Response``: the page's response buffer.

fidelity.md: ``Write(s)`` appends with no separator; non-strings in their CLR text;
``null``/``undefined`` write nothing (RT).
"""

from __future__ import annotations

from typing import Any

from emulator.platform.context import PageContext
from emulator.script.clr import clr_text
from emulator.script.js import UNDEFINED


class Writer:
    """The global ``Write`` function, available after ``Platform.Load``."""

    def __init__(self, context: PageContext) -> None:
        self._context = context

    def __call__(self, value: Any = UNDEFINED, *ignored: Any) -> Any:
        # Extra arguments are ignored, zero arguments write nothing (sfmc-facts 2.14).
        self._context.output.append(clr_text(value))
        return UNDEFINED


class PlatformResponse:
    """``Platform.Response``: only ``Write`` in this version.

    ``ContentType``, ``SetResponseHeader``, ``Redirect`` and ``SetCookie`` are not emulated yet.
    """

    def __init__(self, context: PageContext) -> None:
        self._context = context

    def Write(self, value: Any = UNDEFINED, *ignored: Any) -> None:  # noqa: N802 (SSJS name)
        self._context.output.append(clr_text(value))
        return None
