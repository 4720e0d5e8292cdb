"""``mcemu export``: a fixtures directory that seeds back to the same store, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from emulator.cli import main
from emulator.fixtures.discovery import load_data_extension_folder
from emulator.fixtures.export import file_stem
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

ORDERS = {"key": "Orders", "name": "Orders list", "fields": [
    {"name": "Id", "type": "Number", "primaryKey": True},
    {"name": "Total", "type": "Decimal", "precision": 10, "scale": 2, "defaultValue": "0"},
    {"name": "Note", "length": 200},
], "retention": {"maxAgeDays": 30}}
ROWS = [{"Id": "1", "Total": "9.50", "Note": 'Zoë says "hi",\nthen leaves'},
        {"Id": "2", "Total": "0", "Note": None}]


def run(*args: str) -> object:
    result = CliRunner().invoke(main, list(args))
    return result


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.json"
    with Store.open(path) as store:
        store.create(DataExtensionSchema.from_json(ORDERS, "test"), ROWS)
        weird = {"key": "Odd/Key: ä", "fields": [{"name": "A"}]}
        store.create(DataExtensionSchema.from_json(weird, "test"), [{"A": "x"}])
    return path


@pytest.mark.parametrize("format_", ["json", "csv"])
def test_an_export_seeds_back_to_the_same_store_and_exports_the_same_bytes(
        tmp_path: Path, db: Path, format_: str) -> None:
    first = tmp_path / "first"
    result = run("export", "--db", str(db), "--format", format_, "--out", str(first))
    assert result.exit_code == 0, result.output
    assert "Exported 2 Data Extension(s), 3 row(s)" in result.output
    copy = tmp_path / "copy.json"
    assert run("seed", str(first), "--db", str(copy)).exit_code == 0
    with Store.open(db) as original, Store.open(copy) as seeded:
        assert seeded.dump() == original.dump()
    second = tmp_path / "second"
    assert run("export", "--db", str(copy), "--format", format_, "--out",
               str(second)).exit_code == 0
    for path in sorted((first / "data_extensions").iterdir()):
        assert (second / "data_extensions" / path.name).read_bytes() == path.read_bytes()
    assert len(list((second / "data_extensions").iterdir())) == (2 if format_ == "json" else 4)


def test_replace_mode_seeds_an_export_back_over_changes(tmp_path: Path, db: Path) -> None:
    out = tmp_path / "out"
    assert run("export", "--db", str(db), "--out", str(out)).exit_code == 0
    with Store.open(db) as store:
        original = store.dump()
        store.add_rows("Orders", [{"Id": "3"}])
    assert run("seed", str(out), "--db", str(db), "--mode", "replace").exit_code == 0
    with Store.open(db) as store:
        assert store.dump() == original


def test_the_json_format_is_readable_and_deterministic(tmp_path: Path, db: Path) -> None:
    out = tmp_path / "out"
    assert run("export", "Orders", "--db", str(db), "--out", str(out)).exit_code == 0
    text = (out / "data_extensions" / "Orders.json").read_text(encoding="utf-8")
    assert text.endswith("]\n}\n")
    # typed JSON values: a Number as a number, a Decimal as its canonical text (scale 2)
    assert '    {"Id": 1, "Total": "9.50", "Note": "Zoë says \\"hi\\",\\nthen leaves"},' in text
    assert '    {"Id": 2, "Total": "0.00", "Note": null}' in text
    assert json.loads(text)["retention"] == {"maxAgeDays": 30}
    assert list(json.loads(text)) == ["key", "name", "fields", "retention", "rows"]


def test_csv_rows_sit_beside_the_schema(tmp_path: Path, db: Path) -> None:
    out = tmp_path / "out"
    assert run("export", "Orders", "--db", str(db), "--format", "csv",
               "--out", str(out)).exit_code == 0
    folder = out / "data_extensions"
    assert "rows" not in json.loads((folder / "Orders.json").read_text(encoding="utf-8"))
    assert (folder / "Orders.csv").read_text(encoding="utf-8") == (
        'Id,Total,Note\n1,9.50,"Zoë says ""hi"",\nthen leaves"\n2,0.00,\n')


def test_an_empty_string_in_csv_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    with Store.open(path) as store:
        store.create(DataExtensionSchema.from_json({"key": "T", "fields": [{"name": "A"}]}, "t"),
                     [{"A": ""}])
    result = CliRunner().invoke(main, ["export", "--db", str(path), "--format", "csv",
                                       "--out", str(tmp_path / "o")])
    assert result.exit_code == 0
    assert "1 empty value(s) were written as empty cells" in result.output


def test_odd_keys_get_safe_file_names_and_the_key_wins(tmp_path: Path, db: Path) -> None:
    assert file_stem("Orders") == "Orders"
    assert file_stem("Odd/Key: ä") == "Odd%2FKey%3A %C3%A4"
    out = tmp_path / "out"
    assert run("export", "--db", str(db), "--out", str(out)).exit_code == 0
    keys = [d.schema.key for d in load_data_extension_folder(out / "data_extensions")]
    assert sorted(keys) == ["Odd/Key: ä", "Orders"]


def test_unknown_names_exit_1_listing_the_data_extensions(tmp_path: Path, db: Path) -> None:
    result = run("export", "Orders", "Nope", "--db", str(db), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "no Data Extension 'Nope'; the store has: Orders, Odd/Key: ä" in result.output
    assert not (tmp_path / "o").exists()


def test_exporting_reads_the_db_without_writing_it(tmp_path: Path, db: Path) -> None:
    before = db.stat().st_mtime_ns, db.read_bytes()
    assert run("export", "--db", str(db), "--out", str(tmp_path / "o")).exit_code == 0
    assert (db.stat().st_mtime_ns, db.read_bytes()) == before


def test_a_missing_db_is_a_usage_error(tmp_path: Path) -> None:
    result = run("export", "--db", str(tmp_path / "none.json"))
    assert result.exit_code == 2 and "no such database file" in result.output


def test_json_export_removes_a_stale_csv_beside(tmp_path: Path, db: Path) -> None:
    out = tmp_path / "out"
    assert run("export", "--db", str(db), "--format", "csv", "--out", str(out)).exit_code == 0
    assert run("export", "--db", str(db), "--out", str(out)).exit_code == 0
    assert not (out / "data_extensions" / "Orders.csv").exists()
    assert run("seed", str(out), "--db", str(tmp_path / "again.json")).exit_code == 0
