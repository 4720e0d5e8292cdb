"""SSJS ``Platform.Function.CreateObject`` and the ``Invoke*`` functions, and WSProxy
``execute``, over pages served by the Flask test client: the AMPscript functions' object model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import pages_app, rolled_back_client
from flask import Flask
from flask.testing import FlaskClient

from emulator.events import records
from emulator.runtime import get_emulator
from emulator.subscribers import data

SUBSCRIBERS = [{"SubscriberKey": "ann", "EmailAddress": "ann@example.org"},
               {"SubscriberKey": "bob", "EmailAddress": "bob@example.org"}]
FROZEN = "2024-03-01T12:00:00+00:00"


def page(body: str) -> str:
    return ('<script runat="server">\nvar out = [];\nvar F = Platform.Function;\n'
            'function attempt(f) { try { return f(); } catch (e) { return "threw: " + '
            'e.message; } }\n' + body +
            '\nPlatform.Response.Write(Platform.Function.Stringify(out));\n</script>')


PAGES = {
    "create.html": page("""
var de = F.CreateObject("DataExtension");
out.push(F.SetObjectProperty(de, "Name", "Leads"), typeof de);
F.SetObjectProperty(de, "CustomerKey", "Leads");
var field = F.CreateObject("DataExtensionField");
F.SetObjectProperty(field, "Name", "Email");
F.SetObjectProperty(field, "FieldType", "EmailAddress");
F.SetObjectProperty(field, "IsPrimaryKey", "true");
F.SetObjectProperty(field, "IsRequired", "true");
F.AddObjectArrayItem(de, "Fields", field);
var message = [], code = [];
out.push(F.InvokeCreate(de, message, code), message.slice(), code.slice());
out.push(F.InvokeCreate(de, message, code), message[0].length > 0, code[0] > 0);
var row = F.CreateObject("DataExtensionObject");
F.SetObjectProperty(row, "CustomerKey", "Leads");
var email = F.CreateObject("APIProperty");
F.SetObjectProperty(email, "Name", "Email");
F.SetObjectProperty(email, "Value", "ann@example.org");
F.AddObjectArrayItem(row, "Properties", email);
out.push(F.InvokeCreate(row, message, code), code[0]);
var rr = F.CreateObject("RetrieveRequest");
F.SetObjectProperty(rr, "ObjectType", "DataExtensionObject[Leads]");
F.AddObjectArrayItem(rr, "Properties", "Email");
var sfp = F.CreateObject("SimpleFilterPart");
F.SetObjectProperty(sfp, "Property", "Email");
F.SetObjectProperty(sfp, "SimpleOperator", "equals");
F.AddObjectArrayItem(sfp, "Value", "ann@example.org");
F.SetObjectProperty(rr, "Filter", sfp);
var status = [0, 0];
var rows = F.InvokeRetrieve(rr, status);
out.push(rows.length, rows[0].Properties[0].Value, status[0], status[1].length);
var gone = F.CreateObject("DataExtensionObject");
F.SetObjectProperty(gone, "CustomerKey", "Leads");
F.AddObjectArrayItem(gone, "Keys", email);
out.push(F.InvokeDelete(gone, message, code), message[0]);
out.push(F.InvokeRetrieve(rr).length);
var upd = F.CreateObject("Subscriber");
F.SetObjectProperty(upd, "SubscriberKey", "bob");
F.SetObjectProperty(upd, "Status", "Unsubscribed");
out.push(F.InvokeUpdate(upd, message, code), code[0]);"""),
    "refused.html": page("""
out.push(attempt(function () { return F.CreateObject("DataExtension.Field"); }));
out.push(attempt(function () { return F.CreateObject(); }));
out.push(attempt(function () { return F.SetObjectProperty("x", "Name", "y"); }));
out.push(attempt(function () { return F.SetObjectProperty(F.CreateObject("Subscriber"), "", 1); }));
out.push(attempt(function () { return F.InvokeCreate({}, [], []); }));
out.push(attempt(function () { return F.InvokeRetrieve(F.CreateObject("Subscriber")); }));
out.push(attempt(function () { return F.InvokePerform(F.CreateObject("Subscriber"), ""); }));
out.push(attempt(function () {
  return F.InvokePerform(F.CreateObject("Subscriber"), "start"); }));
var loop = F.CreateObject("RetrieveRequest");
F.SetObjectProperty(loop, "Filter", loop);
out.push(attempt(function () { return F.InvokeRetrieve(loop); }));"""),
    "execute.html": page("""
var proxy = new Script.Util.WSProxy();
var answer = proxy.execute([{Name: "SubscriberKey", Value: "ann"},
                            {Name: "EmailAddress", Value: "ann@example.org"},
                            {Name: "JobID", Value: 12}, {Name: "ListID", Value: "3"},
                            {Name: "BatchID", Value: 0}], "LogUnsubEvent");
out.push(answer.Status, answer.Results[0].StatusCode, answer.Results[0].StatusMessage,
         answer.Results[0].OrdinalID, answer.Results[0].ErrorCode, answer.StatusMessage);
