"""The synchronous REST row routes over the Flask test client: reads, filters, paging, writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import bearer, module_app
from flask import Flask
from flask.testing import FlaskClient

from emulator.objects.dataextensions import object_id
from emulator.runtime import get_emulator

FIELDS = [{"name": "Id", "primaryKey": True, "length": 10}, {"name": "Name"},
          {"name": "Age", "type": "Number"},
          {"name": "Score", "type": "Decimal", "precision": 6, "scale": 2},
          {"name": "Active", "type": "Boolean"}, {"name": "Joined", "type": "Date"},
          {"name": "Email", "type": "EmailAddress"}]
ROWS = [
    {"Id": "1", "Name": "Ann", "Age": 30, "Score": "1.5", "Active": True,
     "Joined": "2024-06-23T14:05:09", "Email": "ann@example.com"},
    {"Id": "2", "Name": "Bob", "Age": 40, "Active": False},
    {"Id": "3", "Name": "Cy O'Neil", "Age": 25, "Score": "-2"},
    {"Id": "4", "Name": "dora", "Joined": "2023-01-02"},
]
PACKAGES = [
    {"name": "All", "client_id": "rw", "client_secret": "s",
     "scopes": ["data_extensions_read", "data_extensions_write"]},
    {"name": "Read", "client_id": "ro", "client_secret": "s", "scopes": ["data_extensions_read"]},
    {"name": "None", "client_id": "none", "client_secret": "s", "scopes": ["email_read"]},
]
BASE = "/data/v1/customobjectdata/key/People/rowset"


def write_fixtures(root: Path) -> Path:
    (root / "data_extensions").mkdir(parents=True)
    des = {"People": {"key": "People", "fields": FIELDS, "rows": ROWS},
           "Empty": {"key": "Empty", "fields": FIELDS},
           "Log": {"key": "Log", "fields": [{"name": "Line"}, {"name": "N", "type": "Number"}],
                   "rows": [{"Line": "a", "N": 1}]}}
    for name, doc in des.items():
        (root / "data_extensions" / f"{name}.json").write_text(json.dumps(doc), "utf-8")
    (root / "packages.json").write_text(json.dumps(PACKAGES), "utf-8")
    return root


@pytest.fixture(scope="module")
def rest_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield from module_app(write_fixtures(tmp_path_factory.mktemp("rest")),
                          frozen_time="2025-03-04T05:06:07Z")


def get(client: FlaskClient, url: str, client_id: str = "rw") -> Any:
    return client.get(url, headers=bearer(client, client_id))


def items(answer: Any) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.data
    return answer.get_json().get("items", [])


def ids(answer: Any) -> list[str]:
    return [item["keys"]["id"] for item in items(answer)]


# --- the envelope --------------------------------------------------------------------------------


def test_a_page_is_the_captured_envelope_in_its_key_order(api: FlaskClient) -> None:
    answer = get(api, BASE + "?$page=1&$pagesize=2")
    assert answer.status_code == 200
    assert answer.content_type == "application/json; charset=utf-8"
    body = answer.get_json()
    token = body["requestToken"]
    expected = {
        "links": {"self": f"/v1/customobjectdata/token/{token}/rowset?$page=1",
                  "next": f"/v1/customobjectdata/token/{token}/rowset?$page=2"},
        "requestToken": token, "tokenExpireDateUtc": "2025-03-04T05:26:07.000",
        "customObjectId": object_id("People"), "customObjectKey": "People",
        "pageSize": 2, "page": 1, "count": 4, "top": 0,
        "items": [
            {"keys": {"id": "1"},
             "values": {"name": "Ann", "age": "30", "score": "1.50", "active": "True",
                        "joined": "6/23/2024 2:05:09 PM", "email": "ann@example.com"}},
            {"keys": {"id": "2"},
             "values": {"name": "Bob", "age": "40", "score": "", "active": "False",
                        "joined": "", "email": ""}},
        ],
    }
    assert answer.data == json.dumps(expected, separators=(",", ":")).encode()


def test_an_empty_data_extension_has_no_items_key(api: FlaskClient) -> None:
    body = get(api, "/data/v1/customobjectdata/key/Empty/rowset").get_json()
    assert "items" not in body
    assert list(body) == ["links", "requestToken", "tokenExpireDateUtc", "customObjectId",
                          "customObjectKey", "pageSize", "page", "count", "top"]
    assert (body["count"], body["pageSize"], body["page"]) == (0, 2500, 1)
    assert list(body["links"]) == ["self"]


def test_a_data_extension_without_primary_key_has_empty_keys(api: FlaskClient) -> None:
    body = get(api, "/data/v1/customobjectdata/key/Log/rowset").get_json()
    assert body["items"] == [{"keys": {}, "values": {"line": "a", "n": "1"}}]


def test_values_render_as_the_platform_renders_them(api: FlaskClient) -> None:
    found = items(get(api, BASE + "?$filter=Id in (3, 4)"))
    assert found[0]["values"] == {"name": "Cy O'Neil", "age": "25", "score": "-2.00",
                                  "active": "", "joined": "", "email": ""}
    assert found[1]["values"]["joined"] == "1/2/2023 12:00:00 AM"
    assert found[1]["values"]["name"] == "dora"


def test_parameter_names_are_read_in_any_case(api: FlaskClient) -> None:
    for query in ("$PAGESIZE=1&$PAGE=2", "$pageSize=1&$page=2", "$Pagesize=1&$Page=2"):
        body = get(api, f"{BASE}?{query}").get_json()
        assert (body["pageSize"], body["page"], ids_of(body)) == (1, 2, ["2"]), query


def ids_of(body: dict[str, Any]) -> list[str]:
    return [item["keys"]["id"] for item in body.get("items", [])]


def test_the_id_form_reads_the_same_rowset(api: FlaskClient) -> None:
    by_id = get(api, f"/data/v1/customobjectdata/{object_id('People').upper()}/rowset")
    assert ids(by_id) == ["1", "2", "3", "4"]
    missing = get(api, "/data/v1/customobjectdata/00000000-0000-0000-0000-000000000000/rowset")
    assert missing.status_code == 404
    assert missing.get_json()["errorcode"] == 30003


# --- paging and the continuation token -----------------------------------------------------------


def test_pages_cover_the_rows_once_and_the_token_continues(api: FlaskClient) -> None:
    headers = bearer(api)
    first = api.get(BASE + "?$pageSize=3", headers=headers).get_json()
    assert ids_of(first) == ["1", "2", "3"]
    second = api.get("/data" + first["links"]["next"], headers=headers).get_json()
    assert ids_of(second) == ["4"]
    assert second["requestToken"] == first["requestToken"]
    assert "next" not in second["links"]
    assert second["links"]["previous"].endswith("$page=1")
    again = api.get("/data" + second["links"]["previous"], headers=headers).get_json()
    assert ids_of(again) == ids_of(first)


def test_the_token_keeps_the_filter_and_order(api: FlaskClient) -> None:
    headers = bearer(api)
    first = api.get(BASE + "?$filter=Age gt 20&$orderBy=Age desc&$pageSize=1",
                    headers=headers).get_json()
    assert (ids_of(first), first["count"]) == (["2"], 3)
    nxt = api.get("/data" + first["links"]["next"], headers=headers).get_json()
    assert ids_of(nxt) == ["1"]


def test_a_page_past_the_end_has_no_items(api: FlaskClient) -> None:
    body = get(api, BASE + "?$page=9&$pageSize=2").get_json()
    assert "items" not in body
    assert (body["count"], body["page"]) == (4, 9)
    assert "next" not in body["links"]


@pytest.mark.parametrize("query", ["$pageSize=0", "$pageSize=-1", "$pageSize=1e9",
                                   "$pageSize=abc", "$page=0", "$page=-3", "$page=1.5",
                                   "$pagesize="])
def test_a_page_or_size_that_is_no_whole_number_from_1_is_refused(api: FlaskClient,
                                                                  query: str) -> None:
    answer = get(api, f"{BASE}?{query}")
    assert answer.status_code == 400
    body = answer.get_json()
    assert list(body) == ["message", "errorcode", "documentation"]
    assert body["errorcode"] == 10005
    assert "whole number from 1" in body["message"]


def test_a_page_size_over_the_most_is_the_most(api: FlaskClient) -> None:
    body = get(api, BASE + "?$pageSize=1000000000").get_json()
    assert (body["pageSize"], len(body["items"])) == (2500, 4)


def test_an_unknown_or_foreign_token_is_not_found(api: FlaskClient) -> None:
    answer = get(api, "/data/v1/customobjectdata/token/nope/rowset?$page=2")
    assert answer.status_code == 404
    assert answer.get_json()["errorcode"] == 30003
    assert "nope" in answer.get_json()["message"]


def test_the_token_expires_on_the_emulators_clock(api: FlaskClient, rest_app: Flask) -> None:
    headers = bearer(api)
    first = api.get(BASE + "?$pageSize=1", headers=headers).get_json()
    get_emulator(rest_app).clock.advance(19 * 60)
    assert api.get("/data" + first["links"]["next"], headers=headers).status_code == 200
    get_emulator(rest_app).clock.advance(61)
    later = api.get("/data" + first["links"]["next"], headers=bearer(api))
    assert later.status_code == 404


# --- $filter ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("Age eq 30", ["1"]), ("Age neq 30", ["2", "3"]), ("Age lt 30", ["3"]),
    ("Age lte 30", ["1", "3"]), ("Age gt 30", ["2"]), ("Age gte 30", ["1", "2"]),
    ("Name like 'o'", ["2", "3", "4"]), ("Name like 'b%b'", ["2"]),
    ("Id in (1,3)", ["1", "3"]), ("Id in ('2', '4')", ["2", "4"]),
    ("Age between 26 and 40", ["1", "2"]), ("Score is null", ["2", "4"]),
    ("Score is not null", ["1", "3"]), ("Name eq 'ANN'", ["1"]),
    ("Name eq 'Cy O''Neil'", ["3"]), ("Active eq true", ["1"]), ("Active eq False", ["2"]),
    ("Joined gt '2024-01-01'", ["1"]), ("Joined lt '6/23/2024'", ["4"]),
    ("Email eq 'ann@example.com'", ["1"]), ("Score gte -2", ["1", "3"]),
    ("Age gt 20 and Age lt 35", ["1", "3"]), ("Age eq 25 or Age eq 40", ["2", "3"]),
    ("not Age eq 30", ["2", "3"]), ("not (Age eq 30 or Age eq 40)", ["3"]),
    ("(Age eq 25 or Age eq 40) and Name like 'b'", ["2"]),
    ("Age eq 25 or Age eq 40 and Name like 'b'", ["2", "3"]),
    ("AGE EQ 30 AND NOT NAME IS NULL", ["1"]),
    ("((Id eq 1))", ["1"]), ("Name eq ''", []),
])
def test_each_filter_operator(api: FlaskClient, text: str, expected: list[str]) -> None:
    assert ids(get(api, f"{BASE}?$filter={text}")) == expected


@pytest.mark.parametrize(("text", "names"), [
    ("Age gt", "ends early"), ("Age", "ends early"), ("", "empty"),
    ("Age zz 3", "'zz' at 5"), ("Nope eq 1", "unknown column 'Nope' at 1"),
    ("Age eq 1 Name eq 2", "'Name' at 10"), ("Name eq 'open", "no closing quote"),
    ("(Age eq 1", "expected ')'"), ("Age eq 1)", "')' at 9"),
    ("Age eq abc", "eq at 5"), ("Id in (1 2)", "'2' at 10"), ("Id in 1", "'1' at 7"),
    ("Age between 1 or 3", "'or' at 15"), ("Age is 3", "'3' at 8"),
    ("and Age eq 1", "'and' at 1"), ("Age eq and", "'and' at 8"),
    ("'Age' eq 1", "'Age' (quoted) at 1"), ("Active eq maybe", "eq at 8"),
    ("Age eq 1 @", "'@' at 10"),
])
def test_a_filter_that_does_not_parse_is_a_400_naming_the_token(api: FlaskClient, text: str,
                                                                names: str) -> None:
    answer = get(api, f"{BASE}?$filter={text}")
    assert answer.status_code == 400, answer.data
    body = answer.get_json()
    assert body["errorcode"] == 10003
    assert names in body["message"]
    assert body["message"].startswith("$filter")


def test_a_filter_nested_too_deep_or_too_long_is_refused(api: FlaskClient) -> None:
    deep = "(" * 150 + "Age eq 1" + ")" * 150
    answer = get(api, f"{BASE}?$filter={deep}")
    assert answer.status_code == 400
    assert "nested more than 100" in answer.get_json()["message"]
    long = " or ".join(["Age eq 1"] * 1300)
    answer = get(api, f"{BASE}?$filter={long}")
    assert answer.status_code == 400
    assert "at most 10000 are accepted" in answer.get_json()["message"]


# --- $orderBy and $fields -----------------------------------------------------------------------


@pytest.mark.parametrize(("order", "expected"), [
    ("Age", ["4", "3", "1", "2"]), ("Age desc", ["2", "1", "3", "4"]),
    ("age ASC", ["4", "3", "1", "2"]), ("Name", ["1", "2", "3", "4"]),
    ("Active desc, Id desc", ["1", "2", "4", "3"]), ("Joined desc", ["1", "4", "2", "3"]),
])
def test_order_by(api: FlaskClient, order: str, expected: list[str]) -> None:
    assert ids(get(api, f"{BASE}?$orderBy={order}")) == expected


@pytest.mark.parametrize(("order", "names"), [
    ("Nope", "unknown column 'Nope'"), ("Age sideways", "'Age sideways'"),
    ("Age desc extra", "'Age desc extra'"), ("Age,", "''"),
])
def test_a_bad_order_by_is_refused(api: FlaskClient, order: str, names: str) -> None:
    answer = get(api, f"{BASE}?$orderBy={order}")
    assert answer.status_code == 400
    assert answer.get_json()["errorcode"] == 10005
    assert names in answer.get_json()["message"]


def test_fields_pick_the_values_and_keys_always_come(api: FlaskClient) -> None:
    found = items(get(api, BASE + "?$fields=name,AGE&$filter=Id eq 1"))
    assert found == [{"keys": {"id": "1"}, "values": {"name": "Ann", "age": "30"}}]
    bad = get(api, BASE + "?$fields=Name,Nope")
    assert bad.status_code == 400
    assert "unknown column 'Nope'" in bad.get_json()["message"]


# --- tokens, scopes and visibility --------------------------------------------------------------


def test_reads_need_a_token_with_the_read_scope(api: FlaskClient) -> None:
    assert api.get(BASE).status_code == 401
    assert api.get(BASE, headers={"Authorization": "Bearer nope"}).status_code == 401
    answer = get(api, "/data/v1/customobjectdata/key/Nope/rowset?$filter=(", "none")
    assert answer.status_code == 403  # the scope before the key and the query
    assert answer.get_json()["errorcode"] == 20002
    assert get(api, BASE, "ro").status_code == 200


def test_an_unknown_key_is_not_found(api: FlaskClient) -> None:
    answer = get(api, "/data/v1/customobjectdata/key/Nope/rowset")
    assert answer.status_code == 404
    assert answer.get_json() == {"message": "Data Extension with key 'Nope' was not found.",
                                 "errorcode": 30003, "documentation": ""}


# --- the OpenAPI document and the reset ----------------------------------------------------------


def test_every_row_route_is_in_the_rest_openapi_document(api: FlaskClient) -> None:
    paths = api.get("/_emulator/rest-openapi.json").get_json()["paths"]
    expected = {
        ("get", "/data/v1/customobjectdata/key/{key}/rowset", "data_extensions_read"),
        ("get", "/data/v1/customobjectdata/{object_id}/rowset", "data_extensions_read"),
        ("get", "/data/v1/customobjectdata/token/{token}/rowset", "data_extensions_read"),
        ("post", "/hub/v1/dataevents/key:{key}/rowset", "data_extensions_write"),
        ("post", "/hub/v1/dataevents/{object_id}/rowset", "data_extensions_write"),
        ("put", "/hub/v1/dataevents/key:{key}/rows/{row}", "data_extensions_write"),
        ("put", "/hub/v1/dataevents/{object_id}/rows/{row}", "data_extensions_write"),
        ("put", "/hub/v1/dataevents/key:{key}/rows/{row}/column/{column}/increment",
         "data_extensions_write"),
        ("put", "/hub/v1/dataevents/{object_id}/rows/{row}/column/{column}/increment",
         "data_extensions_write"),
    }
    for method, path, scope in expected:
        assert paths[path][method]["security"] == [{"bearer": [scope]}], path


def test_a_reset_and_a_rollback_forget_continuation_tokens(api: FlaskClient,
                                                           rest_app: Flask) -> None:
    emulator = get_emulator(rest_app)
    headers = bearer(api)
    first = api.get(BASE + "?$pageSize=1", headers=headers).get_json()
    assert len(emulator.rowset_tokens) == 1
    emulator.rollback()
    assert len(emulator.rowset_tokens) == 0
    headers = bearer(api)  # the rollback forgot the access token too
    assert api.get("/data" + first["links"]["next"], headers=headers).status_code == 404
    again = api.get(BASE + "?$pageSize=1", headers=headers).get_json()
    answer = api.post("/_emulator/reset", json={})
    assert answer.status_code == 200, answer.data
    headers = bearer(api)
    assert api.get("/data" + again["links"]["next"], headers=headers).status_code == 404
