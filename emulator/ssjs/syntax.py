"""Jint's language: refuse the ES6+ syntax SFMC's engine rejects (docs/fidelity.md#jint-language).

QuickJS would run ``let``, arrow functions and the rest, so a page that works here would fail
on the platform; each script block is parsed with esprima and checked node by node.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from emulator.errors import EmulatorError

if TYPE_CHECKING:
    import esprima


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


#: A page's program that returns at the top level runs as the body of this function: the
#: opening stays on the program's first line, so every line keeps the file's number.
PROGRAM_OPEN = "(function () {"
PROGRAM_CLOSE = "\n}).call(this);"
_TOP_LEVEL_RETURN = "Illegal return statement"
_LINE_PREFIX = re.compile(r"^(?:Error: )?Line \d+: ")


def check_script(code: str, first_line: int = 1, where: str = "page") -> None:
    """Raise SsjsSyntaxError naming the line of the first syntax Jint would refuse."""
    checked_program("\n" * (first_line - 1) + code, where)


def checked_program(code: str, where: str = "page") -> str:
    """Return the program that runs ``code``, or raise SsjsSyntaxError naming its line.

    A ``return`` outside every function ends the script (docs/fidelity.md#top-level-return):
    such a program runs as the body of a function. It is checked as written, so an error
    names the line of ``code``.
    """
    found: list[tuple[int, str]] = []

    def visit(node: Any, metadata: Any) -> None:
        what = _refusal(node)
        if what is not None:
            found.append((node.loc.start.line, what))

    import esprima  # here, not at the top: it takes 0.3 s to import, and only page files need it

    program = code
    try:
        esprima.parseScript(code, {"loc": True}, visit)
    except esprima.Error as error:
        if _TOP_LEVEL_RETURN not in str(error):
            raise _syntax_error(error, where) from None
        # Parse again letting the return pass, so a later error names the file's line (not
        # one of the wrapper's): a script that parses this way also parses wrapped.
        found.clear()
        try:
            tolerated = esprima.parseScript(code, {"loc": True, "tolerant": True}, visit)
        except esprima.Error as later:
            raise _syntax_error(later, where) from None
        problems = _other_problems(tolerated)
        if problems:
            raise _syntax_error(problems[0], where) from None
        program = PROGRAM_OPEN + code + PROGRAM_CLOSE
    if found:
        line, what = min(found)
        raise SsjsSyntaxError(f"{where}, line {line}: {what} is not supported by SFMC's "
                              "SSJS engine (Jint: ECMAScript 3 with a few ES5 additions)")
    return program


def parses_alone(code: str) -> bool:
    """Return whether ``code`` is a whole script by itself, a top-level ``return`` allowed."""
    import esprima

    try:
        program = esprima.parseScript(code, {"tolerant": True})
    except esprima.Error:
        return False
    return not _other_problems(program)


def _other_problems(program: Any) -> list[dict[str, Any]]:
    """Return the problems a tolerant parse let pass, other than a top-level ``return``."""
    return [problem for problem in getattr(program, "errors", None) or ()
            if _TOP_LEVEL_RETURN not in str(problem.get("message", ""))]


def _syntax_error(error: esprima.Error | dict[str, Any], where: str) -> SsjsSyntaxError:
    """Return the error for a parse failure or a problem a tolerant parse recorded."""
    if isinstance(error, dict):
        line, text = error.get("lineNumber", "?"), str(error.get("message", ""))
    else:
        line, text = getattr(error, "lineNumber", "?"), str(error)
    text = _LINE_PREFIX.sub("", text)
    return SsjsSyntaxError(f"{where}, line {line}: syntax error: {text}")
