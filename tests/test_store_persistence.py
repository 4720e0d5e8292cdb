"""The --db file with its journal and lock: replay, folding, clean stop, refusal, reseeding."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
import tinydb
from click.testing import CliRunner

from emulator.cli import main
from emulator.config import load_settings
from emulator.errors import StoreError, StoreLocked
from emulator.fixtures.discovery import load_fixture_dirs
from emulator.runtime import open_store
from emulator.store.durability import WalFile
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

LOG = DataExtensionSchema.from_json({"key": "Log", "fields": [{"name": "Line"}]}, "test")
PEOPLE = DataExtensionSchema.from_json({"key": "People", "fields": [
    {"name": "Email", "primaryKey": True}, {"name": "Name"}]}, "test")


def journal_of(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def crash_copy(store: Store, path: Path, into: Path) -> Path:
    """Copy the file and its journal as a hard kill would leave them (buffer handed to the OS)."""
    store.flush()  # what the flusher does every interval
    into.mkdir()
    shutil.copy(path, into / path.name)
    if journal_of(path).exists():
        shutil.copy(journal_of(path), journal_of(into / path.name))
    return into / path.name


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "db.json"


def test_changes_go_to_the_journal_and_a_reload_replays_them(path: Path, tmp_path: Path) -> None:
    store = Store.open(path)
    store.create(PEOPLE, [{"Email": "a@x", "Name": "Ann"}])
    store.create(LOG)
    store.add_rows("Log", [{"Line": str(i)} for i in range(3)])
    store.update_rows("People", None, {"Name": "Anna"})
    store.upsert_rows("People", [{"Email": "b@x", "Name": "Bob"}])
    store.delete_rows("Log", {"Property": "Line", "SimpleOperator": "equals", "Value": "1"})
    store.drop("People")
    store.create(PEOPLE, [{"Email": "c@x", "Name": "Cy"}])
    expected = store.dump()
    assert "Log" not in json.loads(path.read_text())  # the snapshot was not rewritten
    copy = crash_copy(store, path, tmp_path / "crash")
    store.close()
    with Store.open(copy) as again:
        assert again.dump() == expected
        again.add_rows("Log", [{"Line": "after"}])  # document ids carry on
        assert [r["Line"] for r in again.rows("Log")] == ["0", "2", "after"]
    assert not journal_of(copy).exists()


def test_a_clean_close_folds_the_journal_in_for_plain_tinydb(path: Path) -> None:
    with Store.open(path) as store:
        store.create(LOG, [{"Line": "a"}])
        store.add_rows("Log", [{"Line": "b"}])
        assert journal_of(path).exists()
    assert not journal_of(path).exists()
    with tinydb.TinyDB(path) as db:
        assert [row["Line"] for row in db.table("Log").all()] == ["a", "b"]


def test_the_flusher_folds_a_grown_journal_into_a_snapshot(path: Path) -> None:
    store = Store(WalFile(path, fold_min_bytes=1, flush_interval=3600))
    store.create(LOG)
    store.add_rows("Log", [{"Line": "x" * 100}])
    store.flush()  # the flusher's round: it folds a journal above fold_min_bytes
    assert not journal_of(path).exists()
    assert len(json.loads(path.read_text())["Log"]) == 1
    store.add_rows("Log", [{"Line": "y"}])
    store.close()
    assert len(json.loads(path.read_text())["Log"]) == 2


def test_durable_writes_reach_the_journal_before_returning(path: Path) -> None:
    with Store.open(path, durable=True) as store:
        store.create(LOG)
        store.add_rows("Log", [{"Line": "kept"}])
        assert b'"kept"' in journal_of(path).read_bytes()


def test_a_torn_last_journal_line_is_dropped_and_logged(
        path: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store.open(path)
    store.create(LOG)
    store.add_rows("Log", [{"Line": "whole"}])
    copy = crash_copy(store, path, tmp_path / "crash")
    store.close()
    with open(journal_of(copy), "ab") as handle:
        handle.write(b'[["put","Log","2",{"Line":"ha')
    with caplog.at_level(logging.WARNING, logger="emulator.store"), Store.open(copy) as again:
        assert [r["Line"] for r in again.rows("Log")] == ["whole"]
    assert "incomplete" in caplog.text and str(journal_of(copy)) in caplog.text


def test_a_bad_journal_line_before_the_last_is_corruption(path: Path, tmp_path: Path) -> None:
    store = Store.open(path)
    store.create(LOG)
    store.add_rows("Log", [{"Line": "one"}])
    copy = crash_copy(store, path, tmp_path / "crash")
    store.close()
    journal = journal_of(copy)
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(lines[0] + b"garbage\n" + b"".join(lines[1:]))
    before = copy.read_bytes(), journal.read_bytes()
    with pytest.raises(StoreError) as caught:
        Store.open(copy)
    assert f"write-ahead log {journal}, line 2" in str(caught.value)
    assert (copy.read_bytes(), journal.read_bytes()) == before  # never overwritten
    journal.unlink()
    Store.open(copy).close()  # the refused open released the lock


def test_a_second_opener_is_refused_and_the_first_is_unharmed(path: Path) -> None:
    first = Store.open(path)
    first.create(LOG, [{"Line": "1"}])
    with pytest.raises(StoreLocked, match=f"{path} is in use by another process"):
        Store.open(path)
    first.add_rows("Log", [{"Line": "2"}])
    first.close()
    with Store.open(path) as again:
        assert [r["Line"] for r in again.rows("Log")] == ["1", "2"]


def test_serve_on_a_file_in_use_exits_2(path: Path) -> None:
    with Store.open(path) as holder:
        holder.create(LOG, [{"Line": "mine"}])
        result = CliRunner().invoke(main, ["serve", "--db", str(path), "--port", "0"])
        assert result.exit_code == 2
        assert "in use by another process" in result.output
        holder.add_rows("Log", [{"Line": "still mine"}])
    with Store.open(path) as again:
        assert again.count("Log") == 2


@pytest.mark.parametrize("reseed", [False, True])
def test_a_kept_file_keeps_its_rows_unless_reseeded(path: Path, reseed: bool) -> None:
    definitions = load_fixture_dirs([], include_default=True)
    settings = load_settings({"db": str(path)}, environ={})
    store = open_store(settings, definitions)
    key = definitions[0].schema.key
    fixture_rows = store.count(key)
    store.replace_rows(key, [])
    store.close()
    again = open_store(load_settings({"db": str(path), "reseed": reseed}, environ={}),
                       definitions)
    assert again.count(key) == (fixture_rows if reseed else 0)
    again.close()


@pytest.mark.parametrize("text", ["0", "-1", "soon", "inf"])
def test_a_bad_flush_interval_is_refused(text: str) -> None:
    from emulator.errors import ConfigError

    with pytest.raises(ConfigError, match="flush_interval"):
        load_settings({"flush_interval": text}, environ={})


def test_settings_read_the_durability_variables() -> None:
    settings = load_settings(environ={"MCEMU_FLUSH_INTERVAL": "0.25", "MCEMU_DURABLE": "1",
                                      "MCEMU_RESEED": "yes"})
    assert (settings.flush_interval, settings.durable, settings.reseed) == (0.25, True, True)


def test_a_change_reaches_the_journal_when_the_call_returns(path: Path, tmp_path: Path) -> None:
    # Handed to the OS at once (not buffered until the flusher's round): a killed process loses
    # nothing it acknowledged, and a full disk fails the call that made the change.
    store = Store.open(path, flush_interval=3600)
    store.create(LOG)
    store.add_rows("Log", [{"Line": "returned"}])
    into = tmp_path / "killed"
    into.mkdir()
    shutil.copy(path, into / path.name)
    shutil.copy(journal_of(path), journal_of(into / path.name))  # no flush() first
    store.close()
    with Store.open(into / path.name) as again:
        assert [row["Line"] for row in again.rows("Log")] == ["returned"]
