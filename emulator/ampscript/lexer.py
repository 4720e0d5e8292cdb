"""Split content into plain text and AMPscript tokens (docs/fidelity.md#ampscript-embedding).

Plain text is found with one forward regex search per delimiter, so megabytes of text cost
linear time; code between ``%%[ ]%%``, ``%%= =%%`` or an AMPscript server script tag is matched
token by token. A personalization string ``%%Name%%`` in the text is one token
(docs/fidelity.md#ampscript-attributes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from emulator import assumptions
from emulator.script.budget import PageBudget
from emulator.script.errors import AmpscriptError, FeatureNotEmulated

AMPSCRIPT_NOT_EMULATED = assumptions.AMPSCRIPT_NOT_EMULATED

TEXT = "text"
OPEN_BLOCK, CLOSE_BLOCK = "%%[", "]%%"
OPEN_INLINE, CLOSE_INLINE = "%%=", "=%%"
#: A server script tag whose language is AMPscript opens a block that ``</script>`` closes; the
#: parser sees OPEN_BLOCK/CLOSE_BLOCK tokens whose values are these.
OPEN_TAG, CLOSE_TAG = "<script>", "</script>"
PERSONALIZATION = "personalization"
STRING, NUMBER, VARIABLE, NAME = "string", "number", "variable", "name"
ATTRIBUTE, OPERATOR, END = "attribute", "operator", "end of content"
_CLOSER = {OPEN_BLOCK: CLOSE_BLOCK, OPEN_INLINE: CLOSE_INLINE, OPEN_TAG: CLOSE_TAG}

# One search finds the next thing in the text that is not plain text. A script tag's scan stops
# at the next "<" or ">", so the scans never overlap and hostile "<script <script ..." text stays
# linear; a personalization name holds no "%", so its scan never passes the next delimiter.
_DELIMITER = re.compile(
    r"%%[\[=]"
    r"|%%(?P<personal>[A-Za-z_][A-Za-z0-9_ ]*)%%"  # docs/fidelity.md#ampscript-attributes
    r"|<script\b(?P<tag>[^<>]*)>", re.IGNORECASE)
_TAG_ATTRIBUTE = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_CODE = re.compile("|".join((
    r"(?P<space>\s+)",
    r"(?P<comment>/\*.*?\*/)",
    r"(?P<close>\]%%|=%%|(?i:</script\s*>))",
    # The delimiting quote is escaped by doubling; there are no backslash escapes
    # (docs/fidelity.md#ampscript-literals).
    r"(?P<string>'[^']*(?:''[^']*)*'|\"[^\"]*(?:\"\"[^\"]*)*\")",
    r"(?P<number>-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))",
    r"(?P<variable>@[A-Za-z0-9_]+)",
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)",
    r"(?P<attribute>\[[^\]\r\n]*\])",
    r"(?P<operator>==|!=|<=|>=|<|>)",
    r"(?P<punct>[(),=])",
)), re.DOTALL)
_INT64 = range(-(2**63), 2**63)
#: Bytes a token and its share of the parsed program hold, at most (measured: about 150).
TOKEN_BYTES = 160
_BUDGET_EVERY = 1024  # tokens between two looks at the page's budget


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its value (unquoted string, parsed number, raw text), its offset."""

    kind: str
    value: Any
    offset: int


def tokenize(source: str, budget: PageBudget | None = None) -> list[Token]:
    """Return the tokens of ``source``, ending with an ``END`` token.

    With a page's ``budget``, a program too big to hold, or a page out of time, stops the lexer
    (docs/fidelity.md#page-budget): tokens weigh a hundred times their text.
    """
    tokens: list[Token] = []
    pos = scan = 0
    while pos < len(source):
        found = _DELIMITER.search(source, scan)
        if found is not None and found.group("tag") is not None \
                and not _is_ampscript_tag(found.group("tag")):
            scan = found.end()  # a browser script or SSJS: plain text
            continue
        start = len(source) if found is None else found.start()
        if start > pos:
            tokens.append(Token(TEXT, source[pos:start], pos))
        if found is None:
            break
        if found.group("personal") is not None:
            tokens.append(Token(PERSONALIZATION, found.group("personal"), start))
            pos = scan = found.end()
            continue
        opener = OPEN_TAG if found.group("tag") is not None else found.group()
        kind = OPEN_BLOCK if opener == OPEN_TAG else opener
        tokens.append(Token(kind, opener, start))
        pos = scan = _tokenize_code(source, start, found.end(), opener, tokens, budget)
    tokens.append(Token(END, None, len(source)))
    return tokens


