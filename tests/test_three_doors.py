"""One scenario through the object model's three doors: WSProxy, the Core library, AMPscript.

Each door's pages create a Data Extension with fields, add rows, retrieve with a filter,
subscribe a subscriber to a list, unsubscribe it, send a triggered send and start an
automation. A step a door lacks
is listed in ``GAPS`` and must say clearly that it is not emulated; the scenario then goes on
through WSProxy, so that after every door's run the state the admin API shows (the DE, its rows,
subscribers, lists, outbox) is the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import pages_app
from flask import Flask

from emulator.objects.catalog import ObjectSession
from emulator.runtime import get_emulator

FROZEN = "2024-05-02T09:30:00+00:00"
LISTS = [{"ID": 1, "ListName": "Newsletter", "CustomerKey": "newsletter", "Type": "Public"}]
DEFINITIONS = [{"CustomerKey": "welcome", "Name": "Welcome", "EmailSubject": "Hello"}]
AUTOMATIONS = [{"CustomerKey": "nightly", "Name": "Nightly", "Status": "Scheduled",
                "RunSeconds": 60, "Queries": [{"CustomerKey": "dedupe", "QueryText": "SELECT 1"}]}]
#: The rows the scenario adds: (Email, Name, Score).
ROWS = [("a@example.org", "Ann", 10), ("b@example.org", "Bob", 20), ("c@example.org", "Cat", 30)]
STEPS = ("create_de", "add_rows", "retrieve", "subscribe", "unsubscribe", "send",
         "start_automation")
DOORS = ("wsproxy", "ampscript", "core")
#: What every door's page for a step writes (each page turns its door's answer into this).
EXPECTED_OUTPUT = {
    "create_de": "OK",
    "add_rows": "OK",
    "retrieve": "b@example.org Bob;c@example.org Cat",
    "subscribe": "OK",
    "unsubscribe": "OK",
    "send": "OK",
    "start_automation": "OK",
}


def ssjs(body: str, core: bool = False) -> str:
    load = 'Platform.Load("core", "1");\n' if core else ""
    return f'<script runat="server">\n{load}{body}\n</script>'


def catching(call: str) -> str:
    """A Core page that tries ``call`` and writes what it threw."""
    return ssjs(f"try {{ {call}; Write(\"no error\"); }} catch (e) {{ Write(e.message); }}",
                core=True)


#: How a WSProxy page writes a write's answer: OK, or the whole answer when it is not.
ANSWERED = ('Platform.Response.Write(answer.Status == "OK" ? "OK" : '
            'Platform.Function.Stringify(answer));')
WSPROXY = {
    "create_de": ssjs("""var proxy = new Script.Util.WSProxy();
var answer = proxy.createItem("DataExtension", {Name: "Signups", CustomerKey: "Signups",
  Fields: [{Name: "Email", FieldType: "EmailAddress", MaxLength: 254, IsPrimaryKey: true,
            IsRequired: true},
           {Name: "Name", FieldType: "Text", MaxLength: 50},
           {Name: "Score", FieldType: "Number"}]});
""" + ANSWERED),
    "add_rows": ssjs("""var proxy = new Script.Util.WSProxy();
var rows = ROWS_JSON, items = [];
for (var i = 0; i < rows.length; i++) {
  items.push({CustomerKey: "Signups", Properties: [{Name: "Email", Value: rows[i][0]},
    {Name: "Name", Value: rows[i][1]}, {Name: "Score", Value: rows[i][2]}]});
}
var answer = proxy.createBatch("DataExtensionObject", items);
""" + ANSWERED).replace("ROWS_JSON", json.dumps(ROWS)),
    "retrieve": ssjs("""var proxy = new Script.Util.WSProxy();
var found = proxy.retrieve("DataExtensionObject[Signups]", ["Email", "Name"],
  {Property: "Score", SimpleOperator: "greaterThan", Value: 15});
