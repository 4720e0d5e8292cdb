"""Tracking events: ``events/<Type>.json`` fixtures, the read-only event object types (filters,
paging, a SentEvent per outbox message), AMPscript ``InvokeExecute``, export and reset, and a
send-on-submit page of our own on the Core library (``tests/objects_pages/welcome-core.html``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import pages_app, rolled_back_client
from flask import Flask
from flask.testing import FlaskClient

from emulator.app import create_app
from emulator.errors import FixtureError
from emulator.events import records
from emulator.objects.catalog import ObjectSession
from emulator.reset import reset
from emulator.runtime import get_emulator
from emulator.schemas import EVENTS_SCHEMA, schema
from emulator.store.store import Store

OPENS = [{"SubscriberKey": f"s-{n}", "EventDate": f"2024-01-{n % 28 + 1:02d}T10:00:00",
          "SendID": n % 3} for n in range(30)]
EVENTS = {
    "OpenEvent": OPENS,
    "ClickEvent": [{"SubscriberKey": "ann", "EventDate": "2024-02-01T08:00:00+01:00",
                    "URL": "https://example.org/a", "SendID": 7}],
    "BounceEvent": [{"SubscriberKey": "bob", "EventDate": "2024-02-02T08:00:00",
                     "BounceCategory": "Hard bounce"}],
    "SentEvent": [{"SubscriberKey": "ann", "EventDate": "2024-01-31T09:00:00", "SendID": 7}],
}
SUBSCRIBERS = [{"SubscriberKey": "ann", "EmailAddress": "ann@example.org"}]
DEFINITIONS = [{"CustomerKey": "welcome"}]
FROZEN = "2024-03-01T12:00:00+00:00"
RETRIEVE = """<script runat="server">
var proxy = new Script.Util.WSProxy(), out = [];
var opens = proxy.retrieve("OpenEvent", ["SubscriberKey", "SendID", "EventDate"],
  {Property: "SendID", SimpleOperator: "equals", Value: 1}, {BatchSize: 4});
out.push(opens.Status, opens.Results.length, opens.HasMoreRows, opens.Results[0]);
var rest = proxy.getNextBatch("OpenEvent", opens.RequestID);
out.push(rest.Results.length);
var later = proxy.retrieve("OpenEvent", ["SubscriberKey"],
  {Property: "EventDate", SimpleOperator: "greaterThan", Value: "2024-01-27T00:00:00"});
out.push(later.Results.length);
out.push(proxy.retrieve("ClickEvent", ["SubscriberKey", "URL", "EventDate", "EventType"]).Results);
out.push(proxy.retrieve("BounceEvent", ["BounceCategory", "Client.ID"]).Results);
out.push(proxy.retrieve("OpenEvent", ["URL"]).Status);
out.push(proxy.createItem("OpenEvent", {SubscriberKey: "x"}).Status);
proxy.createItem("TriggeredSend", {TriggeredSendDefinition: {CustomerKey: "welcome"},
  Subscribers: [{EmailAddress: "cat@example.org", SubscriberKey: "cat"}]});
