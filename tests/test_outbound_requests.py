"""Script.Util.HttpRequest, HttpGet and HttpPost, driven over HTTP through the one outbound send."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import pages_app, write_de
from flask import Flask

from emulator.app import create_app
from emulator.errors import FixtureError
from emulator.outbound import Outbound, OutboundFailed, OutboundRequest, StubRefused
from emulator.runtime import get_emulator
from emulator.testing.handle import EmulatorHandle

API = "https://api.example.com"


def ssjs(body: str) -> str:
    return (f'<script runat="server">\nvar r = [];\n{body}\n'
            'Platform.Response.Write(r.join("|"));</script>')


PAGES = {
    "defaults.html": ssjs(
        'var q = new Script.Util.HttpRequest("' + API + '/d");\n'
        "r.push(q.method, q.contentType === '' ? 'empty' : q.contentType, q.encoding, q.timeout,\n"
        "       q.retries, q.continueOnError, q.emptyContentHandling);\n"
        'q.encoding = "UTF-8"; r.push(q.encoding);\n'
        "try { var x = q.postData; r.push('read'); } catch (e) { r.push(e.message); }\n"
        "try { q.emptyContentHandling = true; } catch (e) { r.push('bool refused'); }\n"
        "q.continueOnError = true; r.push(q.continueOnError);\n"
        'var g = new Script.Util.HttpGet("' + API + '/d"); r.push(g.method, g.encoding);\n'
        'var p = new Script.Util.HttpPost("' + API + '/d"); r.push(p.method);'),
    "send.html": ssjs(
        'var q = new Script.Util.HttpRequest("' + API + '/items");\n'
        'q.setHeader("X-Key", "one"); q.setHeader("X-Key", "two"); q.setHeader("X-Gone", "1");\n'
        'q.removeHeader("X-Gone");\n'
        "var s = q.send();\n"
        "r.push(s.statusCode == 200, s.statusCode === 200, Number(s.statusCode) === 200);\n"
        'r.push("" + s.content, typeof s.content, s.returnStatus, s.contentType,\n'
        '       s.encoding === "" ? "no encoding" : s.encoding);\n'
        "var keys = []; for (var k in s.headers) keys.push(k); r.push(keys.join(';'));\n"
        'try { var t = s.headers["Content-Type"]; r.push("indexed"); }\n'
        "catch (e) { r.push(e.message); }"),
    "post.html": ssjs(
        'var q = new Script.Util.HttpRequest("' + API + '/leads");\n'
        'q.method = "POST"; q.contentType = "application/json";\n'
        'q.postData = "{\\"name\\": \\"Ann\\"}";\n'
        "var s = q.send(); r.push(Number(s.statusCode), String(s.content));\n"
        'var h = new Script.Util.HttpPost("' + API + '/leads"); h.postData = "x";\n'
        "r.push(String(h.send().content));"),
    "get.html": ssjs(
        'var s = new Script.Util.HttpGet("' + API + '/items").send();\n'
        'r.push(Number(s.statusCode), "" + s.content, s.contentType === "" ? "no type" : "type");\n'
        "var n = 0; for (var k in s.headers) n++; r.push(n);"),
    "errors.html": ssjs(
        'var q = new Script.Util.HttpRequest("' + API + '/missing");\n'
        "try { q.send(); r.push('sent'); } catch (e) { r.push('failed'); }\n"
        "q.continueOnError = true; var s = q.send();\n"
        "r.push(Number(s.statusCode), s.returnStatus);\n"
        'var bad = new Script.Util.HttpRequest("' + API + '/bad");\n'
        "try { bad.send(); r.push('sent'); } catch (e) { r.push('threw ' + e.message); }\n"
        'bad.continueOnError = true; r.push(Number(bad.send().statusCode));\n'
        'try { new Script.Util.HttpRequest(""); } catch (e) { r.push("empty url"); }\n'
        'try { bad.method = "TRACE"; } catch (e) { r.push("method refused"); }\n'
        'try { bad.timeout = -1; } catch (e) { r.push("timeout refused"); }\n'
        'try { bad.timeout = "soon"; } catch (e) { r.push("text refused"); }\n'
        'try { bad.emptyContentHandling = 3; } catch (e) { r.push("3 refused"); }\n'
        'try { bad.setHeader("X"); } catch (e) { r.push("arity"); }'),
    "retry.html": ssjs(
        'var q = new Script.Util.HttpRequest("' + API + '/flaky"); q.retries = 2;\n'
        "r.push(String(q.send().content));\n"
        'var once = new Script.Util.HttpRequest("' + API + '/flaky2"); once.retries = 0;\n'
        "try { once.send(); r.push('sent'); } catch (e) { r.push('no retry'); }"),
    "slow.html": ssjs(
        'var q = new Script.Util.HttpRequest("' + API + '/slow"); q.timeout = 1;\n'
        "q.continueOnError = true; var s = q.send(); r.push(s.returnStatus);"),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder: Path = tmp_path_factory.mktemp("requests")
    with pages_app(folder / "pages", PAGES) as application:
        yield application


@pytest.fixture
def mc(app: Flask) -> Iterator[EmulatorHandle]:
    emulator = get_emulator(app)
    emulator.checkpoint()
    yield EmulatorHandle(app)
    emulator.rollback()


def page(mc: EmulatorHandle, name: str) -> list[str]:
    answer = mc.app.test_client().get(f"/{name}")
    assert answer.status_code == 200, answer.data
    return answer.get_data(as_text=True).split("|")


def test_a_new_request_has_the_runtime_tested_defaults(mc: EmulatorHandle) -> None:
    assert page(mc, "defaults") == [
        "GET", "empty", "Windows-1252", "30", "1", "False", "0", "utf-8",
        "Property Get method was not found.", "bool refused", "True", "GET", "Windows-1252",
        "POST"]
    assert mc.outbound.calls == []  # nothing was sent


def test_send_answers_the_clr_shapes(mc: EmulatorHandle) -> None:
    mc.outbound.add(API + "/items", method="GET", headers={"X-Key": "two"}, body="[1,2]",
                    response_headers={"Content-Type": "application/json; charset=utf-8",
                                      "X-Trace": "abc"})
    assert page(mc, "send") == [
        "true", "false", "true", "[1,2]", "object", "0", "application/json; charset=utf-8",
        "no encoding", "[Content-Type, application/json; charset=utf-8];[X-Trace, abc]",
        "Use of Common Language Runtime (CLR) is not allowed"]
    (call,) = mc.outbound.calls
    assert call.door == "Script.Util.HttpRequest"
    assert [name for name, _ in call.request_headers] == ["X-Key"]  # replaced, one removed


def test_post_data_and_content_type_go_out_with_the_method(mc: EmulatorHandle) -> None:
    stub = mc.outbound.add(API + "/leads", method="POST", body_contains='"Ann"',
                           headers={"Content-Type": "application/json"}, status=201,
                           body="made")
    other = mc.outbound.add(API + "/leads", method="POST", body_contains="x", body="posted")
    assert page(mc, "post") == ["201", "made", "posted"]
    assert (stub.hits, other.hits) == (1, 1)
    assert [call.door for call in mc.outbound.calls] == ["Script.Util.HttpRequest",
                                                         "Script.Util.HttpPost"]


def test_http_get_lists_no_content_type_and_no_headers(mc: EmulatorHandle) -> None:
    mc.outbound.add(API + "/items", body={"a": 1})
    assert page(mc, "get") == ["200", '{"a": 1}', "no type", "0"]


def test_failures_throw_unless_continue_on_error_and_bad_values_are_refused(
        mc: EmulatorHandle) -> None:
    mc.outbound.add(API + "/bad", status=500, body="down")
    assert page(mc, "errors") == [
        "failed", "0", "-2", "threw Script.Util.HttpRequest: the server answered 500 for "
        f"{API}/bad.", "500", "empty url", "method refused", "timeout refused",
        "text refused", "3 refused", "arity"]


def test_retries_try_a_call_without_an_answer_again(mc: EmulatorHandle) -> None:
    mc.outbound.add(API + "/flaky", body="third time", id="ok")
    mc.outbound.add(API + "/flaky", drop=True, times=2)
    mc.outbound.add(API + "/flaky2", body="late", id="late")
    mc.outbound.add(API + "/flaky2", drop=True, times=1)
    assert page(mc, "retry") == ["third time", "no retry"]
    assert mc.outbound.count(API + "/flaky") == 3
    assert mc.outbound.count(API + "/flaky2") == 1


def test_the_request_timeout_bounds_a_slow_stub(mc: EmulatorHandle) -> None:
    mc.outbound.add(API + "/slow", delay=1.5, body="late")
    assert page(mc, "slow") == ["-2"]
    assert all("past the timeout of 1 s" in (call.error or "") for call in mc.outbound.calls)


# --- stub faults: the fault registry's words ------------------------------------------------------

def _statuses(outbound: Outbound, count: int, url: str = API + "/f") -> list[int | str]:
    seen: list[int | str] = []
    for _ in range(count):
        try:
            seen.append(outbound.send(OutboundRequest("GET", url)).status)
        except OutboundFailed:
            seen.append("dropped")
    return seen


def test_every_answers_every_nth_matching_call_and_the_others_go_on() -> None:
    outbound = Outbound()
    outbound.stubs.add(API + "/f", body="ok", id="base")
    fault = outbound.stubs.add(API + "/f", status=503, every=3, id="flaky")
    assert _statuses(outbound, 7) == [200, 200, 503, 200, 200, 503, 200]
    assert (fault.hits, fault.seen) == (2, 7)
    outbound.stubs.add(API + "/f", drop=True, every=2, times=1)
    # the new stub is asked first: it passes the 1st call, drops the 2nd, then retires
    assert _statuses(outbound, 4) == [200, "dropped", 503, 200]


def test_share_answers_that_share_reproducibly_and_a_rollback_rewinds_it() -> None:
    def run() -> tuple[Outbound, list[int | str]]:
        outbound = Outbound()
        outbound.stubs.add(API + "/f", body="ok")
        outbound.stubs.add(API + "/f", status=500, share=0.25, id="some")
        return outbound, _statuses(outbound, 400)
    outbound, first = run()
    assert first == run()[1]  # the same calls fail in every run
    assert 60 <= first.count(500) <= 140
    outbound.checkpoint()
    after = _statuses(outbound, 30)
    outbound.rollback()
    assert _statuses(outbound, 30) == after


def test_stub_faults_reach_the_page_as_a_delay_or_a_drop(mc: EmulatorHandle) -> None:
    mc.outbound.add(API + "/slow", body="late", delay=1.5, every=1)
    assert page(mc, "slow") == ["-2"]
    client = mc.app.test_client()
    body = client.post("/_emulator/outbound", json={"url": API + "/flaky", "drop": True,
                                                    "every": 2}).get_json()
    assert (body["every"], body["share"], body["seen"]) == (2, None, 0)
    mc.outbound.add(API + "/flaky", body="fine", id="fine")
    mc.outbound.add(API + "/flaky2", body="fine2")
    assert page(mc, "retry") == ["fine", "sent"]  # one drop, then the retry answered


@pytest.mark.parametrize(("fields", "words"), [
    ({"every": 0}, "every=0: expected a whole number from 1 up"),
    ({"every": "2"}, "every='2'"),
    ({"every": True}, "every=True"),
    ({"share": 0}, "share=0: expected a number above 0 and at most 1"),
    ({"share": 1.5}, "share=1.5"),
    ({"share": float("nan")}, "share=nan"),
    ({"share": True}, "share=True"),
    ({"every": 2, "share": 0.5}, "give one of them"),
])
def test_bad_every_or_share_is_refused_with_what_is_accepted(
        fields: dict[str, Any], words: str) -> None:
    with pytest.raises(StubRefused, match=re.escape(words)):
        Outbound().stubs.add(API, **fields)


def test_a_bad_share_in_the_admin_api_and_a_file_names_the_field(tmp_path: Path,
                                                                 mc: EmulatorHandle) -> None:
    answer = mc.app.test_client().post("/_emulator/outbound", json={"url": API, "share": 2})
    assert answer.status_code == 400 and "share=2" in answer.get_json()["message"]
    write_de(tmp_path / "fixtures", "Any", [{"name": "Id", "type": "Text"}])
    folder = tmp_path / "fixtures" / "outbound"
    folder.mkdir(parents=True)
    (folder / "api.json").write_text(json.dumps([{"url": API}, {"url": API, "every": -1}]),
                                     encoding="utf-8")
    with pytest.raises(FixtureError) as refused:
        create_app({"TESTING": True, "fixtures": [str(tmp_path / "fixtures")]})
    text = str(refused.value)
    for part in (str(folder / "api.json"), "stub [1]", "every=-1"):
        assert part in text


# --- the order under mock_marketing_cloud: stubs, the test's own responses, then failure ---------

ORDER_PAGE = ('<script runat="server">Platform.Load("core", "1");\nvar r = [];\n'
              'var names = ["stubbed", "users", "nobody", "passes"];\n'
              "for (var i = 0; i < names.length; i++) {\n"
              '  var g = HTTP.Get("' + API + '/" + names[i]);\n'
              '  r.push(g.Status + ":" + g.Content);\n'
              '}\nWrite(r.join("|"));</script>')


def test_an_unstubbed_call_goes_to_the_users_responses_before_it_fails(tmp_path: Path) -> None:
    import requests
    import responses

    from emulator.testing import mock_marketing_cloud

    (tmp_path / "order.html").write_text(ORDER_PAGE, encoding="utf-8")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as users:
        users.add(responses.GET, API + "/stubbed", body="from responses")
        users.add(responses.GET, API + "/users", body="from responses", status=200)
        users.add_passthru(API + "/passes")  # never to the network from a page
        users.add(responses.PassthroughResponse(responses.GET, API + "/passes"))
        with mock_marketing_cloud("cloud.example.com", MCEMU_PAGES=str(tmp_path)) as mc:
            mc.outbound.add(API + "/stubbed", body="from the stub", id="first")
            answer = requests.get("https://cloud.example.com/order")
            assert answer.text == "0:from the stub|0:from responses|-2:|-2:"
            # the page's call is in the user's mock's calls, as a client's call would be
            assert [call.request.url for call in users.calls] == [API + "/users"]
            vias = [(call.url.rsplit("/", 1)[1], call.via, call.stub)
                    for call in mc.outbound.calls]
            assert vias == [("stubbed", "stub", "first"), ("users", "responses", None),
                            ("nobody", None, None), ("passes", None, None)]
            entry = mc.app.test_client().get(
                "/_emulator/journal", query_string={"path": "/order"}).get_json()["entries"][0]
            assert [call["via"] for call in entry["calls"]] == ["stub", "responses", None, None]
            outbound = get_emulator(mc.app).outbound
            assert outbound.fallback is not None
        assert outbound.fallback is None  # once the mock stops, nothing is offered any more


def test_a_responses_mock_started_inside_the_emulators_answers_too(tmp_path: Path) -> None:
    import requests
    import responses
    from requests.adapters import HTTPAdapter

    from emulator.testing import mock_marketing_cloud

    (tmp_path / "order.html").write_text(ORDER_PAGE, encoding="utf-8")
    with mock_marketing_cloud("cloud.example.com", MCEMU_PAGES=str(tmp_path)):
        first = requests.get("https://cloud.example.com/order").text
        assert first == "-2:|-2:|-2:|-2:"  # no stubs, no registrations: every call fails
        # the client's calls to the page pass through it to the emulator's mock
        with responses.RequestsMock(assert_all_requests_are_fired=False,
                                    real_adapter_send=HTTPAdapter.send) as users:
            users.add(responses.GET, API + "/users", json={"a": 1}, status=202)
            users.add_passthru("https://cloud.example.com")
            answer = requests.get("https://cloud.example.com/order").text
            assert answer == '-2:|0:{"a": 1}|-2:|-2:'


# --- the bare SSJS content globals -------------------------------------------------------------

CONTENT = Path(__file__).parent / "salesforce_pages" / "fixtures"
GLOBALS_PAGE = ('<script runat="server">Platform.Load("core", "1");\n'
                'Variable.SetValue("@year", 2026);\n'
                'var r = [ContentBlockByKey("footer", "ignored", 0, "default"),\n'
                '         ContentBlockByID(3003).length,\n'
                '         ContentBlockByName("Content Builder\\\\Shared\\\\Header")];\n'
                'try { ContentBlockByKey("nothing", "", 0, "default"); }\n'
                'catch (e) { r.push("caught: " + e.message); }\n'
                'Write(r.join("|"));</script>')
UNLOADED_PAGE = ('<script runat="server">try { ContentBlockByKey("footer"); }\n'
                 'catch (e) { Platform.Response.Write(e.message); }</script>')


def test_the_bare_content_globals_forward_to_platform_function(tmp_path: Path) -> None:
    pages = {"blocks.html": GLOBALS_PAGE, "unloaded.html": UNLOADED_PAGE}
    with pages_app(tmp_path / "pages", pages, fixtures=(str(CONTENT),),
                   no_default_fixtures=True) as application:
        client = application.test_client()
        answer = client.get("/blocks")
        assert answer.status_code == 200, answer.data
        assert answer.get_data(as_text=True) == (
            "<footer>&copy; 2026 Example</footer>|36|<header><h1></h1></header>\n"
            "|caught: ContentBlockByKey: no content block has the key 'nothing'. Add it under "
            "content/ in a fixtures directory, or pass errorOnMissing 0 and a default content.")
        unloaded = client.get("/unloaded").get_data(as_text=True)
        assert unloaded == ('ContentBlockByKey is not defined (call Platform.Load("core", "1") '
                            "first)")
