"""The Data Extension API's writes: create, get, patch and delete by ObjectID, on the store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import bearer, pages_app
from flask import Flask
from flask.testing import FlaskClient

from emulator.objects.dataextensions import object_id
from emulator.runtime import get_emulator
from tests.test_rest_rows import write_fixtures

BASE = "/data/v1/customobjects"
FLAGS = {"isTemplateField": False, "isHidden": False, "isOverridable": True,
         "isInheritable": False, "isReadOnly": False, "mustOverride": False}
FIELDS = [
    {"name": "Email", "type": "EmailAddress", "length": 254, "ordinal": 2, "isNullable": True,
     **FLAGS},
    {"name": "Id", "type": "Text", "length": 20, "ordinal": 1, "isPrimaryKey": True,
     "isNullable": False, **FLAGS},
    {"name": "Amount", "type": "Decimal", "length": 10, "scale": 2, "ordinal": 3,
     "isNullable": True, **FLAGS},
]
LEADS = {"name": "Leads", "key": "Leads", "categoryId": 1001, "fields": FIELDS}
PAGE = """<script runat="server">
Platform.Load("core", "1.1.1");
DataExtension.Init("Leads").Rows.Add({Id: "p1", Email: "p@example.org", Amount: 2.5});
var proxy = new Script.Util.WSProxy();
var found = proxy.retrieve("DataExtension", ["Name", "CustomerKey", "CategoryID"],
  {Property: "CustomerKey", SimpleOperator: "equals", Value: "Leads"});
