"""Automations and query definitions: automations.json, retrieve, perform start, runs, reset."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask

from emulator.app import create_app
from emulator.automations.records import load_automation_dirs
from emulator.errors import FixtureError
from emulator.reset import reset
from emulator.runtime import get_emulator
from emulator.schemas import AUTOMATIONS_SCHEMA, schema

AUTOMATIONS = [
    {"CustomerKey": "nightly", "Name": "Nightly import", "Status": "Scheduled",
     "RunSeconds": 300,
     "Queries": [{"CustomerKey": "dedupe", "Name": "Dedupe", "QueryText": "SELECT 1",
                  "Target": "Contacts"}]},
    {"CustomerKey": "quick"},
    {"CustomerKey": "held", "Status": "Paused"},
]
FROZEN = "2024-03-01T12:00:00+00:00"
#: Our own admin page: it performs what the query string says and lists the automations.
PERFORM_PAGE = """<script runat="server">
var proxy = new Script.Util.WSProxy();
var q = Platform.Request.GetQueryStringParameter;
var kind = q("type");
var answer = proxy.performItem(kind, {CustomerKey: q("key")}, q("action"));
var r = answer.Results[0];
var out = [answer.Status, r.StatusCode, r.StatusMessage, r.ErrorCode, r.Object.CustomerKey,
           r.Task ? r.Task.StatusMessage + ":" + r.Task.ID : "-"];
var listed = proxy.retrieve("Automation", ["CustomerKey", "Status", "LastRunTime",
                                           "LastRunStatus"],
                            {Property: "Status", SimpleOperator: "equals", Value: "Running"});
Platform.Response.Write(out.join("|") + "\\n" + Platform.Function.Stringify(listed.Results));
</script>"""
#: Our own page trying shapes the API cannot read, or types the emulator does not perform.
BAD_PAGE = """<script runat="server">
var proxy = new Script.Util.WSProxy();
function attempt(label, call) {
  try { Platform.Response.Write(label + ": " + call() + "\\n"); }
  catch (e) { Platform.Response.Write(label + " threw: " + (e.message || e) + "\\n"); }
}
var A = "Automation", one = {CustomerKey: "quick"};
function first(answer) { return answer.Results[0].StatusMessage; }
attempt("arity", function () { return proxy.performItem(A, one); });
attempt("array", function () { return proxy.performItem(A, [one], "start"); });
attempt("object", function () { return proxy.performBatch(A, one, "start"); });
attempt("action", function () { return proxy.performItem(A, one, 7); });
attempt("other type", function () {
  return proxy.performBatch("Subscriber", [{SubscriberKey: "a"}], "start"); });
