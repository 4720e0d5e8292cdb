"""Content blocks: the content/ fixtures folder and the five AMPscript content functions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import module_app, rolled_back_client
from flask import Flask
from flask.testing import FlaskClient

from emulator import assumptions
from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.app import create_app
from emulator.content.blocks import CONTENT_TABLE, load_content_dirs
from emulator.fixtures.problems import FixtureProblems
from emulator.reset import reset
from emulator.runtime import get_emulator
from emulator.script.errors import AmpscriptError
from emulator.store.store import Store

PAGES = Path(__file__).parent / "salesforce_pages"
FIXTURES = PAGES / "fixtures"


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    yield from module_app(FIXTURES, pages=str(PAGES))


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    yield from rolled_back_client(app)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open(None) as opened:
        opened.replace_all([], {CONTENT_TABLE: load_content_dirs([FIXTURES], False)})
        yield opened


def amp(store: Store, text: str) -> str:
    return render(text, AmpscriptContext(variables=Variables(), store=store))


def last_error(client: FlaskClient) -> str:
    return client.get("/_emulator/journal").get_json()["entries"][-1]["error"]


def test_a_page_assembled_from_blocks_shares_its_variables(client: FlaskClient) -> None:
    response = client.get("/assembled")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == (
        "<header><h1>Spring offers</h1></header>\n\n"
        "<main><p>20% off until 2024, after the header.</p>\n</main>\n"
        "<aside>PRE-%%=Add(2,3)=%%-POST status -1</aside>\n"
        "<footer>&copy; 2024 Example</footer>")


@pytest.mark.parametrize(("call", "expected"), [
    ('ContentBlockByKey("FOOTER")', "<footer>&copy;  Example</footer>"),
    ('ContentBlockByName("content builder\\shared\\offer")', "<p>20% off until , after the .</p>"
                                                             "\n"),
    ('ContentBlockByName("Content Builder\\Footer")', "<footer>&copy;  Example</footer>"),
    ('ContentBlockByID("3003")', "<footer>&copy;  Example</footer>"),
    ("ContentBlockByID(3003)", "<footer>&copy;  Example</footer>"),
    ("ContentArea(3003)", "<footer>&copy;  Example</footer>"),
    ('ContentAreaByName("Content Builder\\Footer")', "<footer>&copy;  Example</footer>"),
])
def test_each_function_finds_its_block(store: Store, call: str, expected: str) -> None:
    assert amp(store, f"%%={call}=%%") == expected


@pytest.mark.parametrize("call", [
    'ContentBlockByKey("nothing"{rest})', 'ContentBlockByName("Content Builder\\Nothing"{rest})',
    'ContentBlockByID(42{rest})', 'ContentArea(42{rest})',
    'ContentAreaByName("Footer"{rest})',  # a name path names its folders too
])
def test_a_missing_block_aborts_or_gives_the_default_literally(store: Store, call: str) -> None:
    with pytest.raises(AmpscriptError) as caught:
        amp(store, "%%=" + call.format(rest="") + "=%%")
    assert "no content block has the" in caught.value.message
    with pytest.raises(AmpscriptError):
        amp(store, "%%=" + call.format(rest=', "", 1, "x"') + "=%%")
    text = call.format(rest=', "", 0, "<b>%%=v(@x)=%%</b>", @status')
    assert amp(store, f"%%[ SET @status = 9 ]%%%%={text}=%%|%%=v(@status)=%%") == (
        "<b>%%=v(@x)=%%</b>|-1")
    assert amp(store, "%%=" + call.format(rest=', "", "false"') + "=%%") == ""


def test_the_status_is_0_when_the_block_is_found(store: Store) -> None:
    assert amp(store, '%%[ SET @s = 9 ]%%%%=Length(ContentBlockByKey("footer", "", 0, "", @s))'
                      '=%%|%%=v(@s)=%%') == "32|0"


def test_the_status_argument_must_be_a_variable(store: Store) -> None:
    with pytest.raises(AmpscriptError, match="variable such as @status"):
        amp(store, '%%=ContentBlockByKey("footer", "", 0, "", "status")=%%')


def test_too_many_arguments_abort(store: Store) -> None:
    with pytest.raises(AmpscriptError, match="ContentBlockByKey"):
        amp(store, '%%=ContentBlockByKey("footer", "", 0, "", @s, 6)=%%')


def test_a_block_that_includes_itself_aborts_the_page_with_a_clear_error(
        client: FlaskClient) -> None:
    response = client.get("/block?key=loop")
    assert response.status_code == 422
    assert "Content block 'loop' includes itself: loop -> loop" in last_error(client)
    again = client.get("/block?key=footer")  # the server keeps answering
    assert again.get_data(as_text=True) == "before <footer>&copy;  Example</footer> after"


def test_blocks_nested_too_deep_abort(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    folder.mkdir()
    depth = assumptions.CONTENT_BLOCK_MAX_DEPTH + 1
    for level in range(depth):
        inner = f'%%=ContentBlockByKey("b{level + 1}")=%%' if level + 1 < depth else "end"
        (folder / f"b{level}.html").write_text(f"[{inner}]")
        (folder / f"b{level}.json").write_text(json.dumps({"key": f"b{level}", "name": f"B{level}",
                                                           "id": level + 1}))
    with Store.open(None) as store:
        store.replace_all([], {CONTENT_TABLE: load_content_dirs([tmp_path], False)})
        with pytest.raises(AmpscriptError, match="nested more than"):
            amp(store, '%%=ContentBlockByKey("b0")=%%')
        assert amp(store, '%%=ContentBlockByKey("b1")=%%') == "[" * (depth - 1) + "end" + \
            "]" * (depth - 1)


def test_a_missing_block_on_a_page_answers_422_and_the_journal_says_which(
        client: FlaskClient) -> None:
    assert client.get("/block?key=nothing").status_code == 422
    assert "no content block has the key 'nothing'" in last_error(client)


def test_content_is_fixture_state_kept_by_every_reset(app: Flask, client: FlaskClient) -> None:
    emulator = get_emulator(app)
    for target in ("empty", "fixtures", "start"):
        reset(emulator, target)
        assert client.get("/block?key=footer").status_code == 200


# --- fixture refusals -----------------------------------------------------------------------


def write(folder: Path, files: dict[str, str]) -> Path:
    (folder / "content").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / "content" / name).write_text(text, encoding="utf-8")
    return folder


GOOD = '{"key": "a", "name": "A", "id": 1}'


def test_a_good_folder_loads_with_the_default_folder(tmp_path: Path) -> None:
    write(tmp_path, {"a.html": "<p>A</p>", "a.json": GOOD})
    [block] = load_content_dirs([tmp_path], False)
    assert (block["key"], block["path"], block["content"]) == ("a", "Content Builder\\A",
                                                               "<p>A</p>")


@pytest.mark.parametrize(("files", "words", "field"), [
    ({"a.html": "", "a.json": '{"key": "a", "name": "A", "id": 1, "colour": 2}'},
     ["no 'colour'", "key, name, id, folder"], "colour"),
    ({"a.html": "", "a.json": '{"name": "A", "id": 1}'}, ["key is text"], "key"),
    ({"a.html": "", "a.json": '{"key": "a", "name": "A", "id": "1"}'}, ["id is a whole"], "id"),
    ({"a.html": "", "a.json": '{"key": "a", "name": "A", "id": 0}'}, ["id is a whole"], "id"),
    ({"a.html": "", "a.json": '{"key": "a", "name": "A\\\\B", "id": 1}'}, ["no backslash"],
     "name"),
    ({"a.html": "", "a.json": '{"key": "a", "name": "A", "id": 1, "folder": 7}'},
     ["folder is a backslash chain"], "folder"),
    ({"a.html": "", "a.json": GOOD, "b.html": "", "b.json": '{"key": "A", "name": "B", "id": 2}'},
     ["the key 'A' is another block's too"], "key"),
    ({"a.html": "", "a.json": GOOD, "b.html": "", "b.json": '{"key": "b", "name": "B", "id": 1}'},
     ["the id 1 is another block's too"], "id"),
    ({"a.html": "", "a.json": GOOD, "b.html": "", "b.json": '{"key": "b", "name": "a", "id": 2}'},
     ["the name path 'Content Builder\\\\a' is another block's too"], "name"),
    ({"a.json": GOOD}, ["no a.html beside it"], None),
    ({"a.html": "x"}, ["has no sidecar a.json"], None),
    ({"a.html": "", "a.json": "[]"}, ["holds a JSON object"], None),
])
def test_a_bad_content_folder_is_refused_with_file_and_field(
        tmp_path: Path, files: dict[str, str], words: list[str], field: str | None) -> None:
    write(tmp_path, files)
    with pytest.raises(FixtureProblems) as caught:
        load_content_dirs([tmp_path], False)
    [problem] = caught.value.problems
    assert problem.file is not None and problem.file.startswith(str(tmp_path / "content"))
    assert problem.field == field
    for word in words:
        assert word in problem.message


def test_a_refused_field_has_its_line(tmp_path: Path) -> None:
    write(tmp_path, {"a.html": "", "a.json": '{"key": "a",\n "name": "A",\n "id": -3}'})
    with pytest.raises(FixtureProblems) as caught:
        load_content_dirs([tmp_path], False)
    assert caught.value.problems[0].line == 3


def test_the_app_refuses_to_start_with_a_bad_content_folder(tmp_path: Path) -> None:
    (tmp_path / "data_extensions").mkdir()
    write(tmp_path, {"a.html": ""})
    with pytest.raises(FixtureProblems, match="no sidecar"):
        create_app({"TESTING": True, "fixtures": (str(tmp_path),), "no_default_fixtures": True})


def test_the_ssjs_forms_read_only_the_first_argument(client: FlaskClient) -> None:
    response = client.get("/ssjs-blocks")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_data(as_text=True).strip() == (
        "<footer>&copy; 2025 Example</footer>|36|<header><h1></h1></header>\n"
        "|caught: ContentBlockByKey: no content block has the key 'nothing'. Add it under "
        "content/ in a fixtures directory, or pass errorOnMissing 0 and a default content.")
