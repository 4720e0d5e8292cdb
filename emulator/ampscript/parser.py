"""Parse AMPscript tokens into a flat program of text, output and statements.

Function names and argument counts are checked here, before anything runs: the real engine
rejects an unknown function or a wrong argument count when it compiles the content
(docs/fidelity.md#ampscript-abort).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator import assumptions
from emulator.ampscript.lexer import (
    ATTRIBUTE,
    CLOSE_BLOCK,
    CLOSE_INLINE,
    END,
    NAME,
    NUMBER,
    OPEN_INLINE,
    STRING,
    TEXT,
    VARIABLE,
    Token,
    not_emulated,
    syntax_error,
    tokenize,
)
from emulator.ampscript.registry import FUNCTIONS, FunctionEntry, unknown_function
from emulator.script.budget import PageBudget
from emulator.script.errors import AmpscriptError

# Parsing and evaluation recurse once per level; the bound keeps hostile input far from
# Python's recursion limit.
MAX_NESTING = assumptions.AMPSCRIPT_MAX_NESTING

#: Reserved words (docs/fidelity.md#ampscript-case); TRUE and FALSE are read as boolean constants.
KEYWORDS = frozenset(
    "var set if then elseif else endif for to downto do next and or not".split())


@dataclass(frozen=True, slots=True)
class Literal:
    """A string, number or boolean constant."""

    value: Any


@dataclass(frozen=True, slots=True)
class VariableRef:
    """A variable read, ``@name``."""

    name: str


@dataclass(frozen=True, slots=True)
class Call:
    """A function call with its resolved entry and argument nodes."""

    entry: FunctionEntry
    args: tuple[Expression, ...]
    offset: int


Expression = Literal | VariableRef | Call


@dataclass(frozen=True, slots=True)
class Text:
    """Plain content, passed through unchanged."""

    text: str


@dataclass(frozen=True, slots=True)
class Output:
    """An inline ``%%= expr =%%``: writes the value's CLR text."""

    expression: Expression


@dataclass(frozen=True, slots=True)
class Declare:
    """``VAR @a, @b``: sets each variable to null."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Assign:
    """``SET @x = expr``."""

    name: str
    expression: Expression


@dataclass(frozen=True, slots=True)
class Evaluate:
    """A bare expression used as a statement: a call runs, a value is ignored.

    See docs/fidelity.md#ampscript-bare-statements.
    """

    expression: Expression


Item = Text | Output | Declare | Assign | Evaluate


def parse(source: str, functions: dict[str, FunctionEntry] = FUNCTIONS,
          budget: PageBudget | None = None) -> list[Item]:
    """Return the program of ``source``; raise ``AmpscriptError`` for invalid content.

    ``budget``: the page's, which the lexer keeps to (a program weighs more than its text).
    """
    return _Parser(source, tokenize(source, budget), functions).program()


class _Parser:
    """A recursive-descent parser over one token list."""

    def __init__(self, source: str, tokens: list[Token],
                 functions: dict[str, FunctionEntry]) -> None:
        self.source = source
        self.tokens = tokens
        self.functions = functions
        self.pos = 0

    def program(self) -> list[Item]:
        items: list[Item] = []
        while (token := self.advance()).kind != END:
            if token.kind == TEXT:
                items.append(Text(token.value))
            elif token.kind == OPEN_INLINE:
                # Inline AMPscript holds exactly one expression
                # (docs/fidelity.md#ampscript-embedding).
                items.append(Output(self.expression(0)))
                self.expect(CLOSE_INLINE, "=%% after the expression")
            else:  # OPEN_BLOCK: the lexer guarantees its CLOSE_BLOCK follows
                while self.peek().kind != CLOSE_BLOCK:
                    items.append(self.statement())
                self.advance()
        return items

    def statement(self) -> Item:
        token = self.peek()
        word = token.value.lower() if token.kind == NAME else ""
        if word == "var":
            self.advance()
            names = [self.expect(VARIABLE, "a variable (@name) after VAR").value]
            while self.peek().kind == ",":
                self.advance()
                names.append(self.expect(VARIABLE, "a variable (@name) after ','").value)
            return Declare(tuple(names))
        if word == "set":
            self.advance()
            name = self.expect(VARIABLE, "a variable (@name) after SET").value
            self.expect("=", f"'=' after SET {name}")
            return Assign(name, self.expression(0))
        if word in KEYWORDS:
            raise not_emulated(self.source, token.offset,
                               f"The AMPscript statement {token.value.upper()}")
        return Evaluate(self.expression(0))

    def expression(self, depth: int) -> Expression:
        token = self.advance()
        if token.kind in (STRING, NUMBER):
            return Literal(token.value)
        if token.kind == VARIABLE:
            return VariableRef(token.value)
        if token.kind == NAME:
            word = token.value.lower()
            if word in ("true", "false"):
                return Literal(word == "true")
            if self.peek().kind == "(":
                return self.call(token, depth)
            if word in KEYWORDS:
                raise self.error(token, f"unexpected keyword {token.value.upper()}")
            raise not_emulated(self.source, token.offset,
                               f"The AMPscript attribute reference {token.value}")
        if token.kind == ATTRIBUTE:
            raise not_emulated(self.source, token.offset,
                               f"The AMPscript attribute reference {token.value}")
        raise self.error(token, f"expected a value, found {self.describe(token)}")

    def call(self, name: Token, depth: int) -> Call:
        if depth >= MAX_NESTING:
            raise self.error(name, f"function calls nested deeper than {MAX_NESTING} levels")
        entry = self.functions.get(name.value.lower())
        if entry is None:
            raise unknown_function(name.value, self.functions)
        self.advance()  # "("
        args: list[Expression] = []
        if self.peek().kind != ")":
            args.append(self.expression(depth + 1))
            while self.peek().kind == ",":
                self.advance()
                args.append(self.expression(depth + 1))
        self.expect(")", f"',' or ')' in the call to {entry.name}")
        for argument in args:
            if isinstance(argument, Call) and argument.entry.statement_only:
                # Output/OutputLine nested in another call abort
                # (docs/fidelity.md#ampscript-output).
                raise syntax_error(self.source, argument.offset,
                                   f"{argument.entry.name} cannot be an argument of "
                                   f"{entry.name}")
        if not entry.accepts(len(args)):
            raise entry.arg_count_error(len(args))
        return Call(entry, tuple(args), name.offset)

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += token.kind != END  # END stays current, so every lookahead is safe
        return token

    def expect(self, kind: str, what: str) -> Token:
        token = self.peek()
        if token.kind != kind:
            raise self.error(token, f"expected {what}, found {self.describe(token)}")
        return self.advance()

    def error(self, token: Token, reason: str) -> AmpscriptError:
        return syntax_error(self.source, token.offset, reason)

    @staticmethod
    def describe(token: Token) -> str:
        if token.kind == END:
            return "the end of the content"
        if token.kind == STRING:
            return "a string"
        if token.kind == NUMBER:
            return f"the number {token.value}"
        return repr(token.value)
