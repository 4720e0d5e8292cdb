"""AMPscript arithmetic: Add, Subtract, Multiply, Divide, Mod (docs/fidelity.md#ampscript-math).

Two arguments, numbers or numeric text; anything else aborts (RT: never coerced to 0). The
platform computes in doubles and renders 15 significant digits (docs/fidelity.md#ampscript-values):
``Divide(10,3)`` is ``3.33333333333333``. Division by zero does not abort (RT): ``∞``, ``-∞`` or
``NaN``.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from typing import Any

from emulator import assumptions
from emulator.ampscript import arguments as arg
from emulator.ampscript.registry import Runtime, ampscript_function

#: Doubles hold every whole number up to here exactly; results that fit come back as int.
EXACT_INTEGERS = 2**53


def result(value: float) -> int | float | str:
    """Return a double result as the value AMPscript keeps: int when whole, ∞ as its text."""
    if math.isinf(value):
        # RT: Divide(100,0) renders "∞" (U+221E), Divide(-100,0) "-∞"; ASSUMED
        # "ampscript-infinity": the value is that text.
        return assumptions.AMPSCRIPT_INFINITY if value > 0 else f"-{assumptions.AMPSCRIPT_INFINITY}"
    if value.is_integer() and abs(value) < EXACT_INTEGERS:
        return int(value)
    return value


def _operands(name: str, left: Any, right: Any) -> tuple[float, float]:
    return (float(arg.number(left, arg.Param(name, "Value1", 1))),
            float(arg.number(right, arg.Param(name, "Value2", 2))))


def _binary(name: str, operation: Callable[[float, float], float]) -> None:
    def implementation(run: Runtime, left: Any, right: Any) -> int | float | str:
        try:
            return result(operation(*_operands(name, left, right)))
        except OverflowError:
            return result(math.inf)

    implementation.__doc__ = f"Return the {name} of two numbers."
    ampscript_function(name, args=2, tag="RT")(implementation)


def _divide(left: float, right: float) -> float:
    if right == 0:
        if left == 0 or math.isnan(left):
            return math.nan  # RT: Divide(0,0) is NaN
        return math.copysign(math.inf, left) * math.copysign(1.0, right)
    return left / right


def _modulo(left: float, right: float) -> float:
    if right == 0:
        return math.nan  # RT: Mod(x,0) is NaN, always
    return math.fmod(left, right)  # truncated: the sign of the dividend (RT)


_binary("Add", lambda left, right: left + right)
_binary("Subtract", lambda left, right: left - right)
_binary("Multiply", lambda left, right: left * right)
_binary("Divide", _divide)
_binary("Mod", _modulo)


# --- Random (docs/fidelity.md#ampscript-random) ------------------------------------------------
_WHOLE = re.compile(r"\s*[+-]?[0-9]{1,18}\s*")
_RANDOM = random.SystemRandom()


def _bound(value: Any, name: str, ordinal: int) -> int:
    """Return a whole-number bound: RT, any decimal (``1.0``, ``"1.5"``) aborts."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value):
        return int(value)
    raise arg.Param("Random", name, ordinal).error(value)


@ampscript_function("Random", args=2, tag="RT; inclusive bounds ASSUMED")
def random_function(run: Runtime, low: Any, high: Any) -> int:
    """Return a random whole number from ``low`` to ``high``, both included.

    ASSUMED "random-bounds": both bounds can come out, and ``low`` above ``high`` aborts.
    """
    first, last = _bound(low, "LowerBound", 1), _bound(high, "UpperBound", 2)
    if first > last:
        raise arg.Param("Random", "UpperBound", 2).error(high)
    return _RANDOM.randint(first, last)
