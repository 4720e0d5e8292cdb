"""Each way in carries a fault out: the mock with real ``requests``, a real server on a free port
(``requests`` and ``urllib``), and the Flask test client, which refuses to drop."""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from conftest import token_body

from emulator.runtime import get_emulator
from emulator.testing.errors import FaultDropped, FaultTimedOut, MockOrderError
from emulator.testing.live import LiveServer
from emulator.testing.mock import mock_marketing_cloud
from emulator.web.faults import DropNotPossible

HOST = "https://cloud.example.com"
JSON = {"Content-Type": "application/json"}


def journal_faults(app: Any) -> list[tuple[int, Any]]:
    return [(entry.status, entry.fault) for entry in get_emulator(app).journal.entries()]


# --- the responses mock ---

@pytest.fixture
def mc() -> Iterator[Any]:
    with mock_marketing_cloud("cloud.example.com") as handle:
        yield handle


def faults_of(handle: Any) -> Any:
    return get_emulator(handle.app).faults


def test_the_mock_answers_a_fault_s_status_body_and_retry_after(mc: Any) -> None:
    faults_of(mc).add("/token", status=503, body={"error": "busy"}, retry_after=4, times=1)
    answer = requests.post(f"{HOST}/token", data=token_body(), headers=JSON)
    assert (answer.status_code, answer.headers["Retry-After"], answer.json()) == (
        503, "4", {"error": "busy"})
    assert requests.post(f"{HOST}/token", data=token_body(), headers=JSON).status_code == 200


def test_the_mock_raises_connection_error_for_a_drop(mc: Any) -> None:
    faults_of(mc).add("/token", drop=True, times=1)
    with pytest.raises(requests.ConnectionError, match="Connection aborted") as dropped:
        requests.post(f"{HOST}/token", data=token_body(), headers=JSON)
    assert isinstance(dropped.value, FaultDropped)
    assert dropped.value.request.url == f"{HOST}/token"
    assert requests.post(f"{HOST}/token", data=token_body(), headers=JSON).status_code == 200
    assert journal_faults(mc.app)[1] == (0, {"id": 1, "did": "dropped the connection"})


def test_a_drop_escaping_the_mock_is_not_taken_for_a_mock_order_error() -> None:
    with pytest.raises(FaultDropped):  # not MockOrderError: the URL did reach the mock
        with mock_marketing_cloud("cloud.example.com") as handle:
            faults_of(handle).add("/token", drop=True)
            requests.post(f"{HOST}/token", data=token_body(), headers=JSON)
    assert not issubclass(FaultDropped, MockOrderError)


def test_a_delay_past_the_client_s_timeout_is_a_read_timeout_in_the_mock(mc: Any) -> None:
    faults_of(mc).add("/token", status=200, body="late", delay=5, times=1)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout) as late:
        requests.post(f"{HOST}/token", data=token_body(), headers=JSON, timeout=(3, 0.2))
    waited = time.monotonic() - started
    assert isinstance(late.value, FaultTimedOut)
    assert 0.2 <= waited < 2  # the client's timeout, not the fault's delay
    status, fault = journal_faults(mc.app)[0]
    assert "the client's read timeout (0.2 s) passed first" in fault["did"]


def test_a_delay_within_the_client_s_timeout_is_answered_late(mc: Any) -> None:
    faults_of(mc).add("/token", status=502, delay=0.2, times=1)
    started = time.monotonic()
    answer = requests.post(f"{HOST}/token", data=token_body(), headers=JSON, timeout=5)
    assert answer.status_code == 502 and time.monotonic() - started >= 0.2


# --- a real server on a free port ---

@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer() as live:
        yield live


@pytest.fixture
def live(server: LiveServer) -> Iterator[LiveServer]:
    yield server
    server.emulator.faults.clear()


def test_the_server_closes_the_connection_for_a_drop_with_requests(live: LiveServer) -> None:
    live.emulator.faults.add("/token", drop=True, times=1)
    with pytest.raises(requests.ConnectionError, match="Remote end closed connection"):
        requests.post(live.url_for("/token"), data=token_body(), headers=JSON)
    assert requests.post(live.url_for("/token"), data=token_body(),
                         headers=JSON).status_code == 200


def test_the_server_closes_the_connection_for_a_drop_with_urllib(live: LiveServer) -> None:
    live.emulator.faults.add("/api", drop=True, times=1)
    with pytest.raises((http.client.RemoteDisconnected, urllib.error.URLError)):
        urllib.request.urlopen(live.url_for("/api"), timeout=5)
    with urllib.request.urlopen(live.url_for("/api"), timeout=5) as answer:
        assert answer.status == 200


def test_the_server_sends_no_byte_before_closing(live: LiveServer) -> None:
    live.emulator.faults.add("/token", drop=True, times=1)
    with socket.create_connection((live.host, live.port), timeout=5) as connection:
        connection.sendall(b"GET /token HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert connection.recv(1024) == b""  # closed, nothing answered


def test_the_server_answers_a_fault_and_delays_it(live: LiveServer) -> None:
    live.emulator.faults.add("/token", status=503, retry_after=2, delay=0.2, times=1)
    started = time.monotonic()
    answer = requests.post(live.url_for("/token"), data=token_body(), headers=JSON)
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "2")
    assert time.monotonic() - started >= 0.2
    live.emulator.faults.add("/token", status=200, delay=2, times=1)
    with pytest.raises(requests.ReadTimeout):
        requests.post(live.url_for("/token"), data=token_body(), headers=JSON, timeout=0.3)


def test_the_server_takes_faults_over_its_admin_api(live: LiveServer) -> None:
    added = requests.post(live.url_for("/_emulator/faults"),
                          json={"path": "/token", "drop": True, "times": 1})
    assert added.status_code == 201
    with pytest.raises(requests.ConnectionError):
        requests.post(live.url_for("/token"), data=token_body(), headers=JSON)
    entries = requests.get(live.url_for("/_emulator/journal")).json()["entries"]
    assert entries[0]["fault"] == {"id": added.json()["id"], "did": "dropped the connection"}
    assert entries[0]["status"] == 0


# --- the Flask test client ---

@pytest.mark.parametrize("testing", [True, False])
def test_the_test_client_refuses_a_drop_clearly(make_app: Any, testing: bool) -> None:
    app = make_app({"TESTING": testing})
    get_emulator(app).faults.add("/token", drop=True)
    with pytest.raises(DropNotPossible, match="fault 1 on /token drops the connection, which the "
                       "Flask test client cannot do: use the mcemu_mock fixture"):
        app.test_client().post("/token", data=token_body(), content_type="application/json")


def test_the_test_client_answers_other_faults(make_app: Any) -> None:
    app = make_app()
    get_emulator(app).faults.add("/token", status=500, body="boom")
    answer = app.test_client().post("/token", data=token_body(), content_type="application/json")
    assert (answer.status_code, answer.text) == (500, "boom")
