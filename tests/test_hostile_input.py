"""Hostile input on the admin API, the dashboard's forms and the CLI: a clear refusal, never a 500.

Each table names an input and what must come back: a 4xx JSON refusal (admin API), an HTML
error page (dashboard) or an exit code and message (CLI). Every case also checks that nothing
changed (the state through the admin API, or the --db file's bytes) and that nothing was logged
as an emulator error (the 500 handler logs a traceback).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from emulator.app import create_app
from emulator.cli import main
from emulator.runtime import get_emulator
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store

BIG = "1" * 5000  # past Python's 4,300-digit limit for int()
DEEP = "[" * 50_000 + "]" * 50_000  # past the recursion limit of json.loads
DOC = '{"key": "X", "fields": [{"name": "A"}], "rows": [{"A": %s}]}'
USERS = {"key": "Users", "fields": [{"name": "Id", "primaryKey": True},
                                    {"name": "N", "type": "Number"}],
         "rows": [{"Id": "u1", "N": 1}]}
SAME_SITE = {"Origin": "http://localhost"}
UI = "/_emulator/ui"

#: JSON no reader of the emulator takes: body -> words of the refusal (rule invalid-json, 400).
UNREADABLE: dict[str, tuple[str | bytes, str]] = {
    "5,000-digit integer": (DOC % BIG, "a number of 5000 digits"),
    "5,000-digit member": (json.dumps({"to": "start"})[:-1] + f', "x": {BIG}}}',
                           "at most 4300 digits"),
    "1e400": (DOC % "1e400", "the number 1e400 is out of range"),
    "NaN": (DOC % "NaN", "NaN is not a JSON value"),
    "-Infinity": (DOC % "-Infinity", "-Infinity is not a JSON value"),
    "nested 50,000 deep": (DEEP, "nested too deeply"),
    "nested 300 deep": ("[" * 300 + "]" * 300, "nested too deeply (more than 256 levels"),
    "lone surrogate in a value": (DOC % '"x\\ud800"', "a lone surrogate in the string at "
                                                      "rows[0].A"),
    "lone surrogate in a name": ('{"key": "X", "fields": [{"name": "A\\udc00"}]}',
                                 "a lone surrogate in the string at fields[0].name"),
    "not UTF-8": (b'{"key": "\xff\xfe"}', "not UTF-8 text (byte 9 is 0xFF)"),
    "broken syntax": ('{"key": "X",}', "invalid JSON at line 1, column 13"),
}
#: Admin routes that read a JSON body; rows routes act on the Users DE.
BODY_ROUTES = [("POST", "/_emulator/data-extensions"), ("POST", "/_emulator/seed"),
               ("POST", "/_emulator/seed?mode=replace"),
               ("POST", "/_emulator/data-extensions/Users/rows"),
               ("DELETE", "/_emulator/data-extensions/Users/rows"), ("POST", "/_emulator/reset")]
#: JSON of the wrong shape: statuses per route of BODY_ROUTES, in order (None: not hostile there).
WRONG_SHAPES: dict[str, tuple[str, list[int | None]]] = {
    "a number": ("5", [400, 422, 422, 422, 422, 400]),
    "a string": ('"text"', [400, 422, 422, 422, 422, 400]),
    "null": ("null", [400, 422, 422, 400, 400, 400]),
    "a list of scalars": ('[1, "a", null]', [400, 422, 422, 422, 422, 400]),
    "an empty object": ("{}", [422, 422, 422, 422, 422, None]),
    "members of the wrong types": ('{"key": 1, "fields": "x", "rows": 5, "to": []}',
                                   [422, 422, 422, 422, 422, 400]),
    "items of the wrong types": ('{"key": "X", "fields": [1, null, []], "rows": [1, "a", null]}',
                                 [422, 422, 422, 422, 422, 400]),
    "objects for values": ('{"Id": {"a": 1}, "N": [1], "journal": {}}',
                           [422, 422, 422, 422, 422, 400]),
    "a 10,000-character name": (json.dumps({"K" * 10_000: 1}), [422, 422, 422, 422, 422, 400]),
}


def with_users(client: Any) -> Any:
    answer = client.post("/_emulator/data-extensions", data=json.dumps(USERS),
                         content_type="application/json")
    assert answer.status_code == 201, answer.json
    return client


@pytest.fixture(scope="module", params=["memory", "file"])
def admin(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One app per store for the module's tables: every case checks it changed nothing."""
    config: dict[str, Any] = {"TESTING": True}
    if request.param == "file":
        config["db"] = str(tmp_path_factory.mktemp("hostile") / "mcemu.json")
    application = create_app(config)
    yield with_users(application.test_client())
    get_emulator(application).close()


