"""SSJS details real pages rely on: GetPostData(0), Stringify of caught errors, the Core names
(Request, Now, GUID) and the catchable "not emulated" error for platform objects not built."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from conftest import pages_app
from flask import Flask

from emulator.platform.globals import CORE_NOT_EMULATED

HOOK = """<!-- mcemu: json -->
<script runat="server">
Platform.Load("core", "1.1.5");
var raw = Platform.Request.GetPostData(0);
var event = Platform.Function.ParseJSON(raw);
if (event && event.verificationKey) {
  DataExtension.Init("HTTPProperties").Rows.Add({ClientIP: event.verificationKey});
  Write(Stringify({verified: event.callbackId}));
} else {
  Write(Stringify({ignored: raw.length}));
}
</script>"""
ERRORS = """<script runat="server">
Platform.Load("core", "1");
try { DataExtension.Init("NoSuchKey").Rows.Retrieve(); } catch (e) { Write(Stringify(e)); }
try { Platform.Function.TreatAsContent("%%[ RaiseError('stop here') ]%%"); }
catch (e) { Write("\\n" + Stringify(e)); }
try { var empty = null; empty.field; } catch (e) { e.step = 3; Write("\\n" + Stringify(e)); }
try { Platform.Function.Lookup(); } catch (e) { Write("\\n" + Platform.Function.Stringify(e)); }
</script>"""
CODE_PAGE = """<script runat="server">
Platform.Load("core", "1");
var code = Request.GetQueryStringParameter("cp");
var number = code === null ? 0 : Number(code);
try { Write(Platform.Request.GetPostData(number)); }
catch (e) { Write(e.message + "|" + Platform.Request.GetPostData("utf-8")); }
</script>"""
CORE = """<script runat="server">
try { Request.GetFormField("f"); } catch (e) { Platform.Response.Write(e.message + "\\n"); }
Platform.Load("core", "1");
var now = Now(), id = GUID();
Write([Request.GetQueryStringParameter("q"), Request.GetFormField("f"),
       Request.GetRequestHeader("x-probe"), Request.Method, now instanceof Date,
       typeof Platform.Function.Now().getTime(), id.length,
       /^[0-9a-f-]{36}$/.test(Platform.Function.GUID())].join("|"));
</script>"""
MISSING = """<script runat="server">
function attempt(label, action) {
  try { action(); Platform.Response.Write(label + ": ran\\n"); }
  catch (e) { Platform.Response.Write(label + ": " + e.name + ": " + e.message + "\\n"); }
}
attempt("before load", function () { return Subscriber.Init("k"); });
Platform.Load("core", "1");
attempt("tracking", function () { return TriggeredSend.Init("k").Tracking.Retrieve(); });
attempt("http request", function () { return new Script.Util.HttpRequest("https://x.example/"); });
attempt("add", function () { return DataExtension.Add({}); });
attempt("typo", function () { return Subscribr.Init("k"); });
var names = %(names)s;
for (var i = 0; i < names.length; i++) {
  (function (name) { attempt(name, function () { return this[name].Init("k"); }); })(names[i]);
}
</script>"""
ONCE = """<script runat="server">
Platform.Load("core", "1");
try { TriggeredSend.Init("welcome").Tracking.Retrieve(); }
catch (e) { Write(Stringify(e) + "\\n"); }
Write("[" + Platform.Request.GetPostData(0) + "][" + Platform.Request.GetPostData(0) + "]");
</script>"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    pages = {"hook.html": HOOK, "errors.html": ERRORS, "codepage.html": CODE_PAGE,
             "core.html": CORE, "once.html": ONCE,
             "missing.html": MISSING % {"names": json.dumps(list(CORE_NOT_EMULATED))}}
    with pages_app(tmp_path_factory.mktemp("ssjs-details") / "pages", pages) as application:
        yield application


