"""The request path's shortcuts give what the general code gives: bodies, headers, filters,
journal entries, and no garbage left for the collector by a page run."""

from __future__ import annotations

import gc
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from conftest import token_body
from flask import Flask, request
from werkzeug.test import EnvironBuilder

from emulator.errors import InvalidFilter
from emulator.journal import BODY_LIMIT, Journal
from emulator.pages import get_page
from emulator.pages.runner import run_page
from emulator.platform.request import RequestSnapshot
from emulator.runtime import get_emulator
from emulator.store.filters import FILTER_CACHE_SIZE, compile_filter
from emulator.store.schema import DataExtensionSchema
from emulator.web.snapshot import environ_headers

# --- the body ------------------------------------------------------------------------------


def _post(client: Any, body: bytes, **environ: Any) -> Any:
    return client.post("/echo", data=body, environ_overrides=environ)


@pytest.fixture
def echo_app(make_app: Any) -> Flask:
    """An emulator app with a page that answers the body it read."""
    app = make_app({"max_body": 100})
    emulator = get_emulator(app)
    from emulator.web.snapshot import snapshot_request

    @app.post("/echo")
    def echo() -> dict[str, Any]:
        snapshot = snapshot_request(request._get_current_object(), emulator.settings.max_body)
        return {"body": snapshot.body.decode("latin-1")}

    return app


def test_a_body_with_a_plain_length_is_read_whole(echo_app: Flask) -> None:
    answer = _post(echo_app.test_client(), b"x" * 100)
    assert answer.status_code == 200 and answer.json == {"body": "x" * 100}


def test_an_empty_body_is_empty(echo_app: Flask) -> None:
    answer = _post(echo_app.test_client(), b"")
    assert answer.status_code == 200 and answer.json == {"body": ""}


def test_a_declared_length_over_the_limit_is_refused_before_reading(echo_app: Flask) -> None:
    stream = io.BytesIO(b"y" * 101)
    answer = echo_app.test_client().post("/echo", input_stream=stream,
                                         environ_overrides={"CONTENT_LENGTH": "101"})
    assert answer.status_code == 413 and answer.json["emulator_error"] == "body_too_large"
    assert stream.tell() == 0  # not a byte was read


def test_a_body_shorter_than_its_length_is_a_bad_request(echo_app: Flask) -> None:
    answer = echo_app.test_client().post("/echo", input_stream=io.BytesIO(b"short"),
                                         environ_overrides={"CONTENT_LENGTH": "50"})
    assert answer.status_code == 400


@pytest.mark.parametrize("declared", ["+5", " 5", "5x", "٥", "9" * 5000])  # "٥": Arabic-Indic 5
def test_a_length_that_is_not_plain_digits_goes_through_werkzeug(echo_app: Flask,
                                                                  declared: str) -> None:
    plain = Flask("plain")
    plain.config["MAX_CONTENT_LENGTH"] = 100

    @plain.post("/echo")
    def echo() -> dict[str, str]:
        return {"body": request.get_data().decode("latin-1")}

    ours = echo_app.test_client().post("/echo", input_stream=io.BytesIO(b"hello"),
                                       environ_overrides={"CONTENT_LENGTH": declared})
    theirs = plain.test_client().post("/echo", input_stream=io.BytesIO(b"hello"),
                                      environ_overrides={"CONTENT_LENGTH": declared})
    assert (ours.status_code, ours.json) == (theirs.status_code, theirs.json)


