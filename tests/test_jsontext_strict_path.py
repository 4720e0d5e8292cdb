"""ParseJSON's fast path for strict JSON answers exactly as the lenient parser does."""

from __future__ import annotations

import json
import random

import pytest

from emulator.script import jsontext


def lenient_only(text: str, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as patch:
        patch.setattr(jsontext, "_parse_strict", lambda _: jsontext._NOT_STRICT)
        return jsontext.parse_json(text)


def random_value(rng: random.Random, depth: int) -> object:
    kind = rng.randrange(8 if depth < 6 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -0, 7, -12, 2**53 + 1, 10**30])
    if kind == 2:
        return rng.choice([0.5, -1e-7, 3.14, 1e300, 2.5e-300])
    if kind in (3, 4):
        return "".join(rng.choice('ab"\\/é✓\u2028\n\t😀\ud800 ') for _ in range(rng.randrange(6)))
    if kind == 5:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {random_value(rng, 7) if rng.random() < 0.1 else f"k{rng.randrange(4)}":
            random_value(rng, depth + 1) for _ in range(rng.randrange(4))}


def test_strict_json_documents_agree_with_the_lenient_parser(monkeypatch):
    rng = random.Random(20261129)
    for _ in range(600):
        value = random_value(rng, 0)
        indent = rng.choice([None, 0, 2])
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5, indent=indent)
        text = rng.choice(["", " ", "\r\n"]) + text + rng.choice(["", " ", "\n"])
        assert jsontext.parse_json(text) == lenient_only(text, monkeypatch), text


@pytest.mark.parametrize("text", [
    '{"a":1,"a":2}', "42", " null ", '"x"', "true", "NaN", '{"a": NaN}', "[Infinity]",
    "[" * 100 + "]" * 100, "[" * 101 + "]" * 101, '{"a":' * 100 + "1" + "}" * 100,
    '{"a":' * 101 + "1" + "}" * 101, "1" * 5000, '"\\ud800"', "-0", "1E400", '{"a":"\x01"}',
])
def test_edge_cases_agree(text, monkeypatch):
    assert repr(jsontext.parse_json(text)) == repr(lenient_only(text, monkeypatch))
