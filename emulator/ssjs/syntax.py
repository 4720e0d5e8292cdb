"""Jint's language: refuse the ES6+ syntax SFMC's engine rejects (docs/fidelity.md#jint-language).

QuickJS would run ``let``, arrow functions and the rest, so a page that works here would fail
on the platform; each script block is parsed with esprima and checked node by node.
"""

from __future__ import annotations

from typing import Any

import esprima

from emulator.errors import EmulatorError


class SsjsSyntaxError(EmulatorError):
    """A page script that SFMC's engine would not run; the message names the line."""


#: node type -> what the message calls it
_REFUSED = {
    "ArrowFunctionExpression": "an arrow function",
    "TemplateLiteral": "a template literal",
    "TaggedTemplateExpression": "a tagged template",
    "ClassDeclaration": "a class",
    "ClassExpression": "a class",
    "ObjectPattern": "destructuring",
    "ArrayPattern": "destructuring",
    "SpreadElement": "spread (...)",
    "RestElement": "a rest parameter (...)",
    "ForOfStatement": "for-of",
    "AssignmentPattern": "a default parameter value",
    "AwaitExpression": "await",
    "YieldExpression": "yield",
    "MetaProperty": "new.target",
    "Super": "super",
}


def _refusal(node: Any) -> str | None:
    """Return what is refused about ``node``, or None when Jint accepts it."""
    kind = node.type
    if kind in _REFUSED:
        return _REFUSED[kind]
    if kind == "VariableDeclaration" and node.kind in ("let", "const"):
        return f"'{node.kind}'"
    if kind in ("FunctionDeclaration", "FunctionExpression"):
        if getattr(node, "generator", False):
            return "a generator function"
        if getattr(node, "isAsync", False) or getattr(node, "async", False):
            return "an async function"
    if kind == "Property" and (node.shorthand or node.method or node.computed):
        return "a shorthand, method or computed property"
    if kind in ("BinaryExpression", "AssignmentExpression") and node.operator in ("**", "**="):
        return "the ** operator"
    return None


def check_script(code: str, first_line: int = 1, where: str = "page") -> None:
    """Raise SsjsSyntaxError naming the line of the first syntax Jint would refuse."""
    padded = "\n" * (first_line - 1) + code
    found: list[tuple[int, str]] = []

    def visit(node: Any, metadata: Any) -> None:
        what = _refusal(node)
        if what is not None:
            found.append((node.loc.start.line, what))

    try:
        esprima.parseScript(padded, {"loc": True}, visit)
    except esprima.Error as error:
        line = getattr(error, "lineNumber", "?")
        text = str(error).split(": ", 1)[-1]
        raise SsjsSyntaxError(f"{where}, line {line}: syntax error: {text}") from None
    if found:
        line, what = min(found)
        raise SsjsSyntaxError(f"{where}, line {line}: {what} is not supported by SFMC's "
                              "SSJS engine (Jint: ECMAScript 3 with a few ES5 additions)")
