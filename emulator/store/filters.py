"""Compile an SSJS ``Rows.Retrieve`` filter object into a row predicate.

docs/fidelity.md#filters: simple parts ``{Property, SimpleOperator, Value}`` and complex parts
``{LeftOperand, LogicalOperator, RightOperand}`` nested to any depth; the operators are the table
:data:`OPERATORS`. Text compares case-insensitively (ASSUMED "case-insensitive-retrieve"); typed
fields compare by type; a number or boolean ``Value`` compares by its CLR text, and an object,
array (outside ``between``/``IN``) or null ``Value`` is refused (ASSUMED "filter-value-types").
"""

from __future__ import annotations

import operator as op
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from emulator import assumptions
from emulator.errors import InvalidFilter
from emulator.script.clr import clr_text
from emulator.script.js import is_number
from emulator.store.schema import DataExtensionSchema, Field
from emulator.store.types import cell_text, cell_value, typed_value

Row = Mapping[str, Any]  # a stored row (store/types.py forms)
Predicate = Callable[[Row], bool]
Check = Callable[[Any], bool]  # tests one stored cell

# Bounds on hostile filters: InvalidFilter instead of RecursionError or a stalled server.
MAX_FILTER_DEPTH = assumptions.FILTER_MAX_DEPTH
MAX_FILTER_PARTS = assumptions.FILTER_MAX_PARTS

_SIMPLE_KEYS = ("Property", "SimpleOperator", "Value")
_COMPLEX_KEYS = ("LeftOperand", "LogicalOperator", "RightOperand")


class _Problem(Exception):
    """A reason the filter is refused; compile_filter turns it into InvalidFilter."""


def _row_value(field: Field, raw: Any) -> Any:
    """Return the typed value of a stored cell, or None when empty or unparseable."""
    if raw is None or raw == "":
        return None  # SQL semantics: an empty cell matches no comparison, only isNull
    try:
        return cell_value(field, raw)
    except ValueError:
        return None


def _value_text(value: Any, what: str) -> str:
    """Return a filter Value as text: strings as they are, numbers/booleans by CLR text."""
    if isinstance(value, (str, bool)) or is_number(value):
        return clr_text(value)
    raise _Problem(f"{what} must be a string, number or boolean, not {_describe(value)}")


def _operand(field: Field, value: Any, what: str) -> Any:
    text = _value_text(value, what)
    try:
        return typed_value(field, text)
    except ValueError as error:
        raise _Problem(f"{what} for {field.type} field {field.name!r}: {error}") from None


def _comparison(test: Callable[[Any, Any], bool]) -> Callable[[Field, Any], Check]:
    def build(field: Field, value: Any) -> Check:
        wanted = _operand(field, value, "Value")

        def check(raw: Any) -> bool:
            have = _row_value(field, raw)
            return have is not None and test(have, wanted)

        return check

    return build


def _is_null(field: Field, value: Any) -> Check:
    return lambda raw: raw is None or raw == ""


def _is_not_null(field: Field, value: Any) -> Check:
    return lambda raw: raw is not None and raw != ""


def _between(field: Field, value: Any) -> Check:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise _Problem(f"between needs Value as an array of two values, not {_describe(value)}")
    low = _operand(field, value[0], "Value[0]")
    high = _operand(field, value[1], "Value[1]")

    def check(raw: Any) -> bool:
        have = _row_value(field, raw)
        return have is not None and low <= have <= high

    return check


def _in(field: Field, value: Any) -> Check:
    if not isinstance(value, (list, tuple)) or not value:
        raise _Problem(f"IN needs Value as a non-empty array, not {_describe(value)}")
    wanted = [_operand(field, item, f"Value[{i}]") for i, item in enumerate(value)]

    def check(raw: Any) -> bool:
        have = _row_value(field, raw)
        return have is not None and have in wanted

    return check


def _like(field: Field, value: Any) -> Check:
    # The platform wraps the value in %...% (docs/fidelity.md#filters); % and _ inside are SQL
    # wildcards.
    text = _value_text(value, "Value").casefold()
    body = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in text)
    pattern = re.compile(f".*{body}.*", re.DOTALL)

    def check(raw: Any) -> bool:
        if raw is None or raw == "":
            return False  # an empty cell is null: it matches no comparison
        return pattern.fullmatch(cell_text(field, raw).casefold()) is not None

    return check


@dataclass(frozen=True)
class Operator:
    """A SimpleOperator: whether it reads ``Value``, and how it builds a cell check."""

    takes_value: bool
    build: Callable[[Field, Any], Check]


