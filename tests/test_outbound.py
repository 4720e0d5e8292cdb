"""Outbound HTTP: stubs from files, the admin API and mc.outbound; every door; the rules."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import NetworkBlocked, pages_app, write_de
from flask import Flask

from emulator.app import create_app
from emulator.errors import ConfigError, FixtureError
from emulator.outbound import Outbound, OutboundFailed, OutboundRequest, StubRefused
from emulator.outbound.send import decode
from emulator.reset import reset
from emulator.runtime import get_emulator
from emulator.testing.handle import EmulatorHandle

HERE = Path(__file__).parent / "outbound_pages"
API = "https://api.example.com"


@pytest.fixture(scope="module")
def stubbed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app serving the outbound test pages, with the stubs of their fixtures' files."""
    pages = {path.name: path.read_text(encoding="utf-8")
             for path in (HERE / "pages").iterdir()}
    pages.update({
        "amp.html": '%%[ set @b = HTTPGet("' + API + '/items", 1, 0, @s) ]%%'
                    "[%%=v(@b)=%%|%%=v(@s)=%%]",
        "post2.html": '%%[ set @st = HTTPPost2("' + API + '/p2", "text/plain", "x", false, '
                      "@body, @heads) ]%%%%=v(@st)=%%|%%=v(@body)=%%|"
                      "%%=Field(Row(@heads, 1), \"Name\")=%%",
        "ssjs.html": '<script runat="server">Platform.Load("core", "1");\n'
                     "var r = [];\n"
                     'r.push(Platform.Function.HTTPGet("' + API + '/items"));\n'
                     'var g = HTTP.Get("' + API + '/items"); r.push(g.Status + ":" + g.Content);\n'
                     'var p = HTTP.Post("' + API + '/p", "application/json", "{}");\n'
                     'r.push(p.StatusCode + ":" + p.Response[0]);\n'
                     'var b = Platform.Function.HTTPPost("' + API + '/p", "text/plain", "x", '
                     "[], [], true); r.push(b[0] + \":\" + b[1]);\n"
                     'try { Platform.Function.HTTPGet("' + API + '/none"); }\n'
                     'catch (e) { r.push("caught " + e.message); }\n'
                     'try { Platform.Function.HTTPGet("' + API + '/items", true); }\n'
                     'catch (e) { r.push("arity " + e.message); }\n'
                     'Write(r.join("\\n"));</script>',
    })
    folder = tmp_path_factory.mktemp("outbound")
    with pages_app(folder / "pages", pages, fixtures=[str(HERE / "fixtures")],
                   outbound_timeout=0.5) as app:
        yield app


@pytest.fixture
def mc(stubbed_app: Flask) -> Iterator[EmulatorHandle]:
    emulator = get_emulator(stubbed_app)
    emulator.checkpoint()
    yield EmulatorHandle(stubbed_app)
    emulator.rollback()


# --- the test pages, driven over HTTP -----------------------------------------------------------

def test_a_page_renders_a_stubbed_api_and_hits_the_files_stubs(mc: EmulatorHandle) -> None:
    client = mc.app.test_client()
    answer = client.get("/products")
    assert answer.status_code == 200
    assert answer.data == (b"<ul><li>A1: Kettle</li><li>B2: Teapot</li></ul>")
    hits = {stub.id: stub.hits for stub in mc.outbound.stubs}
    assert hits == {"products": 1, "token": 1}
    calls = mc.outbound.assert_called(API + "/products?limit=2", "GET", times=1)
    assert ("Authorization", "Bearer t-123") in calls[0].request_headers
    assert [call.door for call in mc.outbound.calls] == ["HTTP.Post", "HTTP.Get"]


def test_an_ampscript_form_posts_to_a_stub_and_shows_its_answer(mc: EmulatorHandle) -> None:
    mc.outbound.add("https://crm.example.com/leads", method="POST", status=201,
                    body_pattern=r'"email":"ann@example\.com"', body={"id": "L-1"})
    answer = mc.app.test_client().post("/lead", data={"email": "ann@example.com"})
    assert answer.status_code == 200
    assert answer.data == b'<p>201 {"id": "L-1"}</p>'
    assert mc.outbound.calls[0].request_body == '{"email":"ann@example.com"}'
    assert ("Content-Type", "application/json") in mc.outbound.calls[0].request_headers


