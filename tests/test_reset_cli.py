"""``mcemu reset --db``: back to the fixture state, or every DE emptied (the one reset rule)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import write_de

from emulator.cli import main
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

EXTRA = DataExtensionSchema.from_json({"key": "Extra", "fields": [{"name": "A"}]}, "test")


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