var unknown = proxy.execute([{Name: "x", Value: 1}], "SomeExecuteVerb");
out.push(unknown.Status, unknown.Results[0].StatusMessage);
out.push(attempt(function () { return proxy.execute("LogUnsubEvent", "LogUnsubEvent"); }));
out.push(attempt(function () { return proxy.execute([{Value: 1}], "LogUnsubEvent"); }));
out.push(attempt(function () { return proxy.execute([]); }));
var ghost = proxy.execute([{Name: "SubscriberKey", Value: "ghost"}], "LogUnsubEvent");
out.push(ghost.Status, ghost.Results[0].StatusMessage.indexOf("known subscriber") > 0);
var bad = proxy.execute([{Name: "SubscriberKey", Value: "bob"}, {Name: "JobID", Value: -1}],
                        "LogUnsubEvent");
out.push(bad.Status);
var sent = proxy.retrieve("UnsubEvent", ["SubscriberKey", "SendID", "ListID", "EventType"]);
out.push(sent.Results);
var request = F.CreateObject("ExecuteRequest");
F.SetObjectProperty(request, "Name", "LogUnsubEvent");
var key = F.CreateObject("APIProperty");
F.SetObjectProperty(key, "Name", "EmailAddress");
F.SetObjectProperty(key, "Value", "bob@example.org");
F.AddObjectArrayItem(request, "Parameters", key);
var status = [];
out.push(F.InvokeExecute(request, status), status[0]);"""),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("object-functions")
    fixtures = root / "fx"
    (fixtures / "data_extensions").mkdir(parents=True)
    (fixtures / "subscribers.json").write_text(json.dumps(SUBSCRIBERS), encoding="utf-8")
    with pages_app(root / "pages", PAGES, fixtures=(str(fixtures),), no_default_fixtures=True,
                   frozen_time=FROZEN, ssjs_timeout=20, checkpoint=True) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    yield from rolled_back_client(app)


def run(client: FlaskClient, name: str) -> list[Any]:
    response = client.get(f"/{name}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data(as_text=True))


def test_build_create_retrieve_delete_through_platform_function(app: Flask,
                                                                client: FlaskClient) -> None:
    out = run(client, "create")
    assert out[:2] == [None, "object"]
    assert out[2:5] == ["OK", ["Data Extension created."], [0]]
    assert out[5:8] == ["Error", True, True]  # the key exists: the item fails
    assert out[8:10] == ["OK", 0]
    assert out[10:14] == [1, "ann@example.org", "OK", 36]
    assert out[14:16] == ["OK", "Deleted DataExtensionObject"]
    assert out[16:] == [0, "OK", 0]
    store = get_emulator(app).store
    assert store.has("Leads") and store.rows("Leads") == []
    assert data.find(store, "bob")["Status"] == "Unsubscribed"


def test_bad_handles_and_names_throw_what_is_accepted(client: FlaskClient) -> None:
    out = run(client, "refused")
    assert out[0].startswith("threw: Platform.Function.CreateObject: 'DataExtension.Field' is "
                             "no object type; the types are")
    assert out[1].startswith("threw: ")  # arity
    assert out[2] == ("threw: Platform.Function.SetObjectProperty: argument 1 is an object made "
                      "by Platform.Function.CreateObject, not 'x'.")
    assert "the property name is text" in out[3]
    assert "argument 1 is an object made by Platform.Function.CreateObject, not dict" in out[4]
    assert out[5] == ("threw: Platform.Function.InvokeRetrieve: argument 1 is a "
                      "RetrieveRequest, not a Subscriber.")
    assert "the action is text" in out[6]
    assert out[7] == ("threw: Platform.Function.InvokePerform of Subscriber is not emulated by "
                      "mc-emulator.")
    assert "nested more than" in out[8]


def test_execute_logs_an_unsub_event_and_leaves_the_status(app: Flask,
                                                           client: FlaskClient) -> None:
    out = run(client, "execute")
    assert out[:6] == ["OK", "OK", "Event posted", 0, 0, None]
    assert out[6:8] == ["Error", "Unable to find a handler for the SomeExecuteVerb method."]
    assert out[8] == ("threw: Error executing execute call. execute takes a flat array of "
                      "{Name, Value} parameters and a request name, such as execute([{Name: "
                      "\"SubscriberKey\", Value: \"ann\"}], \"LogUnsubEvent\")")
    assert out[9].startswith("threw: Error executing execute call.")
    assert out[10].startswith("threw: ")  # one argument: the arity error
    assert out[11:14] == ["Error", True, "Error"]
    assert out[14] == [{"SubscriberKey": "ann", "SendID": 12, "ListID": 3, "EventType": "Unsub"}]
    assert out[15] == [{"StatusCode": "OK", "StatusMessage": "Event posted", "ErrorCode": 0}]
    assert out[16] == "OK"
    store = get_emulator(app).store
    assert data.find(store, "ann")["Status"] == "Active"  # RT: the probe's status stayed
    assert [(e["SubscriberKey"], e["EventDate"]) for e in records.events(store, "Unsub")] == [
        ("ann", "2024-03-01T12:00:00"), ("bob", "2024-03-01T12:00:00")]
