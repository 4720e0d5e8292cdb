"""packages.json and events/ as kinds of fixture data: the schema, export, seed and reset."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from emulator.app import create_app
from emulator.cli import main
from emulator.events.records import EVENTS_TABLE
from emulator.fixtures.kinds import export_state
from emulator.rest.packages import PACKAGES_TABLE, SCOPES
from emulator.runtime import get_emulator
from emulator.schemas import PACKAGES_SCHEMA, schema

PACKAGES = [
    {"name": "Order sync", "client_id": "order-sync", "client_secret": "s3cret-value-1234",
     "scopes": ["data_extensions_read"], "mids": [100, 300], "default_mid": 300},
    {"client_id": "plain", "client_secret": "short"},
]
UNITS = [{"mid": 100, "name": "Enterprise", "parent": None},
         {"mid": 300, "name": "Shop", "parent": 100}]
CLICKS = [{"SubscriberKey": "ann", "EventDate": "2024-02-01T08:00:00",
           "URL": "https://example.org/a", "SendID": 7}]
SHIPPED = Path(__file__).resolve().parents[1] / "fixtures" / "packages.json"


def write_fixtures(root: Path, packages: Any = PACKAGES) -> Path:
    (root / "events").mkdir(parents=True)
    (root / "data_extensions").mkdir()
    (root / "data_extensions" / "Orders.json").write_text(json.dumps(
        {"key": "Orders", "fields": [{"name": "Id", "primaryKey": True}]}), "utf-8")
    (root / "packages.json").write_text(json.dumps(packages), "utf-8")
    (root / "business_units.json").write_text(json.dumps(UNITS), "utf-8")
    (root / "events" / "ClickEvent.json").write_text(json.dumps(CLICKS), "utf-8")
    return root


def held(db: Path, table: str) -> list[dict[str, Any]]:
    emulator = get_emulator(create_app({"db": str(db), "no_default_fixtures": True}))
    try:
        return emulator.store.records(table) if emulator.store.has_records(table) else []
    finally:
        emulator.close()


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


# --- the schema --------------------------------------------------------------------------------

def test_the_schema_is_valid_and_accepts_the_shipped_and_documented_packages() -> None:
    document = schema(PACKAGES_SCHEMA)
    jsonschema.Draft202012Validator.check_schema(document)
    jsonschema.validate(json.loads(SHIPPED.read_text("utf-8")), document)
    jsonschema.validate(PACKAGES, document)
    assert document["$defs"]["package"]["properties"]["scopes"]["items"]["enum"] == list(SCOPES)


@pytest.mark.parametrize("bad", [
    {"client_id": "a"},                                             # no secret
    {"client_id": "a", "client_secret": "b", "scopes": ["nope"]},    # not a scope
    {"client_id": "a", "client_secret": "b", "scopes": ["email_read", "email_read"]},
    {"client_id": "a", "client_secret": "b", "mids": []},
    {"client_id": "a", "client_secret": "b", "mids": ["100"]},
    {"client_id": "a", "client_secret": "b", "default_mid": 0},
    {"client_id": " a", "client_secret": "b"},                       # spaces around
    {"client_id": "a", "client_secret": "b", "colour": "red"},
    {"client_id": "", "client_secret": "b"},
])
def test_the_schema_refuses_what_the_loader_refuses(bad: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([bad], schema(PACKAGES_SCHEMA))
    (tmp_path / "packages.json").write_text(json.dumps([bad]), "utf-8")
    result = CliRunner().invoke(main, ["seed", str(tmp_path), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1, result.output
    assert "packages.json" in result.output


# --- export, seed, reset -----------------------------------------------------------------------

def test_export_writes_packages_with_their_secrets_and_the_events_and_they_seed_back(
        tmp_path: Path) -> None:
    db, out, again = tmp_path / "a.db", tmp_path / "out", tmp_path / "b.db"
    get_emulator(create_app({"db": str(db), "fixtures": [str(write_fixtures(tmp_path / "fx"))]})
                 ).close()
    said = cli("export", "--db", str(db), "--out", str(out))
    assert "Exported 2 package(s)" in said and "Exported 1 tracking event(s)" in said
    exported = json.loads((out / "packages.json").read_text("utf-8"))
    # in full, the secret too; the default fixtures' demo package is theirs, not the export's
    assert [(p["client_id"], p["client_secret"]) for p in exported] == [
        ("order-sync", "s3cret-value-1234"), ("plain", "short")]
    assert exported[1]["mids"] == [100] and exported[1]["default_mid"] == 100
    jsonschema.validate(exported, schema(PACKAGES_SCHEMA))
    events = json.loads((out / "events" / "ClickEvent.json").read_text("utf-8"))
    assert [e["URL"] for e in events] == ["https://example.org/a"]
    # a fixtures directory again, the default fixtures beside it
    app = create_app({"db": str(again), "fixtures": [str(out)]})
    try:
        client = app.test_client()
        answer = client.post("/v2/token", json={"grant_type": "client_credentials",
                                                "client_id": "order-sync",
                                                "client_secret": "s3cret-value-1234"})
        assert answer.status_code == 200, answer.data
        store = get_emulator(app).store
        assert [p["client_id"] for p in store.records(PACKAGES_TABLE)] == [
            "mcemu-demo-client-id", "order-sync", "plain"]
        assert [e["SubscriberKey"] for e in store.records(EVENTS_TABLE)] == ["ann"]
    finally:
        get_emulator(app).close()


def test_seed_upserts_packages_by_client_id_and_events_by_their_fields(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    fx = write_fixtures(tmp_path / "fx")
    cli("seed", str(fx), "--db", str(db))
    changed = write_fixtures(tmp_path / "fx2", [{**PACKAGES[0], "client_secret": "rotated"}])
    said = cli("seed", str(changed), "--db", str(db), "--mode", "upsert")
    assert "_packages: 1 updated" in said
    assert "_events: 1 updated" in said  # the same event twice is one event
    assert [(p["client_id"], p["client_secret"]) for p in held(db, PACKAGES_TABLE)] == [
        ("order-sync", "rotated"), ("plain", "short")]
    assert len(held(db, EVENTS_TABLE)) == 1


def test_seed_insert_refuses_a_client_id_or_an_event_the_target_holds(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    fx = write_fixtures(tmp_path / "fx")
    cli("seed", str(fx), "--db", str(db))
    result = CliRunner().invoke(main, ["seed", str(fx), "--db", str(db), "--mode", "insert"])
    assert result.exit_code == 1
    assert "client_id 'order-sync' is in the target already (_packages)" in result.output
    assert "the same record (" in result.output and "(_events)" in result.output


def test_a_package_naming_no_unit_of_its_directory_is_refused_on_seed(tmp_path: Path) -> None:
    fx = write_fixtures(tmp_path / "fx", [{**PACKAGES[0], "mids": [100, 999],
                                           "default_mid": 100}])
    result = CliRunner().invoke(main, ["seed", str(fx), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 1
    assert "mids names 999, which is no business unit; the units are 100, 300" in result.output


def test_reset_of_a_db_file_puts_the_packages_and_events_back(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    fx = write_fixtures(tmp_path / "fx")
    cli("seed", str(fx), "--db", str(db))
    cli("seed", str(write_fixtures(tmp_path / "fx2", [{"client_id": "extra",
                                                       "client_secret": "x"}])),
        "--db", str(db), "--mode", "upsert")
    assert len(held(db, PACKAGES_TABLE)) == 3
    cli("reset", "--db", str(db), "--to", "fixtures", "--fixtures", str(fx),
        "--no-default-fixtures")
    assert [p["client_id"] for p in held(db, PACKAGES_TABLE)] == ["order-sync", "plain"]
    assert len(held(db, EVENTS_TABLE)) == 1


def test_the_state_leaves_out_only_the_default_fixtures_packages(tmp_path: Path) -> None:
    app = create_app({"db": None, "fixtures": [str(write_fixtures(tmp_path / "fx"))]})
    try:
        state = export_state(get_emulator(app).store)
        assert [p["client_id"] for p in state["packages"]] == ["order-sync", "plain"]
        assert [e["EventType"] for e in state["events"]] == ["Click"]
    finally:
        get_emulator(app).close()
