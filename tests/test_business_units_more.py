"""Business units, the rest: Client.ID of every object kind, DataExtensionField in the acting
unit, ``<MID>/<key>`` spellings that reach nothing, seeds checked against the target's units,
and DE keys that read as a unit's table.

Pages run in the enterprise (100); 200 and 300 are brands beneath it, so ``setClientId`` may
act as either and ``QueryAllAccounts`` covers all three.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import fixtures_only_app, write_unit_fixtures
from flask import Flask
from flask.testing import FlaskClient
from tinydb import TinyDB

from emulator.cli import main
from emulator.errors import FixtureError
from emulator.runtime import get_emulator

UNITS = [{"mid": 100, "name": "Enterprise", "parent": None},
         {"mid": 200, "name": "Brand A", "parent": 100},
         {"mid": 300, "name": "Brand B", "parent": 100}]
FIELDS = [{"name": "Id", "primaryKey": True, "length": 10}, {"name": "Item"}]
DES = {
    "Orders": {"key": "Orders", "fields": FIELDS, "rows": [{"Id": "1", "Item": "enterprise"}]},
    "AOrders": {"key": "Orders", "mid": 200,
                "fields": [{"name": "Id", "primaryKey": True, "length": 10}, {"name": "Brand"}],
                "rows": [{"Id": "1", "Brand": "brand A"}]},
    "Private": {"key": "Private", "mid": 200, "fields": FIELDS,
                "rows": [{"Id": "1", "Item": "private"}]},
    "Catalog": {"key": "Catalog", "mid": 200,
                "fields": [{"name": "Id", "primaryKey": True, "length": 10}, {"name": "Title"}],
                "rows": [{"Id": "1", "Title": "shared book"}]},
}
FOLDERS = [{"ID": 5001, "Name": "Shared Data Extensions", "ParentID": 1003,
            "ContentType": "shared_dataextension", "DataExtensions": ["200/Catalog"]}]

OBJECTS_PAGE = """<script runat="server">
Platform.Load("core", "1.1.1");
var p = new Script.Util.WSProxy();
var tag = Platform.Request.GetQueryStringParameter("tag");
var mid = Platform.Request.GetQueryStringParameter("mid");
var all = Platform.Request.GetQueryStringParameter("all") == "1";
if (mid) { p.setClientId({ID: mid}); }
if (tag) {
  p.createItem("DataFolder", {Name: "F-" + tag, CustomerKey: "F-" + tag,
                              ParentFolder: {ID: 1003}});
  p.createItem("List", {ListName: "L-" + tag, CustomerKey: "L-" + tag});
  p.createItem("Subscriber", {EmailAddress: tag + "@example.com", SubscriberKey: "S-" + tag,
                              Lists: [{ID: 1, Status: "Active"}]});
}
function seen(type, key) {
  var r = p.retrieve(type, [key, "Client.ID"], null, null, all ? {QueryAllAccounts: true} : null);
  var out = [];
  for (var i = 0; i < r.Results.length; i++) {
    var k = String(r.Results[i][key]);
    if (type != "DataFolder" || k.indexOf("F-") == 0) {
      out.push(k + "@" + r.Results[i].Client.ID);
    }
  }
  out.sort();
  return r.Status + ":" + out.join(",");
}
Write([seen("DataFolder", "CustomerKey"), seen("List", "CustomerKey"),
       seen("Subscriber", "SubscriberKey"), seen("ListSubscriber", "SubscriberKey"),
       seen("DataFolder", "Name").split(":")[0]].join("\\n"));
</script>"""
FIELDS_PAGE = """<script runat="server">
Platform.Load("core", "1.1.1");
var p = new Script.Util.WSProxy();
var mid = Platform.Request.GetQueryStringParameter("mid");
if (mid) { p.setClientId({ID: mid}); }
var r = p.retrieve("DataExtensionField", ["Name", "DataExtension.CustomerKey"],
  {Property: "DataExtension.CustomerKey", SimpleOperator: "equals",
   Value: Platform.Request.GetQueryStringParameter("key")});
