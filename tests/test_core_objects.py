"""The Core library's Subscriber, List, Folder, Attribute and DataExtension.Retrieve, over pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import pages_app, rolled_back_client
from flask import Flask
from flask.testing import FlaskClient

from emulator.objects.catalog import ObjectSession
from emulator.platform.globals import CORE_GLOBALS, CORE_NOT_EMULATED
from emulator.runtime import get_emulator
from emulator.subscribers import data

ROOT = Path(__file__).resolve().parent.parent
ORDERS = {"key": "Orders", "name": "Orders",
          "fields": [{"name": "OrderId", "type": "Text", "length": 20, "primaryKey": True}]}
LISTS = [{"ID": 1, "ListName": "Newsletter", "CustomerKey": "newsletter", "Type": "Public"},
         {"ID": 2, "ListName": "Offers", "CustomerKey": "offers"}]
SUBSCRIBERS = [
    {"SubscriberKey": "ann", "EmailAddress": "ann@example.org",
     "Attributes": {"First Name": "Ann"}, "Lists": [{"ID": 1}]},
    {"SubscriberKey": "bob", "EmailAddress": "bob@example.org", "Status": "Unsubscribed"},
]


def page(body: str) -> str:
    """A page that loads Core, runs ``body`` (which fills ``out``) and writes ``out``."""
    return ('<script runat="server">\nPlatform.Load("core", "1");\nvar out = [];\n'
            'function attempt(f) { try { return f(); } catch (e) { return "threw: " + '
            'e.message; } }\n' + body + '\nWrite(Stringify(out));\n</script>')


PAGES = {
    "stub.html": page("""
var s = Subscriber.Init("nobody-at-all");
out.push(typeof s.Update, typeof s.Lists.Retrieve, typeof Subscriber.Add);
var keys = [];
for (var k in Folder.Init("x")) keys.push(k + ":" + typeof Folder.Init("x")[k]);
out.push(keys.sort().join(","));"""),
    "add.html": page("""
out.push(Subscriber.Add({EmailAddress: "cat@example.org", SubscriberKey: "cat",
                         Attributes: {"First Name": "Cat"}, EmailTypePreference: "HTML"}));
out.push(Subscriber.Add({EmailAddress: "dan@example.org", SubscriberKey: "dan",
                         Attributes: [{Name: "First Name", Value: "Dan"}]}));
out.push(Subscriber.Add({EmailAddress: "eve@example.org", SubscriberKey: "eve",
                         Lists: {ID: 2, Status: "Active", Action: "Create"}}));"""),
    "add-refused.html": page("""
out.push(Subscriber.Add(), Subscriber.Add({}), Subscriber.Add("ann"),
         Subscriber.Add({EmailAddress: "not an address", SubscriberKey: "x1"}),
         Subscriber.Add({EmailAddress: "ann@example.org", SubscriberKey: "ann"}),
         Subscriber.Add({EmailAddress: "y@example.org", SubscriberKey: "y", Lists: [{ID: 99}]}),
         Subscriber.Add({EmailAddress: "z@example.org", SubscriberKey: "z", Lists: "1"}));"""),
    "retrieve.html": page("""
var found = Subscriber.Retrieve({Property: "SubscriberKey", SimpleOperator: "equals",
                                 Value: "ann"});
out.push(found, found.length);
out.push(Subscriber.Retrieve({Property: "SubscriberKey", SimpleOperator: "equals",
                              Value: "nobody"}).length);
out.push(Subscriber.Retrieve({Property: "Status", SimpleOperator: "equals",
                              Value: "Unsubscribed"})[0].SubscriberKey);
out.push(attempt(function () { return Subscriber.Retrieve("ann"); }));
out.push(attempt(function () { return Subscriber.Retrieve({Property: "Nickname",
    SimpleOperator: "equals", Value: "x"}); }));
out.push(attempt(function () { return Subscriber.Retrieve({}); }));"""),
    "instance.html": page("""
var ann = Subscriber.Init("ann");
out.push(ann.Update({EmailAddress: "ann@example.com", Attributes: {"Last Name": "Lee"}}));
out.push(ann.Update(), ann.Update({EmailAddress: "broken"}), ann.Update("text"));
out.push(Subscriber.Init("ghost").Update(), Subscriber.Init("ghost").Unsubscribe());
out.push(ann.Unsubscribe());
out.push(Subscriber.Init("fay").Upsert({EmailAddress: "fay@example.org"}));
out.push(Subscriber.Init("fay").Upsert({Attributes: {"First Name": "Fay"}}));
out.push(Subscriber.Init("bob").Remove(), Subscriber.Init("bob").Remove());"""),
    "sub-lists.html": page("""