def test_stubs_and_calls_are_undone_by_the_rollback(mc: EmulatorHandle) -> None:
    # the previous tests added stubs and made calls; the fixture rolled them back
    assert [stub.id for stub in mc.outbound.stubs] == ["products", "token"]
    assert [stub.hits for stub in mc.outbound.stubs] == [0, 0]
    assert mc.outbound.calls == []


# --- every door -----------------------------------------------------------------------------------

def test_the_ssjs_doors_return_the_platform_shapes(mc: EmulatorHandle) -> None:
    mc.outbound.add(API + "/items", body="items!")
    mc.outbound.add(API + "/p", method="POST", status=202, body="posted")
    answer = mc.app.test_client().get("/ssjs")
    assert answer.status_code == 200
    lines = answer.get_data(as_text=True).split("\n")
    assert lines[:4] == ["items!", "0:items!", "202:posted", "202:posted"]
    assert lines[4] == ("caught An error occurred when attempting to retrieve content from "
                        f"{API}/none: Unable to connect to the remote server")
    assert lines[5] == "arity Unable to retrieve security descriptor for this frame."
    assert mc.outbound.count(API + "/items") == 2
    assert mc.outbound.count(API + "/p", "post") == 2


def test_ampscript_httpget_continues_on_error_with_status_minus_2(mc: EmulatorHandle) -> None:
    client = mc.app.test_client()
    assert client.get("/amp").data == b"[|-2]"  # no stub: "" and -2, the page goes on
    mc.outbound.add(API + "/items", body="")
    assert client.get("/amp").data == b"[|-3]"  # an empty body
    mc.outbound.add(API + "/items", body="ok")
    assert client.get("/amp").data == b"[ok|0]"
    mc.outbound.add(API + "/items", status=404, body="gone")
    assert client.get("/amp").data == b"[|-2]"


def test_ampscript_httppost_stops_the_page_on_non_2xx(mc: EmulatorHandle) -> None:
    mc.outbound.add("https://crm.example.com/leads", method="POST", status=500, body="down")
    answer = mc.app.test_client().post("/lead", data={"email": "a@example.com"})
    assert answer.status_code == 422
    assert "answered 500" in mc.journal()[0].error


def test_ampscript_httppost2_gives_status_body_and_header_rowset(mc: EmulatorHandle) -> None:
    mc.outbound.add(API + "/p2", method="POST", status=409, body="taken",
                    response_headers={"X-Reason": "dup"})
    answer = mc.app.test_client().get("/post2")
    assert answer.data == b"409|taken|X-Reason"  # exceptionOnError false: no abort


def test_an_unmatched_call_is_reported_in_the_journal_and_the_log(
        mc: EmulatorHandle, caplog: pytest.LogCaptureFixture) -> None:
    answer = mc.app.test_client().post("/lead", data={"email": "b@example.com"})
    assert answer.status_code == 422
    warning = next(w for w in mc.journal()[0].warnings if "no stub" in w)
    assert "no stub answers POST https://crm.example.com/leads" in warning
    assert "mc.outbound.add('https://crm.example.com/leads', method='POST'" in warning
    assert any("no stub answers POST" in record.getMessage() for record in caplog.records)
    assert mc.outbound.calls[0].error is not None and mc.outbound.calls[0].status is None


# --- the rules: ports, sizes, timeouts, redirects, charsets ---------------------------------------

def _send(outbound: Outbound, url: str, method: str = "GET", body: str = "") -> Any:
    return outbound.send(OutboundRequest(method, url, [], body, "test"))


def test_a_port_other_than_80_or_443_fails_unless_allowed() -> None:
    outbound = Outbound()
    outbound.stubs.add("https://api.example.com:8443/x", body="x")
    with pytest.raises(OutboundFailed, match="port 8443 is not allowed") as failed:
        _send(outbound, "https://api.example.com:8443/x")
    assert "--allow-outbound api.example.com:8443" in failed.value.detail
    assert outbound.stubs.list()[0].hits == 0


def test_a_5_mb_request_body_fails_before_the_call() -> None:
    outbound = Outbound()
    outbound.stubs.add(API + "/big", method="POST", body="ok")
    with pytest.raises(OutboundFailed, match="request body is too large"):
        _send(outbound, API + "/big", "POST", "x" * (5 * 1024 * 1024))
    assert outbound.stubs.list()[0].hits == 0
    assert outbound.calls.list()[0].error.startswith("the request body has 5242880 bytes")