out.push(proxy.retrieve("SentEvent", ["SubscriberKey", "SendID"]).Results);
Platform.Response.Write(Platform.Function.Stringify(out));
</script>"""
EXECUTE = """%%[
SET @request = CreateObject("ExecuteRequest")
SetObjectProperty(@request, "Name", "LogUnsubEvent")
SET @key = CreateObject("APIProperty")
SetObjectProperty(@key, "Name", "SubscriberKey")
SetObjectProperty(@key, "Value", "ann")
AddObjectArrayItem(@request, "Parameters", @key)
SET @list = CreateObject("APIProperty")
SetObjectProperty(@list, "Name", "ListID")
SetObjectProperty(@list, "Value", "5")
AddObjectArrayItem(@request, "Parameters", @list)
SET @rows = InvokeExecute(@request, @status, @id)
SET @row = Row(@rows, 1)
SET @other = CreateObject("ExecuteRequest")
SetObjectProperty(@other, "Name", "SomeExecuteVerb")
SET @bad = InvokeExecute(@other, @status2)
]%%%%=v(@status)=%%|%%=Length(@id)=%%|%%=RowCount(@rows)=%%|%%=Field(@row, "StatusCode")=%%|\
%%=Field(@row, "StatusMessage")=%%|%%=Field(@row, "ErrorCode")=%%|%%=v(@status2)=%%|\
%%=Field(Row(@bad, 1), "StatusMessage")=%%"""


def write_fixtures(folder: Path, events: dict[str, Any] | None = None) -> Path:
    (folder / "data_extensions").mkdir(parents=True, exist_ok=True)
    (folder / "events").mkdir(exist_ok=True)
    (folder / "subscribers.json").write_text(json.dumps(SUBSCRIBERS), encoding="utf-8")
    (folder / "triggered_sends.json").write_text(json.dumps(DEFINITIONS), encoding="utf-8")
    for name, items in (EVENTS if events is None else events).items():
        (folder / "events" / f"{name}.json").write_text(json.dumps(items), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("events")
    fixtures = write_fixtures(root / "fx")
    with pages_app(root / "pages", {"retrieve.html": RETRIEVE, "execute.html": EXECUTE},
                   fixtures=(str(fixtures),), no_default_fixtures=True, frozen_time=FROZEN,
                   ssjs_timeout=20, checkpoint=True) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    yield from rolled_back_client(app)


def text(response: Any) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    return str(response.get_data(as_text=True))


def test_events_retrieve_with_filters_and_paging(client: FlaskClient) -> None:
    out = json.loads(text(client.get("/retrieve")))
    assert out[:4] == ["MoreDataAvailable", 4, True,
                       {"SubscriberKey": "s-1", "SendID": 1, "EventDate": "2024-01-02T10:00:00"}]
    assert out[4] == 4  # ten events of send 1: 4, 4, then 2
    assert out[5] == 2  # the 27th and the 28th day
    assert out[6] == [{"SubscriberKey": "ann", "URL": "https://example.org/a",
                       "EventDate": "2024-02-01T08:00:00", "EventType": "Click"}]
    assert out[7] == [{"BounceCategory": "Hard bounce", "Client": {"ID": 100000001}}]
    assert out[8].startswith("Error: The Request Property(s) URL do not match")
    assert out[9] == "Error"  # read only
    assert out[10] == [{"SubscriberKey": "ann", "SendID": 7}, {"SubscriberKey": "cat", "SendID": 1}]


def test_ampscript_invoke_execute(app: Flask, client: FlaskClient) -> None:
    assert text(client.get("/execute")) == (
        "OK|36|1|OK|Event posted|0|Error|Unable to find a handler for the SomeExecuteVerb "
        "method.")
    [event] = records.events(get_emulator(app).store, "Unsub")
    assert (event["SubscriberKey"], event["ListID"], event["SendID"]) == ("ann", 5, 0)


def test_reset_puts_the_seeded_events_back(app: Flask, client: FlaskClient) -> None:
    text(client.get("/execute"))
    emulator = get_emulator(app)
    assert len(records.events(emulator.store, "Unsub")) == 1
    reset(emulator, "fixtures")
    assert records.events(emulator.store, "Unsub") == []
    assert len(records.events(emulator.store, "Open")) == 30


def test_export_writes_files_that_read_back(tmp_path: Path) -> None:
    fixtures = write_fixtures(tmp_path / "fx")
    loaded = records.load_event_dirs([fixtures], include_default=False)
    written = records.write_events(loaded, tmp_path / "out")
    assert sorted(p.name for p in written) == ["BounceEvent.json", "ClickEvent.json",
                                               "OpenEvent.json", "SentEvent.json"]
    for path in written:
        jsonschema.validate(json.loads(path.read_text("utf-8")), schema(EVENTS_SCHEMA))
    assert records.load_event_dirs([tmp_path / "out"], include_default=False) == loaded
    assert records.write_events([], tmp_path / "none") == []


def test_the_schema_accepts_the_fixtures_and_refuses_what_the_reader_refuses() -> None:
    for items in EVENTS.values():
        jsonschema.validate(items, schema(EVENTS_SCHEMA))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"SubscriberKey": "a"}], schema(EVENTS_SCHEMA))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"SubscriberKey": "a", "EventDate": "x", "SendID": -1}],
                            schema(EVENTS_SCHEMA))


@pytest.mark.parametrize(("name", "entry", "message"), [
    ("OpenEvent", "text", "an event is a JSON object with SubscriberKey and EventDate, not"),
    ("OpenEvent", {"EventDate": "2024-01-01"}, "SubscriberKey is missing or empty"),
    ("OpenEvent", {"SubscriberKey": " ", "EventDate": "2024-01-01"},
     "SubscriberKey is missing or empty"),
    ("OpenEvent", {"SubscriberKey": "a"}, "EventDate is missing or not text"),
    ("OpenEvent", {"SubscriberKey": "a", "EventDate": "yesterday"},
     "EventDate 'yesterday' is not an ISO date and time"),
    ("OpenEvent", {"SubscriberKey": "a", "EventDate": "2024-01-01", "SendID": -1},
     "SendID is a whole number from 0 to 2147483647, not -1"),
    ("OpenEvent", {"SubscriberKey": "a", "EventDate": "2024-01-01", "ListID": "3"},
     "ListID is a whole number"),
    ("OpenEvent", {"SubscriberKey": "a", "EventDate": "2024-01-01", "BatchID": True},
     "BatchID is a whole number"),
    ("OpenEvent", {"SubscriberKey": "a", "EventDate": "2024-01-01", "URL": "x"},
     "a Open event has no 'URL'; its fields are SubscriberKey, EventDate"),
    ("ClickEvent", {"SubscriberKey": "a", "EventDate": "2024-01-01", "URL": 5},
     "URL is text, not a number"),
    ("SentEvent", {"SubscriberKey": "a" * 255, "EventDate": "2024-01-01"},
     "SubscriberKey has at most 254 characters"),
])
def test_bad_event_entries_are_refused_with_what_is_accepted(tmp_path: Path, name: str,
                                                             entry: Any, message: str) -> None:
    fixtures = write_fixtures(tmp_path / "fx", {name: [entry]})
    with pytest.raises(FixtureError) as refused:
        records.load_event_dirs([fixtures], include_default=False)
    assert message in str(refused.value)
    assert f"{name}.json" in str(refused.value)


def test_bad_event_files_are_refused(tmp_path: Path) -> None:
    fixtures = write_fixtures(tmp_path / "fx", {"LinkEvent": []})
    with pytest.raises(FixtureError, match="LinkEvent.json names no event type; the files are "
                                           "SentEvent.json, OpenEvent.json"):
        records.load_event_dirs([fixtures], include_default=False)
    fixtures = write_fixtures(tmp_path / "fx2", {"OpenEvent": {"SubscriberKey": "a"}})
    with pytest.raises(FixtureError, match="holds a JSON list of event objects"):
        records.load_event_dirs([fixtures], include_default=False)
    with pytest.raises(FixtureError):  # the app does not start on them either
        create_app({"TESTING": True, "fixtures": (str(fixtures),),
                    "no_default_fixtures": True})


def test_the_store_keeps_the_latest_events(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("emulator.assumptions.EVENTS_LIMIT", 3)
    store = Store.open(None)
    session = ObjectSession(store)
    for number in range(5):
        records.add_event(store, {"EventType": "Unsub", "SubscriberKey": f"s-{number}",
                                  "EventDate": "2024-01-01T00:00:00", "SendID": 0,
                                  "ListID": 0, "BatchID": 0,
                                  "TriggeredSendDefinitionObjectID": ""})
    found = session.retrieve("UnsubEvent", ["SubscriberKey"])["Results"]
    assert [e["SubscriberKey"] for e in found] == ["s-2", "s-3", "s-4"]


# --- Our own page: a send-on-submit form on the Core library --------------------------------------

OBJECTS_PAGES = Path(__file__).parent / "objects_pages"


@pytest.fixture
def pages_client() -> Iterator[FlaskClient]:
    application = create_app({"TESTING": True, "pages": str(OBJECTS_PAGES),
                              "fixtures": (str(OBJECTS_PAGES / "fixtures"),),
                              "no_default_fixtures": True, "frozen_time": FROZEN,
                              "ssjs_timeout": 20})
    yield application.test_client()
    get_emulator(application).close()


FORM = ('<form method="post"><input name="email" type="email"><input name="name">'
        '<button>Go</button></form>')


def test_the_core_welcome_form_sends_and_the_send_is_a_sent_event(
        pages_client: FlaskClient) -> None:
    answer = text(pages_client.post("/welcome-core", data={"email": "dee@example.org",
                                                            "name": "Dee"}))
    assert answer == ("\n<h1>Welcome</h1>\n<p>Thanks, Dee! Check dee@example.org for your "
                      "welcome email.</p>\n" + FORM)
    [message] = pages_client.get("/_emulator/outbox").get_json()["messages"]
    assert (message["definitionKey"], message["subscriberKey"], message["attributes"]) == (
        "welcome", "dee@example.org", {"First Name": "Dee"})
    emulator = get_emulator(pages_client.application)
    sent = ObjectSession(emulator.store, outbox=emulator.outbox).retrieve(
        "SentEvent", ["SubscriberKey", "SendID", "EventDate"])
    assert sent["Results"] == [{"SubscriberKey": "dee@example.org", "SendID": message["id"],
                                "EventDate": FROZEN}]


def test_the_core_welcome_form_says_why_a_paused_definition_does_not_send(
        pages_client: FlaskClient) -> None:
    answer = text(pages_client.post("/welcome-core?tsd=paused",
                                    data={"email": "dee@example.org", "name": "Dee"}))
    assert answer == ("\n<h1>Welcome</h1>\n<p>Sorry, no email was sent: The triggered send "
                      "'paused' is not completely configured: it has the Inactive status, and "
                      "only an Active (started) definition sends.</p>\n" + FORM)
    assert pages_client.get("/_emulator/outbox").get_json()["messages"] == []
    assert text(pages_client.get("/welcome-core")) == "\n<h1>Welcome</h1>\n\n" + FORM