def test_the_callback_verification_idiom_reads_the_body_with_code_page_0(app: Flask) -> None:
    client = app.test_client()
    body = {"callbackId": "cb-17", "verificationKey": "vk-4711"}
    response = client.post("/hook", json=body)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == '{"verified":"cb-17"}'
    rows = client.get("/_emulator/data-extensions/HTTPProperties/rows").get_json()
    assert any(row.get("ClientIP") == "vk-4711" for row in rows["rows"])
    assert client.post("/hook", data=b"not json").get_data(as_text=True) == '{"ignored":8}'


@pytest.mark.parametrize(("query", "body", "expected"), [
    ("", "é".encode(), "Ã©"),  # 0: the default, Windows-1252
    ("?cp=1252", "é".encode(), "Ã©"),
    ("?cp=65001", "é".encode(), "é"),
    ("?cp=1200", "é".encode("utf-16-le"), "é"),
    ("?cp=28591", "é".encode("latin-1"), "é"),
])
def test_getpostdata_takes_a_code_page_number(app: Flask, query: str, body: bytes,
                                              expected: str) -> None:
    response = app.test_client().post(f"/codepage{query}", data=body,
                                      content_type="text/plain")
    assert response.get_data(as_text=True) == expected


@pytest.mark.parametrize("code", ["1.5", "-1", "99999", "NaN", "Infinity", "4242"])
def test_an_unknown_code_page_throws_and_leaves_the_body_unread(app: Flask, code: str) -> None:
    response = app.test_client().post(f"/codepage?cp={code}", data=b"ok",
                                      content_type="text/plain")
    message, _, body = response.get_data(as_text=True).partition("|")
    assert message.startswith(f"{code} is not a supported code page number; give 0")
    assert "65001 (UTF-8)" in message
    assert body == "ok"


def test_stringify_of_a_caught_error_shows_its_fields(app: Flask) -> None:
    lines = app.test_client().get("/errors").get_data(as_text=True).split("\n")
    missing = "A Data Extension with key NoSuchKey does not exist."
    assert json.loads(lines[0]) == {"message": missing, "description": missing}
    assert json.loads(lines[1]) == {"message": "stop here", "description": "stop here"}
    engine = "cannot read property 'field' of null"
    assert lines[2] == (f'{{"message":"{engine}","jintException":"TypeError: {engine}",'
                        '"step":3}')
    arity = "Unable to retrieve security descriptor for this frame."
    assert json.loads(lines[3]) == {"message": arity, "description": arity}


def test_core_request_now_and_guid_after_platform_load(app: Flask) -> None:
    response = app.test_client().post("/core?q=hello", data={"f": "field"},
                                      headers={"X-Probe": "p1"})
    first, second = response.get_data(as_text=True).split("\n")
    assert first == 'Request is not defined (call Platform.Load("core", "1") first)'
    assert second == "hello|field|p1|POST|true|number|36|true"


def test_platform_objects_not_built_say_so_and_typos_stay_reference_errors(app: Flask) -> None:
    lines = app.test_client().get("/missing").get_data(as_text=True).splitlines()
    assert lines[0] == ('before load: TypeError: Subscriber is not defined '
                        '(call Platform.Load("core", "1") first)')
    assert lines[1] == ("tracking: Error: TriggeredSend.Init(key).Tracking.Retrieve is not "
                        "emulated by mc-emulator.")
    assert lines[2] == "http request: ran"  # emulated (tests/test_outbound_requests.py)
    assert lines[3] == "add: Error: DataExtension.Add is not emulated by mc-emulator."
    assert lines[4] == "typo: ReferenceError: Subscribr is not defined"
    assert lines[5:] == [f"{name}: Error: {name}.Init is not emulated by mc-emulator."
                         for name in CORE_NOT_EMULATED]


def test_a_caught_not_emulated_error_stringifies_and_the_body_is_read_once(app: Flask) -> None:
    client = app.test_client()
    first, second = client.post("/once", data=b"payload", content_type="text/plain") \
        .get_data(as_text=True).split("\n")
    message = "TriggeredSend.Init(key).Tracking.Retrieve is not emulated by mc-emulator."
    assert json.loads(first) == {"message": message, "description": message}
    assert second == "[payload][]"  # GetPostData(0): the body on the first call only
    assert client.get("/once").get_data(as_text=True).split("\n")[1] == "[][]"