#: The SimpleOperators Rows.Retrieve understands (docs/fidelity.md#filters), by their documented
#: names.
OPERATORS: dict[str, Operator] = {
    "equals": Operator(True, _comparison(op.eq)),
    "notEquals": Operator(True, _comparison(op.ne)),
    "greaterThan": Operator(True, _comparison(op.gt)),
    "lessThan": Operator(True, _comparison(op.lt)),
    "greaterThanOrEqual": Operator(True, _comparison(op.ge)),
    "lessThanOrEqual": Operator(True, _comparison(op.le)),
    "isNull": Operator(False, _is_null),
    "isNotNull": Operator(False, _is_not_null),
    "between": Operator(True, _between),
    "IN": Operator(True, _in),
    "like": Operator(True, _like),
}
_OPERATORS_BY_FOLDED = {name.casefold(): entry for name, entry in OPERATORS.items()}

#: LogicalOperators of a complex filter part.
LOGICAL_OPERATORS: dict[str, Callable[[Predicate, Predicate], Predicate]] = {
    "AND": lambda left, right: lambda row: left(row) and right(row),
    "OR": lambda left, right: lambda row: left(row) or right(row),
}
_LOGICAL_BY_FOLDED = {name.casefold(): entry for name, entry in LOGICAL_OPERATORS.items()}


def compile_filter(schema: DataExtensionSchema, filter: Any) -> Predicate:
    """Return a predicate over stored rows of ``schema``; raise InvalidFilter when malformed.

    Predicates are kept per schema by the filter's frozen form: a page asks the same question
    on every request (the seed's credential lookup), and freezing costs less than compiling.
    A refused filter is never kept, so it is refused again with the same message.
    """
    frozen = _frozen(filter)
    cache = schema.compiled_filters
    if frozen is not None:
        predicate = cache.get(frozen)
        if predicate is not None:
            return predicate
    try:
        predicate = _Compiler(schema).part(filter, "filter", 1)
    except _Problem as problem:
        raise InvalidFilter(schema.key, str(problem)) from None
    if frozen is not None:
        if len(cache) >= FILTER_CACHE_SIZE:
            cache.clear()  # bounded: a page building new filters cannot grow it
        cache[frozen] = predicate
    return predicate


def primary_key_sought(schema: DataExtensionSchema, filter: Any) -> Hashable | None:
    """Return the primary key an ``equals`` filter on a one-field primary key asks for, in the
    form of the store's primary-key index (rows.primary_key); None for any other filter.

    The key is the same value :func:`compile_filter`'s predicate compares cells with, so the
    index finds exactly the row the scan would; a filter it answers is one compile_filter
    accepts (anything it cannot convert answers None and is left to compile_filter).
    """
    if len(schema.primary_keys) != 1 or not isinstance(filter, Mapping):
        return None
    if len(filter) != 3 or not all(key in filter for key in _SIMPLE_KEYS):
        return None
    operator, name = filter["SimpleOperator"], filter["Property"]
    if not isinstance(operator, str) or operator.casefold() != "equals":
        return None
    field = schema.field(name) if isinstance(name, str) else None
    if field is None or field.name != schema.primary_keys[0].name:
        return None
    try:
        return (_operand(field, filter["Value"], "Value"),)
    except _Problem:
        return None


FILTER_CACHE_SIZE = 256  # compiled filters kept per schema
_FROZEN_ENTRIES = 200  # items of the frozen form; a larger filter is compiled every time
#: Characters of the texts (names and values) of a kept filter: with FILTER_CACHE_SIZE, the cache
#: keeps at most 256 x 4 Ki characters (4 MiB at 4 bytes a character) per schema, whatever
#: filters a page builds from its request; a filter with longer texts is compiled every time.
_FROZEN_CHARS = 4096
#: Values a filter holds that freeze as themselves. Their type is part of the key, so 1, 1.0,
#: True and "1" (equal or alike in Python) stay distinct filters.
_SCALARS = frozenset({str, int, float, bool, Decimal, type(None)})


