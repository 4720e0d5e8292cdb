"""The JSONPath that BuildRowsetFromJSON reads: dot and bracket steps, wildcards, indexes,
slices and recursive descent, no filter expressions (OFF: "doesn't support JSONPath filter
expressions"; docs/fidelity.md#buildrowsetfromjson).

``$`` is the document; ``.name`` and ``['name']`` a member; ``[n]`` an element (negative from the
end); ``[a:b]`` a slice; ``*`` and ``[*]`` every member or element; ``..name`` and ``..*`` that
step at any depth. A path is read once into steps; anything else is a :class:`JsonPathError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

#: Paths longer than this are refused before reading (a path is a few dozen characters).
MAX_PATH = 1000

_NAME = re.compile(r"[A-Za-z_$@\u0080-\uffff][A-Za-z0-9_$@\-\u0080-\uffff]*")
_INDEX = re.compile(r"-?[0-9]{1,9}")
_SLICE = re.compile(r"(-?[0-9]{1,9})?:(-?[0-9]{1,9})?")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")

Step = tuple[str, Any]  # ("member", name) ("index", n) ("slice", (a, b)) ("all", None); deep too


class JsonPathError(ValueError):
    """The path is not one BuildRowsetFromJSON reads."""


def parse(path: str) -> list[tuple[bool, Step]]:
    """Return the steps of ``path`` as (recursive, step) pairs; raise JsonPathError."""
    if len(path) > MAX_PATH:
        raise JsonPathError(f"a path longer than {MAX_PATH} characters")
    text = path.strip()
    if not text.startswith("$"):
        raise JsonPathError("a path starts with $")
    steps: list[tuple[bool, Step]] = []
    at = 1
    while at < len(text):
        deep = text.startswith("..", at)
        if deep or text[at] == ".":
            at += 2 if deep else 1
            if text.startswith("*", at):
                steps.append((deep, ("all", None)))
                at += 1
                continue
            if deep and text.startswith("[", at):
                at, step = _bracket(text, at)
                steps.append((True, step))
                continue
            match = _NAME.match(text, at)
            if match is None:
                raise JsonPathError(f"a name expected at character {at + 1}")
            steps.append((deep, ("member", match.group())))
            at = match.end()
        elif text[at] == "[":
            at, step = _bracket(text, at)
            steps.append((False, step))
        else:
            raise JsonPathError(f"unexpected {text[at]!r} at character {at + 1}")
    return steps


def _bracket(text: str, at: int) -> tuple[int, Step]:
    end = text.find("]", at)
    quoted = _QUOTED.match(text, at + 1)
    if quoted is not None:
        end = quoted.end()
        if not text.startswith("]", end):
            raise JsonPathError(f"']' expected at character {end + 1}")
        name = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
        return end + 1, ("member", re.sub(r"\\(.)", r"\1", name))
    if end < 0:
        raise JsonPathError("a '[' is not closed")
    inner = text[at + 1:end].strip()
    if inner == "*":
        return end + 1, ("all", None)
    if _INDEX.fullmatch(inner):
        return end + 1, ("index", int(inner))
    slice_match = _SLICE.fullmatch(inner)
    if slice_match is not None:
        low, high = slice_match.groups()
        return end + 1, ("slice", (None if low is None else int(low),
                                   None if high is None else int(high)))
    if inner.startswith("?"):
        raise JsonPathError("filter expressions are not supported")
    raise JsonPathError(f"{inner[:40]!r} is no index, slice, name or *")


def select(document: Any, steps: list[tuple[bool, Step]]) -> list[Any]:
    """Return the values ``steps`` reach from ``document``, in document order."""
    current = [document]
    for deep, step in steps:
        found: list[Any] = []
        for value in current:
            for node in (_descendants(value) if deep else (value,)):
                found.extend(_apply(node, step))
        current = found
    return current


def _descendants(value: Any) -> Iterator[Any]:
    """Yield ``value`` and everything inside it, depth first, without recursion."""
    pending = [value]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, dict):
            pending.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            pending.extend(reversed(node))


def _apply(node: Any, step: Step) -> list[Any]:
    kind, detail = step
    if kind == "member":
        return [node[detail]] if isinstance(node, dict) and detail in node else []
    if kind == "all":
        if isinstance(node, dict):
            return list(node.values())
        return list(node) if isinstance(node, list) else []
    if not isinstance(node, list):
        return []
    if kind == "index":
        return [node[detail]] if -len(node) <= detail < len(node) else []
    low, high = detail
    return node[low:high]