var out = [];
for (var i = 0; i < r.Results.length; i++) { out.push(r.Results[i].Name); }
Write(r.Status + ":" + out.join(","));
</script>"""
SPELLING_PAGE = """<script runat="server">
Platform.Load("core", "1.1.1");
var key = Platform.Request.GetQueryStringParameter("key");
var p = new Script.Util.WSProxy();
var got = "hidden";
try { var rows = DataExtension.Init(key).Rows.Retrieve(); got = String(rows.length); }
catch (e) { got = "hidden"; }
var ws = p.retrieve("DataExtensionObject[" + key + "]", ["Id"]);
var removed = p.deleteItem("DataExtension", {CustomerKey: key});
Write(got + "|" + (ws.Status == "OK" ? "seen" : "hidden") + "|" + removed.Status);
</script>"""
LOOKUP_PAGE = """%%[ SET @x = Lookup("200/Private", "Item", "Id", "1") ]%%%%=v(@x)=%%"""
CREATE_PAGE = """<script runat="server">
Platform.Load("core", "1.1.1");
var p = new Script.Util.WSProxy();
var r = p.createItem("DataExtension", {CustomerKey: "300/Orders", Name: "Orders",
  Fields: [{Name: "Id", FieldType: "Text", MaxLength: 10, IsPrimaryKey: true}]});
