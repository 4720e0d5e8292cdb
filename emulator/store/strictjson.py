"""Parse the ``--db`` file and its write-ahead log strictly, saying where a problem lies.

``json.loads`` keeps the last of two equal keys without a word (a hand-edited file that holds a
table twice would lose one silently), and what Python cannot hold fails without a position: an
integer of more than ``sys.get_int_max_str_digits()`` digits (ValueError) or nesting deeper than
the recursion limit (RecursionError). :func:`loads` turns each of them into a
:class:`JsonProblem` with a line and a column. The fast path is ``json.loads`` itself; the
slower scan that finds the position runs only once it has failed.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

#: Nesting reported as too deep once ``json.loads`` ran out of recursion; what it manages depends
#: on how deep the caller's stack already is, so the report points where the text passes this.
DEEP_NESTING = 500


class JsonProblem(Exception):
    """Why a JSON text was refused, and where: 1-based ``line`` and ``column`` (characters).

    ``duplicate`` is the key that appears twice, and ``path`` the keys (or list indexes) from the
    top of the document to the object holding it, so a caller can name a table or a row.
    """

    def __init__(self, message: str, line: int, column: int, *,
                 duplicate: str | None = None, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message, self.line, self.column = message, line, column
        self.duplicate, self.path = duplicate, path

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class _Duplicate(Exception):
    """A key appeared twice in one object (located afterwards by :func:`locate`)."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Duplicate
    return obj


def loads(text: str) -> Any:
    """Decode ``text`` like ``json.loads``, refusing duplicate keys; raise JsonProblem."""
    try:
        return json.loads(text, object_pairs_hook=_unique)
    except json.JSONDecodeError as error:
        raise JsonProblem(error.msg, error.lineno, error.colno) from None
    except (_Duplicate, ValueError, RecursionError) as error:
        # ValueError here is int()'s digit limit; the others carry no position either
        problem = locate(text)
        if problem is None:  # nesting under DEEP_NESTING, from an already deep stack
            problem = JsonProblem(f"Python cannot read it ({type(error).__name__}: {error})",
                                  1, 1)
        raise problem from None


_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n]+)
  | (?P<string>"[^"\\]*(?:\\.[^"\\]*)*")
  | (?P<number>-?(?P<digits>[0-9]+)(?P<fraction>\.[0-9]+)?(?P<exponent>[eE][-+]?[0-9]+)?)
  | (?P<punct>[{}\[\]:,])
  | (?P<word>true|false|null|NaN|-?Infinity)
""", re.VERBOSE)


class _Open:
    """An object or list being scanned: the keys seen so far, and where the scan is in it."""

    __slots__ = ("keys", "at", "expect_key")

    def __init__(self, is_object: bool) -> None:
        self.keys: set[str] | None = set() if is_object else None
        self.at: str | int = 0
        self.expect_key = is_object


def locate(text: str) -> JsonProblem | None:
    """Return the first duplicate key, over-long integer or too deep nesting in ``text``."""
    digit_limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    stack: list[_Open] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            break  # a syntax error json.loads would have reported: nothing more to find here
        kind, token, start, position = match.lastgroup, match.group(), match.start(), match.end()
        top = stack[-1] if stack else None
        if kind == "punct":
            if token in "{[":
                stack.append(_Open(token == "{"))
                if len(stack) > DEEP_NESTING:
                    return _at(text, start, f"the data is nested more than {DEEP_NESTING} "
                                            "levels deep, too deep for Python to read")
            elif token in "}]":
                if stack:
                    stack.pop()
            elif token == "," and top is not None:
                if top.keys is not None:
                    top.expect_key = True
                elif isinstance(top.at, int):
                    top.at += 1
        elif kind == "string" and top is not None and top.expect_key and top.keys is not None:
            key = _decode_key(token)
            if key in top.keys:
                path = tuple(frame.at for frame in stack[:-1])
                return _at(text, start, f"the key {key!r} appears twice in one object",
                           duplicate=key, path=path)
            top.keys.add(key)
            top.at, top.expect_key = key, False
        elif kind == "number" and not match.group("fraction") and not match.group("exponent"):
            digits = len(match.group("digits"))
            if digit_limit and digits > digit_limit:
                return _at(text, start, f"an integer of {digits} digits, more than the "
                                        f"{digit_limit} Python reads")
    return None


def _decode_key(token: str) -> str:
    try:
        key = json.loads(token)
    except ValueError:  # pragma: no cover - json.loads read the same token
        return token
    return key if isinstance(key, str) else token


def _at(text: str, offset: int, message: str, **details: Any) -> JsonProblem:
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return JsonProblem(message, line, column, **details)
