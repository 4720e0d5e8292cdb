"""The AMPscript function table: one dict from lowercased name to its entry.

Adding a function is one decorated implementation::

    @ampscript_function("Length", args=1)
    def length(run: Runtime, value: Any) -> int: ...

The implementation receives the running interpreter first, then its argument values (or, for a
``lazy`` entry, the unevaluated argument nodes, to be passed to ``run.evaluate``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from emulator import assumptions
from emulator.ampscript.context import AmpscriptContext
from emulator.ampscript.jwt import sign_jwt
from emulator.diagnostics import non_secret_key_warning, secret_payload_warning
from emulator.script.clr import clr_text
from emulator.script.errors import AmpscriptError, NotEmulatedError
from emulator.script.js import is_number


class Runtime(Protocol):
    """What a function implementation may use of the running interpreter."""

    ctx: AmpscriptContext

    def evaluate(self, node: Any) -> Any:
        """Return the value of an argument node (for lazy functions)."""

    def write(self, text: str) -> None:
        """Append ``text`` to the rendered output (for Output/OutputLine)."""


@dataclass(frozen=True)
class FunctionEntry:
    """One AMPscript function: canonical name, argument counts, implementation."""

    name: str
    min_args: int
    max_args: int | None  # None: any number of arguments
    impl: Callable[..., Any]
    lazy: bool = False  # receives argument nodes unevaluated (IIf evaluates one branch, RT)

    def accepts(self, count: int) -> bool:
        """Return whether the function takes ``count`` arguments."""
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)

    def expected(self) -> str:
        """Return the accepted argument counts as text for the error message."""
        if self.max_args is None:
            return f"at least {self.min_args}"
        if self.max_args == self.min_args:
            return str(self.min_args)
        return f"{self.min_args} to {self.max_args}"

    def arg_count_error(self, given: int) -> AmpscriptError:
        """Return the error for a call with ``given`` arguments."""
        return AmpscriptError(assumptions.AMPSCRIPT_ARG_COUNT.format(
            name=self.name, given=given, expected=self.expected()))


FUNCTIONS: dict[str, FunctionEntry] = {}


def ampscript_function(name: str, args: int | tuple[int, int | None], *,
                       lazy: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated implementation as AMPscript function ``name``."""
    low, high = (args, args) if isinstance(args, int) else args

    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        FUNCTIONS[name.lower()] = FunctionEntry(name, low, high, impl, lazy)
        return impl

    return register


def unknown_function(name: str, functions: dict[str, FunctionEntry] = FUNCTIONS,
                     ) -> NotEmulatedError:
    """Return the error for a function the emulator does not implement."""
    known = ", ".join(sorted((entry.name for entry in functions.values()), key=str.lower))
    return NotEmulatedError(assumptions.AMPSCRIPT_UNKNOWN_FUNCTION.format(name=name, known=known))


def string_argument(value: Any) -> str:
    """Return a String-family argument as text: a boolean is swallowed (rest-ampscript 5.63)."""
    return "" if isinstance(value, bool) else clr_text(value)


@ampscript_function("V", args=1)
def v(run: Runtime, value: Any) -> Any:
    """Return the value unchanged (``%%=v(@x)=%%``)."""
    return value


@ampscript_function("Concat", args=(1, None))
def concat(run: Runtime, *values: Any) -> str:
    """Join the arguments' texts without separator."""
    return "".join(string_argument(value) for value in values)


@ampscript_function("GetJWT", args=3)
def get_jwt(run: Runtime, key: Any, algorithm: Any, payload: Any) -> str:
    """Sign ``payload`` with the CLR text of ``key``, warning about unsafe tokens."""
    payload_text = clr_text(payload)
    token = sign_jwt(clr_text(key), clr_text(algorithm), payload_text)
    # fidelity.md, consequence 2: an object key signs with its CLR text; say so.
    if not isinstance(key, str):
        run.ctx.warn(non_secret_key_warning(_kind(key), clr_text(key)))
    warning = secret_payload_warning(payload_text)
    if warning is not None:
        run.ctx.warn(warning)
    return token


def _kind(value: Any) -> str:
    """Return how a warning names the kind of a non-string value."""
    if isinstance(value, bool):
        return "a boolean"
    if is_number(value):
        return "a number"
    if isinstance(value, list):
        return "an array"
    return "an object"
