"""``mcemu reset``: a --db file offline (fixtures by default) or a running emulator (--url)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from conftest import write_de

from emulator.cli import main
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store
from emulator.testing.live import LiveServer

EXTRA = DataExtensionSchema.from_json({"key": "Extra", "fields": [{"name": "A"}]}, "test")
USERS = DataExtensionSchema.from_json({"key": "Users", "fields": [
    {"name": "Id", "primaryKey": True}]}, "test")


def changed_db(path: Path) -> Path:
    """A --db file with the default fixtures, changed: a row more, a DE more, a row gone."""
    from emulator.fixtures.discovery import load_fixture_dirs

    with Store.open(path) as store:
        store.replace_all(load_fixture_dirs([]))
        store.add_rows("HTTPProperties", [{"Method": "GET"}])
        store.delete_rows("AppCredentials", None)
        store.create(EXTRA, [{"A": "x"}])
    return path


def counts(path: Path) -> dict[str, int]:
    with Store.open(path) as store:
        return {key: store.count(key) for key in store.keys()}


def test_reset_goes_back_to_the_fixture_state(tmp_path: Path) -> None:
    path = changed_db(tmp_path / "db.json")
    result = CliRunner().invoke(main, ["reset", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "Reset to fixtures: AppCredentials (1), CustomAppException (0), HTTPProperties (0)" \
        in result.output
    assert counts(path) == {"AppCredentials": 1, "CustomAppException": 0, "HTTPProperties": 0}


def test_reset_empty_keeps_every_schema(tmp_path: Path) -> None:
    path = changed_db(tmp_path / "db.json")
    result = CliRunner().invoke(main, ["reset", "--db", str(path), "--empty"])
    assert result.exit_code == 0
    assert counts(path) == {"AppCredentials": 0, "CustomAppException": 0, "HTTPProperties": 0,
                            "Extra": 0}


def test_reset_to_given_fixtures_only(tmp_path: Path) -> None:
    path = changed_db(tmp_path / "db.json")
    write_de(tmp_path / "mine", "Users", [{"name": "Id", "primaryKey": True}], [{"Id": "u1"}])
    result = CliRunner().invoke(main, ["reset", "--db", str(path), "--fixtures",
                                       str(tmp_path / "mine"), "--no-default-fixtures"])
    assert result.exit_code == 0, result.output
    assert counts(path) == {"Users": 1}


def test_bad_fixtures_exit_1_and_leave_the_db_as_it_was(tmp_path: Path) -> None:
    path = changed_db(tmp_path / "db.json")
    before = path.read_bytes()
    bad = tmp_path / "bad" / "data_extensions"
    bad.mkdir(parents=True)
    (bad / "Broken.json").write_text(json.dumps({"key": "Broken", "fields": []}),
                                     encoding="utf-8")
    result = CliRunner().invoke(main, ["reset", "--db", str(path), "--fixtures",
                                       str(tmp_path / "bad")])
    assert result.exit_code == 1 and "Broken.json" in result.output
    assert path.read_bytes() == before


def test_reset_reads_mcemu_variables(tmp_path: Path) -> None:
    path = changed_db(tmp_path / "db.json")
    result = CliRunner().invoke(main, ["reset"], env={"MCEMU_DB": str(path), "MCEMU_EMPTY": "1"})
    assert result.exit_code == 0 and "Reset to empty" in result.output


def test_fixtures_with_url_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["reset", "--url", "http://127.0.0.1:1",
                                       "--fixtures", str(tmp_path)])
    assert result.exit_code == 2 and "--fixtures applies to --db only" in result.output


def test_neither_db_nor_url_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["reset"])
    assert result.exit_code == 2 and "give --db FILE" in result.output


def test_to_empty_is_what_empty_says(tmp_path: Path) -> None:
    path = changed_db(tmp_path / "db.json")
    result = CliRunner().invoke(main, ["reset", "--db", str(path), "--to", "empty"])
    assert result.exit_code == 0 and "Reset to empty" in result.output
    assert counts(path) == {"AppCredentials": 0, "CustomAppException": 0, "HTTPProperties": 0,
                            "Extra": 0}


def test_offline_to_start_is_a_usage_error_and_changes_nothing(tmp_path: Path) -> None:
    path = changed_db(tmp_path / "db.json")
    before = counts(path)
    result = CliRunner().invoke(main, ["reset", "--db", str(path), "--to", "start"])
    assert result.exit_code == 2
    assert "--to start needs --url" in result.output and "--to fixtures" in result.output
    assert counts(path) == before


@pytest.mark.parametrize(("args", "message"), [
    (["--to", "nowhere"], "'nowhere' is not one of 'start', 'fixtures', 'empty'"),
    (["--to", "fixtures", "--empty"], "--empty is --to empty"),
    (["--clear-journal"], "--clear-journal applies to --url only"),
])
def test_bad_reset_options_are_usage_errors(tmp_path: Path, args: list[str],
                                            message: str) -> None:
    path = changed_db(tmp_path / "db.json")
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["reset", "--db", str(path), *args])
    assert result.exit_code == 2 and message in result.output
    assert path.read_bytes() == before


def test_the_help_says_what_each_target_and_the_offline_default_are() -> None:
    text = " ".join(CliRunner().invoke(main, ["reset", "--help"]).output.split())
    assert "[start|fixtures|empty]" in text
    assert "With --db (no emulator serving the file) the default is --to fixtures" in text
    assert "--to start is a usage error there" in text


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    """An emulator serving a --db file seeded with a Users DE, as in a CI pipeline."""
    path = tmp_path / "served.json"
    with Store.open(path) as store:
        from emulator.fixtures.discovery import load_fixture_dirs

        store.replace_all(load_fixture_dirs([]))
        store.create(USERS, [{"Id": "u1"}, {"Id": "u2"}])
    with LiveServer({"db": str(path)}) as server:
        yield server


def test_a_running_emulator_resets_to_its_start_by_default(live: LiveServer) -> None:
    live.store.add_rows("Users", [{"Id": "u3"}])
    live.store.create(EXTRA, [{"A": "x"}])
    live.emulator.journal.clear()
    requests.get(f"{live.url}/token", timeout=10)
    result = CliRunner().invoke(main, ["reset", "--url", live.url])
    assert result.exit_code == 0, result.output
    assert result.output == ("Reset to start: AppCredentials (1), CustomAppException (0), "
                             "HTTPProperties (0), Users (2)\n")
    assert len(live.emulator.journal) == 1
    result = CliRunner().invoke(main, ["reset", "--url", live.url, "--to", "fixtures",
                                       "--clear-journal"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("HTTPProperties (0); the request journal was cleared\n")
    assert not live.store.has("Users") and len(live.emulator.journal) == 0


def test_a_running_emulator_resets_to_empty_with_the_alias(live: LiveServer) -> None:
    result = CliRunner().invoke(main, ["reset", "--url", live.url],
                                env={"MCEMU_EMPTY": "1"})
    assert result.exit_code == 0 and result.output.startswith("Reset to empty")
    assert live.store.has("Users") and live.store.count("Users") == 0