def test_a_stub_slower_than_the_timeout_times_out() -> None:
    outbound = Outbound(timeout=0.05)
    outbound.stubs.add(API + "/slow", delay=5)
    with pytest.raises(OutboundFailed, match="timed out") as failed:
        _send(outbound, API + "/slow")
    assert "past the timeout of 0.05 s" in failed.value.detail


def test_the_timeout_never_passes_the_page_budget() -> None:
    from emulator.script.budget import PageBudget

    outbound = Outbound(timeout=30)
    outbound.stubs.add(API + "/slow", delay=1)
    with pytest.raises(OutboundFailed, match="timed out"):
        outbound.send(OutboundRequest("GET", API + "/slow"), PageBudget(0.05))


def test_a_redirect_loop_is_bounded() -> None:
    outbound = Outbound()
    outbound.stubs.add(API + "/a", status=302, response_headers={"Location": "/b"})
    outbound.stubs.add(API + "/b", status=302, response_headers={"Location": API + "/a"})
    with pytest.raises(OutboundFailed, match="too many redirects"):
        _send(outbound, API + "/a")
    assert sum(stub.hits for stub in outbound.stubs) == 11


def test_a_redirect_is_followed_as_get() -> None:
    outbound = Outbound()
    outbound.stubs.add(API + "/old", method="POST", status=303,
                       response_headers={"Location": "/new"})
    outbound.stubs.add(API + "/new", method="GET", body="moved")
    assert _send(outbound, API + "/old", "POST", "x").text == "moved"


def test_a_non_utf8_body_decodes_by_its_charset_or_with_replacement() -> None:
    assert decode("café".encode("cp1252"), "text/plain; charset=windows-1252") == "café"
    assert decode(b"caf\xe9", "text/plain") == "caf\ufffd"
    assert decode(b"caf\xe9", "text/plain", "windows-1252") == "café"
    assert decode(b"caf\xe9", "text/plain; charset=no-such") == "caf\ufffd"


def test_a_dropped_stub_fails_as_an_unreachable_host() -> None:
    outbound = Outbound()
    outbound.stubs.add(API + "/x", drop=True)
    with pytest.raises(OutboundFailed, match="Unable to connect"):
        _send(outbound, API + "/x")


def test_stub_order_runtime_newest_first_then_files_and_times() -> None:
    outbound = Outbound()
    outbound.stubs.add_fields({"id": "file", "url": API + "/x", "body": "file"}, "f.json")
    outbound.stubs.add(API + "/x", body="old")
    outbound.stubs.add(API + "/x", body="new", times=1)
    assert [_send(outbound, API + "/x").text for _ in range(2)] == ["new", "old"]
    outbound.stubs.clear()
    assert _send(outbound, API + "/x").text == "file"


def test_headers_and_body_matchers() -> None:
    outbound = Outbound()
    outbound.stubs.add(url_pattern=r"https://api\.example\.com/items/\d+",
                       headers={"x-key": "k"}, body_contains="hello", body="matched")
    request = OutboundRequest("POST", API + "/items/7", [("X-Key", "k")], "say hello", "t")
    assert outbound.send(request).text == "matched"
    with pytest.raises(OutboundFailed):
        outbound.send(OutboundRequest("POST", API + "/items/7", [("X-Key", "other")], "hello"))
    with pytest.raises(OutboundFailed):
        outbound.send(OutboundRequest("POST", API + "/items/x", [("X-Key", "k")], "hello"))


@pytest.mark.parametrize(("fields", "message"), [
    ({"url": API, "colour": "red"}, "no field 'colour'"),
    ({}, "exactly one of them"),
    ({"url": API, "url_pattern": ".*"}, "exactly one of them"),
    ({"url": "ftp://x"}, "absolute http or https URL"),
    ({"url_pattern": "(unclosed"}, "not a valid regular expression"),
    ({"url": API, "status": 600}, "from 100 to 599"),
    ({"url": API, "status": "200"}, "from 100 to 599"),
    ({"url": API, "method": "FETCH"}, "expected one of ANY, GET"),
    ({"url": API, "headers": {"a": 1}}, "header names to text values"),
    ({"url": API, "body": 5}, "not int"),
    ({"url": API, "delay": -1}, "from 0 to 300"),
    ({"url": API, "drop": True, "body": "x"}, "takes no body"),
    ({"url": API, "times": 0}, "from 1 up"),
    ({"url": API, "id": "no spaces"}, "id='no spaces'"),
])
def test_bad_stubs_are_refused_with_what_is_accepted(fields: dict[str, Any],
                                                     message: str) -> None:
    with pytest.raises(StubRefused, match=message.replace("(", r"\(")):
        Outbound().stubs.add_fields(fields)


