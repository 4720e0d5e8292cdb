"""Data Extension rows written through the object model are journaled, whatever the door.

A row a page adds or changes through WSProxy, AMPscript's Invoke functions or the Core library
shows in its journal entry's ``rows_written`` as stored, as ``Rows.Add`` and ``InsertData`` rows
do; a refused write and a delete show nothing. Read through the admin API.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import pages_app
from flask.testing import FlaskClient

PEOPLE = {"key": "People", "fields": [{"name": "Id", "primaryKey": True, "nullable": False},
                                      {"name": "Name", "length": 50},
                                      {"name": "Visits", "type": "Number"}]}
#: A DE without a primary key: an UpdateAdd adds the row.
VISITS = {"key": "Visits", "fields": [{"name": "Who", "length": 50},
                                      {"name": "Count", "type": "Number"}]}
ANN = {"Id": "p1", "Name": "Ann", "Visits": 1}


def ssjs(body: str, core: bool = False) -> str:
    load = 'Platform.Load("core", "1");\n' if core else ""
    return f'<script runat="server">\n{load}{body}\n</script>'


def pairs(row: dict[str, Any]) -> str:
    return json.dumps([{"Name": name, "Value": value} for name, value in row.items()])


PAGES = {
    "ws_create.html": ssjs(f"""var proxy = new Script.Util.WSProxy();
var a = proxy.createItem("DataExtensionObject", {{CustomerKey: "People",
  Properties: {pairs({"Id": "p2", "Name": "Bob", "Visits": 2})}}});
Platform.Response.Write(a.Status);"""),
    "ws_update.html": ssjs(f"""var proxy = new Script.Util.WSProxy();
var a = proxy.updateItem("DataExtensionObject", {{CustomerKey: "People",
  Properties: {pairs({"Id": "p1", "Visits": 5})}}});
Platform.Response.Write(a.Status);"""),
    "ws_upsert.html": ssjs(f"""var proxy = new Script.Util.WSProxy();
var options = {{SaveOptions: [{{PropertyName: "*", SaveAction: "UpdateAdd"}}]}};
var a = proxy.updateBatch("DataExtensionObject", [
  {{CustomerKey: "People", Properties: {pairs({"Id": "p1", "Name": "Annie"})}}},
  {{CustomerKey: "People", Properties: {pairs({"Id": "p3", "Name": "Cat", "Visits": 3})}}},
  {{CustomerKey: "Visits", Properties: {pairs({"Who": "Ann", "Count": 7})}}}], options);
Platform.Response.Write(a.Status);"""),
    "ws_refused.html": ssjs(f"""var proxy = new Script.Util.WSProxy();
var a = proxy.createBatch("DataExtensionObject", [
  {{CustomerKey: "People", Properties: {pairs({"Id": "p1", "Name": "Again"})}}},
  {{CustomerKey: "People", Properties: {pairs({"Id": "p4", "Name": "Dan"})}}}]);
var u = proxy.updateItem("DataExtensionObject", {{CustomerKey: "People",
  Properties: {pairs({"Id": "nobody", "Name": "X"})}}});
var d = proxy.deleteItem("DataExtensionObject", {{CustomerKey: "People",
  Keys: [{{Name: "Id", Value: "p1"}}]}});
Platform.Response.Write(a.Status + " " + u.Status + " " + d.Status);"""),
    "amp_write.html": """%%[
SET @row = CreateObject("DataExtensionObject")
SetObjectProperty(@row, "CustomerKey", "People")
SET @p = CreateObject("APIProperty")
SetObjectProperty(@p, "Name", "Id")
SetObjectProperty(@p, "Value", "p5")
AddObjectArrayItem(@row, "Properties", @p)
SET @p = CreateObject("APIProperty")
SetObjectProperty(@p, "Name", "Visits")
SetObjectProperty(@p, "Value", 9)
AddObjectArrayItem(@row, "Properties", @p)
SET @created = InvokeCreate(@row, @message, @code)
SET @row = CreateObject("DataExtensionObject")
SetObjectProperty(@row, "CustomerKey", "People")
SET @p = CreateObject("APIProperty")
SetObjectProperty(@p, "Name", "Id")
SetObjectProperty(@p, "Value", "p1")
AddObjectArrayItem(@row, "Properties", @p)
SET @p = CreateObject("APIProperty")
SetObjectProperty(@p, "Name", "Name")
SetObjectProperty(@p, "Value", "Ann B")
AddObjectArrayItem(@row, "Properties", @p)
SET @updated = InvokeUpdate(@row, @message, @code)
SET @row = CreateObject("DataExtensionObject")
SetObjectProperty(@row, "CustomerKey", "People")
SET @p = CreateObject("APIProperty")
SetObjectProperty(@p, "Name", "Id")
SetObjectProperty(@p, "Value", "p5")
AddObjectArrayItem(@row, "Properties", @p)
SET @again = InvokeCreate(@row, @message, @code)
]%%%%=v(@created)=%% %%=v(@updated)=%% %%=v(@again)=%%""",
    # Core writes DE rows through DataExtension.Init(key).Rows; its Subscriber writes none.
    "core_write.html": ssjs("""var de = DataExtension.Init("People");
