"""Run parsed AMPscript: the rendering ``TreatAsContent`` performs.

See docs/fidelity.md#treatascontent.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from emulator.ampscript.context import AmpscriptContext
from emulator.ampscript.parser import (
    Assign,
    Call,
    Declare,
    Evaluate,
    Item,
    Literal,
    Output,
    Text,
    VariableRef,
    parse,
)
from emulator.script.clr import clr_text


class Interpreter:
    """Run one program against a context, collecting what it writes."""

    def __init__(self, ctx: AmpscriptContext) -> None:
        self.ctx = ctx
        self._output: list[str] = []

    def run(self, program: Sequence[Item]) -> str:
        """Execute ``program`` and return the rendered text."""
        for item in program:
            if isinstance(item, Text):
                self.write(item.text)
            elif isinstance(item, Output):
                self.write(clr_text(self.evaluate(item.expression)))
            elif isinstance(item, Assign):
                self.ctx.variables.set(item.name, self.evaluate(item.expression))
            elif isinstance(item, Declare):
                for name in item.names:
                    self.ctx.variables.declare(name)
            elif isinstance(item, Evaluate):
                self.evaluate(item.expression)
        return "".join(self._output)

    def evaluate(self, node: Any) -> Any:
        """Return the value of an expression node."""
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, VariableRef):
            return self.ctx.variables.get(node.name)
        if isinstance(node, Call):
            entry = node.entry
            args = node.args if entry.lazy else [self.evaluate(arg) for arg in node.args]
            return entry.impl(self, *args)
        raise TypeError(f"not an AMPscript expression: {node!r}")

    def write(self, text: str) -> None:
        """Append ``text`` to the output."""
        self._output.append(text)


#: Content longer than this is parsed on every call instead of being kept in the cache.
CACHED_CONTENT_LIMIT = 64 * 1024


@functools.lru_cache(maxsize=256)
def _parse_cached(content: str) -> tuple[Item, ...]:
    # Pages render the same AMPscript on every request (the token page's GetJWT block); a
    # program is immutable, so it is parsed once. Errors are not cached and raise every time.
    return tuple(parse(content))


def render(content: str, ctx: AmpscriptContext) -> str:
    """Render ``content`` as ``TreatAsContent`` does: text through, blocks run, inline written."""
    program = _parse_cached(content) if len(content) <= CACHED_CONTENT_LIMIT else parse(content)
    return Interpreter(ctx).run(program)
