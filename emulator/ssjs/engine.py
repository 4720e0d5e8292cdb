"""The JavaScript engine behind a thin interface: a QuickJS context with the SSJS prelude.

QuickJS's rules: the host callable must never raise and returns JSON text; a context
stays on the thread that made it; a time limit cannot be combined with host callables, so time
is limited by the worker process (emulator.ssjs.workers), memory and stack here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import quickjs

MEMORY_LIMIT = 128 * 1024 * 1024  # bytes a page's script may allocate
STACK_LIMIT = 1024 * 1024  # bytes of native stack: deep recursion is a RangeError, not a crash
_PRELUDE: str | None = None


def prelude() -> str:
    """Return the prelude's source, read once."""
    global _PRELUDE
    if _PRELUDE is None:
        _PRELUDE = resources.files("emulator.ssjs").joinpath("prelude.js").read_text("utf-8")
    return _PRELUDE


@dataclass
class ScriptFailure(Exception):
    """An exception that escaped a script block, as the engine reports it."""

    name: str
    message: str
    detail: str
    out_of_memory: bool = False

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


class Engine:
    """One page run's JavaScript global scope, with the SSJS globals bound to ``host``."""

    def __init__(self, host: Callable[[str], str], surface: dict[str, Any], *,
                 allow_json: bool = False, memory_limit: int = MEMORY_LIMIT) -> None:
        self._context = quickjs.Context()
        self._context.set_memory_limit(memory_limit)
        self._context.set_max_stack_size(STACK_LIMIT)
        self._context.add_callable("__host", host)
        self._context.eval(f"var __surface = {json.dumps(surface)};")
        self._context.eval(prelude())
        # The script sees neither the raw host callable nor, like Jint, a JSON object.
        self._context.eval("delete globalThis.__host; delete globalThis.__surface;"
                           + ("" if allow_json else " delete globalThis.JSON;"))

    def run(self, code: str, first_line: int = 1) -> None:
        """Run one script block; its lines are numbered from ``first_line``."""
        # Blank lines in front keep the engine's line numbers those of the page file.
        self._evaluate("\n" * (first_line - 1) + code)

    def emit(self, kind: str, text: str) -> None:
        """Send literal page text (``out``) or AMPscript content (``amp``) to the output."""
        self._evaluate(f"__emit({json.dumps(kind)}, {json.dumps(text)});")

    def _evaluate(self, code: str) -> None:
        try:
            self._context.eval(code)
        except Exception as error:  # quickjs.JSException and its StackOverflow subclass
            raise _failure(str(error)) from None


def _failure(text: str) -> ScriptFailure:
    """Read the engine's ``"Name: message\\n    at ..."`` text into a failure."""
    first, _, rest = text.partition("\n")
    name, sep, message = first.partition(": ")
    if not sep or not re.fullmatch(r"[A-Za-z]*Error", name):
        name, message = "Error", first  # a thrown non-Error value prints as itself
    # QuickJS reports an exhausted heap as "out of memory", or as "null" when it could not
    # even build the error object; either way the runtime is spent.
    out_of_memory = "out of memory" in first or first.strip() == "null"
    return ScriptFailure(name, message, text.strip(), out_of_memory)
