"""AMPscript LookupRowsCS, LookupOrderedRows(CS), DataExtensionRowCount, BuildRowsetFromString and
BuildRowsetFromJSON on a real store (docs/fidelity.md#ampscript-rowsets, #buildrowsetfromjson)."""

from __future__ import annotations

import json

import pytest

from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.ampscript.values import Rowset
from emulator.script.errors import AmpscriptError
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

SCORES = {"key": "scores_key", "name": "Scores", "fields": [
    {"name": "Id", "type": "Text", "primaryKey": True},
    {"name": "Name", "type": "Text"},
    {"name": "Team", "type": "Text"},
    {"name": "Points", "type": "Number"},
]}
ROWS = [
    {"Id": "1", "Name": "Alice", "Team": "red", "Points": "30"},
    {"Id": "2", "Name": "Alice", "Team": "blue", "Points": "10"},
    {"Id": "3", "Name": "alice", "Team": "red", "Points": "20"},
    {"Id": "4", "Name": "Bob", "Team": "red", "Points": None},
    {"Id": "5", "Name": "Carol", "Team": "RED", "Points": "20"},
]
FLIGHTS = json.dumps({"Flights": [
    {"Origin": "IND", "Dest": "NYC", "Price": 100.0},
    {"Origin": "IND", "Dest": "LAX", "Price": 200.0, "Legs": [1, 2], "Crew": {"n": 3}},
    {"Origin": "IND", "Dest": "SEA", "Price": 500.0, "PerBagSurcharge": 25},
]})


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path) -> Store:
    opened = Store.open(None if request.param == "memory" else str(tmp_path / "db.json"))
    opened.create(DataExtensionSchema.from_json(SCORES, "test"), ROWS)
    yield opened
    opened.close()


@pytest.fixture
def ctx(store: Store) -> AmpscriptContext:
    context = AmpscriptContext(Variables(), store=store)
    context.variables.set("flights", FLIGHTS)
    return context


def ev(ctx: AmpscriptContext, expression: str) -> str:
    return render(f"%%={expression}=%%", ctx)


def ids(ctx: AmpscriptContext, expression: str) -> list[str]:
    render(f"%%[ SET @rows = {expression} ]%%", ctx)
    rows = ctx.variables.get("rows")
    assert isinstance(rows, Rowset)
    return [row.find("Id")[1] for row in rows.rows]


@pytest.mark.parametrize(("expression", "expected"), [
    # RT vector: rows Alice, Alice, alice
    ('RowCount(LookupRowsCS("Scores","Name","Alice"))', "2"),
    ('RowCount(LookupRowsCS("Scores","Name","alice"))', "1"),
    ('RowCount(LookupRows("Scores","Name","alice"))', "3"),
    ('RowCount(LookupRowsCS("Scores","Name","ALICE"))', "0"),
    ('RowCount(LookupRowsCS("Scores","Team","red","Name","Alice"))', "1"),
    ('RowCount(LookupRowsCS("Scores","Points",20))', "2"),  # numbers compare as numbers
    ('RowCount(LookupRowsCS("scores","name","Alice"))', "2"),  # names still ignore case
    ('DataExtensionRowCount("Scores")', "5"),
    ('DataExtensionRowCount("SCORES")', "5"),
    ('Field(Row(LookupOrderedRows("Scores",1,"Points DESC","Team","red"),1),"Name")', "Alice"),
    ('RowCount(LookupOrderedRows("Scores",0,"Points","Team","red"))', "4"),
    ('RowCount(LookupOrderedRows("Scores",-5,"Points","Team","red"))', "4"),
    ('RowCount(LookupOrderedRows("Scores","2","Points","Team","red"))', "2"),
    ('RowCount(LookupOrderedRows("Scores",1000000000,"Points","Team","red"))', "4"),
])
def test_lookup_vectors(ctx: AmpscriptContext, expression: str, expected: str) -> None:
    assert ev(ctx, expression) == expected


@pytest.mark.parametrize(("expression", "expected"), [
    # ties keep the DE's order; empty cells come last descending
    ('LookupOrderedRows("Scores",10,"Points DESC","Team","red")', ["1", "3", "5", "4"]),
    ('LookupOrderedRows("Scores",10,"Points desc, Name desc","Team","red")', ["1", "5", "3", "4"]),
    ('LookupOrderedRows("Scores",10,"Points","Team","red")', ["4", "3", "5", "1"]),  # null first
    ('LookupOrderedRows("Scores",2,"Name DESC, Id","Team","red")', ["5", "4"]),
    ('LookupOrderedRowsCS("Scores",10,"Points DESC","Team","red")', ["1", "3", "4"]),
    ('LookupOrderedRowsCS("Scores",1,"Id DESC","Name","Alice")', ["2"]),
])
def test_ordered_lookups_sort_then_cut(ctx: AmpscriptContext, expression: str,
                                       expected: list[str]) -> None:
    assert ids(ctx, expression) == expected


