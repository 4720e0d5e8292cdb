"""The fault registry: its rules, bad input, admin API, faults.json, journal and dashboard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import token_body

from emulator.app import create_app
from emulator.errors import FixtureError
from emulator.faults import FaultNotFound, FaultRefused, FaultRegistry
from emulator.reset import reset
from emulator.runtime import get_emulator
from emulator.schemas import FAULTS_SCHEMA, schema

JSON = "application/json"


@pytest.fixture
def faults(memory_app: Any) -> FaultRegistry:
    return get_emulator(memory_app).faults


def post_token(client: Any) -> Any:
    return client.post("/token", data=token_body(), content_type=JSON)


def statuses(client: Any, count: int) -> list[int]:
    return [post_token(client).status_code for _ in range(count)]


# --- which requests a fault fires on ---

def test_times_answers_the_next_n_requests_then_the_fault_retires(memory_app: Any,
                                                                   faults: FaultRegistry) -> None:
    fault = faults.add("/token", status=503, times=2)
    client = memory_app.test_client()
    assert statuses(client, 4) == [503, 503, 200, 200]
    assert (fault.seen, fault.fired, fault.active) == (2, 2, False)
    assert faults.list() == [fault]  # retired, still listed


def test_every_fires_on_every_nth_request(memory_app: Any, faults: FaultRegistry) -> None:
    fault = faults.add("/token", status=500, every=3)
    assert statuses(memory_app.test_client(), 7) == [200, 200, 500, 200, 200, 500, 200]
    assert (fault.seen, fault.fired) == (7, 2)


def test_every_with_times_retires_after_n_firings(memory_app: Any, faults: FaultRegistry) -> None:
    faults.add("/token", status=500, every=2, times=1)
    assert statuses(memory_app.test_client(), 6) == [200, 500, 200, 200, 200, 200]


def test_a_share_fires_on_the_same_requests_in_every_run(make_app: Any) -> None:
    runs = []
    for _ in range(2):
        app = make_app()
        get_emulator(app).faults.add("/token", status=503, share=0.3)
        runs.append(statuses(app.test_client(), 40))
    assert runs[0] == runs[1]
    fired = runs[0].count(503)
    assert 4 <= fired <= 20  # about 12 of 40
    assert set(runs[0]) == {200, 503}


def test_a_fault_covers_its_path_only(memory_app: Any, faults: FaultRegistry) -> None:
    faults.add("/api", status=418)
    client = memory_app.test_client()
    assert post_token(client).status_code == 200
    assert client.get("/api").status_code == 418


def test_the_oldest_fault_that_fires_answers_and_later_ones_do_not_count_it(
        memory_app: Any, faults: FaultRegistry) -> None:
    first = faults.add("/token", status=503, times=1)
    second = faults.add("/token", status=502)
    assert statuses(memory_app.test_client(), 2) == [503, 502]
    assert (first.seen, second.seen) == (1, 1)


def test_the_answer_has_the_status_body_and_retry_after(memory_app: Any,
                                                        faults: FaultRegistry) -> None:
    client = memory_app.test_client()
    faults.add("/token", status=503, body={"error": "busy"}, retry_after=7, times=1)
    answer = post_token(client)
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "7")
    assert answer.mimetype == JSON and answer.get_json() == {"error": "busy"}
    faults.add("/token", status=500, body="down for maintenance", times=1)
    answer = post_token(client)
    assert answer.mimetype == "text/plain" and answer.text == "down for maintenance"
    assert "Retry-After" not in answer.headers


def test_errorcode_answers_the_platform_rest_error_shape(memory_app: Any,
                                                         faults: FaultRegistry) -> None:
    client = memory_app.test_client()
    faults.add("/token", status=401, errorcode=40001, body="Unauthorized client", times=1)
    assert post_token(client).get_json() == {"message": "Unauthorized client",
                                             "errorcode": 40001, "documentation": ""}
    faults.add("/token", status=429, errorcode=50004)
    assert post_token(client).get_json()["message"] == "Too Many Requests"


def test_a_delay_alone_lets_the_page_answer_late(memory_app: Any, faults: FaultRegistry) -> None:
    faults.add("/token", delay=0.2, times=1)
    client = memory_app.test_client()
    answer = post_token(client)
    assert answer.status_code == 200 and "access_token" in answer.get_json()
    entry = get_emulator(memory_app).journal.entries()[0]
    assert entry.duration_ms >= 200
    assert entry.fault == {"id": 1, "did": "delayed the page 0.2 s"}


# --- bad input ---

BAD: list[tuple[dict[str, Any], str]] = [
    ({"path": "/token", "status": 503, "times": 0}, "times=0: out of range"),
    ({"path": "/token", "status": 503, "times": -2}, "times=-2: out of range"),
    ({"path": "/token", "status": 503, "times": 1.5}, "times=1.5: expected a whole number"),
    ({"path": "/token", "status": 503, "times": True}, "times=True: expected a whole number"),
    ({"path": "/token", "status": 503, "times": "2"}, "times='2'"),
    ({"path": "/token", "status": 503, "every": 0}, "every=0: out of range"),
    ({"path": "/token", "status": 503, "share": 0}, "share=0: out of range"),
    ({"path": "/token", "status": 503, "share": 1.5}, "share=1.5: out of range"),
    ({"path": "/token", "status": 503, "share": "half"}, "share='half'"),
    ({"path": "/token", "status": 503, "every": 2, "share": 0.5}, "give one of them"),
    ({"path": "/token", "status": 99}, "status=99: out of range; expected a whole number from "
     "100 to 599"),
    ({"path": "/token", "status": 600}, "status=600: out of range"),
    ({"path": "/token", "status": "503"}, "status='503'"),
    ({"path": "/token", "delay": -1}, "delay=-1: out of range"),
    ({"path": "/token", "delay": 301}, "delay=301: out of range; expected 0 to 300 seconds"),
    ({"path": "/token", "delay": float("nan")}, "delay=nan"),
    ({"path": "/token", "drop": True, "status": 503}, "drop closes the connection without an "
     "answer, so it takes no status"),
    ({"path": "/token", "drop": "yes"}, "drop is true or false"),
    ({"path": "/token"}, "this fault does nothing"),
    ({"path": "/token", "delay": 0}, "this fault does nothing"),
    ({"path": "/token", "body": "x"}, "needs a status"),
    ({"path": "/token", "retry_after": 5}, "needs a status"),
    ({"path": "/token", "status": 503, "retry_after": -1}, "retry_after=-1: out of range"),
    ({"path": "/token", "status": 503, "errorcode": 0}, "errorcode=0: out of range"),
    ({"path": "/token", "status": 503, "errorcode": 5, "body": {"a": 1}}, "with errorcode, body "
     "is the error's message text"),
    ({"path": "/token", "status": 503, "body": 5}, "body is text, or a dict or list"),
    ({"status": 503}, "a fault needs the path of a page"),
    ({"path": "token", "status": 503}, "path 'token' is not a path"),
    ({"path": "/token?x=1", "status": 503}, "is not a path"),
    ({"path": 7, "status": 503}, "path 7 is not a path"),
    ({"path": "/_emulator/health", "status": 503}, "the emulator's admin API or dashboard"),
    ({"path": "/_emulator", "status": 503}, "faults never touch"),
    ({"path": "/tokn", "status": 503}, "no page is served at '/tokn', so a fault there would "
     "never fire; pages are served at: /api, /token, /token/hardened"),
    ({"path": "/Service.asmx", "status": 503}, "path '/Service.asmx' is the SOAP API, which "
     "the emulator does not emulate"),
    ({"path": "/data/v1/{key", "status": 503}, "a REST route's variable part is written {name}"),
    ({"path": "/hub/v1/{a-b}/rowset", "status": 503}, "variable part is written {name}"),
    ({"package": "my-package", "status": 503}, "package='my-package': no installed package has "
     "this client id, so the fault would never fire; the client ids are: mcemu-demo-client-id"),
    ({"package": "", "status": 503}, "package='': expected the client id of an installed"),
    ({"package": 7, "status": 503}, "package=7: expected the client id"),
    ({"package": "x" * 201, "status": 503}, "package: 201 characters; a client id has at most "
     "200"),
    ({"path": "/token", "package": "mcemu-demo-client-id", "status": 503}, "'/token' is no "
     "REST route: give a REST path"),
]


@pytest.mark.parametrize(("fields", "message"), BAD)
def test_a_bad_fault_is_refused_naming_what_is_wrong(faults: FaultRegistry,
                                                     fields: dict[str, Any],
                                                     message: str) -> None:
    with pytest.raises(FaultRefused) as refused:
        faults.add(**fields)
    assert message in str(refused.value)
    assert isinstance(refused.value, ValueError)
    assert faults.list() == []


def test_an_unknown_field_is_refused_with_the_fields_listed(faults: FaultRegistry) -> None:
    with pytest.raises(FaultRefused, match="a fault has no field 'statsu'; its fields are path, "
                       "package, status"):
        faults.add_fields({"path": "/token", "statsu": 503})


def test_removing_an_unknown_fault_names_the_ids(faults: FaultRegistry) -> None:
    faults.add("/token", status=503)
    with pytest.raises(FaultNotFound, match="no fault has id 9; the faults are: 1"):
        faults.remove(9)


def test_a_page_of_the_pages_folder_can_be_faulted(make_app: Any, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "hello.html").write_text("<script runat=server>Write('hi')</script>")
    app = make_app({"pages": str(pages)})
    registry = get_emulator(app).faults
    registry.add("/hello", status=503)
    assert app.test_client().get("/hello").status_code == 503
    with pytest.raises(FaultRefused, match="no page is served at '/bye'"):
        registry.add("/bye", status=503)


# --- isolation and reset ---

def test_rollback_returns_to_the_checkpoint(memory_app: Any, faults: FaultRegistry) -> None:
    kept = faults.add("/token", status=503, every=2)
    client = memory_app.test_client()
    statuses(client, 3)
    faults.checkpoint()
    faults.add("/api", status=500)
    faults.remove(kept.id)
    statuses(client, 2)
    faults.rollback()
    assert faults.list() == [kept] and (kept.seen, kept.fired) == (3, 1)
    assert faults.add("/api", status=500).id == 2  # ids as at the checkpoint
    faults.rollback()  # the checkpoint stays
    assert faults.list() == [kept]


def test_rollback_puts_a_share_fault_s_draws_back(memory_app: Any, faults: FaultRegistry) -> None:
    faults.add("/token", status=503, share=0.5)
    client = memory_app.test_client()
    faults.checkpoint()
    first = statuses(client, 20)
    faults.rollback()
    assert statuses(client, 20) == first


def test_rollback_without_a_checkpoint_is_refused(faults: FaultRegistry) -> None:
    with pytest.raises(Exception, match=r"needs a checkpoint\(\) first"):
        faults.rollback()


@pytest.fixture
def fault_fixtures(tmp_path: Path) -> Path:
    directory = tmp_path / "fixtures"
    (directory / "data_extensions").mkdir(parents=True)
    (directory / "faults.json").write_text(json.dumps(
        [{"path": "/token", "status": 503, "times": 1, "retry_after": 3},
         {"path": "/api", "delay": 0.01}]))
    return directory


def test_faults_json_is_read_at_start_and_survives_a_reset(make_app: Any,
                                                           fault_fixtures: Path) -> None:
    app = make_app({"fixtures": [str(fault_fixtures)]})
    emulator = get_emulator(app)
    client = app.test_client()
    assert [fault.source for fault in emulator.faults.list()] == [
        str(fault_fixtures / "faults.json")] * 2
    emulator.faults.add("/token/hardened", status=500)
    assert statuses(client, 2) == [503, 200]
    for target in ("start", "fixtures", "empty"):
        reset(emulator, target)
        listed = emulator.faults.list()
        assert [fault.path for fault in listed] == ["/token", "/api"]
        assert [(fault.seen, fault.fired) for fault in listed] == [(0, 0), (0, 0)]
    assert statuses(client, 2) == [503, 200]


def test_the_admin_reset_clears_runtime_faults(make_app: Any, fault_fixtures: Path) -> None:
    client = make_app({"fixtures": [str(fault_fixtures)]}).test_client()
    client.post("/_emulator/faults", json={"path": "/token/hardened", "status": 500})
    assert len(client.get("/_emulator/faults").get_json()["faults"]) == 3
    assert client.post("/_emulator/reset", json={}).status_code == 200
    assert [f["source"] != "runtime" for f in client.get("/_emulator/faults").get_json()[
        "faults"]] == [True, True]


def test_clear_keeps_the_faults_of_the_file(make_app: Any, fault_fixtures: Path) -> None:
    registry = get_emulator(make_app({"fixtures": [str(fault_fixtures)]})).faults
    registry.add("/token/hardened", status=500)
    assert registry.clear() == 1
    assert [fault.path for fault in registry.list()] == ["/token", "/api"]


@pytest.mark.parametrize(("content", "message"), [
    ('{"path": "/token"}', "faults.json holds a list of faults"),
    ("[1]", ": line 1, column 2: fault [0]: a fault is a JSON object with add()'s fields, "
     "not a number"),
    ('[\n  {"path": "/token", "status": 503},\n  {"path": "/token", "times": 0, "status": 503}'
     "\n]", ": line 3, column 3: fault [1]: times=0: out of range"),
    ('[{"path": "/nowhere", "status": 503}]', "no page is served at '/nowhere'"),
    ('[{"path": "/token", "status": 503', "invalid JSON at line 1"),
    ('[{"path": "/token", "stat": 503}]', "a fault has no field 'stat'"),
])
def test_a_bad_faults_file_stops_the_start_naming_file_and_entry(
        fault_fixtures: Path, content: str, message: str) -> None:
    (fault_fixtures / "faults.json").write_text(content)
    with pytest.raises(FixtureError) as refused:
        create_app({"fixtures": [str(fault_fixtures)]})
    assert str(fault_fixtures / "faults.json") in str(refused.value)
    assert message in str(refused.value)


def test_every_problem_of_a_faults_file_is_listed(fault_fixtures: Path) -> None:
    (fault_fixtures / "faults.json").write_text(json.dumps(
        [{"path": "/token", "times": 0, "status": 503}, {"path": "/x", "status": 503}]))
    with pytest.raises(FixtureError, match="2 problems") as refused:
        create_app({"fixtures": [str(fault_fixtures)]})
    assert "fault [0]" in str(refused.value) and "fault [1]" in str(refused.value)


GOOD_FILES = [
    [],
    [{"path": "/token", "status": 503, "times": 2}],
    [{"path": "/token", "drop": True, "every": 3}, {"path": "/api", "delay": 1.5, "share": 0.5}],
    [{"path": "/token", "status": 401, "errorcode": 40001, "body": "no", "retry_after": 0}],
    [{"path": "/token", "status": 500, "body": {"error": "x"}, "times": None}],
    [{"package": "mcemu-demo-client-id", "status": 429, "retry_after": 0},
     {"path": "/hub/v1/dataevents/key:{key}/rowset", "status": 500}],
]
BAD_FILES = [
    {"path": "/token"},
    [{"status": 503}],
    [{"path": "/token", "status": 503, "times": 0}],
    [{"path": "/token", "status": 600}],
    [{"path": "/token", "status": 503, "share": 0}],
    [{"path": "/token", "delay": 301}],
    [{"path": "token", "status": 503}],
    [{"path": "/token", "status": 503, "colour": "red"}],
    [{"package": "", "status": 503}],
    [{"package": 7, "status": 503}],
]


@pytest.mark.parametrize("document", GOOD_FILES)
def test_the_shipped_schema_and_the_loader_accept_the_same_files(
        fault_fixtures: Path, document: Any) -> None:
    jsonschema.validate(document, schema(FAULTS_SCHEMA))
    (fault_fixtures / "faults.json").write_text(json.dumps(document))
    app = create_app({"fixtures": [str(fault_fixtures)]})
    assert len(get_emulator(app).faults) == len(document)
    get_emulator(app).close()


@pytest.mark.parametrize("document", BAD_FILES)
def test_the_shipped_schema_and_the_loader_refuse_the_same_files(
        fault_fixtures: Path, document: Any) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema(FAULTS_SCHEMA))
    (fault_fixtures / "faults.json").write_text(json.dumps(document))
    with pytest.raises(FixtureError):
        create_app({"fixtures": [str(fault_fixtures)]})


# --- the admin API ---

def test_the_admin_api_adds_lists_and_removes_faults(client: Any) -> None:
    added = client.post("/_emulator/faults", json={"path": "/token", "status": 503, "times": 2})
    assert added.status_code == 201
    fault = added.get_json()
    assert (fault["id"], fault["status"], fault["times"], fault["source"]) == (
        1, 503, 2, "runtime")
    assert post_token(client).status_code == 503
    listed = client.get("/_emulator/faults").get_json()["faults"]
    assert [(f["id"], f["seen"], f["fired"], f["active"]) for f in listed] == [(1, 1, 1, True)]
    assert client.delete("/_emulator/faults/1").status_code == 204
    assert post_token(client).status_code == 200
    client.post("/_emulator/faults", json={"path": "/api", "drop": True})
    assert client.delete("/_emulator/faults").get_json() == {"removed": 1}
    assert client.get("/_emulator/faults").get_json() == {"faults": []}


@pytest.mark.parametrize(("body", "message"), [
    ({"path": "/token", "status": 503, "times": 0}, "times=0: out of range"),
    ({"path": "/tokn", "status": 503}, "no page is served at '/tokn'"),
    ({"path": "/token"}, "this fault does nothing"),
    ([{"path": "/token", "status": 503}], "send one fault: a JSON object"),
    ({"path": "/token", "status": 503, "tims": 2}, "a fault has no field 'tims'"),
])
def test_the_admin_api_refuses_a_bad_fault_with_400(client: Any, body: Any,
                                                     message: str) -> None:
    answer = client.post("/_emulator/faults", json=body)
    assert answer.status_code == 400
    assert message in answer.get_json()["message"]
    assert client.get("/_emulator/faults").get_json() == {"faults": []}


def test_the_admin_api_refuses_malformed_json_and_unknown_ids(client: Any) -> None:
    answer = client.post("/_emulator/faults", data="{", content_type=JSON)
    assert answer.status_code == 400
    missing = client.delete("/_emulator/faults/5")
    assert missing.status_code == 404 and "no fault has id 5" in missing.get_json()["message"]
    bad = client.delete("/_emulator/faults/abc")
    assert bad.status_code == 400 and "a fault id is a whole number" in bad.get_json()["message"]


def test_the_admin_api_s_safety_guards_the_fault_routes(make_app: Any) -> None:
    client = make_app().test_client()
    remote = client.get("/_emulator/faults", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert remote.status_code == 403
    form = client.post("/_emulator/faults", data="path=/token&status=503",
                       content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415
    foreign = client.post("/_emulator/faults", json={"path": "/token", "status": 503},
                          headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    guarded = make_app({"admin_token": "s3cret"}).test_client()
    assert guarded.post("/_emulator/faults", json={"path": "/token", "status": 503}
                        ).status_code == 401


# --- the journal and the dashboard ---

def test_a_faulted_request_is_journaled_with_its_fault(client: Any) -> None:
    client.post("/_emulator/faults", json={"path": "/token", "status": 503, "retry_after": 5})
    post_token(client)
    entry = client.get("/_emulator/journal").get_json()["entries"][0]
    assert entry["status"] == 503
    assert entry["fault"] == {"id": 1, "did": "answered 503 with Retry-After 5"}
    assert entry["outcome"] == "fault 1: answered 503 with Retry-After 5"
    assert entry["page"] == "token" and entry["rows_written"] == []


def test_a_request_no_fault_touched_has_no_fault_in_the_journal(client: Any) -> None:
    post_token(client)
    assert client.get("/_emulator/journal").get_json()["entries"][0]["fault"] is None


def test_the_dashboard_lists_faults_and_shows_the_fault_of_a_request(client: Any) -> None:
    assert "No faults." in client.get("/_emulator/ui/faults").text
    client.post("/_emulator/faults", json={"path": "/token", "status": 503, "times": 1,
                                           "body": "<b>busy</b>"})
    post_token(client)
    page = client.get("/_emulator/ui/faults")
    assert page.status_code == 200
    assert "answered 503" in page.text and "retired" in page.text
    assert "&lt;b&gt;busy&lt;/b&gt;" in page.text and "<b>busy" not in page.text
    entry_id = client.get("/_emulator/journal").get_json()["entries"][0]["id"]
    detail = client.get(f"/_emulator/ui/journal/{entry_id}").text
    assert 'id="fault"' in detail and "fault 1</a>: answered 503" in detail
