"""Rows.Retrieve filters: every operator, typed comparisons, nesting, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.errors import InvalidFilter
from emulator.store.filters import MAX_FILTER_DEPTH, compile_filter
from emulator.store.schema import DataExtensionSchema

SCHEMA = DataExtensionSchema.from_json(
    {
        "key": "People",
        "fields": [
            {"name": "Id", "primaryKey": True},
            {"name": "Name"},
            {"name": "Code"},
            {"name": "Age", "type": "Number"},
            {"name": "Price", "type": "Decimal", "precision": 10, "scale": 2},
            {"name": "Active", "type": "Boolean"},
            {"name": "Joined", "type": "Date"},
            {"name": "Email", "type": "EmailAddress"},
        ],
    },
    "test",
)
ROWS: list[dict[str, str | None]] = [
    {"Id": "r1", "Name": "Alice", "Code": "42", "Age": "30", "Price": "9.50", "Active": "True",
     "Joined": "1/15/2024 12:00:00 AM", "Email": "alice@example.com"},
    {"Id": "r2", "Name": "bob", "Code": "True", "Age": "4", "Price": "10", "Active": "False",
     "Joined": "2023-06-01T08:30:00", "Email": "BOB@example.com"},
    {"Id": "r3", "Name": "Carol_1", "Code": "3.5", "Age": "100", "Price": "0.5", "Active": "1",
     "Joined": "12/31/2024 11:59:59 PM", "Email": None},
    {"Id": "r4", "Name": "", "Code": None, "Age": None, "Price": None, "Active": None,
     "Joined": None, "Email": ""},
]


def simple(prop: str, operator: str, value: Any = None, **more: Any) -> dict[str, Any]:
    part = {"Property": prop, "SimpleOperator": operator, **more}
    if value is not None:
        part["Value"] = value
    return part


def both(left: Any, logical: str, right: Any) -> dict[str, Any]:
    return {"LeftOperand": left, "LogicalOperator": logical, "RightOperand": right}


def matching(criteria: Any) -> list[str]:
    predicate = compile_filter(SCHEMA, criteria)
    return [str(row["Id"]) for row in ROWS if predicate(row)]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        # Text: case-insensitive, empty cells match nothing but isNull
        (simple("Name", "equals", "ALICE"), ["r1"]),
        (simple("name", "equals", "alice"), ["r1"]),
        (simple("Name", "notEquals", "alice"), ["r2", "r3"]),
        (simple("Name", "greaterThan", "B"), ["r2", "r3"]),
        (simple("Name", "lessThanOrEqual", "BOB"), ["r1", "r2"]),
        (simple("Email", "equals", "bob@EXAMPLE.com"), ["r2"]),
        # Number and Decimal: numeric, not text, order ("4" < "10")
        (simple("Age", "greaterThan", 10), ["r1", "r3"]),
        (simple("Age", "greaterThan", "10"), ["r1", "r3"]),
        (simple("Age", "lessThan", 30), ["r2"]),
        (simple("Age", "greaterThanOrEqual", 30), ["r1", "r3"]),
        (simple("Age", "lessThanOrEqual", "30"), ["r1", "r2"]),
        (simple("Price", "equals", 9.5), ["r1"]),
        (simple("Price", "equals", "10.00"), ["r2"]),
        # Date: ISO and M/D/YYYY h:mm:ss AM compare as moments
        (simple("Joined", "equals", "2024-01-15"), ["r1"]),
        (simple("Joined", "greaterThan", "1/1/2024"), ["r1", "r3"]),
        (simple("Joined", "lessThan", "2024-01-01T00:00:00Z"), ["r2"]),
        (simple("Joined", "between", ["2024-01-01", "2024-12-31T23:59:59"]), ["r1", "r3"]),
        # Boolean: normalised true/false
        (simple("Active", "equals", True), ["r1", "r3"]),
        (simple("Active", "equals", "false"), ["r2"]),
        (simple("Active", "notEquals", False), ["r1", "r3"]),
        # A number or boolean Value compares by its CLR text (ASSUMED "filter-value-types")
        (simple("Code", "equals", 42), ["r1"]),
        (simple("Code", "equals", True), ["r2"]),
        (simple("Code", "equals", 3.5), ["r3"]),
        (simple("Code", "equals", "true"), ["r2"]),
        # isNull / isNotNull: missing, None and "" are null
        (simple("Email", "isNull"), ["r3", "r4"]),
        (simple("Email", "isNotNull"), ["r1", "r2"]),
        (simple("Age", "isNull"), ["r4"]),
        (simple("Name", "isNull", Value="ignored"), ["r4"]),
        # between and IN
        (simple("Age", "between", [5, 100]), ["r1", "r3"]),
        (simple("Age", "between", ["4", 4]), ["r2"]),
        (simple("Name", "between", ["a", "BZ"]), ["r1", "r2"]),
        (simple("Name", "IN", ["ALICE", "Bob", "nobody"]), ["r1", "r2"]),
        (simple("Age", "IN", [4, "100"]), ["r2", "r3"]),
        (simple("Active", "IN", [False]), ["r2"]),
        # like: wrapped in %...%, % and _ are wildcards, case-insensitive
        (simple("Name", "like", "LIC"), ["r1"]),
        (simple("Name", "like", "a%e"), ["r1"]),
        (simple("Name", "like", "c_rol"), ["r3"]),
        (simple("Name", "like", "l_1"), ["r3"]),
        (simple("Email", "like", "EXAMPLE.COM"), ["r1", "r2"]),
        (simple("Email", "like", "example_com"), ["r1", "r2"]),
        (simple("Email", "like", "example.co."), []),  # the dot is literal
        (simple("Name", "like", "%"), ["r1", "r2", "r3"]),
        (simple("Age", "like", "0"), ["r1", "r3"]),
        # operator names are case-insensitive
        (simple("Name", "EQUALS", "bob"), ["r2"]),
        (simple("Age", "in", [30]), ["r1"]),
        (simple("Name", "Like", "ob"), ["r2"]),
        (simple("Email", "ISNULL"), ["r3", "r4"]),
        # complex filters, nested
        (both(simple("Age", "greaterThan", 10), "AND", simple("Active", "equals", True)),
         ["r1", "r3"]),
        (both(simple("Name", "equals", "bob"), "or", simple("Age", "equals", 100)), ["r2", "r3"]),
        (both(both(simple("Age", "greaterThan", 10), "And", simple("Active", "equals", "1")),
              "OR", simple("Name", "equals", "BOB")), ["r1", "r2", "r3"]),
        (both(simple("Email", "isNotNull"), "AND",
              both(simple("Age", "lessThan", 10), "OR", simple("Price", "lessThan", 9.6))),
         ["r1", "r2"]),
    ],
)
def test_filter_matches(criteria: Any, expected: list[str]) -> None:
    assert matching(criteria) == expected


def nested(depth: int) -> dict[str, Any]:
    """Build a filter ``depth`` parts deep, without recursion."""
    node: dict[str, Any] = simple("Name", "equals", "alice")
    for _ in range(depth - 1):
        node = both(node, "AND", simple("Age", "isNotNull"))
    return node


def wide(levels: int) -> dict[str, Any]:
    """Build a full binary filter of ``levels`` levels (2**levels - 1 parts), sharing subtrees."""
    node: dict[str, Any] = simple("Name", "equals", "alice")
    for _ in range(levels - 1):
        node = both(node, "OR", node)
    return node


def test_nesting_up_to_the_limit_is_fine() -> None:
    assert matching(nested(MAX_FILTER_DEPTH)) == ["r1"]


@pytest.mark.parametrize(
    ("criteria", "reason"),
    [
        (simple("Name", "equal", "x"), "unknown SimpleOperator 'equal'"),
        (simple("Name", "contains", "x"), "unknown SimpleOperator 'contains'"),
        ({"Property": "Name", "Value": "x"}, "unknown SimpleOperator None"),
        (simple("Nope", "equals", "x"), "unknown Property 'Nope'"),
        ({"SimpleOperator": "equals", "Value": "x"}, "needs Property"),
        (simple(3, "equals", "x"), "needs Property"),  # type: ignore[arg-type]
        (simple("Name", "equals", {"a": 1}), "not an object"),
        (simple("Name", "equals", ["a"]), "not an array"),
        (simple("Name", "like", ["a"]), "not an array"),
        ({"Property": "Name", "SimpleOperator": "equals", "Value": None}, "not null"),
        (simple("Name", "equals"), "needs a Value"),
        (simple("Age", "between", [1, 2, 3]), "array of two values"),
        (simple("Age", "between", 5), "array of two values"),
        (simple("Age", "between", [1, None]), "Value[1] must be a string, number or boolean"),
        (simple("Age", "IN", []), "non-empty array"),
        (simple("Age", "IN", "4"), "non-empty array"),
        (simple("Age", "IN", [4, {"x": 1}]), "Value[1] must be"),
        (simple("Age", "equals", "abc"), "not a number"),
        (simple("Joined", "equals", "yesterday"), "not a date"),
        (simple("Active", "equals", "maybe"), "not a boolean"),
        ("Name equals alice", "must be an object"),
        # the positional form (docs/fidelity.md#retrieve-positional)
        (["Name", "equals", "alice"], "must be an object"),
        (None, "must be an object"),
        ({}, "not a filter part"),
        ({"Prop": "Name"}, "found Prop"),
        ({**simple("Name", "equals", "x"), "LogicalOperator": "AND"}, "mixes"),
        ({"LeftOperand": simple("Name", "isNull"), "LogicalOperator": "AND"}, "no RightOperand"),
        (both(simple("Name", "isNull"), "XOR", simple("Name", "isNull")), "LogicalOperator 'XOR'"),
        (both(simple("Name", "isNull"), "AND", simple("Nope", "isNull")),
         "filter.RightOperand: unknown Property"),
        (both(simple("Name", "isNull"), "AND", "oops"), "filter.RightOperand must be an object"),
        (nested(MAX_FILTER_DEPTH + 1), "nested more than"),
        (nested(100_000), "nested more than"),
        (wide(15), "parts"),
    ],
)
def test_invalid_filters_are_refused_with_a_reason(criteria: Any, reason: str) -> None:
    with pytest.raises(InvalidFilter) as caught:
        compile_filter(SCHEMA, criteria)
    assert caught.value.key == "People"
    assert reason in caught.value.reason
    assert str(caught.value).startswith("Invalid filter for Data Extension People: ")
