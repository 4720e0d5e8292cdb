"""The admin API through the Flask test client: every route, and each refusal's status."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import token_body

USERS = {"key": "Users", "fields": [{"name": "Id", "primaryKey": True},
                                    {"name": "Name", "length": 5, "nullable": False}]}


def post(client: Any, path: str, body: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def users(client: Any) -> Any:
    answer = post(client, "/_emulator/data-extensions",
                  {**USERS, "rows": [{"Id": "u1", "Name": "Ann"}, {"Id": "u2", "Name": "Bob"}]})
    assert answer.status_code == 201, answer.json
    return client


def test_state_dumps_everything(client: Any) -> None:
    state = client.get("/_emulator/state").json
    assert state["dataExtensions"]["AppCredentials"]["rows"][0]["client_id"] == "demo-client"
    assert state["dataExtensions"]["AppCredentials"]["fields"][0]["primaryKey"] is True
    assert state["journal"] == {"entries": 0} and state["clock"]["frozen"] is False


def test_list_create_get_delete_a_data_extension(users: Any) -> None:
    listed = users.get("/_emulator/data-extensions").json["dataExtensions"]
    assert {"key": "Users", "name": "Users", "rowCount": 2, "primaryKey": ["Id"],
            "href": "/_emulator/data-extensions/Users"} in listed
    detail = users.get("/_emulator/data-extensions/Users").json
    assert detail["rowCount"] == 2 and detail["fields"][1]["length"] == 5
    assert users.delete("/_emulator/data-extensions/Users").status_code == 204
    gone = users.get("/_emulator/data-extensions/Users")
    assert gone.status_code == 404 and "AppCredentials" in gone.json["dataExtensions"]


def test_creating_an_existing_key_is_409(users: Any) -> None:
    answer = post(users, "/_emulator/data-extensions", USERS)
    assert answer.status_code == 409 and "exists already" in answer.json["message"]


def test_creating_with_a_bad_schema_is_422(client: Any) -> None:
    answer = post(client, "/_emulator/data-extensions", {"key": "X", "fields": []})
    assert answer.status_code == 422
    assert answer.json["problems"][0]["rule"] == "schema"


def test_a_bad_schema_lists_every_mistake(client: Any) -> None:
    answer = post(client, "/_emulator/data-extensions",
                  {"key": "X", "fields": [{"name": "A", "type": "Integer"},
                                          {"name": "B", "nullable": "no"}]})
    assert answer.status_code == 422 and answer.json["total"] == 2
    assert [(p["field"], p["rule"]) for p in answer.json["problems"]] == [
        ("A", "schema"), ("B", "schema")]


def test_rows_are_paged_and_filtered(users: Any) -> None:
    post(users, "/_emulator/data-extensions/Users/rows",
         [{"Id": f"n{i}", "Name": "Cy"} for i in range(5)])
    page = users.get("/_emulator/data-extensions/Users/rows?offset=1&limit=2").json
    assert [r["Id"] for r in page["rows"]] == ["u2", "n0"] and page["total"] == 7
    assert page["next"] == "/_emulator/data-extensions/Users/rows?offset=3&limit=2"
    assert users.get("/_emulator/data-extensions/Users/rows?name=cy").json["total"] == 5
    both = users.get("/_emulator/data-extensions/Users/rows?Name=Cy&Id=n3").json
    assert [r["Id"] for r in both["rows"]] == ["n3"]
    ssjs = json.dumps({"Property": "Id", "SimpleOperator": "like", "Value": "u%"})
    assert users.get("/_emulator/data-extensions/Users/rows",
                     query_string={"filter": ssjs}).json["total"] == 2


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "offset=-1", "offset=x",
                                   "filter={", "Nope=1",
                                   'filter={"Property":"Id","SimpleOperator":"??","Value":1}'])
def test_bad_paging_or_filters_are_400(users: Any, query: str) -> None:
    answer = users.get(f"/_emulator/data-extensions/Users/rows?{query}")
    assert answer.status_code == 400 and answer.json["message"]


def test_add_rows_upsert_and_insert(users: Any) -> None:
    upsert = post(users, "/_emulator/data-extensions/Users/rows",
                  [{"Id": "u1", "Name": "Anne"}, {"Id": "u3", "Name": "Cy"}])
    assert upsert.json == {"key": "Users", "mode": "upsert", "added": 1, "updated": 1,
                           "appended": 0}
    one = post(users, "/_emulator/data-extensions/Users/rows?mode=insert", {"Id": "u4",
                                                                           "Name": 7})
    assert one.json["added"] == 1
    dup = post(users, "/_emulator/data-extensions/Users/rows?mode=insert", {"Id": "U4",
                                                                           "Name": "x"})
    assert dup.status_code == 409 and dup.json["problems"][0]["rule"] == "duplicate-key"


def test_bad_rows_are_422_with_positions_in_the_body(users: Any) -> None:
    body = '[\n  {"Id": "u5", "Name": "Dan"},\n  {"Id": "u6", "Name": "toolong"}\n]'
    answer = users.post("/_emulator/data-extensions/Users/rows", data=body,
                        content_type="application/json")
    assert answer.status_code == 422
    (problem,) = answer.json["problems"]
    assert (problem["line"], problem["column"], problem["row"], problem["field"],
            problem["rule"]) == (3, 24, 1, "Name", "length")
    assert users.get("/_emulator/data-extensions/Users").json["rowCount"] == 2


def test_delete_rows_by_primary_key(users: Any) -> None:
    answer = users.delete("/_emulator/data-extensions/Users/rows",
                          data=json.dumps([{"id": "U1"}, {"Id": "u9"}]),
                          content_type="application/json")
    assert answer.json == {"key": "Users", "deleted": 1, "notFound": [{"Id": "u9"}]}
    assert users.get("/_emulator/data-extensions/Users").json["rowCount"] == 1


@pytest.mark.parametrize(("body", "status"), [
    (None, 400), ([{"Name": "Ann"}], 422), (["u1"], 422), ([{"Id": "u1", "Name": "x"}], 422),
])
def test_delete_rows_needs_exactly_the_keys(users: Any, body: Any, status: int) -> None:
    kwargs = {} if body is None else {"data": json.dumps(body),
                                      "content_type": "application/json"}
    assert users.delete("/_emulator/data-extensions/Users/rows", **kwargs).status_code == status


def test_delete_rows_of_a_de_without_primary_key_is_409(client: Any) -> None:
    answer = client.delete("/_emulator/data-extensions/HTTPProperties/rows",
                           data="[]", content_type="application/json")
    assert answer.status_code == 409 and "no primary key" in answer.json["message"]


def test_unknown_de_is_404_everywhere(client: Any) -> None:
    for method, path in (("get", ""), ("delete", ""), ("get", "/rows"), ("post", "/rows")):
        answer = getattr(client, method)(f"/_emulator/data-extensions/Nope{path}",
                                         data="{}", content_type="application/json")
        assert answer.status_code == 404, (method, path)
        assert answer.json["emulator_error"] == "data_extension_not_found"


def test_seed_route_modes_dry_run_and_all_or_nothing(client: Any) -> None:
    docs = [{**USERS, "rows": [{"Id": "u1", "Name": "Ann"}]}]
    dry = post(client, "/_emulator/seed?dryRun=true", docs)
    assert dry.json["dryRun"] is True and dry.json["dataExtensions"][0]["created"] is True
    assert client.get("/_emulator/data-extensions/Users").status_code == 404
    assert post(client, "/_emulator/seed", docs).status_code == 200
    before = client.get("/_emulator/state").json["dataExtensions"]
    bad = [{**USERS, "rows": [{"Id": "u2", "Name": "Bob"}]},
           {"key": "Other", "fields": [{"name": "A", "length": 1}], "rows": [{"A": "xx"}]}]
    refused = post(client, "/_emulator/seed?mode=insert", bad)
    assert refused.status_code == 422 and refused.json["total"] == 1
    assert refused.json["problems"][0]["file"] == "request body[1]"
    assert client.get("/_emulator/state").json["dataExtensions"] == before
    replaced = post(client, "/_emulator/seed?mode=replace", bad[0])
    assert replaced.json["dataExtensions"][0] == {"key": "Users", "created": False, "added": 1,
                                                   "updated": 0, "appended": 0, "removed": 1}


@pytest.mark.parametrize(("query", "body", "status"), [
    ("?mode=merge", "[]", 400), ("", "{", 400), ("", "[]", 422), ("", "[1]", 422),
    ("?dryRun=maybe", "[]", 400),
])
def test_seed_refusals(client: Any, query: str, body: str, status: int) -> None:
    answer = client.post(f"/_emulator/seed{query}", data=body, content_type="application/json")
    assert answer.status_code == status, answer.json


def test_malformed_json_is_400_with_line_and_column(client: Any) -> None:
    answer = client.post("/_emulator/seed", data='{\n "key": }', content_type="application/json")
    assert answer.status_code == 400
    assert "invalid JSON at line 2, column 9" in answer.json["message"]


def test_reset_to_fixtures_and_to_empty(client: Any) -> None:
    client.post("/token", data=token_body())
    assert client.get("/_emulator/journal").json["total"] == 1
    empty = post(client, "/_emulator/reset", {"to": "empty"})
    assert empty.json["dataExtensions"]["AppCredentials"] == 0
    assert empty.json["journalCleared"] is False
    assert client.get("/_emulator/journal").json["total"] == 1  # a reset keeps the journal
    back = client.post("/_emulator/reset", data="", content_type="application/json")
    assert back.json == {"reset": "start", "journalCleared": False, "dataExtensions": {
        "AppCredentials": 1, "CustomAppException": 0, "HTTPProperties": 0}}
    fixtures = post(client, "/_emulator/reset", {"to": "fixtures", "journal": True})
    assert fixtures.json["reset"] == "fixtures" and fixtures.json["journalCleared"] is True
    assert client.get("/_emulator/journal").json["total"] == 0


@pytest.mark.parametrize("body", [{"to": "nowhere"}, {"too": "empty"}, ["empty"], "empty", None,
                                  {"to": ["empty"]}, {"journal": "yes"}, {"journal": 1}])
def test_bad_reset_bodies(client: Any, body: Any) -> None:
    answer = post(client, "/_emulator/reset", body)
    assert answer.status_code == 400, answer.json
    assert answer.json["emulator_error"] == "bad_request"
    assert client.get("/_emulator/health").json["dataExtensions"]["AppCredentials"] == 1


def test_an_unknown_reset_target_names_the_targets(client: Any) -> None:
    message = post(client, "/_emulator/reset", {"to": "nowhere"}).json["message"]
    assert "cannot reset to 'nowhere'" in message
    assert "start (the default), fixtures or empty" in message


def test_the_openapi_document_describes_the_reset_body(client: Any) -> None:
    document = client.get("/_emulator/openapi.json").json
    schema = document["components"]["schemas"]["Reset"]
    assert schema["properties"]["to"]["enum"] == ["start", "fixtures", "empty"]
    assert schema["properties"]["to"]["default"] == "start"
    assert schema["properties"]["journal"] == {**schema["properties"]["journal"],
                                               "type": "boolean", "default": False}
    responses = document["paths"]["/_emulator/reset"]["post"]["responses"]
    assert sorted(responses) == ["200", "400"]


def test_journal_newest_first_bounded_and_clearable(client: Any) -> None:
    for n in range(3):
        client.post(f"/token?n={n}", data=token_body())
    journal = client.get("/_emulator/journal?limit=2").json
    assert journal["total"] == 3
    assert [e["query_string"] for e in journal["entries"]] == ["n=2", "n=1"]
    assert client.get("/_emulator/journal?limit=100000").status_code == 400
    assert client.delete("/_emulator/journal").status_code == 204
    assert client.get("/_emulator/journal").json == {"total": 0, "count": 0, "entries": []}


def test_admin_bodies_may_exceed_the_page_limit_up_to_their_own(make_app: Any) -> None:
    client = make_app({"max_body": 100}).test_client()
    rows = [{"Id": f"u{i}", "Name": "Ann"} for i in range(50)]
    assert post(client, "/_emulator/seed", {**USERS, "rows": rows}).status_code == 200
    assert client.post("/token", data=b"x" * 101).status_code == 413


def test_an_unknown_admin_path_lists_the_admin_routes(client):
    response = client.get("/_emulator/nope")
    assert response.status_code == 404
    answer = response.get_json()
    assert answer["emulator_error"] == "no_admin_route"
    assert "GET /_emulator/health" in answer["routes"]
    assert "POST /_emulator/seed" in answer["message"]
