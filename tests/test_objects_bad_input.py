"""Bad subscriber input through the public doors: answered as the API does, nothing half-written.

A subscriber with an invalid e-mail address, a status the API does not know or a list that
does not exist, sent by a WSProxy page and by AMPscript's InvokeCreate over the Flask test
client: the item's ``Error`` status with the API's message, the other items of a batch kept
whole, the refused one absent from the store. The rest of the issue's bad-input list (an unknown
property, an unsupported operator, a filter nested 1,000 deep, a batch of 100,000 items, a
duplicate DE key, an invalid field type) is driven by ``tests/wsproxy_pages/bad.html``
(tests/test_wsproxy.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from conftest import pages_app, rolled_back_client
from flask import Flask
from flask.testing import FlaskClient

LISTS = [{"ID": 1, "ListName": "Newsletter"}]
SUBSCRIBERS = [{"SubscriberKey": "ann", "EmailAddress": "ann@example.org",
                "Lists": [{"ID": 1, "Status": "Active"}]}]

WSPROXY_PAGE = """<script runat="server">
Platform.Load("core", "1");
var proxy = new Script.Util.WSProxy();
var item = Platform.Function.ParseJSON(Platform.Request.GetQueryStringParameter("item"));
var verb = Platform.Request.GetQueryStringParameter("verb");
var good = {SubscriberKey: "dee", EmailAddress: "dee@example.org"};
var answer = verb == "update" ? proxy.updateItem("Subscriber", item)
                              : proxy.createBatch("Subscriber", [item, good]);
Platform.Response.Write(answer.Status);
for (var i = 0; i < answer.Results.length; i++) {
  Platform.Response.Write("|" + answer.Results[i].StatusCode + ": " +
                          answer.Results[i].StatusMessage);
}
</script>"""

AMPSCRIPT_PAGE = """%%[
SET @s = CreateObject("Subscriber")
SetObjectProperty(@s, "SubscriberKey", RequestParameter("key"))
SetObjectProperty(@s, "EmailAddress", RequestParameter("email"))
IF NOT Empty(RequestParameter("status")) THEN
  SetObjectProperty(@s, "Status", RequestParameter("status"))
ENDIF
SET @ret = InvokeCreate(@s, @msg, @err)
]%%%%=v(@ret)=%%|%%=v(@msg)=%%"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("objects_bad_input")
    fixtures, pages = root / "fx", root / "pages"
    (fixtures / "data_extensions").mkdir(parents=True)
    (fixtures / "lists.json").write_text(json.dumps(LISTS), encoding="utf-8")
    (fixtures / "subscribers.json").write_text(json.dumps(SUBSCRIBERS), encoding="utf-8")
    with pages_app(pages, {"wsproxy.html": WSPROXY_PAGE, "ampscript.html": AMPSCRIPT_PAGE},
                   checkpoint=True, fixtures=(str(fixtures),), no_default_fixtures=True,
                   ssjs_timeout=20) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    yield from rolled_back_client(app)


def page(client: FlaskClient, path: str, **query: str) -> str:
    answer = client.get(path, query_string=query)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_data(as_text=True)


def subscribers(client: FlaskClient) -> dict[str, dict[str, object]]:
    found = client.get("/_emulator/subscribers").get_json()["subscribers"]
    return {record["SubscriberKey"]: record for record in found}


BAD_ITEMS = [
    pytest.param({"SubscriberKey": "cy", "EmailAddress": "not-an-address"},
                 "InvalidEmailAddress", id="invalid-email"),
    pytest.param({"SubscriberKey": "cy", "EmailAddress": "cy@"}, "InvalidEmailAddress",
                 id="email-without-domain"),
    pytest.param({"SubscriberKey": "cy", "EmailAddress": "cy@example.org", "Status": "Sleeping"},
                 "Status 'Sleeping' is not one of Active, Bounced, Held, Unsubscribed, Deleted",
                 id="unknown-status"),
    pytest.param({"SubscriberKey": "cy", "EmailAddress": "cy@example.org",
                  "Lists": [{"ID": 9, "Status": "Active"}]},
                 "list 9 does not exist; lists come from lists.json", id="unknown-list"),
]


@pytest.mark.parametrize(("item", "message"), BAD_ITEMS)
def test_a_wsproxy_batch_refuses_the_bad_subscriber_and_keeps_the_good(
        client: FlaskClient, item: dict[str, object], message: str) -> None:
    said = page(client, "/wsproxy", item=json.dumps(item))
    assert said == f"Error|Error: {message}|OK: Created Subscriber."
    held = subscribers(client)
    assert sorted(held) == ["ann", "dee"]  # the refused item is nowhere, the good one whole


@pytest.mark.parametrize(("change", "message"), [
    ({"EmailAddress": "ann at example.org"}, "InvalidEmailAddress"),
    ({"Status": "Asleep"},
     "Status 'Asleep' is not one of Active, Bounced, Held, Unsubscribed, Deleted"),
])
def test_a_wsproxy_update_with_bad_values_changes_nothing(
        client: FlaskClient, change: dict[str, str], message: str) -> None:
    before = subscribers(client)
    said = page(client, "/wsproxy", verb="update",
                item=json.dumps({"SubscriberKey": "ann", **change}))
    assert said == f"Error|Error: {message}"
    assert subscribers(client) == before


@pytest.mark.parametrize(("query", "message"), [
    ({"email": "nobody"}, "InvalidEmailAddress"),
    ({"email": "cy@example.org", "status": "Sleeping"},
     "Status 'Sleeping' is not one of Active, Bounced, Held, Unsubscribed, Deleted"),
])
def test_ampscript_invoke_create_answers_the_error_and_writes_nothing(
        client: FlaskClient, query: dict[str, str], message: str) -> None:
    said = page(client, "/ampscript", key="cy", **query)
    assert said == f"Error|{message}"
    assert sorted(subscribers(client)) == ["ann"]


def test_the_good_subscriber_goes_in_through_both_doors(client: FlaskClient) -> None:
    # The same pages with good input write: the refusals above are the input's, not the page's.
    assert page(client, "/ampscript", key="cy", email="cy@example.org").startswith("OK|")
    said = page(client, "/wsproxy", item=json.dumps({"SubscriberKey": "eve",
                                                     "EmailAddress": "eve@example.org"}))
    assert said == "OK|OK: Created Subscriber.|OK: Created Subscriber."
    assert sorted(subscribers(client)) == ["ann", "cy", "dee", "eve"]
