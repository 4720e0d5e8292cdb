"""JSON text as the platform reads and writes it: ``Platform.Function.ParseJSON`` and ``Stringify``.

Neither follows RFC 8259 (docs/fidelity.md#parsejson-lenient, docs/fidelity.md#stringify-arrays):
ParseJSON is lenient and hands top-level scalars back as the original text, and Stringify leaves
control characters raw, separates array elements with ``",\\r\\n"`` and prints numbers as .NET does.
Both work without recursion, so a hostile body of deep nesting cannot exhaust the Python stack.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from emulator import assumptions
from emulator.script.clr import clr_number, clr_text
from emulator.script.errors import PlatformError
from emulator.script.js import is_nullish, is_number, to_string
from emulator.script.undefined import UNDEFINED

#: docs/fidelity.md#parsejson-bad-argument: the engine's generic error for an argument it cannot
#: take.
BAD_ARGUMENT = "Unable to retrieve security descriptor for this frame."

_BOM = "\ufeff"
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
# Unquoted keys: identifier characters, digits first allowed too (a lenient-grammar choice).
_BARE_KEY = re.compile(r"[A-Za-z0-9_$]+")
_PLAIN_RUN = {'"': re.compile(r'[^"\\]*'), "'": re.compile(r"[^'\\]*")}
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_LITERALS = {"true": True, "false": False, "null": None}
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n",
            "r": "\r", "t": "\t"}
_CLOSER = {"{": "}", "[": "]"}


class _Invalid(Exception):
    """The text is not JSON this parser accepts; ParseJSON answers null."""


# --- ParseJSON ----------------------------------------------------------------------------------

def parse_json(value: Any) -> Any:
    """Return ``Platform.Function.ParseJSON(value)``."""
    if is_nullish(value):
        return None  # docs/fidelity.md#parsejson-null
    if isinstance(value, bool):
        return "True" if value else "False"  # docs/fidelity.md#parsejson-scalar-text
    if is_number(value):
        return _parse_text(clr_number(value))  # 42 behaves like "42"
    if not isinstance(value, str):
        raise PlatformError(BAD_ARGUMENT)  # docs/fidelity.md#parsejson-bad-argument
    return _parse_text(value)


def _parse_text(text: str) -> Any:
    if text.startswith(_BOM):
        return text  # a leading BOM is not skipped (docs/fidelity.md#parsejson-lenient)
    strict = _parse_strict(text)
    if strict is not _NOT_STRICT:
        return strict
    start = _skip(text, 0)
    if start == len(text):
        return None
    try:
        value, end = _parse_value(text, start)
    except _Invalid:
        return None
    if isinstance(value, (dict, list)):
        return value  # docs/fidelity.md#parsejson-lenient: trailing text ignored
    # ASSUMED: a top-level scalar must be the whole text (bar whitespace) to come back unchanged.
    return text if _skip(text, end) == len(text) else None


_NOT_STRICT = object()


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: left to the lenient parser


# One decoder for every body: json.loads with any option builds a new one per call.
_STRICT_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def _parse_strict(text: str) -> Any:
    """Answer for text that is strict JSON, with the C decoder; else ``_NOT_STRICT``.

    Most bodies are strict JSON, and for those both parsers agree: same values, duplicate keys
    last-wins, a whole-text scalar returned unchanged. Anything else goes to the lenient parser.
    """
    try:
        value = _STRICT_DECODER.decode(text)
    except (ValueError, RecursionError):
        return _NOT_STRICT
    if not isinstance(value, (dict, list)):
        return text  # a top-level scalar comes back (docs/fidelity.md#parsejson-scalar-text)
    return value if _within_depth(value) else None


def _within_depth(value: dict[str, Any] | list[Any]) -> bool:
    """Return whether containers nest at most PARSE_JSON_MAX_DEPTH deep (the lenient rule)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > assumptions.PARSE_JSON_MAX_DEPTH:
            return False
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