out.push(Subscriber.Init("ann").Lists.Retrieve(), Subscriber.Init("bob").Lists.Retrieve(),
         Subscriber.Init("ghost").Lists.Retrieve());"""),
    "lists.html": page("""
out.push(List.Retrieve({Property: "CustomerKey", SimpleOperator: "equals",
                        Value: "newsletter"}));
out.push(List.Retrieve().length);
var members = List.Init("newsletter").Subscribers;
out.push(members.Retrieve());
out.push(members.Retrieve({Property: "SubscriberKey", SimpleOperator: "equals",
                           Value: "ann"}).length);
out.push(members.Retrieve({Property: "EmailAddress", SimpleOperator: "equals",
                           Value: "ann@example.org"}).length);
out.push(List.Init("no-such-list").Subscribers.Retrieve().length);"""),
    "members.html": page("""
var news = List.Init("newsletter").Subscribers;
out.push(news.Add({EmailAddress: "bob@example.org", SubscriberKey: "bob"}));
out.push(news.Add("gus@example.org", {"First Name": "Gus"}));
out.push(news.Add(), news.Add({}), List.Init("no-such-list").Subscribers.Add("h@example.org"));
out.push(news.Update("ann@example.org", "Unsubscribed"));
out.push(news.Update({EmailAddress: "ann@example.org", SubscriberKey: "ann"}, "Unsubscribed"));
out.push(news.Update({EmailAddress: "ann@example.org", SubscriberKey: "ann"}, "Sleeping"));
out.push(news.Update({EmailAddress: "ann@example.org", SubscriberKey: "ann"}));
var offers = List.Init("offers").Subscribers;
out.push(offers.Unsubscribe({EmailAddress: "ann@example.org", SubscriberKey: "ann"}));
out.push(offers.Upsert({EmailAddress: "ann@example.org", SubscriberKey: "ann"}));
out.push(offers.Unsubscribe({EmailAddress: "ann@example.org", SubscriberKey: "ann"}));"""),
    "folders.html": page("""
var all = Folder.Retrieve();
var de = Folder.Retrieve({Property: "Name", SimpleOperator: "equals",
                          Value: "Data Extensions"});
out.push(all.length > 0, de.length, typeof de[0].ID, de[0].ContentType);
out.push(Folder.Retrieve({Property: "ParentFolder.Name", SimpleOperator: "equals",
                          Value: "Shared Items"})[0].Name);
out.push(attempt(function () { return Folder.Retrieve(42); }));
out.push(attempt(function () { return Folder.Add({Name: "x"}); }));
out.push(attempt(function () { return Folder.Init("x").Remove(); }));"""),
    "de-retrieve.html": page("""
var found = DataExtension.Retrieve({Property: "CustomerKey", SimpleOperator: "equals",
                                    Value: "Orders"}, true);
out.push(found.length, found[0].CustomerKey, found[0].Name, found[0].CategoryID);
out.push(DataExtension.Retrieve({Property: "Name", SimpleOperator: "like",
                                 Value: "Ord%"}).length);
out.push(DataExtension.Retrieve().length > 1);
out.push(attempt(function () { return DataExtension.Retrieve({Property: "CustomerKey",
    SimpleOperator: "equals", Value: "Orders"}, "yes"); }));
out.push(attempt(function () { return DataExtension.Retrieve("Orders"); }));"""),
    "attribute.html": page("""
out.push(Attribute.GetValue("first name"), Attribute.GetValue("Nickname"),
         Attribute.GetValue("emailaddr"));
out.push(attempt(function () { return Attribute.GetValue(); }));"""),
    "not-built.html": page("""
