"""Sends captured, never sent: TriggeredSend, the outbox, SentEvent, the admin route, mc.outbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import pages_app
from flask import Flask

from emulator.errors import FixtureError
from emulator.objects.catalog import ObjectSession
from emulator.reset import reset
from emulator.runtime import get_emulator
from emulator.schemas import TRIGGERED_SENDS_SCHEMA, schema
from emulator.sends.definitions import load_definition_dirs
from emulator.sends.outbox import Outbox
from emulator.testing.handle import EmulatorHandle

DEFINITIONS = [
    {"CustomerKey": "welcome", "Name": "Welcome", "EmailSubject": "Hello"},
    {"CustomerKey": "draft", "TriggeredSendStatus": "New"},
]
#: Our own sign-up page: it sends the welcome e-mail to the address posted.
SEND_PAGE = """<script runat="server">
var proxy = new Script.Util.WSProxy();
var email = Platform.Request.GetQueryStringParameter("email");
var key = Platform.Request.GetQueryStringParameter("tsd");
var answer = proxy.createItem("TriggeredSend", {
  TriggeredSendDefinition: {CustomerKey: key},
  Subscribers: [{EmailAddress: email, SubscriberKey: "k-" + email,
                 Attributes: [{Name: "First Name", Value: "Ann"}]}]});
var sent = proxy.retrieve("SentEvent", ["SendID", "SubscriberKey", "EventType"]);
Platform.Response.Write(answer.Status + "|" + answer.Results[0].StatusMessage + "|"
  + Platform.Function.Stringify(sent.Results));
