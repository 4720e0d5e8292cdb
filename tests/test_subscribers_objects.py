"""``Subscriber``, ``List`` and ``ListSubscriber`` objects: the object model and WSProxy pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from emulator.app import create_app
from emulator.objects.catalog import ObjectSession
from emulator.runtime import get_emulator
from emulator.subscribers import data

LISTS = [{"ID": 1, "ListName": "Newsletter", "Type": "Public"}]
SUBSCRIBERS = [
    {"SubscriberKey": "ann", "EmailAddress": "ann@example.org",
     "Attributes": {"First Name": "Ann"}, "Lists": [{"ID": 1}]},
    {"SubscriberKey": "bob", "EmailAddress": "bob@example.org", "Status": "Unsubscribed"},
]
#: An unsubscribe page of our own: it reads the key from the query and sets the status.
UNSUBSCRIBE = """<script runat="server">
var proxy = new Script.Util.WSProxy();
var key = Platform.Request.GetQueryStringParameter("key");
var found = proxy.retrieve("Subscriber", ["SubscriberKey", "Status"],
  {Property: "SubscriberKey", SimpleOperator: "equals", Value: key});
if (found.Results.length == 0) { Platform.Response.Write("unknown"); }
else {
  var answer = proxy.updateItem("Subscriber", {SubscriberKey: key, Status: "Unsubscribed",
                                               Lists: [{ID: 1, Status: "Unsubscribed"}]});
  Platform.Response.Write(answer.Status + " " + found.Results[0].Status + "->Unsubscribed");
}
</script>"""


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    fixtures, pages = tmp_path / "fx", tmp_path / "pages"
    (fixtures / "data_extensions").mkdir(parents=True)
    (fixtures / "lists.json").write_text(json.dumps(LISTS), encoding="utf-8")
    (fixtures / "subscribers.json").write_text(json.dumps(SUBSCRIBERS), encoding="utf-8")
    pages.mkdir()
    (pages / "unsubscribe.html").write_text(UNSUBSCRIBE, encoding="utf-8")
    application = create_app({"TESTING": True, "pages": str(pages),
                              "fixtures": (str(fixtures),), "ssjs_timeout": 20})
    yield application
    get_emulator(application).close()


@pytest.fixture
def session(app: Flask) -> ObjectSession:
    return ObjectSession(get_emulator(app).store)


def test_retrieve_subscribers_with_a_filter(session: ObjectSession) -> None:
    answer = session.retrieve("Subscriber", ["SubscriberKey", "EmailAddress", "Status"],
                              {"Property": "Status", "SimpleOperator": "equals",
                               "Value": "Unsubscribed"})
    assert answer["Status"] == "OK" and answer["HasMoreRows"] is False
    assert answer["Results"] == [{"SubscriberKey": "bob", "EmailAddress": "bob@example.org",
                                  "Status": "Unsubscribed"}]


def test_retrieve_lists_and_memberships(session: ObjectSession) -> None:
    lists = session.retrieve("List", ["ID", "ListName", "Type", "Client.ID"])["Results"]
    assert lists == [{"ID": 1, "ListName": "Newsletter", "Type": "Public",
                      "Client": {"ID": 100000001}}]
    members = session.retrieve("ListSubscriber", ["ListID", "SubscriberKey", "Status"])
    assert members["Results"] == [{"ListID": 1, "SubscriberKey": "ann", "Status": "Active"}]


def test_an_unknown_property_is_answered_in_the_status(session: ObjectSession) -> None:
    answer = session.retrieve("Subscriber", ["Nickname"])
    assert answer["Status"].startswith("Error: The Request Property(s) Nickname")
    assert answer["Results"] == []


def test_create_a_subscriber_on_a_list(session: ObjectSession, app: Flask) -> None:
    answer = session.create("Subscriber", [
        {"SubscriberKey": "cy", "EmailAddress": "cy@example.org", "Status": "Active",
         "Lists": [{"ID": 1, "Status": "Active"}],
         "Attributes": [{"Name": "First Name", "Value": "Cy"}]}])
    assert answer["Status"] == "OK"
    assert answer["Results"][0]["Object"]["SubscriberKey"] == "cy"
    record = data.find(get_emulator(app).store, "cy")
    assert record["Attributes"] == {"First Name": "Cy"}
    assert record["Lists"] == [{"ID": 1, "Status": "Active"}]
    # the admin API serves the same data
    page = app.test_client().get("/_emulator/subscribers?key=cy").get_json()
    assert page["subscribers"] == [record]


@pytest.mark.parametrize(("item", "message"), [
    ({"SubscriberKey": "cy", "EmailAddress": "not-an-address"}, "InvalidEmailAddress"),
    ({"SubscriberKey": "ann", "EmailAddress": "ann@example.org"},
     "The subscriber already exists."),
    ({"SubscriberKey": "cy", "EmailAddress": "cy@example.org", "Status": "Gone"},
     "Status 'Gone' is not one of Active, Bounced, Held, Unsubscribed, Deleted"),
    ({"SubscriberKey": "cy", "EmailAddress": "cy@example.org", "Lists": [{"ID": 9}]},
     "list 9 does not exist; lists come from lists.json"),
])
def test_a_refused_item_writes_nothing(session: ObjectSession, app: Flask, item: dict[str, object],
                                       message: str) -> None:
    before = data.subscribers(get_emulator(app).store)
    good = {"SubscriberKey": "dee", "EmailAddress": "dee@example.org"}
    answer = session.create("Subscriber", [item, good])
    assert answer["Status"] == "Error"
    first, second = answer["Results"]
    assert (first["StatusCode"], first["StatusMessage"]) == ("Error", message)
    assert second["StatusCode"] == "OK"  # all or nothing per item
    after = data.subscribers(get_emulator(app).store)
    assert after[:-1] == before and after[-1]["SubscriberKey"] == "dee"


def test_delete_a_subscriber_and_a_missing_one(session: ObjectSession, app: Flask) -> None:
    answer = session.delete("Subscriber", [{"SubscriberKey": "bob"}, {"SubscriberKey": "zed"}])
    assert answer["Status"] == "Error"
    gone, missing = answer["Results"]
    assert (gone["StatusCode"], gone["ErrorCode"]) == ("OK", 0)
    assert (missing["StatusMessage"], missing["ErrorCode"]) == (
        "The subscriber was not found.", 12001)
    assert [s["SubscriberKey"] for s in data.subscribers(get_emulator(app).store)] == ["ann"]


def test_update_merges_attributes_and_lists(session: ObjectSession, app: Flask) -> None:
    answer = session.update("Subscriber", [
        {"SubscriberKey": "ann", "Attributes": [{"Name": "City", "Value": "Oslo"}]}])
    assert answer["Status"] == "OK"
    record = data.find(get_emulator(app).store, "ann")
    assert record["Attributes"] == {"First Name": "Ann", "City": "Oslo"}
    assert record["Lists"] == [{"ID": 1, "Status": "Active"}]
    missing = session.update("Subscriber", [{"SubscriberKey": "zed", "Status": "Active"}])
    assert missing["Results"][0]["StatusMessage"] == "The subscriber was not found."


def test_bad_shapes_throw_and_write_nothing(session: ObjectSession, app: Flask) -> None:
    from emulator.objects.errors import RequestRefused

    with pytest.raises(RequestRefused, match="Attributes is an array of {Name, Value}"):
        session.create("Subscriber", [{"SubscriberKey": "x", "EmailAddress": "x@example.org"},
                                      {"SubscriberKey": "y", "EmailAddress": "y@example.org",
                                       "Attributes": {"City": "Oslo"}}])
    assert len(data.subscribers(get_emulator(app).store)) == 2
    refused = session.update("List", [{"ID": 2, "ListName": "Offers"}])
    assert refused["Results"][0]["StatusMessage"] == "The object type List does not support update."


def test_an_unsubscribe_page_over_http(app: Flask) -> None:
    client = app.test_client()
    answer = client.get("/unsubscribe?key=ann")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_data(as_text=True) == "OK Active->Unsubscribed"
    record = data.find(get_emulator(app).store, "ann")
    assert record["Status"] == "Unsubscribed"
    assert record["Lists"] == [{"ID": 1, "Status": "Unsubscribed"}]
    assert client.get("/unsubscribe?key=nobody").get_data(as_text=True) == "unknown"