def _frozen(filter: Any) -> Hashable | None:
    """Return a hashable, type-exact form of ``filter``, or None when it is not worth keeping.

    None for anything but JSON-like values (dicts with string keys, lists, scalars), and for
    a frozen form of more than _FROZEN_ENTRIES items (two per value, two plus the keys per
    container), however nested, or with texts of more than _FROZEN_CHARS characters in all.
    """
    # Iterative, one flat tuple: a container is its type, its size and then its entries in
    # order, so the flat form determines the nesting and no recursion depth is at risk.
    flat: list[Any] = []
    pending = [filter]
    chars = 0
    while pending:
        if len(flat) > _FROZEN_ENTRIES or chars > _FROZEN_CHARS:
            return None
        node = pending.pop()
        kind = type(node)
        if kind in _SCALARS:
            flat.append(kind)
            flat.append(node)
            if kind is str:
                chars += len(node)
        elif kind is dict:
            flat.append(dict)
            flat.append(len(node))
            for name in node:
                if type(name) is not str:
                    return None
                flat.append(name)
                chars += len(name)
            pending.extend(reversed(node.values()))
        elif kind is list or kind is tuple:
            flat.append(list)
            flat.append(len(node))
            pending.extend(reversed(node))
        else:
            return None
    return tuple(flat) if chars <= _FROZEN_CHARS else None


class _Compiler:
    """Compile filter parts recursively, within MAX_FILTER_DEPTH and MAX_FILTER_PARTS."""

    def __init__(self, schema: DataExtensionSchema) -> None:
        self.schema = schema
        self.parts = 0

    def part(self, node: Any, path: str, depth: int) -> Predicate:
        if depth > MAX_FILTER_DEPTH:
            raise _Problem(f"the filter is nested more than {MAX_FILTER_DEPTH} levels deep")
        self.parts += 1
        if self.parts > MAX_FILTER_PARTS:
            raise _Problem(f"the filter has more than {MAX_FILTER_PARTS} parts")
        if not isinstance(node, Mapping):
            raise _Problem(f"{path} must be an object ({_shapes()}), not {_describe(node)}")
        simple = not node.keys().isdisjoint(_SIMPLE_KEYS)
        complex_ = not node.keys().isdisjoint(_COMPLEX_KEYS)
        if simple and complex_:
            raise _Problem(f"{path} mixes a simple and a complex filter; expected {_shapes()}")
        if complex_:
            return self.complex(node, path, depth)
        if simple:
            return self.simple(node, path)
        found = ", ".join(map(str, node)) or "no keys"
        raise _Problem(f"{path} is not a filter part (found {found}); expected {_shapes()}")

    def complex(self, node: Mapping[str, Any], path: str, depth: int) -> Predicate:
        for key in _COMPLEX_KEYS:
            if node.get(key) is None:
                raise _Problem(f"{path} has no {key}; a complex filter needs {_shapes(True)}")
        name = node["LogicalOperator"]
        combine = _LOGICAL_BY_FOLDED.get(name.casefold()) if isinstance(name, str) else None
        if combine is None:
            raise _Problem(f"{path}: unknown LogicalOperator {name!r}; use AND or OR")
        left = self.part(node["LeftOperand"], f"{path}.LeftOperand", depth + 1)
        right = self.part(node["RightOperand"], f"{path}.RightOperand", depth + 1)
        return combine(left, right)

    def simple(self, node: Mapping[str, Any], path: str) -> Predicate:
        name = node.get("Property")
        if not isinstance(name, str) or not name:
            raise _Problem(f"{path} needs Property, the name of a field, not {_describe(name)}")
        field = self.schema.field(name)
        if field is None:
            known = ", ".join(self.schema.field_names)
            raise _Problem(f"{path}: unknown Property {name!r}; fields are {known}")
        op_name = node.get("SimpleOperator")
        entry = _OPERATORS_BY_FOLDED.get(op_name.casefold()) if isinstance(op_name, str) else None
        if entry is None:
            known = ", ".join(OPERATORS)
            raise _Problem(f"{path}: unknown SimpleOperator {op_name!r}; operators are {known}")
        if entry.takes_value and "Value" not in node:
            raise _Problem(f"{path}: SimpleOperator {op_name} needs a Value")
        try:
            check = entry.build(field, node.get("Value"))
        except _Problem as problem:
            raise _Problem(f"{path}: {problem}") from None
        column = field.name
        return lambda row: check(row.get(column))


def _shapes(complex_only: bool = False) -> str:
    if complex_only:
        return "LeftOperand, LogicalOperator (AND/OR) and RightOperand"
    return "{Property, SimpleOperator, Value} or {LeftOperand, LogicalOperator, RightOperand}"


def _describe(value: Any) -> str:
    """Name a script value's type for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {clr_text(value)}"
    if is_number(value):
        return f"the number {clr_text(value)}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return "undefined" if not value else type(value).__name__
