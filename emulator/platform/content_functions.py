"""``Platform.Function.ContentBlockByKey``, ``ContentBlockByName`` and ``ContentBlockByID``.

docs/fidelity.md#content-blocks: the SSJS forms read only their first argument and return the
block rendered as content, sharing the page's variables; a missing block throws a catchable
error (the AMPscript forms' message).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator import assumptions
from emulator.ampscript import render
from emulator.ampscript.functions.content import render_block
from emulator.content import lookup
from emulator.platform.context import PageContext
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError


class ContentFunctions:
    """The content block members of ``Platform.Function`` (a mixin of PlatformFunction)."""

    _context: PageContext

    def ContentBlockByKey(self, key: Any = "", *ignored: Any) -> str:
        return self._block("ContentBlockByKey", "key", key,
                           lambda store: lookup.by_key(store, clr_text(key)))

    def ContentBlockByName(self, path: Any = "", *ignored: Any) -> str:
        return self._block("ContentBlockByName", "name path", path,
                           lambda store: lookup.by_name(store, clr_text(path)))

    def ContentBlockByID(self, block_id: Any = "", *ignored: Any) -> str:
        return self._block("ContentBlockByID", "id", block_id,
                           lambda store: lookup.by_id(store, block_id))

    def _block(self, function: str, what: str, reference: Any,
               find: Callable[[Any], dict[str, Any] | None]) -> str:
        block = find(self._context.store)
        if block is None:
            raise AmpscriptError(assumptions.CONTENT_BLOCK_MISSING.format(
                function=function, what=what, reference=clr_text(reference)[:200]))
        ampscript = self._context.ampscript()
        return render_block(block, lambda content: render(content, ampscript))
