"""``mcemu export``: a fixtures directory that seeds back to the same store, byte for byte."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from emulator.cli import main
from emulator.fixtures.discovery import load_data_extension_folder
from emulator.fixtures.export import file_stem, file_stems
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


# --- hostile keys: safe file names, exact round trips, never a partial export ------------------

HOSTILE_KEYS = ["Ünïcødé-" + "ß" * 192, "a/b", "CON", "nul.txt", ".hidden", "Users", "users",
                "end.", 'a\\b:c*?"<>|', "\x00nul", "x" * 300]
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)),
                   *(f"LPT{n}" for n in range(10))}


def hostile_db(path: Path, keys: list[str]) -> dict[str, object]:
    with Store.open(path) as store:
        for key in keys:
            schema = DataExtensionSchema.from_json({"key": key, "fields": [{"name": "A"}]}, "t")
            store.create(schema, [{"A": f"row of {key}"}])
        return store.dump()


def assert_portable(names: list[str]) -> None:
    """Every name fits every common file system, and no two differ only by case."""
    for name in names:
        assert name.isascii() and name.isprintable(), name
        assert len(name.encode()) <= 105, name  # a 100-character stem and .json
        assert not name.startswith((".", " ")) and "/" not in name and "\\" not in name, name
        assert not any(c in name for c in ':*?"<>|'), name
        assert name.split(".")[0].upper() not in WINDOWS_DEVICES, name
    assert len({name.casefold() for name in names}) == len(names)


@pytest.mark.parametrize("format_", ["json", "csv"])
def test_hostile_keys_get_portable_names_and_seed_back_exactly(tmp_path: Path,
                                                               format_: str) -> None:
    db = tmp_path / "db.json"
    original = hostile_db(db, HOSTILE_KEYS)
    out = tmp_path / "out"
    result = run("export", "--db", str(db), "--format", format_, "--out", str(out))
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in (out / "data_extensions").iterdir())
    assert len(names) == len(HOSTILE_KEYS) * (1 if format_ == "json" else 2)
    assert_portable(names)
    with Store.open(db) as store:
        store.replace_rows("Users", [])
        store.drop("a/b")
    result = run("seed", str(out), "--db", str(db), "--mode", "replace")
    assert result.exit_code == 0, result.output
    with Store.open(db) as store:
        assert store.dump() == original


def test_a_short_odd_key_is_percent_encoded_so_its_name_gives_it_back() -> None:
    for key in ["a/b", "CON", "nul.txt", ".hidden", "end.", " lead", 'a\\b:c*?"<>|', "\x00",
                "Zoë"]:
        stem = file_stem(key)
        assert unquote(stem) == key
        assert_portable([f"{stem}.json"])
    assert file_stem("CON") == "%43ON" and file_stem(".hidden") == "%2Ehidden"


def test_a_long_key_is_cut_and_ends_in_a_hash_of_the_key() -> None:
    long_key = "ä" * 200
    stem = file_stem(long_key)
    assert len(stem) <= 100 and stem.startswith("%C3%A4") and re.search(r"\+[0-9a-f]{12}$", stem)
    assert file_stem("ä" * 199 + "b") != stem  # the same first 100 characters, another hash
    assert "%" not in stem[-14:-13]  # never half an escape before the hash


def test_keys_that_differ_only_by_case_all_get_hashed_names() -> None:
    stems = file_stems(["Users", "users", "Orders"])
    assert stems["Orders"] == "Orders"
    assert stems["Users"].startswith("Users+") and stems["users"].startswith("users+")
    assert stems["Users"].casefold() != stems["users"].casefold()


def test_re_exporting_replaces_a_file_that_held_the_key_under_another_name(
        tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    hostile_db(db, ["Users", "Other"])
    out = tmp_path / "out"
    folder = out / "data_extensions"
    folder.mkdir(parents=True)
    # an older export's name for Users, and a hand-written DE the export does not touch
    (folder / "Users-old.json").write_text('{"key": "Users", "fields": [{"name": "A"}]}')
    (folder / "Kept.json").write_text('{"key": "Kept", "fields": [{"name": "A"}]}')
    assert run("export", "--db", str(db), "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["Kept.json", "Other.json", "Users.json"]
    result = run("seed", str(out), "--db", str(tmp_path / "again.json"))
    assert result.exit_code == 0, result.output


def test_a_file_whose_name_differs_only_by_case_is_refused_before_anything_moves(
        tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    hostile_db(db, ["Users"])
    folder = tmp_path / "out" / "data_extensions"
    folder.mkdir(parents=True)
    other = folder / "users.json"
    other.write_text('{"key": "users", "fields": [{"name": "A"}]}')
    result = run("export", "--db", str(db), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "differs only by case from Users.json" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["data_extensions"]
    assert [p.name for p in folder.iterdir()] == ["users.json"]


def lone_surrogate_db(path: Path) -> None:
    """A store holding text no UTF-8 file can: a lone surrogate kept from before it was refused."""
    with Store.open(path) as store:
        store.create(DataExtensionSchema.from_json({"key": "Fine", "fields": [{"name": "A"}]},
                                                   "t"), [{"A": "new"}])
        store.create(DataExtensionSchema.from_json({"key": "Bad", "fields": [{"name": "A"}]},
                                                   "t"), [{"A": "x\ud800"}])


def test_a_failure_mid_export_leaves_the_previous_export_untouched(tmp_path: Path,
                                                                   db: Path) -> None:
    out = tmp_path / "out"
    assert run("export", "--db", str(db), "--out", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in (out / "data_extensions").iterdir()}
    broken = tmp_path / "broken.json"
    lone_surrogate_db(broken)
    result = run("export", "--db", str(broken), "--out", str(out))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Data Extension 'Bad' holds text that is not Unicode ('\\ud800')" in result.output
    assert {p.name: p.read_bytes() for p in (out / "data_extensions").iterdir()} == before
    assert sorted(p.name for p in out.iterdir()) == ["data_extensions"]  # no staging folder


def test_a_failed_export_into_a_new_folder_leaves_no_folder(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    lone_surrogate_db(broken)
    out = tmp_path / "new" / "out"
    result = run("export", "--db", str(broken), "--out", str(out))
    assert result.exit_code == 1 and "holds text that is not Unicode" in result.output
    assert not (tmp_path / "new").exists()


def test_an_unusable_out_is_an_error_not_a_traceback(tmp_path: Path, db: Path) -> None:
    out = db / "sub"  # under a file
    result = run("export", "--db", str(db), "--out", str(out))
    assert result.exit_code == 1 and not isinstance(result.exception, OSError)
    assert f"cannot write the export to {out}: Not a directory; nothing was changed there" \
        in result.output


def test_an_export_from_a_running_server_keeps_units_and_events_not_package_secrets(
        tmp_path: Path) -> None:
    from emulator.testing import LiveServer

    fixtures = tmp_path / "fixtures"
    (fixtures / "events").mkdir(parents=True)
    (fixtures / "data_extensions").mkdir()
    (fixtures / "data_extensions" / "Orders.json").write_text(json.dumps(ORDERS),
                                                             encoding="utf-8")
    (fixtures / "business_units.json").write_text(json.dumps(
        [{"mid": 100, "name": "Enterprise", "parent": None},
         {"mid": 200, "name": "Brand", "parent": 100, "default": True}]), encoding="utf-8")
    sent = [{"SubscriberKey": "ann", "EventDate": "2025-01-02T03:04:05"}]
    (fixtures / "events" / "SentEvent.json").write_text(json.dumps(sent), encoding="utf-8")
    with LiveServer({"fixtures": (str(fixtures),)}) as server:
        state = server.app.test_client().get("/_emulator/state").get_json()
        assert [u["mid"] for u in state["businessUnits"]] == [100, 200]
        assert [e["SubscriberKey"] for e in state["events"]] == ["ann"]
        assert "packages" not in state  # secrets stay masked on the admin API
        out = tmp_path / "out"
        result = run("export", "--url", server.url, "--out", str(out))
    assert result.exit_code == 0, result.output
    exported = json.loads((out / "business_units.json").read_text(encoding="utf-8"))
    assert [u["mid"] for u in exported] == [100, 200]
    assert (out / "events" / "SentEvent.json").is_file()
