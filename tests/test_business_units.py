"""Business units: business_units.json, unit tables, what a page sees, setClientId, export.

A store with an enterprise (100) and two brands (200, the unit pages run in, and 300): each
DE belongs to one unit, a DE in the shared folder is seen by every unit, ``ENT.`` reads the
enterprise's, and WSProxy acts as a unit beneath the page's one but never above or beside it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import fixtures_only_app, module_app, rolled_back_client, write_unit_fixtures
from flask import Flask
from flask.testing import FlaskClient
from tinydb import TinyDB

from emulator.cli import main
from emulator.errors import FixtureError
from emulator.runtime import get_emulator

UNITS = [{"mid": 100, "name": "Enterprise", "parent": None},
         {"mid": 200, "name": "Brand A", "parent": 100, "default": True},
         {"mid": 300, "name": "Brand B", "parent": 100}]
FIELDS = [{"name": "Id", "primaryKey": True, "length": 10}, {"name": "Item"}]
DES = {
    "Orders": {"key": "Orders", "fields": FIELDS, "rows": [{"Id": "1", "Item": "own"}]},
    "BOrders": {"key": "Orders", "mid": 300, "fields": FIELDS,
                "rows": [{"Id": "1", "Item": "sibling"}]},
    "Merchants": {"key": "Merchants", "mid": 100, "fields": FIELDS,
                  "rows": [{"Id": "M1", "Item": "Lyon"}]},
    "Catalog": {"key": "Catalog", "mid": 100, "fields": FIELDS,
                "rows": [{"Id": "S1", "Item": "shared book"}]},
}
FOLDERS = [{"ID": 5001, "Name": "Catalogs", "ParentID": 1003, "DataExtensions": ["100/Catalog"]}]

AMPSCRIPT_PAGE = """%%[
SET @own = Lookup("Orders", "Item", "Id", "1")
SET @ent = Lookup("ENT.Merchants", "Item", "Id", "M1")
SET @shared = Lookup("Catalog", "Item", "Id", "S1")
SET @rows = RowCount(LookupRows("ent.Merchants", "Id", "M1"))
]%%%%=v(@own)=%%|%%=v(@ent)=%%|%%=v(@shared)=%%|%%=v(@rows)=%%"""
HIDDEN_PAGE = """%%[ SET @x = Lookup("Merchants", "Item", "Id", "M1") ]%%%%=v(@x)=%%"""
WSPROXY_PAGE = """<script runat="server">
Platform.Load("core", "1.1.1");
var p = new Script.Util.WSProxy();
function keys(r) { var out = []; for (var i = 0; i < r.Results.length; i++) {
  out.push(r.Results[i].CustomerKey + "@" + r.Results[i].Client.ID); } return out.join(","); }
var cols = ["CustomerKey", "Client.ID"];
var mine = p.retrieve("DataExtension", cols);
var all = p.retrieve("DataExtension", cols, null, null, {QueryAllAccounts: true});
var target = Platform.Request.GetQueryStringParameter("mid");
var set = target ? p.setClientId({ID: target}) : "none";
var after = p.retrieve("DataExtension", cols);
var rows = p.retrieve("DataExtensionObject[Orders]", ["Item"]);
p.resetClientIds();
var back = p.retrieve("DataExtension", cols);
Write([keys(mine), keys(all), String(set), after.Status, keys(after),
       rows.Status == "OK" ? rows.Results[0].Properties[0].Value : "-", keys(back)].join("\\n"));
</script>"""
CORE_PAGE = """<script runat="server">
Platform.Load("core", "1.1.1");
function keys(a) { var out = []; for (var i = 0; i < a.length; i++) {
  out.push(a[i].CustomerKey); } return out.join(","); }
