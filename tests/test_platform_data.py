"""Rows.Lookup/Update/Remove and the Platform.Function DE functions, on a real store
(docs/fidelity.md#rows-lookup-typed, docs/fidelity.md#de-functions-by-name)."""

from __future__ import annotations

from datetime import datetime

import pytest

from emulator.clock import Clock
from emulator.pages import JSON_CODE_RESOURCE
from emulator.platform.calls import ARITY_ERROR
from emulator.platform.context import PageContext
from emulator.platform.globals import PageGlobals
from emulator.platform.request import RequestSnapshot
from emulator.script.errors import PlatformError, ScriptError
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

MEMBERS = {"key": "members_key", "name": "Member List", "fields": [
    {"name": "Email", "type": "Text", "primaryKey": True},
    {"name": "Name", "type": "Text"},
    {"name": "Age", "type": "Number"},
    {"name": "Score", "type": "Decimal", "precision": 5, "scale": 2},
    {"name": "Active", "type": "Boolean"},
    {"name": "Joined", "type": "Date"},
]}
ROWS = [
    {"Email": "alice@x", "Name": "Alice", "Age": "30", "Score": "4.5", "Active": "True",
     "Joined": "2024-01-15"},
    {"Email": "bob@x", "Name": "Bob", "Age": "41", "Score": "3", "Active": "False",
     "Joined": "1/16/2024 2:30:00 PM"},
    {"Email": "carol@x", "Name": "Carol", "Age": None, "Score": None, "Active": None,
     "Joined": None},
]
NO_KEY = {"key": "Log", "name": "Log", "fields": [{"name": "Msg"}, {"name": "N", "type": "Number"}]}


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path) -> Store:
    opened = Store.open(None if request.param == "memory" else str(tmp_path / "db.json"))
    opened.create(DataExtensionSchema.from_json(MEMBERS, "test"), ROWS)
    opened.create(DataExtensionSchema.from_json(NO_KEY, "test"))
    yield opened
    opened.close()


@pytest.fixture
def g(store: Store) -> PageGlobals:
    context = PageContext(request=RequestSnapshot.build("POST", "https://x.example/p"),
                          store=store, clock=Clock(), content_type=JSON_CODE_RESOURCE)
    globals_ = PageGlobals(context)
    globals_.Platform.Load("core", "1")
    return globals_


def rows(g: PageGlobals):
    return g.DataExtension.Init("members_key").Rows


# --- Rows.Lookup (docs/fidelity.md#rows-lookup-typed)
# ------------------------------------------------------------------------

def test_rows_lookup_returns_typed_values_and_iso_dates(g: PageGlobals) -> None:
    assert rows(g).Lookup(["Email"], ["alice@x"]) == [
        {"Email": "alice@x", "Name": "Alice", "Age": 30, "Score": 4.5, "Active": True,
         "Joined": "2024-01-15T00:00:00.000"}]
    bob = rows(g).Lookup(["email"], ["BOB@X"])[0]
    assert bob["Joined"] == "2024-01-16T14:30:00.000" and bob["Active"] is False
    assert bob["Score"] == 3 and isinstance(bob["Age"], int)
    carol = rows(g).Lookup(["Name"], ["Carol"])[0]
    assert carol["Age"] is None and carol["Joined"] is None


@pytest.mark.parametrize(("args", "names"), [
    ((["Age"], [41]), ["Bob"]),
    ((["Age"], ["41"]), ["Bob"]),
    ((["Active", "Age"], [True, 30]), ["Alice"]),
    ((["Age"], [99]), None),  # RT: no match is null
    (("Name", "Alice"), ["Alice"]),  # one name and value stand for one-element arrays
    ((["Active"], ["false"]), ["Bob"]),
])
def test_rows_lookup_matches(g: PageGlobals, args, names) -> None:
    found = rows(g).Lookup(*args)
    assert (None if found is None else [row["Name"] for row in found]) == names


def test_rows_lookup_limit_and_order(g: PageGlobals, store: Store) -> None:
    store.add_rows("members_key", [{"Email": f"m{i}@x", "Name": "Same", "Age": str(i)}
                                   for i in range(5)])
    same = ["Name"], ["Same"]
    assert len(rows(g).Lookup(*same, "2")) == 2  # RT: a numeric string limit
    assert [row["Age"] for row in rows(g).Lookup(*same, 3, "Age DESC")] == [4, 3, 2]
    assert [row["Age"] for row in rows(g).Lookup(*same, 2, "age")] == [0, 1]
    assert len(rows(g).Lookup(*same)) == 5


