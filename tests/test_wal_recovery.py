"""The --db file always reopens: torn log tails are cut, damage is refused with its position.

Covers the write-ahead log's recovery (kill -9 at any point, then restart), the refusals of a
damaged snapshot or log (file, line, column; never a traceback) and the one-writer lock under
every name of the file (symlinks share the lock, hard links are refused).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from emulator.cli import main
from emulator.errors import StoreError, StoreLocked
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

LOG = DataExtensionSchema.from_json({"key": "Log", "fields": [{"name": "N"}]}, "test")
TORN = b'[["put","Log","77",{"N":"to'  # a line cut short by a kill mid-write


def journal_of(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "db.json"


def numbers(store: Store) -> list[str]:
    return [row["N"] for row in store.rows("Log")] if store.has("Log") else []


# --- A torn tail -------------------------------------------------------------------------------


def test_a_torn_only_line_is_cut_before_anything_is_appended(
        path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with Store.open(path) as store:
        store.create(LOG, [{"N": "0"}])
    journal_of(path).write_bytes(TORN)  # killed while writing the first line after a fold
    with caplog.at_level(logging.WARNING, logger="emulator.store"):
        store = Store.open(path)
    assert journal_of(path).read_bytes() == b""  # cut before the store appends anything
    assert f"cut off its {len(TORN)} bytes" in caplog.text and str(journal_of(path)) in caplog.text
    store.add_rows("Log", [{"N": "1"}])
    store.flush()
    # a second kill -9 now: copy the file and its log as the kill leaves them
    crash = tmp_path / "crash"
    crash.mkdir()
    shutil.copy(path, crash / path.name)
    shutil.copy(journal_of(path), journal_of(crash / path.name))
    store.close()
    with Store.open(crash / path.name) as again:
        assert numbers(again) == ["0", "1"]


def test_a_torn_tail_after_whole_lines_keeps_the_whole_lines(path: Path) -> None:
    store = Store.open(path)
    store.create(LOG, [{"N": "0"}])
    store.add_rows("Log", [{"N": "1"}])
    store.flush()
    journal = journal_of(path).read_bytes()
    snapshot = path.read_bytes()
    store.close()
    path.write_bytes(snapshot)
    journal_of(path).write_bytes(journal + TORN)
    with Store.open(path) as again:
        assert numbers(again) == ["0", "1"]
        again.add_rows("Log", [{"N": "2"}])
    with Store.open(path) as again:
        assert numbers(again) == ["0", "1", "2"]


# The writer a test kills: it opens the store, prints its rows, then obeys stdin line by line
# ("add N", "flush") and answers "ok" to each, so the test knows what was flushed before a kill.
WRITER = """
import json, sys
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

path, durable = sys.argv[1], sys.argv[2] == "durable"
store = Store.open(path, flush_interval=3600, durable=durable)
if not store.has("Log"):
    store.create(DataExtensionSchema.from_json({"key": "Log", "fields": [{"name": "N"}]}, "t"))
print(json.dumps([row["N"] for row in store.rows("Log")]), flush=True)
for line in sys.stdin:
    command, _, value = line.strip().partition(" ")
    if command == "add":
        store.add_rows("Log", [{"N": value}])
    else:
        store.flush()
    print("ok", flush=True)
