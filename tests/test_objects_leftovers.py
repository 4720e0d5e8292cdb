"""Object model leftovers: writes scoped to the acting unit, Stringify of Core stubs.

Pages run in the enterprise (100); 200 and 300 are brands beneath it. ``?mid=`` makes the page
act as that unit (``setClientId``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from conftest import pages_app, rolled_back_client
from flask import Flask
from flask.testing import FlaskClient

from emulator.cli import main
from emulator.errors import FixtureError
from emulator.runtime import get_emulator
from emulator.testing import LiveServer

UNITS = [{"mid": 100, "name": "Enterprise", "parent": None},
         {"mid": 200, "name": "Brand A", "parent": 100},
         {"mid": 300, "name": "Brand B", "parent": 100}]
LISTS = [{"ID": 1, "ListName": "All", "CustomerKey": "all"}]

HEAD = """<script runat="server">
Platform.Load("core", "1.1.1");
var p = new Script.Util.WSProxy();
var q = Platform.Request.GetQueryStringParameter;
var mid = q("mid");
if (mid) { p.setClientId({ID: mid}); }
"""
MAKE = HEAD + """var tag = q("tag");
p.createItem("DataFolder", {Name: "F-" + tag, CustomerKey: "F-" + tag, ParentFolder: {ID: 1003}});
p.createItem("List", {ListName: "L-" + tag, CustomerKey: "L-" + tag});
p.createItem("Subscriber", {EmailAddress: tag + "@example.com", SubscriberKey: "S-" + tag});
Write("made");
</script>"""
CHANGE = HEAD + """var tag = q("tag"), verb = q("verb"), out = [];
var items = verb == "update"
  ? [["DataFolder", {CustomerKey: "F-" + tag, Name: "G-" + tag}],
     ["List", {CustomerKey: "L-" + tag, ListName: "M-" + tag}],
     ["Subscriber", {SubscriberKey: "S-" + tag, EmailAddress: "new-" + tag + "@example.com"}]]
  : [["DataFolder", {CustomerKey: "F-" + tag}], ["List", {CustomerKey: "L-" + tag}],
     ["Subscriber", {SubscriberKey: "S-" + tag}]];
for (var i = 0; i < items.length; i++) {
  var r = verb == "update" ? p.updateItem(items[i][0], items[i][1])
                           : p.deleteItem(items[i][0], items[i][1]);
  out.push(r.Status + ":" + r.Results[0].StatusMessage);
}
Write(out.join("\\n"));
</script>"""
SEEN = HEAD + """var out = [], kinds = [["DataFolder", "Name"], ["List", "ListName"],
                                 ["Subscriber", "EmailAddress"]];
for (var i = 0; i < kinds.length; i++) {
  var r = p.retrieve(kinds[i][0], [kinds[i][1], "Client.ID"], null, null,
                     {QueryAllAccounts: true});
  var names = [];
  for (var j = 0; j < r.Results.length; j++) {
    var v = String(r.Results[j][kinds[i][1]]);
    if (v != "All" && v.indexOf("My ") != 0 && v.indexOf("Shared") != 0 &&
        v.indexOf("Data Extensions") != 0 && v.indexOf("Portfolio") != 0) {
      names.push(v + "@" + r.Results[j].Client.ID);
    }
  }
  names.sort();
  out.push(names.join(","));
}
Write(out.join("\\n"));
</script>"""
SEND = HEAD + """var r = p.createItem("TriggeredSend", {
  TriggeredSendDefinition: {CustomerKey: "welcome"},
  Subscribers: [{EmailAddress: "ann@example.com", SubscriberKey: "ann"}]});
var all = q("all") == "1" ? {QueryAllAccounts: true} : null;
var sent = p.retrieve("SentEvent", ["SubscriberKey", "Client.ID"], null, null, all);
var out = [];
for (var i = 0; i < sent.Results.length; i++) {
  out.push(sent.Results[i].SubscriberKey + "@" + sent.Results[i].Client.ID);
}
Write(r.Status + "|" + out.join(","));
</script>"""
STUBS = """<script runat="server">
Platform.Load("core", "1.1.1");
Write(Stringify(Folder.Init("x")) + "\\n" + Platform.Function.Stringify(TriggeredSend.Init("k"))
      + "\\n" + Stringify({f: function () { return 1; }, n: 1}) + "\\n"
      + Stringify([Folder.Init("y").Update]));
