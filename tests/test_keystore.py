"""The key store GetJWTByKeyName reads: ``keys/<KeyName>.json`` in fixtures directories
(docs/design.md; docs/fidelity.md#getjwtbykeyname)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator.ampscript import sign_jwt
from emulator.ampscript.keys import KeyStore
from emulator.clock import Clock
from emulator.errors import FixtureError
from emulator.fixtures.keystore import load_key_dirs, load_key_file
from emulator.pages import JSON_CODE_RESOURCE, Page
from emulator.pages.runner import run_page
from emulator.platform.globals import PageGlobals
from emulator.platform.request import RequestSnapshot
from emulator.runtime import get_emulator
from emulator.script.errors import ScriptError
from emulator.store.store import Store
from tests.conftest import write_de

DEMO_VALUE = "oGbE/i+gRbdjSen3sVYES5DylJE760qsgNWI77UBUdM="
PAYLOAD_42B = '{"sub":"amp-verify","iat":"1700000000"}'
SIGNATURE_42B = "iC2IjXWi2m7E65Zp7BveyIXQY3uFbHaz1GUEcraTDhI"


def write_key(directory: Path, file_name: str, document: Any) -> Path:
    folder = directory / "keys"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name
    path.write_text(document if isinstance(document, str) else json.dumps(document),
                    encoding="utf-8")
    return path


def key(name: str, value: str = "s3cret") -> dict[str, str]:
    return {"name": name, "type": "symmetric", "value": value}


def test_the_default_fixtures_ship_the_demo_key() -> None:
    keys = load_key_dirs([])
    demo = keys["DemoSigningKey"]
    assert demo.value == DEMO_VALUE and demo.type == "symmetric" and demo.description
    assert keys.find("demosigningkey") is demo  # ASSUMED "key-name-case"
    assert DEMO_VALUE not in repr(demo)


def test_a_given_key_replaces_the_default_one(tmp_path: Path) -> None:
    write_key(tmp_path / "mine", "DemoSigningKey.json", key("DemoSigningKey", "replaced"))
    write_key(tmp_path / "mine", "Other.json", key("Other"))
    keys = load_key_dirs([tmp_path / "mine"])
    assert keys["DemoSigningKey"].value == "replaced"
    assert sorted(keys) == ["DemoSigningKey", "Other"]
    assert list(load_key_dirs([tmp_path / "mine"], include_default=False)) == [
        "DemoSigningKey", "Other"]


def test_a_key_defined_twice_names_both_files(tmp_path: Path) -> None:
    first = write_key(tmp_path / "a", "Shared.json", key("Shared"))
    second = write_key(tmp_path / "b", "shared.json", key("shared"))
    with pytest.raises(FixtureError) as raised:
        load_key_dirs([tmp_path / "a", tmp_path / "b"])
    assert str(first) in raised.value.message and str(second) in raised.value.message


def test_a_directory_without_keys_has_none(tmp_path: Path) -> None:
    (tmp_path / "data_extensions").mkdir()
    assert len(load_key_dirs([tmp_path], include_default=False)) == 0


def test_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="fixtures directory not found"):
        load_key_dirs([tmp_path / "nope"])


@pytest.mark.parametrize(("file_name", "document", "message"), [
    ("K.json", "{not json", "invalid JSON at line 1, column 2"),
    ("K.json", "[]", "must hold a JSON object"),
    ("K.json", {"name": "K", "type": "symmetric"}, '"value"'),
    ("K.json", {"name": "K", "type": "symmetric", "value": ""}, '"value"'),
    ("K.json", {"name": "K", "type": "symmetric", "value": 42}, '"value"'),
    ("K.json", {"name": "K", "type": "asymmetric", "value": "x"}, "asymmetric keys"),
    ("K.json", {"name": "K", "value": "x"}, '"type" must be "symmetric"'),
    ("K.json", {"name": "Other", "type": "symmetric", "value": "x"}, "name the file Other.json"),
    ("K.json", {"name": "", "type": "symmetric", "value": "x"}, "non-empty string"),
    ("K.json", {**key("K"), "secret": "x"}, "unknown key 'secret'"),
    ("K.json", {**key("K"), "description": 7}, '"description" must be a string'),
])
def test_bad_key_files_name_the_file(tmp_path: Path, file_name: str, document: Any,
                                     message: str) -> None:
    path = write_key(tmp_path, file_name, document)
    with pytest.raises(FixtureError) as raised:
        load_key_dirs([tmp_path], include_default=False)
    assert raised.value.message.startswith(str(path)) or str(path) in raised.value.message
    assert message in raised.value.message


def test_a_key_file_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "K.json"
    path.write_bytes(b'{"name": "K", "type": "symmetric", "value": "\xff"}')
    with pytest.raises(FixtureError, match="not UTF-8"):
        load_key_file(path)


def test_the_name_defaults_to_the_file_name(tmp_path: Path) -> None:
    path = write_key(tmp_path, "FromFile.json", {"type": "Symmetric", "value": "v"})
    loaded = load_key_file(path)
    assert (loaded.name, loaded.type, loaded.source) == ("FromFile", "symmetric", path)


# --- wired into the emulator ----------------------------------------------------------------------

def test_the_app_loads_keys_from_its_fixtures(tmp_path: Path, make_app) -> None:
    write_de(tmp_path, "Extra", [{"name": "a"}])
    write_key(tmp_path, "AppKey.json", key("AppKey", "app-secret"))
    emulator = get_emulator(make_app({"fixtures": [str(tmp_path)]}))
    assert sorted(emulator.keys) == ["AppKey", "DemoSigningKey"]
    bare = get_emulator(make_app({"fixtures": [str(tmp_path)], "no_default_fixtures": True}))
    assert list(bare.keys) == ["AppKey"]


def test_a_bad_key_file_stops_the_app(tmp_path: Path, make_app) -> None:
    write_de(tmp_path, "Extra", [{"name": "a"}])
    path = write_key(tmp_path, "Bad.json", "{")
    with pytest.raises(FixtureError, match=str(path)):
        make_app({"fixtures": [str(tmp_path)]})


def _signing_page(g: PageGlobals) -> None:
    g.Platform.Load("core", "1")
    g.Variable.SetValue("@payload", PAYLOAD_42B)
    g.Variable.SetValue("@name", g.Platform.Request.GetQueryStringParameter("key"))
    try:
        g.Write(g.Platform.Function.TreatAsContent(
            "%%=GetJWTByKeyName(@name, 'HS256', @payload)=%%"))
    except ScriptError as ex:  # an SSJS catch block
        g.Write(f"caught: {ex.message}")


@pytest.mark.parametrize(("name", "expected"), [
    ("DemoSigningKey", SIGNATURE_42B),
    ("demosigningkey", SIGNATURE_42B),
    ("Missing", "caught: GetJWTByKeyName: no key with the external key Missing"),
])
def test_a_page_signs_with_a_stored_key(name: str, expected: str) -> None:
    page = Page("signing", _signing_page, JSON_CODE_RESOURCE, "none", "test page")
    with Store.open(None) as store:
        result = run_page(page, RequestSnapshot.build("GET", f"https://x/p?key={name}"), store,
                          Clock(), keys=load_key_dirs([]))
    assert result.status == 200
    text = result.body.decode()
    if expected == SIGNATURE_42B:
        assert text == sign_jwt(DEMO_VALUE, "HS256", PAYLOAD_42B)
        assert text.split(".")[2] == SIGNATURE_42B
    else:
        assert text.startswith(expected)


def test_a_page_without_a_key_store_knows_no_keys() -> None:
    page = Page("signing", _signing_page, JSON_CODE_RESOURCE, "none", "test page")
    with Store.open(None) as store:
        result = run_page(page, RequestSnapshot.build("GET", "https://x/p?key=DemoSigningKey"),
                          store, Clock())
    assert result.body.decode().startswith("caught: GetJWTByKeyName: no key")
    assert KeyStore().find("DemoSigningKey") is None
