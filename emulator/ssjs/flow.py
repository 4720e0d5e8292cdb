"""The AMPscript side of a compiled page: what its ``__emit("s"|"i"|"f", ...)`` calls run.

Every piece runs in the page's one AMPscript context, so AMPscript and SSJS share variables
through ``Variable.GetValue``/``SetValue``. A ``FOR`` lowered to a JavaScript ``for`` keeps the
interpreter's rules (docs/fidelity.md#ampscript-for): bounds read once, the counter read again
after every pass, the convergence error past the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator import assumptions
from emulator.ampscript.context import AmpscriptContext
from emulator.ampscript.interpreter import FOR_MAX_ITERATIONS, Interpreter
from emulator.ampscript.lexer import where
from emulator.ssjs.compiler import CompiledPage


@dataclass
class _Loop:
    end: int
    passes: int = 0


class PageFlow:
    """Run one page request's AMPscript pieces, in the order its SSJS program asks for them."""

    def __init__(self, page: CompiledPage, ctx: AmpscriptContext) -> None:
        self.page = page
        self.ctx = ctx
        self.source = page.ampscript.source
        self._loops: dict[int, list[_Loop]] = {}  # a stack each: a loop may be entered anew

    def interpreter(self) -> Interpreter:
        """Return an interpreter over the page's text (cheap: one per piece)."""
        return Interpreter(self.ctx, self.source)

    def run(self, number: int) -> str:
        """Return what AMPscript run ``number`` writes."""
        return self.interpreter().run(self.page.runs[number])

    def branch(self, number: int, index: int) -> bool:
        """Return whether the condition of branch ``index`` of IF ``number`` holds."""
        statement = self.page.branches[number]
        return self.interpreter().condition(statement.branches[index][0],
                                            statement.offsets[index])

    def loop(self, number: int, phase: int) -> bool:
        """Start (0), test (1) or step (2) FOR ``number``; the test says whether to run a pass."""
        loop = self.page.loops[number]
        run = self.interpreter()
        variables = self.ctx.variables
        stack = self._loops.setdefault(number, [])
        if phase == 0:
            start = run.bound(run.evaluate(loop.start), loop)
            stack.append(_Loop(run.bound(run.evaluate(loop.end), loop)))
            variables.set(loop.name, start)
            return True
        if not stack:
            raise ValueError(f"FOR loop {number} was not started")
        state = stack[-1]
        counter = run.bound(variables.get(loop.name), loop)
        if phase == 2:
            variables.set(loop.name, counter + (-1 if loop.down else 1))
            return True
        if (counter < state.end) if loop.down else (counter > state.end):
            stack.pop()
            return False
        state.passes += 1
        if state.passes > FOR_MAX_ITERATIONS:
            stack.pop()
            raise run.failure(assumptions.AMPSCRIPT_FOR_CONVERGENCE.format(
                where=where(self.source, loop.offset), limit=f"{FOR_MAX_ITERATIONS:,}"),
                loop.offset)
        return True

    def call(self, op: str, argument: Any) -> Any:
        """Answer one ``__emit`` call: ``s`` returns text to write, ``i``/``f`` a boolean."""
        if op == "s" and isinstance(argument, int):
            return self.run(argument)
        if isinstance(argument, list) and len(argument) == 2 \
                and all(isinstance(part, int) for part in argument):
            if op == "i":
                return self.branch(*argument)
            if op == "f":
                return self.loop(*argument)
        raise ValueError(f"not a page piece: {op!r} {argument!r}")
