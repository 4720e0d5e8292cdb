"""The Data Extension API routes: the $search list, fields and clear data, by ObjectID."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import bearer, module_app
from flask import Flask
from flask.testing import FlaskClient

from emulator.objects.dataextensions import object_id
from emulator.runtime import get_emulator
from tests.test_rest_rows import write_fixtures

BASE = "/data/v1/customobjects"
PEOPLE = object_id("People")


@pytest.fixture(scope="module")
def rest_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield from module_app(write_fixtures(tmp_path_factory.mktemp("rest-customobjects")))


def get(client: FlaskClient, url: str, client_id: str = "rw") -> Any:
    return client.get(url, headers=bearer(client, client_id))


def test_the_list_finds_by_name_or_key_in_any_case(api: FlaskClient) -> None:
    answer = get(api, f"{BASE}?$search=PEOP")
    assert answer.status_code == 200
    expected = {"count": 1, "page": 1, "pageSize": 25,
                "links": {"self": "/v1/customobjects?$search=PEOP&$page=1"},
                "items": [{"id": PEOPLE, "name": "People", "key": "People", "rowCount": 4}]}
    assert answer.data == json.dumps(expected, separators=(",", ":")).encode()


def test_the_list_pages(api: FlaskClient) -> None:
    body = get(api, f"{BASE}?$SEARCH=e&$pagesize=1&$page=2").get_json()
    assert (body["count"], body["page"], body["pageSize"]) == (2, 2, 1)
    assert [item["key"] for item in body["items"]] == ["People"]  # the store's order
    assert "next" not in body["links"]
    first = get(api, f"{BASE}?$search=e&$pageSize=1").get_json()
    assert first["links"]["next"] == "/v1/customobjects?$search=e&$page=2"
    assert [item["key"] for item in first["items"]] == ["Empty"]


@pytest.mark.parametrize("query", ["", "?$search=", "?$search=%20", "?search"])
def test_the_list_requires_search(api: FlaskClient, query: str) -> None:
    answer = get(api, BASE + query)
    assert answer.status_code == 400
    assert answer.get_json() == {
        "message": "$search is required: the text to find in the Data Extensions' names and "
                   "keys, e.g. ?$search=Orders.", "errorcode": 10002, "documentation": ""}


@pytest.mark.parametrize("query", ["&$page=0", "&$pageSize=501", "&$pageSize=-1", "&$page=1e9"])
def test_the_list_refuses_bad_paging(api: FlaskClient, query: str) -> None:
    answer = get(api, f"{BASE}?$search=e{query}")
    assert answer.status_code == 400
    assert answer.get_json()["errorcode"] == 10005


def test_fields_come_in_column_order(api: FlaskClient) -> None:
    answer = get(api, f"{BASE}/{PEOPLE.upper()}/fields")
    assert answer.status_code == 200
    body = answer.get_json()
    assert list(body) == ["id", "fields"] and body["id"] == PEOPLE
    assert body["fields"][0] == {"name": "Id", "type": "Text", "length": 10, "scale": None,
                                 "isNullable": False, "isPrimaryKey": True, "ordinal": 0}
    assert list(body["fields"][0]) == ["name", "type", "length", "scale", "isNullable",
                                       "isPrimaryKey", "ordinal"]
    score = body["fields"][3]
    assert (score["name"], score["type"], score["length"], score["scale"], score["ordinal"]) == (
        "Score", "Decimal", 6, 2, 3)


@pytest.mark.parametrize("given", ["People", "key:People", "1234", PEOPLE + "0"])
def test_an_id_that_is_not_a_guid_is_invalid(api: FlaskClient, given: str) -> None:
    answer = get(api, f"{BASE}/{given}/fields")
    assert answer.status_code == 400
    assert answer.get_json() == {"message": "Id is invalid", "errorcode": 10000,
                                 "documentation": ""}


def test_an_unknown_guid_is_a_404(api: FlaskClient) -> None:
    answer = get(api, f"{BASE}/00000000-0000-0000-0000-000000000000/fields")
    assert answer.status_code == 404
    assert answer.get_json()["errorcode"] == 30003


def test_cleardata_removes_every_row_and_answers_nothing(api: FlaskClient,
                                                        rest_app: Flask) -> None:
    answer = api.post(f"{BASE}/{PEOPLE}/cleardata", headers=bearer(api))
    assert (answer.status_code, answer.data) == (200, b"")
    assert get_emulator(rest_app).store.count("People") == 0
    assert get_emulator(rest_app).store.count("Log") == 1


def test_cleardata_needs_the_write_scope_before_the_id(api: FlaskClient,
                                                      rest_app: Flask) -> None:
    answer = api.post(f"{BASE}/not-a-guid/cleardata", headers=bearer(api, "ro"))
    assert answer.status_code == 403
    assert get(api, f"{BASE}?$search=e", client_id="none").status_code == 403
    assert api.get(f"{BASE}?$search=e").status_code == 401
    assert get_emulator(rest_app).store.count("People") == 4
