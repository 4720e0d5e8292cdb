"""Run parsed AMPscript: the rendering ``TreatAsContent`` performs.

See docs/fidelity.md#treatascontent. A render keeps to its page's budget
(docs/fidelity.md#page-budget): every statement and call checks the deadline, a function's text
result must fit the memory allowance, and the render's output is held against it until done.
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
from emulator.script.budget import text_bytes
from emulator.script.clr import clr_text


class Interpreter:
    """Run one program against a context, collecting what it writes."""

    def __init__(self, ctx: AmpscriptContext) -> None:
        self.ctx = ctx
        self.budget = ctx.budget
        self._output: list[str] = []
        self._held = 0  # bytes of _output, charged to the budget while the render runs

    def run(self, program: Sequence[Item]) -> str:
        """Execute ``program`` and return the rendered text."""
        try:
            self._run(program)
            self.budget.fits(self._held)  # the joined copy, beside its pieces
            return "".join(self._output)
        finally:
            self.budget.charge(-self._held)  # the text now belongs to the caller

    def _run(self, program: Sequence[Item]) -> None:
        check = self.budget.check
        for item in program:
            check()
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

    def evaluate(self, node: Any) -> Any:
        """Return the value of an expression node."""
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, VariableRef):
            return self.ctx.variables.get(node.name)
        if isinstance(node, Call):
            entry = node.entry
            args = node.args if entry.lazy else [self.evaluate(arg) for arg in node.args]
            self.budget.check()
            result = entry.impl(self, *args)
            if isinstance(result, str):
                self.budget.fits(text_bytes(result))
            return result
        raise TypeError(f"not an AMPscript expression: {node!r}")

    def write(self, text: str) -> None:
        """Append ``text`` to the output."""
        size = text_bytes(text)
        self.budget.charge(size)
        self._held += size
        self._output.append(text)


#: Content longer than this is parsed on every call instead of being kept in the cache. The
#: cache outlives the pages and a program weighs up to ~100 bytes per character of its text, so
#: it stays small: 256 programs of 2 KiB hold at most ~50 MB.
CACHED_CONTENT_LIMIT = 2 * 1024


@functools.lru_cache(maxsize=256)
def _parse_cached(content: str) -> tuple[Item, ...]:
    # Pages render the same AMPscript on every request (the token page's GetJWT block); a
    # program is immutable, so it is parsed once. Errors are not cached and raise every time.
    return tuple(parse(content))


def render(content: str, ctx: AmpscriptContext) -> str:
    """Render ``content`` as ``TreatAsContent`` does: text through, blocks run, inline written."""
    if len(content) <= CACHED_CONTENT_LIMIT:
        program = _parse_cached(content)
    else:
        program = parse(content, budget=ctx.budget)
    return Interpreter(ctx).run(program)
