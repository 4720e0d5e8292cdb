"""Verification helpers (``calls``, ``assert_called``, ``assert_not_called``) through every way in,
and the journal's filters on the admin API.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest
import requests
from conftest import token_body

from emulator.testing import (
    Call,
    CallFilterError,
    EmulatorHandle,
    LiveServer,
    MockError,
    MockHandle,
    mock_marketing_cloud,
)

HOST = "https://cloud.example.com"
ISSUER = f"{HOST}/jwt-issuer"
TOKEN_BODY = json.loads(token_body())


@pytest.fixture
def mc() -> Any:
    with mock_marketing_cloud({ISSUER: "token"}) as handle:
        yield handle


# --- calls ---------------------------------------------------------------------------------------

def test_calls_are_every_answered_request_oldest_first_with_what_it_did(mc: MockHandle) -> None:
    requests.get(ISSUER + "?probe=1")
    requests.post(ISSUER, json=TOKEN_BODY)
    requests.post(ISSUER, data=b"not json")
    first, second, third = mc.calls
    assert (first.method, first.path, first.query, first.status) == ("GET", "/jwt-issuer",
                                                                     "probe=1", 200)
    assert first.body == "" and first.json is None and first.rows_written
    assert (second.method, second.status, second.json) == ("POST", 200, TOKEN_BODY)
    assert json.loads(second.body) == TOKEN_BODY
    assert [row["dataExtension"] for row in second.rows_written] == ["HTTPProperties"]
    # The seed page signs the request body itself: the journal warns that the secret is in it.
    assert any("client_secret" in warning for warning in second.warnings), second.warnings
    assert isinstance(second.warnings, tuple) and second.fault is None
    assert third.json is None and third.body == "not json"
    assert [call.id for call in mc.calls] == sorted(call.id for call in mc.calls)
    assert str(first) == "GET /jwt-issuer?probe=1 → 200"
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.status = 500  # type: ignore[misc]


def test_a_call_answered_by_a_fault_carries_it(mc: MockHandle) -> None:
    mc.faults.add("/jwt-issuer", status=503, times=1)
    requests.post(ISSUER, json=TOKEN_BODY)
    requests.post(ISSUER, json=TOKEN_BODY)
    faulted, served = mc.assert_called("/jwt-issuer", method="POST", times=2)
    assert faulted.status == 503 and faulted.fault is not None
    assert faulted.json == TOKEN_BODY  # what the client sent, though the page never ran
    assert "503" in str(faulted.fault)
    assert served.status == 200 and served.fault is None
    assert served in mc.assert_called("/jwt-issuer", json=TOKEN_BODY)


def test_calls_are_read_from_the_journal_so_a_cleared_journal_has_none(mc: MockHandle) -> None:
    requests.post(ISSUER, json=TOKEN_BODY)
    assert len(mc.calls) == 1
    mc.reset(journal=True)
    assert mc.calls == []


# --- assert_called / assert_not_called -----------------------------------------------------------

def test_assert_called_passes_and_returns_the_matching_calls(mc: MockHandle) -> None:
    requests.post(ISSUER, json=TOKEN_BODY)
    requests.get(ISSUER)
    requests.post(ISSUER, json={**TOKEN_BODY, "client_id": "other"})
    assert len(mc.assert_called("/jwt-issuer")) == 3
    assert len(mc.assert_called("/jwt-issuer", times=3)) == 3
    assert [c.method for c in mc.assert_called("/jwt-issuer", method="get", times=1)] == ["GET"]
    (matched,) = mc.assert_called("/jwt-issuer", method="POST", json=TOKEN_BODY, times=1)
    assert matched.json == TOKEN_BODY
    mc.assert_not_called("/token")


def test_a_path_never_called_fails_and_says_nothing_was_answered(mc: MockHandle) -> None:
    with pytest.raises(AssertionError) as failure:
        mc.assert_called("/token")
    assert str(failure.value) == ("Expected a request to /token to be called at least once; it "
                                  "was called 0 times.\nNo request was answered.")


def test_a_wrong_count_fails_and_lists_the_calls_newest_last(mc: MockHandle) -> None:
    requests.get(ISSUER)
    requests.post(ISSUER, json=TOKEN_BODY)
    with pytest.raises(AssertionError) as failure:
        mc.assert_called("/jwt-issuer", times=3)
    assert str(failure.value).splitlines() == [
        "Expected a request to /jwt-issuer to be called exactly 3 times; it was called 2 times.",
        "Calls (oldest first, newest last):",
        "  GET /jwt-issuer → 200",
        "  POST /jwt-issuer → 200",
    ]


def test_a_path_called_with_another_method_says_which(mc: MockHandle) -> None:
    requests.get(ISSUER)
    requests.get(ISSUER)
    with pytest.raises(AssertionError) as failure:
        mc.assert_called("/jwt-issuer", method="post")
    lines = str(failure.value).splitlines()
    assert lines[0] == ("Expected POST /jwt-issuer to be called at least once; it was called "
                        "0 times.")
    assert lines[1] == "/jwt-issuer was called 2 times, but with GET, not POST."


def test_a_path_called_with_another_body_says_so_and_shows_the_newest(mc: MockHandle) -> None:
    requests.post(ISSUER, json={**TOKEN_BODY, "client_id": "first"})
    requests.post(ISSUER, json={"client_id": "second"})
    requests.post(ISSUER, json=TOKEN_BODY)
    with pytest.raises(AssertionError) as failure:
        mc.assert_called("/jwt-issuer", method="POST", json=TOKEN_BODY, times=2)
    lines = str(failure.value).splitlines()
    assert lines[0].startswith("Expected POST /jwt-issuer with the JSON body {")
    assert lines[0].endswith("to be called exactly 2 times; it was called once.")
    assert lines[1] == ('2 other POST(s) to /jwt-issuer had another body; the newest: '
                        '{"client_id": "second"}.')


def test_json_is_compared_as_json_not_as_python(mc: MockHandle) -> None:
    requests.post(ISSUER, data=b'{"flag": true, "n": 1, "x": 2.0}')
    mc.assert_called("/jwt-issuer", json={"flag": True, "n": 1.0, "x": 2})
    with pytest.raises(AssertionError):
        mc.assert_called("/jwt-issuer", json={"flag": 1, "n": 1, "x": 2})
    with pytest.raises(AssertionError) as failure:
        mc.assert_called("/jwt-issuer", json='{"flag": true, "n": 1, "x": 2.0}')
    assert "pass a dict or list, not JSON text" in str(failure.value)


def test_the_listing_is_bounded_to_the_newest_twenty_calls(mc: MockHandle) -> None:
    for number in range(25):
        requests.get(f"{ISSUER}?n={number}")
    with pytest.raises(AssertionError) as failure:
        mc.assert_called("/jwt-issuer", method="DELETE")
    lines = str(failure.value).splitlines()
    assert "  … 5 earlier call(s) not shown" in lines
    listed = [line for line in lines if line.startswith("  GET")]
    assert len(listed) == 20
    assert listed[0] == "  GET /jwt-issuer?n=5 → 200"
    assert listed[-1] == "  GET /jwt-issuer?n=24 → 200"


def test_assert_not_called_fails_with_the_count_and_the_listing(mc: MockHandle) -> None:
    requests.post(ISSUER, json=TOKEN_BODY)
    with pytest.raises(AssertionError) as failure:
        mc.assert_not_called("/jwt-issuer")
    assert str(failure.value).splitlines() == [
        "Expected no request to /jwt-issuer; it was called once.",
        "Calls (oldest first, newest last):",
        "  POST /jwt-issuer → 200",
    ]


def test_a_full_journal_is_named_in_the_message() -> None:
    with mock_marketing_cloud("cloud.example.com", journal_size=3) as small:
        for _ in range(5):
            requests.get(f"{HOST}/token")
        assert len(small.calls) == 3
        with pytest.raises(AssertionError) as failure:
            small.assert_called("/token", times=5)
    message = str(failure.value)
    assert "it was called 3 times" in message
    assert "keeps the last 3 requests and is full" in message


def test_a_path_called_counts_as_known_though_no_page_serves_it(mcemu_client: Any,
                                                                 mcemu_handle: Any) -> None:
    with pytest.raises(CallFilterError):
        mcemu_handle.assert_not_called("/nowhere-else")
    assert mcemu_client.get("/nowhere-else").status_code == 404  # the emulator's no_page
    (call,) = mcemu_handle.assert_called("/nowhere-else", times=1)
    assert call.status == 404
    with pytest.raises(AssertionError, match="Expected no request to /nowhere-else"):
        mcemu_handle.assert_not_called("/nowhere-else")


# --- bad input: the test is wrong, not the client ------------------------------------------------

def test_a_path_no_page_serves_is_a_usage_error_naming_the_served_paths(mc: MockHandle) -> None:
    for check in (mc.assert_called, mc.assert_not_called):
        with pytest.raises(CallFilterError) as error:
            check("/tokn")
        assert not isinstance(error.value, AssertionError)
        assert isinstance(error.value, (MockError, ValueError))
        assert str(error.value) == ("no page is served at '/tokn', so no call can reach it; "
                                    "served paths: /api, /jwt-issuer, /token, /token/hardened")


@pytest.mark.parametrize(("path", "says"), [
    ("/jwt-issuer?a=1", "'/jwt-issuer?a=1': paths are matched without a query string; give "
                        "'/jwt-issuer' and check call.query in calls"),
    ("jwt-issuer", "a path starts with '/': '/jwt-issuer', not 'jwt-issuer'"),
    (ISSUER + "?x=1", "give the path, not the URL: '/jwt-issuer' rather than "
                      "'https://cloud.example.com/jwt-issuer?x=1'"),
    (None, "the path is text such as '/token', not None (NoneType)"),
    (b"/token", "the path is text such as '/token', not b'/token' (bytes)"),
])
def test_malformed_paths_are_refused(mc: MockHandle, path: Any, says: str) -> None:
    with pytest.raises(CallFilterError) as error:
        mc.assert_called(path)
    assert str(error.value) == says
    with pytest.raises(CallFilterError):
        mc.assert_not_called(path)


@pytest.mark.parametrize(("times", "says"), [
    (0, "times=0 is not accepted: use assert_not_called(path)"),
    (-1, "times is a whole number from 1, not -1"),
    (1.0, "not 1.0 (float)"),
    ("2", "not '2' (str)"),
    (True, "not True (bool)"),
])
def test_bad_times_are_refused(mc: MockHandle, times: Any, says: str) -> None:
    requests.post(ISSUER, json=TOKEN_BODY)
    with pytest.raises(CallFilterError, match=re.escape(says)):
        mc.assert_called("/jwt-issuer", times=times)


@pytest.mark.parametrize("method", ["", "PO ST", 1, "GET\n", "x" * 40])
def test_bad_methods_are_refused(mc: MockHandle, method: Any) -> None:
    with pytest.raises(CallFilterError, match="method is an HTTP method name such as 'POST'"):
        mc.assert_called("/jwt-issuer", method=method)


@pytest.mark.parametrize("body", [{1, 2}, {"a": object()}, {1: "x"}, [b"bytes"]])
def test_json_that_is_not_json_data_is_refused(mc: MockHandle, body: Any) -> None:
    with pytest.raises(CallFilterError, match="json="):
        mc.assert_called("/jwt-issuer", json=body)


# --- every way in ---------------------------------------------------------------------------

def test_the_test_client_with_mcemu_handle(mcemu_client: Any, mcemu_handle: Any) -> None:
    assert isinstance(mcemu_handle, EmulatorHandle) and not isinstance(mcemu_handle, MockHandle)
    mcemu_handle.assert_not_called("/token")
    assert mcemu_client.post("/token", data=token_body()).status_code == 200
    (call,) = mcemu_handle.assert_called("/token", method="post", json=TOKEN_BODY, times=1)
    assert call.rows_written and isinstance(call, Call)
    mcemu_handle.clock.advance(10)
    assert mcemu_handle.clock.frozen is not None
    with pytest.raises(CallFilterError, match="served paths: /api, /token, /token/hardened"):
        mcemu_handle.assert_called("/jwt-issuer")


def test_a_live_server_has_a_handle_over_real_http() -> None:
    with LiveServer({"mount": ["/jwt-issuer=token"]}) as server:
        handle = server.handle
        assert isinstance(handle, EmulatorHandle)
        requests.post(server.url_for("/jwt-issuer?from=live"), json=TOKEN_BODY, timeout=10)
        requests.get(server.url_for("/token"), timeout=10)
        (call,) = handle.assert_called("/jwt-issuer", method="POST", times=1)
        assert call.query == "from=live" and call.json == TOKEN_BODY
        with pytest.raises(AssertionError, match=r"but with GET, not POST"):
            handle.assert_called("/token", method="POST")
        assert [str(c) for c in handle.calls] == ["POST /jwt-issuer?from=live → 200",
                                                 "GET /token → 200"]


def test_the_mcemu_mock_fixture_has_the_helpers(mcemu_mock: MockHandle) -> None:
    requests.post(mcemu_mock.url_for("/token"), json=TOKEN_BODY)
    mcemu_mock.assert_called("/token", times=1)
    with pytest.raises(AssertionError, match="Expected no request to /token; it was called once"):
        mcemu_mock.assert_not_called("/token")


# --- the journal's filters on the admin API -----------------------------------------------

@pytest.fixture
def journaled(memory_app: Any) -> Any:
    """A test client whose journal holds GET /token (200), 2 x POST /token, POST /nowhere (404)."""
    client = memory_app.test_client()
    client.get("/token")
    client.post("/token", data=token_body())
    client.post("/token", data=b"")
    client.post("/nowhere", data=b"")
    return client


def _journal(client: Any, query: str) -> Any:
    answer = client.get("/_emulator/journal" + query)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_the_journal_filters_by_path_method_and_status(journaled: Any) -> None:
    everything = _journal(journaled, "")
    assert everything["total"] == everything["count"] == len(everything["entries"]) == 4
    posts = _journal(journaled, "?method=post&path=/token")
    assert posts["total"] == 4 and posts["count"] == 2
    assert {(e["method"], e["path"]) for e in posts["entries"]} == {("POST", "/token")}
    missing = _journal(journaled, "?status=404")
    assert [e["path"] for e in missing["entries"]] == ["/nowhere"] and missing["count"] == 1
    assert _journal(journaled, "?path=/token&status=404")["entries"] == []
    assert _journal(journaled, "?path=&method=&status=")["count"] == 4  # empty: no filter


def test_the_journal_count_alone_and_the_limit_after_the_filter(journaled: Any) -> None:
    assert _journal(journaled, "?count=true&path=/token") == {"total": 4, "count": 3}
    assert _journal(journaled, "?count=1") == {"total": 4, "count": 4}
    limited = _journal(journaled, "?path=/token&limit=1")
    assert limited["count"] == 3 and len(limited["entries"]) == 1
    assert limited["entries"][0]["method"] == "POST"  # the newest first


@pytest.mark.parametrize(("query", "says"), [
    ("?status=abc", "?status='abc': expected an HTTP status, a number from 100 to 599"),
    ("?status=600", "?status='600': expected an HTTP status, a number from 100 to 599"),
    ("?status=2OO", "?status='2OO'"),
    ("?method=P%20ST", "?method='P ST': expected an HTTP method name such as POST"),
    ("?path=token", "?path='token': a path starts with '/', such as /token"),
    ("?path=/token%3Fa%3D1", "without a query string"),
    ("?count=maybe", "?count='maybe': expected true or false"),
    ("?limit=0", "?limit=0: expected a number from 1 to 500"),
    ("?stauts=200", "the journal takes no ?'stauts'; its parameters are ?limit, ?path, "
                    "?method, ?status, ?count"),
])
def test_bad_journal_queries_are_400_with_a_clear_message(journaled: Any, query: str,
                                                           says: str) -> None:
    answer = journaled.get("/_emulator/journal" + query)
    assert answer.status_code == 400
    assert answer.json["emulator_error"] == "bad_request"
    assert says in answer.json["message"]
