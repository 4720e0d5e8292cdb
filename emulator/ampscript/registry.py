"""The one AMPscript function registry: a dict from lowercased name to its entry.

Adding a function is one decorated implementation in the module of its family::

    @ampscript_function("Length", args=1, tag="RT")
    def length(run: Runtime, value: Any) -> int: ...

The implementation receives the running interpreter first, then its argument values (or, for a
``lazy`` entry, the unevaluated argument nodes, to be passed to ``run.evaluate``). ``tag`` is the
fidelity tag the coverage page (docs/coverage.md) shows (see docs/fidelity.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from emulator import assumptions
from emulator.ampscript.context import AmpscriptContext
from emulator.script.errors import AmpscriptError, FeatureNotEmulated


class Runtime(Protocol):
    """What a function implementation may use of the running interpreter."""

    ctx: AmpscriptContext

    def evaluate(self, node: Any) -> Any:
        """Return the value of an argument node (for lazy functions)."""

    def write(self, text: str) -> None:
        """Append ``text`` to the rendered output (for Output/OutputLine)."""


@dataclass(frozen=True)
class FunctionEntry:
    """One AMPscript function: canonical name, argument counts, implementation, fidelity tag."""

    name: str
    min_args: int
    max_args: int | None  # None: any number of arguments
    impl: Callable[..., Any]
    lazy: bool = False  # receives argument nodes unevaluated (IIf evaluates one branch, RT)
    tag: str = "ASSUMED"
    statement_only: bool = False  # may not be an argument of another call (Output)
    pairs_after: int | None = None  # arguments after this many come in (column, value) pairs

    def accepts(self, count: int) -> bool:
        """Return whether the function takes ``count`` arguments."""
        if self.pairs_after is not None and (count - self.pairs_after) % 2:
            return False
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)

    def expected(self) -> str:
        """Return the accepted argument counts as text for the error message."""
        if self.pairs_after is not None:
            return f"{self.min_args}, {self.min_args + 2}, {self.min_args + 4}, ..."
        if self.max_args is None:
            return f"at least {self.min_args}"
        if self.max_args == self.min_args:
            return str(self.min_args)
        return f"{self.min_args} to {self.max_args}"

    def arg_count_error(self, given: int, expected: str | None = None) -> AmpscriptError:
        """Return the error for a call with ``given`` arguments."""
        return AmpscriptError(assumptions.AMPSCRIPT_ARG_COUNT.format(
            name=self.name, given=given, expected=expected or self.expected()))


FUNCTIONS: dict[str, FunctionEntry] = {}


def ampscript_function(name: str, args: int | tuple[int, int | None], *, tag: str,
                       lazy: bool = False, statement_only: bool = False,
                       pairs_after: int | None = None,
                       ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated implementation as AMPscript function ``name``."""
    low, high = (args, args) if isinstance(args, int) else args

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        if name.lower() in FUNCTIONS:
            raise ValueError(f"AMPscript function {name} is registered twice")
        FUNCTIONS[name.lower()] = FunctionEntry(name, low, high, impl, lazy, tag, statement_only,
                                                pairs_after)
        return impl

    return register


def unknown_function(name: str, functions: dict[str, FunctionEntry] = FUNCTIONS,
                     ) -> FeatureNotEmulated:
    """Return the error for a function the emulator does not implement."""
    known = ", ".join(sorted((entry.name for entry in functions.values()), key=str.lower))
    return FeatureNotEmulated(assumptions.AMPSCRIPT_UNKNOWN_FUNCTION.format(name=name, known=known))