out.push(attempt(function () { return Folder.Init("x").SetID(5); }));
out.push(attempt(function () { return TriggeredSend.Init("t").Tracking.Retrieve(); }));
out.push(attempt(function () { return List.Init("newsletter").Subscribers.Tracking(); }));
out.push(attempt(function () { return SentEvent.Retrieve(); }));"""),
    "before-load.html": ('<script runat="server">\ntry { Attribute.GetValue("x"); }\n'
                         'catch (e) { Platform.Response.Write(e.message); }\n</script>'),
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("core-objects")
    fixtures = root / "fx"
    (fixtures / "data_extensions").mkdir(parents=True)
    (fixtures / "data_extensions" / "Orders.json").write_text(json.dumps(ORDERS), "utf-8")
    (fixtures / "lists.json").write_text(json.dumps(LISTS), encoding="utf-8")
    (fixtures / "subscribers.json").write_text(json.dumps(SUBSCRIBERS), encoding="utf-8")
    with pages_app(root / "pages", PAGES, fixtures=(str(fixtures),),
                   ssjs_timeout=20, checkpoint=True) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    yield from rolled_back_client(app)  # each test starts from the fixtures


def run(client: FlaskClient, name: str, **headers: str) -> list[Any]:
    response = client.get(f"/{name}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data(as_text=True))


def subscriber(app: Flask, key: str) -> dict[str, Any] | None:
    try:
        return data.find(get_emulator(app).store, key)
    except data.SubscriberNotFound:
        return None


def test_init_never_fetches_and_the_stubs_hold_methods(client: FlaskClient) -> None:
    out = run(client, "stub")
    assert out[:3] == ["function", "function", "function"]
    assert out[3] == "Remove:function,SetID:function,Update:function"  # RT: methods only


def test_add_writes_object_attributes_and_ignores_the_array_form(app: Flask,
                                                                 client: FlaskClient) -> None:
    assert run(client, "add") == ["OK", "OK", "OK"]
    cat, dan, eve = (subscriber(app, key) for key in ("cat", "dan", "eve"))
    assert cat is not None and cat["Attributes"] == {"First Name": "Cat"}
    assert cat["EmailAddress"] == "cat@example.org" and cat["Status"] == "Active"
    assert dan is not None and dan["Attributes"] == {}  # "OK", but nothing written (RT)
    assert eve is not None and eve["Lists"] == [{"ID": 2, "Status": "Active"}]


def test_refused_adds_answer_error_and_write_nothing(app: Flask, client: FlaskClient) -> None:
    assert run(client, "add-refused") == ["Error"] * 7
    for key in ("x1", "y", "z"):
        assert subscriber(app, key) is None
    assert len(data.subscribers(get_emulator(app).store)) == 2


def test_retrieve_by_filter_and_its_errors(client: FlaskClient) -> None:
    out = run(client, "retrieve")
    assert out[0] == [{"SubscriberKey": "ann", "EmailAddress": "ann@example.org",
                       "Status": "Active"}]
    assert out[1:4] == [1, 0, "bob"]
    assert out[4].startswith("threw: Subscriber.Retrieve: a filter is an object such as")
    assert out[4].endswith("not a string.")
    assert out[5] == ("threw: Error: The Filter Property 'Nickname' is not a retrievable "
                      "property.")
    assert out[6].startswith("threw: Error executing retrieve call.")


def test_instance_writes_go_to_the_subscriber(app: Flask, client: FlaskClient) -> None:
    out = run(client, "instance")
    assert out == ["OK", "OK", "Error", "Error", "Error", "Error", "OK", "OK", "OK",
                   "OK", "Error"]
    ann = subscriber(app, "ann")
    assert ann is not None
    assert ann["EmailAddress"] == "ann@example.com"
    assert ann["Attributes"] == {"First Name": "Ann", "Last Name": "Lee"}
    assert ann["Status"] == "Unsubscribed"  # the row stays (RT)
    fay = subscriber(app, "fay")
    assert fay is not None and fay["Attributes"] == {"First Name": "Fay"}
    assert subscriber(app, "bob") is None and subscriber(app, "ghost") is None


def test_a_subscribers_lists(client: FlaskClient) -> None:
    assert run(client, "sub-lists") == [
        [{"ListID": 1, "SubscriberKey": "ann", "Status": "Active"}], [], []]


def test_lists_and_their_members(client: FlaskClient) -> None:
    out = run(client, "lists")
    assert out[0] == [{"ID": 1, "ListName": "Newsletter", "CustomerKey": "newsletter",
                       "Type": "Public", "ListClassification": "ExactTargetList",
                       "Description": ""}]
    assert out[1] == 2
    assert out[2] == [{"SubscriberKey": "ann", "EmailAddress": "ann@example.org",
                       "Status": "Active"}]
    assert out[3:] == [1, 0, 0]  # an EmailAddress filter finds nobody (RT)


def test_list_membership_writes(app: Flask, client: FlaskClient) -> None:
    out = run(client, "members")
    assert out == ["OK", "OK", "Error", "Error", "Error",
                   "Error", "OK", "Error", "Error",
                   "Error", "OK", "OK"]
    # a bare address is the new subscriber's key too
    bob, gus, ann = (subscriber(app, key) for key in ("bob", "gus@example.org", "ann"))
    assert bob is not None and bob["Lists"] == [{"ID": 1, "Status": "Active"}]
    assert gus is not None and gus["EmailAddress"] == "gus@example.org"
    assert gus["Attributes"] == {"First Name": "Gus"}
    assert gus["Lists"] == [{"ID": 1, "Status": "Active"}]
    assert ann is not None and ann["Lists"] == [{"ID": 1, "Status": "Unsubscribed"},
                                                {"ID": 2, "Status": "Unsubscribed"}]
    assert ann["Status"] == "Active"  # a list's unsubscribe leaves the subscriber's status
    assert subscriber(app, "h@example.org") is None


def test_the_changes_of_one_test_are_gone_in_the_next(app: Flask, client: FlaskClient) -> None:
    assert subscriber(app, "gus") is None and subscriber(app, "cat") is None
    bob = subscriber(app, "bob")
    assert bob is not None and bob["Lists"] == []


def test_folders(client: FlaskClient) -> None:
    out = run(client, "folders")
    assert out[:4] == [True, 1, "number", "dataextension"]
    assert out[4] == "Shared Data Extensions"
    assert out[5].startswith("threw: Folder.Retrieve: a filter is an object")
    assert out[6] == "Error"  # no ParentFolderID: no parent (tests/test_core_sends.py)
    assert out[7] == "Error"  # no folder has the key


def test_data_extension_definitions(app: Flask, client: FlaskClient) -> None:
    out = run(client, "de-retrieve")
    assert out[:3] == [1, "Orders", "Orders"]
    assert out[4:6] == [1, True]
    assert out[6].startswith("threw: DataExtension.Retrieve: the second argument, "
                             "queryAllAccounts, is true or false")
    assert out[7].startswith("threw: DataExtension.Retrieve: a filter is an object")
    # the same objects as WSProxy's DataExtension retrieve: one implementation
    session = ObjectSession(get_emulator(app).store)
    via_model = session.retrieve("DataExtension", ["CustomerKey", "CategoryID"],
                                 {"Property": "CustomerKey", "SimpleOperator": "equals",
                                  "Value": "Orders"})["Results"]
    assert isinstance(out[3], int) and out[3] == via_model[0]["CategoryID"]


def test_attribute_reads_the_page_subscriber(client: FlaskClient) -> None:
    assert run(client, "attribute", **{"X-Mcemu-Subscriber": "ann"})[:3] == [
        "Ann", "", "ann@example.org"]
    out = run(client, "attribute")
    assert out[:3] == ["", "", ""]  # no subscriber: empty text, no throw (RT)
    assert out[3] == "threw: Unable to retrieve security descriptor for this frame."


def test_members_not_built_name_themselves(client: FlaskClient) -> None:
    assert run(client, "not-built") == [
        "threw: Folder.Init(key).SetID is not emulated by mc-emulator.",
        "threw: TriggeredSend.Init(key).Tracking.Retrieve is not emulated by mc-emulator.",
        "threw: List.Init(key).Subscribers.Tracking is not emulated by mc-emulator.",
        "threw: SentEvent.Retrieve is not emulated by mc-emulator.",
    ]


def test_the_core_objects_need_platform_load(client: FlaskClient) -> None:
    text = client.get("/before-load").get_data(as_text=True)
    assert text == 'Attribute is not defined (call Platform.Load("core", "1") first)'


def test_the_prelude_and_the_python_lists_agree() -> None:
    prelude = (ROOT / "emulator/ssjs/prelude.js").read_text(encoding="utf-8")
    found = re.search(r"var lacking = \[(.*?)\];", prelude, re.DOTALL)
    assert found is not None
    lacking = re.findall(r'"([A-Za-z]+)"', found.group(1))
    assert lacking == list(CORE_NOT_EMULATED)
    assert not set(lacking) & set(CORE_GLOBALS)
    for name in ("Subscriber", "List", "Folder", "Attribute"):
        assert re.search(rf"^    {name}: platformObject\(\"{name}\"", prelude, re.MULTILINE)