</script>"""


PAGES = {"send.html": SEND, "make.html": MAKE, "change.html": CHANGE, "seen.html": SEEN,
         "stubs.html": STUBS}


@pytest.fixture(scope="module")
def units_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("leftovers")
    fixtures = root / "fixtures"
    (fixtures / "data_extensions").mkdir(parents=True)
    (fixtures / "business_units.json").write_text(json.dumps(UNITS), encoding="utf-8")
    (fixtures / "lists.json").write_text(json.dumps(LISTS), encoding="utf-8")
    (fixtures / "triggered_sends.json").write_text(
        json.dumps([{"CustomerKey": "welcome", "Name": "Welcome"}]), encoding="utf-8")
    with pages_app(root / "pages", PAGES, checkpoint=True, fixtures=(str(fixtures),),
                   no_default_fixtures=True, ssjs_timeout=20) as app:
        yield app


@pytest.fixture
def client(units_app: Flask) -> Iterator[FlaskClient]:
    yield from rolled_back_client(units_app)


def text(response: Any) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


# --- updates and deletes stay in the acting unit ------------------------------------------------

def test_a_unit_cannot_change_or_delete_a_sibling_units_objects(client: FlaskClient) -> None:
    text(client.get("/make?tag=b&mid=200"))
    before = text(client.get("/seen"))
    assert before == "F-b@200\nL-b@200\nb@example.com@200"
    for verb in ("update", "delete"):
        lines = text(client.get(f"/change?tag=b&mid=300&verb={verb}")).split("\n")
        refused = [f"Error:{kind} '{key}' belongs to business unit 200, which unit 300 cannot "
                   f"{verb}: call setClientId with 200 (or a unit above it) first"
                   for kind, key in (("DataFolder", "F-b"), ("List", "L-b"), ("Subscriber", "S-b"))]
        if verb == "update":  # a List is not updatable at all: the type says so first
            assert lines[1].startswith("Error:") and "belongs to" not in lines[1]
            lines[1] = refused[1]
        assert lines == refused
    assert text(client.get("/seen")) == before


def test_a_brand_cannot_change_the_enterprises_objects(client: FlaskClient) -> None:
    text(client.get("/make?tag=e"))
    lines = text(client.get("/change?tag=e&mid=200&verb=delete")).split("\n")
    assert lines[0].startswith("Error:DataFolder 'F-e' belongs to business unit 100, which "
                               "unit 200 cannot delete")
    assert text(client.get("/seen")) == "F-e@100\nL-e@100\ne@example.com@100"


def test_the_owner_and_the_units_above_it_may_change_its_objects(client: FlaskClient) -> None:
    text(client.get("/make?tag=a&mid=200"))
    changed = text(client.get("/change?tag=a&mid=200&verb=update")).split("\n")
    assert changed[0] == "OK:Folder updated."
    assert text(client.get("/seen")) == "G-a@200\nL-a@200\nnew-a@example.com@200"
    lines = text(client.get("/change?tag=a&verb=delete")).split("\n")  # the enterprise
    assert all(line.startswith("OK:") for line in lines), lines
    assert text(client.get("/seen")) == "\n\n"


def test_a_missing_object_is_still_not_found_not_refused(client: FlaskClient) -> None:
    lines = text(client.get("/change?tag=none&mid=300&verb=delete")).split("\n")
    assert all(line.startswith("Error:") and "belongs to" not in line for line in lines), lines


# --- sends after setClientId are the acting unit's -----------------------------------------

def test_a_send_after_set_client_id_belongs_to_the_acting_unit(units_app: Flask,
                                                               client: FlaskClient) -> None:
    assert text(client.get("/send?mid=200")) == "OK|ann@200"
    assert text(client.get("/send")) == "OK|ann@100"  # the enterprise's own send only
    assert text(client.get("/send?all=1")) == "OK|ann@200,ann@100,ann@100"
    assert text(client.get("/send?mid=300&all=1")) == "OK|ann@300"
    messages = get_emulator(units_app).outbox.messages()
    assert [m.get("mid") for m in messages] == [200, None, None, 300]


def test_admin_outbox_shows_the_sending_unit(client: FlaskClient) -> None:
    text(client.get("/send?mid=300"))
    listed = client.get("/_emulator/outbox").get_json()["messages"]
    assert listed[0]["mid"] == 300 and listed[0]["subscriberKey"] == "ann"


# --- Stringify of Core stubs -----------------------------------------------------------------

def test_stringify_writes_each_method_of_a_core_stub_as_function(client: FlaskClient) -> None:
    folder, send, plain, alone = text(client.get("/stubs")).split("\n")
    assert folder == '{"SetID":"function","Remove":"function","Update":"function"}'
    assert send == ('{"Send":"function","Start":"function","Pause":"function",'
                    '"Publish":"function","Update":"function","Tracking":{"Retrieve":"function",'
                    '"Clicks":{"Retrieve":"function"},"TotalByInterval":{"Retrieve":"function"}},'
                    '"LastRequestID":null,"LastMessage":null}')
    assert plain == '{"f":"function","n":1}'
    assert alone == '["function"]'


# --- export and seed keep the unit of objects made after setClientId ----------------------------

def fixtures_dir(root: Path, owners: Any = None, units: Any = UNITS, des: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if des:  # one DE: a directory of record files alone is one too, for a seed
        (root / "data_extensions").mkdir()
        (root / "data_extensions" / "Orders.json").write_text(json.dumps(
            {"key": "Orders", "fields": [{"name": "Id", "primaryKey": True}]}), encoding="utf-8")
    if units is not None:
        (root / "business_units.json").write_text(json.dumps(units), encoding="utf-8")
    if owners is not None:
        (root / "unit_objects.json").write_text(json.dumps(owners), encoding="utf-8")
    return root


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def seen_from(tmp_path: Path, **config: Any) -> str:
    with pages_app(tmp_path / "seen-pages", PAGES, **config) as app:
        return text(app.test_client().get("/seen"))


def test_export_writes_the_owners_and_they_come_back(tmp_path: Path) -> None:
    db = tmp_path / "made.db"
    source = fixtures_dir(tmp_path / "source")
    with pages_app(tmp_path / "pages", PAGES, fixtures=(str(source),), no_default_fixtures=True,
                   db=str(db)) as app:
        text(app.test_client().get("/make?tag=b&mid=200"))
        text(app.test_client().get("/make?tag=e"))
    out = tmp_path / "out"
    result = cli("export", "--db", str(db), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Exported 3 unit object(s)" in result.output
    assert json.loads((out / "unit_objects.json").read_text(encoding="utf-8")) == [
        {"kind": "DataFolder", "object": "F-b", "mid": 200},
        {"kind": "List", "object": "L-b", "mid": 200},
        {"kind": "Subscriber", "object": "S-b", "mid": 200}]
    expected = "F-b@200,F-e@100\nL-b@200,L-e@100\nb@example.com@200,e@example.com@100"
    # started from the export
    assert seen_from(tmp_path / "a", fixtures=(str(out),), no_default_fixtures=True) == expected
    # seeded from the export into a new --db file
    seeded = tmp_path / "seeded.db"
    result = cli("seed", "--db", str(seeded), str(out))
    assert result.exit_code == 0, result.output
    assert "_unit_objects: 3 added" in result.output
    assert seen_from(tmp_path / "b", db=str(seeded), no_default_fixtures=True) == expected


@pytest.mark.parametrize(("entry", "says"), [
    ({"kind": "Email", "object": "x", "mid": 200},
     "kind is one of DataFolder, List, Subscriber, not 'Email'"),
    ({"object": "x", "mid": 200}, "kind is one of DataFolder, List, Subscriber, not missing"),
    ({"kind": "List", "mid": 200}, "object is the List's key: text of 1 to 254 characters, "
                                   "not missing"),
    ({"kind": "List", "object": " ", "mid": 200}, "not ' '"),
    ({"kind": "List", "object": "x" * 255, "mid": 200}, "not 255 characters"),
    ({"kind": "List", "object": "x", "mid": "200"}, "mid is a whole number from 1 to "),
    ({"kind": "List", "object": "x", "mid": 0}, "not 0"),
    ({"kind": "List", "object": "x", "mid": 200, "unit": 1}, "a unit object has no 'unit'"),
    ("List", "a unit object is a JSON object with kind, object and mid, not a string"),
    ({"kind": "List", "object": "x", "mid": 999},
     "List 'x' belongs to MID 999, which no business_units.json declares; declared: 100, 200, "
     "300"),
    ({"kind": "List", "object": "x", "mid": 100}, "gives mid 100, the unit pages run in"),
])
def test_a_bad_unit_objects_file_is_refused_at_start(tmp_path: Path, entry: Any,
                                                     says: str) -> None:
    root = fixtures_dir(tmp_path / "fx", [entry])
    with pytest.raises(FixtureError) as refused:
        seen_from(tmp_path, fixtures=(str(root),), no_default_fixtures=True)
    assert says in str(refused.value)
    assert "unit_objects.json" in str(refused.value)


def test_a_unit_objects_file_needs_declared_units_at_start(tmp_path: Path) -> None:
    root = fixtures_dir(tmp_path / "fx", [{"kind": "List", "object": "x", "mid": 200}], None)
    with pytest.raises(FixtureError, match="which no business_units.json declares"):
        seen_from(tmp_path, fixtures=(str(root),), no_default_fixtures=True)


def test_a_seed_checks_owners_against_the_targets_units(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    assert cli("seed", "--db", str(db), str(fixtures_dir(tmp_path / "units"))).exit_code == 0
    owners = fixtures_dir(tmp_path / "owners", [{"kind": "List", "object": "x", "mid": 300}],
                          None, des=False)
    result = cli("seed", "--db", str(db), str(owners))  # no units file: the target's count
    assert result.exit_code == 0, result.output
    bad = fixtures_dir(tmp_path / "bad", [{"kind": "List", "object": "y", "mid": 999}], None,
                       des=False)
    before = db.read_bytes()
    result = cli("seed", "--db", str(db), str(bad))
    assert result.exit_code == 1
    assert "List 'y' belongs to MID 999, which no business_units.json declares" in result.output
    assert db.read_bytes() == before
    alone = cli("seed", "--db", str(tmp_path / "plain.db"), str(owners))
    assert alone.exit_code == 1 and "declared: 100000001" in alone.output


# --- mcemu seed --url and POST /_emulator/seed take the record files ----------------------------

SUBSCRIBERS = [{"SubscriberKey": "ann", "EmailAddress": "ann@example.org",
                "Lists": [{"ID": 1, "Status": "Active"}]}]
FOLDERS = [{"ID": 2001, "Name": "Campaigns", "CustomerKey": "campaigns", "ParentID": 1001}]


def record_dir(root: Path, **files: Any) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, document in files.items():
        (root / name).write_text(document if isinstance(document, str) else json.dumps(document),
                                 encoding="utf-8")
    return root


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer({"fixtures": (str(fixtures_dir(tmp_path / "start")),),
                         "no_default_fixtures": True}).start()
    try:
        yield server
    finally:
        server.stop()


def state(server: LiveServer) -> dict[str, Any]:
    answer = requests.get(server.url + "/_emulator/state", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_seed_url_seeds_object_data_into_a_running_emulator(tmp_path: Path,
                                                           live: LiveServer) -> None:
    source = record_dir(tmp_path / "objects", **{
        "subscribers.json": SUBSCRIBERS, "lists.json": LISTS, "folders.json": FOLDERS,
        "unit_objects.json": [{"kind": "List", "object": "all", "mid": 200}]})
    dry = cli("seed", "--url", live.url, "--dry-run", str(source))
    assert dry.exit_code == 0, dry.output
    assert "_subscribers: 1 added" in dry.output
    assert state(live)["subscribers"] == []
    result = cli("seed", "--url", live.url, str(source))
    assert result.exit_code == 0, result.output
    assert "_folders: 1 added" in result.output and "_unit_objects: 1 added" in result.output
    seen = state(live)
    assert [s["SubscriberKey"] for s in seen["subscribers"]] == ["ann"]
    assert [f["Name"] for f in seen["folders"]] == ["Campaigns"]
    assert live.store.records("_unit_objects") == [{"kind": "List", "object": "all",
                                                    "mid": 200}]


def test_seed_url_problems_of_the_target_are_listed_and_nothing_changes(
        tmp_path: Path, live: LiveServer) -> None:
    source = record_dir(tmp_path / "objects", **{
        "lists.json": LISTS, "unit_objects.json": [{"kind": "List", "object": "x", "mid": 999}]})
    result = cli("seed", "--url", live.url, str(source))
    assert result.exit_code == 1
    assert "List 'x' belongs to MID 999, which no business_units.json declares; declared: " \
           "100, 200, 300" in result.output
    assert state(live)["lists"] == []
    assert cli("seed", "--url", live.url, str(record_dir(tmp_path / "ok", **{
        "lists.json": LISTS}))).exit_code == 0
    again = cli("seed", "--url", live.url, "--mode", "insert",
                str(record_dir(tmp_path / "ok", **{"lists.json": LISTS})))
    assert again.exit_code == 1 and "--mode insert refuses a key" in again.output


def post_seed(client: FlaskClient, body: Any, query: str = "") -> Any:
    return client.post(f"/_emulator/seed{query}", data=json.dumps(body),
                       content_type="application/json")


def test_the_admin_seed_reads_record_files_and_names_them_in_problems(
        client: FlaskClient) -> None:
    answer = post_seed(client, {"recordFiles": [
        {"lists.json": [{"ID": 7, "ListName": "Seven"}],
         "subscribers.csv": "SubscriberKey,EmailAddress\nbob,bob@example.org\n",
         "events/SentEvent.json": [{"SubscriberKey": "bob", "EventDate": "2024-01-01T00:00:00"}]},
        {"lists.json": [{"ID": 8, "ListName": "Eight"}]}]})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    records = {r["table"]: r["added"] for r in answer.get_json()["records"]}
    assert records["_lists"] == 2 and records["_subscribers"] == 1
    assert answer.get_json()["dataExtensions"] == []
    bad = post_seed(client, {"recordFiles": [{}, {"lists.json": [{"ID": "x"}]}]})
    assert bad.status_code == 422
    said = json.dumps(bad.get_json())
    assert "request body: recordFiles[1]/lists.json" in said


@pytest.mark.parametrize(("body", "says"), [
    ({"recordFiles": {}}, "recordFiles is a list of at most 32 objects, one a fixtures "
                          "directory, not an object"),
    ({"recordFiles": [{}] * 33}, "not 33 of them"),
    ({"recordFiles": ["lists.json"]}, "recordFiles[0] is an object of file name -> content"),
    ({"recordFiles": [{"notes.txt": "x"}]}, "recordFiles[0]: 'notes.txt' is no record file"),
    ({"recordFiles": [{"../lists.json": []}]}, "'../lists.json' is no record file"),
    ({"recordFiles": [{"events/../../x.json": []}]}, "is no record file"),
    ({"recordFiles": [{"events": []}]}, "'events' is no record file"),
    ({"recordFiles": [{"subscribers.csv": []}]},
     "recordFiles[0]/subscribers.csv is the file's text, not an array"),
    ({"recordFiles": [], "rows": []}, "a seed body has no 'rows'; its fields are "
                                      "dataExtensions, recordFiles"),
    ({"dataExtensions": {}}, "dataExtensions is a list of DE documents, not an object"),
    ({"dataExtensions": [], "recordFiles": []}, "nothing to seed"),
    ({"dataExtensions": [{"key": "K"}]}, "request body.dataExtensions[0]"),
])
def test_a_bad_seed_body_says_what_is_wrong(client: FlaskClient, body: Any, says: str) -> None:
    answer = post_seed(client, body)
    assert answer.status_code in (400, 422), answer.get_data(as_text=True)
    assert says in answer.get_data(as_text=True)


def test_the_openapi_document_describes_the_seed_body(client: FlaskClient) -> None:
    document = client.get("/_emulator/openapi.json").get_json()
    forms = document["components"]["schemas"]["Seed"]["oneOf"]
    assert set(forms[2]["properties"]) == {"dataExtensions", "recordFiles"}