attempt("unknown type", function () { return first(proxy.performItem("Nope", one, "start")); });
attempt("no key", function () { return first(proxy.performItem(A, {}, "start")); });
attempt("batch", function () {
  var a = proxy.performBatch(A, [one, {ObjectID: "nope"}], "Start");
  return [a.Status, a.Results[0].StatusCode, a.Results[1].StatusCode, a.Results[1].OrdinalID]
    .join(" ");
});
</script>"""


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    fixtures, pages = tmp_path / "fx", tmp_path / "pages"
    (fixtures / "data_extensions").mkdir(parents=True)
    (fixtures / "automations.json").write_text(json.dumps(AUTOMATIONS), encoding="utf-8")
    pages.mkdir()
    (pages / "perform.html").write_text(PERFORM_PAGE, encoding="utf-8")
    (pages / "bad.html").write_text(BAD_PAGE, encoding="utf-8")
    application = create_app({"TESTING": True, "pages": str(pages), "ssjs_timeout": 20,
                              "fixtures": (str(fixtures),), "no_default_fixtures": True,
                              "frozen_time": FROZEN})
    yield application
    get_emulator(application).close()


def perform(app: Flask, key: str, action: str = "start",
            kind: str = "Automation") -> tuple[list[str], list[dict[str, Any]]]:
    response = app.test_client().get("/perform", query_string={"type": kind, "key": key,
                                                               "action": action})
    assert response.status_code == 200, response.get_data(as_text=True)
    first, listed = response.get_data(as_text=True).split("\n", 1)
    return first.split("|"), json.loads(listed)


def test_a_start_records_a_run_and_the_automation_reads_running(app: Flask) -> None:
    result, running = perform(app, "nightly", "Start")
    assert result == ["OK", "OK", "Performed Activity", "0", "nightly", "-"]
    assert running == [{"CustomerKey": "nightly", "Status": "Running", "LastRunTime": FROZEN,
                        "LastRunStatus": "Running"}]
    [run] = get_emulator(app).store.records("_automation_runs")
    assert run["StartTime"] == FROZEN and run["Queries"] == ["dedupe"]
    assert "never executes" in run["Note"]


def test_a_run_ends_when_its_seconds_pass_on_the_emulator_clock(app: Flask) -> None:
    perform(app, "nightly")
    assert perform(app, "nightly")[0][:3] == [
        "Error", "Error", "The automation 'nightly' is Running: only a Ready or Scheduled "
        "automation starts."]
    get_emulator(app).clock.advance(300)
    result, running = perform(app, "quick")  # RunSeconds 0: Running for no time at all
    assert result[:3] == ["OK", "OK", "Performed Activity"]
    assert running == []
    rows = get_emulator(app).store.records("_automation_runs")
    assert [r["CustomerKey"] for r in rows] == ["nightly", "quick"]
    assert perform(app, "nightly")[0][1] == "OK"  # Scheduled again, so it starts again


@pytest.mark.parametrize(("key", "action", "message"), [
    ("held", "start", "The automation 'held' is Paused: only a Ready or Scheduled automation "
                      "starts."),
    ("missing", "start", "The Automation 'missing' does not exist."),
    ("quick", "explode", "explode is not an action that can be Performed on a Automation."),
])
def test_a_start_that_cannot_happen_fails_the_item_and_records_nothing(
        app: Flask, key: str, action: str, message: str) -> None:
    result, _ = perform(app, key, action)
    assert result == ["Error", "Error", message, "2", key, "-"]
    assert get_emulator(app).store.records("_automation_runs") == []


def test_a_query_definition_perform_answers_with_a_task_and_runs_no_sql(app: Flask) -> None:
    result, _ = perform(app, "dedupe", "start", "QueryDefinition")
    assert result == ["OK", "OK", "QueryDefinition perform called successfully", "0", "dedupe",
                      "OK:1"]
    [run] = get_emulator(app).store.records("_automation_runs")
    assert (run["ObjectType"], run["QueryText"], run["Target"]) == ("QueryDefinition",
                                                                    "SELECT 1", "Contacts")
    assert perform(app, "dedupe", "stop", "QueryDefinition")[0][2] == (
        "stop is not an action that can be Performed on a InteractionDefinition.")


def test_retrieve_filters_automations_and_queries(app: Flask) -> None:
    page = """<script runat="server">
var p = new Script.Util.WSProxy();
var a = p.retrieve("Automation", ["Name", "Status", "IsActive", "ObjectID"],
                   {Property: "Status", SimpleOperator: "IN", Value: ["Ready", "Paused"]});
var q = p.retrieve("QueryDefinition", ["CustomerKey", "QueryText",
                   "DataExtensionTarget.CustomerKey", "TargetUpdateType", "LastRunTime"],
                   {Property: "CustomerKey", SimpleOperator: "equals", Value: "dedupe"});
Platform.Response.Write(Platform.Function.Stringify([a.Status, a.Results.length, a.Results[0],
  q.Results]));
