"""Subscribers and lists: fixture files, bad files, the admin routes, reset, rollback, export."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from flask import Flask

from emulator.cli import main
from emulator.errors import FixtureError, StoreError
from emulator.runtime import get_emulator
from emulator.schemas import LISTS_SCHEMA, SUBSCRIBERS_SCHEMA, schema
from emulator.store.store import Store
from emulator.subscribers import data
from emulator.subscribers.files import load_subscriber_dirs

LISTS = [{"ID": 1, "ListName": "Newsletter", "Type": "Public"},
         {"ID": 2, "ListName": "Offers", "CustomerKey": "offers"}]
SUBSCRIBERS = [
    {"SubscriberKey": "ann", "EmailAddress": "ann@example.org",
     "Attributes": {"First Name": "Ann", "City": "Oslo"},
     "Lists": [{"ID": 1}, {"ID": 2, "Status": "Unsubscribed"}]},
    {"SubscriberKey": "bob", "EmailAddress": "bob@example.org", "Status": "Held"},
    {"SubscriberKey": "cy", "EmailAddress": "cy@example.org", "Lists": [{"ID": 1}]},
]


def write_fixtures(folder: Path, subscribers: Any = SUBSCRIBERS, lists: Any = LISTS,
                   raw: dict[str, str] | None = None) -> Path:
    """Write a fixtures directory holding ``subscribers`` and ``lists`` (and ``raw`` files)."""
    (folder / "data_extensions").mkdir(parents=True, exist_ok=True)
    if lists is not None:
        (folder / "lists.json").write_text(json.dumps(lists, indent=1), encoding="utf-8")
    if subscribers is not None:
        (folder / "subscribers.json").write_text(json.dumps(subscribers, indent=1),
                                                 encoding="utf-8")
    for name, text in (raw or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def fixtures(tmp_path: Path) -> Path:
    return write_fixtures(tmp_path / "fx")


@pytest.fixture
def people_app(make_app: Callable[..., Flask], fixtures: Path) -> Flask:
    return make_app({"fixtures": (str(fixtures),)})


def problems_of(*folders: Path) -> str:
    with pytest.raises(FixtureError) as caught:
        load_subscriber_dirs(folders, include_default=False)
    return caught.value.message


# --- fixture files -------------------------------------------------------------------------


def test_fixture_files_are_read_with_their_defaults(fixtures: Path) -> None:
    loaded = load_subscriber_dirs([fixtures], include_default=False)
    assert [s["SubscriberKey"] for s in loaded.subscribers] == ["ann", "bob", "cy"]
    ann, bob, _ = loaded.subscribers
    assert ann == {"SubscriberKey": "ann", "EmailAddress": "ann@example.org", "Status": "Active",
                   "Attributes": {"First Name": "Ann", "City": "Oslo"},
                   "Lists": [{"ID": 1, "Status": "Active"}, {"ID": 2, "Status": "Unsubscribed"}]}
    assert bob["Status"] == "Held"
    assert loaded.lists[0] == {"ID": 1, "ListName": "Newsletter", "CustomerKey": "Newsletter",
                               "Type": "Public", "ListClassification": "ExactTargetList",
                               "Description": ""}
    assert loaded.lists[1]["Type"] == "Private"


def test_a_csv_file_gives_attributes_from_its_other_columns(tmp_path: Path) -> None:
    folder = write_fixtures(tmp_path / "fx", subscribers=None, raw={
        "subscribers.csv": "SubscriberKey,EmailAddress,Status,First Name,Points\n"
                           "ann,ann@example.org,,Ann,12\n\nbob,bob@example.org,Bounced,,\n"})
    loaded = load_subscriber_dirs([folder], include_default=False)
    assert loaded.subscribers == (
        {"SubscriberKey": "ann", "EmailAddress": "ann@example.org", "Status": "Active",
         "Attributes": {"First Name": "Ann", "Points": "12"}, "Lists": []},
        {"SubscriberKey": "bob", "EmailAddress": "bob@example.org", "Status": "Bounced",
         "Attributes": {"First Name": "", "Points": ""}, "Lists": []})


@pytest.mark.parametrize(("entry", "expected"), [
    ({"SubscriberKey": "x", "EmailAddress": "not-an-address"},
     "EmailAddress 'not-an-address' is not an e-mail address"),
    ({"SubscriberKey": "x", "EmailAddress": "x@example.org", "Status": "Gone"},
     "Status 'Gone' is not one of Active, Bounced, Held, Unsubscribed, Deleted"),
    ({"SubscriberKey": "x", "EmailAddress": "x@example.org", "Status": "active"},
     "Status 'active' is not one of Active,"),
    ({"EmailAddress": "x@example.org"}, "SubscriberKey is missing"),
    ({"SubscriberKey": "", "EmailAddress": "x@example.org"}, "SubscriberKey is empty"),
    ({"SubscriberKey": 7, "EmailAddress": "x@example.org"}, "SubscriberKey is text, not"),
    ({"SubscriberKey": "x", "EmailAddress": "x@example.org", "Lists": [{"ID": 9}]},
     "list 9 does not exist; lists come from lists.json"),
    ({"SubscriberKey": "x", "EmailAddress": "x@example.org", "Lists": [{"ID": 0}]},
     "a list ID is a whole number from 1 to 2147483647, not 0"),
    ({"SubscriberKey": "x", "EmailAddress": "x@example.org", "Lists": [{"ID": 1}, {"ID": 1}]},
     "is on one list twice"),
    ({"SubscriberKey": "x", "EmailAddress": "x@example.org", "Attributes": ["a"]},
     "Attributes is an object of attribute name to value"),
    ({"SubscriberKey": "x", "EmailAddress": "x@example.org",
      "Attributes": {"City": "A", "city": "B"}}, "attribute 'city' is given twice"),
    ({"SubscriberKey": "x", "EmailAddress": "x@example.org", "Attributes": {"A": {"b": 1}}},
     "attribute 'A' is text, a number, true/false or null"),
    ({"SubscriberKey": "x", "EmailAddress": "x@example.org", "Email": "y"},
     "a subscriber has no 'Email'; its fields are SubscriberKey, EmailAddress"),
    ("x", "a subscriber is a JSON object"),
])
def test_a_bad_subscriber_is_refused_with_its_file_line_and_entry(
        tmp_path: Path, entry: Any, expected: str) -> None:
    folder = write_fixtures(tmp_path / "fx", subscribers=[SUBSCRIBERS[2], entry])
    message = problems_of(folder)
    assert expected in message
    assert f"{folder / 'subscribers.json'}" in message
    assert "subscriber [1]" in message and "line " in message


def test_every_problem_is_listed_and_nothing_is_loaded(tmp_path: Path) -> None:
    folder = write_fixtures(tmp_path / "fx", subscribers=[
        {"SubscriberKey": "a", "EmailAddress": "bad"},
        {"SubscriberKey": "b", "EmailAddress": "b@example.org", "Status": "Nope"}])
    message = problems_of(folder)
    assert message.startswith("2 problems:")


def test_a_subscriber_key_defined_twice_names_both_places(tmp_path: Path) -> None:
    one = write_fixtures(tmp_path / "one")
    two = write_fixtures(tmp_path / "two", subscribers=[SUBSCRIBERS[1]], lists=None)
    message = problems_of(one, two)
    assert "SubscriberKey 'bob' is defined twice: also at" in message
    assert str(one / "subscribers.json") in message and str(two / "subscribers.json") in message
    same_file = write_fixtures(tmp_path / "three", subscribers=[SUBSCRIBERS[2], SUBSCRIBERS[2]])
    assert "SubscriberKey 'cy' is defined twice" in problems_of(same_file)


@pytest.mark.parametrize(("lists", "expected"), [
    ([{"ID": 1, "ListName": "A"}, {"ID": 1, "ListName": "B"}], "list ID 1 is defined twice"),
    ([{"ListName": "A"}], "a list ID is a whole number from 1 to 2147483647, not missing"),
    ([{"ID": 1, "ListName": "A", "Type": "Secret"}], "Type 'Secret' is not one of Public"),
    ([{"ID": 1}], "ListName is missing"),
    ({"ID": 1}, "lists.json holds a JSON list of list objects, not an object"),
])
def test_a_bad_list_file_is_refused(tmp_path: Path, lists: Any, expected: str) -> None:
    folder = write_fixtures(tmp_path / "fx", subscribers=None, lists=lists)
    message = problems_of(folder)
    assert expected in message and str(folder / "lists.json") in message


@pytest.mark.parametrize(("raw", "expected"), [
    ({"subscribers.json": "[{"}, "subscribers.json"),
    ({"subscribers.json": '{"SubscriberKey": "a"}'},
     "subscribers.json holds a JSON list of subscriber objects, not an object"),
    ({"subscribers.csv": "SubscriberKey,Status\na,Active\n"},
     "the header has no EmailAddress column"),
    ({"subscribers.csv": "SubscriberKey,EmailAddress\na,a@example.org,extra\n"},
     "3 values for 2 columns of the header"),
    ({"subscribers.csv": "SubscriberKey,EmailAddress\na,nope\n"},
     "line 2, column 2"),
])
def test_a_bad_subscriber_file_says_what_is_wrong(tmp_path: Path, raw: dict[str, str],
                                                  expected: str) -> None:
    folder = write_fixtures(tmp_path / "fx", subscribers=None, raw=raw)
    assert expected in problems_of(folder)


def test_both_a_json_and_a_csv_subscriber_file_is_refused(tmp_path: Path) -> None:
    folder = write_fixtures(tmp_path / "fx", raw={
        "subscribers.csv": "SubscriberKey,EmailAddress\nz,z@example.org\n"})
    assert "both subscribers.json and subscribers.csv are here; keep one" in problems_of(folder)


def test_an_app_does_not_start_on_a_bad_subscriber_file(make_app: Callable[..., Flask],
                                                        tmp_path: Path) -> None:
    folder = write_fixtures(tmp_path / "fx", subscribers=[{"SubscriberKey": "a",
                                                           "EmailAddress": "a"}])
    with pytest.raises(FixtureError, match="is not an e-mail address"):
        make_app({"fixtures": (str(folder),)})


def test_the_shipped_json_schemas_take_the_fixture_files(tmp_path: Path) -> None:
    jsonschema.validate(SUBSCRIBERS, schema(SUBSCRIBERS_SCHEMA))
    jsonschema.validate(LISTS, schema(LISTS_SCHEMA))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"SubscriberKey": "a", "EmailAddress": "nope"}],
                            schema(SUBSCRIBERS_SCHEMA))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"SubscriberKey": "a", "EmailAddress": "a@example.org",
                              "Status": "Gone"}], schema(SUBSCRIBERS_SCHEMA))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"ID": "1", "ListName": "A"}], schema(LISTS_SCHEMA))


# --- the store's record tables -------------------------------------------------------------


def test_a_record_table_is_never_a_data_extension_table() -> None:
    with Store.open(None) as store:
        for name in ("Contacts", "_meta", "_schemas", "_created:Orders"):
            with pytest.raises(StoreError, match="is not a record table"):
                store.replace_records(name, [])
        assert not store.has_records("_subscribers")
        store.replace_records("_subscribers", [])
        assert store.has_records("_subscribers") and store.records("_subscribers") == []


def test_records_are_copies(people_app: Flask) -> None:
    store = get_emulator(people_app).store
    first = data.subscribers(store)[0]
    first["Attributes"]["City"] = "Changed"
    assert data.subscribers(store)[0]["Attributes"]["City"] == "Oslo"


def test_a_rollback_puts_subscribers_back(people_app: Flask) -> None:
    emulator = get_emulator(people_app)
    emulator.checkpoint()
    emulator.store.replace_records("_subscribers", [])
    emulator.subscriber.key = "ann"
    assert data.subscribers(emulator.store) == []
    emulator.rollback()
    assert [s["SubscriberKey"] for s in data.subscribers(emulator.store)] == ["ann", "bob", "cy"]
    assert emulator.subscriber.key is None


def test_the_db_file_keeps_subscribers_and_an_older_file_gets_the_fixtures(
        make_app: Callable[..., Flask], fixtures: Path, tmp_path: Path) -> None:
    db = tmp_path / "mcemu.json"
    app = make_app({"fixtures": (str(fixtures),), "db": str(db)})
    store = get_emulator(app).store
    store.replace_records("_subscribers", data.subscribers(store)[:1])
    get_emulator(app).close()
    document = json.loads(db.read_text(encoding="utf-8"))
    assert [s["SubscriberKey"] for s in document["_subscribers"].values()] == ["ann"]
    assert [item["ListName"] for item in document["_lists"].values()] == ["Newsletter", "Offers"]
    again = make_app({"fixtures": (str(fixtures),), "db": str(db)})
    assert [s["SubscriberKey"] for s in data.subscribers(get_emulator(again).store)] == ["ann"]
    get_emulator(again).close()
    # A file written before subscribers existed gets the fixtures' on open.
    for table in ("_subscribers", "_lists"):
        del document[table]
    db.write_text(json.dumps(document), encoding="utf-8")
    older = make_app({"fixtures": (str(fixtures),), "db": str(db)})
    assert len(data.subscribers(get_emulator(older).store)) == 3


# --- admin routes and reset ----------------------------------------------------------------


def test_the_subscribers_route_pages_and_filters(people_app: Flask) -> None:
    client = people_app.test_client()
    page = client.get("/_emulator/subscribers?limit=2").get_json()
    assert page["total"] == 3 and page["offset"] == 0 and page["limit"] == 2
    assert [s["SubscriberKey"] for s in page["subscribers"]] == ["ann", "bob"]
    rest = client.get(page["next"]).get_json()
    assert [s["SubscriberKey"] for s in rest["subscribers"]] == ["cy"] and rest["next"] is None
    one = client.get("/_emulator/subscribers?key=ann").get_json()
    assert one["total"] == 1 and one["subscribers"][0]["Attributes"]["First Name"] == "Ann"
    assert client.get("/_emulator/subscribers?key=nobody").get_json()["subscribers"] == []


@pytest.mark.parametrize(("query", "expected"), [
    ("limit=0", "?limit=0: expected a number from 1 to 1000"),
    ("limit=abc", "?limit='abc': expected a whole number from 1 to 1000"),
    ("offset=-1", "?offset=-1: expected a number from 0 to 1000000000"),
    ("SubscriberKey=ann", "not a parameter here; use offset, limit, key"),
])
def test_the_subscribers_route_refuses_bad_queries(people_app: Flask, query: str,
                                                   expected: str) -> None:
    response = people_app.test_client().get(f"/_emulator/subscribers?{query}")
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)


def test_the_lists_route_counts_members_by_status(people_app: Flask) -> None:
    lists = people_app.test_client().get("/_emulator/lists").get_json()["lists"]
    assert [(item["ID"], item["members"]) for item in lists] == [
        (1, {"Active": 2}), (2, {"Unsubscribed": 1})]


def test_the_state_holds_subscribers_and_lists(people_app: Flask) -> None:
    state = people_app.test_client().get("/_emulator/state").get_json()
    assert [s["SubscriberKey"] for s in state["subscribers"]] == ["ann", "bob", "cy"]
    assert len(state["lists"]) == 2


def test_a_reset_brings_the_fixtures_subscribers_back(people_app: Flask) -> None:
    client = people_app.test_client()
    store = get_emulator(people_app).store
    store.replace_records("_subscribers", data.subscribers(store)[:1])
    assert client.post("/_emulator/reset", json={"to": "empty"}).status_code == 200
    assert data.subscribers(store) == [] and len(data.lists(store)) == 2
    client.post("/_emulator/reset", json={})
    assert len(data.subscribers(store)) == 3
    store.replace_records("_lists", [])
    client.post("/_emulator/reset", json={"to": "fixtures"})
    assert len(data.lists(store)) == 2 and len(data.subscribers(store)) == 3


def test_a_reset_to_start_keeps_what_the_db_file_held(make_app: Callable[..., Flask],
                                                      fixtures: Path, tmp_path: Path) -> None:
    db = tmp_path / "mcemu.json"
    app = make_app({"fixtures": (str(fixtures),), "db": str(db)})
    store = get_emulator(app).store
    store.replace_records("_subscribers", data.subscribers(store)[1:])
    get_emulator(app).close()
    again = make_app({"fixtures": (str(fixtures),), "db": str(db)})
    store = get_emulator(again).store
    store.replace_records("_subscribers", [])
    again.test_client().post("/_emulator/reset", json={"to": "start"})
    assert [s["SubscriberKey"] for s in data.subscribers(store)] == ["bob", "cy"]
    again.test_client().post("/_emulator/reset", json={"to": "fixtures"})
    assert [s["SubscriberKey"] for s in data.subscribers(store)] == ["ann", "bob", "cy"]


# --- export --------------------------------------------------------------------------------


def test_export_writes_subscribers_and_lists_that_seed_back_the_same(
        make_app: Callable[..., Flask], fixtures: Path, tmp_path: Path) -> None:
    db = tmp_path / "mcemu.json"
    get_emulator(make_app({"fixtures": (str(fixtures),), "db": str(db)})).close()
    out = tmp_path / "export"
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Exported 3 subscriber(s) and 2 list(s)" in result.output
    exported = load_subscriber_dirs([out], include_default=False)
    original = load_subscriber_dirs([fixtures], include_default=False)
    assert exported == original
    text = (out / "subscribers.json").read_text(encoding="utf-8")
    assert text.count("\n") == 5 and text.endswith("]\n")  # one record a line
    again = tmp_path / "again.json"
    get_emulator(make_app({"fixtures": (str(out),), "db": str(again),
                           "no_default_fixtures": True})).close()
    out2 = tmp_path / "export2"
    CliRunner().invoke(main, ["export", "--db", str(again), "--out", str(out2)])
    for name in ("subscribers.json", "lists.json"):
        assert (out2 / name).read_bytes() == (out / name).read_bytes()


def test_an_export_without_subscribers_writes_no_subscriber_file(tmp_path: Path) -> None:
    db = tmp_path / "plain.json"
    Store.open(db).close()
    out = tmp_path / "export"
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (out / "subscribers.json").exists() and not (out / "lists.json").exists()


def test_the_dashboard_lists_subscribers_and_lists_as_text(make_app: Callable[..., Flask],
                                                           tmp_path: Path) -> None:
    folder = write_fixtures(tmp_path / "fx", subscribers=[
        {"SubscriberKey": "<b>x</b>", "EmailAddress": "x@example.org",
         "Attributes": {"First Name": "<script>alert(1)</script>"}, "Lists": [{"ID": 2}]}])
    client = make_app({"fixtures": (str(folder),)}).test_client()
    page = client.get("/_emulator/ui/subscribers").get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<script>alert(1)" not in page
    assert "First Name: &lt;script&gt;" in page and "Offers (Active)" in page
    assert "1 of 1" in page and "Newsletter" in page
    empty = make_app({}).test_client().get("/_emulator/ui/subscribers").get_data(as_text=True)
    assert "No subscribers." in empty and "No lists." in empty


def test_find_record_returns_a_copy_of_the_match_only() -> None:
    with Store.open(None) as store:
        store.replace_records("_subscribers", SUBSCRIBERS[2:])
        found = store.find_record("_subscribers", "SubscriberKey", "cy")
        assert found == SUBSCRIBERS[2]
        found["Lists"].append({"ID": 2})
        assert store.find_record("_subscribers", "SubscriberKey", "cy") == SUBSCRIBERS[2]
        assert store.find_record("_subscribers", "SubscriberKey", "nobody") is None
        with pytest.raises(StoreError, match="is not a record table"):
            store.find_record("Orders", "Id", 1)