def test_a_duplicate_id_is_refused() -> None:
    outbound = Outbound()
    outbound.stubs.add(API, id="one")
    with pytest.raises(StubRefused, match="a stub has this id already"):
        outbound.stubs.add(API, id="one")


@pytest.mark.parametrize(("entries", "found"), [
    ([{"url": API}, {"url_pattern": "([", "id": "bad"}], ["line 1", "url_pattern", "stub [1]"]),
    ([{"url": API, "id": "same"}, {"url": API, "id": "same"}], ["stub [1]", "id='same'"]),
    ([{"url": API, "nope": 1}], ["stub [0]", "no field 'nope'"]),
])
def test_a_bad_stub_file_stops_the_start_with_file_line_and_field(
        tmp_path: Path, entries: list[Any], found: list[str]) -> None:
    write_de(tmp_path / "fixtures", "Any", [{"name": "Id", "type": "Text"}])
    folder = tmp_path / "fixtures" / "outbound"
    folder.mkdir(parents=True)
    (folder / "api.json").write_text(json.dumps(entries), encoding="utf-8")
    with pytest.raises(FixtureError) as refused:
        create_app({"TESTING": True, "fixtures": [str(tmp_path / "fixtures")]})
    text = str(refused.value)
    assert str(folder / "api.json") in text
    for part in found:
        assert part in text


# --- allow-outbound: a real local service ---------------------------------------------------------

class _Service(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/big":  # 50 MB: the page gets the first 10 MB
            self.send_response(200)
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            chunk = b"x" * (1024 * 1024)
            try:
                for _ in range(50):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the emulator stopped reading at its limit
            return
        body = "réponse".encode("latin-1")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=iso-8859-1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def service() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Service)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_allow_outbound_lets_a_call_reach_a_local_service(service: int) -> None:
    app = create_app({"TESTING": True, "allow_outbound": [f"127.0.0.1:{service}"]})
    try:
        outbound = get_emulator(app).outbound
        answer = _send(outbound, f"http://127.0.0.1:{service}/hello")
        assert (answer.status, answer.text, answer.stub) == (200, "réponse", None)
        # the port is allowed by name: another port of the same host is not
        with pytest.raises(OutboundFailed, match="port"):
            _send(outbound, f"http://127.0.0.1:{service + 1 if service < 65535 else 1}/")
    finally:
        get_emulator(app).close()


def test_a_50_mb_answer_is_cut_at_the_limit(service: int) -> None:
    outbound = Outbound(allowed=(get_allowed(f"127.0.0.1:{service}"),))
    warnings: list[str] = []
    answer = outbound.send(OutboundRequest("GET", f"http://127.0.0.1:{service}/big"),
                           warn=warnings.append)
    assert answer.cut and len(answer.text) == 10 * 1024 * 1024
    assert "was cut at 10485760 bytes" in warnings[0]


def get_allowed(text: str) -> Any:
    from emulator.outbound.send import parse_allowed

    return parse_allowed(text)


@pytest.mark.parametrize("value", ["", "host:port", "host:0", "host:70000", "a/b"])
def test_a_bad_allow_outbound_value_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match="allow_outbound"):
        create_app({"TESTING": True, "allow_outbound": [value]})


def test_the_unallowed_local_service_is_never_called(service: int) -> None:
    with pytest.raises(OutboundFailed, match="port"):
        _send(Outbound(), f"http://127.0.0.1:{service}/hello")


# --- the admin API and reset ----------------------------------------------------------------------

