"""Folders as data: folders.json, the default tree, DataFolder retrieve and create, CategoryID."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import pages_app
from flask import Flask

from emulator.app import create_app
from emulator.errors import FixtureError
from emulator.folders.files import load_folder_dirs
from emulator.objects.catalog import ObjectSession
from emulator.reset import reset
from emulator.runtime import get_emulator
from emulator.schemas import FOLDERS_SCHEMA, schema

ORDERS_DE = {"key": "Orders", "fields": [{"name": "Id", "type": "Text", "primaryKey": True}]}
NOTES_DE = {"key": "Notes", "fields": [{"name": "Id", "type": "Text", "primaryKey": True}]}
FOLDERS = [
    {"ID": 2001, "Name": "Campaigns", "CustomerKey": "campaigns", "DataExtensions": ["Orders"]},
    {"ID": 2002, "Name": "Spring", "ParentID": 2001},
    {"ID": 3001, "Name": "Queries", "ParentID": 0, "ContentType": "queryactivity"},
]
FOLDER_PAGE = """<script runat="server">
var proxy = new Script.Util.WSProxy();
var found = proxy.retrieve("DataFolder", ["ID", "Name", "ContentType", "ParentFolder.ID"],
  {Property: "ParentFolder.ID", SimpleOperator: "equals", Value: 2001});
var made = proxy.createItem("DataFolder", {Name: "Summer", CustomerKey: "summer",
  ParentFolder: {ID: 2001}});
Platform.Response.Write(Platform.Function.Stringify(found.Results) + "|" + made.Status + " "
  + made.Results[0].Object.ID);