</script>"""
FROZEN = "2024-03-01T12:00:00+00:00"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    fixtures, pages = tmp_path / "fx", tmp_path / "pages"
    (fixtures / "data_extensions").mkdir(parents=True)
    (fixtures / "triggered_sends.json").write_text(json.dumps(DEFINITIONS), encoding="utf-8")
    with pages_app(pages, {"signup.html": SEND_PAGE}, ssjs_timeout=20,
                   fixtures=(str(fixtures),), no_default_fixtures=True,
                   frozen_time=FROZEN) as application:
        yield application


def send(app: Flask, email: str = "ann@example.org", tsd: str = "welcome") -> list[str]:
    response = app.test_client().get("/signup", query_string={"email": email, "tsd": tsd})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True).split("|")


def test_a_page_send_is_captured_with_the_clock_time(app: Flask) -> None:
    status, message, sent = send(app)
    assert (status, message) == ("OK", "Created TriggeredSend")
    assert json.loads(sent) == [{"SendID": 1, "SubscriberKey": "k-ann@example.org",
                                 "EventType": "Sent"}]
    [captured] = EmulatorHandle(app).outbox
    assert captured["definitionKey"] == "welcome"
    assert captured["emailAddress"] == "ann@example.org"
    assert captured["attributes"] == {"First Name": "Ann"}
    assert captured["time"] == FROZEN


@pytest.mark.parametrize(("email", "tsd", "expected"), [
    ("ann@example.org", "nope", "The TriggeredSendDefinition 'nope' does not exist."),
    ("ann@example.org", "draft", "'draft' is New: only an Active definition sends"),
    ("not-an-address", "welcome", "InvalidEmailAddress"),
])
def test_a_send_that_cannot_go_fails_the_item_and_captures_nothing(
        app: Flask, email: str, tsd: str, expected: str) -> None:
    status, message, sent = send(app, email, tsd)
    assert status == "Error" and expected in message
    assert sent == "[]" and EmulatorHandle(app).outbox == []


@pytest.mark.parametrize(("item", "expected"), [
    ({"Subscribers": [{"EmailAddress": "a@example.org"}]}, "TriggeredSendDefinition is an"),
    ({"TriggeredSendDefinition": "welcome"}, "TriggeredSendDefinition is an object"),
    ({"TriggeredSendDefinition": {"CustomerKey": "welcome"}, "Subscribers": "a@example.org"},
     "Subscribers is an array"),
    ({"TriggeredSendDefinition": {"CustomerKey": "welcome"},
      "Subscribers": [{"EmailAddress": "a@example.org", "Attributes": {"A": 1}}]},
     "Attributes is an array of {Name, Value}"),
])
def test_a_malformed_send_is_refused_whole(app: Flask, item: dict[str, Any],
                                           expected: str) -> None:
    session = ObjectSession(get_emulator(app).store, outbox=get_emulator(app).outbox)
    with pytest.raises(Exception, match="Error executing create call") as raised:
        session.create("TriggeredSend", [item])
    assert expected in str(raised.value)


def test_a_send_without_subscribers_fails_the_item(app: Flask) -> None:
    emulator = get_emulator(app)
    answer = ObjectSession(emulator.store, outbox=emulator.outbox).create(
        "TriggeredSend", [{"TriggeredSendDefinition": {"CustomerKey": "welcome"}}])
    assert answer["Results"][0]["StatusMessage"].startswith("A TriggeredSend needs Subscribers")
    assert len(emulator.outbox) == 0


def test_a_session_without_an_outbox_does_not_pretend_to_send(app: Flask) -> None:
    answer = ObjectSession(get_emulator(app).store).create("TriggeredSend", [{
        "TriggeredSendDefinition": {"CustomerKey": "welcome"},
        "Subscribers": [{"EmailAddress": "a@example.org"}]}])
    assert answer["Status"] == "Error" and "not captured" in answer["Results"][0]["StatusMessage"]


def test_each_subscriber_is_one_message_and_the_key_defaults_to_the_address(app: Flask) -> None:
    emulator = get_emulator(app)
    ObjectSession(emulator.store, outbox=emulator.outbox).create("TriggeredSend", [{
        "TriggeredSendDefinition": {"CustomerKey": "welcome"},
        "Subscribers": [{"EmailAddress": "a@example.org"},
                        {"EmailAddress": "b@example.org", "SubscriberKey": "b"}]}])
    assert [(m["id"], m["subscriberKey"]) for m in EmulatorHandle(app).outbox] == [
        (1, "a@example.org"), (2, "b")]


def test_definitions_are_retrieved(app: Flask) -> None:
    answer = ObjectSession(get_emulator(app).store).retrieve(
        "TriggeredSendDefinition", ["CustomerKey", "TriggeredSendStatus"],
        {"Property": "TriggeredSendStatus", "SimpleOperator": "equals", "Value": "Active"})
    assert answer["Results"] == [{"CustomerKey": "welcome", "TriggeredSendStatus": "Active"}]
    bad = ObjectSession(get_emulator(app).store).retrieve("TriggeredSendDefinition", ["Status"])
    assert bad["Status"].startswith("Error: The Request Property(s) Status do not match")


def test_the_outbox_rolls_back_and_a_reset_clears_it(app: Flask) -> None:
    emulator = get_emulator(app)
    emulator.checkpoint()
    send(app)
    assert len(EmulatorHandle(app).outbox) == 1
    emulator.rollback()
    assert EmulatorHandle(app).outbox == []
    send(app)
    for target in ("start", "fixtures", "empty"):
        send(app)
        reset(emulator, target)
        assert EmulatorHandle(app).outbox == [], target
    # definitions survive every reset target
    assert [d["CustomerKey"] for d in app.test_client().get("/_emulator/state")
            .get_json()["triggeredSends"]] == ["welcome", "draft"]


def test_the_outbox_keeps_the_latest_messages_only() -> None:
    outbox = Outbox(limit=3)
    for number in range(5):
        outbox.record([{"n": number}])
    assert [(m["id"], m["n"]) for m in outbox.messages()] == [(3, 2), (4, 3), (5, 4)]


def test_the_admin_route_pages_and_filters(app: Flask) -> None:
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        send(app, email)
    client = app.test_client()
    page = client.get("/_emulator/outbox?limit=2").get_json()
    assert page["total"] == 3 and len(page["messages"]) == 2
    assert page["next"].endswith("offset=2")
    only = client.get("/_emulator/outbox?subscriber=k-b@example.org").get_json()
    assert [m["emailAddress"] for m in only["messages"]] == ["b@example.org"]
    assert client.get("/_emulator/outbox?definition=draft").get_json()["total"] == 0
    assert client.get("/_emulator/state").get_json()["outbox"] == {"messages": 3}


@pytest.mark.parametrize(("query", "expected"), [
    ("?limit=0", "limit"), ("?offset=x", "offset"), ("?colour=red", "'colour': not a parameter"),
])
def test_the_admin_route_refuses_bad_queries(app: Flask, query: str, expected: str) -> None:
    response = app.test_client().get(f"/_emulator/outbox{query}")
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)


def test_the_route_is_in_the_openapi_document(app: Flask) -> None:
    document = app.test_client().get("/_emulator/openapi.json").get_json()
    assert "get" in document["paths"]["/_emulator/outbox"]


def test_the_dashboard_shows_the_outbox(app: Flask) -> None:
    send(app, "<b>x</b>@example.org")  # an invalid address: nothing captured
    send(app, "ann@example.org")
    html = app.test_client().get("/_emulator/ui/outbox").get_data(as_text=True)
    assert "k-ann@example.org" in html and "Welcome" in html and "<b>x" not in html


@pytest.mark.parametrize(("definitions", "expected"), [
    ({"CustomerKey": "a"}, "holds a JSON list"),
    ([{"Name": "a"}], "CustomerKey is missing or empty"),
    ([{"CustomerKey": "a", "TriggeredSendStatus": "Paused"}], "'Paused' is not one of New"),
    ([{"CustomerKey": "a", "Subject": "x"}], "has no 'Subject'"),
    ([{"CustomerKey": "a", "EmailSubject": 3}], "EmailSubject is text, not a number"),
    ([{"CustomerKey": "a"}, {"CustomerKey": "a"}], "CustomerKey 'a' is defined twice"),
])
def test_a_bad_definitions_file_says_what_is_wrong(tmp_path: Path, definitions: Any,
                                                   expected: str) -> None:
    (tmp_path / "triggered_sends.json").write_text(json.dumps(definitions), encoding="utf-8")
    with pytest.raises(FixtureError) as raised:
        load_definition_dirs([tmp_path], include_default=False)
    assert expected in str(raised.value) and "triggered_sends.json" in str(raised.value)


def test_the_shipped_json_schema_takes_the_fixture_file() -> None:
    jsonschema.validate(DEFINITIONS, schema(TRIGGERED_SENDS_SCHEMA))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"CustomerKey": "a", "TriggeredSendStatus": "Paused"}],
                            schema(TRIGGERED_SENDS_SCHEMA))
