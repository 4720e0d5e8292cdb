"""Per-test isolation of the pytest fixtures: one app per configuration, rolled back per test.

Generated suites run for real (pytester, or a subprocess for xdist) with ``-p no:randomly``, in
both orders: every test first checks that it starts from the fixtures' state (rows, journal,
warning log, clock), then changes all of it, so a leak fails whichever test runs second.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests  # noqa: F401  # loaded here: pytester's in-process runs reuse it, as they must

from emulator.errors import StoreError
from emulator.testing.cache import KEEP, Entry, SessionApps, config_key

pytest_plugins = ["pytester"]

ARGS = ("-p", "no:cacheprovider", "-p", "no:randomly", "-W", "error")
FROZEN = "2024-01-15T12:00:00Z"

#: The start of each generated test: the state as the fixtures give it, then a change of each
#: kind. ``emulator`` and ``send(path, body)`` are set per fixture by the test's first lines.
CHECK_AND_CHANGE = """
    assert emulator.store.rows("Subscribers") == [{"Email": "ada@example.com"}]
    assert emulator.store.count("HTTPProperties") == 0
    assert emulator.store.keys() == KEYS
    assert emulator.journal.entries() == []
    assert len(emulator.warning_log) == 0
    assert emulator.clock.frozen.isoformat() == "2024-01-15T12:00:00+00:00"
    assert emulator.clock.new_guid() == FIRST_GUID
    # every kind of change: rows through a page and directly, a DE dropped and one reset
    assert send("/token", BODY) == 200
    assert send("/token", b"{}") == 200  # the unsafe branch: page warnings
    emulator.store.add_rows("Subscribers", [{"Email": "bo@example.com"}])
    emulator.store.delete_rows("Subscribers", {"Property": "Email", "SimpleOperator": "equals",
                                               "Value": "ada@example.com"})
    emulator.store.drop("CustomAppException")
    assert emulator.journal.entries()[-1].id == 1
    assert len(emulator.warning_log) > 0
    emulator.clock.freeze(None)
    WRITTEN.append(NAME)
"""

HEADER = f"""
import json
import uuid

import pytest
import requests

from emulator.runtime import get_emulator

BODY = (b'{{"operation":"RequestToken","client_id":"demo-client",'
        b'"client_secret":"demo-secret"}}')
KEYS = ["AppCredentials", "CustomAppException", "HTTPProperties", "Subscribers"]
FIRST_GUID = str(uuid.uuid5(uuid.NAMESPACE_URL, "mcemu:2024-01-15T12:00:00+00:00:1"))
WRITTEN = []
pytestmark = pytest.mark.mcemu_fixtures("mc", frozen_time={FROZEN!r})
"""

#: fixture -> the lines that set ``emulator`` and ``send`` from it
WAYS_IN = {
    "mcemu_client": """
    emulator = get_emulator(mcemu_app)
    send = lambda path, body: mcemu_client.post(path, data=body).status_code
""",
    "mcemu_mock": """
    emulator = mcemu_mock.emulator
    send = lambda path, body: requests.post(mcemu_mock.url_for(path), data=body).status_code
""",
    "mcemu_server": """
    emulator = mcemu_server.emulator
    send = lambda path, body: requests.post(mcemu_server.url + path, data=body,
                                            timeout=10).status_code
""",
}
ARGUMENTS = {"mcemu_client": "mcemu_app, mcemu_client", "mcemu_mock": "mcemu_mock",
             "mcemu_server": "mcemu_server"}


def suite(names: list[str], ways: list[str]) -> str:
    """Return a test module with one checking-and-changing test per name and way in."""
    tests = [HEADER]
    for name in names:
        for way in ways:
            tests.append(f"\ndef test_{name}_{way}({ARGUMENTS[way]}):\n"
                         f"    NAME = {name + '_' + way!r}\n"
                         f"{WAYS_IN[way]}{CHECK_AND_CHANGE}")
    return "".join(tests)


@pytest.fixture
def mc_fixtures(pytester: pytest.Pytester) -> None:
    """A fixtures directory ``mc/`` under the pytester rootdir, with one DE of one row."""
    folder = pytester.mkdir("mc") / "data_extensions"
    folder.mkdir()
    (folder / "Subscribers.json").write_text(json.dumps({
        "key": "Subscribers", "fields": [{"name": "Email", "type": "EmailAddress"}],
        "rows": [{"Email": "ada@example.com"}]}), encoding="utf-8")


@pytest.mark.parametrize("order", [["first", "second", "third"], ["third", "second", "first"]],
                         ids=["forward", "reversed"])
@pytest.mark.parametrize("way", list(WAYS_IN))
def test_rows_journal_warnings_and_clock_do_not_leak_between_tests(
        pytester: pytest.Pytester, mc_fixtures: None, way: str, order: list[str]) -> None:
    pytester.makepyfile(suite(order, [way]))
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=3)


def test_the_ways_in_interleaved_share_nothing(pytester: pytest.Pytester,
                                               mc_fixtures: None) -> None:
    pytester.makepyfile(suite(["one", "two"], list(WAYS_IN)))
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=6)


def test_a_suite_without_rollback_would_fail(pytester: pytest.Pytester, mc_fixtures: None,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: with rollback doing nothing, the second test sees the first."""
    from emulator.runtime import Emulator

    monkeypatch.setattr(Emulator, "rollback", lambda self: None)
    pytester.makepyfile(suite(["first", "second"], ["mcemu_client"]))
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=1, failed=1)


