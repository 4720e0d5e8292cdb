"""``--pages DIR``: user SSJS pages served verbatim, and the bad input they may contain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import process_gone
from flask import Flask

from emulator import assumptions
from emulator.app import create_app
from emulator.cli import main
from emulator.errors import ConfigError
from emulator.runtime import get_emulator

HELLO = """<html><body>
%%[ SET @greeting = "Hello" ]%%
<script runat="server">
  Platform.Load("core", "1");
  var name = Platform.Request.GetQueryStringParameter("name") || "world";
  Variable.SetValue("@name", name);
</script>
<p>%%=v(@greeting)=%%, %%=v(@name)=%%!</p>
<script RUNAT="Server">Write(typeof later + " " + name.length);</script>
<script runat="server">function later() {}</script>
</body></html>
"""
PAGES: dict[str, str] = {
    "hello.html": HELLO,
    "data.json": '<script runat="server">Platform.Load("core", "1");'
                 'Write(Stringify({a: [1, 2], b: "é", c: Platform.Request.Method}));</script>\n',
    "marked.ssjs": '<!-- mcemu: json -->\n<script runat="server">'
                   'Platform.Response.Write("{}");</script>',
    "json.html": '<script runat="server">Platform.Response.Write(typeof JSON);</script>',
    "es6.html": '<p>\n<script runat="server">\nvar ok = 1;\nlet x = () => 1;\n</script>',
    "throws.html": '<script runat="server">throw new Error("boom");</script>',
    "nulls.html": '<script runat="server">Platform.Load("core", "1");\n'
                  'try { var p = null; p.operation; } catch (ex) {\n'
                  '  Write(ex.message + "|" + ex.description + "|" + ex.jintException); }\n'
                  'try { DataExtension.Init("Nope").Rows.Retrieve(); } catch (ex) {\n'
                  '  Write("|" + ex.message + "|" + typeof ex.jintException); }</script>',
    "unloaded.html": '<script runat="server">Write("x");</script>',
    "unknown.html": '<script runat="server">Platform.Load("core", "1");\n'
                    'try { Platform.Function.BeginImpressionRegion("x"); }\n'
                    'catch (ex) { Write(ex.message); }\n'
                    'try { HTTPHeader.SetValue("a", "b"); } catch (ex) { Write("|" + ex.message); }'
                    '</script>',
    "huge.html": '<script runat="server">Platform.Load("core", "1");\n'
                 'var chunk = "x"; while (chunk.length < 65536) chunk += chunk;\n'
                 'try { while (true) Write(chunk); } catch (ex) { Write("|" + ex.message); }'
                 '</script>',
    "ctype.html": '<script runat="server">Platform.Response.ContentType = "text/plain";\n'
                  'Platform.Response.SetResponseHeader("X-Page", "1");\n'
                  'try { Platform.Response.ContentType; } catch (ex) {'
                  ' Platform.Response.Write(ex.message); }</script>',
    "forever.html": '<script runat="server">while (true) {}</script>',
    "recurse.html": '<script runat="server">function f(n) { return f(n + 1) + 1; } f(0);</script>',
    "memory.html": '<script runat="server">var a = []; while (true) a.push(new Array(1e5));'
                   '</script>',
    "redirect.html": '<script runat="server">Platform.Load("core", "1"); Write("lost");\n'
                     'try { Platform.Response.Redirect("https://example.com/next"); }\n'
                     'catch (ex) { Write("caught"); DataExtension.Init("HTTPProperties")'
                     '.Rows.Add({ClientIP: "after"}); }</script>',
    "rows.html": '<script runat="server">Platform.Load("core", "1");\n'
                 'var n = DataExtension.Init("HTTPProperties").Rows.Add({ClientIP: "1.2.3.4",'
                 ' HasSSL: Platform.Request.HasSSL, Browser: Platform.Request.Browser});\n'
                 'var rows = DataExtension.Init("HTTPProperties").Rows.Retrieve('
                 '{Property: "ClientIP", SimpleOperator: "equals", Value: "1.2.3.4"});\n'
                 'Write(n + " " + rows.length + " " + rows[0].HasSSL + " " + rows[0].Browser);'
                 '</script>',
}


def _folder(root: Path, files: dict[str, str]) -> Path:
    folder = root / "pages"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = _folder(tmp_path_factory.mktemp("ssjs"), PAGES)
    # A worker's start-up is not counted against the limit; 3 s leaves the out-of-memory page
    # time to fail in its engine on a loaded machine, so only the endless loop runs past it.
    application = create_app({"TESTING": True, "pages": str(folder), "ssjs_timeout": 3})
    yield application
    get_emulator(application).close()


def test_a_landing_page_mixes_text_ampscript_and_scripts_in_one_scope(app: Flask) -> None:
    response = app.test_client().get("/hello?name=Ann")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    text = response.get_data(as_text=True)
    assert "<p>Hello, Ann!</p>" in text
    assert "undefined 3" in text  # blocks share variables; hoisting stops at the block
    assert text.endswith("</body></html>")


def test_json_code_resources_by_extension_and_by_marker(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/data")
    assert response.content_type == "application/json; charset=utf-8"
    assert response.get_data(as_text=True) == '{"a":[1,\r\n2],"b":"é","c":"POST"}'
    assert client.get("/marked").content_type == "application/json; charset=utf-8"


def test_json_is_absent_unless_allowed(app: Flask, tmp_path: Path) -> None:
    assert app.test_client().get("/json").get_data(as_text=True) == "undefined"
    folder = _folder(tmp_path, {"json.html": PAGES["json.html"]})
    allowed = create_app({"TESTING": True, "pages": str(folder), "ssjs_allow_json": True})
    try:
        assert allowed.test_client().get("/json").get_data(as_text=True) == "object"
    finally:
        get_emulator(allowed).close()


def test_es6_syntax_answers_500_naming_the_line(app: Flask,
                                                caplog: pytest.LogCaptureFixture) -> None:
    response = app.test_client().get("/es6")
    assert response.status_code == 500
    assert "es6.html, line 4: 'let' is not supported" in response.get_data(as_text=True)
    assert "line 4" in caplog.text


def test_engine_and_platform_errors_carry_jint_fields(app: Flask) -> None:
    text = app.test_client().get("/nulls").get_data(as_text=True)
    message = "cannot read property 'operation' of null"
    assert text == (f"{message}|{message}|TypeError: {message}"
                    "|A Data Extension with key Nope does not exist.|undefined")


def test_response_properties_are_set_through_the_shims(app: Flask) -> None:
    response = app.test_client().get("/ctype")
    assert response.content_type == "text/plain; charset=utf-8"
    assert response.headers["X-Page"] == "1"
    assert response.get_data(as_text=True) == (
        "Object reference not set to an instance of an object.")


def test_core_objects_need_platform_load(app: Flask) -> None:
    response = app.test_client().get("/unloaded")
    assert response.status_code == 500


def test_host_objects_cross_into_rows(app: Flask) -> None:
    text = app.test_client().get("/rows").get_data(as_text=True)
    assert text == ('1 1 False {"Platform":"Unknown","Browser":"Unknown","Version":"0.0",'
                    '"MajorVersion":"0","MinorVersion":".0"}')


def test_a_redirect_stops_the_page_even_inside_try(app: Flask) -> None:
    response = app.test_client().get("/redirect")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://example.com/next"
    assert b"caught" not in response.data and b"lost" not in response.data
    rows = get_emulator(app).store.retrieve("HTTPProperties", None, limit=None)
    assert all(row["ClientIP"] != "after" for row in rows)


def test_bad_input_is_answered_and_the_server_survives_it_all(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assumptions, "SSJS_OUTPUT_MAX", 1_000_000)
    client = app.test_client()
    assert client.get("/throws").status_code == 500
    assert client.get("/unknown").get_data(as_text=True) == (
        "Platform.Function.BeginImpressionRegion is not emulated by mc-emulator."
        "|HTTPHeader.SetValue is not emulated by mc-emulator.")
    huge = client.get("/huge")
    assert huge.status_code == 200
    assert huge.get_data(as_text=True).endswith("|" + assumptions.SSJS_OUTPUT_LIMIT.format(
        limit=1_000_000))
    forever = client.get("/forever")
    assert forever.status_code == 408
    assert forever.get_data(as_text=True) == assumptions.SSJS_TIMEOUT_BODY
    assert client.get("/recurse").status_code == 500
    assert client.get("/memory").status_code == 500
    assert client.get("/hello").status_code == 200  # the workers were replaced
    assert client.get("/token").status_code == 200


def test_concurrent_requests_share_the_pool(app: Flask) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def fetch(index: int) -> str:
        return app.test_client().get(f"/hello?name=n{index}").get_data(as_text=True)

    with ThreadPoolExecutor(max_workers=4) as executor:
        pages = list(executor.map(fetch, range(12)))
    assert all(f"<p>Hello, n{index}!</p>" in page for index, page in enumerate(pages))


def _ssjs_workers() -> set[int]:
    """Return the process ids of this process's live SSJS worker children."""
    import multiprocessing

    return {child.pid for child in multiprocessing.active_children()
            if child.name == "mcemu-ssjs"}


