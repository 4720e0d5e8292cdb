"""A ``return`` outside every function ends the page's script (docs/fidelity.md#top-level-return).

Each page is served over HTTP from a ``--pages`` folder; what the page wrote before the
``return`` is the answer, and nothing after it runs: not the rest of the block, not later
blocks, not the literal text or AMPscript between them. No page puts a line break right after
a ``</script>`` whose following text it expects, so the expectations hold whatever the page
compiler does with such a line break.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from conftest import pages_app
from flask import Flask

from emulator.runtime import get_emulator
from emulator.ssjs.compiler import compile_page
from emulator.ssjs.syntax import SsjsSyntaxError, check_script

ROUTER = """<!-- mcemu: json -->
<script runat="server">
Platform.Load("core", "1");
var action = Request.GetQueryStringParameter("action");
function reply(status, body) {
  Platform.Response.SetResponseHeader("X-Router-Status", status);
  Write(Stringify(body));
}
if (action == "a") {
  reply("ok", {action: "a", items: [1, 2]});
  return;
}
if (action == "b") {
  reply("ok", {action: "b", name: "second"});
  return "a returned value is not printed";
}
reply("error", {error: "missing action", accepted: ["a", "b"]});
return;
Write("unreachable in the block");
</script>
<script runat="server">Write("a later block");</script>
literal text after the blocks
%%=Concat("amp", "script")=%%"""
FINALLY = """<script runat="server">
Platform.Load("core", "1");
var steps = [];
try {
  steps.push("try");
  if (Request.GetQueryStringParameter("stop") == "1") { return; }
  steps.push("rest of try");
} catch (e) {
  steps.push("catch");
} finally {
  steps.push("finally");
  Write(steps.join(","));
}
Write(";end of block");
</script>|after"""
FUNCTIONS = """<p>before</p>
<script runat="server">
Platform.Load("core", "1");
function size(n) {
  if (n > 1) { return "many"; }
  return "one";
}
var pick = function (list) { for (var i = 0; i < list.length; i++) { return list[i]; } };
var kept = "global";
Write(size(3) + "," + size(1) + "," + pick(["first", "second"]));
</script><p>between</p>
<script runat="server">Write("second block sees this.kept = " + this.kept);</script><p>after</p>"""
SCOPED = """<script runat="server">
var kept = "declared";
Platform.Response.Write(kept + ", this.kept = " + this.kept);
return;
</script>"""
SPANNING = """<h1>start</h1>
%%[ SET @stage = "one" ]%%
<script runat="server">
Platform.Load("core", "1");
var mode = Request.GetQueryStringParameter("mode");
try {
</script>%%=v(@stage)=%%<script runat="server">
  if (mode == "early") { return; }
} finally {
  Write("[finally]");
}
</script>%%[ SET @stage = "two" ]%%%%=v(@stage)=%%
%%[ IF RequestParameter("mode") == "inside" THEN ]%%
<script runat="server">Write("[inside]"); return;</script>%%[ ENDIF ]%%
<footer>end</footer>"""
LATE_SYNTAX = """<script runat="server">
var ready = true;
if (ready) { return; }
Write("never");
</script>
<p>text</p>
<script runat="server">
var broken = (1 + ;
</script>"""
LATE_LET = """<script runat="server">
return;
</script>
<script runat="server">
var fine = 1;
let refused = 2;
</script>"""
LATE_THROW = """<script runat="server">
Platform.Load("core", "1");
if (Request.GetQueryStringParameter("go") != "1") { Write("stopped"); return; }
var empty = null;

Write(empty.field);
</script>"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    pages = {"router.html": ROUTER, "finally.html": FINALLY, "functions.html": FUNCTIONS,
             "spanning.html": SPANNING, "late_syntax.html": LATE_SYNTAX,
             "late_let.html": LATE_LET, "late_throw.html": LATE_THROW,
             "scoped.html": SCOPED}
    with pages_app(tmp_path_factory.mktemp("top-level-return") / "pages", pages) as application:
        yield application