def _is_ampscript_tag(attributes: str) -> bool:
    """Return whether a script tag's attributes say ``runat="server" language="ampscript"``."""
    found = {name.lower(): value.strip("'\"").lower()
             for name, value in _TAG_ATTRIBUTE.findall(attributes)}
    return found.get("runat") == "server" and found.get("language") == "ampscript"


def _tokenize_code(source: str, opened_at: int, pos: int, opener: str, tokens: list[Token],
                   budget: PageBudget | None) -> int:
    """Append the tokens of one block or inline expression; return the offset after it."""
    while True:
        if budget is not None and not len(tokens) % _BUDGET_EVERY:
            budget.check()
            budget.fits(len(tokens) * TOKEN_BYTES)
        match = _CODE.match(source, pos)
        if match is None:
            raise _code_error(source, pos, opener, opened_at)
        kind, text = match.lastgroup, match.group()
        if kind == "close":
            closer = CLOSE_TAG if text.startswith("<") else text
            if closer != _CLOSER[opener]:
                raise syntax_error(source, pos, f"unexpected {text!r} inside {_shown(opener)}")
            tokens.append(Token(CLOSE_BLOCK if closer == CLOSE_TAG else closer, closer, pos))
            return match.end()
        if kind == "comment" and opener == OPEN_INLINE:
            # Comments are allowed in blocks only, not in inline AMPscript
            # (docs/fidelity.md#ampscript-comments).
            raise syntax_error(source, pos, "comments are not allowed inside %%= =%%")
        if kind == STRING:
            tokens.append(Token(STRING, text[1:-1].replace(text[0] * 2, text[0]), pos))
        elif kind == NUMBER:
            tokens.append(Token(NUMBER, _number(text), pos))
        elif kind == "punct":
            tokens.append(Token(text, text, pos))
        elif kind not in ("space", "comment"):
            tokens.append(Token(str(kind), text, pos))
        pos = match.end()


def _number(text: str) -> int | float:
    """Return a numeric constant: integers stay ``int``; beyond int64 they read 0.

    See docs/fidelity.md#ampscript-int64.
    """
    if "." in text:
        return float(text)
    if len(text.lstrip("-")) > 19:  # also keeps int() clear of its 4300-digit limit
        return 0
    value = int(text)
    return value if value in _INT64 else 0


def _shown(opener: str) -> str:
    """Return how an error names the opener: the tag in full, delimiters as they are."""
    return '<script runat="server" language="ampscript">' if opener == OPEN_TAG else opener


def _code_error(source: str, pos: int, opener: str, opened_at: int) -> AmpscriptError:
    """Return the syntax error for code that no token matches at ``pos``."""
    if pos >= len(source):
        return syntax_error(source, opened_at,
                            f"{_shown(opener)} is not closed with {_CLOSER[opener]}")
    if source.startswith("/*", pos):
        return syntax_error(source, pos, "unterminated comment")
    if source[pos] in "'\"":
        return syntax_error(source, pos, "unterminated string")
    return syntax_error(source, pos, f"unexpected character {source[pos]!r}")


def position(source: str, offset: int) -> tuple[int, int]:
    """Return the 1-based (line, column) of ``offset`` in ``source``."""
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1


def where(source: str, offset: int) -> str:
    """Return ``line L, column C`` (1-based) of ``offset`` in ``source``."""
    line, column = position(source, offset)
    return f"line {line}, column {column}"


def located(error: AmpscriptError, source: str, offset: int,
            function: str | None = None) -> AmpscriptError:
    """Return ``error`` with its line, column and function set, unless it already has them."""
    if error.line is None:
        error.line, error.column = position(source, offset)
        if function is not None:
            error.function = function
    return error


def syntax_error(source: str, offset: int, reason: str) -> AmpscriptError:
    """Return an AMPscript syntax error that says what went wrong and where."""
    return located(AmpscriptError(assumptions.AMPSCRIPT_SYNTAX.format(
        reason=f"{reason} at {where(source, offset)}")), source, offset)


def not_emulated(source: str, offset: int, what: str) -> FeatureNotEmulated:
    """Return the error for an AMPscript feature the emulator does not implement."""
    error = FeatureNotEmulated(AMPSCRIPT_NOT_EMULATED.format(what=what,
                                                             where=where(source, offset)))
    located(error, source, offset)
    return error
