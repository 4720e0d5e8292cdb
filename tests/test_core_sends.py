"""The Core library's TriggeredSend, List.Add/Remove, Folder.Add/Update/Remove and the
Subscriber's Statistics and Attributes, over pages served by the Flask test client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import pages_app, rolled_back_client
from flask import Flask
from flask.testing import FlaskClient

from emulator.folders import data as folder_data
from emulator.runtime import get_emulator
from emulator.sends import definitions
from emulator.subscribers import data

DEFINITIONS = [
    {"CustomerKey": "welcome", "Name": "Welcome", "EmailSubject": "Hello"},
    {"CustomerKey": "draft", "TriggeredSendStatus": "New"},
    {"CustomerKey": "paused", "TriggeredSendStatus": "Inactive"},
]
LISTS = [{"ID": 1, "ListName": "Newsletter", "CustomerKey": "newsletter"}]
SUBSCRIBERS = [
    {"SubscriberKey": "ann", "EmailAddress": "ann@example.org",
     "Attributes": {"First Name": "Ann", "City": "Oslo"}, "Lists": [{"ID": 1}]},
    {"SubscriberKey": "bob", "EmailAddress": "bob@example.org"},
]
EVENTS = {"OpenEvent": [{"SubscriberKey": "ann", "EventDate": "2024-01-02T10:00:00"},
                        {"SubscriberKey": "ann", "EventDate": "2024-01-03T10:00:00"}],
          "ClickEvent": [{"SubscriberKey": "ann", "EventDate": "2024-01-02T10:05:00",
                          "URL": "https://example.org/offer"}]}
FROZEN = "2024-03-01T12:00:00+00:00"


def page(body: str) -> str:
    """A page that loads Core, runs ``body`` (which fills ``out``) and writes ``out``."""
    return ('<script runat="server">\nPlatform.Load("core", "1");\nvar out = [];\n'
            'function attempt(f) { try { return f(); } catch (e) { return "threw: " + '
            '(typeof e === "string" ? "string " + e : e.message); } }\n' + body +
            '\nWrite(Stringify(out));\n</script>')


PAGES = {
    "stub.html": page("""
var ts = TriggeredSend.Init("no-such-definition");
var keys = [];
for (var k in ts) keys.push(k + ":" + (typeof ts[k]));
out.push(keys.join(","), ts.LastRequestID, ts.LastMessage, typeof TriggeredSend.Retrieve);"""),
    "send.html": page("""
var ts = TriggeredSend.Init("welcome");
out.push(ts.Send("cat@example.org", {"First Name": "Cat", Coupon: "AA1"}));
out.push(ts.LastMessage, ts.LastRequestID.length);
out.push(TriggeredSend.Init("welcome").LastMessage);
out.push(ts.Send("bob@example.org"));"""),
    "send-refused.html": page("""
var draft = TriggeredSend.Init("draft"), paused = TriggeredSend.Init("paused");
out.push(draft.Send("cat@example.org"), draft.LastMessage);
out.push(paused.Send("cat@example.org"), paused.LastMessage);
var ghost = TriggeredSend.Init("ghost");
out.push(ghost.Send("cat@example.org"), ghost.LastMessage);
var welcome = TriggeredSend.Init("welcome");
out.push(welcome.Send("not an address"), welcome.LastMessage);
out.push(welcome.Send("cat@example.org", "attributes"), welcome.LastMessage);
out.push(attempt(function () { return welcome.Send(); }));
try { welcome.Send(); } catch (e) { out.push(typeof e); }"""),
    "lifecycle.html": page("""
var draft = TriggeredSend.Init("draft");
out.push(draft.Start(), draft.Send("dan@example.org"));
out.push(draft.Pause(), draft.Send("dan@example.org"));
out.push(draft.Publish(), TriggeredSend.Init("ghost").Start(), TriggeredSend.Init("ghost").Pause());
out.push(attempt(function () { return TriggeredSend.Add({CustomerKey: "x"}); }));
out.push(attempt(function () { return draft.Update("x"); }), draft.LastMessage);
out.push(attempt(function () { return draft.Tracking.Retrieve(); }));
var found = TriggeredSend.Retrieve({Property: "TriggeredSendStatus", SimpleOperator: "equals",
                                    Value: "Inactive"});