def test_a_chunked_body_goes_through_werkzeug(echo_app: Flask) -> None:
    answer = echo_app.test_client().post(
        "/echo", input_stream=io.BytesIO(b"chunked body"),
        environ_overrides={"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True})
    assert answer.status_code == 200 and answer.json == {"body": "chunked body"}


# --- the headers -----------------------------------------------------------------------------


def test_environ_headers_name_and_order_headers_as_werkzeug_does() -> None:
    builder = EnvironBuilder(method="POST", data=b"{}", content_type="application/json",
                             headers=[("X-Custom_Name", "1"), ("user-agent", "ua"),
                                      ("Referer", "https://r.example/"), ("X-Empty", "")])
    environ = builder.get_environ()
    environ["HTTP_CONTENT_TYPE"] = "text/plain"  # a client's second copy: Werkzeug drops it
    environ["CONTENT_LENGTH"] = ""  # empty: Werkzeug leaves it out
    from werkzeug.datastructures import EnvironHeaders

    assert environ_headers(environ) == tuple(EnvironHeaders(environ).items())
    assert ("X-Custom-Name", "1") in environ_headers(environ)


def test_environ_headers_stay_right_past_the_name_cache() -> None:
    environ = {f"HTTP_X_HEADER_{i}": str(i) for i in range(1100)}
    from werkzeug.datastructures import EnvironHeaders

    assert environ_headers(environ) == tuple(EnvironHeaders(environ).items())


# --- compiled filters --------------------------------------------------------------------------

SCHEMA_JSON = {"key": "Items", "fields": [{"name": "Code"}, {"name": "Count", "type": "Number"}]}
ROWS = [{"Code": "1", "Count": 1}, {"Code": "True", "Count": 2}, {"Code": "1.5", "Count": 3}]


def _codes(schema: DataExtensionSchema, filter: Any) -> list[str]:
    matches = compile_filter(schema, filter)
    return [row["Code"] for row in ROWS if matches(row)]


def _equals(value: Any, field: str = "Code") -> dict[str, Any]:
    return {"Property": field, "SimpleOperator": "equals", "Value": value}


def test_a_kept_filter_answers_as_a_new_one() -> None:
    schema = DataExtensionSchema.from_json(SCHEMA_JSON, "test")
    first = _codes(schema, _equals("1"))
    assert compile_filter(schema, _equals("1")) is compile_filter(schema, _equals("1"))
    assert _codes(schema, _equals("1")) == first == ["1"]


def test_values_equal_in_python_are_distinct_filters() -> None:
    schema = DataExtensionSchema.from_json(SCHEMA_JSON, "test")
    # 1, True and Decimal 1 are equal in Python; each filter answers as its value's own.
    assert _codes(schema, _equals(True)) == ["True"]
    assert _codes(schema, _equals(1)) == ["1"]
    assert _codes(schema, _equals(1.5)) == ["1.5"]
    assert _codes(schema, _equals("1")) == ["1"]
    with pytest.raises(InvalidFilter, match="not Decimal"):  # equal to 1, yet refused
        compile_filter(schema, _equals(Decimal(1)))
    assert _codes(schema, {"LeftOperand": _equals(1), "LogicalOperator": "OR",
                           "RightOperand": _equals(True)}) == ["1", "True"]


def test_the_same_entries_nested_differently_are_different_filters() -> None:
    schema = DataExtensionSchema.from_json(SCHEMA_JSON, "test")
    both = {"LeftOperand": _equals("1"), "LogicalOperator": "AND",
            "RightOperand": _equals(1, "Count")}
    either = {"LeftOperand": _equals("1"), "LogicalOperator": "OR",
              "RightOperand": _equals(3, "Count")}
    assert _codes(schema, both) == ["1"]
    assert _codes(schema, either) == ["1", "1.5"]


def test_a_refused_filter_is_refused_every_time() -> None:
    schema = DataExtensionSchema.from_json(SCHEMA_JSON, "test")
    for _ in range(2):
        with pytest.raises(InvalidFilter, match="unknown Property 'Nope'"):
            compile_filter(schema, _equals("1", "Nope"))
    assert schema.compiled_filters == {}


def test_the_kept_filters_are_bounded() -> None:
    schema = DataExtensionSchema.from_json(SCHEMA_JSON, "test")
    for number in range(FILTER_CACHE_SIZE * 3):
        compile_filter(schema, _equals(str(number)))
    assert 0 < len(schema.compiled_filters) <= FILTER_CACHE_SIZE


def test_a_large_or_unusual_filter_is_compiled_but_not_kept() -> None:
    schema = DataExtensionSchema.from_json(SCHEMA_JSON, "test")
    wide = {"Property": "Code", "SimpleOperator": "IN", "Value": [str(i) for i in range(500)]}
    assert _codes(schema, wide) == ["1"]
    assert _codes(schema, _equals(("1",)[0])) == ["1"]
    assert schema.compiled_filters and all(len(key) < 250 for key in schema.compiled_filters)


def test_a_redefined_schema_starts_with_no_kept_filters(store: Any) -> None:
    store.retrieve("AppCredentials", _equals("demo-secret", "client_secret"))  # not the key
    assert store.schema("AppCredentials").compiled_filters
    redefined = DataExtensionSchema.from_json(
        {**store.schema("AppCredentials").to_json(), "name": "Renamed"}, "test")
    assert redefined.compiled_filters == {}


# --- the journal -------------------------------------------------------------------------------


def test_a_journal_entry_reads_back_what_was_recorded() -> None:
    journal = Journal(size=3)
    rows = [{"dataExtension": "A", "row": {"x": "1", "n": None, "d": Decimal("2.5")}},
            {"dataExtension": "B", "row": {}}]
    entry_id = journal.record(
        at=0.25, method="POST", path="/p", query_string="a=1", page="token", status=201,
        duration_ms=1.23456, request_headers=(("Host", "h"), ("X", "")),
        request_body="é".encode(), response_headers=[("Content-Type", "text/plain")],
        response_body=b"\xff", rows_written=rows, warnings=["w1", "w2"], error="boom",
        error_file="pages/p.html", error_line=7)
    (entry,) = journal.entries()
    assert entry.to_json() == {
        "id": entry_id, "time": "1970-01-01T00:00:00.250+00:00", "method": "POST",
        "path": "/p", "query_string": "a=1", "page": "token", "status": 201,
        "duration_ms": 1.235, "request_headers": [("Host", "h"), ("X", "")],
        "request_body": "é", "request_body_truncated": False,
        "response_headers": [("Content-Type", "text/plain")], "response_body": "\ufffd",
        "response_body_truncated": False, "rows_written": rows, "warnings": ["w1", "w2"],
        "error": "boom", "error_file": "pages/p.html", "error_line": 7,
        "outcome": "page error: boom", "fault": None,
        "client_id": None, "calls": []}


def test_a_journal_entry_with_nothing_optional() -> None:
    journal = Journal()
    journal.record(at=0.0, method="GET", path="/", query_string="", page=None, status=404,
                   duration_ms=0.0, request_headers=(), request_body=b"", response_headers=(),
                   response_body=b"")
    (entry,) = journal.entries()
    assert (entry.request_headers, entry.response_headers, entry.rows_written,
            entry.warnings, entry.error, entry.page, entry.error_file,
            entry.error_line) == ([], [], [], [], None, None, None, None)


def test_journal_bodies_are_clipped_and_the_ring_is_bounded() -> None:
    journal = Journal(size=2)
    for number in range(3):
        journal.record(at=0.0, method="POST", path=f"/{number}", query_string="", page=None,
                       status=200, duration_ms=0.0, request_headers=(),
                       request_body=b"a" * (BODY_LIMIT + 1), response_headers=(),
                       response_body=b"b" * BODY_LIMIT)
    entries = journal.entries()
    assert [e.path for e in entries] == ["/2", "/1"]
    assert len(entries[0].request_body) == BODY_LIMIT and entries[0].request_body_truncated
    assert len(entries[0].response_body) == BODY_LIMIT
    assert not entries[0].response_body_truncated


def test_a_page_run_leaves_nothing_for_the_garbage_collector(memory_app: Flask) -> None:
    emulator = get_emulator(memory_app)
    snapshot = RequestSnapshot.build("POST", "https://x.example/token", body=token_body(),
                                     headers={"User-Agent": "pytest"})
    page = get_page("token")
    run_page(page, snapshot, emulator.store, emulator.clock, keys=emulator.keys)  # warm
    gc.collect()
    gc.disable()
    try:
        result = run_page(page, snapshot, emulator.store, emulator.clock, keys=emulator.keys)
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert result.status == 200 and json.loads(result.body)["access_token"]
    assert len(result.warnings) == 2  # the AMPscript warning reached the page's list
    assert unreachable == 0