def test_the_admin_api_adds_lists_and_removes_stubs(mc: EmulatorHandle) -> None:
    client = mc.app.test_client()
    added = client.post("/_emulator/outbound", json={"id": "api", "url": API + "/items",
                                                     "body": "via admin"})
    assert added.status_code == 201 and added.json["id"] == "api"
    assert client.get("/amp").data == b"[via admin|0]"
    stubs = client.get("/_emulator/outbound").json["stubs"]
    assert [(s["id"], s["hits"]) for s in stubs] == [("api", 1), ("products", 0), ("token", 0)]
    calls = client.get("/_emulator/outbound/calls").json["calls"]
    assert [(c["url"], c["status"], c["stub"]) for c in calls] == [(API + "/items", 200, "api")]
    assert client.delete("/_emulator/outbound/api").status_code == 204
    assert client.delete("/_emulator/outbound/api").status_code == 404
    assert client.delete("/_emulator/outbound").json == {"removed": 0}


@pytest.mark.parametrize(("body", "message"), [
    ([1], "send one stub"),
    ({"url": API, "status": 99}, "status=99"),
    ({"url_pattern": "("}, "not a valid regular expression"),
])
def test_the_admin_api_refuses_a_bad_stub(mc: EmulatorHandle, body: Any, message: str) -> None:
    answer = mc.app.test_client().post("/_emulator/outbound", json=body)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)


def test_a_reset_clears_runtime_stubs_and_calls_and_keeps_the_files(mc: EmulatorHandle) -> None:
    mc.outbound.add(API + "/items", body="x")
    mc.app.test_client().get("/amp")
    reset(mc.emulator)
    assert [stub.id for stub in mc.outbound.stubs] == ["products", "token"]
    assert mc.outbound.calls == []


def test_assert_called_says_what_was_called(mc: EmulatorHandle) -> None:
    mc.app.test_client().get("/amp")
    with pytest.raises(AssertionError, match=r"GET https://api.example.com/items"):
        mc.outbound.assert_called(API + "/other")
    with pytest.raises(ValueError, match="times=0"):
        mc.outbound.assert_called(API + "/items", times=0)


# --- the network guard ----------------------------------------------------------------------------

def test_the_network_guard_refuses_a_non_loopback_connection() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.1)
        with pytest.raises(NetworkBlocked, match="never connects beyond this machine"):
            sock.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed
        with pytest.raises(NetworkBlocked):
            sock.connect_ex(("example.com", 443))


def test_the_network_guard_lets_loopback_through(service: int) -> None:
    with socket.create_connection(("127.0.0.1", service), timeout=1):
        pass


# --- the order with the responses mock ------------------------------------------------------------

def test_a_users_responses_registration_answers_after_the_stubs(tmp_path: Path) -> None:
    import requests
    import responses

    from emulator.testing import mock_marketing_cloud

    (tmp_path / "amp.html").write_text('%%[ set @b = HTTPGet("' + API + '/items", 1, 0, @s) ]%%'
                                       "[%%=v(@b)=%%|%%=v(@s)=%%]", encoding="utf-8")
    with responses.RequestsMock() as users:
        users.add(responses.GET, API + "/items", body="from responses")
        with mock_marketing_cloud("cloud.example.com", MCEMU_PAGES=str(tmp_path)) as mc:
            # no stub: the user's own registration answers the page's call
            assert requests.get("https://cloud.example.com/amp").text == "[from responses|0]"
            mc.outbound.add(API + "/items", body="from the stub")  # a stub is asked first
            assert requests.get("https://cloud.example.com/amp").text == "[from the stub|0]"
            # the client's own call to the same URL still reaches the user's registration
            assert requests.get(API + "/items").text == "from responses"


def test_the_call_log_keeps_a_bounded_part_of_each_body() -> None:
    from emulator.outbound.send import CALLS_KEPT, TEXT_KEPT

    outbound = Outbound()
    outbound.stubs.add(API + "/big", method="POST", body="b" * (TEXT_KEPT * 4))
    answer = _send(outbound, API + "/big", "POST", "a" * (TEXT_KEPT * 4))
    assert len(answer.text) == TEXT_KEPT * 4  # the page gets the whole answer
    call = outbound.calls.list()[-1]
    assert len(call.request_body) == TEXT_KEPT and len(call.response_body) == TEXT_KEPT
    for _ in range(CALLS_KEPT + 5):
        _send(outbound, API + "/big", "POST", "a")
    assert len(outbound.calls.list()) == CALLS_KEPT  # and so the log's size has a ceiling
