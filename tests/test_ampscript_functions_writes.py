"""AMPscript InsertData, UpdateData, UpsertData, DeleteData and the ...DE forms on a real store,
journaled as rows written (docs/fidelity.md#ampscript-de-writes, #de-forms-on-pages)."""

from __future__ import annotations

import pytest

from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.clock import Clock
from emulator.platform.context import PageContext
from emulator.platform.globals import PageGlobals
from emulator.platform.request import RequestSnapshot
from emulator.script.errors import AmpscriptError, PlatformError
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

SIGNUPS = {"key": "signups_key", "name": "Signups", "fields": [
    {"name": "Email", "type": "EmailAddress", "primaryKey": True},
    {"name": "Name", "type": "Text", "length": 20},
    {"name": "Visits", "type": "Number"},
    {"name": "Joined", "type": "Date"},
    {"name": "Opted", "type": "Boolean"},
]}
ROWS = [
    {"Email": "ann@example.com", "Name": "Ann", "Visits": "1"},
    {"Email": "ben@example.com", "Name": "Ben", "Visits": "5"},
]


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path) -> Store:
    opened = Store.open(None if request.param == "memory" else str(tmp_path / "db.json"))
    opened.create(DataExtensionSchema.from_json(SIGNUPS, "test"), ROWS)
    yield opened
    opened.close()


@pytest.fixture
def written() -> list[tuple[str, list[dict]]]:
    return []


@pytest.fixture
def ctx(store: Store, written: list) -> AmpscriptContext:
    return AmpscriptContext(Variables(), store=store,
                            record_rows=lambda key, rows: written.append((key, rows)))


def ev(ctx: AmpscriptContext, expression: str) -> str:
    return render(f"%%={expression}=%%", ctx)


def by_email(store: Store) -> dict[str, dict]:
    return {row["Email"]: row for row in store.rows("signups_key")}


def test_insert_data_adds_one_row_typed_by_the_store(store: Store, ctx: AmpscriptContext,
                                                     written: list) -> None:
    out = ev(ctx, 'InsertData("Signups","Email","cy@example.com","Name","Cy","Visits",3,'
                  '"Joined",DateParse("2026-03-04 09:05"),"Opted",true)')
    assert out == "1"
    row = by_email(store)["cy@example.com"]
    assert row["Name"] == "Cy" and row["Visits"] == 3 and row["Opted"] is True
    assert ev(ctx, 'Lookup("Signups","Joined","Email","cy@example.com")') == "3/4/2026 9:05:00 AM"
    assert written == [("signups_key", [row])]


def test_update_data_sets_columns_on_the_matching_rows(store: Store, ctx: AmpscriptContext,
                                                       written: list) -> None:
    assert ev(ctx, 'UpdateData("Signups",1,"Email","BEN@example.com","Visits",6,"Name","B")') \
        == "1"
    assert by_email(store)["ben@example.com"]["Visits"] == 6
    assert by_email(store)["ben@example.com"]["Name"] == "B"
    assert ev(ctx, 'UpdateData("Signups",1,"Email","nobody@example.com","Visits",1)') == "0"
    assert ev(ctx, 'UpdateData("Signups",2,"Name","Ann","Visits",1,"Visits",9)') == "1"
    assert by_email(store)["ann@example.com"]["Visits"] == 9
    assert [key for key, _ in written] == ["signups_key"] * 2  # nothing recorded for no match


def test_upsert_data_updates_or_adds(store: Store, ctx: AmpscriptContext, written: list) -> None:
    assert ev(ctx, 'UpsertData("Signups",1,"Email","ann@example.com","Visits",2)') == "1"
    assert by_email(store)["ann@example.com"]["Visits"] == 2
    assert ev(ctx, 'UpsertData("Signups",1,"Email","dee@example.com","Name","Dee")') == "1"
    assert by_email(store)["dee@example.com"]["Name"] == "Dee"
    assert len(store.rows("signups_key")) == 3
    assert written[-1][1][0]["Email"] == "dee@example.com"


def test_delete_data_removes_every_match(store: Store, ctx: AmpscriptContext) -> None:
    assert ev(ctx, 'DeleteData("Signups","Name","ann")') == "1"
    assert ev(ctx, 'DeleteData("Signups","Name","ann")') == "0"
    assert list(by_email(store)) == ["ben@example.com"]


