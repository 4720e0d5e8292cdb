"""The hub row writes (rowset POST, row PUT, increment) and DE visibility by the token's unit."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import bearer, module_app
from flask import Flask
from flask.testing import FlaskClient

from emulator.objects.dataextensions import object_id
from emulator.rest.hub import MAX_BODY_BYTES
from emulator.runtime import get_emulator
from tests.test_rest_rows import write_fixtures

HUB = "/hub/v1/dataevents/key:People"
READ = "/data/v1/customobjectdata/key/People/rowset"


@pytest.fixture(scope="module")
def rest_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = write_fixtures(tmp_path_factory.mktemp("rest-writes"))
    pair = {"key": "Pairs", "fields": [
        {"name": "A", "primaryKey": True, "length": 10},
        {"name": "B", "type": "Number", "primaryKey": True}, {"name": "C"}]}
    (root / "data_extensions" / "Pairs.json").write_text(json.dumps(pair), "utf-8")
    yield from module_app(root)


def rows(app: Flask, key: str = "People") -> dict[str, dict[str, Any]]:
    return {str(next(iter(row.values()))): row for row in get_emulator(app).store.rows(key)}


def post(client: FlaskClient, body: Any, url: str = HUB + "/rowset",
         client_id: str = "rw") -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(url, data=data, content_type="application/json",
                       headers=bearer(client, client_id))


def refused(answer: Any, status: int, errorcode: int, *said: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.data
    body = answer.get_json()
    assert body["errorcode"] == errorcode, body
    for text in said:
        assert text in body["message"], body["message"]
    return body


# --- POST rowset ---------------------------------------------------------------------------------


def test_a_rowset_post_upserts_and_echoes_the_body_as_sent(api: FlaskClient,
                                                           rest_app: Flask) -> None:
    sent = [{"keys": {"id": "9"}, "values": {"NAME": "Zed", "Age": 5, "Active": True,
                                             "Joined": "2013-05-23T14:32:00Z"}},
            {"keys": {"Id": "1"}, "values": {"Age": "31"}}]
    data = json.dumps(sent).encode()
    answer = post(api, data)
    assert answer.status_code == 200
    assert answer.content_type == "application/json; charset=utf-8"
    assert answer.data == json.dumps(sent, separators=(",", ":")).encode()
    stored = rows(rest_app)
    assert stored["9"] == {"Id": "9", "Name": "Zed", "Age": 5, "Score": None, "Active": True,
                           "Joined": "2013-05-23T08:32:00.000", "Email": None}
    assert stored["1"]["Age"] == 31 and stored["1"]["Name"] == "Ann"  # the rest kept
    read = api.get(READ + "?$filter=Id eq 9", headers=bearer(api)).get_json()
    assert read["items"][0]["values"]["joined"] == "5/23/2013 8:32:00 AM"


def test_the_id_form_writes_the_same_de(api: FlaskClient, rest_app: Flask) -> None:
    url = f"/hub/v1/dataevents/{object_id('People')}/rowset"
    assert post(api, [{"keys": {"Id": "7"}, "values": {"Name": "Id form"}}], url).status_code == 200
    assert rows(rest_app)["7"]["Name"] == "Id form"
    missing = post(api, [{"keys": {"Id": "7"}}], "/hub/v1/dataevents/not-an-id/rowset")
    refused(missing, 404, 30003, "not-an-id")


def test_writes_are_journaled_with_the_rows_and_the_client(api: FlaskClient,
                                                          rest_app: Flask) -> None:
    post(api, [{"keys": {"Id": "8"}, "values": {"Name": "Journaled"}}])
    entry = next(e for e in reversed(get_emulator(rest_app).journal.entries())
                 if e.path == HUB + "/rowset")
    assert entry.rows_written == [{"dataExtension": "People", "row": {
        "Id": "8", "Name": "Journaled", "Age": None, "Score": None, "Active": None,
        "Joined": None, "Email": None}}]
    assert entry.client_id == "rw"


def test_a_refused_row_refuses_the_whole_rowset_with_the_aggregate(api: FlaskClient,
                                                                   rest_app: Flask) -> None:
    before = rows(rest_app)
    answer = post(api, [{"keys": {"Id": "20"}, "values": {"Name": "fine"}},
                        {"keys": {"Id": "21"}, "values": {"Email": "not-an-address",
                                                          "Age": "x"}},
                        {"keys": {"Id": "22"}, "values": {"Nope": 1}}])
    assert answer.status_code == 400
    body = answer.get_json()
    assert list(body) == ["message", "errorcode", "documentation", "additionalErrors"]
    assert body["message"] == f"Unable to save rows for data extension ID {object_id('People')}"
    assert (body["errorcode"], body["documentation"]) == (10006, "")
    messages = [item["message"] for item in body["additionalErrors"]]
    assert [m.split(":")[0] for m in messages] == ["Age", "Email", "Nope"]
    assert all(list(item) == ["message", "errorcode", "documentation"]
               and item["errorcode"] == 10000 for item in body["additionalErrors"])
    assert rows(rest_app) == before  # nothing half-written, the good row neither


def test_a_value_too_long_or_a_missing_required_value_is_in_the_aggregate(
        api: FlaskClient) -> None:
    body = refused(post(api, [{"keys": {"Id": "12345678901"}}]), 400, 10006)
    assert body["additionalErrors"][0]["message"].startswith("Id:")


def test_a_key_given_twice_is_one_row_the_later_values_winning(api: FlaskClient,
                                                               rest_app: Flask) -> None:
    answer = post(api, [{"keys": {"Id": "30"}, "values": {"Name": "first", "Age": 1}},
                        {"keys": {"id": "30"}, "values": {"Name": "second"}}])
    assert answer.status_code == 200
    stored = rows(rest_app)["30"]
    assert (stored["Name"], stored["Age"]) == ("second", 1)


def test_a_de_without_primary_key_adds_every_row(api: FlaskClient, rest_app: Flask) -> None:
    answer = post(api, [{"keys": {}, "values": {"Line": "b"}}, {"values": {"Line": "b"}}],
                  "/hub/v1/dataevents/key:Log/rowset")
    assert answer.status_code == 200
    assert [r["Line"] for r in get_emulator(rest_app).store.rows("Log")] == ["a", "b", "b"]


def test_composite_keys_need_every_key(api: FlaskClient, rest_app: Flask) -> None:
    url = "/hub/v1/dataevents/key:Pairs/rowset"
    assert post(api, [{"keys": {"A": "x", "B": 1}, "values": {"C": "c"}}], url).status_code == 200
    refused(post(api, [{"keys": {"A": "x"}}], url), 400, 10000,
            "Primary key 'b' is missing")
    assert get_emulator(rest_app).store.rows("Pairs") == [{"A": "x", "B": 1, "C": "c"}]


@pytest.mark.parametrize(("body", "said"), [
    ({"keys": {"Id": "1"}}, "the body must be an array of {keys, values} objects, not an object"),
    ([], "a non-empty array"),
    ([["Id", "1"]], "item 0 must be an object {keys, values}, not an array"),
    (["Id"], "item 0 must be an object {keys, values}, not a string"),
    ([{"keys": [{"Id": "1"}]}], "item 0.keys must be an object of column: value, not an array"),
    ([{"keys": {"Id": "1"}, "values": [1]}], "item 0.values must be an object"),
    ([{"keys": {"Id": "1"}, "values": {"Name": {"a": 1}}}],
     "item 0.values.Name must be a string, number, boolean or null, not an object"),
    ([{"keys": {"Id": "1"}, "values": {"Name": ["a"]}}], "not an array"),
    ([{"keys": {"Id": "1"}}, 5], "item 1 must be an object {keys, values}, not a number"),
])
def test_a_body_of_the_wrong_shape_is_refused(api: FlaskClient, rest_app: Flask, body: Any,
                                              said: str) -> None:
    before = rows(rest_app)
    refused(post(api, body), 400, 10000, said)
    assert rows(rest_app) == before


def test_missing_and_foreign_primary_keys_answer_the_captured_text(api: FlaskClient) -> None:
    body = refused(post(api, [{"keys": {"SubscriberKey": "x", "Id": "1"}}]), 400, 10000)
    assert body == {"message": "Primary key 'subscriberkey' does not exist.", "errorcode": 10000,
                    "documentation": ""}
    refused(post(api, [{"values": {"Name": "no keys"}}]), 400, 10000,
            "Primary key 'id' is missing from the keys of item 0")
    refused(post(api, [{"keys": {"Name": "x"}}]), 400, 10000,
            "Primary key 'name' does not exist.")


@pytest.mark.parametrize("data", [b"{not json", b"", b"\xff\xfe", b"[1,]", b"nul"])
def test_a_body_that_is_not_json_is_refused(api: FlaskClient, data: bytes) -> None:
    refused(post(api, data), 400, 10004, "not valid JSON")


def test_a_body_over_5_mib_is_refused_before_it_is_read(api: FlaskClient) -> None:
    declared = api.post(HUB + "/rowset", headers=bearer(api), content_type="application/json",
                        environ_overrides={"CONTENT_LENGTH": str(MAX_BODY_BYTES + 1),
                                           "wsgi.input": io.BytesIO(b"[")})
    refused(declared, 413, 10000, f"{MAX_BODY_BYTES + 1} bytes", str(MAX_BODY_BYTES))
    big = json.dumps([{"keys": {"Id": "1"}, "values": {"Name": "x" * MAX_BODY_BYTES}}])
    refused(post(api, big.encode()), 413, 10000)
    just = b'[{"keys":{"Id":"1"},"values":{"Name":"' + b" " * (MAX_BODY_BYTES - 50) + b'"}}]'
    assert len(just) <= MAX_BODY_BYTES
    assert post(api, just).status_code == 400  # read: the Name is too long for the column


def test_writes_need_the_write_scope_before_the_key_or_the_body(api: FlaskClient,
                                                                rest_app: Flask) -> None:
    before = rows(rest_app)
    for url in ("/hub/v1/dataevents/key:Nope/rowset", HUB + "/rowset"):
        refused(post(api, b"{not json", url, client_id="ro"), 403, 20002)
    answer = api.put(HUB + "/rows/Id:1", json={"values": {"Name": "x"}},
                     headers=bearer(api, "ro"))
    refused(answer, 403, 20002)
    assert api.post(HUB + "/rowset", json=[]).status_code == 401
    assert rows(rest_app) == before


def test_an_unknown_key_is_not_found(api: FlaskClient) -> None:
    refused(post(api, [{"keys": {"Id": "1"}}], "/hub/v1/dataevents/key:Nope/rowset"), 404,
            30003, "'Nope'")


# --- PUT one row and increment -------------------------------------------------------------------


def test_a_row_put_upserts_and_answers_keys_and_values(api: FlaskClient,
                                                       rest_app: Flask) -> None:
    answer = api.put(HUB + "/rows/Id:40", json={"values": {"Name": "New", "Age": 3}},
                     headers=bearer(api))
    assert answer.status_code == 200
    assert answer.data == b'{"keys":{"Id":"40"},"values":{"Name":"New","Age":3}}'
    answer = api.put(HUB + "/rows/id:40", json={"values": {"Age": 4}}, headers=bearer(api))
    assert answer.status_code == 200
    assert (rows(rest_app)["40"]["Name"], rows(rest_app)["40"]["Age"]) == ("New", 4)
    url = f"/hub/v1/dataevents/{object_id('Pairs')}/rows/A:p,B:2"
    assert api.put(url, json={"values": {"C": "pair"}}, headers=bearer(api)).status_code == 200
    assert get_emulator(rest_app).store.rows("Pairs") == [{"A": "p", "B": 2, "C": "pair"}]


@pytest.mark.parametrize(("path", "body", "status", "errorcode", "said"), [
    ("Id", {"values": {}}, 400, 10000, "'Id' is not '<primary key>:<value>'"),
    ("Name:x", {"values": {}}, 400, 10000, "Primary key 'name' does not exist."),
    ("Id:1", [{"values": {}}], 400, 10000, "the body must be an object {values}, not an array"),
    ("Id:1", {"values": [1]}, 400, 10000, "values must be an object"),
    ("Id:1", {"values": {"Age": "old"}}, 400, 10006, "Unable to save rows"),
    ("Id:1,id:2", {"values": {}}, 400, 10000, "names the primary key 'id' twice"),
])
def test_a_bad_row_put_is_refused(api: FlaskClient, rest_app: Flask, path: str, body: Any,
                                  status: int, errorcode: int, said: str) -> None:
    before = rows(rest_app)
    answer = api.put(f"{HUB}/rows/{path}", json=body, headers=bearer(api))
    refused(answer, status, errorcode, said)
    assert rows(rest_app) == before


def test_increment_adds_the_step_and_answers_nothing(api: FlaskClient, rest_app: Flask) -> None:
    url = HUB + "/rows/Id:1/column/Age/increment"
    answer = api.put(url, headers=bearer(api))
    assert (answer.status_code, answer.data) == (200, b"")
    assert rows(rest_app)["1"]["Age"] == 31
    assert api.put(url + "?step=-11", headers=bearer(api)).status_code == 200
    assert rows(rest_app)["1"]["Age"] == 20
    score = HUB + "/rows/Id:2/column/Score/increment?step=2"
    assert api.put(score, headers=bearer(api)).status_code == 200  # an empty cell counts as 0
    assert rows(rest_app)["2"]["Score"] == "2.00"


@pytest.mark.parametrize(("url", "status", "errorcode", "said"), [
    ("/rows/Id:1/column/Name/increment", 400, 10001, "Number or Decimal"),
    ("/rows/Id:1/column/Id/increment", 400, 10001, "not a primary key"),
    ("/rows/Id:1/column/Nope/increment", 400, 10001, "'Nope'"),
    ("/rows/Id:1/column/Age/increment?step=abc", 400, 10005, "'abc'"),
    ("/rows/Id:1/column/Age/increment?step=1.5", 400, 10005, "whole number"),
    ("/rows/Id:1/column/Age/increment?step=2147483647", 400, 10005, "Number range"),
    ("/rows/Id:99/column/Age/increment", 404, 30003, "Id:99"),
    ("/rows/Id:1/column/Age/decrement", 404, 30003, ""),
])
def test_a_bad_increment_is_refused(api: FlaskClient, rest_app: Flask, url: str, status: int,
                                    errorcode: int, said: str) -> None:
    before = rows(rest_app)
    refused(api.put(HUB + url, headers=bearer(api)), status, errorcode, said)
    assert rows(rest_app) == before


# --- business units ------------------------------------------------------------------------------

UNITS = [{"mid": 100, "name": "Enterprise", "parent": None},
         {"mid": 200, "name": "Brand A", "parent": 100, "default": True},
         {"mid": 300, "name": "Brand B", "parent": 100}]
UNIT_FIELDS = [{"name": "Id", "primaryKey": True, "length": 10}, {"name": "Item"}]


@pytest.fixture(scope="module")
def units_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root: Path = tmp_path_factory.mktemp("rest-units")
    (root / "data_extensions").mkdir()
    des = {"Orders": {"key": "Orders", "fields": UNIT_FIELDS, "rows": [{"Id": "1", "Item": "A"}]},
           "BOrders": {"key": "Orders", "mid": 300, "fields": UNIT_FIELDS,
                       "rows": [{"Id": "1", "Item": "B"}]},
           "Catalog": {"key": "Catalog", "mid": 100, "fields": UNIT_FIELDS,
                       "rows": [{"Id": "S1", "Item": "shared"}]},
           "Private": {"key": "Private", "mid": 100, "fields": UNIT_FIELDS}}
    for name, doc in des.items():
        (root / "data_extensions" / f"{name}.json").write_text(json.dumps(doc), "utf-8")
    (root / "business_units.json").write_text(json.dumps(UNITS), "utf-8")
    (root / "folders.json").write_text(json.dumps([
        {"ID": 5001, "Name": "Catalogs", "ParentID": 1003, "DataExtensions": ["100/Catalog"]}]))
    (root / "packages.json").write_text(json.dumps([
        {"name": "All", "client_id": "rw", "client_secret": "s", "mids": [200, 300],
         "scopes": ["data_extensions_read", "data_extensions_write"]}]))
    yield from module_app(root)


def unit_token(client: FlaskClient, mid: int) -> dict[str, str]:
    return bearer(client, "rw", account_id=str(mid))


def test_a_token_sees_its_units_des_and_the_shared_ones(units_app: Flask) -> None:
    client = units_app.test_client()
    try:
        for mid, item in ((200, "A"), (300, "B")):
            headers = unit_token(client, mid)
            body = client.get("/data/v1/customobjectdata/key/Orders/rowset",
                              headers=headers).get_json()
            assert body["items"][0]["values"]["item"] == item
            assert body["customObjectKey"] == "Orders"
            shared = client.get("/data/v1/customobjectdata/key/Catalog/rowset", headers=headers)
            assert shared.get_json()["items"][0]["values"]["item"] == "shared"
            hidden = client.get("/data/v1/customobjectdata/key/Private/rowset", headers=headers)
            assert hidden.status_code == 404
        headers = unit_token(client, 300)
        answer = client.post("/hub/v1/dataevents/key:Orders/rowset", headers=headers,
                             json=[{"keys": {"Id": "2"}, "values": {"Item": "B2"}}])
        assert answer.status_code == 200
        store = get_emulator(units_app).store
        assert [r["Id"] for r in store.rows("300/Orders")] == ["1", "2"]
        assert [r["Id"] for r in store.rows("Orders")] == ["1"]
        private_id = object_id("100/Private")
        hidden = client.get(f"/data/v1/customobjectdata/{private_id}/rowset", headers=headers)
        assert hidden.status_code == 404
    finally:
        get_emulator(units_app).rollback()