def _skip(text: str, pos: int) -> int:
    return _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]


def _parse_value(text: str, pos: int) -> tuple[Any, int]:
    """Parse one value starting at ``pos``; return it and the position after it."""
    containers: list[dict[str, Any] | list[Any]] = []
    pending_keys: list[str] = []
    size = len(text)
    while True:
        pos = _skip(text, pos)
        opener = text[pos] if pos < size else ""
        if opener in _CLOSER:
            if len(containers) >= assumptions.PARSE_JSON_MAX_DEPTH:
                raise _Invalid  # too deep: null, like any text ParseJSON cannot read
            container: dict[str, Any] | list[Any] = {} if opener == "{" else []
            containers.append(container)
            pos = _skip(text, pos + 1)
            if pos < size and text[pos] == _CLOSER[opener]:
                value: Any = containers.pop()
                pos += 1
            else:
                if opener == "{":
                    pos = _parse_key(text, pos, pending_keys)
                continue
        else:
            value, pos = _parse_scalar(text, pos)
        # Attach the finished value, then close as many containers as the text closes.
        while containers:
            top = containers[-1]
            if isinstance(top, list):
                top.append(value)
                closer = "]"
            else:
                top[pending_keys.pop()] = value  # a duplicate key: the last one wins
                closer = "}"
            pos = _skip(text, pos)
            mark = text[pos] if pos < size else ""
            if mark == ",":
                pos = _skip(text, pos + 1)
                if pos >= size or text[pos] != closer:
                    if isinstance(top, dict):
                        pos = _parse_key(text, pos, pending_keys)
                    break
                mark = closer  # a trailing comma before the closer is accepted
            if mark != closer:
                raise _Invalid
            value = containers.pop()
            pos += 1
        else:
            return value, pos


def _parse_key(text: str, pos: int, pending_keys: list[str]) -> int:
    quote = text[pos] if pos < len(text) else ""
    if quote in _PLAIN_RUN:
        key, pos = _parse_string(text, pos)
    else:
        match = _BARE_KEY.match(text, pos)
        if match is None:
            raise _Invalid
        key, pos = match.group(), match.end()
    pos = _skip(text, pos)
    if pos >= len(text) or text[pos] != ":":
        raise _Invalid
    pending_keys.append(key)
    return pos + 1


def _parse_scalar(text: str, pos: int) -> tuple[Any, int]:
    first = text[pos] if pos < len(text) else ""
    if first in _PLAIN_RUN:
        return _parse_string(text, pos)
    match = _NUMBER.match(text, pos)
    if match is not None:
        return _number(match), match.end()
    word = _WORD.match(text, pos)
    if word is not None and word.group() in _LITERALS:
        return _LITERALS[word.group()], word.end()
    raise _Invalid


def _number(match: re.Match[str]) -> int | float:
    digits = match.group()
    if match.group(1) is None and match.group(2) is None:
        try:
            return int(digits)
        except ValueError:  # more digits than Python converts to int; a double holds it
            return float(digits)
    return float(digits)


def _parse_string(text: str, pos: int) -> tuple[str, int]:
    quote = text[pos]
    plain = _PLAIN_RUN[quote]
    parts: list[str] = []
    pos += 1
    while True:
        run = plain.match(text, pos)
        assert run is not None  # the pattern matches the empty string
        parts.append(run.group())
        pos = run.end()
        if pos >= len(text):
            raise _Invalid  # unterminated string
        if text[pos] == quote:
            return "".join(parts), pos + 1
        char, pos = _parse_escape(text, pos + 1)
        parts.append(char)