def test_the_de_forms_write_and_print_nothing(store: Store, ctx: AmpscriptContext) -> None:
    page = ('%%[ InsertDE("Signups","Email","eve@example.com","Visits",1) '
            'UpdateDE("Signups",1,"Email","eve@example.com","Visits",4) '
            'UpsertDE("Signups",1,"Email","fay@example.com","Name","Fay") '
            'DeleteDE("Signups","Email","ann@example.com") ]%%'
            '[%%=InsertDE("Signups","Email","gus@example.com")=%%]')
    assert render(page, ctx) == "[]"
    rows = by_email(store)
    assert rows["eve@example.com"]["Visits"] == 4 and rows["fay@example.com"]["Name"] == "Fay"
    assert "ann@example.com" not in rows and "gus@example.com" in rows


@pytest.mark.parametrize(("expression", "message"), [
    ('InsertData("Signups","Email","ann@example.com")', "duplicate|already"),
    ('InsertData("Signups","Shoe","x","Email","z@example.com")', "Shoe"),
    ('InsertData("Signups","Email","not an email")', "Email"),
    ('InsertData("Signups","Email","z@example.com","Visits","many")', "Visits"),
    ('InsertData("Signups","Email","z@example.com","Name","' + "n" * 21 + '")', "Name"),
    ('InsertData("signups_key","Email","z@example.com")', "of this name does not exist"),
    ('InsertDE("Nope","Email","z@example.com")', "of this name does not exist"),
    ('UpdateData("Nope",1,"Email","x","Name","y")', "of this name does not exist"),
    ('UpdateData("Signups",0,"Email","x","Name","y")', "search pair count 0.*1 to one less"),
    ('UpdateData("Signups",2,"Email","x","Name","y")', "search pair count 2"),
    ('UpsertData("Signups","one","Email","x","Name","y")', "Parameter Name: SearchCount"),
    ('UpsertDE("Signups",1.5,"Email","x","Name","y")', "Parameter Name: SearchCount"),
    ('UpdateData("Signups",1,"Shoe","x","Name","y")', "Invalid filter"),
    ('UpsertData("Signups",1,"Email","new@example.com","Visits","many")', "Visits"),
    ('DeleteData("Signups","Shoe","x")', "Invalid filter"),
    ('DeleteDE("Nope","Email","x")', "of this name does not exist"),
])
def test_bad_writes_abort_and_change_nothing(store: Store, ctx: AmpscriptContext,
                                             expression: str, message: str) -> None:
    before = store.rows("signups_key")
    with pytest.raises(AmpscriptError, match=message):
        ev(ctx, expression)
    assert store.rows("signups_key") == before


def test_writes_without_a_store_find_no_data_extension() -> None:
    with pytest.raises(AmpscriptError, match="of this name does not exist"):
        ev(AmpscriptContext(Variables()), 'InsertData("Signups","Email","x@example.com")')


def test_a_huge_value_is_refused_by_the_field_length(store: Store, ctx: AmpscriptContext) -> None:
    ctx.variables.set("huge", "x" * 5_000_000)
    with pytest.raises(AmpscriptError, match="Name"):
        ev(ctx, 'InsertData("Signups","Email","h@example.com","Name",@huge)')
    assert "h@example.com" not in by_email(store)


def test_a_page_journals_the_rows_its_ampscript_writes(store: Store) -> None:
    context = PageContext(request=RequestSnapshot.build("POST", "https://x.example/p"),
                          store=store, clock=Clock(), content_type="text/html")
    page = PageGlobals(context)
    page.Platform.Function.TreatAsContent(
        '%%[ InsertData("Signups","Email","jo@example.com","Name","Jo") '
        'UpsertData("Signups",1,"Email","ann@example.com","Visits",7) '
        'DeleteData("Signups","Email","ben@example.com") ]%%')
    assert [(entry["dataExtension"], entry["row"]["Email"]) for entry in context.rows_written] \
        == [("signups_key", "jo@example.com"), ("signups_key", "ann@example.com")]
    assert context.rows_written[1]["row"]["Visits"] == 7
    with pytest.raises(PlatformError, match="of this name does not exist"):
        page.Platform.Function.TreatAsContent('%%[ InsertData("Nope","Email","x") ]%%')
    assert len(context.rows_written) == 2
