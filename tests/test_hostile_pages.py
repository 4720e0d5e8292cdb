"""Hostile page files over HTTP: each ends within its budget and the server goes on answering.

An endless loop of AMPscript, a regex bomb, a string bomb, a variable flood and dates .NET
cannot hold (docs/fidelity.md#page-budget, docs/fidelity.md#date-range).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from conftest import token_body

from emulator import assumptions
from emulator.testing import LiveServer

LIMIT = 2.0  # seconds a page may run
MEMORY = 8 * 1024 * 1024  # bytes the server may hold for a page
JSON = {"Content-Type": "application/json"}
LOAD = 'Platform.Load("Core", "1");\n'
PAGES = {
    "hello": 'Write("hi");',
    "amploop": 'var n = 0;\nwhile (true) {\n'
               '  Platform.Function.TreatAsContent("%%[SET @x = Concat(\'a\', \'b\')]%%");\n'
               '  n++;\n}',
    "regexbomb": 'Write(Platform.Function.TreatAsContent('
                 '"%%=RegExMatch(\'' + "a" * 34 + '!\', \'^(a|a)+$\', 0)=%%"));',
    # A try/catch loop cannot keep allocating: the memory signal is not catchable.
    "stringbomb": 'for (;;) {\n  try {\n    Platform.Function.TreatAsContent("%%[SET @s = \'x\' '
                  + "SET @s = Concat(@s, @s) " * 40 + ']%%");\n'
                  '  } catch (e) { Write("caught: " + e.message); }\n}',
    "flood": 'var big = "x";\nfor (var i = 0; i < 20; i++) big += big;\n'
             'for (var j = 0; j < 60; j++) {\n'
             '  try { Variable.SetValue("@v" + j, big); } catch (e) { Write(e.message); }\n}\n'
             'Write("survived");',
    "datebomb": 'var out = [];\n'
                'var dates = [new Date(8.64e15), new Date(-8.64e15), new Date(NaN)];\n'
                'for (var i = 0; i < dates.length; i++) {\n'
                '  try { DataExtension.Init("HTTPProperties").Rows.Add({Key: "x", When: '
                'dates[i]}); out.push("added"); }\n'
                '  catch (e) { out.push(e.message); }\n'
                '  try { Variable.SetValue("@d", dates[i]); out.push("set"); }\n'
                '  catch (e) { out.push(e.message); }\n'
                '}\nWrite(out.join("\\n"));',
}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("hostile")
    for name, script in PAGES.items():
        (folder / f"{name}.html").write_text(f'<script runat="server">{LOAD}{script}</script>',
                                             encoding="utf-8")
    config = {"pages": str(folder), "ssjs_timeout": LIMIT, "page_memory_limit": MEMORY}
    with LiveServer(config, threads=4) as server:
        for _ in range(2):  # both workers warm: a start-up is not the page's time
            assert requests.get(f"{server.url}/hello", timeout=60).text == "hi"
        yield server


def _get(live: LiveServer, name: str) -> tuple[requests.Response, float]:
    started = time.monotonic()
    answer = requests.get(f"{live.url}/{name}", timeout=60)
    return answer, time.monotonic() - started


def _journal_entry(live: LiveServer, path: str) -> dict:
    entries = requests.get(f"{live.url}/_emulator/journal", timeout=10).json()["entries"]
    return next(entry for entry in entries if entry["path"] == path)


def _server_answers(live: LiveServer) -> None:
    token = requests.post(f"{live.url}/token", data=token_body(), headers=JSON, timeout=10)
    assert token.status_code == 200
    assert requests.get(f"{live.url}/hello", timeout=60).text == "hi"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["amploop", "regexbomb"])
def test_a_page_that_never_ends_server_side_answers_408_in_time(live: LiveServer,
                                                                 name: str) -> None:
    answer, seconds = _get(live, name)
    assert answer.status_code == assumptions.SSJS_TIMEOUT_STATUS
    assert answer.text == assumptions.SSJS_TIMEOUT_BODY
    assert seconds < LIMIT + 1
    _server_answers(live)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["stringbomb", "flood"])
def test_a_page_past_its_memory_answers_500_and_the_journal_says_why(live: LiveServer,
                                                                     name: str) -> None:
    answer, seconds = _get(live, name)
    assert answer.status_code == 500
    assert answer.text == assumptions.UNCAUGHT_EXCEPTION_BODY
    assert "caught" not in answer.text and "survived" not in answer.text
    assert seconds < LIMIT + 1
    entry = _journal_entry(live, f"/{name}")
    assert entry["status"] == 500 and entry["error"].startswith("PageOutOfMemory")
    _server_answers(live)


@pytest.mark.slow
def test_dates_dotnet_cannot_hold_are_catchable_errors(live: LiveServer) -> None:
    answer, _ = _get(live, "datebomb")
    assert answer.status_code == 200
    lines = answer.text.split("\n")
    assert len(lines) == 6
    assert all(line.startswith("Invalid date (") and "12/31/9999" in line for line in lines)
    assert "(Invalid Date)" in lines[-1]
    entry = _journal_entry(live, "/datebomb")
    assert entry["error"] is None and entry["rows_written"] == []  # no row took such a date