Platform.Response.Write(Stringify(found.Results));
</script>"""


def _field(name: str, kind: str, length: int | None, scale: int | None, ordinal: int,
           primary: bool, nullable: bool) -> dict[str, Any]:
    return {"name": name, "type": kind, "length": length, "scale": scale, "ordinal": ordinal,
            "isPrimaryKey": primary, "isNullable": nullable, "isTemplateField": False,
            "isHidden": False, "isOverridable": False, "isInheritable": False,
            "isReadOnly": False, "mustOverride": False, "defaultValue": None}


def leads(category: int = 1001, name: str = "Leads", rows: int = 0) -> dict[str, Any]:
    return {"id": object_id("Leads"), "key": "Leads", "name": name, "description": "",
            "categoryId": category, "isSendable": False, "isTestable": False,
            "rowCount": rows, "fieldCount": 3,
            "fields": [_field("Id", "Text", 20, None, 0, True, False),
                       _field("Email", "EmailAddress", 254, None, 1, False, True),
                       _field("Amount", "Decimal", 10, 2, 2, False, True)]}


def compact(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


@pytest.fixture(scope="module")
def rest_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("rest-co-write")
    fixtures = write_fixtures(root / "fixtures")
    (fixtures / "folders.json").write_text(json.dumps([
        {"ID": 2001, "Name": "Campaigns", "CustomerKey": "campaigns"},
        {"ID": 2002, "Name": "Images", "CustomerKey": "images", "ParentID": 0,
         "ContentType": "media"}]), "utf-8")
    with pages_app(root / "pages", {"leads.html": PAGE}, fixtures=(str(fixtures),),
                   no_default_fixtures=True, frozen_time="2025-03-04T05:06:07Z",
                   checkpoint=True) as application:
        yield application


def create(client: FlaskClient, body: Any, client_id: str = "rw") -> Any:
    return client.post(BASE, json=body, headers=bearer(client, client_id))


def refused(answer: Any, status: int, errorcode: int, message: str) -> None:
    assert answer.status_code == status, answer.data
    assert answer.data == compact({"message": message, "errorcode": errorcode,
                                   "documentation": ""})


# --- create --------------------------------------------------------------------------------------


def test_a_create_answers_201_with_the_de_in_ordinal_order(api: FlaskClient) -> None:
    answer = create(api, LEADS)
    assert answer.status_code == 201
    assert answer.content_type == "application/json; charset=utf-8"
    assert answer.data == compact(leads())
    assert get_emulator(api.application).store.schema("Leads").field_names == (
        "Id", "Email", "Amount")


def test_a_created_de_is_served_by_a_page_wsproxy_the_admin_api_and_rows(api: FlaskClient
                                                                       ) -> None:
    assert create(api, {**LEADS, "categoryId": "2001"}).status_code == 201
    results = json.loads(api.get("/leads").get_data(as_text=True))
    assert results == [{"Name": "Leads", "CustomerKey": "Leads", "CategoryID": 2001}]
    detail = api.get("/_emulator/data-extensions/Leads").get_json()
    assert (detail["rowCount"], [f["name"] for f in detail["fields"]]) == (
        1, ["Id", "Email", "Amount"])
    rowset = api.get("/data/v1/customobjectdata/key/Leads/rowset",
                     headers=bearer(api)).get_json()
    assert rowset["items"] == [{"keys": {"id": "p1"},
                                "values": {"email": "p@example.org", "amount": "2.50"}}]
    assert api.get(f"{BASE}/{object_id('Leads')}", headers=bearer(api)).data == compact(
        leads(2001, rows=1))


def test_a_create_without_a_key_makes_one(api: FlaskClient) -> None:
    body = create(api, {"name": "No key", "categoryId": 1001, "fields": FIELDS[1:2]}).get_json()
    assert body["key"] == body["key"].upper() and len(body["key"]) == 36
    assert body["name"] == "No key" and body["id"] == object_id(body["key"])


def test_a_taken_key_is_409_30004_and_nothing_changes(api: FlaskClient) -> None:
    refused(create(api, {**LEADS, "key": "People"}), 409, 30004,
            "A Data Extension with the key 'People' exists already.")
    assert get_emulator(api.application).store.count("People") == 4


CATEGORY = "A valid categoryId must be provided"
FIELD_0 = FIELDS[1]


@pytest.mark.parametrize(("body", "errorcode", "message"), [
    ({k: v for k, v in LEADS.items() if k != "categoryId"}, 10002, CATEGORY),
    ({**LEADS, "categoryId": 9999}, 10005, CATEGORY),
    ({**LEADS, "categoryId": 2002}, 10005, CATEGORY),  # not a Data Extension folder
    ({**LEADS, "categoryId": True}, 10005, CATEGORY),
    ({**LEADS, "name": None}, 10002, "name is required."),
    ({**LEADS, "name": " "}, 10000, "name must be non-empty text, not a string."),
    ({**LEADS, "name": "x" * 129}, 10005, "name has at most 128 characters, not 129."),
    ({**LEADS, "fields": []}, 10000,
     "fields must be a non-empty array of field objects, not an array."),
    ({k: v for k, v in LEADS.items() if k != "fields"}, 10002,
     "fields must be a non-empty array of field objects, not null."),
    ({**LEADS, "fields": {"name": "Id"}}, 10000,
     "fields must be a non-empty array of field objects, not an object."),
    ({**LEADS, "fields": [[]]}, 10000, "fields[0] must be an object {name, type, ordinal, "
     "length, isPrimaryKey, isNullable, ...}, not an array."),
    ({**LEADS, "fields": [{**FIELD_0, "type": "Email"}]}, 10005,
     "fields[0].type 'Email' is invalid: one of Text, Number, Date, Boolean, EmailAddress, "
     "Phone, Decimal, Locale."),
    ({**LEADS, "fields": [{k: v for k, v in FIELD_0.items() if k != "isHidden"}]}, 10002,
     "fields[0].isHidden is required."),
    ({**LEADS, "fields": [{**FIELD_0, "isReadOnly": "false"}]}, 10000,
     "fields[0].isReadOnly must be true or false, not a string."),
    ({**LEADS, "fields": [{**FIELD_0, "maxLength": 20}]}, 10000,
     "fields[0] has no maxLength; its members are name, type, length, scale, ordinal, "
     "isPrimaryKey, defaultValue, description, isTemplateField, isHidden, isOverridable, "
     "isInheritable, isReadOnly, mustOverride, isNullable."),
    ({**LEADS, "fields": [{**FIELD_0, "length": 0}]}, 10000,
     "fields[0].length must be a whole number from 1 to 4000, not a number."),
    ({**LEADS, "fields": [{**FIELD_0, "ordinal": -1}]}, 10000,
     "fields[0].ordinal must be a whole number from 0, not a number."),
    ({**LEADS, "fields": [{**FIELD_0, "length": None}]}, 10005,
     "A text field with no length specified cannot be used as a primary key"),
    ({**LEADS, "fields": [{**FIELDS[0], "length": None}]}, 10005,
     "Length is invalid for field EmailAddress because it does not have a data type of Text"),
    ({**LEADS, "fields": [FIELD_0, {**FIELDS[0], "ordinal": 1}]}, 10005,
     "Two fields have the same ordinal: give each field its own."),
    ({**LEADS, "fields": [FIELD_0, {**FIELDS[0], "name": "ID"}]}, 10000,
     "Data Extension 'Leads': fields 'Id' and 'ID' have the same name (field names are "
     "case-insensitive)"),
    ({**LEADS, "isSendable": True}, 10005, "isSendable: sendable and testable Data Extensions "
     "are not emulated yet; send false or leave it out."),
    ({**LEADS, "sendableSubscriberField": "x"}, 10000, "The body has no "
     "sendableSubscriberField; its members are name, key, description, categoryId, isSendable, "
     "isTestable, fields."),
    ([LEADS], 10000, "The body must be an object {name, categoryId, fields: [...]}, not an "
     "array."),
], ids=lambda value: str(value)[:40] if not isinstance(value, (dict, list)) else None)
def test_bad_creates_are_refused_and_create_nothing(api: FlaskClient, body: Any, errorcode: int,
                                                    message: str) -> None:
    answer = create(api, body)
    assert answer.status_code == 400, answer.data
    got = answer.get_json()
    assert (got["errorcode"], list(got)) == (errorcode, ["message", "errorcode", "documentation"])
    assert got["message"] == message
    assert not get_emulator(api.application).store.has("Leads")


def test_a_body_that_is_not_json_or_too_large(api: FlaskClient) -> None:
    headers = {**bearer(api), "Content-Type": "application/json"}
    answer = api.post(BASE, data=b"{name", headers=headers)
    assert (answer.status_code, answer.get_json()["errorcode"]) == (400, 10004)
    answer = api.post(BASE, data=b" " * (1024 * 1024 + 1), headers=headers)
    refused(answer, 413, 10000,
            "The request body of 1048577 bytes is larger than the 1048576 bytes accepted.")


def test_the_scope_is_checked_before_the_body(api: FlaskClient) -> None:
    answer = api.post(BASE, data=b"{name", headers=bearer(api, "ro"))
    refused(answer, 403, 20002, "Insufficient Privileges to complete this action.")
    assert api.post(BASE, json=LEADS).status_code == 401


# --- get, patch, delete --------------------------------------------------------------------------


def test_get_by_id_and_the_key_is_refused(api: FlaskClient) -> None:
    people = api.get(f"{BASE}/{object_id('People').upper()}", headers=bearer(api)).get_json()
    assert (people["key"], people["rowCount"], people["fieldCount"]) == ("People", 4, 7)
    refused(api.get(f"{BASE}/People", headers=bearer(api)), 400, 10000, "Id is invalid")
    refused(api.get(f"{BASE}/key:People", headers=bearer(api)), 400, 10000, "Id is invalid")
    missing = "00000000-0000-0000-0000-000000000000"
    refused(api.get(f"{BASE}/{missing}", headers=bearer(api)), 404, 30003,
            f"Data Extension with id '{missing}' was not found.")


def test_patch_renames_and_moves_keeping_the_rows(api: FlaskClient) -> None:
    create(api, LEADS)
    url = f"{BASE}/{object_id('Leads')}"
    api.post("/hub/v1/dataevents/key:Leads/rowset", headers=bearer(api),
             json=[{"keys": {"Id": "1"}, "values": {"Amount": "3"}}])
    answer = api.patch(url, json={"name": "Leads 2", "categoryId": 2001}, headers=bearer(api))
    assert answer.data == compact(leads(2001, "Leads 2", rows=1))
    assert api.get("/data/v1/customobjectdata/key/Leads/rowset", headers=bearer(api)).get_json(
        )["items"] == [{"keys": {"id": "1"}, "values": {"email": "", "amount": "3.00"}}]
    store = get_emulator(api.application).store
    assert [f["ID"] for f in store.records("_folders") if "Leads" in f["DataExtensions"]] == [2001]
    moved = api.patch(url, json={"categoryId": 1001}, headers=bearer(api)).get_json()
    assert (moved["categoryId"], moved["name"]) == (1001, "Leads 2")


@pytest.mark.parametrize(("body", "status", "errorcode", "message"), [
    ({}, 400, 10000, "The body must be a non-empty object of name, description, categoryId, "
     "isSendable, isTestable, not an object."),
    ({"fields": []}, 400, 10000, "The body has no fields; its members are name, description, "
     "categoryId, isSendable, isTestable."),
    ({"categoryId": 2002}, 400, 10005, CATEGORY),
    ({"name": ""}, 400, 10000, "name must be non-empty text, not a string."),
    ({"isTestable": 1}, 400, 10000, "isTestable must be true or false, not a number."),
])
def test_bad_patches_change_nothing(api: FlaskClient, body: Any, status: int, errorcode: int,
                                    message: str) -> None:
    create(api, LEADS)
    answer = api.patch(f"{BASE}/{object_id('Leads')}", json=body, headers=bearer(api))
    refused(answer, status, errorcode, message)
    assert api.get(f"{BASE}/{object_id('Leads')}", headers=bearer(api)).data == compact(leads())


def test_delete_drops_the_de_and_its_folder_entry(api: FlaskClient) -> None:
    create(api, {**LEADS, "categoryId": 2001})
    url = f"{BASE}/{object_id('Leads')}"
    refused(api.delete(url, headers=bearer(api, "ro")), 403, 20002,
            "Insufficient Privileges to complete this action.")
    answer = api.delete(url, headers=bearer(api))
    assert (answer.status_code, answer.data) == (200, b"")
    store = get_emulator(api.application).store
    assert not store.has("Leads")
    assert all("Leads" not in f["DataExtensions"] for f in store.records("_folders"))
    assert api.delete(url, headers=bearer(api)).status_code == 404


def test_a_rollback_undoes_a_create(rest_app: Flask) -> None:
    client = rest_app.test_client()
    assert create(client, LEADS).status_code == 201
    get_emulator(rest_app).rollback()
    assert not get_emulator(rest_app).store.has("Leads")
    assert create(client, LEADS).status_code == 201
    get_emulator(rest_app).rollback()


def test_every_write_route_is_in_the_rest_document(api: FlaskClient) -> None:
    paths = api.get("/_emulator/rest-openapi.json").get_json()["paths"]
    assert set(paths[BASE]) == {"get", "post"}
    assert set(paths[f"{BASE}/{{object_id}}"]) == {"get", "patch", "delete"}
    assert paths[BASE]["post"]["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CustomObject"}
