"""``mcemu seed`` into a --db file: modes, all or nothing, every problem with its position."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tinydb import TinyDB

from emulator.cli import main

USERS = [
    {"name": "Id", "type": "Text", "length": 10, "primaryKey": True},
    {"name": "Name", "type": "Text", "length": 20, "nullable": False},
    {"name": "Age", "type": "Number"},
]
LOG = [{"name": "Message", "length": 50}, {"name": "Level", "length": 10}]


def de_file(folder: Path, key: str, fields: list[dict[str, Any]], rows: Any = None,
            name: str | None = None, text: str | None = None) -> Path:
    """Write ``folder/<name or key>.json``; ``text`` replaces the generated JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or key}.json"
    doc: dict[str, Any] = {"key": key, "fields": fields}
    if rows is not None:
        doc["rows"] = rows
    path.write_text(text if text is not None else json.dumps(doc, indent=2), encoding="utf-8")
    return path


def position(path: Path, needle: str, occurrence: int = 1) -> str:
    """Return ``line L, column C`` of the ``occurrence``-th ``needle`` in the file."""
    text = path.read_text(encoding="utf-8")
    offset = -1
    for _ in range(occurrence):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def seed(*args: str) -> Any:
    return CliRunner().invoke(main, ["seed", *args])


def table(db: Path, key: str) -> list[dict[str, Any]]:
    with TinyDB(db) as tiny:
        return list(tiny.table(key).all())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A --db file already holding Users (u1, u2) and Log (one row)."""
    path = tmp_path / "store.json"
    source = tmp_path / "base"
    de_file(source, "Users", USERS, [{"Id": "u1", "Name": "Ann", "Age": 41},
                                     {"Id": "u2", "Name": "Bob"}])
    de_file(source, "Log", LOG, [{"Message": "hello", "Level": "info"}])
    result = seed(str(source), "--db", str(path))
    assert result.exit_code == 0, result.output
    return path


# --- Modes ---------------------------------------------------------------------------------------


def test_a_new_db_file_gets_the_data_extensions_and_a_summary(tmp_path: Path) -> None:
    source = tmp_path / "fx" / "data_extensions"
    de_file(source, "Users", USERS, [{"Id": "u1", "Name": "Ann", "Age": 41}])
    path = tmp_path / "new.json"
    result = seed(str(tmp_path / "fx"), "--db", str(path))
    assert result.exit_code == 0, result.output
    assert "Users: created, 1 added" in result.output
    assert table(path, "Users") == [{"Id": "u1", "Name": "Ann", "Age": 41}]  # stored typed


def test_upsert_is_the_default_and_is_idempotent(tmp_path: Path, db: Path) -> None:
    source = de_file(tmp_path / "more", "Users", USERS,
                     [{"Id": "U1", "Name": "Ann B."}, {"Id": "u3", "Name": "Cy"}])
    first = seed(str(source), "--db", str(db))
    assert first.exit_code == 0, first.output
    assert "Users: 1 added, 1 updated" in first.output
    after_first = db.read_bytes()
    assert seed(str(source), "--db", str(db)).exit_code == 0
    assert db.read_bytes() == after_first
    rows = table(db, "Users")
    assert rows[0] == {"Id": "U1", "Name": "Ann B.", "Age": 41}  # an update keeps Age
    assert [r["Id"] for r in rows] == ["U1", "u2", "u3"]


def test_insert_adds_new_keys(tmp_path: Path, db: Path) -> None:
    source = de_file(tmp_path / "more", "Users", USERS, [{"Id": "u3", "Name": "Cy"}])
    result = seed(str(source), "--db", str(db), "--mode", "insert")
    assert result.exit_code == 0 and "Users: 1 added" in result.output
    assert len(table(db, "Users")) == 3


def test_replace_swaps_the_rows(tmp_path: Path, db: Path) -> None:
    source = de_file(tmp_path / "more", "Users", USERS, [{"Id": "u9", "Name": "Zed"}])
    result = seed(str(source), "--db", str(db), "--mode", "replace")
    assert result.exit_code == 0 and "Users: 1 added, 2 removed" in result.output
    assert table(db, "Users") == [{"Id": "u9", "Name": "Zed", "Age": None}]


@pytest.mark.parametrize(("mode", "expected"), [
    ("upsert", ["hello", "again", "again"]), ("insert", ["hello", "again", "again"]),
    ("replace", ["again", "again"]),
])
def test_a_de_without_primary_key_is_append_only(tmp_path: Path, db: Path, mode: str,
                                                 expected: list[str]) -> None:
    rows = [{"Message": "again", "Level": "info"}] * 2
    source = de_file(tmp_path / "more", "Log", LOG, rows)
    result = seed(str(source), "--db", str(db), "--mode", mode)
    assert result.exit_code == 0, result.output
    assert [r["Message"] for r in table(db, "Log")] == expected
    if mode != "replace":
        assert "Log: 2 appended" in result.output


def test_dry_run_reports_and_changes_nothing(tmp_path: Path, db: Path) -> None:
    before = db.read_bytes()
    source = de_file(tmp_path / "more", "Users", USERS, [{"Id": "u3", "Name": "Cy"}])
    result = seed(str(source), "--db", str(db), "--dry-run")
    assert result.exit_code == 0
    assert "Dry run, nothing changed" in result.output and "Users: 1 added" in result.output
    assert db.read_bytes() == before


def test_a_dry_run_into_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    source = de_file(tmp_path / "more", "Users", USERS, [{"Id": "u3", "Name": "Cy"}])
    assert seed(str(source), "--db", str(tmp_path / "none.json"), "--dry-run").exit_code == 0
    assert not (tmp_path / "none.json").exists()


def test_csv_rows_seed_too(tmp_path: Path, db: Path) -> None:
    source = de_file(tmp_path / "more", "Users", USERS)
    source.with_suffix(".csv").write_text("Id,Name,Age\nu7,Gus,7\n", encoding="utf-8")
    assert seed(str(source), "--db", str(db)).exit_code == 0
    assert table(db, "Users")[-1] == {"Id": "u7", "Name": "Gus", "Age": 7}


def test_a_file_named_otherwise_than_its_key_seeds_the_key(tmp_path: Path, db: Path) -> None:
    source = de_file(tmp_path / "more", "Users", USERS, [{"Id": "u5", "Name": "Eve"}],
                     name="people")
    result = seed(str(source), "--db", str(db))
    assert result.exit_code == 0 and "Users: 1 added" in result.output


def test_env_variables_name_the_db_and_mode(tmp_path: Path, db: Path) -> None:
    source = de_file(tmp_path / "more", "Users", USERS, [{"Id": "u1", "Name": "X"}])
    result = CliRunner().invoke(main, ["seed", str(source)],
                                env={"MCEMU_DB": str(db), "MCEMU_MODE": "insert"})
    assert result.exit_code == 1 and "duplicate-key" in result.output


# --- Refusals: all or nothing, every problem listed ----------------------------------------------

BAD_INPUTS: dict[str, tuple[str, str, list[str]]] = {
    # name: (file name, content, expected fragments)
    "malformed JSON": ("Users.json", '{"key": "Users",\n "fields": [\n}',
                       ["Users.json: invalid JSON at line 3, column 1", "[invalid-json]"]),
    "unknown field": ("Users.json", json.dumps({"key": "Users", "fields": USERS, "rows": [
        {"Id": "u3", "Name": "Cy"}, {"Id": "u4", "Nmae": "Di"}]}, indent=1),
        ["line 28, column 4: rows[1]: field 'Nmae' is not in the schema", "[unknown-field]"]),
    "wrong type": ("Users.json", json.dumps({"key": "Users", "fields": USERS, "rows": [
        {"Id": "u3", "Name": {"first": "Cy"}}]}),
        ["rows[0]: field 'Name' must be a string, number, boolean or null", "[value-type]"]),
    "value over length": ("Users.json", json.dumps({"key": "Users", "fields": USERS, "rows": [
        {"Id": "u3", "Name": "x" * 21}]}), ["rows[0]: field 'Name'", "[length]"]),
    "missing required": ("Users.json", json.dumps({"key": "Users", "fields": USERS, "rows": [
        {"Id": "u3"}]}), ["rows[0]: field 'Name'", "[required]"]),
    "duplicate key in the file": ("Users.json", json.dumps({"key": "Users", "fields": USERS,
        "rows": [{"Id": "u3", "Name": "A"}, {"Id": "U3", "Name": "B"}]}),
        ["rows[1]: field 'Id': Violation of PRIMARY KEY", "[duplicate-key]"]),
    "empty file": ("Users.json", "", ["invalid JSON at line 1, column 1"]),
    "non-UTF-8 file": ("Users.json", "\udce9", ["not UTF-8 text"]),
    "schema not an object": ("Users.json", "[]", ["must hold a JSON object"]),
    "bad schema": ("Users.json", '{"key": "Users", "fields": []}',
                   ["Data Extension 'Users': line 1, column 28: "
                    "\"fields\" must be a non-empty list", "[schema]"]),
    "a row breaking three rules": ("Users.json", json.dumps({"key": "Users", "fields": USERS,
        "rows": [{"Id": "u3", "Name": "x" * 21, "Age": "old", "Nmae": "Cy"}]}),
        ["3 problems:", "rows[0]: field 'Nmae' is not in the schema", "[unknown-field]",
         "rows[0]: field 'Name'", "[length]", "rows[0]: field 'Age'", "[type]"]),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_refused_and_leaves_the_db_byte_identical(tmp_path: Path, db: Path,
                                                               case: str) -> None:
    name, content, fragments = BAD_INPUTS[case]
    folder = tmp_path / "bad"
    folder.mkdir()
    data = content.encode("utf-8", errors="surrogateescape")
    (folder / name).write_bytes(data)
    before = db.read_bytes()
    result = seed(str(folder), "--db", str(db))
    assert result.exit_code == 1, result.output
    assert "refused, nothing was changed" in result.output
    for fragment in fragments:
        assert fragment in result.output
    assert db.read_bytes() == before


@pytest.mark.parametrize(("csv_text", "fragments"), [
    ("Id,Name\nu3,Cy\n", ["Users.csv: Data Extension 'Users': line 1: no column for 'Age'"]),
    ("Id,Name,Age,Extra\nu3,Cy,3,x\n", ["line 1, column 4: 'Extra' is not a field"]),
    ("Id,Name,Age\nu3,Cy\n", ["line 2: 2 values for 3 columns", "[csv-columns]"]),
    ("Id,Name,Age\nu3,Cy,3,4\n", ["line 2: 4 values for 3 columns"]),
    ("", ["line 1: the file is empty: the first line must name the fields"]),
    ("Id,Name,Age\nu3,Cy,3\nu3,Di,4\n", ["line 3: field 'Id': Violation of PRIMARY KEY"]),
])
def test_bad_csv_is_refused_with_file_and_line(tmp_path: Path, db: Path, csv_text: str,
                                               fragments: list[str]) -> None:
    source = de_file(tmp_path / "bad", "Users", USERS)
    source.with_suffix(".csv").write_text(csv_text, encoding="utf-8")
    before = db.read_bytes()
    result = seed(str(source), "--db", str(db))
    assert result.exit_code == 1
    for fragment in fragments:
        assert fragment in result.output
    assert db.read_bytes() == before


def test_a_bom_is_accepted(tmp_path: Path, db: Path) -> None:
    source = de_file(tmp_path / "bom", "Users", USERS)
    source.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    source.with_suffix(".csv").write_bytes(b"\xef\xbb\xbfId,Name,Age\r\nu8,Hal,8\r\n")
    assert seed(str(source), "--db", str(db)).exit_code == 0
    assert table(db, "Users")[-1]["Id"] == "u8"


def test_every_problem_is_listed_at_once_across_files(tmp_path: Path, db: Path) -> None:
    folder = tmp_path / "many"
    de_file(folder, "Users", USERS, [{"Id": "u3"}, {"Id": "u4", "Name": "x" * 30},
                                     {"Id": "u5", "Name": "ok", "Bad": 1}])
    de_file(folder, "Log", LOG, [{"Message": "m", "Level": "x" * 11}])
    before = db.read_bytes()
    result = seed(str(folder), "--db", str(db))
    assert result.exit_code == 1
    assert "4 problems:" in result.output
    for rule in ("[required]", "[length]", "[unknown-field]"):
        assert rule in result.output
    where = position(folder / "Log.json", '"x')
    assert f"Log.json: Data Extension 'Log': {where}: rows[0]: field 'Level'" in result.output
    where = position(folder / "Users.json", '"Bad"')
    assert f"Users.json: Data Extension 'Users': {where}: rows[2]: field 'Bad'" in result.output
    assert db.read_bytes() == before


def test_duplicate_keys_against_existing_rows_in_insert_mode(tmp_path: Path, db: Path) -> None:
    source = de_file(tmp_path / "dup", "Users", USERS,
                     [{"Id": "u9", "Name": "New"}, {"Id": "U2", "Name": "Again"}])
    before = db.read_bytes()
    result = seed(str(source), "--db", str(db), "--mode", "insert")
    assert result.exit_code == 1
    where = position(source, '"U2"')
    assert f"{where}: rows[1]: field 'Id': the target has a row with this primary key (U2) " \
           "already" in result.output
    assert db.read_bytes() == before


def test_a_schema_that_differs_from_the_target_says_what_differs(tmp_path: Path,
                                                                 db: Path) -> None:
    fields = [dict(USERS[0]), {**USERS[1], "length": 30}, {"name": "Email"}]
    source = de_file(tmp_path / "other", "Users", fields, [])
    before = db.read_bytes()
    result = seed(str(source), "--db", str(db), "--mode", "replace")
    assert result.exit_code == 1
    assert "field 'Age' is missing" in result.output
    assert "field 'Email' is not in the target" in result.output
    assert "field 'Name': length 30 (target: 20)" in result.output
    assert "[schema-mismatch]" in result.output
    assert db.read_bytes() == before


def test_a_refused_seed_into_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    source = de_file(tmp_path / "bad", "Users", USERS, [{"Id": "u1"}])
    assert seed(str(source), "--db", str(tmp_path / "new.json")).exit_code == 1
    assert not (tmp_path / "new.json").exists()


def test_a_de_given_twice_names_both_files(tmp_path: Path, db: Path) -> None:
    first = de_file(tmp_path / "a", "Users", USERS, [])
    second = de_file(tmp_path / "b", "Users", USERS, [])
    result = seed(str(first), str(second), "--db", str(db))
    assert result.exit_code == 1
    assert str(first) in result.output and str(second) in result.output


def test_a_directory_without_fixtures_is_refused(tmp_path: Path, db: Path) -> None:
    (tmp_path / "empty").mkdir()
    before = db.read_bytes()
    result = seed(str(tmp_path / "empty"), "--db", str(db))
    assert result.exit_code == 1 and "no fixtures here" in result.output
    assert db.read_bytes() == before


@pytest.mark.parametrize(("args", "message"), [
    ([], "give --db FILE"),
    (["--db", "x.json", "--url", "http://127.0.0.1:1"], "not both"),
    (["--mode", "merge", "--db", "x.json"], "'merge' is not one of"),
])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    source = de_file(tmp_path / "ok", "Users", USERS, [])
    result = seed(str(source), *args)
    assert result.exit_code == 2 and message in result.output


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = seed(str(tmp_path / "nowhere"), "--db", str(tmp_path / "x.json"))
    assert result.exit_code == 2 and "does not exist" in result.output


def test_an_unreachable_url_exits_2_quickly(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    source = de_file(tmp_path / "ok", "Users", USERS, [])
    result = seed(str(source), "--url", f"http://127.0.0.1:{port}")
    assert result.exit_code == 2
    assert f"no emulator answers at http://127.0.0.1:{port}" in result.output


@pytest.mark.slow
def test_a_terminal_sees_progress_bars_for_a_large_load(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    rows = [{"Id": f"u{i}", "Name": "Someone", "Age": i} for i in range(20_000)]
    source = de_file(tmp_path / "big", "Users", USERS, rows)
    leader, follower = pty.openpty()
    mcemu = str(Path(sys.executable).with_name("mcemu"))
    process = subprocess.Popen([mcemu, "seed", str(source), "--db", str(tmp_path / "db.json")],
                               stdout=follower, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed when the process ended
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0
    text = output.decode("utf-8", errors="replace")
    assert "Reading" in text and "Seeding" in text and "100%" in text
    assert "Users: created, 20000 added" in text


def test_a_flood_of_problems_is_counted_not_all_listed(tmp_path: Path, db: Path) -> None:
    source = de_file(tmp_path / "flood", "Users", USERS, [{"Id": f"u{i}"} for i in range(150)])
    result = seed(str(source), "--db", str(db))
    assert result.exit_code == 1
    assert "150 problems:" in result.output and "... and 50 more" in result.output
    assert result.output.count("[required]") == 100


def test_a_command_line_url_wins_over_mcemu_db(tmp_path: Path, db: Path) -> None:
    source = de_file(tmp_path / "ok", "Users", USERS, [])
    result = CliRunner().invoke(main, ["seed", str(source), "--url", "http://127.0.0.1:1"],
                                env={"MCEMU_DB": str(db)})
    assert result.exit_code == 2 and "no emulator answers" in result.output