Write(r.Status + "|" + r.Results[0].StatusMessage);
</script>"""
LISTS = [{"ID": 1, "ListName": "All", "CustomerKey": "all"}]


def write_fixtures(root: Path, units: Any = UNITS, des: dict[str, Any] | None = None,
                   folders: Any = FOLDERS) -> Path:
    return write_unit_fixtures(root, units, DES if des is None else des, folders)


build = fixtures_only_app


@pytest.fixture(scope="module")
def units_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("units_more")
    fixtures = write_fixtures(root / "fixtures")
    (fixtures / "lists.json").write_text(json.dumps(LISTS), encoding="utf-8")
    pages = root / "pages"
    pages.mkdir()
    for name, page in (("objects", OBJECTS_PAGE), ("fields", FIELDS_PAGE),
                       ("spelling", SPELLING_PAGE), ("lookup", LOOKUP_PAGE),
                       ("create", CREATE_PAGE)):
        (pages / f"{name}.html").write_text(page, encoding="utf-8")
    app = build(fixtures, pages=str(pages), ssjs_timeout=20)
    get_emulator(app).checkpoint()
    yield app
    get_emulator(app).close()


@pytest.fixture
def client(units_app: Flask) -> Iterator[FlaskClient]:
    yield units_app.test_client()
    get_emulator(units_app).rollback()


def text(response: Any) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


# --- Client.ID of folders, lists, subscribers ----------------------------------------------------

def test_fixture_objects_belong_to_the_page_unit(client: FlaskClient) -> None:
    lines = text(client.get("/objects")).split("\n")
    assert lines[0] == "OK:"  # only the F- folders are listed; none yet
    assert lines[1] == "OK:all@100"
    assert text(client.get("/objects?mid=200")).split("\n")[1] == "OK:"


def test_objects_created_after_set_client_id_belong_to_the_acting_unit(
        client: FlaskClient) -> None:
    assert text(client.get("/objects?tag=a")).split("\n")[:4] == [
        "OK:F-a@100", "OK:L-a@100,all@100", "OK:S-a@100", "OK:S-a@100"]
    assert text(client.get("/objects?tag=b&mid=200")).split("\n")[:4] == [
        "OK:F-b@200", "OK:L-b@200", "OK:S-b@200", "OK:S-b@200"]
    # the enterprise sees its own only; QueryAllAccounts every unit it reaches
    assert text(client.get("/objects")).split("\n")[:3] == [
        "OK:F-a@100", "OK:L-a@100,all@100", "OK:S-a@100"]
    assert text(client.get("/objects?all=1")).split("\n")[:4] == [
        "OK:F-a@100,F-b@200", "OK:L-a@100,L-b@200,all@100", "OK:S-a@100,S-b@200",
        "OK:S-a@100,S-b@200"]
    # a sibling sees neither
    assert text(client.get("/objects?mid=300")).split("\n")[:3] == ["OK:", "OK:", "OK:"]


def test_ownership_is_rolled_back_with_the_test(client: FlaskClient,
                                                units_app: Flask) -> None:
    text(client.get("/objects?tag=c&mid=300"))
    assert get_emulator(units_app).store.has_records("_unit_objects")
    get_emulator(units_app).rollback()
    assert not get_emulator(units_app).store.has_records("_unit_objects")
    assert text(client.get("/objects?mid=300&all=1")).split("\n")[:3] == ["OK:", "OK:", "OK:"]


def test_a_store_with_one_unit_keeps_no_ownership_table(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "objects.html").write_text(OBJECTS_PAGE, encoding="utf-8")
    fixtures = write_fixtures(tmp_path / "fx", None, {"Orders": DES["Orders"]}, None)
    app = build(fixtures, pages=str(pages), ssjs_timeout=20)
    try:
        lines = text(app.test_client().get("/objects?tag=x")).split("\n")
        assert lines[0] == "OK:F-x@100000001" and lines[2] == "OK:S-x@100000001"
        assert not get_emulator(app).store.has_records("_unit_objects")
    finally:
        get_emulator(app).close()


# --- DataExtensionField in the acting unit -------------------------------------------------------

@pytest.mark.parametrize(("query", "answer"), [
    ("key=Orders", "OK:Id,Item"),             # the enterprise's own
    ("key=Orders&mid=200", "OK:Id,Brand"),    # brand A's own, not the enterprise's
    ("key=Catalog", "OK:Id,Title"),           # brand A's, shared: every unit sees it
    ("key=Catalog&mid=300", "OK:Id,Title"),
    ("key=Private", "OK:"),                   # brand A's, not shared
    ("key=Private&mid=300", "OK:"),
    ("key=Private&mid=200", "OK:Id,Item"),
    ("key=200/Private", "OK:"),               # a key, not a way into another unit
])
def test_data_extension_field_resolves_the_key_in_the_acting_unit(
        client: FlaskClient, query: str, answer: str) -> None:
    assert text(client.get(f"/fields?{query}")) == answer


# --- <MID>/<key> spellings ---------------------------------------------------------------------

def test_a_mid_slash_key_spelling_reaches_no_other_units_de(client: FlaskClient,
                                                            units_app: Flask) -> None:
    answer = text(client.get("/spelling?key=200/Private"))
    assert answer.split("|")[:2] == ["hidden", "hidden"]
    assert answer.split("|")[2] == "Error"  # the delete found nothing to drop
    assert get_emulator(units_app).store.has("200/Private")
    # shared or not: the shared DE is reached by its key, never by the table's name
    assert text(client.get("/spelling?key=200/Catalog")).split("|")[:2] == ["hidden", "hidden"]
    assert get_emulator(units_app).store.has("200/Catalog")
    assert text(client.get("/spelling?key=Catalog")).split("|")[:2] == ["1", "seen"]


def test_a_lookup_of_a_mid_slash_name_finds_nothing(client: FlaskClient,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    assert client.get("/lookup").status_code == 422
    assert "A Data Extension of this name does not exist." in caplog.text


def test_a_page_cannot_create_a_de_keyed_like_a_unit_table(client: FlaskClient,
                                                           units_app: Flask) -> None:
    status, message = text(client.get("/create")).split("|", 1)
    assert status == "Error"
    assert "reads as business unit 300's table" in message and "\"mid\": 300" in message
    assert not get_emulator(units_app).store.has("300/Orders")


# --- DE keys that read as a unit's table --------------------------------------------------------

@pytest.mark.parametrize("units", [None, UNITS])
def test_a_fixture_key_shaped_like_a_unit_table_is_refused_saying_what_to_do(
        tmp_path: Path, units: Any) -> None:
    des = {"X": {"key": "300/Orders", "fields": FIELDS}}
    with pytest.raises(FixtureError) as refused:
        build(write_fixtures(tmp_path, units, des, folders=None))
    said = str(refused.value)
    assert "X.json" in said
    assert "the key '300/Orders' reads as business unit 300's table" in said
    assert "\"key\": 'Orders' with \"mid\": 300" in said


def test_keys_with_a_slash_that_are_not_unit_shaped_still_load(tmp_path: Path) -> None:
    des = {"X": {"key": "a/300", "fields": FIELDS}, "Y": {"key": "12x/Orders", "fields": FIELDS}}
    app = build(write_fixtures(tmp_path, None, des, folders=None))
    assert sorted(get_emulator(app).store.keys()) == ["12x/Orders", "a/300"]
    get_emulator(app).close()


# --- mcemu seed against the target's units -------------------------------------------------------

def seed(*args: str) -> Any:
    return CliRunner().invoke(main, ["seed", *args])


def tables(db: Path) -> set[str]:
    with TinyDB(db) as tiny:
        return set(tiny.tables())


@pytest.fixture
def units_db(tmp_path: Path) -> Path:
    """A --db file holding units 100 (pages' unit), 200 and 300, and the enterprise's Orders."""
    db = tmp_path / "target.db"
    source = write_fixtures(tmp_path / "first", UNITS, {"Orders": DES["Orders"]}, None)
    assert seed("--db", str(db), str(source)).exit_code == 0
    return db


def test_seed_of_another_units_de_is_checked_against_the_targets_units(
        tmp_path: Path, units_db: Path) -> None:
    source = write_fixtures(tmp_path / "de300", None,
                            {"B": {"key": "Orders", "mid": 300, "fields": FIELDS}}, None)
    result = seed("--db", str(units_db), str(source))
    assert result.exit_code == 0, result.output
    assert "300/Orders" in tables(units_db)


@pytest.mark.parametrize(("des", "says"), [
    ({"B": {"key": "Orders", "mid": 999, "fields": FIELDS}},
     "belongs to MID 999, which no business_units.json declares; declared: 100, 200, 300"),
    ({"B": {"key": "Orders", "mid": 100, "fields": FIELDS}}, "the default unit"),
    ({"B": {"key": "100/Orders", "fields": FIELDS}}, "reads as business unit 100's table"),
])
def test_seed_refuses_a_de_of_a_unit_the_target_does_not_have(
        tmp_path: Path, units_db: Path, des: dict[str, Any], says: str) -> None:
    before = units_db.read_bytes()
    result = seed("--db", str(units_db), str(write_fixtures(tmp_path / "bad", None, des, None)))
    assert result.exit_code == 1
    assert says in result.output
    assert units_db.read_bytes() == before


def test_seed_into_a_db_without_units_needs_a_units_file(tmp_path: Path) -> None:
    db = tmp_path / "plain.db"
    des = {"B": {"key": "Orders", "mid": 300, "fields": FIELDS}}
    alone = seed("--db", str(db), str(write_fixtures(tmp_path / "alone", None, des, None)))
    assert alone.exit_code == 1
    assert "belongs to MID 300, which no business_units.json declares" in alone.output
    assert not db.exists()
    withunits = seed("--db", str(db), str(write_fixtures(tmp_path / "with", UNITS, des, None)))
    assert withunits.exit_code == 0, withunits.output
    assert {"300/Orders", "_business_units"} <= tables(db)


def test_seeded_units_must_make_one_tree_with_the_targets(tmp_path: Path,
                                                          units_db: Path) -> None:
    before = units_db.read_bytes()
    other = [{"mid": 900, "name": "Another enterprise", "parent": None}]
    result = seed("--db", str(units_db), str(write_fixtures(tmp_path / "tree", other,
                                                       {"Z": DES["Orders"]}, None)))
    assert result.exit_code == 1
    assert "exactly one business unit is the enterprise" in result.output
    assert units_db.read_bytes() == before


def test_a_dry_run_seed_reports_the_unit_problem_too(tmp_path: Path, units_db: Path) -> None:
    des = {"B": {"key": "Orders", "mid": 999, "fields": FIELDS}}
    result = seed("--db", str(units_db), "--dry-run",
                  str(write_fixtures(tmp_path / "dry", None, des, None)))
    assert result.exit_code == 1 and "MID 999" in result.output
