"""Run parsed AMPscript: the rendering ``TreatAsContent`` and AMPscript pages perform.

See docs/fidelity.md#treatascontent. A render keeps to its page's budget
(docs/fidelity.md#page-budget): every statement and call checks the deadline, a function's text
result must fit the memory allowance, and the render's output is held against it until done.
Every failure is an ``AmpscriptError`` carrying the function, line and column where it happened
(docs/fidelity.md#ampscript-abort), which a page runner turns into the platform's answer.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from emulator import assumptions
from emulator.ampscript.conditions import compare, truth, whole_number
from emulator.ampscript.context import AmpscriptContext
from emulator.ampscript.lexer import located, where
from emulator.ampscript.parser import (
    Assign,
    AttributeRef,
    Call,
    Comparison,
    Declare,
    Evaluate,
    For,
    If,
    Item,
    Literal,
    Logical,
    Not,
    Output,
    Program,
    Text,
    VariableRef,
    compile_content,
)
from emulator.script.budget import text_bytes
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError

FOR_MAX_ITERATIONS = assumptions.AMPSCRIPT_FOR_MAX_ITERATIONS


class Interpreter:
    """Run one program against a context, collecting what it writes."""

    def __init__(self, ctx: AmpscriptContext, source: str = "") -> None:
        self.ctx = ctx
        self.budget = ctx.budget
        self.source = source  # the program's text, for the position of a runtime error
        self._output: list[str] = []
        self._held = 0  # bytes of _output, charged to the budget while the render runs

    def run(self, program: Program | Sequence[Item]) -> str:
        """Execute ``program`` and return the rendered text."""
        if isinstance(program, Program):
            self.source = program.source
            program = program.items
        try:
            self._run(program)
            self.budget.fits(self._held)  # the joined copy, beside its pieces
            return "".join(self._output)
        finally:
            self.budget.charge(-self._held)  # the text now belongs to the caller

    def _run(self, items: Sequence[Item]) -> None:
        check = self.budget.check
        variables = self.ctx.variables
        for item in items:
            check()
            if isinstance(item, Text):
                self.write(item.text)
            elif isinstance(item, Output):
                self.write(clr_text(self.evaluate(item.expression)))
            elif isinstance(item, Assign):
                variables.set(item.name, self.evaluate(item.expression))
            elif isinstance(item, Evaluate):
                self.evaluate(item.expression)
            elif isinstance(item, If):
                self._if(item)
            elif isinstance(item, For):
                self._for(item)
            elif isinstance(item, Declare):
                for name in item.names:
                    variables.declare(name)

    def _if(self, statement: If) -> None:
        """Run the first branch whose condition holds, else the ELSE part."""
        for (condition, body), offset in zip(statement.branches, statement.offsets, strict=True):
            if self.condition(condition, offset):
                self._run(body)
                return
        self._run(statement.otherwise)

    def _for(self, loop: For) -> None:
        """Run a FOR loop: bounds read once, the counter read again after every pass.

        See docs/fidelity.md#ampscript-for: the body may change the counter; a loop that would
        run more than ``FOR_MAX_ITERATIONS`` times stops with the convergence error.
        """
        variables = self.ctx.variables
        start = self.bound(self.evaluate(loop.start), loop)
        end = self.bound(self.evaluate(loop.end), loop)
        step = -1 if loop.down else 1
        variables.set(loop.name, start)
        passes = 0
        while True:
            counter = self.bound(variables.get(loop.name), loop)
            if (counter < end) if loop.down else (counter > end):
                return
            passes += 1
            if passes > FOR_MAX_ITERATIONS:
                raise self.failure(assumptions.AMPSCRIPT_FOR_CONVERGENCE.format(
                    where=where(self.source, loop.offset), limit=f"{FOR_MAX_ITERATIONS:,}"),
                    loop.offset)
            self._run(loop.body)
            variables.set(loop.name, self.bound(variables.get(loop.name), loop) + step)

    def bound(self, value: Any, loop: For) -> int:
        """Return a FOR bound or counter as a whole number; abort otherwise."""
        number = whole_number(value)
        if number is None:
            raise self.failure(assumptions.AMPSCRIPT_FOR_BOUND.format(
                where=where(self.source, loop.offset), value=_shown(value)), loop.offset)
        return number

    def condition(self, node: Any, offset: int) -> bool:
        """Return the boolean of a condition; abort when its value is none."""
        value = self.evaluate(node)
        read = truth(value)
        if read is None:
            raise self.failure(assumptions.AMPSCRIPT_CONDITION.format(
                where=where(self.source, offset), value=_shown(value)), offset)
        return read

    def evaluate(self, node: Any) -> Any:
        """Return the value of an expression node."""
        kind = type(node)
        if kind is Literal:
            return node.value
        if kind is VariableRef:
            return self.ctx.variables.get(node.name)
        if kind is Call:
            entry = node.entry
            args = node.args if entry.lazy else [self.evaluate(arg) for arg in node.args]
            self.budget.check()
            try:
                result = entry.impl(self, *args)
            except AmpscriptError as error:
                located(error, self.source, node.offset, entry.name)
                raise
            if isinstance(result, str):
                self.budget.fits(text_bytes(result))
            return result
        if kind is Comparison:
            today = self.ctx.now()
            left = self.evaluate(node.first)
            for op, operand in node.rest:
                left = compare(op, left, self.evaluate(operand), today)
            return left
        if kind is Logical:
            result = self.condition(node.first, node.offset)
            for op, operand in node.rest:
                # AND and OR share one precedence and stop early, left to right
                # (docs/fidelity.md#ampscript-conditions).
                if (op == "and") == result:
                    result = self.condition(operand, node.offset)
            return result
        if kind is Not:
            return not self.condition(node.operand, node.offset)
        if kind is AttributeRef:
            return self.ctx.attribute(node.name)
        raise TypeError(f"not an AMPscript expression: {node!r}")

    def failure(self, message: str, offset: int) -> AmpscriptError:
        """Return a runtime error located at ``offset`` of the program's text."""
        return located(AmpscriptError(message), self.source, offset)

    def write(self, text: str) -> None:
        """Append ``text`` to the output."""
        size = len(text) if text.isascii() else text_bytes(text)
        self.budget.charge(size)
        self._held += size
        self._output.append(text)


def _shown(value: Any) -> str:
    """Return a value as an error message shows it: its text, quoted, cut when long."""
    if value is None:
        return "null"
    text = clr_text(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


#: Content longer than this is parsed on every call instead of being kept in the cache. The
#: cache outlives the pages and a program weighs up to ~100 bytes per character of its text, so
#: it stays small: 256 programs of 2 KiB hold at most ~50 MB.
CACHED_CONTENT_LIMIT = 2 * 1024


@functools.lru_cache(maxsize=256)
def _compile_cached(content: str) -> Program:
    # Pages render the same AMPscript on every request (the token page's GetJWT block); a
    # program is immutable, so it is compiled once. Errors are not cached and raise every time.
    return compile_content(content)


def compile_cached(content: str, ctx: AmpscriptContext | None = None) -> Program:
    """Return the program of ``content``, compiled once per distinct short text."""
    if len(content) <= CACHED_CONTENT_LIMIT:
        return _compile_cached(content)
    return compile_content(content, budget=None if ctx is None else ctx.budget)


def render(content: str, ctx: AmpscriptContext) -> str:
    """Render ``content`` as ``TreatAsContent`` does: text through, blocks run, inline written."""
    return Interpreter(ctx).run(compile_cached(content, ctx))