@pytest.mark.parametrize(("args", "message"), [
    ((["Email"], ["a", "b"]), "same length"),
    (([], []), "same length"),
    ((["Shoe"], ["x"]), "Invalid filter"),
    ((["Email"], ["x"], "many"), "Invalid row limit"),
    ((["Email"], ["alice@x"], 1, "Shoe"), "Invalid field name Shoe"),
    ((["Email"], ["alice@x"], 1, "Name SIDEWAYS"), "not ASC or DESC"),
    ((["Email"],), ARITY_ERROR),
    ((["Email"], ["x"], 1, "Name", "extra"), ARITY_ERROR),
])
def test_rows_lookup_errors_are_catchable(g: PageGlobals, args, message: str) -> None:
    with pytest.raises(PlatformError, match=message):
        rows(g).Lookup(*args)


# --- Rows.Update / Rows.Remove (docs/fidelity.md#rows-update-remove)
# ----------------------------------------------------

def test_rows_update_returns_the_count(g: PageGlobals, store: Store) -> None:
    assert rows(g).Update({"Name": "Robert", "Age": 42}, ["Email"], ["bob@x"]) == 1
    assert store.retrieve("members_key", {"Property": "Email", "SimpleOperator": "equals",
                                          "Value": "bob@x"})[0]["Name"] == "Robert"
    assert rows(g).Update({"Active": False}, ["Active"], [True]) == 1
    assert rows(g).Update({"Name": "Nobody"}, ["Email"], ["nobody@x"]) == 0  # RT: no throw
    assert [w["row"]["Name"] for w in g.context.rows_written] == ["Robert", "Alice"]


def test_rows_remove_returns_the_count(g: PageGlobals, store: Store) -> None:
    assert rows(g).Remove(["Name"], ["alice"]) == 1
    assert rows(g).Remove(["Name"], ["alice"]) == 0
    assert store.count("members_key") == 2


@pytest.mark.parametrize(("call", "message"), [
    (lambda r: r.Update("not an object", ["Email"], ["x"]), "row object"),
    (lambda r: r.Update({"Shoe": 1}, ["Email"], ["alice@x"]), "Invalid field name Shoe"),
    (lambda r: r.Update({"Email": "bob@x"}, ["Email"], ["alice@x"]), "PRIMARY KEY"),
    (lambda r: r.Update({"Name": "x"}, ["Email"]), ARITY_ERROR),
    (lambda r: r.Remove(["Email"]), ARITY_ERROR),
    (lambda r: r.Remove(["Email", "Name"], ["x"]), "same length"),
])
def test_update_and_remove_errors_are_catchable(g: PageGlobals, call, message: str) -> None:
    with pytest.raises(PlatformError, match=message):
        call(rows(g))


def test_rows_of_a_missing_de_throw(g: PageGlobals) -> None:
    missing = g.DataExtension.Init("Nope").Rows
    for call in (lambda: missing.Lookup(["a"], ["b"]), lambda: missing.Update({"a": 1}, ["a"],
                 ["b"]), lambda: missing.Remove(["a"], ["b"])):
        with pytest.raises(PlatformError, match="A Data Extension with key Nope does not exist"):
            call()


# --- Platform.Function DE functions (by name, docs/fidelity.md#de-functions-by-name) -------------

def test_lookup_by_name_returns_native_types(g: PageGlobals) -> None:
    f = g.Platform.Function
    assert f.Lookup("Member List", "Age", "Email", "alice@x") == 30
    assert f.Lookup("member list", "Active", ["Email"], ["alice@x"]) is True
    assert f.Lookup("Member List", "Joined", "Email", "bob@x") == datetime(2024, 1, 16, 14, 30)
    assert f.Lookup("Member List", "Name", ["Age", "Active"], [41, False]) == "Bob"
    assert f.Lookup("Member List", "Name", "Email", "nobody@x") is None
    assert f.Lookup("Member List", "Age", "Email", "carol@x") is None


