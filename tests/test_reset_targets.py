"""The reset targets on real stores: ``start`` (the default), ``fixtures`` and ``empty``.

A ``--db`` file seeded before the emulator starts is the CI pipeline's case: its seeded DE must
come back on a default reset, whatever the tests did to it meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
import tinydb
from conftest import token_body

from emulator.clock import Clock
from emulator.errors import ConfigError
from emulator.fixtures.discovery import load_fixture_dirs
from emulator.journal import Journal
from emulator.reset import reset
from emulator.runtime import Emulator, get_emulator
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store
from emulator.testing import mock_marketing_cloud

USERS = {"key": "Users", "fields": [{"name": "Id", "primaryKey": True}, {"name": "Name"}]}
SEEDED = [{"Id": "u1", "Name": "Ann"}, {"Id": "u2", "Name": "Bob"}]
FIXTURE_DES = ["AppCredentials", "CustomAppException", "HTTPProperties"]


def post(client: Any, path: str, body: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def seeded_db(path: Path, http_rows: int = 1) -> Path:
    """A --db file as a pipeline leaves it: the fixtures, a seeded Users DE, some requests."""
    with Store.open(path) as store:
        store.replace_all(load_fixture_dirs([]))
        store.create(DataExtensionSchema.from_json(USERS, "test"), SEEDED)
        store.add_rows("HTTPProperties", [{"Method": "GET"}] * http_rows)
    return path


@pytest.fixture
def seeded(make_app: Callable[..., Any], tmp_path: Path) -> Any:
    """A client of an emulator serving a seeded --db file."""
    return make_app({"db": str(seeded_db(tmp_path / "ci.json"))}).test_client()


def change_everything(client: Any) -> None:
    """What a test run does: requests, rows added and changed, a DE created, one dropped."""
    assert client.post("/token", data=token_body()).status_code == 200
    added = post(client, "/_emulator/data-extensions/Users/rows",
                 [{"Id": "u3", "Name": "Cy"}, {"Id": "u1", "Name": "Changed"}])
    assert added.status_code == 200, added.json
    created = post(client, "/_emulator/data-extensions", {"key": "Extra", "fields": [
        {"name": "A"}], "rows": [{"A": "x"}]})
    assert created.status_code == 201
    assert client.delete("/_emulator/data-extensions/CustomAppException").status_code == 204


def rows(client: Any, key: str) -> list[dict[str, Any]]:
    return client.get(f"/_emulator/data-extensions/{key}/rows").json["rows"]


def test_a_default_reset_gives_back_the_seeded_file(seeded: Any) -> None:
    change_everything(seeded)
    answer = post(seeded, "/_emulator/reset", {})
    assert answer.status_code == 200
    assert answer.json == {"reset": "start", "journalCleared": False, "dataExtensions": {
        "AppCredentials": 1, "CustomAppException": 0, "HTTPProperties": 1, "Users": 2}}
    assert rows(seeded, "Users") == SEEDED  # the row changed in place is back as seeded
    assert seeded.get("/_emulator/journal").json["total"] == 1
    change_everything(seeded)  # the start state survives a reset: a second one gives it again
    assert post(seeded, "/_emulator/reset", {"to": "start"}).json["dataExtensions"]["Users"] == 2
    assert rows(seeded, "Users") == SEEDED


def test_the_file_holds_the_start_state_after_a_reset(make_app: Callable[..., Any],
                                                      tmp_path: Path) -> None:
    path = seeded_db(tmp_path / "ci.json")
    app = make_app({"db": str(path)})
    change_everything(app.test_client())
    post(app.test_client(), "/_emulator/reset", {})
    get_emulator(app).close()
    with tinydb.TinyDB(path) as db:
        assert [row["Name"] for row in db.table("Users").all()] == ["Ann", "Bob"]
        assert len(db.table("HTTPProperties")) == 1
        assert "Extra" not in db.tables()


def test_fixtures_drop_the_seeded_de_and_empty_keeps_every_schema(seeded: Any) -> None:
    change_everything(seeded)
    fixtures = post(seeded, "/_emulator/reset", {"to": "fixtures"}).json
    assert fixtures["dataExtensions"] == {"AppCredentials": 1, "CustomAppException": 0,
                                          "HTTPProperties": 0}
    post(seeded, "/_emulator/reset", {})
    empty = post(seeded, "/_emulator/reset", {"to": "empty"}).json
    assert empty["dataExtensions"] == {"AppCredentials": 0, "CustomAppException": 0,
                                       "HTTPProperties": 0, "Users": 0}
    assert seeded.get("/_emulator/data-extensions/Users").json["fields"][0]["primaryKey"]


def test_the_journal_goes_only_when_asked(seeded: Any) -> None:
    seeded.post("/token", data=token_body())
    post(seeded, "/_emulator/reset", {"to": "empty"})
    assert seeded.get("/_emulator/journal").json["total"] == 1
    cleared = post(seeded, "/_emulator/reset", {"journal": True}).json
    assert cleared["journalCleared"] is True and cleared["dataExtensions"]["Users"] == 2
    assert seeded.get("/_emulator/journal").json["total"] == 0


def test_a_frozen_clock_stays_frozen(make_app: Callable[..., Any]) -> None:
    client = make_app({"frozen_time": "2024-01-15T12:00:00Z"}).test_client()
    for body in ({}, {"to": "fixtures"}, {"to": "empty", "journal": True}):
        post(client, "/_emulator/reset", body)
        clock = client.get("/_emulator/state").json["clock"]
        assert clock == {"now": "2024-01-15T12:00:00+00:00", "frozen": True}


def test_a_memory_store_starts_as_its_fixtures(memory_app: Any) -> None:
    client = memory_app.test_client()
    client.post("/token", data=token_body())
    post(client, "/_emulator/data-extensions", {"key": "Extra", "fields": [{"name": "A"}]})
    client.delete("/_emulator/data-extensions/CustomAppException")
    answer = post(client, "/_emulator/reset", {}).json
    assert answer["dataExtensions"] == {"AppCredentials": 1, "CustomAppException": 0,
                                        "HTTPProperties": 0}
    assert get_emulator(memory_app).start_state is get_emulator(memory_app).fixtures


def test_fixture_des_the_file_lacked_are_part_of_its_start(make_app: Callable[..., Any],
                                                           tmp_path: Path) -> None:
    path = tmp_path / "only-users.json"
    with Store.open(path) as store:
        store.create(DataExtensionSchema.from_json(USERS, "test"), SEEDED)
    client = make_app({"db": str(path)}).test_client()
    client.delete("/_emulator/data-extensions/AppCredentials")
    answer = post(client, "/_emulator/reset", {}).json
    assert answer["dataExtensions"] == {"Users": 2, "AppCredentials": 1,
                                        "CustomAppException": 0, "HTTPProperties": 0}


def test_an_unknown_start_state_is_refused(tmp_path: Path) -> None:
    store = Store.open(seeded_db(tmp_path / "ci.json"))
    emulator = Emulator(settings=None, store=store, clock=Clock(),  # type: ignore[arg-type]
                        journal=Journal(), mounts={}, fixtures=load_fixture_dirs([]))
    try:
        with pytest.raises(ConfigError, match="cannot reset to start: the state this store "
                                              "started with is not known here"):
            reset(emulator)
        assert store.count("Users") == 2
        with pytest.raises(ConfigError, match="expected one of: start .the default., fixtures "
                                              "or empty"):
            reset(emulator, "nowhere")
    finally:
        emulator.close()


def test_the_mock_handle_resets_to_its_start_and_keeps_the_journal() -> None:
    url = "https://cloud.example.com/token"
    with mock_marketing_cloud({url: "token"}) as mc:
        mc.freeze(datetime(2024, 1, 15, 12))
        assert requests.post(url, data=token_body(), timeout=5).status_code == 200
        mc.seed("CustomAppException", [{"Message": "m", "FunctionName": "f"}])
        mc.store.create(DataExtensionSchema.from_json(USERS, "test"), SEEDED)
        mc.reset()
        assert mc.store.keys() == FIXTURE_DES
        assert mc.rows("HTTPProperties") == [] and mc.rows("CustomAppException") == []
        assert len(mc.journal()) == 1
        assert mc.clock.now_utc() == datetime(2024, 1, 15, 12, tzinfo=timezone.utc)
        mc.reset(to="empty")
        assert mc.store.keys() == FIXTURE_DES and mc.rows("AppCredentials") == []
        mc.reset(to="fixtures", journal=True)
        assert len(mc.rows("AppCredentials")) == 1 and mc.journal() == []
        with pytest.raises(ConfigError, match="cannot reset to 'nowhere'"):
            mc.reset(to="nowhere")
