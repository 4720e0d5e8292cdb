"""ParseJSON and Stringify against the runtime-tested vectors
(docs/fidelity.md#parsejson-lenient and the rules after it)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from emulator import assumptions
from emulator.script.errors import PlatformError
from emulator.script.jsontext import parse_json, stringify
from emulator.script.undefined import UNDEFINED

# --- ParseJSON ----------------------------------------------------------------------------------

PARSED = [
    ('{"a":1,"b":"x"}', {"a": 1, "b": "x"}),
    ("[1, 2.5, -3, 1e3, 0.5E-1]", [1, 2.5, -3, 1000.0, 0.05]),
    ('{"t":true,"f":false,"n":null}', {"t": True, "f": False, "n": None}),
    ("  \r\n\t[ ]  ", []),
    ("{}", {}),
    ('{"a":[1,{"b":[]}]}', {"a": [1, {"b": []}]}),
    # lenient grammar (docs/fidelity.md#parsejson-lenient)
    ("[1,2,]", [1, 2]),
    ('{"a":1,}', {"a": 1}),
    ("{'a':'x'}", {"a": "x"}),
    ("{a:1, b_2:'y', $c:null}", {"a": 1, "b_2": "y", "$c": None}),
    ('{"a":1} trailing', {"a": 1}),
    ("[1]]]", [1]),
    ('{"a":1,"a":2}', {"a": 2}),
    # escapes
    (r'["\" \\ \/ \b \f \n \r \t"]', ['" \\ / \b \f \n \r \t']),
    (r'["\u00e9\u20AC"]', ["é€"]),
    (r'["\ud83d\ude00"]', ["\U0001F600"]),
    (r"['it\'s']", ["it's"]),
    ('["raw\ncontrol"]', ["raw\ncontrol"]),
    ('["é日本"]', ["é日本"]),
]


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_parse_json_reads_objects_and_arrays(text: str, expected: object) -> None:
    assert parse_json(text) == expected


def test_parse_json_keeps_key_order_and_number_types() -> None:
    parsed = parse_json('{"z":1,"a":2.0,"m":3}')
    assert list(parsed) == ["z", "a", "m"]
    assert type(parsed["z"]) is int and type(parsed["a"]) is float


@pytest.mark.parametrize("text", ['"hello"', "42", "-1.5e3", "true", "false", "null", " 42 ",
                                  "'single'"])
def test_parse_json_returns_top_level_scalar_text_unchanged(text: str) -> None:
    assert parse_json(text) == text  # docs/fidelity.md#parsejson-scalar-text


@pytest.mark.parametrize("text", ["", "   ", "\r\n\t", "{not json", "hello", "[1,,2]", "[,]",
                                  '{"a" 1}', '{"a":}', "[1 2]", '["open', "{", "[", "nul",
                                  "01x y", "-", '{"a":1,,}', "[truex]", r'["\x"]', r'["\u12"]',
                                  '{"a":1', "[1,", "{a b:1}"])
def test_parse_json_returns_null_for_empty_or_invalid_text(text: str) -> None:
    assert parse_json(text) is None  # docs/fidelity.md#parsejson-null


def test_parse_json_returns_text_with_leading_bom_unchanged() -> None:
    text = '\ufeff{"a":1}'
    assert parse_json(text) == text  # docs/fidelity.md#parsejson-lenient


@pytest.mark.parametrize(("value", "expected"), [
    (42, "42"), (3.5, "3.5"), (True, "True"), (False, "False"), (None, None), (UNDEFINED, None),
])
def test_parse_json_coerces_non_string_scalars(value: object, expected: object) -> None:
    assert parse_json(value) == expected  # docs/fidelity.md#parsejson-scalar-text


@pytest.mark.parametrize("value", [{"a": 1}, ["a"], object()])
def test_parse_json_throws_for_objects_and_arrays(value: object) -> None:
    with pytest.raises(PlatformError) as caught:
        parse_json(value)
    assert caught.value.message == "Unable to retrieve security descriptor for this frame."


def test_parse_json_depth_limit() -> None:
    depth = assumptions.PARSE_JSON_MAX_DEPTH
    deepest = "[" * depth + "]" * depth
    assert parse_json(deepest) is not None
    assert parse_json("[" + deepest + "]") is None
    assert parse_json('{"a":' * (depth + 1) + "1" + "}" * (depth + 1)) is None


@pytest.mark.parametrize("hostile", ["[" * 5_000_000, '{"a":' * 1_000_000,
                                     "[" * 2_500_000 + "]" * 2_500_000],
                         ids=["open-arrays", "nested-objects", "balanced-arrays"])
def test_parse_json_rejects_hostile_nesting(hostile: str) -> None:
    # No recursion: a 5 MB hostile body is refused cleanly (speed is scripts' business).
    assert parse_json(hostile) is None


@pytest.mark.parametrize("strict", [True, False], ids=["strict-json", "lenient-json"])
def test_parse_json_reads_a_large_document(strict: bool) -> None:
    row = '{"id":12345,"name":"a name \\"quoted\\"","tags":["x","y"],"ok":true},'
    if not strict:
        row = row.replace('"id"', "id")  # an unquoted key: only the lenient parser reads it
    rows = 70_000  # about 5 MB
    parsed = parse_json("[" + row * rows + "{}]")
    assert len(parsed) == rows + 1 and parsed[0]["name"] == 'a name "quoted"'
    assert parsed[-2] == {"id": 12345, "name": 'a name "quoted"', "tags": ["x", "y"], "ok": True}


def test_parse_json_reads_a_long_string() -> None:
    body = '["' + "a\\n" * 1_000_000 + '"]'
    assert parse_json(body) == ["a\n" * 1_000_000]


# --- Stringify ----------------------------------------------------------------------------------

def _circular() -> dict:
    node: dict = {"name": "loop"}
    node["self"] = node
    return node


def _circular_array() -> list:
    items: list = [1]
    items.append(items)
    return items


STRINGIFIED = [
    # docs/fidelity.md#stringify-compact
    ({"name": "Jane", "age": 30}, '{"name":"Jane","age":30}'),
    ({"b": 1, "a": 2}, '{"b":1,"a":2}'),
    ({"url": "https://x/y"}, '{"url":"https://x/y"}'),
    ({}, "{}"),
    # docs/fidelity.md#stringify-arrays
    ([1, 2], "[1,\r\n2]"),
    ([], "[]"),
    (["a"], '["a"]'),
    ([[1, 2], {"a": [3]}], '[[1,\r\n2],\r\n{"a":[3]}]'),
    # docs/fidelity.md#stringify-values
    ({"u": UNDEFINED, "n": None}, '{"u":null,"n":null}'),
    ([UNDEFINED, None], "[null,\r\nnull]"),
    (None, "null"),
    (UNDEFINED, "null"),
    ({"f": len}, '{"f":"function"}'),
    ({"f": lambda: 1}, '{"f":"function"}'),
    (_circular(), '{"name":"loop","self":null}'),
    (_circular_array(), "[1,\r\nnull]"),
    # docs/fidelity.md#stringify-numbers
    (9007199254740991, "9.00719925474099E+15"),
    ([42, 3.14, 0.3, 1e-05, -0.0], "[42,\r\n3.14,\r\n0.3,\r\n1E-05,\r\n0]"),
    (math.nan, "\u221e"),
    (math.inf, "-\u221e"),
    (-math.inf, "-\u221e"),
    ({"ok": True, "no": False}, '{"ok":true,"no":false}'),
    # strings: only " and \ escaped in values; keys raw; control characters and non-ASCII raw
    ({"q": 'say "hi"'}, '{"q":"say \\"hi\\""}'),
    ({"p": "C:\\dir"}, '{"p":"C:\\\\dir"}'),
    ({'k"ey': 1}, '{"k"ey":1}'),
    ({"c": "a\nb\tc\x01"}, '{"c":"a\nb\tc\x01"}'),
    ({"u": "é€日本\U0001F600"}, '{"u":"é€日本\U0001F600"}'),
    ("plain", '"plain"'),
    (dt.datetime(2026, 7, 19, 13, 4, 22, 408000), '"2026-07-19T13:04:22.408"'),
]


@pytest.mark.parametrize(("value", "expected"), STRINGIFIED)
def test_stringify(value: object, expected: str) -> None:
    assert stringify(value) == expected


def test_stringify_array_bytes_match_the_runtime_test() -> None:
    assert stringify([1, 2]).encode() == bytes([91, 49, 44, 13, 10, 50, 93])


def test_stringify_repeats_a_shared_but_not_circular_object() -> None:
    shared = {"a": 1}
    assert stringify({"x": shared, "y": shared}) == '{"x":{"a":1},"y":{"a":1}}'


def test_stringify_uses_a_host_objects_own_text() -> None:
    class Host:
        def js_stringify(self) -> str:
            return '{"host":true}'

    assert stringify({"h": Host()}) == '{"h":{"host":true}}'


def test_stringify_survives_deep_nesting() -> None:
    deep: list = []
    node = deep
    for _ in range(200_000):
        child: list = []
        node.append(child)
        node = child
    text = stringify(deep)
    assert text == "[" * 200_001 + "]" * 200_001


def test_stringify_refuses_a_value_it_cannot_write() -> None:
    with pytest.raises(TypeError, match="Stringify cannot write"):
        stringify({"x": object()})


def test_round_trip_of_a_nested_document() -> None:
    document = {"a": [1, {"b": "c"}], "d": {"e": None}}
    assert parse_json(stringify(document)) == document
