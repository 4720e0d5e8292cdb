"""JavaScript semantics that Python ports of SSJS pages depend on.

Values follow one mapping: ``None`` is ``null``, :data:`UNDEFINED` is ``undefined``, ``dict`` is a
plain object (insertion ordered), ``list`` is an array, ``str`` a string, ``bool`` a boolean,
``int``/``float`` a number. Host objects (``Platform.Request.Browser``) implement ``js_get``.

Truthiness and ``==`` follow ECMAScript (docs/fidelity.md#js-semantics): Jint's own
deviations are not emulated.
"""

from __future__ import annotations

import math
from typing import Any

from emulator.script.errors import read_property_error
from emulator.script.undefined import UNDEFINED


def is_nullish(value: Any) -> bool:
    """Return whether ``value`` is ``null`` or ``undefined``."""
    return value is None or value is UNDEFINED


def is_number(value: Any) -> bool:
    """Return whether ``value`` is a JavaScript number (``bool`` is not)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def get(obj: Any, key: Any) -> Any:
    """Read ``obj[key]`` / ``obj.key`` as JavaScript does.

    Reading a property of ``null`` or ``undefined`` throws the catchable TypeError of
    docs/fidelity.md#type-error-text; a missing property reads ``undefined``.
    """
    if is_nullish(obj):
        raise read_property_error(key, obj)
    if isinstance(obj, dict):
        return obj.get(_property_name(key), UNDEFINED)
    if isinstance(obj, (list, str)):
        if key == "length":
            return len(obj) if isinstance(obj, list) else utf16_length(obj)
        index = _array_index(key)
        if index is not None and index < len(obj):
            return obj[index]
        return UNDEFINED
    js_get = getattr(obj, "js_get", None)
    if js_get is not None:
        return js_get(_property_name(key))
    return UNDEFINED


def _property_name(key: Any) -> str:
    return key if isinstance(key, str) else to_string(key)


def _array_index(key: Any) -> int | None:
    if is_number(key) and float(key).is_integer() and key >= 0:
        return int(key)
    if isinstance(key, str) and key.isdigit() and (key == "0" or not key.startswith("0")):
        return int(key)
    return None


def utf16_length(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units, as JavaScript counts it."""
    if text.isascii():
        return len(text)
    # Each UTF-16 code unit is two bytes; surrogatepass counts a lone surrogate as one unit.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def truthy(value: Any) -> bool:
    """Return ECMAScript ToBoolean(value)."""
    if is_nullish(value):
        return False
    if isinstance(value, bool):
        return value
    if is_number(value):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def to_number(value: Any) -> float:
    """Return ECMAScript ToNumber(value) for primitives."""
    if value is None:
        return 0.0
    if value is UNDEFINED:
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if is_number(value):
        return float(value)
    if isinstance(value, str):
        return _string_to_number(value)
    return to_number(to_primitive(value))


def _string_to_number(text: str) -> float:
    stripped = text.strip(" \t\n\r\v\f\u00a0\ufeff\u2028\u2029")
    if stripped == "":
        return 0.0
    if stripped[:2].lower() in ("0x", "0o", "0b"):
        try:
            return float(int(stripped, 0))
        except ValueError:
            return math.nan
    if stripped in ("Infinity", "+Infinity"):
        return math.inf
    if stripped == "-Infinity":
        return -math.inf
    if any(ch.isalpha() and ch not in "eE" for ch in stripped) or "_" in stripped:
        return math.nan
    try:
        return float(stripped)
    except ValueError:
        return math.nan


def to_primitive(value: Any) -> Any:
    """Return ECMAScript ToPrimitive for objects (default hint): their ``toString`` text."""
    if isinstance(value, list):
        return ",".join("" if is_nullish(item) else to_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return value


def to_string(value: Any) -> str:
    """Return ECMAScript ToString(value), as ``"" + value`` gives inside a script."""
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return number_to_string(value)
    if isinstance(value, str):
        return value
    primitive = to_primitive(value)
    return primitive if isinstance(primitive, str) else str(primitive)


def number_to_string(number: float) -> str:
    """Return ECMAScript Number::toString (shortest round-trip digits)."""
    if isinstance(number, int):
        number = float(number) if abs(number) >= 1e21 else number
        if isinstance(number, int):
            return str(number)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    text = repr(number)
    if "e" in text:
        mantissa, exponent = text.split("e")
        exp = int(exponent)
        if -7 < exp < 21:
            return format(number, "f").rstrip("0").rstrip(".")
        return f"{mantissa}e{'+' if exp > 0 else '-'}{abs(exp)}"
    return text


def strict_eq(left: Any, right: Any) -> bool:
    """Return ECMAScript ``left === right``."""
    if is_number(left) and is_number(right):
        return left == right  # NaN != NaN holds in Python too
    if type(left) is not type(right):
        return False
    if isinstance(left, (dict, list)) or hasattr(left, "js_get"):
        return left is right
    return left == right


def loose_eq(left: Any, right: Any) -> bool:
    """Return ECMAScript ``left == right`` (abstract equality)."""
    if is_nullish(left) or is_nullish(right):
        return is_nullish(left) and is_nullish(right)
    if strict_eq(left, right):
        return True
    if isinstance(left, bool):
        return loose_eq(to_number(left), right)
    if isinstance(right, bool):
        return loose_eq(left, to_number(right))
    if is_number(left) and isinstance(right, str):
        return left == to_number(right)
    if isinstance(left, str) and is_number(right):
        return to_number(left) == right
    left_is_object = not isinstance(left, (str, int, float))
    right_is_object = not isinstance(right, (str, int, float))
    if left_is_object and not right_is_object:
        return loose_eq(to_primitive(left), right)
    if right_is_object and not left_is_object:
        return loose_eq(left, to_primitive(right))
    return False
