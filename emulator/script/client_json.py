"""JSON from a client, read strictly: request bodies, query values, form fields, fixture files.

``json.loads`` alone lets through what the emulator cannot hold, or fails in ways its callers do
not expect: ``NaN`` and ``Infinity`` (not JSON), numbers past a double (``1e400`` becomes
infinity), integers past Python's digit limit (a plain ``ValueError``), nesting deep enough to
exhaust the stack (``RecursionError``) and lone surrogates (``"\\ud800"``), which no UTF-8 file,
page or answer can carry. :func:`read_json` refuses each with one :class:`JsonRefused`, so every
reader answers a clear error instead of a traceback.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

#: Containers nested deeper than this are refused; a DE document nests 4 levels, and a filter at
#: the filter compiler's own limit about 100, so this only stops what no client means to send.
MAX_DEPTH = 256
#: Python's default limit for turning digits into an integer (``sys.get_int_max_str_digits``).
MAX_INT_DIGITS = 4300
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SHOWN = 40  # characters of a refused number quoted in the message


class JsonRefused(ValueError):
    """Text that is not JSON the emulator reads; ``line`` and ``column`` when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


def read_json(text: str) -> Any:
    """Return the JSON value of ``text``, or raise :class:`JsonRefused` saying what is wrong."""
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise JsonRefused(f"invalid JSON at line {error.lineno}, column {error.colno}: "
                          f"{error.msg}", error.lineno, error.colno) from None
    except RecursionError:
        raise JsonRefused(f"invalid JSON: nested too deeply (at most {MAX_DEPTH} levels)") \
            from None
    except ValueError as error:  # a hook's refusal, or int() past a lowered digit limit
        raise JsonRefused(error.args[0] if isinstance(error, _HookRefused)
                          else f"invalid JSON: {error}") from None
    # str.count runs in C: only text with enough brackets to nest too deep is walked for depth.
    deep = text.count("[") + text.count("{") > MAX_DEPTH
    if deep or _SURROGATE_ESCAPE.search(text):
        _check_tree(value, deep)
    return value


class _HookRefused(ValueError):
    """Raised inside the decoder's hooks; the decoder lets it through unchanged."""


def _constant(name: str) -> Any:
    raise _HookRefused(f"invalid JSON: {name} is not a JSON value; send null, or the text in "
                       "a string")


def _integer(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_INT_DIGITS:
        raise _HookRefused(f"a number of {digits} digits ({text[:_SHOWN]}...); JSON numbers "
                           f"may have at most {MAX_INT_DIGITS} digits here")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= _SHOWN else f"{text[:_SHOWN]}..."
        raise _HookRefused(f"the number {shown} is out of range: JSON numbers must fit a "
                           "double (about ±1.8e308)")
    return value


# One decoder for every read: json.loads with any hook builds a new decoder per call.
_DECODER = json.JSONDecoder(parse_constant=_constant, parse_int=_integer, parse_float=_float)

_Path = tuple[Any, ...] | None  # (parent path, key or index): built in O(1), spelled on error


def _check_tree(value: Any, check_depth: bool) -> None:
    """Refuse containers past MAX_DEPTH and strings holding lone surrogates; no recursion."""
    stack: list[tuple[Any, int, _Path]] = [(value, 0, None)]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                raise JsonRefused(f"a lone surrogate in the string at {_spell(path)}: "
                                  "not Unicode text (\\ud800-\\udfff come in pairs)")
            continue
        if not isinstance(node, (dict, list)):
            continue
        if check_depth and depth >= MAX_DEPTH:
            raise JsonRefused(f"invalid JSON: nested too deeply (more than {MAX_DEPTH} levels, "
                              f"at {_spell(path)})")
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            if isinstance(key, str) and _SURROGATE.search(key):
                raise JsonRefused(f"a lone surrogate in a name at {_spell(path)}: not Unicode "
                                  "text (\\ud800-\\udfff come in pairs)")
            if isinstance(child, (str, dict, list)):
                stack.append((child, depth + 1, (path, key)))


def _spell(path: _Path) -> str:
    """Return a path like ``rows[0].Name`` (``the top`` for the whole value)."""
    parts: list[str] = []
    while path is not None:
        path, key = path
        shown = key.encode("utf-8", "backslashreplace").decode("utf-8") \
            if isinstance(key, str) else key  # a lone surrogate is spelt as its escape
        parts.append(f"[{shown}]" if isinstance(key, int) else f".{shown}")
    text = "".join(reversed(parts)).lstrip(".")
    return text[:200] or "the top"