</script>"""


def write_fixtures(folder: Path, folders: Any = FOLDERS) -> Path:
    (folder / "data_extensions").mkdir(parents=True, exist_ok=True)
    for de in (ORDERS_DE, NOTES_DE):
        (folder / "data_extensions" / f"{de['key']}.json").write_text(json.dumps(de))
    (folder / "folders.json").write_text(json.dumps(folders, indent=1), encoding="utf-8")
    return folder


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    with pages_app(tmp_path / "pages", {"folders.html": FOLDER_PAGE}, ssjs_timeout=20,
                   fixtures=(str(write_fixtures(tmp_path / "fx")),),
                   no_default_fixtures=True) as application:
        yield application


def session_of(app: Flask) -> ObjectSession:
    return ObjectSession(get_emulator(app).store)


def folder_names(app: Flask) -> dict[int, str]:
    answer = session_of(app).retrieve("DataFolder", ["ID", "Name"])
    return {row["ID"]: row["Name"] for row in answer["Results"]}


def test_the_default_tree_keeps_its_ids_and_fixture_folders_join_it(app: Flask) -> None:
    assert folder_names(app) == {1001: "Data Extensions", 1002: "Shared Items",
                                 1003: "Shared Data Extensions", 2001: "Campaigns",
                                 2002: "Spring", 3001: "Queries"}
    spring = session_of(app).retrieve(
        "DataFolder", ["ContentType", "ParentFolder.ID", "ParentFolder.Name", "IsEditable"],
        {"Property": "Name", "SimpleOperator": "equals", "Value": "Spring"})["Results"]
    # A folder without ContentType takes its parent's.
    assert spring == [{"ContentType": "dataextension", "IsEditable": True,
                       "ParentFolder": {"ID": 2001, "Name": "Campaigns"}}]


def test_without_folders_json_the_tree_is_the_default_one(tmp_path: Path) -> None:
    application = create_app({"TESTING": True, "no_default_fixtures": True})
    try:
        assert sorted(folder_names(application)) == [1001, 1002, 1003]
    finally:
        get_emulator(application).close()


def test_a_data_extension_sits_in_the_folder_that_names_it(app: Flask) -> None:
    answer = session_of(app).retrieve("DataExtension", ["CustomerKey", "CategoryID"])
    assert sorted((r["CustomerKey"], r["CategoryID"]) for r in answer["Results"]) == [
        ("Notes", 1001), ("Orders", 2001)]


def test_a_page_retrieves_and_creates_folders(app: Flask) -> None:
    response = app.test_client().get("/folders")
    assert response.status_code == 200, response.get_data(as_text=True)
    found, _, made = response.get_data(as_text=True).partition("|")
    assert json.loads(found) == [{"ID": 2002, "Name": "Spring", "ContentType": "dataextension",
                                  "ParentFolder": {"ID": 2001}}]
    assert made == "OK 3002"  # one more than the largest ID
    summer = session_of(app).retrieve("DataFolder", ["CustomerKey", "ParentFolder.ID"],
                                      {"Property": "ID", "SimpleOperator": "equals",
                                       "Value": 3002})["Results"]
    assert summer == [{"CustomerKey": "summer", "ParentFolder": {"ID": 2001}}]


@pytest.mark.parametrize(("item", "expected"), [
    ({"Name": "X", "ParentFolder": {"ID": 9}}, "ParentFolder.ID 9 is no folder's ID"),
    ({"Name": "X"}, "ParentFolder.ID None is no folder's ID"),
    ({"Name": "Spring", "ParentFolder": {"ID": 2001}}, "named 'Spring' exists already"),
    ({"Name": "X", "CustomerKey": "campaigns", "ParentFolder": {"ID": 2001}},
     "CustomerKey 'campaigns' exists already"),
    ({"Name": " ", "ParentFolder": {"ID": 2001}}, "Name is missing or empty"),
    ({"Name": 5, "ParentFolder": {"ID": 2001}}, "Name is text, not a number"),
])
def test_a_bad_folder_create_fails_the_item(app: Flask, item: dict[str, Any],
                                            expected: str) -> None:
    answer = session_of(app).create("DataFolder", [item])
    assert answer["Status"] == "Error"
    assert expected in answer["Results"][0]["StatusMessage"]
    assert len(folder_names(app)) == 6  # nothing added


def test_a_folder_that_allows_no_children_refuses_one(tmp_path: Path) -> None:
    folders = [{"ID": 2001, "Name": "Leaf", "AllowChildren": False}]
    application = create_app({"TESTING": True, "no_default_fixtures": True,
                              "fixtures": (str(write_fixtures(tmp_path, folders)),)})
    try:
        answer = session_of(application).create("DataFolder",
                                                [{"Name": "X", "ParentFolder": {"ID": 2001}}])
        assert answer["Results"][0]["StatusMessage"] == \
            "The folder 'Leaf' allows no child folders."
    finally:
        get_emulator(application).close()


def test_a_malformed_parent_throws(app: Flask) -> None:
    client = app.test_client()
    page = Path(get_emulator(app).settings.pages) / "bad.html"
    page.write_text('<script runat="server">new Script.Util.WSProxy().createItem("DataFolder",'
                    ' {Name: "X", ParentFolder: 2001});</script>', encoding="utf-8")
    response = client.get("/bad")
    assert response.status_code == 500


def test_created_folders_roll_back_and_reset(app: Flask) -> None:
    emulator = get_emulator(app)
    emulator.checkpoint()
    session_of(app).create("DataFolder", [{"Name": "Tmp", "ParentFolder": {"ID": 1001}}])
    assert "Tmp" in folder_names(app).values()
    emulator.rollback()
    assert "Tmp" not in folder_names(app).values()
    session_of(app).create("DataFolder", [{"Name": "Tmp", "ParentFolder": {"ID": 1001}}])
    reset(emulator, "empty")  # folders are kept, as DE schemas are
    assert "Tmp" in folder_names(app).values()
    reset(emulator, "fixtures")
    assert "Tmp" not in folder_names(app).values() and 2002 in folder_names(app)


def test_the_db_file_keeps_folders_and_an_older_file_gets_the_fixtures(tmp_path: Path) -> None:
    fixtures, db = write_fixtures(tmp_path / "fx"), tmp_path / "state.json"
    config = {"TESTING": True, "no_default_fixtures": True, "fixtures": (str(fixtures),),
              "db": str(db)}
    first = create_app(config)
    session_of(first).create("DataFolder", [{"Name": "Kept", "ParentFolder": {"ID": 1001}}])
    get_emulator(first).close()
    second = create_app(config)
    try:
        assert "Kept" in folder_names(second).values()
        reset(get_emulator(second), "start")  # start = what the file held when it opened
        assert "Kept" in folder_names(second).values()
    finally:
        get_emulator(second).close()


def problems_of(tmp_path: Path, folders: Any) -> str:
    with pytest.raises(FixtureError) as raised:
        load_folder_dirs([write_fixtures(tmp_path, folders)], include_default=False,
                         data_extensions={"Orders", "Notes"})
    return str(raised.value)


@pytest.mark.parametrize(("folders", "expected"), [
    ({"ID": 1}, "folders.json holds a JSON list of folder objects, not an object"),
    ([{"Name": "A"}], "ID is a whole number from 1 to 2147483647, not missing"),
    ([{"ID": 0, "Name": "A"}], "ID is a whole number from 1 to 2147483647, not 0"),
    ([{"ID": 5, "Name": "A", "ParentID": -1}], "ParentID is a whole number from 0"),
    ([{"ID": 5}], "Name is missing or empty"),
    ([{"ID": 5, "Name": "A", "Colour": "red"}], "a folder has no 'Colour'"),
    ([{"ID": 5, "Name": "A", "AllowChildren": "yes"}], "AllowChildren is true or false"),
    ([{"ID": 5, "Name": "A", "DataExtensions": "Orders"}], "DataExtensions is a list"),
    ([{"ID": 5, "Name": "A", "DataExtensions": ["Nope"]}], "Data Extension 'Nope' is in no"),
    ([{"ID": 5, "Name": "A", "DataExtensions": ["Orders"]},
      {"ID": 6, "Name": "B", "DataExtensions": ["Orders"]}], "'Orders' is in two folders"),
    ([{"ID": 1001, "Name": "A"}], "folder ID 1001 is used twice: also in the default tree"),
    ([{"ID": 5, "Name": "A", "CustomerKey": "k"}, {"ID": 6, "Name": "B", "CustomerKey": "k"}],
     "CustomerKey 'k' is used twice"),
    ([{"ID": 5, "Name": "A", "ParentID": 77}], "ParentID 77 is no folder's ID"),
    ([{"ID": 5, "Name": "A", "ParentID": 0}], "a root folder (ParentID 0) needs a ContentType"),
    ([{"ID": 5, "Name": "A", "ParentID": 6}, {"ID": 6, "Name": "B", "ParentID": 5}],
     "its parents make a loop"),
    ([{"ID": 5, "Name": "A", "AllowChildren": False}, {"ID": 6, "Name": "B", "ParentID": 5}],
     "the parent folder 5 ('A') allows no children"),
])
def test_a_bad_folders_file_names_the_file_the_entry_and_the_problem(
        tmp_path: Path, folders: Any, expected: str) -> None:
    text = problems_of(tmp_path, folders)
    assert expected in text
    assert "folders.json" in text


def test_a_bad_entry_is_located_by_line(tmp_path: Path) -> None:
    text = problems_of(tmp_path, [{"ID": 5, "Name": "A"}, {"ID": "6", "Name": "B"}])
    assert "folder [1]" in text and "line 7" in text


def test_an_app_does_not_start_on_a_bad_folders_file(tmp_path: Path) -> None:
    folder = write_fixtures(tmp_path, [{"ID": 5, "Name": "A", "DataExtensions": ["Gone"]}])
    with pytest.raises(FixtureError, match="'Gone' is in no fixtures directory"):
        create_app({"TESTING": True, "no_default_fixtures": True, "fixtures": (str(folder),)})


def test_the_shipped_json_schema_takes_the_fixture_file() -> None:
    jsonschema.validate(FOLDERS, schema(FOLDERS_SCHEMA))
    for bad in ([{"Name": "A"}], [{"ID": 1, "Name": "A", "ParentID": "2"}],
                [{"ID": 1, "Name": "A", "Colour": "red"}]):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema(FOLDERS_SCHEMA))


def test_export_writes_folders_and_definitions_that_seed_back_the_same(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from emulator.cli import main

    fixtures, db = write_fixtures(tmp_path / "fx"), tmp_path / "mcemu.json"
    (fixtures / "triggered_sends.json").write_text(json.dumps([{"CustomerKey": "welcome"}]))
    first = create_app({"TESTING": True, "no_default_fixtures": True,
                        "fixtures": (str(fixtures),), "db": str(db)})
    session_of(first).create("DataFolder", [{"Name": "Made", "ParentFolder": {"ID": 2001}}])
    get_emulator(first).close()
    out, out2, again = tmp_path / "export", tmp_path / "export2", tmp_path / "again.json"
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    exported = json.loads((out / "folders.json").read_text(encoding="utf-8"))
    assert [f["Name"] for f in exported] == ["Campaigns", "Spring", "Queries", "Made"]
    assert exported[0]["DataExtensions"] == ["Orders"]  # the default tree is not exported
    assert json.loads((out / "triggered_sends.json").read_text())[0]["CustomerKey"] == "welcome"
    seeded = create_app({"TESTING": True, "no_default_fixtures": True, "fixtures": (str(out),),
                         "db": str(again)})
    assert "Made" in folder_names(seeded).values()
    get_emulator(seeded).close()
    CliRunner().invoke(main, ["export", "--db", str(again), "--out", str(out2)])
    for name in ("folders.json", "triggered_sends.json"):
        assert (out2 / name).read_bytes() == (out / name).read_bytes()
