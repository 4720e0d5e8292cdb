"""Automations surfaced: GET /_emulator/automations, the dashboard page, export, InvokePerform."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.app import create_app
from emulator.cli import main
from emulator.runtime import get_emulator
from emulator.script.errors import AmpscriptError, FeatureNotEmulated
from emulator.store.store import Store

AUTOMATIONS = [
    {"CustomerKey": "nightly", "Name": "Nightly import", "Status": "Scheduled",
     "RunSeconds": 300,
     "Queries": [{"CustomerKey": "dedupe", "Name": "Dedupe", "QueryText": "SELECT 1",
                  "Target": "Contacts"}]},
    {"CustomerKey": "quick", "Description": "<b>bold</b>"},
    {"CustomerKey": "held", "Status": "Paused"},
]
FROZEN = "2024-03-01T12:00:00+00:00"
#: Our own page: InvokePerform on the object the query string names.
PERFORM_PAGE = """%%[
SET @o = CreateObject(RequestParameter("type"))
SetObjectProperty(@o, "CustomerKey", RequestParameter("key"))
SET @r = InvokePerform(@o, RequestParameter("action"), @msg)
]%%%%=v(@r)=%%|%%=v(@msg)=%%"""
#: Our own page: InvokePerform without the out-variable (two arguments are a whole call).
TWO_ARGS_PAGE = """%%[
SET @o = CreateObject("QueryDefinition")
SetObjectProperty(@o, "CustomerKey", "dedupe")
]%%%%=InvokePerform(@o, "start")=%%"""


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    fixtures, pages = tmp_path / "fx", tmp_path / "pages"
    (fixtures / "data_extensions").mkdir(parents=True)
    (fixtures / "automations.json").write_text(json.dumps(AUTOMATIONS), encoding="utf-8")
    pages.mkdir()
    (pages / "perform.html").write_text(PERFORM_PAGE, encoding="utf-8")
    (pages / "two.html").write_text(TWO_ARGS_PAGE, encoding="utf-8")
    application = create_app({"TESTING": True, "pages": str(pages),
                              "fixtures": (str(fixtures),), "no_default_fixtures": True,
                              "frozen_time": FROZEN, "db": str(tmp_path / "mcemu.json")})
    yield application
    get_emulator(application).close()


def invoke(app: Flask, key: str, action: str = "start", kind: str = "Automation") -> str:
    response = app.test_client().get("/perform", query_string={"type": kind, "key": key,
                                                               "action": action})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def listed(app: Flask, **args: Any) -> dict[str, Any]:
    response = app.test_client().get("/_emulator/automations", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# --- InvokePerform -----------------------------------------------------------------------------

def test_invoke_perform_starts_an_automation_at_the_emulator_clock(app: Flask) -> None:
    assert invoke(app, "nightly", "Start") == "OK|Performed Activity"
    [run] = get_emulator(app).store.records("_automation_runs")
    assert (run["ObjectType"], run["CustomerKey"], run["StartTime"]) == (
        "Automation", "nightly", FROZEN)
    assert invoke(app, "nightly") == ("Error|The automation 'nightly' is Running: only a "
                                      "Ready or Scheduled automation starts.")


def test_invoke_perform_on_a_query_definition_records_a_run(app: Flask) -> None:
    assert invoke(app, "dedupe", kind="QueryDefinition") == (
        "OK|QueryDefinition perform called successfully")
    assert app.test_client().get("/two").get_data(as_text=True) == "OK"
    runs = get_emulator(app).store.records("_automation_runs")
    assert [(r["ObjectType"], r["StartTime"]) for r in runs] == [("QueryDefinition", FROZEN)] * 2


@pytest.mark.parametrize(("key", "action", "kind", "message"), [
    ("quick", "explode", "Automation",
     "explode is not an action that can be Performed on a Automation."),
    ("dedupe", "notarealaction", "QueryDefinition",
     "notarealaction is not an action that can be Performed on a InteractionDefinition."),
    ("missing", "start", "Automation", "The Automation 'missing' does not exist."),
    ("held", "start", "Automation",
     "The automation 'held' is Paused: only a Ready or Scheduled automation starts."),
])
def test_invoke_perform_that_cannot_happen_answers_error_and_records_nothing(
        app: Flask, key: str, action: str, kind: str, message: str) -> None:
    assert invoke(app, key, action, kind) == f"Error|{message}"
    assert get_emulator(app).store.records("_automation_runs") == []


@pytest.mark.parametrize(("call", "expected"), [
    ('InvokePerform(@o, "start", @m, @n)', "InvokePerform: 4 given, 2 to 3 expected"),
    ("InvokePerform(@o)", "InvokePerform: 1 given, 2 to 3 expected"),
    ('InvokePerform(@o, "", @m)', "actionToPerform"),
    ('InvokePerform(@o, 5, @m)', "actionToPerform"),
    ('InvokePerform("text", "start", @m)', "apiObject"),
    ('InvokePerform(@o, "start", "not a variable")', "statusMessage"),
])
def test_invoke_perform_refuses_bad_arguments_naming_them(call: str, expected: str) -> None:
    store = Store.open(None)
    try:
        ctx = AmpscriptContext(Variables(), store=store)
        with pytest.raises(AmpscriptError) as raised:
            render('%%[ SET @o = CreateObject("Automation") '
                   'SetObjectProperty(@o, "CustomerKey", "quick") ]%%' f"%%={call}=%%", ctx)
        assert expected in raised.value.message
        assert store.records("_automation_runs") == []
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["Subscriber", "DataExtension", "TriggeredSend"])
def test_invoke_perform_on_other_types_is_not_emulated(kind: str) -> None:
    store = Store.open(None)
    try:
        with pytest.raises(FeatureNotEmulated) as raised:
            render(f'%%[ SET @o = CreateObject("{kind}") ]%%'
                   '%%=InvokePerform(@o, "start", @m)=%%',
                   AmpscriptContext(Variables(), store=store))
        assert raised.value.message.startswith(f"Perform on {kind} is not emulated")
    finally:
        store.close()


def _pages(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir(exist_ok=True)
    (folder / "p.html").write_text(text, encoding="utf-8")
    return folder


# --- GET /_emulator/automations ----------------------------------------------------------------

def test_the_admin_view_lists_automations_with_status_queries_and_runs(app: Flask) -> None:
    before = listed(app)
    assert [a["CustomerKey"] for a in before["automations"]] == ["nightly", "quick", "held"]
    assert before["automations"][0]["currentStatus"] == "Scheduled"
    assert before["automations"][0]["runs"] == []
    invoke(app, "nightly")
    invoke(app, "dedupe", kind="QueryDefinition")
    nightly = listed(app, key="nightly")
    assert nightly["total"] == 1
    [view] = nightly["automations"]
    assert (view["Status"], view["currentStatus"]) == ("Scheduled", "Running")
    assert [(r["RunID"], r["StartTime"], r["Status"]) for r in view["runs"]] == [
        (1, FROZEN, "Running")]
    [query] = view["Queries"]
    assert (query["CustomerKey"], query["QueryText"]) == ("dedupe", "SELECT 1")
    assert [(r["RunID"], r["Status"]) for r in query["runs"]] == [(2, "Complete")]
    get_emulator(app).clock.advance(300)
    [view] = listed(app, key="nightly")["automations"]
    assert (view["currentStatus"], view["runs"][0]["Status"]) == ("Scheduled", "Complete")
    assert listed(app, key="nope") == {"total": 0, "offset": 0, "limit": 100,
                                       "automations": [], "next": None}


def test_the_admin_view_pages(app: Flask) -> None:
    first = listed(app, limit=2)
    assert (first["total"], [a["CustomerKey"] for a in first["automations"]]) == (
        3, ["nightly", "quick"])
    following = app.test_client().get(first["next"]).get_json()
    assert [a["CustomerKey"] for a in following["automations"]] == ["held"]
    assert following["next"] is None


@pytest.mark.parametrize(("query", "message"), [
    ({"colour": "red"}, "?'colour': not a parameter here; use offset, limit, key"),
    ({"limit": "0"}, "limit"),
    ({"limit": "1001"}, "limit"),
    ({"offset": "-1"}, "offset"),
    ({"offset": "many"}, "offset"),
])
def test_the_admin_view_refuses_bad_parameters(app: Flask, query: dict[str, str],
                                               message: str) -> None:
    response = app.test_client().get("/_emulator/automations", query_string=query)
    assert response.status_code == 400
    assert message in response.get_json()["message"]


def test_the_admin_view_is_in_the_openapi_document(app: Flask) -> None:
    document = app.test_client().get("/_emulator/openapi.json").get_json()
    operation = document["paths"]["/_emulator/automations"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"offset", "limit", "key"}
    assert "post" not in document["paths"]["/_emulator/automations"]  # read-only


def test_the_dashboard_page_shows_automations_and_runs_as_text(app: Flask) -> None:
    invoke(app, "nightly")
    page = app.test_client().get("/_emulator/ui/automations")
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text
    assert "<code>nightly</code>" in text and "Running" in text and f"#1 {FROZEN}" in text
    assert "<b>bold</b>" not in text  # a description is never markup
    assert 'aria-current="page">Automations</a>' in text


def test_the_dashboard_page_says_how_to_get_automations_when_there_are_none(
        tmp_path: Path) -> None:
    application = create_app({"TESTING": True, "pages": str(_pages(tmp_path, "x")),
                              "no_default_fixtures": True})
    try:
        text = application.test_client().get("/_emulator/ui/automations").get_data(as_text=True)
        assert "automations.json" in text and 'id="automations"' not in text
    finally:
        get_emulator(application).close()


# --- mcemu export ------------------------------------------------------------------------------

def test_export_writes_automations_without_runs_and_seeds_back_the_same(
        app: Flask, tmp_path: Path) -> None:
    invoke(app, "nightly")
    get_emulator(app).close()
    db, out, out2 = tmp_path / "mcemu.json", tmp_path / "export", tmp_path / "export2"
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Exported {out / 'automations.json'}" in result.output
    exported = json.loads((out / "automations.json").read_text(encoding="utf-8"))
    assert exported[0] == {"CustomerKey": "nightly", "Name": "Nightly import",
                           "Description": "", "Status": "Scheduled", "RunSeconds": 300,
                           "Queries": [{"CustomerKey": "dedupe", "Name": "Dedupe",
                                        "Description": "", "QueryText": "SELECT 1",
                                        "Target": "Contacts", "TargetUpdateType": "Overwrite"}]}
    assert [e["CustomerKey"] for e in exported] == ["nightly", "quick", "held"]
    again = tmp_path / "again.json"
    seeded = create_app({"TESTING": True, "no_default_fixtures": True, "fixtures": (str(out),),
                         "db": str(again)})
    assert get_emulator(seeded).store.records("_automation_runs") == []
    get_emulator(seeded).close()
    assert CliRunner().invoke(main, ["export", "--db", str(again), "--out", str(out2)]
                              ).exit_code == 0
    assert (out2 / "automations.json").read_bytes() == (out / "automations.json").read_bytes()


def test_export_writes_no_automations_file_when_there_are_none(tmp_path: Path) -> None:
    db, out = tmp_path / "mcemu.json", tmp_path / "export"
    application = create_app({"TESTING": True, "no_default_fixtures": True, "db": str(db)})
    get_emulator(application).close()
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (out / "automations.json").exists()