</script>"""
    pages = Path(get_emulator(app).settings.pages)
    (pages / "list.html").write_text(page, encoding="utf-8")
    status, count, first, queries = json.loads(app.test_client().get("/list").get_data(True))
    assert (status, count) == ("OK", 2)
    assert first["Name"] == "quick" and first["Status"] == "Ready" and first["IsActive"] is True
    assert len(first["ObjectID"]) == 36
    assert queries == [{"CustomerKey": "dedupe", "QueryText": "SELECT 1",
                        "DataExtensionTarget": {"CustomerKey": "Contacts"},
                        "TargetUpdateType": "Overwrite", "LastRunTime": ""}]


def test_bad_requests_throw_and_other_types_are_not_emulated(app: Flask) -> None:
    lines = app.test_client().get("/bad").get_data(as_text=True).splitlines()
    assert lines == [
        "arity threw: Unable to retrieve security descriptor for this frame.",
        "array threw: Error executing perform call. An item is an object such as "
        "{CustomerKey: \"nightly\"} (an array goes to performBatch).",
        "object threw: Error executing perform call. performBatch takes an array of objects.",
        "action threw: Error executing perform call. the action must be a name such as "
        "\"start\", not 7",
        "other type threw: Script.Util.WSProxy.performBatch of Subscriber is not emulated by "
        "mc-emulator; it performs Automation and QueryDefinition.",
        "unknown type: Error: The object type 'Nope' is not known to the API.",
        "no key: The Automation to perform is named by CustomerKey or ObjectID; the item has "
        "neither.",
        "batch: Error OK Error 1",
    ]
    assert [r["CustomerKey"] for r in get_emulator(app).store.records("_automation_runs")] == [
        "quick"]


def test_rollback_and_reset_drop_the_runs_and_keep_the_automations(app: Flask) -> None:
    emulator = get_emulator(app)
    emulator.store.checkpoint()
    perform(app, "nightly")
    emulator.store.rollback()
    assert emulator.store.records("_automation_runs") == []
    for target in ("empty", "fixtures", "start"):
        perform(app, "quick")
        assert len(emulator.store.records("_automation_runs")) == 1
        reset(emulator, target)
        assert emulator.store.records("_automation_runs") == []
        assert [a["CustomerKey"] for a in emulator.store.records("_automations")] == [
            "nightly", "quick", "held"]


@pytest.mark.parametrize(("entries", "expected"), [
    ({"CustomerKey": "x"}, "holds a JSON list of automation objects, not an object"),
    ([7], "an automation is a JSON object with CustomerKey, not a number"),
    ([{"Name": "x"}], "CustomerKey is missing or empty"),
    ([{"CustomerKey": "x", "Status": "Running"}], "Status 'Running' is not one of Ready, "
                                                  "Scheduled, Paused, Inactive"),
    ([{"CustomerKey": "x", "RunSeconds": -1}], "RunSeconds is a whole number of seconds from 0 "
                                               "to 86400, not -1"),
    ([{"CustomerKey": "x", "RunSeconds": True}], "RunSeconds is a whole number"),
    ([{"CustomerKey": "x", "Colour": 1}], "an automation has no 'Colour'"),
    ([{"CustomerKey": "x", "Queries": {}}], "Queries is a list of query definitions"),
    ([{"CustomerKey": "x", "Queries": [{"CustomerKey": "q", "TargetUpdateType": "Merge"}]}],
     "Queries [0]: TargetUpdateType 'Merge' is not one of Overwrite, Append, Update"),
    ([{"CustomerKey": "x", "Queries": [{"CustomerKey": "q"}, {"CustomerKey": "q"}]}],
     "Queries uses a CustomerKey twice"),
    ([{"CustomerKey": "x"}, {"CustomerKey": "x"}], "CustomerKey used twice: automation 'x'"),
    ([{"CustomerKey": "x", "Queries": [{"CustomerKey": "q"}]},
      {"CustomerKey": "y", "Queries": [{"CustomerKey": "q"}]}],
     "CustomerKey used twice: query definition 'q'"),
    ([{"CustomerKey": "x", "Queries": [{"CustomerKey": "q", "QueryText": 5}]}],
     "Queries [0]: QueryText is text, not a number"),
])
def test_a_bad_automations_file_is_refused_naming_file_and_entry(
        tmp_path: Path, entries: Any, expected: str) -> None:
    (tmp_path / "automations.json").write_text(json.dumps(entries), encoding="utf-8")
    with pytest.raises(FixtureError) as raised:
        load_automation_dirs([tmp_path], include_default=False)
    assert expected in str(raised.value) and "automations.json" in str(raised.value)


def test_the_json_schema_accepts_the_example_and_refuses_what_the_loader_refuses() -> None:
    jsonschema.validate(AUTOMATIONS, schema(AUTOMATIONS_SCHEMA))
    for bad in ([{"CustomerKey": "x", "Status": "Running"}], [{"Name": "x"}],
                [{"CustomerKey": "x", "RunSeconds": 86401}],
                [{"CustomerKey": "x", "Queries": [{"CustomerKey": "q", "Extra": 1}]}]):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema(AUTOMATIONS_SCHEMA))