def state(client: Any) -> Any:
    return client.get("/_emulator/state").json["dataExtensions"]


def no_emulator_errors(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


@pytest.mark.parametrize("method, path", BODY_ROUTES, ids=[f"{m} {p}" for m, p in BODY_ROUTES])
@pytest.mark.parametrize("body, words", UNREADABLE.values(), ids=list(UNREADABLE))
def test_unreadable_json_is_400_on_every_route_and_changes_nothing(
        admin: Any, caplog: pytest.LogCaptureFixture, method: str, path: str,
        body: str | bytes, words: str) -> None:
    before = state(admin)
    answer = admin.open(path, method=method, data=body, content_type="application/json")
    assert answer.status_code == 400, answer.get_data(as_text=True)[:500]
    assert answer.json["emulator_error"] == "data_refused"
    (problem,) = answer.json["problems"]
    assert problem["rule"] in ("invalid-json", "not-utf8") and words in problem["message"]
    assert state(admin) == before
    no_emulator_errors(caplog)


WRONG_SHAPE_CASES = [
    pytest.param(body, method, path, status, id=f"{name}-{method} {path}")
    for name, (body, statuses) in WRONG_SHAPES.items()
    for (method, path), status in zip(BODY_ROUTES, statuses, strict=True) if status is not None
]


@pytest.mark.parametrize("body, method, path, expected", WRONG_SHAPE_CASES)
def test_json_of_the_wrong_shape_is_refused_and_changes_nothing(
        admin: Any, caplog: pytest.LogCaptureFixture, body: str, method: str, path: str,
        expected: int) -> None:
    before = state(admin)
    answer = admin.open(path, method=method, data=body, content_type="application/json")
    assert answer.status_code == expected, answer.get_data(as_text=True)[:500]
    assert answer.json["emulator_error"] and answer.json["message"]
    assert state(admin) == before
    no_emulator_errors(caplog)


ROWS = "/_emulator/data-extensions/Users/rows"
FILTER_EXAMPLE = '{"Property": "N", "SimpleOperator": "equals", "Value": %s}'
LONE_SURROGATE = '"\\ud800"'  # the JSON text "\ud800": a high surrogate with no low one
#: query strings -> words of the 400 refusal
HOSTILE_QUERIES: dict[str, tuple[str, str]] = {
    "limit of 5,000 digits": (f"{ROWS}?limit={BIG}", "expected a whole number from 1 to 1000"),
    "offset of 5,000 digits": (f"{ROWS}?offset={BIG}", "expected a whole number from 0 to"),
    "negative offset of 5,000 digits": (f"{ROWS}?offset=-{BIG}", "expected a whole number"),
    "limit 1e400": (f"{ROWS}?limit=1e400", "?limit='1e400': expected a whole number"),
    "limit with an underscore": (f"{ROWS}?limit=1_0", "?limit='1_0': expected a whole number"),
    "full-width digit": (f"{ROWS}?limit=%EF%BC%91", "expected a whole number"),
    "NUL limit": (f"{ROWS}?limit=%00", "?limit='\\x00': expected a whole number"),
    "journal limit of 5,000 digits": (f"/_emulator/journal?limit={BIG}", "expected a whole"),
    "filter nested 50,000 deep": (f"{ROWS}?filter={quote(DEEP)}", "nested too deeply"),
    "filter with a 5,000-digit value": (f"{ROWS}?filter={quote(FILTER_EXAMPLE % BIG)}",
                                        "a number of 5000 digits"),
    "filter with NaN": (f"{ROWS}?filter={quote(FILTER_EXAMPLE % 'NaN')}",
                        "NaN is not a JSON value"),
    "filter with 1e400": (f"{ROWS}?filter={quote(FILTER_EXAMPLE % '1e400')}", "out of range"),
    "filter with a lone surrogate": (f"{ROWS}?filter=" + quote(FILTER_EXAMPLE % LONE_SURROGATE),
                                     "a lone surrogate in the string at Value"),
    "filter not UTF-8": (f"{ROWS}?filter=%ff%fe", "?filter is not JSON"),
    "filter of the wrong shape": (f"{ROWS}?filter=[1,2]", "filter must be an object"),
    "10,000-character field": (f"{ROWS}?{'K' * 10_000}=1", "is not a field of Users"),
    "seed mode of 10,000 characters": (f"/_emulator/seed?mode={'m' * 10_000}",
                                       "expected one of upsert, insert, replace"),
    "dryRun of 5,000 digits": (f"/_emulator/seed?dryRun={BIG}", "expected true or false"),
}


@pytest.mark.parametrize("path, words", HOSTILE_QUERIES.values(), ids=list(HOSTILE_QUERIES))
def test_hostile_query_values_are_400_with_a_short_message(
        admin: Any, caplog: pytest.LogCaptureFixture, path: str, words: str) -> None:
    before = state(admin)
    method = "POST" if path.startswith("/_emulator/seed") else "GET"
    answer = admin.open(path, method=method, data=json.dumps(USERS),
                        content_type="application/json")
    assert answer.status_code == 400, answer.get_data(as_text=True)[:500]
    assert answer.json["emulator_error"] in ("bad_request", "invalid_filter")
    assert words in answer.json["message"] and len(answer.json["message"]) < 600
    assert state(admin) == before
    no_emulator_errors(caplog)


def test_a_nul_and_a_10000_character_key_are_kept_and_answered_as_json(
        client: Any, caplog: pytest.LogCaptureFixture) -> None:
    admin = with_users(client)
    # Valid JSON and valid Unicode: stored as given, and every answer stays JSON.
    added = admin.post(ROWS, data='{"Id": "a\\u0000b", "N": 2}', content_type="application/json")
    assert added.status_code == 200 and added.json["added"] == 1
    long_key = {"key": "K" * 10_000, "fields": [{"name": "A"}]}
    created = admin.post("/_emulator/data-extensions", data=json.dumps(long_key),
                         content_type="application/json")
    assert created.status_code == 201
    assert {"Id": "a\x00b", "N": 2} in admin.get(ROWS).json["rows"]
    assert admin.get(f"/_emulator/data-extensions/{'K' * 10_000}").json["key"] == "K" * 10_000
    assert admin.get(f"{UI}/data-extensions/Users").status_code == 200
    no_emulator_errors(caplog)


# --- the dashboard's forms: an HTML page with the problem, never a 500 ------------------------

CLAIMS: dict[str, tuple[str, str]] = {
    "5,000-digit claim": (f'{{"n": {BIG}}}', "a number of 5000 digits"),
    "5,000-digit number alone": (BIG, "a number of 5000 digits"),
    "nested 50,000 deep": (DEEP, "nested too deeply"),
    "NaN claim": ('{"a": NaN}', "NaN is not a JSON value"),
    "1e400 claim": ('{"a": 1e400}', "out of range"),
    "lone surrogate": ('{"a": "\\ud800"}', "a lone surrogate in the string at a"),
    "a list": ("[1]", "must be a JSON object"),
}


@pytest.mark.parametrize("claims, words", CLAIMS.values(), ids=list(CLAIMS))
def test_hostile_extra_claims_show_the_form_again_with_the_problem(
        admin: Any, caplog: pytest.LogCaptureFixture, claims: str, words: str) -> None:
    before = state(admin)
    page = admin.post(f"{UI}/token", data={"client_id": "demo-client",
                                           "client_secret": "demo-secret", "claims": claims},
                      headers=SAME_SITE)
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert "Extra claims are not JSON" in page.get_data(as_text=True) or \
        "must be a JSON object" in page.get_data(as_text=True)
    assert words in page.get_data(as_text=True)
    assert state(admin) == before  # /token was not called: no HTTPProperties row
    no_emulator_errors(caplog)


@pytest.mark.parametrize("query, status", [
    (f"limit={BIG}", 200), (f"offset={BIG}", 200),  # paging falls back to the defaults
    ("field=N&op=equals&value=" + BIG, 200), ("field=N&op=between&value=" + BIG, 400),
    ("field=" + "K" * 10_000 + "&op=equals&value=1", 400), ("field=N&op=%ff&value=1", 400),
    ("field=N&op=greaterThan&value=NaN", 400), ("field=N&op=IN&value=%00", 400),
])
def test_the_rows_filter_form_answers_an_html_page(admin: Any, caplog: pytest.LogCaptureFixture,
                                                   query: str, status: int) -> None:
    page = admin.get(f"{UI}/data-extensions/Users?{query}")
    assert page.status_code == status and page.mimetype == "text/html"
    no_emulator_errors(caplog)


# --- the CLI: an exit code and a message, the --db file untouched ------------------------------

FIXTURE_FILES: dict[str, tuple[str | bytes, str]] = {
    **{name: (body, words) for name, (body, words) in UNREADABLE.items()
       if name not in ("5,000-digit member", "lone surrogate in a name")},
    "lone surrogate in the key": ('{"key": "X\\ud800", "fields": [{"name": "A"}]}',
                                  "a lone surrogate in the string at key"),
    "5,000-digit length": ('{"key": "X", "fields": [{"name": "A", "length": ' + BIG + "}]}",
                           "a number of 5000 digits"),
    "5,000-digit retention": (
        '{"key": "X", "fields": [{"name": "A"}], "retention": {"maxAgeDays": ' + BIG + "}}",
        "a number of 5000 digits"),
    "huge scale": ('{"key": "X", "fields": [{"name": "A", "type": "Decimal", "precision": 10, '
                   '"scale": 1e300}]}', "scale must be an integer"),
    "wrong types": ('{"key": 1, "fields": "x", "rows": 5}', '"key" (the external key) must be'),
}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.json"
    with Store.open(path) as store:
        schema = {name: value for name, value in USERS.items() if name != "rows"}
        store.create(DataExtensionSchema.from_json(schema, "test"), USERS["rows"])
    return path


def write_fixture(tmp_path: Path, body: str | bytes) -> Path:
    folder = tmp_path / "fixtures" / "data_extensions"
    folder.mkdir(parents=True)
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    (folder / "X.json").write_bytes(data)
    return tmp_path / "fixtures"


@pytest.mark.parametrize("body, words", FIXTURE_FILES.values(), ids=list(FIXTURE_FILES))
def test_mcemu_seed_refuses_a_hostile_fixture_file_and_changes_nothing(
        tmp_path: Path, db: Path, body: str | bytes, words: str) -> None:
    fixtures = write_fixture(tmp_path, body)
    before = db.read_bytes()
    result = CliRunner().invoke(main, ["seed", str(fixtures), "--db", str(db)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "refused, nothing was changed" in result.output and words in result.output
    assert db.read_bytes() == before


@pytest.mark.parametrize("body, words", [FIXTURE_FILES["5,000-digit integer"],
                                         FIXTURE_FILES["nested 50,000 deep"]],
                         ids=["5,000 digits", "nested 50,000 deep"])
def test_mcemu_reset_refuses_hostile_fixtures_and_changes_nothing(
        tmp_path: Path, db: Path, body: str, words: str) -> None:
    fixtures = write_fixture(tmp_path, body)
    before = db.read_bytes()
    result = CliRunner().invoke(main, ["reset", "--db", str(db), "--fixtures", str(fixtures)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert words in result.output
    assert db.read_bytes() == before


@pytest.mark.parametrize("names, words", [
    (["K" * 10_000], "no Data Extension 'KKKK"),
    (["Users", "\udcff"], "no Data Extension '\\udcff'"),  # undecodable bytes in argv
])
def test_mcemu_export_refuses_unknown_names_before_writing(tmp_path: Path, db: Path,
                                                           names: list[str], words: str) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["export", *names, "--db", str(db), "--out", str(out)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert words in result.output
    assert not out.exists()


def segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize("token, words", [
    ("a.b.c", "a segment is not unpadded Base64url"),
    ("x" * 100_000, "a JWT has three dot-separated segments; this has 1"),
    (segment(b'{"alg": "HS256", "n": %s}' % BIG.encode()) + ".e30.AAAA",
     "the header is not JSON"),
    (segment(b"[" * 50_000) + ".e30.AAAA", "the header is not JSON"),
])
def test_mcemu_jwt_decode_says_a_hostile_token_is_malformed(token: str, words: str) -> None:
    result = CliRunner().invoke(main, ["jwt", "decode", token])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert f"malformed token: {words}" in result.output