def _parse_escape(text: str, pos: int) -> tuple[str, int]:
    code = text[pos] if pos < len(text) else ""
    if code in _ESCAPES:
        return _ESCAPES[code], pos + 1
    if code != "u" or _HEX4.match(text, pos + 1) is None:
        raise _Invalid
    unit = int(text[pos + 1:pos + 5], 16)
    pos += 5
    # A high surrogate followed by an escaped low one is one character outside the BMP.
    if 0xD800 <= unit < 0xDC00 and text.startswith("\\u", pos) and _HEX4.match(text, pos + 2):
        low = int(text[pos + 2:pos + 6], 16)
        if 0xDC00 <= low < 0xE000:
            return chr(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)), pos + 6
    return chr(unit), pos  # a lone surrogate stays, as a JavaScript string would keep it


# --- Stringify ----------------------------------------------------------------------------------

#: Array elements are separated by a comma and CRLF (docs/fidelity.md#stringify-arrays).
ARRAY_SEPARATOR = ",\r\n"
#: NaN prints as U+221E, and +Infinity as "-∞" (docs/fidelity.md#stringify-numbers).
NAN_TEXT = "\u221e"
POSITIVE_INFINITY_TEXT = "-\u221e"
NEGATIVE_INFINITY_TEXT = assumptions.STRINGIFY_NEGATIVE_INFINITY


@dataclass
class _Frame:
    """One object or array being written."""

    items: Iterator[Any]
    is_object: bool
    ident: int
    first: bool = True


def stringify(value: Any) -> str:
    """Return ``Stringify(value)`` / ``Platform.Function.Stringify(value)``."""
    out: list[str] = []
    open_ids: set[int] = set()
    frames: list[_Frame] = []
    _write(value, out, frames, open_ids)
    while frames:
        frame = frames[-1]
        item = next(frame.items, _DONE)
        if item is _DONE:
            out.append("}" if frame.is_object else "]")
            open_ids.discard(frame.ident)
            frames.pop()
            continue
        if not frame.first:
            out.append("," if frame.is_object else ARRAY_SEPARATOR)
        frame.first = False
        if frame.is_object:
            key, item = item
            # Keys are written raw; a quote inside a key is not escaped
            # (docs/fidelity.md#stringify-strings).
            out.append(f'"{key if isinstance(key, str) else to_string(key)}":')
        _write(item, out, frames, open_ids)
    return "".join(out)


_DONE = object()


def _write(value: Any, out: list[str], frames: list[_Frame], open_ids: set[int]) -> None:
    if isinstance(value, (dict, list)):
        if id(value) in open_ids:
            out.append("null")  # a circular reference (docs/fidelity.md#stringify-values)
            return
        is_object = isinstance(value, dict)
        items = iter(value.items()) if is_object else iter(value)
        out.append("{" if is_object else "[")
        open_ids.add(id(value))
        frames.append(_Frame(items, is_object, id(value)))
        return
    out.append(_scalar_text(value))


def _scalar_text(value: Any) -> str:
    if value is None or value is UNDEFINED:
        return "null"  # undefined is written, as null (docs/fidelity.md#stringify-values)
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return _number_text(value)
    if isinstance(value, str):
        return _quote(value)
    own = getattr(value, "js_stringify", None)
    if own is not None:
        return own()
    if isinstance(value, _dt.datetime):
        # A quoted ISO-like text, milliseconds, no zone (docs/fidelity.md#stringify-dates).
        return _quote(value.replace(tzinfo=None).isoformat(timespec="milliseconds"))
    if callable(value):
        return '"function"'  # docs/fidelity.md#stringify-values
    raise TypeError(f"Stringify cannot write a {type(value).__name__}: {clr_text(value)!r}")


def _number_text(number: int | float) -> str:
    try:
        number = float(number)  # the platform's numbers are doubles
    except OverflowError:  # an int past the double range is an infinity as a double
        number = math.inf if number > 0 else -math.inf
    if math.isnan(number):
        return NAN_TEXT
    if math.isinf(number):
        return POSITIVE_INFINITY_TEXT if number > 0 else NEGATIVE_INFINITY_TEXT
    return clr_number(number)  # docs/fidelity.md#stringify-numbers


def _quote(text: str) -> str:
    # Only the quote and the backslash are escaped (docs/fidelity.md#stringify-strings).
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