var out = [];
for (var i = 0; i < found.Results.length; i++) {
  var p = found.Results[i].Properties, row = {};
  for (var j = 0; j < p.length; j++) row[p[j].Name] = p[j].Value;
  out.push(row.Email + " " + row.Name);
}
Platform.Response.Write(found.Status != "OK" ? found.Status : out.sort().join(";"));"""),
    "subscribe": ssjs("""var proxy = new Script.Util.WSProxy();
var answer = proxy.createItem("Subscriber", {SubscriberKey: "zoe",
  EmailAddress: "zoe@example.org", Attributes: [{Name: "First Name", Value: "Zoe"}],
  Lists: [{ID: 1, Status: "Active"}]});
""" + ANSWERED),
    "unsubscribe": ssjs("""var proxy = new Script.Util.WSProxy();
var answer = proxy.updateItem("Subscriber", {SubscriberKey: "zoe",
  Lists: [{ID: 1, Status: "Unsubscribed"}]});
""" + ANSWERED),
    "send": ssjs("""var proxy = new Script.Util.WSProxy();
var answer = proxy.createItem("TriggeredSend", {
  TriggeredSendDefinition: {CustomerKey: "welcome"},
  Subscribers: [{EmailAddress: "zoe@example.org", SubscriberKey: "zoe",
                 Attributes: [{Name: "First Name", Value: "Zoe"}]}]});
""" + ANSWERED),
    "start_automation": ssjs("""var proxy = new Script.Util.WSProxy();
var answer = proxy.performItem("Automation", {CustomerKey: "nightly"}, "start");
""" + ANSWERED),
}


def _ampscript_row(email: str, name: str, score: int) -> str:
    pairs = "".join(f"""SET @p = CreateObject("APIProperty")
SetObjectProperty(@p, "Name", "{field}")
SetObjectProperty(@p, "Value", {value})
AddObjectArrayItem(@row, "Properties", @p)
""" for field, value in (("Email", f'"{email}"'), ("Name", f'"{name}"'), ("Score", score)))
    return f"""SET @row = CreateObject("DataExtensionObject")