def test_closing_the_app_stops_every_worker(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"a.html": "a"})
    before = _ssjs_workers()  # other tests' apps may still hold theirs
    application = create_app({"TESTING": True, "pages": str(folder)})
    assert application.test_client().get("/a").data == b"a"
    workers = _ssjs_workers() - before
    assert workers and not any(process_gone(pid) for pid in workers)
    get_emulator(application).close()
    assert not workers & _ssjs_workers()
    assert all(process_gone(pid) for pid in workers)  # close() joins them: no waiting needed


@pytest.mark.parametrize("files", [{"token.html": "x"}, {"_emulator.html": "x"},
                                   {"a.html": "x", "a.json": "y"}, {"a b.html": "x"}])
def test_colliding_or_bad_page_names_are_refused_at_start(tmp_path: Path,
                                                         files: dict[str, str]) -> None:
    folder = _folder(tmp_path, files)
    with pytest.raises(ConfigError):
        create_app({"TESTING": True, "pages": str(folder)})


def test_serve_exits_2_on_a_colliding_page(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"api.ssjs": "x"})
    result = CliRunner().invoke(main, ["serve", "--pages", str(folder), "--port", "0"])
    assert result.exit_code == 2
    assert "/api already serves the page 'api'" in result.output



def test_a_workers_start_up_is_not_the_pages_time() -> None:
    """A page limit far shorter than spawning a worker still lets the first page run."""
    from emulator.ssjs.workers import WorkerPool

    pool = WorkerPool(size=1)  # its worker is still starting when the job is handed over
    try:
        job = {"segments": [{"kind": "js", "text": "var total = 1 + 1;", "line": 1}]}
        assert pool.run(job, lambda request: b"null", timeout=0.05) == {}
    finally:
        pool.close()