out.push(found.length, found[0].CustomerKey, found[0].TriggeredSendStatus);
out.push(TriggeredSend.Retrieve().length);
out.push(attempt(function () { return TriggeredSend.Retrieve("welcome"); }));"""),
    "lists.html": page("""
out.push(List.Add({CustomerKey: "vip", Name: "VIP", Type: "Public"}));
out.push(List.Add({CustomerKey: "vip", Name: "VIP again"}), List.Add(), List.Add({}),
         List.Add("vip"));
out.push(List.Retrieve({Property: "CustomerKey", SimpleOperator: "equals",
                        Value: "vip"})[0].ListName);
out.push(List.Init("newsletter").Remove(), List.Init("newsletter").Remove(),
         List.Init("ghost").Remove());
out.push(List.Retrieve().length);"""),
    "folders.html": page("""
out.push(Folder.Add({Name: "Campaigns", CustomerKey: "campaigns", ContentType: "dataextension",
                     ParentFolderID: 1001}));
out.push(Folder.Add({Name: "Campaigns", CustomerKey: "campaigns-2", ParentFolderID: 1001}),
         Folder.Add({Name: "Lost", CustomerKey: "lost", ParentFolderID: 999999}));
out.push(attempt(function () { return Folder.Add(); }),
         attempt(function () { return Folder.Add({}); }),
         attempt(function () { return Folder.Add("campaigns"); }));
out.push(Folder.Init("campaigns").Update({Name: "Spring"}),
         Folder.Init("ghost").Update({Name: "x"}),
         Folder.Init("campaigns").Update("x"), Folder.Init("campaigns").Update({ID: 5}));
out.push(Folder.Retrieve({Property: "CustomerKey", SimpleOperator: "equals",
                          Value: "campaigns"})[0].Name);
out.push(Folder.Init("dataextension_default").Remove(), Folder.Init("campaigns").Remove(),
         Folder.Init("campaigns").Remove());"""),
    "subscriber.html": page("""
