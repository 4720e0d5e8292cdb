"""Parse AMPscript tokens into a program: text, output, statements, IF and FOR.

Function names and argument counts are checked here, before anything runs: the real engine
rejects an unknown function or a wrong argument count when it compiles the content
(docs/fidelity.md#ampscript-abort). ``IF`` and ``FOR`` span blocks: the text and inline output
between ``%%[ IF ... ]%%`` and ``%%[ ENDIF ]%%`` belong to the branch
(docs/fidelity.md#ampscript-if).

Nesting (calls, parentheses, ``NOT``, ``IF``/``FOR`` bodies) is counted against one bound,
:data:`MAX_NESTING`, which keeps parsing and evaluation far from Python's recursion limit; long
chains (``a AND b AND c ...``, many statements) are loops, not recursion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator import assumptions
from emulator.ampscript.catalogue import KNOWN_FUNCTIONS
from emulator.ampscript.lexer import (
    ATTRIBUTE,
    CLOSE_BLOCK,
    CLOSE_INLINE,
    END,
    NAME,
    NUMBER,
    OPEN_BLOCK,
    OPEN_INLINE,
    OPERATOR,
    PERSONALIZATION,
    STRING,
    TEXT,
    VARIABLE,
    Token,
    located,
    syntax_error,
    tokenize,
    where,
)
from emulator.ampscript.registry import FUNCTIONS, FunctionEntry, unknown_function
from emulator.script.budget import PageBudget
from emulator.script.errors import AmpscriptError

MAX_NESTING = assumptions.AMPSCRIPT_MAX_NESTING

#: Reserved words (docs/fidelity.md#ampscript-case); TRUE and FALSE are read as boolean constants.
KEYWORDS = frozenset(
    "var set if then elseif else endif for to downto do next and or not".split())
#: Words that end a body: the parser returns to the IF or FOR that expects them.
_ENDINGS = frozenset(("elseif", "else", "endif", "next"))
_RELATIONAL = frozenset(("<", "<=", ">", ">="))
_EQUALITY = frozenset(("==", "!="))
_KNOWN = frozenset(name.lower() for name in KNOWN_FUNCTIONS)


# --- Expressions -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Literal:
    """A string, number or boolean constant."""

    value: Any


@dataclass(frozen=True, slots=True)
class VariableRef:
    """A variable read, ``@name``."""

    name: str


@dataclass(frozen=True, slots=True)
class AttributeRef:
    """A subscriber attribute: ``FirstName``, ``[First Name]`` or ``%%First Name%%``.

    See docs/fidelity.md#ampscript-attributes.
    """

    name: str


@dataclass(frozen=True, slots=True)
class Call:
    """A function call with its resolved entry and argument nodes."""

    entry: FunctionEntry
    args: tuple[Expression, ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Comparison:
    """``first op1 operand1 op2 ...``, left to right (docs/fidelity.md#ampscript-compare)."""

    first: Expression
    rest: tuple[tuple[str, Expression], ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Logical:
    """``first AND/OR operand ...``: one precedence, left to right, short-circuit.

    See docs/fidelity.md#ampscript-conditions.
    """

    first: Expression
    rest: tuple[tuple[str, Expression], ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Not:
    """``NOT expr``: negates everything to its right (docs/fidelity.md#ampscript-conditions)."""

    operand: Expression
    offset: int


Expression = Literal | VariableRef | AttributeRef | Call | Comparison | Logical | Not


# --- Items -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Text:
    """Plain content, passed through unchanged."""

    text: str


@dataclass(frozen=True, slots=True)
class Output:
    """An inline ``%%= expr =%%`` or a personalization string: writes the value's CLR text."""

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


@dataclass(frozen=True, slots=True)
class If:
    """``IF c THEN ... [ELSEIF c THEN ...]* [ELSE ...] ENDIF`` (docs/fidelity.md#ampscript-if)."""

    branches: tuple[tuple[Expression, tuple[Item, ...]], ...]
    otherwise: tuple[Item, ...]
    offsets: tuple[int, ...]  # of each condition, for the error of a non-boolean one


@dataclass(frozen=True, slots=True)
class For:
    """``FOR @i = start TO|DOWNTO end DO ... NEXT [@i]`` (docs/fidelity.md#ampscript-for)."""

    name: str
    start: Expression
    end: Expression
    down: bool
    body: tuple[Item, ...]
    offset: int


Item = Text | Output | Declare | Assign | Evaluate | If | For


@dataclass(frozen=True, slots=True)
class Program:
    """A compiled content: its items and the text they came from (for error positions)."""

    items: tuple[Item, ...]
    source: str


def parse(source: str, functions: dict[str, FunctionEntry] = FUNCTIONS,
          budget: PageBudget | None = None) -> list[Item]:
    """Return the items of ``source``; raise ``AmpscriptError`` for invalid content.

    ``budget``: the page's, which the lexer keeps to (a program weighs more than its text).
    """
    return list(compile_content(source, functions, budget).items)


def compile_content(source: str, functions: dict[str, FunctionEntry] = FUNCTIONS,
                    budget: PageBudget | None = None) -> Program:
    """Return the program of a whole content (a page's text or ``TreatAsContent``'s argument).

    Text, ``%%[ ]%%`` blocks, ``%%= =%%`` inline expressions, AMPscript server script tags and
    personalization strings become one program whose ``IF``/``FOR`` may span them.
    """
    return Program(_Parser(source, tokenize(source, budget), functions).program(), source)


class _Parser:
    """A recursive-descent parser over one token list."""

    def __init__(self, source: str, tokens: list[Token],
                 functions: dict[str, FunctionEntry]) -> None:
        self.source = source
        self.tokens = tokens
        self.functions = functions
        self.pos = 0

    # --- Bodies and statements -----------------------------------------------------------

    def program(self) -> tuple[Item, ...]:
        items, ending = self.body(0)
        if ending is not None:
            raise self.error(ending, f"{ending.value.upper()} without "
                                     f"{'FOR' if ending.value.lower() == 'next' else 'IF'}")
        return items

    def body(self, depth: int) -> tuple[tuple[Item, ...], Token | None]:
        """Parse items up to an ending word (returned, not consumed) or the end (None)."""
        items: list[Item] = []
        while True:
            token = self.peek()
            kind = token.kind
            if kind == END:
                return tuple(items), None
            if kind == TEXT:
                self.advance()
                items.append(Text(token.value))
            elif kind == PERSONALIZATION:
                self.advance()
                items.append(Output(AttributeRef(token.value.rstrip())))
            elif kind == OPEN_INLINE:
                self.advance()
                # Inline AMPscript holds exactly one expression
                # (docs/fidelity.md#ampscript-embedding).
                items.append(Output(self.expression(0)))
                self.expect(CLOSE_INLINE, "=%% after the expression")
            elif kind in (OPEN_BLOCK, CLOSE_BLOCK):
                self.advance()  # the lexer pairs them; statements span blocks
            elif kind == NAME and token.value.lower() in _ENDINGS:
                return tuple(items), token
            else:
                items.append(self.statement(depth))

    def statement(self, depth: int) -> Item:
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
        if word == "if":
            return self.if_statement(depth)
        if word == "for":
            return self.for_statement(depth)
        if word in KEYWORDS and word != "not":
            raise self.error(token, f"unexpected keyword {token.value.upper()}")
        expression = self.expression(0)
        if self.peek().kind == "=" and isinstance(expression, VariableRef):
            # "@a = 'b'" as a statement parses and is ignored
            # (docs/fidelity.md#ampscript-bare-statements).
            self.advance()
            expression = self.expression(0)
        return Evaluate(expression)

    def nested(self, token: Token, depth: int) -> int:
        """Return ``depth + 1``; raise when that passes the nesting bound."""
        if depth >= MAX_NESTING:
            raise self.error(token, f"{token.value.upper() if token.kind == NAME else 'code'} "
                                    f"nested deeper than {MAX_NESTING} levels")
        return depth + 1

    def if_statement(self, depth: int) -> If:
        opening = self.advance()
        inner = self.nested(opening, depth)
        branches: list[tuple[Expression, tuple[Item, ...]]] = []
        offsets: list[int] = []
        otherwise: tuple[Item, ...] = ()
        seen_else: Token | None = None
        keyword = opening
        while True:
            if seen_else is None:
                offsets.append(self.peek().offset)
                condition = self.expression(0)
                self.expect_word("then", f"THEN after the condition of {keyword.value.upper()}")
            items, ending = self.body(inner)
            if ending is None:
                raise self.error(opening, "IF without ENDIF")
            if seen_else is None:
                branches.append((condition, items))
            else:
                otherwise = items
            self.advance()
            word = ending.value.lower()
            if word == "endif":
                return If(tuple(branches), otherwise, tuple(offsets))
            if word == "next":
                raise self.error(ending, "NEXT without FOR (an IF is still open)")
            if seen_else is not None:
                raise self.error(ending, f"{ending.value.upper()} after the ELSE of the IF at "
                                         f"{self.where(opening)}")
            if word == "else":
                seen_else = ending
            keyword = ending

    def for_statement(self, depth: int) -> For:
        opening = self.advance()
        inner = self.nested(opening, depth)
        name = self.expect(VARIABLE, "a variable (@name) after FOR").value
        self.expect("=", f"'=' after FOR {name}")
        start = self.expression(0)
        direction = self.peek()
        if direction.kind != NAME or direction.value.lower() not in ("to", "downto"):
            raise self.error(direction, f"expected TO or DOWNTO in the FOR loop, found "
                                        f"{self.describe(direction)}")
        self.advance()
        end = self.expression(0)
        self.expect_word("do", "DO after the bounds of the FOR loop")
        body, ending = self.body(inner)
        if ending is None:
            raise self.error(opening, "FOR without NEXT")
        if ending.value.lower() != "next":
            raise self.error(ending, f"{ending.value.upper()} without IF (inside the FOR at "
                                     f"{self.where(opening)})")
        self.advance()
        if self.peek().kind == VARIABLE:
            # The counter's name after NEXT is optional and not checked
            # (docs/fidelity.md#ampscript-for).
            self.advance()
        return For(name, start, end, direction.value.lower() == "downto", body, opening.offset)

    # --- Expressions ---------------------------------------------------------------------

    def expression(self, depth: int) -> Expression:
        """Parse ``AND``/``OR`` chains of comparisons (docs/fidelity.md#ampscript-conditions)."""
        start = self.peek().offset
        first = self.equality(depth)
        rest: list[tuple[str, Expression]] = []
        while (token := self.peek()).kind == NAME and token.value.lower() in ("and", "or"):
            self.advance()
            rest.append((token.value.lower(), self.equality(depth)))
        return Logical(first, tuple(rest), start) if rest else first

    def equality(self, depth: int) -> Expression:
        return self.chain(depth, _EQUALITY, self.relational)

    def relational(self, depth: int) -> Expression:
        return self.chain(depth, _RELATIONAL, self.unary)

    def chain(self, depth: int, operators: frozenset[str], operand: Any) -> Expression:
        start = self.peek().offset
        first = operand(depth)
        rest: list[tuple[str, Expression]] = []
        while (token := self.peek()).kind == OPERATOR and token.value in operators:
            self.advance()
            rest.append((token.value, operand(depth)))
        return Comparison(first, tuple(rest), start) if rest else first

    def unary(self, depth: int) -> Expression:
        token = self.peek()
        if token.kind == NAME and token.value.lower() == "not":
            self.advance()
            # NOT has the lowest precedence: it negates the whole AND/OR chain to its right.
            return Not(self.expression(self.nested(token, depth)), token.offset)
        return self.primary(depth)

    def primary(self, depth: int) -> Expression:
        token = self.advance()
        if token.kind in (STRING, NUMBER):
            return Literal(token.value)
        if token.kind == VARIABLE:
            return VariableRef(token.value)
        if token.kind == "(":
            inner = self.expression(self.nested(token, depth))
            self.expect(")", "')' to close the parenthesis")
            return inner
        if token.kind == NAME:
            word = token.value.lower()
            if word in ("true", "false"):
                return Literal(word == "true")
            if self.peek().kind == "(":
                return self.call(token, depth)
            if word in KEYWORDS:
                raise self.error(token, f"unexpected keyword {token.value.upper()}")
            return AttributeRef(token.value)
        if token.kind == ATTRIBUTE:
            name = token.value[1:-1]
            if not name.strip():
                raise self.error(token, "an attribute name between [ ] cannot be empty")
            return AttributeRef(name)
        raise self.error(token, f"expected a value, found {self.describe(token)}")

    def call(self, name: Token, depth: int) -> Call:
        if depth >= MAX_NESTING:
            raise self.error(name, f"function calls nested deeper than {MAX_NESTING} levels")
        entry = self.functions.get(name.value.lower())
        if entry is None:
            raise self.unknown(name)
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
            raise located(entry.arg_count_error(len(args)), self.source, name.offset, entry.name)
        return Call(entry, tuple(args), name.offset)

    def unknown(self, name: Token) -> AmpscriptError:
        """Return the error for a call to a function the table lacks.

        A real platform function the emulator has not built is "not emulated"; any other name
        is the platform's compile error (docs/fidelity.md#ampscript-unknown-function).
        """
        if name.value.lower() in _KNOWN:
            error: AmpscriptError = unknown_function(name.value, self.functions)
        else:
            error = AmpscriptError(assumptions.AMPSCRIPT_NO_SUCH_FUNCTION.format(name=name.value)
                                   + f" at {self.where(name)}")
        return located(error, self.source, name.offset, name.value)

    # --- Tokens --------------------------------------------------------------------------

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

    def expect_word(self, word: str, what: str) -> Token:
        token = self.peek()
        if token.kind != NAME or token.value.lower() != word:
            raise self.error(token, f"expected {what}, found {self.describe(token)}")
        return self.advance()

    def where(self, token: Token) -> str:
        return where(self.source, token.offset)

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
