"""AMPscript Lookup, LookupRows, Row, Field and RowCount on a real store
(docs/fidelity.md#ampscript-lookup)."""

from __future__ import annotations

from datetime import datetime

import pytest

from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.ampscript.values import DB_NULL, Rowset
from emulator.script.errors import AmpscriptError
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

MEMBERS = {"key": "members_key", "name": "Member List", "fields": [
    {"name": "Email", "type": "Text", "primaryKey": True},
    {"name": "Name", "type": "Text"},
    {"name": "Age", "type": "Number"},
    {"name": "Active", "type": "Boolean"},
    {"name": "Joined", "type": "Date"},
    {"name": "City", "type": "Text"},
]}
ROWS = [
    {"Email": "alice@x", "Name": "Alice", "Age": "30", "Active": "True",
     "Joined": "2024-01-15", "City": "Paris"},
    {"Email": "bob@x", "Name": "Bob", "Age": "41", "Active": "False",
     "Joined": "1/15/2024 12:00:00 AM", "City": "paris"},
    {"Email": "carol@x", "Name": "Carol", "Age": None, "Active": None, "Joined": None,
     "City": "Rome"},
]


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path) -> Store:
    opened = Store.open(None if request.param == "memory" else str(tmp_path / "db.json"))
    opened.create(DataExtensionSchema.from_json(MEMBERS, "test"), ROWS)
    yield opened
    opened.close()


@pytest.fixture
def ctx(store: Store) -> AmpscriptContext:
    return AmpscriptContext(Variables(), store=store)


def ev(ctx: AmpscriptContext, expression: str) -> str:
    return render(f"%%={expression}=%%", ctx)


@pytest.mark.parametrize(("expression", "expected"), [
    ('Lookup("Member List","Name","Email","bob@x")', "Bob"),
    ('Lookup("member list","Name","email","BOB@X")', "Bob"),  # names and Text: any case
    ('Lookup("Member List","Age","Email","alice@x")', "30"),
    ('Lookup("Member List","Active","Email","alice@x")', "True"),
    ('Lookup("Member List","Joined","Email","alice@x")', "1/15/2024 12:00:00 AM"),
    ('Lookup("Member List","Name","Age",41)', "Bob"),  # numeric criteria accepted
    ('Lookup("Member List","Name","City","Paris")', "Alice"),  # the first match
    ('Lookup("Member List","Name","City","paris","Age","41")', "Bob"),
    ('Lookup("Member List","Name","Email","nobody@x")', ""),
    ('IsNull(Lookup("Member List","Name","Email","nobody@x"))', "True"),
    ('Empty(Lookup("Member List","Name","Email","nobody@x"))', "True"),
    ('IsNull(Lookup("Member List","Age","Email","carol@x"))', "True"),
    ('IsNull(Lookup("Member List","Name","Email","carol@x"))', "False"),
    ('RowCount(LookupRows("Member List","City","paris"))', "2"),
    ('RowCount(LookupRows("Member List","City","Berlin"))', "0"),
    ('Field(Row(LookupRows("Member List","City","PARIS"),2),"name")', "Bob"),
    ('Field(Row(LookupRows("Member List","City","Paris"),1),2)', "Alice"),
    ('Field(Row(LookupRows("Member List","Email","carol@x"),1),"Shoe",0)', ""),
    ('Field(Row(LookupRows("Member List","Email","carol@x"),1),"Shoe","0")', ""),
    ('IsNull(Field(Row(LookupRows("Member List","Email","carol@x"),1),"Age"))', "True"),
    ('Concat(LookupRows("Member List","City","Paris"))', ""),  # ASSUMED "rowset-text"
])
def test_data_vectors(ctx: AmpscriptContext, expression: str, expected: str) -> None:
    assert ev(ctx, expression) == expected


def test_lookup_rows_keeps_types_and_de_order(ctx: AmpscriptContext) -> None:
    render('%%[ SET @rows = LookupRows("Member List","City","paris") ]%%', ctx)
    rows = ctx.variables.get("rows")
    assert isinstance(rows, Rowset) and len(rows) == 2
    alice = rows.rows[0]
    assert alice.find("AGE") == (True, 30)
    assert alice.find("Active") == (True, True)
    assert alice.find("Joined") == (True, datetime(2024, 1, 15))
    assert rows.rows[1].find("Email") == (True, "bob@x")


def test_lookup_rows_stops_at_2000(store: Store, ctx: AmpscriptContext) -> None:
    store.add_rows("members_key", [{"Email": f"m{i}@x", "City": "Oslo"} for i in range(2100)])
    assert ev(ctx, 'RowCount(LookupRows("Member List","City","Oslo"))') == "2000"


def test_lookup_no_match_is_a_database_null(ctx: AmpscriptContext) -> None:
    render('%%[ SET @v = Lookup("Member List","Name","Email","nobody@x") ]%%', ctx)
    assert ctx.variables.get("v") is DB_NULL


@pytest.mark.parametrize(("expression", "message"), [
    # the DE is found by name, never by external key (docs/fidelity.md#de-functions-by-name)
    ('Lookup("members_key","Name","Email","bob@x")', "A Data Extension of this name"),
    ('LookupRows("Nope","Email","x")', "A Data Extension of this name does not exist."),
    ('Lookup("Member List","Shoe","Email","bob@x")', "Invalid field name Shoe"),
    ('LookupRows("Member List","Shoe","x")', "Invalid filter"),
    ('Row(LookupRows("Member List","City","Paris"),0)', "Parameter Name: Index"),
    ('Row(LookupRows("Member List","City","Paris"),3)', "Parameter Name: Index"),
    ('Row(LookupRows("Member List","City","Berlin"),1)', "Parameter Name: Index"),
    ('Row(LookupRows("Member List","City","Paris"),1.5)', "Parameter Name: Index"),
    ('Row("not a rowset",1)', "Parameter Name: Rowset"),
    ('Field(Row(LookupRows("Member List","City","Paris"),1),"Shoe")', "Parameter Name: Name"),
    ('Field(Row(LookupRows("Member List","City","Paris"),1),9)', "Parameter Name: Name"),
    ('Field("not a row","Name")', "Parameter Name: Row"),
    ('RowCount("not a rowset")', "Parameter Name: Rowset"),
])
def test_data_errors(ctx: AmpscriptContext, expression: str, message: str) -> None:
    with pytest.raises(AmpscriptError, match=message):
        ev(ctx, expression)


def test_lookup_without_a_store_finds_no_data_extension() -> None:
    with pytest.raises(AmpscriptError, match="of this name does not exist"):
        render('%%=Lookup("Member List","Name","Email","x")=%%', AmpscriptContext(Variables()))
