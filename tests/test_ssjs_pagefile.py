"""Page files and Jint's language check: no worker process involved."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from emulator.pages import JSON_CODE_RESOURCE, LANDING_PAGE
from emulator.ssjs.pagefile import PageFile, parse_page
from emulator.ssjs.syntax import SsjsSyntaxError, check_script


def test_blocks_literal_text_and_ampscript_come_out_in_order() -> None:
    text = ('<p>%%=v(@a)=%%</p>\n<SCRIPT RunAt="Server">Write(1)</SCRIPT>'
            "<script runat=server language='AmpScript'>SET @a = 1</script>"
            '<script>client()</script>\n')
    program = parse_page(text, LANDING_PAGE)
    kinds = [segment["kind"] for segment in program.segments]
    assert kinds == ["amp", "js", "amp", "out"]
    assert program.segments[1] == {"kind": "js", "text": "Write(1)", "line": 2}
    assert program.segments[2]["text"] == "%%[SET @a = 1]%%"
    assert program.segments[3]["text"] == "<script>client()</script>"  # final newline dropped


@pytest.mark.parametrize(("marker", "expected"), [
    ("<!-- mcemu: json -->\n", JSON_CODE_RESOURCE),
    ("<!--MCEMU:html-->\r\n", LANDING_PAGE),
    ("", LANDING_PAGE),
])
def test_a_first_line_marker_chooses_the_content_type(marker: str, expected: str) -> None:
    program = parse_page(marker + "hi", LANDING_PAGE)
    assert program.content_type == expected
    assert program.segments == ({"kind": "out", "text": "hi"},)


@pytest.mark.parametrize(("code", "what"), [
    ("let a = 1;", "'let'"),
    ("const a = 1;", "'const'"),
    ("var f = function () { return [1].map(x => x); };", "an arrow function"),
    ("var s = `a${1}`;", "a template literal"),
    ("class A {}", "a class"),
    ("var [a, b] = c;", "destructuring"),
    ("f(...args);", "spread"),
    ("function f(...rest) {}", "a rest parameter"),
    ("for (var x of y) {}", "for-of"),
    ("function f(a = 1) {}", "a default parameter value"),
    ("var o = {a};", "shorthand"),
    ("function* g() {}", "a generator function"),
])
def test_es6_syntax_is_refused_with_its_line(code: str, what: str) -> None:
    with pytest.raises(SsjsSyntaxError) as caught:
        check_script("var ok = 1;\n" + code, first_line=10, where="p.html")
    assert "p.html, line 11:" in str(caught.value)
    assert what in str(caught.value)


def test_a_parse_error_names_its_line() -> None:
    with pytest.raises(SsjsSyntaxError, match=r"line 3: syntax error"):
        parse_page('x\n<script runat="server">\nvar = ;</script>', LANDING_PAGE)


def test_es5_is_accepted() -> None:
    check_script("var re = /a|b/gi; try { throw Error('x'); } catch (e) { e.message; }\n"
                 "var o = {get a() { return 1; }, 'b': [1, 2]}; for (var k in o) {}\n"
                 "Object.defineProperty(o, 'c', {value: 1}); switch (k) { default: }")


def test_a_file_is_parsed_again_only_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text('<script runat="server">let a;</script>', encoding="utf-8")
    page = PageFile(path)
    with pytest.raises(SsjsSyntaxError) as first:
        page.program()
    assert page.content_type() == JSON_CODE_RESOURCE
    with pytest.raises(SsjsSyntaxError) as again:
        page.program()
    assert again.value is first.value  # cached: same modification time and size
    path.write_text('<script runat="server">var a;</script>', encoding="utf-8")
    stamp = time.time() + 5  # a later modification time, whatever the file system's grain
    import os

    os.utime(path, (stamp, stamp))
    program = page.program()
    assert program.segments[0]["kind"] == "js"
    assert page.program() is program  # the parsed program is cached too


def test_values_cross_the_host_boundary_unchanged() -> None:
    import math
    from datetime import datetime

    from emulator.platform.browser import parse_user_agent
    from emulator.script.undefined import UNDEFINED
    from emulator.ssjs.host import from_wire, to_wire

    browser = parse_user_agent(None)
    refs: dict[int, object] = {}
    value = {"u": UNDEFINED, "n": None, "i": 3, "f": 2.5, "inf": -math.inf, "s": "é\u2028",
             "d": datetime(2024, 1, 15, 12, 30), "l": [True, UNDEFINED], "b": browser}
    wire = json.dumps(to_wire(value, refs))
    back = from_wire(wire, refs)
    assert back["u"] is UNDEFINED and back["l"] == [True, UNDEFINED]
    assert back["b"] is browser and back["d"] == value["d"] and back["inf"] == -math.inf
    assert math.isnan(from_wire('{"\\u0000": "n", "v": "NaN"}', refs))