@pytest.mark.parametrize(("query", "status", "body"), [
    ("?action=a", "ok", {"action": "a", "items": [1, 2]}),
    ("?action=b", "ok", {"action": "b", "name": "second"}),
    ("", "error", {"error": "missing action", "accepted": ["a", "b"]}),
    ("?action=zzz", "error", {"error": "missing action", "accepted": ["a", "b"]}),
])
def test_a_router_returns_early_per_action(app: Flask, query: str, status: str,
                                           body: dict[str, object]) -> None:
    response = app.test_client().get(f"/router{query}")
    assert response.status_code == 200
    assert response.content_type.startswith("application/json")
    assert response.headers["X-Router-Status"] == status
    # Only what the router wrote: no later block, no literal text, no AMPscript output.
    assert json.loads(response.get_data(as_text=True)) == body


def test_a_return_inside_try_runs_the_finally_and_skips_the_catch(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/finally?stop=1").get_data(as_text=True) == "try,finally"
    assert client.get("/finally").get_data(as_text=True) == (
        "try,rest of try,finally;end of block|after")


def test_a_return_in_a_function_keeps_its_meaning(app: Flask) -> None:
    # No top-level return here: the page's program is not wrapped, its vars stay global.
    text = app.test_client().get("/functions").get_data(as_text=True)
    assert text == ("<p>before</p>\nmany,one,first<p>between</p>\n"
                    "second block sees this.kept = global<p>after</p>")
    script = compile_page(FUNCTIONS).script
    assert script is not None and not script.startswith("(function")


def test_a_page_that_returns_keeps_its_vars_off_the_global_object(app: Flask) -> None:
    # The recorded difference: such a page runs as a function's body.
    text = app.test_client().get("/scoped").get_data(as_text=True)
    assert text == "declared, this.kept = undefined"


@pytest.mark.parametrize(("mode", "expected"), [
    ("early", "<h1>start</h1>\n\none[finally]"),
    ("late", "<h1>start</h1>\n\none[finally]two\n\n<footer>end</footer>"),
    ("inside", "<h1>start</h1>\n\none[finally]two\n\n[inside]"),
])
def test_a_return_stops_the_text_and_ampscript_after_it(app: Flask, mode: str,
                                                         expected: str) -> None:
    response = app.test_client().get(f"/spanning?mode={mode}")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == expected


def test_a_syntax_error_after_a_return_names_the_files_line(app: Flask) -> None:
    answer = app.test_client().get("/late_syntax")
    assert answer.status_code == 500
    assert b"late_syntax.html, line 8: syntax error: Unexpected token ;" in answer.data
    assert get_emulator(app).journal.entries()[0].error_line == 8


def test_refused_syntax_after_a_return_names_the_files_line(app: Flask) -> None:
    answer = app.test_client().get("/late_let")
    assert answer.status_code == 500
    assert b"late_let.html, line 6: 'let' is not supported" in answer.data
    assert get_emulator(app).journal.entries()[0].error_line == 6


def test_an_engine_error_in_a_page_that_returns_names_the_files_line(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/late_throw").get_data(as_text=True) == "stopped"
    answer = client.get("/late_throw?go=1")
    assert answer.status_code == 500
    entry = get_emulator(app).journal.entries()[0]
    assert entry.error_line == 6 and "field" in (entry.error or "")


@pytest.mark.parametrize(("code", "line", "problem"), [
    ("return;\nvar x = ;", 11, "syntax error: Unexpected token ;"),
    ("if (a) { return 1; }\n\nvar f = () => 1;", 12, "an arrow function"),
    ("return;\n}", 11, "syntax error: Unexpected token }"),
    ("'use strict';\nreturn;\nvar eval = 1;", 12,
     "syntax error: Variable name may not be eval or arguments in strict mode"),
    ("break;", 10, "syntax error: Illegal break statement"),
])
def test_check_script_allows_return_but_not_what_follows(code: str, line: int,
                                                         problem: str) -> None:
    with pytest.raises(SsjsSyntaxError, match=rf"^p.html, line {line}: {problem}"):
        check_script(code, first_line=10, where="p.html")


def test_check_script_accepts_returns_at_the_top_level_and_in_functions() -> None:
    check_script("return;", first_line=3)
    check_script("if (x) { return 'value'; }\nfunction f() { return 1; }\nreturn f();")