Write(keys(DataExtension.Retrieve(null)) + "|" + keys(DataExtension.Retrieve(null, true)));
</script>"""
INIT_PAGE = """<script runat="server">
Platform.Load("core", "1.1.1");
var shared = DataExtension.Init("Catalog").Rows.Lookup(["Id"], ["S1"]);
var hidden = "none";
try { DataExtension.Init("Merchants").Rows.Lookup(["Id"], ["M1"]); hidden = "seen"; }
catch (e) { hidden = "hidden"; }
Write(shared[0].Item + "|" + hidden);
</script>"""


def write_fixtures(root: Path, units: Any = UNITS, des: dict[str, Any] | None = None,
                   folders: Any = FOLDERS) -> Path:
    return write_unit_fixtures(root, units, DES if des is None else des, folders)


build = fixtures_only_app


@pytest.fixture(scope="module")
def units_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("units")
    fixtures = write_fixtures(root / "fixtures")
    pages = root / "pages"
    pages.mkdir()
    for name, text in (("lookups", AMPSCRIPT_PAGE), ("hidden", HIDDEN_PAGE),
                       ("wsproxy", WSPROXY_PAGE), ("core", CORE_PAGE), ("init", INIT_PAGE)):
        (pages / f"{name}.html").write_text(text, encoding="utf-8")
    yield from module_app(fixtures, pages=str(pages), ssjs_timeout=20)


@pytest.fixture
def client(units_app: Flask) -> Iterator[FlaskClient]:
    yield from rolled_back_client(units_app)


def text(response: Any) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


# --- fixtures and tables -----------------------------------------------------------------------

def test_another_units_tables_are_named_mid_slash_key_the_page_units_bare(
        units_app: Flask) -> None:
    store = get_emulator(units_app).store
    assert sorted(store.keys()) == ["100/Catalog", "100/Merchants", "300/Orders", "Orders"]
    assert store.schema("300/Orders").name == "Orders"
    assert [r["mid"] for r in store.records("_business_units")] == [100, 200, 300]


def test_a_db_file_holds_the_unit_tables(tmp_path: Path) -> None:
    db = tmp_path / "units.db"
    app = build(write_fixtures(tmp_path / "fx"), db=str(db))
    get_emulator(app).close()
    with TinyDB(db) as opened:
        assert {"300/Orders", "100/Merchants", "Orders", "_business_units"} <= opened.tables()
        assert opened.table("300/Orders").all()[0]["Item"] == "sibling"


@pytest.mark.parametrize(("units", "des", "says"), [
    ([*UNITS, {"mid": 300, "name": "Again", "parent": 100}], {}, "MID 300 is used twice"),
    ([*UNITS, {"mid": 400, "name": "Other", "parent": None}], {},
     "exactly one business unit is the enterprise"),
    ([{"mid": 200, "name": "A", "parent": 100}], {}, "exactly one business unit"),
    ([*UNITS, {"mid": 400, "name": "Lost", "parent": 999}], {}, "parent 999 is no business"),
    ([*UNITS, {"mid": 400, "name": "B", "parent": 100, "default": True}], {},
     "are all marked default"),
    (UNITS, {"X": {"key": "X", "mid": 999, "fields": FIELDS}},
     "belongs to MID 999, which no business_units.json declares"),
    (None, {"X": {"key": "X", "mid": 300, "fields": FIELDS}},
     "belongs to MID 300, which no business_units.json declares"),
    (UNITS, {"X": {"key": "X", "mid": 200, "fields": FIELDS}}, "the default unit"),
    (UNITS, {"X": {"key": "X", "mid": "300", "fields": FIELDS}},
     '"mid" (the business unit) is a whole number'),
    (UNITS, {"X": {"key": "X", "mid": 0, "fields": FIELDS}}, "a whole number from 1"),
    ([{"mid": "100", "name": "E", "parent": None}], {}, "mid is a whole number"),
    ([{"mid": 100, "parent": None}], {}, "name is missing or empty"),
    ([{"mid": 100, "name": "E"}], {}, "parent is missing"),
    ([{"mid": 100, "name": "E", "parent": None, "colour": "red"}], {},
     "a business unit has no 'colour'"),
    ([{"mid": 100, "name": "E", "parent": None, "default": "yes"}], {},
     "default is true or false"),
    ({"mid": 100}, {}, "holds a JSON list of business-unit objects"),
    ([7], {}, "a business unit is a JSON object"),
])
def test_bad_units_and_unit_des_are_refused_naming_what_is_wrong(
        tmp_path: Path, units: Any, des: dict[str, Any], says: str) -> None:
    with pytest.raises(FixtureError) as refused:
        build(write_fixtures(tmp_path, units, des, folders=None))
    assert says in str(refused.value)
    if units is not None and des == {}:
        assert "business_units.json" in str(refused.value)


def test_without_a_units_file_nothing_changes(tmp_path: Path) -> None:
    app = build(write_fixtures(tmp_path, None, {"Orders": DES["Orders"]}, folders=None))
    store = get_emulator(app).store
    assert store.keys() == ["Orders"] and not store.has_records("_business_units")
    answer = app.test_client().get("/_emulator/state").get_json()
    assert "300/Orders" not in json.dumps(answer)
    get_emulator(app).close()


# --- what a page sees ------------------------------------------------------------------------

def test_ampscript_lookups_see_their_unit_the_shared_folder_and_ent(client: FlaskClient) -> None:
    assert text(client.get("/lookups")) == "own|Lyon|shared book|1"


def test_another_units_de_is_not_found_without_ent(client: FlaskClient,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    response = client.get("/hidden")
    assert response.status_code == 422  # the AMPscript error, as for any unknown DE
    assert "A Data Extension of this name does not exist." in caplog.text


def test_init_binds_a_shared_de_and_not_another_units(client: FlaskClient) -> None:
    assert text(client.get("/init")) == "shared book|hidden"


# --- WSProxy and Core --------------------------------------------------------------------------

def test_a_child_sees_its_des_and_the_shared_ones_and_is_denied_its_parent(
        client: FlaskClient) -> None:
    lines = text(client.get("/wsproxy?mid=100")).split("\n")
    assert lines[0] == "Catalog@100,Orders@200"
    assert lines[1] == "Catalog@100,Orders@200"  # a brand reaches only itself
    assert lines[2] == "null"
    assert lines[3].startswith("Error: ") and "200" in lines[3] and "ID[100]" in lines[3]
    assert lines[4:6] == ["", "-"]
    assert lines[6] == "Catalog@100,Orders@200"  # resetClientIds: the page's unit again


def test_a_sibling_is_denied_too(client: FlaskClient) -> None:
    lines = text(client.get("/wsproxy?mid=300")).split("\n")
    assert "ID[300]" in lines[3] and "200" in lines[3]


def test_the_page_unit_as_client_id_works(client: FlaskClient) -> None:
    lines = text(client.get("/wsproxy?mid=200")).split("\n")
    assert lines[3:6] == ["OK", "Catalog@100,Orders@200", "own"]


def test_from_the_enterprise_set_client_id_retargets_and_query_all_spans_units(
        tmp_path: Path) -> None:
    units = [{**u, "default": u["mid"] == 100} for u in UNITS]
    des = {k: v for k, v in DES.items() if k != "Merchants"}
    des["Mine"] = {"key": "Mine", "fields": FIELDS}  # the enterprise's own: bare table
    des["BOrders"] = {**DES["BOrders"]}
    des["AOrders"] = {"key": "Orders", "mid": 200, "fields": FIELDS,
                      "rows": [{"Id": "1", "Item": "brand a"}]}
    des.pop("Orders")
    des["Catalog"] = {k: v for k, v in DES["Catalog"].items() if k != "mid"}
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "wsproxy.html").write_text(WSPROXY_PAGE, encoding="utf-8")
    (pages / "core.html").write_text(CORE_PAGE, encoding="utf-8")
    folders = [{**FOLDERS[0], "DataExtensions": ["Catalog"]}]
    app = build(write_fixtures(tmp_path / "fx", units, des, folders), pages=str(pages),
                ssjs_timeout=20)
    try:
        client = app.test_client()
        lines = text(client.get("/wsproxy?mid=300")).split("\n")
        assert lines[0] == "Catalog@100,Mine@100"
        assert lines[1] == "Orders@200,Orders@300,Catalog@100,Mine@100"
        assert lines[2:6] == ["null", "OK", "Orders@300,Catalog@100", "sibling"]
        assert lines[6] == "Catalog@100,Mine@100"
        lines = text(client.get("/wsproxy?mid=200")).split("\n")
        assert lines[4:6] == ["Orders@200,Catalog@100", "brand a"]
        assert text(client.get("/core")) == "Catalog,Mine|Orders,Orders,Catalog,Mine"
    finally:
        get_emulator(app).close()


def test_set_client_id_refuses_what_is_no_mid(client: FlaskClient, units_app: Flask) -> None:
    from emulator.objects.catalog import ObjectSession
    from emulator.platform.wsproxy import WSProxy
    from emulator.script.errors import PlatformError

    proxy = WSProxy(ObjectSession(get_emulator(units_app).store))
    assert proxy.setClientId({"ID": "300", "UserID": 7}) is None
    for bad in ({"ID": "abc"}, {"ID": 0}, {"ID": True}, {"ID": 1.5}, {"UserID": 1}, 300):
        with pytest.raises(PlatformError) as refused:
            proxy.setClientId(bad)
        assert "Error executing setClientId call" in refused.value.message


def test_writes_act_as_the_client_unit(units_app: Flask) -> None:
    from emulator.objects.catalog import ObjectSession

    session = ObjectSession(get_emulator(units_app).store)
    session.client_id = 100
    answer = session.create("DataExtensionObject", [{"CustomerKey": "Orders", "Properties": [
        {"Name": "Id", "Value": "2"}, {"Name": "Item", "Value": "x"}]}])
    assert answer["Status"].startswith("Error: ") and "ID[100]" in answer["Status"]
    session.client_id = None
    answer = session.create("DataExtension", [{"CustomerKey": "New", "Name": "New",
                                               "Fields": [{"Name": "A"}]}])
    assert answer["Status"] == "OK"
    assert get_emulator(units_app).store.has("New")  # the page's unit: a bare table
    get_emulator(units_app).rollback()


# --- export and seed ---------------------------------------------------------------------------

def test_export_writes_mid_and_business_units_and_seeds_back(tmp_path: Path) -> None:
    db, out, again = tmp_path / "a.db", tmp_path / "out", tmp_path / "b.db"
    get_emulator(build(write_fixtures(tmp_path / "fx"), db=str(db))).close()
    runner = CliRunner()
    result = runner.invoke(main, ["export", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    files = {json.loads(p.read_text())["key"] + "@" + str(json.loads(p.read_text()).get("mid"))
             for p in (out / "data_extensions").glob("*.json")}
    assert files == {"Orders@None", "Orders@300", "Merchants@100", "Catalog@100"}
    assert [u["mid"] for u in json.loads((out / "business_units.json").read_text())] == [
        100, 200, 300]
    app = build(out, db=str(again))
    try:
        store = get_emulator(app).store
        assert sorted(store.keys()) == ["100/Catalog", "100/Merchants", "300/Orders", "Orders"]
        assert store.rows("300/Orders")[0]["Item"] == "sibling"
    finally:
        get_emulator(app).close()


def test_the_shipped_schemas_accept_the_units_and_a_unit_de_and_refuse_bad_ones() -> None:
    import jsonschema

    from emulator.schemas import BUSINESS_UNITS_SCHEMA, DATA_EXTENSION_SCHEMA, schema

    units = schema(BUSINESS_UNITS_SCHEMA)
    jsonschema.Draft202012Validator.check_schema(units)
    jsonschema.validate(UNITS, units)
    for bad in ([{"mid": 1, "name": "x"}], [{"mid": "100", "name": "x", "parent": None}],
                [{"mid": 1, "name": "x", "parent": None, "colour": "red"}],
                [{"mid": 1, "name": " ", "parent": None}]):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, units)
    de = {"key": "Orders", "mid": 300, "fields": [{"name": "Id", "type": "Text"}]}
    jsonschema.validate(de, schema(DATA_EXTENSION_SCHEMA))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**de, "mid": "300"}, schema(DATA_EXTENSION_SCHEMA))
