"""One budget per page run: a deadline and a memory allowance that the server's work keeps to.

Unit tests of :mod:`emulator.script.budget`, AMPscript rendered against a budget, and a live
server answering ``/token`` while a regex-bomb page runs (docs/fidelity.md#page-budget).
"""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

import pytest
import requests
from conftest import token_body

from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.script.budget import (
    PageBudget,
    PageOutOfMemory,
    PageTimeUp,
    joined_bytes,
    size_of,
    text_bytes,
)
from emulator.script.errors import AmpscriptError
from emulator.testing import LiveServer

LIMIT = 2.0  # seconds: the page limit of the live tests
REGEX_BOMB = "%%=RegExMatch('" + "a" * 34 + "!', '^(a|a)+$', 0)=%%"
JSON = {"Content-Type": "application/json"}


def _context(budget: PageBudget) -> AmpscriptContext:
    return AmpscriptContext(Variables(budget), budget=budget)


def _regex_helpers_end() -> None:
    """Wait (bounded) for RegExMatch helper threads: a test leaves none behind."""
    deadline = time.monotonic() + 30
    for thread in threading.enumerate():
        if thread.name == "mcemu-regex":
            thread.join(max(0.0, deadline - time.monotonic()))
            assert not thread.is_alive()


def test_the_budget_checks_its_deadline_and_counts_bytes() -> None:
    budget = PageBudget(time_limit=60, memory_limit=100)
    budget.check()
    assert 59 < budget.remaining() <= 60
    budget.charge(60)
    budget.fits(40)
    with pytest.raises(PageOutOfMemory):
        budget.fits(41)
    with pytest.raises(PageOutOfMemory):
        budget.charge(41)
    assert budget.held == 60  # what failed was not kept
    budget.charge(-60)
    budget.charge_text("é" * 100)  # 100 bytes: Latin-1 text is stored a byte a character
    assert budget.held == 100
    expired = PageBudget(time_limit=0.01)
    time.sleep(0.02)
    assert expired.remaining() == 0
    with pytest.raises(PageTimeUp):
        expired.check()
    step = expired.pacer(every=3)
    step()  # only every third step looks at the clock
    step()
    with pytest.raises(PageTimeUp):
        step()
    # neither signal is an Exception: a page port's "except Exception" cannot swallow it
    assert not issubclass(PageTimeUp, Exception) and not issubclass(PageOutOfMemory, Exception)


def test_sizes_are_the_bytes_cpython_stores() -> None:
    assert (text_bytes("abc"), text_bytes("é"), text_bytes("ā"), text_bytes("😀")) == (3, 1, 2, 4)
    assert joined_bytes(["a" * 10, "😀"]) == 44  # the widest part sets the width of all
    assert size_of({"k": ["ab", "c"]}) > size_of("abc")
    assert PageBudget.unlimited().remaining() == float("inf")


def test_concat_doubling_fails_before_building_the_string() -> None:
    budget = PageBudget(memory_limit=1024 * 1024)
    program = "%%[SET @s = 'x' " + "SET @s = Concat(@s, @s) " * 40 + "]%%"
    with pytest.raises(PageOutOfMemory):
        render(program, _context(budget))
    assert budget.held <= 1024 * 1024


def test_variables_count_what_they_hold_and_give_it_back() -> None:
    budget = PageBudget(memory_limit=10_000)
    variables = Variables(budget)
    for _ in range(100):  # overwriting one variable does not add up
        variables.set("@a", "x" * 6000)
    assert budget.held == 6000
    with pytest.raises(PageOutOfMemory):
        variables.set("@b", "y" * 6000)
    variables.declare("@a")
    assert budget.held == 0


def test_replace_growth_is_measured_first() -> None:
    budget = PageBudget(memory_limit=1024 * 1024)
    ctx = _context(budget)
    ctx.variables.set("t", "a" * 1000)
    assert render("%%=Length(Replace(@t, 'a', 'bb'))=%%", ctx) == "2000"
    with pytest.raises(PageOutOfMemory):
        render("%%=Replace(@t, 'a', Concat(@t, @t))=%%", ctx)


def test_a_dense_program_too_big_to_parse_is_refused() -> None:
    budget = PageBudget(memory_limit=1024 * 1024)
    with pytest.raises(PageOutOfMemory):
        render("%%=v(1)=%%" * 100_000, _context(budget))


def test_a_catastrophic_regex_ends_at_the_deadline() -> None:
    budget = PageBudget(time_limit=1.0)
    started = time.monotonic()
    with pytest.raises(PageTimeUp):
        render(REGEX_BOMB, _context(budget))
    assert time.monotonic() - started < 2.0
    _regex_helpers_end()


def test_legit_ampscript_is_unaffected() -> None:
    budget = PageBudget(time_limit=10, memory_limit=1024 * 1024)
    ctx = _context(budget)
    text = render("%%[SET @x = Concat('a', 'b') SET @y = Replace(@x, 'b', 'cd')]%%"
                  "%%=RegExMatch(@y, '(?<w>c+)d', 'w')=%%%%=Base64Encode(@y)=%%", ctx)
    assert text == "cYWNk"
    assert budget.held == size_of("ab") + size_of("acd")  # the variables only
    with pytest.raises(AmpscriptError):  # an ordinary error stays catchable
        render("%%=RaiseError('no')=%%", ctx)


@pytest.fixture
def live(tmp_path: Path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "hello.html").write_text(
        '<script runat="server">Platform.Load("Core", "1"); Write("hi");</script>',
                                       encoding="utf-8")
    (folder / "bomb.html").write_text(
        '<script runat="server">Platform.Load("Core", "1");\n'
        f'Write(Platform.Function.TreatAsContent("{REGEX_BOMB}"));</script>', encoding="utf-8")
    with LiveServer({"pages": str(folder), "ssjs_timeout": LIMIT}, threads=4) as server:
        for _ in range(2):  # both workers warm: a start-up is not the page's time
            assert requests.get(f"{server.url}/hello", timeout=60).text == "hi"
        yield server
    _regex_helpers_end()


@pytest.mark.slow
def test_token_answers_while_a_regex_bomb_runs(live: LiveServer) -> None:
    outcome: dict[str, float | int] = {}

    def bomb() -> None:
        started = time.monotonic()
        outcome["status"] = requests.get(f"{live.url}/bomb", timeout=60).status_code
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=bomb)
    thread.start()
    time.sleep(0.3)
    latencies = []
    while thread.is_alive() and len(latencies) < 40:
        started = time.monotonic()
        answer = requests.post(f"{live.url}/token", data=token_body(), headers=JSON, timeout=30)
        latencies.append(time.monotonic() - started)
        assert answer.status_code == 200
        time.sleep(0.05)
    thread.join(60)
    assert outcome["status"] == 408
    assert outcome["seconds"] < LIMIT + 1  # generous: the limit itself is short
    assert latencies and max(latencies) < 1.0, statistics.median(latencies)
    journal = requests.get(f"{live.url}/_emulator/journal", timeout=10).json()["entries"]
    bombed = next(entry for entry in journal if entry["path"] == "/bomb")
    assert bombed["status"] == 408 and "RegExMatch ran past" in bombed["error"]
