"""Each page's outbound calls in its journal entry: the admin API, the dashboard, the bounds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import pages_app
from flask import Flask

from emulator.outbound.page import BODY_KEPT, CALLS_KEPT
from emulator.runtime import get_emulator
from emulator.testing.handle import EmulatorHandle

API = "https://api.example.com"
PAGES = {
    "mixed.html": '<script runat="server">Platform.Load("core", "1");\n'
                  'var g = HTTP.Get("' + API + '/items", ["X-Key"], ["k1"]);\n'
                  'try { Platform.Function.HTTPGet("' + API + '/nothing"); } catch (e) {}\n'
                  'Write(g.Status + ":" + g.Content);</script>'
                  '%%[ set @b = HTTPGet("' + API + '/items") ]%%|%%=v(@b)=%%',
    "quiet.html": "<p>no calls</p>",
    "many.html": '<script runat="server">Platform.Load("core", "1");\n'
                 "var n = 0;\n"
                 "for (var i = 0; i < 10000; i++) {\n"
                 '  if (Platform.Function.HTTPGet("' + API + '/big") != "") n++;\n'
                 "}\nWrite(n);</script>",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder: Path = tmp_path_factory.mktemp("journal")
    with pages_app(folder / "pages", PAGES, ssjs_timeout=60) as application:
        yield application


@pytest.fixture
def mc(app: Flask) -> Iterator[EmulatorHandle]:
    emulator = get_emulator(app)
    emulator.checkpoint()
    yield EmulatorHandle(app)
    emulator.rollback()


def entry_of(mc: EmulatorHandle, path: str) -> dict[str, Any]:
    client = mc.app.test_client()
    answer = client.get("/_emulator/journal", query_string={"path": path, "limit": 1})
    assert answer.status_code == 200
    (entry,) = answer.get_json()["entries"]
    return entry


def test_each_call_is_in_the_entry_of_the_page_that_made_it(mc: EmulatorHandle) -> None:
    mc.outbound.add(API + "/items", method="GET", body="[1]", id="items",
                    response_headers={"X-Trace": "t1"})
    answer = mc.app.test_client().get("/mixed")
    assert answer.status_code == 200 and answer.data == b"0:[1]|[1]"
    calls = entry_of(mc, "/mixed")["calls"]
    assert [(c["door"], c["method"], c["url"], c["status"], c["stub"], c["via"])
            for c in calls] == [
        ("HTTP.Get", "GET", API + "/items", 200, "items", "stub"),
        ("Platform.Function.HTTPGet", "GET", API + "/nothing", None, None, None),
        ("HTTPGet", "GET", API + "/items", 200, "items", "stub")]
    first, missing = calls[0], calls[1]
    assert ["X-Key", "k1"] in first["request_headers"]
    assert ["X-Trace", "t1"] in first["response_headers"]
    assert first["response_body"] == "[1]" and first["error"] is None
    assert first["duration_ms"] >= 0
    assert "no stub answers GET " + API + "/nothing" in missing["error"]
    assert "mc.outbound.add(" in missing["error"]


def test_a_page_without_calls_has_an_empty_list(mc: EmulatorHandle) -> None:
    assert mc.app.test_client().get("/quiet").status_code == 200
    assert entry_of(mc, "/quiet")["calls"] == []


def test_the_dashboard_shows_the_calls_of_a_request(mc: EmulatorHandle) -> None:
    mc.outbound.add(API + "/items", body="<b>x</b>", id="items")
    client = mc.app.test_client()
    client.get("/mixed")
    entry_id = entry_of(mc, "/mixed")["id"]
    html = client.get(f"/_emulator/ui/journal/{entry_id}").get_data(as_text=True)
    assert 'id="outbound-calls"' in html
    assert f"GET {API}/items" in html and "stub <code>items</code>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html  # the body is escaped, never markup
    assert "no stub answers GET" in html
    quiet = client.get("/quiet")
    assert quiet.status_code == 200
    quiet_id = entry_of(mc, "/quiet")["id"]
    assert 'id="outbound-calls"' not in client.get(
        f"/_emulator/ui/journal/{quiet_id}").get_data(as_text=True)


def test_ten_thousand_calls_keep_the_entry_small_and_the_page_in_its_budget(
        mc: EmulatorHandle) -> None:
    mc.outbound.add(API + "/big", body="x" * 5_000, id="big",
                    response_headers={f"X-H{i}": "v" * 400 for i in range(20)})
    answer = mc.app.test_client().get("/many")
    assert answer.status_code == 200 and answer.data == b"10000"
    entry = entry_of(mc, "/many")
    assert len(entry["calls"]) == CALLS_KEPT
    assert all(len(call["response_body"].encode()) <= BODY_KEPT for call in entry["calls"])
    assert all(len(call["response_headers"]) < 20 for call in entry["calls"])
    assert entry["calls"][0]["response_headers"][-1][0] == "(cut)"
    assert any(f"{10000 - CALLS_KEPT:,} more outbound call(s)" in w for w in entry["warnings"])
    assert len(json.dumps(entry["calls"])) < CALLS_KEPT * 8 * 1024
    assert mc.outbound.count(API + "/big") == 1000  # the app's call log keeps the newest 1,000