def test_every_lookup_stops_at_2000_rows(store: Store, ctx: AmpscriptContext) -> None:
    store.add_rows("scores_key", [{"Id": f"m{i}", "Team": "Oslo", "Points": str(i)}
                                  for i in range(2100)])
    assert ev(ctx, 'RowCount(LookupRowsCS("Scores","Team","Oslo"))') == "2000"
    assert ev(ctx, 'RowCount(LookupOrderedRows("Scores",0,"Points DESC","Team","Oslo"))') == "2000"
    top = ids(ctx, 'LookupOrderedRows("Scores",3,"Points DESC","Team","Oslo")')
    assert top == ["m2099", "m2098", "m2097"]  # sorted over every match, then cut


@pytest.mark.parametrize(("expression", "message"), [
    ('LookupRowsCS("Nope","Name","x")', "A Data Extension of this name does not exist."),
    ('LookupOrderedRows("scores_key",1,"Id","Name","x")', "of this name does not exist"),
    ('DataExtensionRowCount("Nope")', "of this name does not exist"),
    ('LookupRowsCS("Scores","Shoe","x")', "Invalid filter"),
    ('LookupOrderedRows("Scores",1,"Points SIDEWAYS","Team","red")',
     "Invalid order 'Points SIDEWAYS'.*ASC or DESC.*accepted"),
    ('LookupOrderedRows("Scores",1,"Shoe ASC","Team","red")', "Invalid field name Shoe"),
    ('LookupOrderedRows("Scores",1,"Points ASC DESC","Team","red")', "is not an order"),
    ('LookupOrderedRows("Scores",1,"Points,","Team","red")', "is not an order"),
    ('LookupOrderedRows("Scores",1,"","Team","red")', "Parameter Name: OrderBy"),
    ('LookupOrderedRows("Scores",1,true,"Team","red")', "Parameter Name: OrderBy"),
    ('LookupOrderedRows("Scores",1.5,"Id","Team","red")', "Parameter Name: ReturnCount"),
    ('LookupOrderedRows("Scores","many","Id","Team","red")', "Parameter Name: ReturnCount"),
])
def test_lookup_errors(ctx: AmpscriptContext, expression: str, message: str) -> None:
    with pytest.raises(AmpscriptError, match=message):
        ev(ctx, expression)


@pytest.mark.parametrize(("expression", "expected"), [
    # SF Labs vector: one column, read by ordinal 1
    ('RowCount(BuildRowsetFromString("ONE|TWO|THREE|FOUR","|"))', "4"),
    ('Field(Row(BuildRowsetFromString("ONE|TWO|THREE|FOUR","|"),3),1)', "THREE"),
    ('Field(Row(BuildRowsetFromString("a, b","," ),2),"value")', " b"),
    ('Field(Row(BuildRowsetFromString("a::b::c","::"),2),1)', "b"),
    ('RowCount(BuildRowsetFromString("a,,b",","))', "3"),
    ('RowCount(BuildRowsetFromString("",","))', "1"),
    ('RowCount(BuildRowsetFromString("abc",""))', "1"),
    ('Field(Row(BuildRowsetFromString(12345,3),2),1)', "45"),
])
def test_rowsets_from_text(ctx: AmpscriptContext, expression: str, expected: str) -> None:
    assert ev(ctx, expression) == expected