APPS = """
import json
import pathlib

import pytest

KEPT = []  # keeps every app alive, so that no two ids can be the same object's


def note(label, app):
    KEPT.append(app)
    with pathlib.Path("apps.jsonl").open("a") as out:
        out.write(json.dumps([label, id(app)]) + "\\n")


@pytest.mark.mcemu_fixtures("mc")
def test_a1(mcemu_app):
    note("a", mcemu_app)


def test_b1(mcemu_app):
    note("b", mcemu_app)


@pytest.mark.mcemu_fixtures("mc")
def test_a2(mcemu_app, mcemu_store):
    note("a", mcemu_app)
    mcemu_store.add_rows("Subscribers", [{"Email": "x@example.com"}])


@pytest.mark.mcemu_fixtures("mc", frozen_time="2030-01-01T00:00:00Z")
def test_c1(mcemu_app):
    note("c", mcemu_app)


def test_b2(mcemu_app):
    note("b", mcemu_app)


@pytest.mark.mcemu_fixtures("mc")
def test_a3(mcemu_app, mcemu_store):
    note("a", mcemu_app)
    assert mcemu_store.count("Subscribers") == 1


def test_mock_and_server_once_each(mcemu_mock, mcemu_server):
    note("mock", mcemu_mock.app)
    note("server", mcemu_server.app)


def test_mock_and_server_again(mcemu_mock, mcemu_server):
    note("mock", mcemu_mock.app)
    note("server", mcemu_server.app)
"""


def test_one_app_per_configuration_and_the_same_app_for_the_same_one(
        pytester: pytest.Pytester, mc_fixtures: None) -> None:
    pytester.makepyfile(APPS)
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=8)
    seen: dict[str, set[int]] = {}
    for line in (pytester.path / "apps.jsonl").read_text().splitlines():
        label, app = json.loads(line)
        seen.setdefault(label, set()).add(app)
    assert {label: len(ids) for label, ids in seen.items()} == {
        "a": 1, "b": 1, "c": 1, "mock": 1, "server": 1}
    assert len(set().union(*seen.values())) == 5  # five configurations, five apps