var stats = Subscriber.Init("ann").Statistics();
out.push(stats, Object.prototype.toString.call(stats));
out.push(Subscriber.Init("ghost").Statistics().Opens);
out.push(Subscriber.Init("ann").Attributes.Retrieve(),
         Subscriber.Init("ghost").Attributes.Retrieve());"""),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("core-sends")
    fixtures = root / "fx"
    (fixtures / "data_extensions").mkdir(parents=True)
    (fixtures / "events").mkdir()
    (fixtures / "triggered_sends.json").write_text(json.dumps(DEFINITIONS), encoding="utf-8")
    (fixtures / "lists.json").write_text(json.dumps(LISTS), encoding="utf-8")
    (fixtures / "subscribers.json").write_text(json.dumps(SUBSCRIBERS), encoding="utf-8")
    for name, records in EVENTS.items():
        (fixtures / "events" / f"{name}.json").write_text(json.dumps(records), encoding="utf-8")
    with pages_app(root / "pages", PAGES, fixtures=(str(fixtures),), no_default_fixtures=True,
                   frozen_time=FROZEN, ssjs_timeout=20, checkpoint=True) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    yield from rolled_back_client(app)  # each test starts from the fixtures


def run(client: FlaskClient, name: str) -> list[Any]:
    response = client.get(f"/{name}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data(as_text=True))


def status(app: Flask, key: str) -> str:
    found = definitions.find(get_emulator(app).store, key)
    assert found is not None
    return str(found["TriggeredSendStatus"])


def test_init_is_the_documented_stub(client: FlaskClient) -> None:
    keys, request_id, message, retrieve = run(client, "stub")
    assert keys == ("Send:function,Start:function,Pause:function,Publish:function,"
                    "Update:function,Tracking:object,LastRequestID:object,LastMessage:object")
    assert (request_id, message) == (None, None)  # RT: null on a new stub
    assert retrieve == "function"


def test_send_captures_one_message_and_says_so(app: Flask, client: FlaskClient) -> None:
    out = run(client, "send")
    assert out == ["OK", "Created TriggeredSend", 36, None, "OK"]
    messages = get_emulator(app).outbox.messages()
    assert [(m["definitionKey"], m["subscriberKey"], m["emailAddress"]) for m in messages] == [
        ("welcome", "cat@example.org", "cat@example.org"),
        ("welcome", "bob", "bob@example.org")]  # keyed by the subscriber with the address
    assert messages[0]["attributes"] == {"First Name": "Cat", "Coupon": "AA1"}
    assert messages[0]["time"] == FROZEN


def test_send_errors_answer_error_with_the_reason_and_send_nothing(app: Flask,
                                                                   client: FlaskClient) -> None:
    out = run(client, "send-refused")
    assert out[0] == "Error" and "not completely configured" in out[1] and "New status" in out[1]
    assert out[2] == "Error" and "Inactive status" in out[3]
    assert out[4] == "Error" and out[5] == "The TriggeredSendDefinition 'ghost' does not exist."
    assert out[6:8] == ["Error", "InvalidEmailAddress"]
    assert out[8] == "Error" and "object such as" in out[9] and "a string" in out[9]
    assert out[10] == "threw: string Usage: Send(EmailAddress [, sendTimeAttributes])"
    assert out[11] == "string"  # RT: the raw string, not an Error
    assert get_emulator(app).outbox.messages() == []


def test_start_pause_publish_move_the_status(app: Flask, client: FlaskClient) -> None:
    out = run(client, "lifecycle")
    assert out[:4] == ["OK", "OK", "OK", "Error"]  # started: sends; paused: does not
    assert out[4:7] == ["OK", "Error", "Error"]
    assert out[7] == "threw: string Error adding TSD."
    assert out[8:10] == ["threw: string Error Updating TSD.",
                         "Invalid cast from 'Char' to 'Double'."]
    assert out[10] == ("threw: TriggeredSend.Init(key).Tracking.Retrieve is not emulated by "
                       "mc-emulator.")
    assert out[11:14] == [2, "draft", "Inactive"]  # paused just now, and "paused"
    assert out[14] == 3
    assert out[15].startswith("threw: TriggeredSend.Retrieve: a filter is an object")
    assert status(app, "draft") == "Inactive"  # Pause reads back Inactive (documented)
    assert len(get_emulator(app).outbox.messages()) == 1


def test_list_add_and_remove(app: Flask, client: FlaskClient) -> None:
    out = run(client, "lists")
    assert out == ["OK", "Error", "Error", "Error", "Error", "VIP", "OK", "Error", "Error", 1]
    store = get_emulator(app).store
    assert [(item["ID"], item["CustomerKey"]) for item in data.lists(store)] == [(2, "vip")]
    assert data.find(store, "ann")["Lists"] == []  # the removed list's memberships went


def test_folder_add_update_remove(app: Flask, client: FlaskClient) -> None:
    out = run(client, "folders")
    assert out[:3] == ["OK", "Error", "Error"]
    assert all(text.startswith("threw: Folder.Add takes an object such as") for text in out[3:6])
    assert "an empty object" in out[4] and "a string" in out[5]
    assert out[6:10] == ["OK", "Error", "Error", "Error"]
    assert out[10] == "Spring"
    assert out[11:] == ["Error", "OK", "Error"]  # a folder holding others is not removed
    keys = [f["CustomerKey"] for f in folder_data.folders(get_emulator(app).store)]
    assert "campaigns" not in keys and "dataextension_default" in keys


def test_statistics_and_attributes(client: FlaskClient) -> None:
    stats, kind, ghost_opens, attributes, none = run(client, "subscriber")
    assert stats == {"SubscriberKey": "ann", "Sent": 0, "Opens": 2, "Clicks": 1, "Bounces": 0,
                     "Unsubscribes": 0}
    assert kind == "[object Object]" and ghost_opens == 0
    assert attributes == [{"Name": "First Name", "Value": "Ann"}, {"Name": "City", "Value": "Oslo"}]
    assert none == []


def test_a_send_counts_in_statistics(client: FlaskClient, app: Flask) -> None:
    run(client, "send")
    assert run(client, "subscriber")[0]["Sent"] == 0  # sent to cat and bob, not ann