@pytest.mark.parametrize(("expression", "expected"), [
    # the documentation's example, with RT's reading of 100.0
    ('RowCount(BuildRowsetFromJSON(@flights,"$.Flights[*]",1))', "3"),
    ('Field(Row(BuildRowsetFromJSON(@flights,"$.Flights[*]",1),1),"Origin")', "IND"),
    ('Field(Row(BuildRowsetFromJSON(@flights,"$.Flights[*]",1),1),"dest")', "NYC"),
    ('Field(Row(BuildRowsetFromJSON(@flights,"$.Flights[*]",1),1),"Price")', "100"),
    ('Field(Row(BuildRowsetFromJSON(@flights,"$.Flights[*]",1),1),3)', "100"),
    ('Field(Row(BuildRowsetFromJSON(@flights,"$.Flights[*]",0),3),"PerBagSurcharge")', "25"),
    ('Field(Row(BuildRowsetFromJSON(@flights,"$.Flights[*]",0),1),"PerBagSurcharge",0)', ""),
    ('Field(Row(BuildRowsetFromJSON(@flights,"$.Flights[*]",0),2),"Legs")', ""),
    ('Field(Row(BuildRowsetFromJSON(@flights,"$.Flights[*]",0),2),"Crew")', ""),
    ('Field(Row(BuildRowsetFromJSON(@flights,"$.Flights[*].Dest",0),2),"Value")', "LAX"),
    ('Field(Row(BuildRowsetFromJSON(@flights,"$..Dest",0),3),1)', "SEA"),
    ('Field(Row(BuildRowsetFromJSON(@flights,"$.Flights[-1]",0),1),"Dest")', "SEA"),
    ('RowCount(BuildRowsetFromJSON(@flights,"$.Flights[0:2]",0))', "2"),
    ('Field(Row(BuildRowsetFromJSON(@flights,"$[\'Flights\'][1]",0),1),"Dest")', "LAX"),
    ('Field(Row(BuildRowsetFromJSON(@flights,"$.Flights[1].Legs[*]",0),2),1)', "2"),
    ('RowCount(BuildRowsetFromJSON(@flights,"$.Nothing[*]",0))', "0"),
    ('RowCount(BuildRowsetFromJSON(@flights,"$.Flights[9]",0))', "0"),
    ('RowCount(BuildRowsetFromJSON("[1,true,null]","$[*]",0))', "3"),
    ('Field(Row(BuildRowsetFromJSON("[1,true,null]","$[*]",0),2),1)', "True"),
    ('Field(Row(BuildRowsetFromJSON("[1,true,null]","$[*]",0),3),1)', ""),
    # true third argument: bad JSON or a bad path give an empty rowset (RT)
    ('RowCount(BuildRowsetFromJSON("{not json","$[*]",1))', "0"),
    ('RowCount(BuildRowsetFromJSON(@flights,"$.Flights[?(@.Price>1)]",true))', "0"),
    ('RowCount(BuildRowsetFromJSON(@flights,"Flights",1))', "0"),
])
def test_rowsets_from_json(ctx: AmpscriptContext, expression: str, expected: str) -> None:
    assert ev(ctx, expression) == expected


@pytest.mark.parametrize(("expression", "message"), [
    ('BuildRowsetFromJSON("{not json","$[*]",0)', "The JSON data could not be read"),
    ('BuildRowsetFromJSON("","$[*]",0)', "The JSON data could not be read"),
    ('BuildRowsetFromJSON(@flights,"$.Flights[?(@.Price>1)]",0)',
     "Invalid JSONPath.*filter expressions are not supported.*accepted"),
    ('BuildRowsetFromJSON(@flights,"Flights[*]",0)', "a path starts with \\$"),
    ('BuildRowsetFromJSON(@flights,"$.Flights[",0)', "is not closed"),
    ('BuildRowsetFromJSON(@flights,"$.Flights[x]",0)', "no index, slice, name or"),
    ('BuildRowsetFromJSON(@flights,"$.",0)', "a name expected"),
    ('BuildRowsetFromJSON(@flights,"$ Flights",0)', "unexpected"),
    ('Field(Row(BuildRowsetFromString("ONE|TWO","|"),1),2)', "Parameter Name: Name"),
    ('Row(BuildRowsetFromString("ONE|TWO","|"),3)', "Parameter Name: Index"),
])
def test_rowset_building_errors(ctx: AmpscriptContext, expression: str, message: str) -> None:
    with pytest.raises(AmpscriptError, match=message):
        ev(ctx, expression)


def test_huge_and_deep_input_is_bounded() -> None:
    ctx = AmpscriptContext(Variables())
    ctx.variables.set("flights", FLIGHTS)
    ctx.variables.set("huge", ("x" * 49 + ",") * 100_000)  # 5 MB in 100,000 parts
    assert ev(ctx, 'RowCount(BuildRowsetFromString(@huge,","))') == "100001"
    ctx.variables.set("deep", "[" * 200_000 + "]" * 200_000)
    with pytest.raises(AmpscriptError, match="nested too deep"):
        ev(ctx, 'BuildRowsetFromJSON(@deep,"$[*]",0)')
    assert ev(ctx, 'RowCount(BuildRowsetFromJSON(@deep,"$[*]",1))') == "0"
    ctx.variables.set("long", "$" + ".a" * 5000)
    with pytest.raises(AmpscriptError, match="longer than 1000"):
        ev(ctx, 'BuildRowsetFromJSON(@flights,@long,0)')
    ctx.variables.set("big", json.dumps([{"n": i} for i in range(20_000)]))
    assert ev(ctx, 'RowCount(BuildRowsetFromJSON(@big,"$..n",0))') == "20000"
