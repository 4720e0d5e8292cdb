"""Object data lives like the Data Extensions: seeded, exported and reset by ``mcemu``.

Subscribers and lists, folders, triggered send definitions and automations go from fixture
files into a served ``--db`` file, change through pages, come out of ``mcemu export``, go back
in with ``mcemu seed`` and ``mcemu reset --db --to fixtures``, and come out the same.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from emulator.app import create_app
from emulator.cli import main
from emulator.runtime import get_emulator
from emulator.store.store import Store

PAGES = Path(__file__).parent / "objects_pages"
AUTOMATIONS = [{"CustomerKey": "nightly", "Name": "Nightly", "Status": "Scheduled",
                "RunSeconds": 60,
                "Queries": [{"CustomerKey": "dedupe", "QueryText": "SELECT 1",
                             "Target": "Orders"}]}]
RECORD_FILES = ("subscribers.json", "lists.json", "folders.json", "triggered_sends.json",
                "automations.json")


@pytest.fixture
def fixtures(tmp_path: Path) -> Path:
    folder = tmp_path / "fixtures"
    shutil.copytree(PAGES / "fixtures", folder)
    (folder / "automations.json").write_text(json.dumps(AUTOMATIONS), encoding="utf-8")
    return folder


def run(*args: str) -> str:
    result = CliRunner().invoke(main, [*args])
    assert result.exit_code == 0, result.output
    return result.output


def refused(*args: str) -> str:
    result = CliRunner().invoke(main, [*args])
    assert result.exit_code != 0, result.output
    return result.output


def files(folder: Path) -> dict[str, str]:
    """Return every file under ``folder`` by relative path, with its text."""
    return {str(path.relative_to(folder)): path.read_text(encoding="utf-8")
            for path in sorted(folder.rglob("*")) if path.is_file()}


def held(db: Path) -> dict[str, Any]:
    with Store.open(db) as store:
        return {table: store.records(table) for table in
                ("_subscribers", "_lists", "_folders", "_triggered_sends", "_automations",
                 "_query_definitions", "_automation_runs")} | {
            "rows": {key: store.rows(key) for key in store.keys()}}


def serve_and_write(fixtures: Path, db: Path) -> None:
    """Serve ``db`` from ``fixtures`` and change subscribers, rows and runs through pages."""
    app = create_app({"TESTING": True, "pages": str(PAGES), "fixtures": (str(fixtures),),
                      "no_default_fixtures": True, "db": str(db), "ssjs_timeout": 20})
    try:
        client = app.test_client()
        saved = client.post("/preferences", headers={"X-Mcemu-Subscriber": "ann"},
                            data={"firstName": "Annie", "offers": "yes"})
        assert saved.status_code == 200, saved.get_data(as_text=True)
        gone = client.post("/unsubscribe?sk=bob", data={"confirm": "yes"})
        assert "will get no more emails" in gone.get_data(as_text=True)
        signed = client.post("/signup", data={"email": "cat@example.org", "name": "Cat"})
        assert "Thanks, Cat!" in signed.get_data(as_text=True)
    finally:
        get_emulator(app).close()


def test_objects_round_trip_through_export_seed_and_reset(fixtures: Path,
                                                          tmp_path: Path) -> None:
    db, out = tmp_path / "served.json", tmp_path / "export"
    serve_and_write(fixtures, db)
    changed = held(db)
    assert changed["_subscribers"][0]["Attributes"] == {"First Name": "Annie"}
    assert changed["_subscribers"][1]["Status"] == "Unsubscribed"
    said = run("export", "--db", str(db), "--out", str(out))
    assert "Exported 2 subscriber(s) and 2 list(s)" in said
    assert "Exported 1 automation(s)" in said
    exported = files(out)
    assert set(RECORD_FILES) <= set(exported)

    # Seeded into a new file, the export exports the same bytes and holds the same records.
    fresh, again = tmp_path / "fresh.json", tmp_path / "again"
    seeded = run("seed", "--db", str(fresh), "--mode", "replace", str(out))
    assert "_subscribers: 2 added" in seeded and "_automations: 1 added" in seeded
    run("export", "--db", str(fresh), "--out", str(again))
    assert files(again) == exported
    assert held(fresh) == {**changed, "_automation_runs": []}

    # A reset of the served file to the export as fixtures: the same state again.
    twice = tmp_path / "twice"
    run("reset", "--db", str(db), "--to", "fixtures", "--fixtures", str(out),
        "--no-default-fixtures")
    run("export", "--db", str(db), "--out", str(twice))
    assert files(twice) == exported

    # A reset to the original fixtures undoes what the pages wrote, objects too.
    run("reset", "--db", str(db), "--fixtures", str(fixtures), "--no-default-fixtures")
    back = held(db)
    assert back["_subscribers"][0]["Attributes"] == {"First Name": "Ann"}
    assert back["_subscribers"][1]["Status"] == "Active"
    assert back["rows"]["Signups"] == []
    assert [f["CustomerKey"] for f in back["_folders"] if f["IsEditable"]] == [
        "campaigns", "spring"]
    assert [a["CustomerKey"] for a in back["_automations"]] == ["nightly"]


def test_an_offline_reset_to_fixtures_drops_objects_the_fixtures_lack(fixtures: Path,
                                                                      tmp_path: Path) -> None:
    db = tmp_path / "served.json"
    serve_and_write(fixtures, db)
    bare = tmp_path / "bare"
    (bare / "data_extensions").mkdir(parents=True)
    shutil.copy(fixtures / "data_extensions" / "Orders.json", bare / "data_extensions")
    run("reset", "--db", str(db), "--fixtures", str(bare), "--no-default-fixtures")
    state = held(db)
    assert state["_subscribers"] == [] and state["_lists"] == []
    assert state["_triggered_sends"] == [] and state["_automations"] == []
    assert not [f for f in state["_folders"] if f["IsEditable"]]
    assert list(state["rows"]) == ["Orders"]


def test_an_export_naming_data_extensions_writes_no_object_files(fixtures: Path,
                                                                 tmp_path: Path) -> None:
    db, out = tmp_path / "served.json", tmp_path / "export"
    serve_and_write(fixtures, db)
    said = run("export", "--db", str(db), "--out", str(out), "Orders")
    assert sorted(files(out)) == ["data_extensions/Orders.json"]
    assert "subscriber" not in said


# --- mcemu seed with object files ------------------------------------------------------------


def objects_only(tmp_path: Path, **documents: Any) -> Path:
    folder = tmp_path / "objects"
    folder.mkdir(exist_ok=True)
    for name, document in documents.items():
        (folder / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")
    return folder


LISTS = [{"ID": 1, "ListName": "News"}]
ANN = {"SubscriberKey": "ann", "EmailAddress": "ann@example.org",
       "Lists": [{"ID": 1, "Status": "Active"}]}


def test_seed_takes_a_fixtures_dir_of_object_files_only(tmp_path: Path) -> None:
    folder = objects_only(tmp_path, lists=LISTS, subscribers=[ANN],
                          triggered_sends=[{"CustomerKey": "welcome"}])
    db = tmp_path / "db.json"
    said = run("seed", "--db", str(db), str(folder))
    assert "_subscribers: 1 added" in said and "_triggered_sends: 1 added" in said
    first = held(db)
    assert [s["SubscriberKey"] for s in first["_subscribers"]] == ["ann"]
    again = run("seed", "--db", str(db), str(folder))  # upsert: the same records, updated
    assert "_subscribers: 1 updated" in again
    assert held(db) == first


def test_seed_upserts_by_key_and_insert_refuses_a_key_the_target_holds(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    run("seed", "--db", str(db), str(objects_only(tmp_path, lists=LISTS, subscribers=[ANN])))
    changed = {**ANN, "EmailAddress": "ann@example.com"}
    bob = {"SubscriberKey": "bob", "EmailAddress": "bob@example.org"}
    folder = objects_only(tmp_path, lists=LISTS, subscribers=[changed, bob])
    before = db.read_bytes()
    said = refused("seed", "--db", str(db), "--mode", "insert", str(folder))
    assert "SubscriberKey 'ann' is in the target already" in said
    assert db.read_bytes() == before  # all or nothing
    run("seed", "--db", str(db), str(folder))
    assert [(s["SubscriberKey"], s["EmailAddress"]) for s in held(db)["_subscribers"]] == [
        ("ann", "ann@example.com"), ("bob", "bob@example.org")]


def test_seed_dry_run_and_a_bad_object_file_change_nothing(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    run("seed", "--db", str(db), str(objects_only(tmp_path, lists=LISTS, subscribers=[ANN])))
    before = db.read_bytes()
    bad = objects_only(tmp_path, lists=LISTS, subscribers=[
        {"SubscriberKey": "x", "EmailAddress": "not-an-address"},
        {"SubscriberKey": "y", "EmailAddress": "y@example.org", "Status": "Sleeping"}])
    said = refused("seed", "--db", str(db), str(bad))
    assert "'not-an-address' is not an e-mail address" in said
    assert "Status 'Sleeping' is not one of Active" in said
    assert db.read_bytes() == before
    good = objects_only(tmp_path, lists=LISTS,
                        subscribers=[{"SubscriberKey": "z", "EmailAddress": "z@example.org"}])
    assert "Dry run" in run("seed", "--db", str(db), "--dry-run", str(good))
    assert db.read_bytes() == before


def test_seed_replace_keeps_the_default_folders(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    folders = [{"ID": 2001, "Name": "Campaigns", "CustomerKey": "campaigns", "ParentID": 1001}]
    run("seed", "--db", str(db), "--mode", "replace",
        str(objects_only(tmp_path, folders=folders)))
    records = held(db)["_folders"]
    assert [f["ID"] for f in records if f["IsEditable"]] == [2001]
    assert [f for f in records if not f["IsEditable"]]  # the default tree stays


def test_seed_to_a_running_emulator_sends_object_files(tmp_path: Path) -> None:
    # a running emulator takes them now (tests/test_objects_leftovers.py): this one is absent
    folder = objects_only(tmp_path, lists=LISTS)
    said = refused("seed", "--url", "http://127.0.0.1:9", str(folder))
    assert "no emulator answers at http://127.0.0.1:9" in said


# --- one subscriber write, one record written ---------------------------------------------------


def people(count: int) -> list[dict[str, Any]]:
    return [{"SubscriberKey": f"s{i}", "EmailAddress": f"s{i}@example.org", "Status": "Active",
             "Attributes": {"First Name": f"N{i}"}, "Lists": []} for i in range(count)]


def test_a_subscriber_write_appends_one_record_not_the_table(tmp_path: Path) -> None:
    from emulator.subscribers import data

    def size() -> int:
        return sum(path.stat().st_size for path in tmp_path.iterdir() if path.is_file())

    store = Store.open(tmp_path / "mcemu.json")
    try:
        store.replace_all([], {"_subscribers": people(2000)})
        store.flush()
        before = size()
        data.save_subscriber(store, {**people(2000)[1000], "Status": "Held"})
        data.save_subscriber(store, people(2001)[-1])
        assert data.remove_subscriber(store, "s5") is True
        assert data.remove_subscriber(store, "nobody") is False
        store.flush()
        assert 0 < size() - before < 1000  # three small log lines; the table is ~250 kB
    finally:
        store.close()
    with Store.open(tmp_path / "mcemu.json") as again:  # and they are what the file holds
        keys = [s["SubscriberKey"] for s in again.records("_subscribers")]
        assert len(keys) == 2000 and keys[-1] == "s2000" and "s5" not in keys
        assert again.find_record("_subscribers", "SubscriberKey", "s1000")["Status"] == "Held"


def test_a_subscriber_write_is_rolled_back_with_the_rest() -> None:
    from emulator.subscribers import data

    store = Store.open(None)
    store.replace_all([], {"_subscribers": people(3)})
    store.checkpoint()
    data.save_subscriber(store, {**people(3)[0], "Status": "Held"})
    data.save_subscriber(store, people(4)[-1])
    data.remove_subscriber(store, "s1")
    store.rollback()
    assert store.records("_subscribers") == people(3)


def test_a_fixtures_directory_of_object_data_alone_serves_and_seeds(tmp_path: Path) -> None:
    from emulator.errors import FixtureError

    only_events = tmp_path / "only-events"
    (only_events / "events").mkdir(parents=True)
    sent = [{"SubscriberKey": "ann", "EventDate": "2025-01-02T03:04:05"}]
    (only_events / "events" / "SentEvent.json").write_text(json.dumps(sent), encoding="utf-8")
    app = create_app({"TESTING": True, "fixtures": (str(only_events),)})
    try:
        state = app.test_client().get("/_emulator/state").get_json()
        assert [event["SubscriberKey"] for event in state["events"]] == ["ann"]
        assert "AppCredentials" in state["dataExtensions"]  # the default fixtures still load
    finally:
        get_emulator(app).close()
    db = tmp_path / "seeded.json"
    run("seed", "--db", str(db), str(only_events))
    with Store.open(db) as store:
        assert [event["SubscriberKey"] for event in store.records("_events")] == ["ann"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FixtureError, match="not a fixtures directory"):
        create_app({"TESTING": True, "fixtures": (str(empty),)})


def test_every_record_kinds_files_make_a_fixtures_directory() -> None:
    from emulator.fixtures.discovery import FIXTURE_ENTRIES
    from emulator.fixtures.kinds import record_files

    assert set(record_files()) <= set(FIXTURE_ENTRIES)