def test_a_test_that_breaks_its_app_does_not_break_the_next(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_closes_the_store(mcemu_store):
            mcemu_store.close()

        def test_gets_a_working_app(mcemu_client, mcemu_store):
            assert mcemu_client.post("/token", data=b"{}").status_code == 200
            assert mcemu_store.count("HTTPProperties") == 1
    """)
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=2, errors=1)  # the first test's teardown says what went wrong
    result.stdout.fnmatch_lines(["*StoreError: The Data Extension store is closed.*"])


XDIST = HEADER + """

@pytest.mark.parametrize("n", range(6))
def test_every_fixture(n, mcemu_app, mcemu_client, mcemu_store, mcemu_mock, mcemu_server):
    for emulator, send in [
        (get_emulator(mcemu_app), lambda p, b: mcemu_client.post(p, data=b).status_code),
        (mcemu_mock.emulator,
         lambda p, b: requests.post(mcemu_mock.url_for(p), data=b).status_code),
        (mcemu_server.emulator,
         lambda p, b: requests.post(mcemu_server.url + p, data=b, timeout=10).status_code),
    ]:
        NAME = n
""" + "\n".join("    " + line for line in CHECK_AND_CHANGE.splitlines()) + """
    with open(f"worker-{n}.json", "w") as out:
        json.dump([__import__("os").environ.get("PYTEST_XDIST_WORKER"), mcemu_server.port], out)
"""


@pytest.mark.slow
def test_every_fixture_under_xdist_with_two_workers(pytester: pytest.Pytester,
                                                     mc_fixtures: None) -> None:
    pytester.makepyfile(XDIST)
    result = pytester.runpytest_subprocess(*ARGS, "-n", "2", timeout=300)
    result.assert_outcomes(passed=6)
    ports: dict[str, set[int]] = {}
    for n in range(6):
        worker, port = json.loads((pytester.path / f"worker-{n}.json").read_text())
        ports.setdefault(worker, set()).add(port)
    assert sorted(ports) == ["gw0", "gw1"]  # both workers ran tests
    assert all(len(each) == 1 for each in ports.values())  # one server per worker, kept
    assert len(set().union(*ports.values())) == 2  # each on its own port


# --- the cache itself ----------------------------------------------------------------------------


class FakeEmulator:
    """What the cache calls on an app's state, noting the calls."""

    def __init__(self, log: list[str], name: str, fail_rollback: bool = False) -> None:
        self.log, self.name, self.fail_rollback = log, name, fail_rollback

    def checkpoint(self) -> None:
        self.log.append(f"checkpoint {self.name}")

    def rollback(self) -> None:
        self.log.append(f"rollback {self.name}")
        if self.fail_rollback:
            raise StoreError("The Data Extension store is closed.")


def builder(log: list[str], name: str, **options: Any) -> Callable[[], Entry[str]]:
    def build() -> Entry[str]:
        log.append(f"build {name}")
        return Entry(name, FakeEmulator(log, name, **options),  # type: ignore[arg-type]
                     lambda: log.append(f"close {name}"))
    return build


def test_the_cache_keeps_the_most_recent_configurations_and_closes_the_oldest() -> None:
    log: list[str] = []
    apps = SessionApps(keep=2)
    for name in ("a", "b", "a", "c"):  # c's arrival closes b, the least recently used
        assert apps.get(name, builder(log, name)).value == name
        apps.release(name)
    assert "close b" in log and "close a" not in log
    assert len(apps) == 2 and apps.built == 3
    log.clear()
    apps.get("a", builder(log, "a"))
    apps.release("a")
    assert log == ["rollback a"]  # still open: not built again
    apps.close()
    assert sorted(log[1:]) == ["close a", "close c"] and len(apps) == 0


def test_the_cache_never_closes_an_app_a_test_is_using() -> None:
    log: list[str] = []
    apps = SessionApps(keep=1)
    apps.get("a", builder(log, "a"))
    apps.get("b", builder(log, "b"))  # a is in use: the cache holds two for now
    assert "close a" not in log and len(apps) == 2
    apps.release("a")
    apps.release("b")
    apps.get("c", builder(log, "c"))
    assert "close a" in log and "close b" in log


def test_a_failed_rollback_closes_the_app_so_the_next_test_builds_a_new_one() -> None:
    log: list[str] = []
    apps = SessionApps()
    apps.get("a", builder(log, "a", fail_rollback=True))
    with pytest.raises(StoreError, match="closed"):
        apps.release("a")
    assert log[-1] == "close a" and len(apps) == 0
    apps.get("a", builder(log, "a"))
    assert log[-2:] == ["build a", "checkpoint a"]


def test_the_cache_refuses_to_keep_nothing() -> None:
    with pytest.raises(ValueError, match="keep must be at least 1, not 0"):
        SessionApps(keep=0)
    assert KEEP >= 3  # a test may use mcemu_app, mcemu_mock and mcemu_server at once


def test_closing_the_session_closes_every_app_even_when_one_fails() -> None:
    log: list[str] = []
    apps = SessionApps()

    def failing_close() -> None:
        log.append("close bad")
        raise OSError("port stuck")

    apps.get("bad", lambda: Entry("bad", FakeEmulator(log, "bad"),  # type: ignore[arg-type]
                                  failing_close))
    apps.get("good", builder(log, "good"))
    with pytest.raises(OSError, match="port stuck"):
        apps.close()
    assert "close good" in log and len(apps) == 0


def test_the_configuration_key_includes_the_kind_and_the_mcemu_variables(
        monkeypatch: pytest.MonkeyPatch) -> None:
    config: dict[str, Any] = {"fixtures": [str(Path("mc"))], "frozen_time": FROZEN}
    assert config_key("app", config) == config_key("app", dict(reversed(config.items())))
    assert config_key("app", config) != config_key("mock", config)
    before = config_key("app", config)
    monkeypatch.setenv("MCEMU_MAX_BODY", "100")  # create_app reads it: another app
    assert config_key("app", config) != before
