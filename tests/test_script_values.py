"""The value model: JavaScript semantics the ports rely on, and the CLR text rendering."""

from __future__ import annotations

import math

import pytest

from emulator import assumptions
from emulator.platform.browser import parse_user_agent
from emulator.script import js
from emulator.script.clr import clr_text, utf8
from emulator.script.errors import JSTypeError

CLR_CASES = [
    (True, "True"), (False, "False"), (None, ""), (js.UNDEFINED, ""),
    (42, "42"), (42.0, "42"), (3.14, "3.14"), (0.1 + 0.2, "0.3"), (1e-05, "1E-05"),
    (0.0001, "0.0001"), (9007199254740991, "9.00719925474099E+15"), (1e15, "1E+15"),
    (123456789012345, "123456789012345"), (-0.0, "0"), (-2.5, "-2.5"), (1 / 3, "0.333333333333333"),
    (math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity"),
    ("text", "text"), ("", ""), ([], "System.Collections.ArrayList"),
    ([1, 2], "System.Collections.ArrayList"),
    ({}, assumptions.CLR_OBJECT_TEXT), ({"a": 1}, assumptions.CLR_OBJECT_TEXT),
    (parse_user_agent(None), '{"Platform":"Unknown","Browser":"Unknown","Version":"0.0",'
                             '"MajorVersion":"0","MinorVersion":".0"}'),
]


@pytest.mark.parametrize(("value", "text"), CLR_CASES)
def test_clr_text(value, text):
    assert clr_text(value) == text


@pytest.mark.parametrize(("text", "encoded"), [
    ("plain", b"plain"), ("é✓", "é✓".encode()), ("\ud83d\ude00", "😀".encode()),
    ("a\ud800b", "a\ufffdb".encode()), ("\udc00", "\ufffd".encode()),
])
def test_utf8_replaces_lone_surrogates_like_dotnet(text, encoded):
    assert utf8(text) == encoded


@pytest.mark.parametrize(("value", "expected"), [
    (None, False), (js.UNDEFINED, False), (False, False), (0, False), (0.0, False),
    (math.nan, False), ("", False), (True, True), (-1, True), ("0", True), (" ", True),
    ([], True), ({}, True), (parse_user_agent(None), True),
])
def test_truthiness_is_ecmascripts(value, expected):
    assert js.truthy(value) is expected


@pytest.mark.parametrize(("left", "right", "loose", "strict"), [
    ("GET", "GET", True, True), ("GET", "get", False, False), (None, js.UNDEFINED, True, False),
    (None, 0, False, False), (0, "", True, False), (1, "1", True, False), (1, 1.0, True, True),
    (True, 1, True, False), (True, "1", True, False), (False, "0", True, False),
    ("1e3", 1000, True, False), (math.nan, math.nan, False, False), ([1], "1", True, False),
    ({}, "[object Object]", True, False), ("abc", math.nan, False, False),
])
def test_equality(left, right, loose, strict):
    assert js.loose_eq(left, right) is loose
    assert js.loose_eq(right, left) is loose
    assert js.strict_eq(left, right) is strict


def test_objects_are_equal_only_to_themselves():
    first, second = {"a": 1}, {"a": 1}
    assert js.strict_eq(first, first) and not js.strict_eq(first, second)
    assert not js.loose_eq(first, second)


@pytest.mark.parametrize(("obj", "key", "expected"), [
    ({"operation": "RequestToken"}, "operation", "RequestToken"),
    ({"operation": "x"}, "Operation", js.UNDEFINED),
    ({}, "missing", js.UNDEFINED),
    ([10, 20], 0, 10), ([10, 20], "1", 20), ([10, 20], 2, js.UNDEFINED),
    ([10, 20], "length", 2), ("abc", "length", 3), ("😀", "length", 2), ("abc", 1, "b"),
    ("abc", "operation", js.UNDEFINED), (42, "operation", js.UNDEFINED),
    (True, "x", js.UNDEFINED), (parse_user_agent(None), "Browser", "Unknown"),
])
def test_property_access(obj, key, expected):
    assert js.get(obj, key) == expected if expected is not js.UNDEFINED else (
        js.get(obj, key) is js.UNDEFINED)


@pytest.mark.parametrize(("value", "name"), [(None, "null"), (js.UNDEFINED, "undefined")])
def test_property_access_on_nothing_throws_a_catchable_type_error(value, name):
    with pytest.raises(JSTypeError) as caught:
        js.get(value, "operation")
    error = caught.value
    assert error.message == f"cannot read property 'operation' of {name}"
    assert error.description == error.message
    assert error.jintException == f"TypeError: {error.message}"
    assert error.name == "TypeError"


@pytest.mark.parametrize(("value", "text"), [
    (None, "null"), (js.UNDEFINED, "undefined"), (True, "true"), (42, "42"), (42.0, "42"),
    (0.1, "0.1"), (1e21, "1e+21"), (1.5e-7, "1.5e-7"), (-0.0, "0"), (math.nan, "NaN"),
    ([1, None, "a"], "1,,a"), ({}, "[object Object]"),
])
def test_string_conversion_follows_ecmascript_not_clr(value, text):
    assert js.to_string(value) == text


@pytest.mark.parametrize(("text", "number"), [
    ("", 0.0), ("  12 ", 12.0), ("0x10", 16.0), ("1e3", 1000.0), ("Infinity", math.inf),
    ("-Infinity", -math.inf),
])
def test_to_number(text, number):
    assert js.to_number(text) == number


@pytest.mark.parametrize("text", ["abc", "12px", "1_000", "0xZZ"])
def test_to_number_nan(text):
    assert math.isnan(js.to_number(text))
