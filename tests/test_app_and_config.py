"""The app factory and its settings: defaults, MCEMU_* variables, explicit overrides."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from conftest import token_body, write_de
from tinydb import TinyDB

from emulator.app import create_app
from emulator.config import DEFAULT_MAX_BODY, Mount, load_settings
from emulator.errors import ConfigError, FixtureError, StoreError
from emulator.runtime import get_emulator
from emulator.store.schema import DataExtensionSchema


def test_defaults():
    settings = load_settings({}, environ={})
    assert (settings.db, settings.fixtures, settings.mount, settings.cors) == (None, (), (), None)
    assert settings.max_body == DEFAULT_MAX_BODY == 5 * 1024 * 1024
    assert settings.no_default_fixtures is False


def test_environment_then_overrides():
    environ = {"MCEMU_DB": "/tmp/a.json", "MCEMU_FIXTURES": os.pathsep.join(["/x", "/y"]),
               "MCEMU_MOUNT": os.pathsep.join(["/a=token", "/b=token"]),
               "MCEMU_NO_DEFAULT_FIXTURES": "1", "MCEMU_MAX_BODY": "1234",
               "MCEMU_FROZEN_TIME": "2024-01-15T12:00:00Z", "MCEMU_CORS": "*"}
    settings = load_settings({"max_body": 99, "DB": "/tmp/b.json"}, environ=environ)
    assert settings.db == "/tmp/b.json"
    assert settings.fixtures == ("/x", "/y")
    assert settings.mount == (Mount("/a", "token"), Mount("/b", "token"))
    assert settings.no_default_fixtures is True
    assert settings.max_body == 99
    assert settings.frozen_time == datetime(2024, 1, 15, 12, tzinfo=timezone.utc)
    assert settings.cors == "*"


@pytest.mark.parametrize(("environ", "message"), [
    ({"MCEMU_MAX_BODY": "lots"}, "MCEMU_MAX_BODY='lots': expected a whole number"),
    ({"MCEMU_MAX_BODY": "0"}, "expected a number above 0"),
    ({"MCEMU_NO_DEFAULT_FIXTURES": "maybe"}, "expected 1 or 0"),
    ({"MCEMU_FROZEN_TIME": "yesterday"}, "expected an ISO 8601 time"),
    ({"MCEMU_MOUNT": "/token"}, "expected PATH=PAGE"),
])
def test_bad_environment_values_are_named(environ, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_settings({}, environ=environ)


def test_unknown_setting_lists_the_settings():
    with pytest.raises(ConfigError, match="unknown setting 'dbfile'; settings are: host, port, "
                                          "db, fixtures, no_default_fixtures, mount, "):
        load_settings({"dbfile": "x"}, environ={})


@pytest.mark.parametrize(("text", "message"), [
    ("token", "expected PATH=PAGE"),
    ("/x=", "expected PATH=PAGE"),
    ("x=token", "must start with '/'"),
    ("/_emulator/x=token", "belong to the emulator"),
    ("/_emulator=token", "belong to the emulator"),
    ("/a b=token", "may not contain"),
    ("/a?b=token", "may not contain"),
])
def test_bad_mounts(text, message):
    with pytest.raises(ConfigError, match=message):
        Mount.parse(text)


def test_unknown_page_lists_the_pages():
    with pytest.raises(ConfigError, match="no page called 'nope'; pages: api, hardened, token"):
        create_app({"mount": ["/x=nope"]})


def test_the_same_mount_given_twice_is_harmless():
    from emulator.runtime import build_mounts

    mounts = build_mounts(load_settings({"mount": ["/a=token", "/a=token", "/token=token"]},
                                        environ={}))
    assert {path: page.name for path, page in mounts.items()} == {"/token": "token",
                                                                   "/api": "api",
                                                                   "/token/hardened": "hardened",
                                                                   "/a": "token"}


def test_environment_reaches_create_app(monkeypatch, tmp_path):
    monkeypatch.setenv("MCEMU_MOUNT", "/jwt-issuer=token")
    monkeypatch.setenv("MCEMU_MAX_BODY", "50")
    app = create_app({"TESTING": True})
    client = app.test_client()
    assert client.post("/jwt-issuer", data=b"{}").status_code == 200
    assert client.post("/jwt-issuer", data=b"x" * 51).status_code == 413
    assert app.config["TESTING"] is True


def test_importing_the_package_builds_nothing_and_stays_light():
    code = "import emulator, sys; print('flask' in sys.modules, 'tinydb' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "False"]


def test_each_app_has_its_own_store():
    first, second = create_app({"TESTING": True}), create_app({"TESTING": True})
    first.test_client().get("/token")
    assert get_emulator(first).store.count("HTTPProperties") == 1
    assert get_emulator(second).store.count("HTTPProperties") == 0


def test_a_db_file_persists_across_apps_and_opens_with_plain_tinydb(tmp_path):
    path = tmp_path / "state.json"
    app = create_app({"db": str(path)})
    app.test_client().post("/token", data=token_body())
    get_emulator(app).close()
    with TinyDB(path) as db:
        assert [row["Method"] for row in db.table("HTTPProperties").all()] == ["POST"]
        assert db.table("AppCredentials").all()[0]["client_id"] == "demo-client"
    again = create_app({"db": str(path)})
    assert get_emulator(again).store.count("HTTPProperties") == 1
    get_emulator(again).close()


def test_a_kept_db_file_gains_fixture_des_it_lacks(tmp_path):
    path = tmp_path / "state.json"
    get_emulator(create_app({"db": str(path), "no_default_fixtures": True,
                             "fixtures": [str(write_de(tmp_path / "a", "Only",
                                                       [{"name": "x"}]).parent.parent)]})
                 ).close()
    app = create_app({"db": str(path)})
    assert sorted(get_emulator(app).store.keys()) == [
        "AppCredentials", "CustomAppException", "HTTPProperties", "Only"]
    get_emulator(app).close()


def test_a_corrupt_db_file_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "state.json"
    path.write_text('{"AppCredentials": {"1": ', encoding="utf-8")
    with pytest.raises(StoreError, match="state.json"):
        create_app({"db": str(path)})
    assert path.read_text(encoding="utf-8") == '{"AppCredentials": {"1": '


def test_a_bad_fixture_directory_is_refused(tmp_path):
    with pytest.raises(FixtureError):
        create_app({"fixtures": [str(tmp_path / "missing")]})
    bad = tmp_path / "bad" / "data_extensions"
    bad.mkdir(parents=True)
    (bad / "Broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(FixtureError, match="Broken.json"):
        create_app({"fixtures": [str(tmp_path / "bad")]})


def test_a_fixture_de_replaces_the_default_one_whole(tmp_path):
    write_de(tmp_path, "AppCredentials", [
        {"name": "client_id", "type": "Text", "length": 100, "primaryKey": True},
        {"name": "client_secret", "type": "Text", "length": 100},
        {"name": "signing_secret", "type": "Text", "length": 256}],
        [{"client_id": "mine", "client_secret": "s", "signing_secret": "k" * 32}])
    app = create_app({"fixtures": [str(tmp_path)]})
    ids = [row["client_id"] for row in get_emulator(app).store.rows("AppCredentials")]
    assert ids == ["mine"]


def test_health_lists_pages_and_row_counts(memory_app):
    answer = json.loads(memory_app.test_client().get("/_emulator/health").data)
    assert answer["status"] == "ok"
    assert answer["pages"] == {"/token": "token", "/api": "api",
                               "/token/hardened": "hardened"}
    assert answer["dataExtensions"] == {"AppCredentials": 1, "CustomAppException": 0,
                                        "HTTPProperties": 0}


def test_reset_to_fixtures_and_to_empty(memory_app):
    from emulator.reset import reset

    emulator = get_emulator(memory_app)
    memory_app.test_client().post("/token", data=token_body())
    emulator.store.create(DataExtensionSchema.from_json(
        {"key": "Extra", "fields": [{"name": "x"}]}, "test"))
    reset(emulator, "fixtures", journal=True)
    assert sorted(emulator.store.keys()) == ["AppCredentials", "CustomAppException",
                                             "HTTPProperties"]
    assert emulator.store.count("HTTPProperties") == 0
    assert emulator.store.count("AppCredentials") == 1
    assert len(emulator.journal) == 0
    reset(emulator, "empty")
    assert sorted(emulator.store.keys()) == ["AppCredentials", "CustomAppException",
                                             "HTTPProperties"]
    assert emulator.store.count("AppCredentials") == 0
    with pytest.raises(ConfigError, match="cannot reset to 'nothing'"):
        reset(emulator, "nothing")
