"""The Data Extension store, on both persistences: memory and a --db snapshot file."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tinydb

from emulator.errors import DataExtensionNotFound, RowRejected, StoreError
from emulator.store.persistence import EphemeralStorage, SnapshotFile
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

CREDENTIALS = {
    "key": "AppCredentials",
    "fields": [
        {"name": "client_id", "type": "Text", "length": 100, "primaryKey": True},
        {"name": "client_secret", "type": "Text", "length": 100, "nullable": False},
        {"name": "signing_secret", "type": "Text", "length": 256, "nullable": False},
        {"name": "Plan", "type": "Text", "length": 10, "defaultValue": "free"},
        {"name": "Note", "type": "Text", "length": 10},
    ],
}
LOG = {"key": "Log", "fields": [{"name": "Method"}, {"name": "Path"}]}
DEMO = {"client_id": "demo", "client_secret": "s3cret", "signing_secret": "sign"}


def schema(doc: dict[str, Any]) -> DataExtensionSchema:
    return DataExtensionSchema.from_json(doc, "test")


def credential(client_id: str, **extra: str | None) -> dict[str, str | None]:
    return {"client_id": client_id, "client_secret": "x", "signing_secret": "y", **extra}


@dataclass
class Opened:
    """A store under test and, for the file persistence, its path."""

    store: Store
    path: Path | None

    def file_bytes(self) -> bytes:
        return self.path.read_bytes() if self.path is not None else b""

    def reopen(self) -> Store:
        self.store.close()
        self.store = Store.open(self.path)
        return self.store


@pytest.fixture(params=["memory", "file"])
def opened(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    path = tmp_path / "mcemu.json" if request.param == "file" else None
    handle = Opened(Store.open(path), path)
    handle.store.create(schema(CREDENTIALS), [DEMO])
    handle.store.create(schema(LOG))
    yield handle
    handle.store.close()


@pytest.fixture
def de_store(opened: Opened) -> Store:
    return opened.store


def test_add_then_retrieve_returns_full_rows_in_insertion_order(de_store: Store) -> None:
    added = de_store.add_rows("AppCredentials", [credential("b"), credential("a", Note=None)])
    assert added[0] == {**credential("b"), "Plan": "free", "Note": None}
    rows = de_store.retrieve("AppCredentials")
    assert [row["client_id"] for row in rows] == ["demo", "b", "a"]
    assert de_store.count("AppCredentials") == 3
    assert de_store.rows("AppCredentials") == rows


def test_retrieve_returns_copies(de_store: Store) -> None:
    de_store.retrieve("AppCredentials")[0]["client_secret"] = "changed"
    assert de_store.retrieve("AppCredentials")[0]["client_secret"] == "s3cret"


def test_retrieve_filters_and_limits(de_store: Store) -> None:
    de_store.add_rows("Log", [{"Method": m, "Path": "/"} for m in ("GET", "POST", "get")])
    criteria = {"Property": "method", "SimpleOperator": "equals", "Value": "Get"}
    found = de_store.retrieve("Log", criteria)
    assert [row["Method"] for row in found] == ["GET", "get"]
    assert len(de_store.retrieve("Log", limit=2)) == 2
    assert de_store.retrieve("Log", limit=0) == []


def test_field_names_are_case_insensitive_and_stored_as_defined(de_store: Store) -> None:
    [row] = de_store.add_rows(
        "AppCredentials", [{"CLIENT_ID": "c", "Client_Secret": "x", "SIGNING_secret": "y"}]
    )
    assert list(row) == ["client_id", "client_secret", "signing_secret", "Plan", "Note"]
    assert de_store.retrieve("AppCredentials")[-1]["client_id"] == "c"


@pytest.mark.parametrize(
    ("rows", "rule", "field"),
    [
        ([credential("ok"), credential("n", Nope="1")], "unknown-field", "Nope"),
        ([credential("ok"), {"client_id": "n", "signing_secret": "y"}], "required",
         "client_secret"),
        ([credential("ok"), credential("n", client_secret="")], "required", "client_secret"),
        ([credential("ok"), credential("n", client_secret=None)], "required", "client_secret"),
        ([credential("ok"), {"client_secret": "x", "signing_secret": "y"}], "required",
         "client_id"),
        ([credential("ok"), credential("n", Note="x" * 11)], "length", "Note"),
        # nvarchar counts UTF-16 code units: 6 emoji are 12 units in a 10-unit field.
        ([credential("ok"), credential("n", Note="\U0001F600" * 6)], "length", "Note"),
        ([credential("ok"), credential("DEMO")], "duplicate-key", "client_id"),
        ([credential("ok"), credential("OK")], "duplicate-key", "client_id"),
        ([credential("ok"), {**credential("n"), "CLIENT_ID": "m"}], "duplicate-field", "client_id"),
        ([credential("ok"), credential("n", Note=[42])], "value-type", "Note"),  # type: ignore[arg-type]
    ],
)
def test_a_rejected_row_leaves_data_and_file_untouched(
    opened: Opened, rows: list[dict[str, Any]], rule: str, field: str
) -> None:
    before, file_before = opened.store.dump(), opened.file_bytes()
    with pytest.raises(RowRejected) as caught:
        opened.store.add_rows("AppCredentials", rows)
    assert (caught.value.rule, caught.value.field, caught.value.key) == (
        rule, field, "AppCredentials"
    )
    assert field in caught.value.message
    assert opened.store.dump() == before
    assert opened.file_bytes() == file_before
    # The first, valid row of the batch was not kept either, and can still be added.
    opened.store.add_rows("AppCredentials", [credential("ok")])


def test_a_value_that_fits_exactly_is_accepted(de_store: Store) -> None:
    [row] = de_store.add_rows("AppCredentials", [credential("n", Note="\U0001F600" * 5)])
    assert row["Note"] == "\U0001F600" * 5


def test_default_value_fills_a_missing_field_and_nullable_fields_default_to_none(
    de_store: Store,
) -> None:
    [row] = de_store.add_rows("AppCredentials", [credential("n")])
    assert (row["Plan"], row["Note"]) == ("free", None)
    [row] = de_store.add_rows("AppCredentials", [credential("m", Plan="pro")])
    assert row["Plan"] == "pro"


def test_a_de_without_primary_key_is_append_only(de_store: Store) -> None:
    de_store.add_rows("Log", [{"Method": "GET"}, {"Method": "GET"}])
    de_store.add_rows("Log", [{"Method": "GET"}])
    assert de_store.count("Log") == 3


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.add_rows("Missing", [{}]),
        lambda s: s.retrieve("Missing"),
        lambda s: s.count("Missing"),
        lambda s: s.schema("Missing"),
        lambda s: s.drop("Missing"),
        lambda s: s.retrieve("appcredentials"),  # external keys are exact
    ],
)
def test_a_missing_data_extension_is_reported(de_store: Store, call: Any) -> None:
    with pytest.raises(DataExtensionNotFound) as caught:
        call(de_store)
    assert "does not exist" in str(caught.value)


def test_keys_has_schema_and_drop(de_store: Store) -> None:
    assert de_store.keys() == ["AppCredentials", "Log"]
    assert de_store.has("Log") and not de_store.has("log")
    assert de_store.schema("Log").field("method").name == "Method"
    de_store.drop("Log")
    assert de_store.keys() == ["AppCredentials"]


def test_create_replaces_schema_and_rows_unless_told_not_to(de_store: Store) -> None:
    with pytest.raises(StoreError, match="already exists"):
        de_store.create(schema(LOG), replace=False)
    narrower = {"key": "AppCredentials", "fields": [{"name": "client_id", "primaryKey": True}]}
    de_store.create(schema(narrower), [{"client_id": "x"}])
    assert de_store.rows("AppCredentials") == [{"client_id": "x"}]
    de_store.add_rows("AppCredentials", [{"client_id": "demo"}])  # the old key index is gone


def test_create_with_a_bad_row_changes_nothing(opened: Opened) -> None:
    before, file_before = opened.store.dump(), opened.file_bytes()
    with pytest.raises(RowRejected):
        opened.store.create(schema(CREDENTIALS), [credential("a"), credential("A")])
    assert opened.store.dump() == before
    assert opened.file_bytes() == file_before


@dataclass
class Definition:
    schema: DataExtensionSchema
    rows: list[dict[str, str | None]]


def test_replace_all_makes_the_store_exactly_the_definitions(opened: Opened) -> None:
    opened.store.replace_all([Definition(schema(LOG), [{"Method": "PUT"}])])
    assert opened.store.keys() == ["Log"]
    assert opened.store.rows("Log") == [{"Method": "PUT", "Path": None}]
    if opened.path is not None:
        assert opened.reopen().dump() == {
            "Log": {**schema(LOG).to_json(), "rows": [{"Method": "PUT", "Path": None}]}
        }


def test_replace_all_with_a_bad_definition_changes_nothing(opened: Opened) -> None:
    before, file_before = opened.store.dump(), opened.file_bytes()
    bad = Definition(schema(CREDENTIALS), [credential("a"), credential("a")])
    with pytest.raises(RowRejected):
        opened.store.replace_all([Definition(schema(LOG), []), bad])
    with pytest.raises(StoreError, match="defined twice"):
        opened.store.replace_all([Definition(schema(LOG), []), Definition(schema(LOG), [])])
    assert opened.store.dump() == before
    assert opened.file_bytes() == file_before


def test_dump_is_the_de_file_format_and_json_serialisable(de_store: Store) -> None:
    dump = de_store.dump()
    assert json.loads(json.dumps(dump)) == dump
    assert dump["AppCredentials"]["rows"][0]["client_id"] == "demo"
    assert DataExtensionSchema.from_json(
        {k: v for k, v in dump["Log"].items() if k != "rows"}, "dump"
    ) == schema(LOG)


def test_close_is_final(opened: Opened) -> None:
    opened.store.close()
    opened.store.close()  # closing twice is harmless
    with pytest.raises(StoreError, match="closed"):
        opened.store.keys()


# --- The --db file ---------------------------------------------------------------------------


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "mcemu.json"


def file_store(path: Path) -> Store:
    store = Store.open(path)
    store.create(schema(CREDENTIALS), [DEMO])
    store.create(schema(LOG))
    store.add_rows("Log", [{"Method": "GET", "Path": "/token"}])
    return store


def test_plain_tinydb_opens_the_file_with_one_table_per_de(db_path: Path) -> None:
    file_store(db_path).close()
    with tinydb.TinyDB(db_path) as db:
        assert {"AppCredentials", "Log", "_schemas"} <= db.tables()
        assert all(name.startswith("_") for name in db.tables() - {"AppCredentials", "Log"})
        assert db.table("AppCredentials").all() == [{**DEMO, "Plan": "free", "Note": None}]
        assert db.table("Log").all() == [{"Method": "GET", "Path": "/token"}]
        assert [doc["key"] for doc in db.table("_schemas").all()] == ["AppCredentials", "Log"]


def test_an_empty_de_still_has_its_table_in_the_file(db_path: Path) -> None:
    with Store.open(db_path) as store:
        store.create(schema(LOG))
    with tinydb.TinyDB(db_path) as db:
        assert "Log" in db.tables()


def test_every_change_is_journaled_then_folded_in_on_close(db_path: Path) -> None:
    store = file_store(db_path)
    store.add_rows("AppCredentials", [credential("x")])
    store.drop("Log")
    journal = db_path.with_name(db_path.name + ".journal")
    store.close()  # a clean stop folds the journal into the snapshot and removes it
    on_disk = json.loads(db_path.read_text())
    assert "Log" not in on_disk and len(on_disk["AppCredentials"]) == 2
    assert not journal.exists()
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name,
                                                                db_path.name + ".lock"]


def test_reopening_gives_the_same_store(db_path: Path) -> None:
    store = file_store(db_path)
    dump = store.dump()
    store.close()
    with Store.open(db_path) as again:
        assert again.dump() == dump
        with pytest.raises(RowRejected):
            again.add_rows("AppCredentials", [credential("DEMO")])  # the key index is rebuilt
        again.add_rows("Log", [{"Method": "POST"}])
        assert [row["Method"] for row in again.rows("Log")] == ["GET", "POST"]


def test_an_empty_file_from_tinydb_opens_as_an_empty_store(db_path: Path) -> None:
    tinydb.TinyDB(db_path).close()  # TinyDB creates a zero-byte file
    with Store.open(db_path) as store:
        assert store.keys() == []
    with tinydb.TinyDB(db_path) as db:
        assert "_schemas" in db.tables()


def test_the_file_mode_is_kept_across_saves(db_path: Path) -> None:
    store = file_store(db_path)
    db_path.chmod(0o640)
    store.add_rows("Log", [{"Method": "PUT"}])
    assert db_path.stat().st_mode & 0o777 == 0o640
    store.close()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"_schemas": {', "line 1, column 15"),
        (b"[]", "top level"),
        (b'{"Log": []}', "table 'Log'"),
        (b'{"Log": {"x": {}}}', "document id 'x'"),
        (b'{"Log": {"1": "row"}}', "document 1"),
        (b'{"\xff": {}}', "not UTF-8"),
        (b'{"Log": {}}', "no schema"),
        (b'{"_schemas": {"1": {"key": "Log", "fields": []}}}', "fields"),
        (
            b'{"_schemas": {"1": {"key": "Log", "fields": [{"name": "A"}]}},'
            b' "Log": {"1": {"B": "x"}}}',
            "Invalid field name B",
        ),
        (
            b'{"_schemas": {"1": {"key": "K", "fields": [{"name": "A", "primaryKey": true}]}},'
            b' "K": {"1": {"A": "x"}, "2": {"A": "X"}}}',
            "PRIMARY KEY",
        ),
        (b'{"_meta": {"1": {"format": 99}}}', "newer"),
    ],
)
def test_a_corrupt_file_is_refused_with_its_path_and_problem(
    db_path: Path, content: bytes, problem: str
) -> None:
    db_path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        Store.open(db_path)
    assert str(db_path) in str(caught.value)
    assert problem in str(caught.value)
    assert db_path.read_bytes() == content  # never overwritten


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "nowhere" / "mcemu.json")


def test_persistences_load_what_they_should(tmp_path: Path) -> None:
    assert EphemeralStorage().read() is None
    snapshot = SnapshotFile(tmp_path / "does-not-exist.json")
    assert snapshot.read() is None
    snapshot.close()


# --- Concurrency -----------------------------------------------------------------------------


def test_concurrent_writers_lose_nothing(opened: Opened) -> None:
    threads, per_thread = 8, 200
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(per_thread):
                opened.store.add_rows("Log", [{"Method": f"T{n}", "Path": str(i)}])
                opened.store.add_rows("AppCredentials", [credential(f"c{n}-{i}")])
                opened.store.retrieve("Log", limit=5)
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors and not any(worker.is_alive() for worker in workers)
    assert opened.store.count("Log") == threads * per_thread
    assert opened.store.count("AppCredentials") == threads * per_thread + 1
    if opened.path is not None:
        opened.store.close()  # the snapshot holds every row once the journal is folded in
        on_disk = json.loads(opened.path.read_text())
        assert len(on_disk["Log"]) == threads * per_thread
        with tinydb.TinyDB(opened.path) as db:
            assert len(db.table("AppCredentials")) == threads * per_thread + 1