SetObjectProperty(@row, "CustomerKey", "Signups")
{pairs}IF InvokeCreate(@row, @message, @code) != "OK" THEN SET @failed = Concat(@failed, @message)
ENDIF
"""


#: Writes that answer OK, or the status message when they do not.
AMPSCRIPT_WRITTEN = ']%%%%=IIf(@status == "OK", "OK", @message)=%%'
AMPSCRIPT = {
    # IsPrimaryKey and IsRequired given as 1: AMPscript's booleans are true/false or 1/0.
    "create_de": """%%[
SET @de = CreateObject("DataExtension")
SetObjectProperty(@de, "Name", "Signups")
SetObjectProperty(@de, "CustomerKey", "Signups")
SET @f = CreateObject("DataExtensionField")
SetObjectProperty(@f, "Name", "Email")
SetObjectProperty(@f, "FieldType", "EmailAddress")
SetObjectProperty(@f, "MaxLength", 254)
SetObjectProperty(@f, "IsPrimaryKey", 1)
SetObjectProperty(@f, "IsRequired", 1)
AddObjectArrayItem(@de, "Fields", @f)
SET @f = CreateObject("DataExtensionField")
SetObjectProperty(@f, "Name", "Name")
SetObjectProperty(@f, "FieldType", "Text")
SetObjectProperty(@f, "MaxLength", "50")
AddObjectArrayItem(@de, "Fields", @f)
SET @f = CreateObject("DataExtensionField")
SetObjectProperty(@f, "Name", "Score")
SetObjectProperty(@f, "FieldType", "Number")
AddObjectArrayItem(@de, "Fields", @f)
SET @status = InvokeCreate(@de, @message, @code)
""" + AMPSCRIPT_WRITTEN,
    "add_rows": "%%[\nSET @failed = \"\"\n" + "".join(_ampscript_row(*row) for row in ROWS)
                + ']%%%%=IIf(Empty(@failed), "OK", @failed)=%%',
    "retrieve": """%%[
SET @rr = CreateObject("RetrieveRequest")
SetObjectProperty(@rr, "ObjectType", "DataExtensionObject[Signups]")
AddObjectArrayItem(@rr, "Properties", "Email")
AddObjectArrayItem(@rr, "Properties", "Name")
SET @sfp = CreateObject("SimpleFilterPart")
SetObjectProperty(@sfp, "Property", "Score")
SetObjectProperty(@sfp, "SimpleOperator", "greaterThan")
AddObjectArrayItem(@sfp, "Value", 15)
SetObjectProperty(@rr, "Filter", @sfp)
SET @rows = InvokeRetrieve(@rr, @status, @requestId)
SET @out = ""
FOR @i = 1 TO RowCount(@rows) DO
  SET @r = Row(@rows, @i)
  SET @out = Concat(@out, IIf(@i > 1, ";", ""), Field(@r, "Email"), " ", Field(@r, "Name"))
NEXT @i
]%%%%=IIf(@status == "OK", @out, @status)=%%""",
    "subscribe": """%%[
SET @sub = CreateObject("Subscriber")
SetObjectProperty(@sub, "SubscriberKey", "zoe")
SetObjectProperty(@sub, "EmailAddress", "zoe@example.org")
SET @attr = CreateObject("Attribute")
SetObjectProperty(@attr, "Name", "First Name")
SetObjectProperty(@attr, "Value", "Zoe")
AddObjectArrayItem(@sub, "Attributes", @attr)
SET @list = CreateObject("SubscriberList")
SetObjectProperty(@list, "ID", 1)
SetObjectProperty(@list, "Status", "Active")
AddObjectArrayItem(@sub, "Lists", @list)
SET @status = InvokeCreate(@sub, @message, @code)
""" + AMPSCRIPT_WRITTEN,
    "unsubscribe": """%%[
SET @sub = CreateObject("Subscriber")
SetObjectProperty(@sub, "SubscriberKey", "zoe")
SET @list = CreateObject("SubscriberList")
SetObjectProperty(@list, "ID", 1)
SetObjectProperty(@list, "Status", "Unsubscribed")
AddObjectArrayItem(@sub, "Lists", @list)
SET @status = InvokeUpdate(@sub, @message, @code)
""" + AMPSCRIPT_WRITTEN,
    "send": """%%[
SET @tsd = CreateObject("TriggeredSendDefinition")
SetObjectProperty(@tsd, "CustomerKey", "welcome")
SET @ts = CreateObject("TriggeredSend")
SetObjectProperty(@ts, "TriggeredSendDefinition", @tsd)
SET @sub = CreateObject("Subscriber")
SetObjectProperty(@sub, "EmailAddress", "zoe@example.org")
SetObjectProperty(@sub, "SubscriberKey", "zoe")
SET @attr = CreateObject("Attribute")
SetObjectProperty(@attr, "Name", "First Name")
SetObjectProperty(@attr, "Value", "Zoe")
AddObjectArrayItem(@sub, "Attributes", @attr)
AddObjectArrayItem(@ts, "Subscribers", @sub)
SET @status = InvokeCreate(@ts, @message, @code)
""" + AMPSCRIPT_WRITTEN,
    "start_automation": """%%[
SET @auto = CreateObject("Automation")
SetObjectProperty(@auto, "CustomerKey", "nightly")
SET @status = InvokePerform(@auto, "start", @message)
""" + AMPSCRIPT_WRITTEN,
}

CORE = {
    "add_rows": ssjs("""var rows = ROWS_JSON, objects = [];
for (var i = 0; i < rows.length; i++) {
  objects.push({Email: rows[i][0], Name: rows[i][1], Score: rows[i][2]});
}
var added = DataExtension.Init("Signups").Rows.Add(objects);
Write(added == rows.length ? "OK" : "added " + added);""".replace(
        "ROWS_JSON", json.dumps(ROWS)), core=True),
    "retrieve": ssjs("""var found = DataExtension.Init("Signups").Rows.Retrieve(
  {Property: "Score", SimpleOperator: "greaterThan", Value: 15});
var out = [];
for (var i = 0; i < found.length; i++) out.push(found[i].Email + " " + found[i].Name);
Write(out.sort().join(";"));""", core=True),
    "subscribe": ssjs("""Write(List.Init("newsletter").Subscribers.Add(
  {EmailAddress: "zoe@example.org", SubscriberKey: "zoe"}, {"First Name": "Zoe"}));""",
                      core=True),
    "unsubscribe": ssjs("""Write(List.Init("newsletter").Subscribers.Unsubscribe(
  {EmailAddress: "zoe@example.org", SubscriberKey: "zoe"}));""", core=True),
    "send": ssjs("""Write(TriggeredSend.Init("welcome").Send("zoe@example.org",
  {"First Name": "Zoe"}));""", core=True),
}

#: Steps a door lacks: the member the page calls, and the page calling it. Each must say it is
#: not emulated; the scenario then takes the step through WSProxy.
GAPS: dict[tuple[str, str], tuple[str, str]] = {
    ("core", "create_de"): ("DataExtension.Add", catching(
        'DataExtension.Add({Name: "Signups", CustomerKey: "Signups", Fields: []})')),
    # The Core library has no Automation object; its one perform, a query's, is not emulated.
    ("core", "start_automation"): ("QueryDefinition.Init", catching(
        'QueryDefinition.Init("dedupe").Perform()')),
}
PAGES_BY_DOOR = {"wsproxy": WSPROXY, "ampscript": AMPSCRIPT, "core": CORE}


def page_name(door: str, step: str) -> str:
    return f"{door}-{step.replace('_', '-')}"


def all_pages() -> dict[str, str]:
    pages = {f"{page_name(door, step)}.html": text
             for door, steps in PAGES_BY_DOOR.items() for step, text in steps.items()}
    pages.update({f"{page_name(door, step)}-gap.html": text
                  for (door, step), (_, text) in GAPS.items()})
    return pages


def test_every_step_of_every_door_is_a_page_or_a_gap() -> None:
    for door in DOORS:
        for step in STEPS:
            assert (step in PAGES_BY_DOOR[door]) != ((door, step) in GAPS), (door, step)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("three-doors")
    fixtures = root / "fx"
    (fixtures / "data_extensions").mkdir(parents=True)
    (fixtures / "lists.json").write_text(json.dumps(LISTS), encoding="utf-8")
    (fixtures / "triggered_sends.json").write_text(json.dumps(DEFINITIONS), encoding="utf-8")
    (fixtures / "automations.json").write_text(json.dumps(AUTOMATIONS), encoding="utf-8")
    with pages_app(root / "pages", all_pages(), fixtures=(str(fixtures),),
                   no_default_fixtures=True, frozen_time=FROZEN, ssjs_timeout=20,
                   checkpoint=True) as application:
        yield application


def get_page(app: Flask, name: str) -> str:
    response = app.test_client().get(f"/{name}")
    text = response.get_data(as_text=True)
    assert response.status_code == 200, (name, text)
    return text.strip()


def admin(app: Flask, path: str) -> Any:
    response = app.test_client().get(f"/_emulator/{path}")
    assert response.status_code == 200, (path, response.get_data(as_text=True))
    return response.get_json()


def state(app: Flask) -> dict[str, Any]:
    """Return what the admin API shows of everything the scenario touches."""
    rows = admin(app, "data-extensions/Signups/rows")["rows"]
    return {
        "data_extension": admin(app, "data-extensions/Signups"),
        "rows": sorted(rows, key=lambda row: row["Email"]),
        "subscribers": admin(app, "subscribers")["subscribers"],
        "lists": admin(app, "lists")["lists"],
        "outbox": admin(app, "outbox"),
        "automations": admin(app, "automations"),
    }


def run_door(app: Flask, door: str) -> dict[str, Any]:
    """Run the scenario through ``door`` from the fixtures; return the state it leaves."""
    get_emulator(app).rollback()
    for step in STEPS:
        if (door, step) in GAPS:
            member, _ = GAPS[door, step]
            said = get_page(app, f"{page_name(door, step)}-gap")
            assert said == f"{member} is not emulated by mc-emulator.", (door, step, said)
            door_taken = "wsproxy"
        else:
            door_taken = door
        written = get_page(app, page_name(door_taken, step))
        assert written == EXPECTED_OUTPUT[step], (door, step, written)
    return state(app)


@pytest.fixture(scope="module")
def reference(app: Flask) -> dict[str, Any]:
    """The state WSProxy's run leaves."""
    return run_door(app, "wsproxy")


def test_wsproxy_leaves_the_scenario_state(reference: dict[str, Any]) -> None:
    fields = {f["name"]: f for f in reference["data_extension"]["fields"]}
    assert fields["Email"]["primaryKey"] is True
    assert list(fields) == ["Email", "Name", "Score"]
    assert [(r["Email"], r["Name"], r["Score"]) for r in reference["rows"]] == ROWS
    [zoe] = reference["subscribers"]
    assert (zoe["SubscriberKey"], zoe["EmailAddress"], zoe["Status"]) == (
        "zoe", "zoe@example.org", "Active")
    assert zoe["Attributes"] == {"First Name": "Zoe"}
    assert zoe["Lists"] == [{"ID": 1, "Status": "Unsubscribed"}]
    assert reference["lists"][0]["members"] == {"Unsubscribed": 1}
    [message] = reference["outbox"]["messages"]
    assert (message["definitionKey"], message["subscriberKey"], message["emailAddress"],
            message["attributes"], message["time"]) == (
        "welcome", "zoe", "zoe@example.org", {"First Name": "Zoe"}, FROZEN)
    [nightly] = reference["automations"]["automations"]
    assert nightly["currentStatus"] == "Running"
    assert [(r["ObjectType"], r["StartTime"]) for r in nightly["runs"]] == [("Automation", FROZEN)]


@pytest.mark.parametrize("door", ["ampscript", "core"])
def test_each_door_leaves_the_state_wsproxy_leaves(app: Flask, reference: dict[str, Any],
                                                   door: str) -> None:
    assert run_door(app, door) == reference


def test_the_fixtures_come_back_between_doors(app: Flask, reference: dict[str, Any]) -> None:
    get_emulator(app).rollback()
    assert admin(app, "subscribers")["subscribers"] == []
    assert admin(app, "outbox")["messages"] == []
    assert admin(app, "automations")["automations"][0]["runs"] == []
    assert app.test_client().get("/_emulator/data-extensions/Signups").status_code == 404


def test_a_gap_page_names_the_member(app: Flask) -> None:
    for (door, step), (member, _) in GAPS.items():
        said = get_page(app, f"{page_name(door, step)}-gap")
        assert member in said and "not emulated" in said, said


@pytest.mark.parametrize(("given", "primary"), [
    (1, True), ("1", True), (True, True), ("true", True), (" TRUE ", True),
    (0, False), ("0", False), ("false", False),
])
def test_a_field_flag_reads_api_booleans(app: Flask, given: Any, primary: bool) -> None:
    get_emulator(app).rollback()
    session = ObjectSession(get_emulator(app).store)
    answer = session.create("DataExtension", [{"Name": "Flags", "CustomerKey": "Flags",
                                               "Fields": [{"Name": "Id", "FieldType": "Text",
                                                           "IsPrimaryKey": given}]}])
    assert answer["Status"] == "OK", answer
    [field] = admin(app, "data-extensions/Flags")["fields"]
    assert bool(field.get("primaryKey")) is primary


@pytest.mark.parametrize("given", [2, "yes", "", 0.5])
def test_a_field_flag_that_is_no_boolean_is_refused(app: Flask, given: Any) -> None:
    get_emulator(app).rollback()
    answer = ObjectSession(get_emulator(app).store).create(
        "DataExtension", [{"Name": "Flags", "CustomerKey": "Flags",
                           "Fields": [{"Name": "Id", "FieldType": "Text", "IsPrimaryKey": given}]}])
    assert answer["Status"] == "Error"
    assert "primaryKey must be true or false" in answer["Results"][0]["StatusMessage"], answer