"""


class Writer:
    """A writer process: started, told what to do, then killed with SIGKILL."""

    def __init__(self, path: Path, mode: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), mode],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        if not first:
            self.kill()
            pytest.fail(f"the writer did not start on {path} (its error is above)")
        self.rows: list[str] = json.loads(first)

    def do(self, *commands: str) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        for command in commands:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
            assert self.process.stdout.readline() == "ok\n"

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.communicate(timeout=30)  # reaps it; closes the pipes


@pytest.fixture
def writers() -> Iterator[list[Writer]]:
    """Writers a test starts; any still running when it ends (a failed assertion) is killed."""
    started: list[Writer] = []
    yield started
    for writer in started:
        writer.kill()


@pytest.mark.parametrize("mode", ["buffered", "durable"])
def test_any_sequence_of_kills_and_restarts_keeps_every_flushed_row(
        path: Path, mode: str, writers: list[Writer]) -> None:
    durable = mode == "durable"
    kept: list[str] = []  # every row flushed (or, durable, acknowledged) so far

    def restart() -> Writer:
        writer = Writer(path, mode)
        writers.append(writer)
        assert writer.rows[:len(kept)] == kept  # starts, with every flushed row, in order
        assert set(writer.rows) <= {str(n) for n in range(20)}  # nothing torn or invented
        return writer

    writer = restart()  # a new file: killed with flushed and unflushed changes
    writer.do("add 0", "add 1", "flush", "add 2")
    kept += ["0", "1"] + (["2"] if durable else [])
    writer.kill()
    with open(journal_of(path), "ab") as handle:
        handle.write(TORN)  # and a kill in the middle of a line

    writer = restart()  # replays, cuts, folds; killed before it writes
    kept = writer.rows
    writer.kill()
    journal_of(path).write_bytes(TORN)  # the log's only line is torn

    writer = restart()  # the case that once appended onto the torn line
    writer.do("add 3", "flush", "add 4", "flush")
    kept += ["3", "4"]
    writer.kill()

    writer = restart()
    writer.do("add 5", "flush")
    kept += ["5"]
    with open(journal_of(path), "ab") as handle:
        handle.write(TORN)  # torn behind the running writer's back, then killed
    writer.kill()

    writer = restart()
    writer.kill()
    with Store.open(path) as store:
        assert numbers(store)[:len(kept)] == kept
        assert "77" not in numbers(store)


# --- Damage refused with its position ----------------------------------------------------------


def wal_with(path: Path, *lines: bytes) -> tuple[bytes, bytes]:
    """Leave a snapshot with table Log and a log of one good line then ``lines``."""
    store = Store.open(path)
    store.create(LOG)
    snapshot = path.read_bytes()
    store.add_rows("Log", [{"N": "0"}])
    store.flush()
    journal = journal_of(path).read_bytes()
    store.close()
    path.write_bytes(snapshot)
    journal_of(path).write_bytes(journal + b"".join(lines))
    return path.read_bytes(), journal_of(path).read_bytes()


DEEP = b"[" * 50_000 + b"]" * 50_000
HUGE = b"1" * 5000


@pytest.mark.parametrize(("line", "position"), [
    (b'{"put": 1}\n', "line 3, column 1: not a list"),
    (b'garbage\n', "line 3, column 1: Expecting value"),
    (b'[["put","Log","2"]]\n', "line 3, operation 1: 'put' takes 3 arguments, not 2"),
    (b'[["zap","Log"]]\n', "line 3, operation 1: not one of put, del, clear, drop"),
    (b'[["clear","Log"],["put","Log","x",{}]]\n', "line 3, operation 2: the document id 'x'"),
    (b'[["put","Log","02",{}]]\n', "line 3, operation 1: the document id '02'"),
    (b'[["put","Log","2",[]]]\n', "line 3, operation 1: the row is not an object"),
    (b'[["put","Log","2",{"N":' + HUGE + b'}]]\n',
     "line 3, column 24: an integer of 5000 digits"),
    (b'[["put","Log","2",' + DEEP + b']]\n', "line 3, column 517: the data is nested more"),
    (b'[["put","Log","2",{"N":"a","N":"b"}]]\n', "line 3, column 28: the key 'N' appears twice"),
    (b'[["put","Log","2",{"N":"\xff"}]]\n', "line 3, byte 25: not UTF-8"),
])
def test_a_complete_bad_log_line_is_refused_with_its_position(
        path: Path, line: bytes, position: str) -> None:
    before = wal_with(path, line, b'[["del","Log","1"]]\n')
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    message = str(caught.value)
    assert f"write-ahead log {journal_of(path)}, {position}" in message
    assert "repair that line, or move the log away" in message
    assert (path.read_bytes(), journal_of(path).read_bytes()) == before  # nothing changed
    Store.open(path.with_name("other.json")).close()  # and nothing is left locked
    with pytest.raises(StoreError):
        Store.open(path)  # the refusal holds on every start, not only the first


def test_a_bad_complete_last_line_is_refused_not_dropped(path: Path) -> None:
    before = wal_with(path, b'[["put","Log","2",{"N":"1"}]\n')  # one bracket short, newline
    with pytest.raises(StoreError, match=r"line 3, column 29: Expecting"):
        Store.open(path)
    assert (path.read_bytes(), journal_of(path).read_bytes()) == before


SCHEMA = b'"_schemas": {"1": {"key": "Log", "fields": [{"name": "N"}]}}'


@pytest.mark.parametrize(("content", "problem"), [
    (b'{' + SCHEMA + b', "Log": {},\n "Log": {"1": {"N": "x"}}}',
     "line 2, column 2: the table 'Log' is written twice"),
    (b'{' + SCHEMA + b', "Log": {"1": {"N": "a"}, "1": {"N": "b"}}}',
     "line 1, column 89: table 'Log' holds document 1 twice"),
    (b'{' + SCHEMA + b', "Log": {"1": {"N": "a", "N": "b"}}}',
     "line 1, column 88: document 1 of table 'Log' has the field 'N' twice"),
    (b'{' + SCHEMA + b',\n"Log": {"1": {"N": ' + HUGE + b'}}}',
     "line 2, column 20: an integer of 5000 digits, more than the 4300 Python reads"),
    (b'{"Log":\n' + DEEP + b'}', "line 2, column 500: the data is nested more than 500"),
    (b'{' + SCHEMA + b', "Log": {"01": {"N": "a"}}}', "document id '01', not an integer"),
    (b'{' + SCHEMA + b', "Log": {"' + b"9" * 30 + b'": {"N": "a"}}}', "at most 19"),
    (b'{' + SCHEMA + b',\n "Log": {"1": {"N": "\xe9"}}}', "line 2, byte 22: not UTF-8"),
    (b'{' + SCHEMA + b', "_meta": {"1": {"x": ' + b"[" * 40 + b"]" * 40 + b'}}}',
     "table '_meta' nests values more than 32 levels deep"),
])
def test_a_damaged_snapshot_is_refused_with_its_position(
        path: Path, content: bytes, problem: str) -> None:
    path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert str(path) in str(caught.value) and problem in str(caught.value)
    assert path.read_bytes() == content


def test_serve_on_a_damaged_file_exits_1_with_the_position(path: Path) -> None:
    path.write_bytes(b'{"Log":\n' + DEEP + b"}")
    result = CliRunner().invoke(main, ["serve", "--db", str(path), "--port", "0"])
    assert result.exit_code == 1, result.output
    assert f"Database file {path} is not a TinyDB JSON document (line 2, column 500" in \
        result.output
    assert "repair it, or move it away" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, RecursionError)


# --- One writer under every name ---------------------------------------------------------------


def test_a_symlink_to_a_file_in_use_is_refused(path: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(path)
    with Store.open(path) as first:
        first.create(LOG, [{"N": "0"}])
        with pytest.raises(StoreLocked, match=f"{link} .the file {path}. is in use"):
            Store.open(link)
        first.add_rows("Log", [{"N": "1"}])
    with Store.open(link) as through_link:  # alone, the link serves the file it points to
        through_link.add_rows("Log", [{"N": "2"}])
    assert link.is_symlink()  # a save replaced the file, not the link
    with Store.open(path) as again:
        assert numbers(again) == ["0", "1", "2"]


def test_a_hard_link_to_a_file_in_use_is_refused(path: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    first = Store.open(path)
    first.create(LOG, [{"N": "0"}])
    os.link(path, other)
    with pytest.raises(StoreLocked, match=f"{other} has 2 names .hard links."):
        Store.open(other)
    result = CliRunner().invoke(main, ["serve", "--db", str(other), "--port", "0"])
    assert result.exit_code == 2 and "remove the other links" in result.output
    first.add_rows("Log", [{"N": "1"}])
    first.close()
    other.unlink()  # one name again: the file opens, as the first store left it
    with Store.open(path) as again:
        assert numbers(again) == ["0", "1"]