var added = de.Rows.Add({Id: "p6", Name: "Eve", Visits: 4});
var status = Subscriber.Add({SubscriberKey: "eve", EmailAddress: "eve@example.org"});
Write(added + " " + status);""", core=True),
}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[FlaskClient]:
    with pages_app(tmp_path / "pages", PAGES) as application:
        test_client = application.test_client()
        for definition in (PEOPLE, VISITS):
            created = test_client.post("/_emulator/data-extensions", json=definition)
            assert created.status_code == 201, created.json
        added = test_client.post("/_emulator/data-extensions/People/rows", json=ANN)
        assert added.status_code in (200, 201), added.json
        yield test_client


def written(client: FlaskClient, page: str) -> tuple[str, list[dict[str, Any]]]:
    """Request ``page``; return its body and its journal entry's rows written."""
    answer = client.get(f"/{page.removesuffix('.html')}")
    assert answer.status_code == 200, answer.text
    entry = client.get("/_emulator/journal?limit=1").json["entries"][0]
    assert entry["path"] == f"/{page.removesuffix('.html')}"
    return answer.text.strip(), entry["rows_written"]


def stored(client: FlaskClient, key: str) -> list[dict[str, Any]]:
    return client.get(f"/_emulator/data-extensions/{key}/rows").json["rows"]


def test_a_wsproxy_create_journals_the_row_as_stored(client: FlaskClient) -> None:
    body, rows = written(client, "ws_create.html")
    assert body == "OK"
    assert rows == [{"dataExtension": "People", "row": {"Id": "p2", "Name": "Bob", "Visits": 2}}]


def test_a_wsproxy_update_journals_the_whole_row_as_now_stored(client: FlaskClient) -> None:
    body, rows = written(client, "ws_update.html")
    assert body == "OK"
    assert rows == [{"dataExtension": "People", "row": {"Id": "p1", "Name": "Ann", "Visits": 5}}]


def test_an_update_add_journals_updated_and_added_rows_in_order(client: FlaskClient) -> None:
    body, rows = written(client, "ws_upsert.html")
    assert body == "OK"
    assert rows == [
        {"dataExtension": "People", "row": {"Id": "p1", "Name": "Annie", "Visits": 1}},
        {"dataExtension": "People", "row": {"Id": "p3", "Name": "Cat", "Visits": 3}},
        {"dataExtension": "Visits", "row": {"Who": "Ann", "Count": 7}},
    ]
    assert stored(client, "Visits") == [{"Who": "Ann", "Count": 7}]  # as the journal says


def test_refused_writes_and_deletes_journal_nothing_but_what_was_written(
        client: FlaskClient) -> None:
    body, rows = written(client, "ws_refused.html")
    assert body == "Error Error OK"  # a taken key, no such row; the delete went through
    assert rows == [{"dataExtension": "People", "row": {"Id": "p4", "Name": "Dan",
                                                        "Visits": None}}]


def test_ampscript_invoke_create_and_update_journal_their_rows(client: FlaskClient) -> None:
    body, rows = written(client, "amp_write.html")
    assert body == "OK OK Error"  # the second create of p5 is refused
    assert rows == [
        {"dataExtension": "People", "row": {"Id": "p5", "Name": None, "Visits": 9}},
        {"dataExtension": "People", "row": {"Id": "p1", "Name": "Ann B", "Visits": 1}},
    ]


def test_core_rows_are_journaled_and_its_subscriber_writes_are_not_rows(
        client: FlaskClient) -> None:
    body, rows = written(client, "core_write.html")
    assert body == "1 OK"
    assert rows == [{"dataExtension": "People", "row": {"Id": "p6", "Name": "Eve", "Visits": 4}}]
