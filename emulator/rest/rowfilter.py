"""Parse a rowset ``$filter`` into a predicate over a Data Extension's stored rows.

docs/fidelity.md#rest-rowset-filter: ``<Column> eq|neq|lt|lte|gt|gte|like <value>``,
``<Column> is [not] null``, ``<Column> in (v1, v2)``, ``<Column> between v1 and v2``, combined
with ``and``/``or``/``not`` and parentheses; values bare or in single quotes (``''`` is a quote
inside one). Each comparison is the store's own (emulator/store/filters.py), so a column
compares by its type exactly as ``Rows.Retrieve`` compares it. A filter that does not parse is
refused naming the offending token (docs/fidelity.md#rest-filter-errors).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator import assumptions
from emulator.errors import InvalidFilter
from emulator.store.filters import compile_filter
from emulator.store.schema import DataExtensionSchema

Row = Mapping[str, Any]
Predicate = Callable[[Row], bool]
#: A condition in SQL's three-valued logic: None is unknown (a comparison with an empty cell).
Condition = Callable[[Row], "bool | None"]

#: The comparison words of the grammar and the store's SimpleOperator each stands for.
COMPARISONS = {"eq": "equals", "neq": "notEquals", "lt": "lessThan", "lte": "lessThanOrEqual",
               "gt": "greaterThan", "gte": "greaterThanOrEqual", "like": "like"}
_WORDS = frozenset({*COMPARISONS, "in", "between", "is", "not", "null", "and", "or"})
_TOKEN = re.compile(r"\s*(?:(?P<quoted>'(?:[^']|'')*')|(?P<open>'[^']*$)|(?P<mark>[(),])"
                    r"|(?P<bare>[^\s(),']+))")
MAX_FILTER_LENGTH = assumptions.REST_FILTER_MAX_LENGTH


class FilterSyntaxError(ValueError):
    """A ``$filter`` refused: ``message`` says why and names the offending token."""

    def __init__(self, message: str, token: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.token = token


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool
    position: int  # 1-based character where it starts

    @property
    def word(self) -> str | None:
        """Return the keyword this token is (lower-cased), or None for a value or a name."""
        folded = self.text.casefold()
        return folded if not self.quoted and folded in _WORDS else None

    def shown(self) -> str:
        return f"'{self.text}'" if not self.quoted else f"'{self.text}' (quoted)"


def tokenize(text: str) -> list[_Token]:
    """Split a filter into names, values, keywords and the marks ``( ) ,``."""
    tokens: list[_Token] = []
    at = 0
    while at < len(text):
        found = _TOKEN.match(text, at)
        if found is None or found.end() == at:  # only trailing white space is left
            if text[at:].strip():
                raise FilterSyntaxError(f"$filter: unexpected character {text[at:].strip()[0]!r} "
                                        f"at {at + 1}")
            break
        start = found.start(found.lastgroup or 0) + 1
        if found.group("open") is not None:
            raise FilterSyntaxError(f"$filter: the quoted value starting at {start} has no "
                                    "closing quote", found.group("open"))
        if found.group("quoted") is not None:
            tokens.append(_Token(found.group("quoted")[1:-1].replace("''", "'"), True, start))
        else:
            tokens.append(_Token(found.group(found.lastgroup or 0), False, start))
        at = found.end()
    return tokens


def compile_rest_filter(schema: DataExtensionSchema, text: str) -> Predicate:
    """Return the predicate of ``text`` over rows of ``schema``; raise FilterSyntaxError."""
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterSyntaxError(f"$filter is {len(text)} characters long; at most "
                                f"{MAX_FILTER_LENGTH} are accepted")
    tokens = tokenize(text)
    if not tokens:
        raise FilterSyntaxError("$filter is empty; expected a condition such as "
                                "Email eq 'ann@example.com'")
    parser = _Parser(schema, tokens)
    condition = parser.disjunction(1)
    if parser.at < len(tokens):
        token = tokens[parser.at]
        raise FilterSyntaxError(f"$filter: unexpected {token.shown()} at {token.position}; "
                                "expected and, or or the end", token.text)
    return lambda row: condition(row) is True  # unknown selects no row, as in SQL


class _Parser:
    """Recursive descent: or > and > not > comparison or parenthesised filter.

    Conditions follow SQL's three-valued logic (docs/fidelity.md#rest-rowset-filter): a
    comparison with an empty cell is unknown, ``not`` unknown is unknown.
    """

    def __init__(self, schema: DataExtensionSchema, tokens: list[_Token]) -> None:
        self.schema = schema
        self.tokens = tokens
        self.at = 0
        self.parts = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str) -> _Token:
        token = self.peek()
        if token is None:
            raise FilterSyntaxError(f"$filter ends early; expected {expected}")
        self.at += 1
        return token

    def take_word(self, word: str, expected: str) -> None:
        token = self.take(expected)
        if token.word != word and not (token.text == word and not token.quoted):
            raise FilterSyntaxError(f"$filter: unexpected {token.shown()} at {token.position}; "
                                    f"expected {expected}", token.text)

    def disjunction(self, depth: int) -> Condition:
        self.deeper(depth)
        parts = [self.conjunction(depth)]
        while (token := self.peek()) is not None and token.word == "or":
            self.at += 1
            parts.append(self.conjunction(depth))
        if len(parts) == 1:
            return parts[0]
        return lambda row: _any(part(row) for part in parts)

    def conjunction(self, depth: int) -> Condition:
        parts = [self.negation(depth)]
        while (token := self.peek()) is not None and token.word == "and":
            self.at += 1
            parts.append(self.negation(depth))
        if len(parts) == 1:
            return parts[0]
        return lambda row: _all(part(row) for part in parts)

    def negation(self, depth: int) -> Condition:
        token = self.peek()
        if token is not None and token.word == "not":
            self.at += 1
            self.deeper(depth + 1)
            inner = self.negation(depth + 1)

            def negated(row: Row) -> bool | None:
                value = inner(row)
                return None if value is None else not value

            return negated
        return self.primary(depth)

    def primary(self, depth: int) -> Condition:
        token = self.take("a column name or '('")
        if token.text == "(" and not token.quoted:
            inner = self.disjunction(depth + 1)
            self.take_word(")", "')'")
            return inner
        if token.quoted or token.word is not None or token.text in "(),":
            raise FilterSyntaxError(f"$filter: unexpected {token.shown()} at {token.position}; "
                                    "expected a column name", token.text)
        return self.comparison(token)

    def comparison(self, column: _Token) -> Condition:
        field = self.schema.field(column.text)
        if field is None:
            known = ", ".join(self.schema.field_names)
            raise FilterSyntaxError(f"$filter: unknown column '{column.text}' at "
                                    f"{column.position}; columns are {known}", column.text)
        self.parts += 1
        if self.parts > assumptions.FILTER_MAX_PARTS:
            raise FilterSyntaxError(f"$filter has more than {assumptions.FILTER_MAX_PARTS} "
                                    "conditions")
        expected = "an operator (eq, neq, lt, lte, gt, gte, like, in, between, is)"
        token = self.take(expected)
        word = token.word
        if word in COMPARISONS:
            return self.leaf(field.name, COMPARISONS[word], self.value(), token)
        if word == "is":
            negated = (next_token := self.peek()) is not None and next_token.word == "not"
            if negated:
                self.at += 1
            self.take_word("null", "null")
            return self.leaf(field.name, "isNotNull" if negated else "isNull", None, token)
        if word == "in":
            self.take_word("(", "'(' after in")
            values = [self.value()]
            while (mark := self.take("',' or ')'")).text == "," and not mark.quoted:
                values.append(self.value())
            if mark.text != ")" or mark.quoted:
                raise FilterSyntaxError(f"$filter: unexpected {mark.shown()} at "
                                        f"{mark.position}; expected ',' or ')'", mark.text)
            return self.leaf(field.name, "IN", values, token)
        if word == "between":
            low = self.value()
            self.take_word("and", "and between the two values of between")
            return self.leaf(field.name, "between", [low, self.value()], token)
        raise FilterSyntaxError(f"$filter: unexpected {token.shown()} at {token.position} after "
                                f"column '{column.text}'; expected {expected}", token.text)

    def value(self) -> str:
        token = self.take("a value")
        if not token.quoted and (token.word is not None or token.text in "(),"):
            raise FilterSyntaxError(f"$filter: unexpected {token.shown()} at {token.position}; "
                                    "expected a value (quote it: 'text')", token.text)
        return token.text

    def leaf(self, column: str, operator: str, value: Any, token: _Token) -> Condition:
        part: dict[str, Any] = {"Property": column, "SimpleOperator": operator}
        if value is not None:
            part["Value"] = value
        try:
            check = compile_filter(self.schema, part)
        except InvalidFilter as error:
            reason = error.reason.removeprefix("filter: ")
            raise FilterSyntaxError(f"$filter: {token.text} at {token.position}: {reason}",
                                    token.text) from None
        if operator in ("isNull", "isNotNull"):
            return check

        def compared(row: Row) -> bool | None:
            cell = row.get(column)
            return None if cell is None or cell == "" else check(row)

        return compared

    def deeper(self, depth: int) -> None:
        if depth > assumptions.FILTER_MAX_DEPTH:
            raise FilterSyntaxError(f"$filter is nested more than {assumptions.FILTER_MAX_DEPTH} "
                                    "levels deep")


def _any(values: Any) -> bool | None:
    """SQL's ``or``: true if one is true, else unknown if one is unknown, else false."""
    unknown = False
    for value in values:
        if value is True:
            return True
        unknown = unknown or value is None
    return None if unknown else False


def _all(values: Any) -> bool | None:
    """SQL's ``and``: false if one is false, else unknown if one is unknown, else true."""
    unknown = False
    for value in values:
        if value is False:
            return False
        unknown = unknown or value is None
    return None if unknown else True