def test_lookup_rows_and_ordered_rows(g: PageGlobals, store: Store) -> None:
    f = g.Platform.Function
    found = f.LookupRows("Member List", ["Active"], [True])
    assert found == [{"Email": "alice@x", "Name": "Alice", "Age": 30, "Score": 4.5,
                      "Active": True, "Joined": "2024-01-15T00:00:00.000"}]
    assert f.LookupRows("Member List", "Name", "Zed") is None  # RT: null, not []
    store.add_rows("members_key", [{"Email": f"m{i}@x", "Name": "Same", "Age": str(i % 7)}
                                   for i in range(2100)])
    assert len(f.LookupRows("Member List", "Name", "Same")) == 2000
    ordered = f.LookupOrderedRows("Member List", 3, "Age desc, Email ASC", "Name", "Same")
    # Email is Text: ordered as text, so m1000 comes before m104
    assert [(row["Age"], row["Email"]) for row in ordered] == [(6, "m1000@x"), (6, "m1007@x"),
                                                               (6, "m1014@x")]
    assert len(f.LookupOrderedRows("Member List", 0, "Age", "Name", "Same")) == 2000


def test_write_functions_return_counts(g: PageGlobals, store: Store) -> None:
    f = g.Platform.Function
    assert f.InsertData("Member List", ["Email", "Name", "Age"], ["dan@x", "Dan", 25]) == 1
    assert f.UpdateData("Member List", ["Email"], ["dan@x"], ["Age"], [26]) == 1
    assert f.UpdateData("Member List", ["Email"], ["nobody@x"], ["Age"], [1]) == 0
    assert f.UpsertData("Member List", ["Email"], ["dan@x"], ["Name"], ["Daniel"]) == 1
    assert f.UpsertData("Member List", ["Email"], ["eve@x"], ["Name", "Active"],
                        ["Eve", True]) == 1
    assert f.Lookup("Member List", "Active", "Email", "eve@x") is True
    assert f.Lookup("Member List", "Name", "Email", "dan@x") == "Daniel"
    assert f.Lookup("Member List", "Age", "Email", "dan@x") == 26
    assert f.DeleteData("Member List", ["Email"], ["dan@x"]) == 1
    assert f.DeleteData("Member List", ["Email"], ["dan@x"]) == 0
    assert store.count("members_key") == 4
    assert f.UpsertData("Log", ["Msg"], ["a"], ["N"], [1]) == 1  # no primary key: appended
    assert f.UpsertData("Log", ["Msg"], ["a"], ["N"], [2]) == 1  # now it matches: updated
    assert store.rows("Log") == [{"Msg": "a", "N": 2}]


@pytest.mark.parametrize(("call", "message"), [
    # by name only: an external key that is not a name throws
    # (docs/fidelity.md#de-functions-by-name)
    (lambda f: f.Lookup("members_key", "Name", "Email", "x"), "of this name does not exist"),
    (lambda f: f.InsertData("Nope", ["a"], ["b"]), "of this name does not exist"),
    # array forms only: scalars throw the arity error (docs/fidelity.md#de-functions-arrays)
    (lambda f: f.InsertData("Member List", "Email", "x@x"), ARITY_ERROR),
    (lambda f: f.UpdateData("Member List", "Email", "x", ["Age"], [1]), ARITY_ERROR),
    (lambda f: f.UpsertData("Member List", ["Email"], ["x"], "Age", 1), ARITY_ERROR),
    (lambda f: f.DeleteData("Member List", "Email", "x"), ARITY_ERROR),
    # wrong argument counts
    (lambda f: f.Lookup("Member List", "Name", "Email"), ARITY_ERROR),
    (lambda f: f.LookupRows("Member List", "Email"), ARITY_ERROR),
    (lambda f: f.LookupOrderedRows("Member List", 1, "Name", "Email"), ARITY_ERROR),
    (lambda f: f.InsertData("Member List", ["Email"]), ARITY_ERROR),
    (lambda f: f.DeleteData("Member List", ["Email"], ["x"], "extra"), ARITY_ERROR),
    # bad values
    (lambda f: f.Lookup("Member List", "Shoe", "Email", "x"), "Invalid field name Shoe"),
    (lambda f: f.InsertData("Member List", ["Email", "Name"], ["x"]), "same length"),
    (lambda f: f.InsertData("Member List", ["Email"], ["alice@x"]), "PRIMARY KEY"),
    (lambda f: f.InsertData("Member List", ["Shoe"], ["x"]), "Invalid field name Shoe"),
    (lambda f: f.LookupOrderedRows("Member List", 1, "Shoe ASC", "Email", "x"), "Shoe"),
    (lambda f: f.LookupOrderedRows("Member List", "ten", "Name", "Email", "x"), "row limit"),
])
def test_de_function_errors_are_catchable(g: PageGlobals, call, message: str) -> None:
    try:
        call(g.Platform.Function)
    except ScriptError as ex:  # an SSJS catch block
        assert message in ex.message
    else:
        pytest.fail("no exception")
