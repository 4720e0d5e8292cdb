"""``mcemu serve`` under hostile load: idle connections, endless pages, a stop, large bodies.

Every test talks to a real server on 127.0.0.1 with short limits, bounds its own count and time,
and leaves no process behind (the ``server`` fixture kills what is left). Deadlines are generous:
each one separates the behaviour from its failure (a wait of the idle timeout, the page limit or
a whole upload), not a fast machine from a slow one.
"""

from __future__ import annotations

import json
import select
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from conftest import MCEMU, token_body
from tinydb import TinyDB

from emulator.ssjs.admission import QUEUE_WAIT

LOOP_PAGE = '<script runat="server">while (true) {}</script>'


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


@contextmanager
def _idle_connections(url: str, count: int) -> Iterator[list[socket.socket]]:
    """Open ``count`` TCP connections that send nothing; close them on the way out."""
    opened: list[socket.socket] = []
    try:
        for _ in range(count):
            opened.append(socket.create_connection(_address(url), timeout=10))
        yield opened
    finally:
        for connection in opened:
            connection.close()


def _token(url: str, timeout: float) -> requests.Response:
    return requests.post(f"{url}/token", data=token_body(), timeout=timeout,
                         headers={"Content-Type": "application/json", "Connection": "close"})


def _answer(connection: socket.socket, seconds: float) -> bytes:
    """Read what the server sends within ``seconds``, until it closes the connection."""
    connection.settimeout(seconds)
    data = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = connection.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    return data


def _closed_by_server(connection: socket.socket, seconds: float) -> bool:
    """Return whether the server closes ``connection`` within ``seconds`` (reading what is left)."""
    connection.settimeout(seconds)
    try:
        while connection.recv(65536):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


def _status_and_json(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def _pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "loop.html").write_text(LOOP_PAGE, encoding="utf-8")
    return folder


# --- connections ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_new_client_is_served_while_150_idle_connections_are_open(server) -> None:
    emu = server("--quiet", "--connection-limit", "200", "--idle-timeout", "120")
    with _idle_connections(emu.url, 150):
        started = time.monotonic()
        answer = _token(emu.url, timeout=30)
        waited = time.monotonic() - started
    assert answer.status_code == 200
    # waitress's own limit of 100 would keep this client out until an idle one timed out
    assert waited < 5, waited


@pytest.mark.slow
def test_past_the_connection_limit_a_client_waits_for_an_idle_one_to_time_out(server) -> None:
    idle_timeout = 3
    emu = server("--quiet", "--connection-limit", "5", "--idle-timeout", str(idle_timeout))
    with _idle_connections(emu.url, 5) as idle:
        for connection in idle:  # each one served once, then kept open: accepted for sure
            connection.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            connection.settimeout(10)
            assert connection.recv(65536).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        sixth = socket.create_connection(_address(emu.url), timeout=10)
        with sixth:
            sixth.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Connection: close\r\n\r\n")
            # Queued by the kernel, not refused: no answer while the five are fresh ...
            assert select.select([sixth], [], [], 1.0)[0] == []
            answer = _answer(sixth, idle_timeout + 30)
        waited = time.monotonic() - started
        # ... then served once the server has closed the idle five.
        assert answer.startswith(b"HTTP/1.1 200"), answer[:100]
        assert waited >= idle_timeout - 1, waited
        assert all(_closed_by_server(connection, 10) for connection in idle)


@pytest.mark.slow
def test_a_connection_limit_past_the_open_files_limit_is_lowered_and_said(
        server, tmp_path: Path) -> None:
    script = tmp_path / "mcemu-few-files"
    script.write_text(f'#!/bin/sh\nulimit -n 100 || exit 3\nexec "{MCEMU}" "$@"\n')
    script.chmod(0o755)
    emu = server("--connection-limit", "1000", mcemu=str(script))
    with _idle_connections(emu.url, 20):
        assert _token(emu.url, timeout=30).status_code == 200
    code, _, log = emu.stop()
    assert code == 0
    assert "--connection-limit 1000 lowered to 36" in log


# --- SSJS pages hold their own threads ------------------------------------------------------


@pytest.mark.slow
def test_endless_pages_leave_token_and_admin_api_answering(server, tmp_path: Path) -> None:
    limit = 5.0
    emu = server("--quiet", "--pages", str(_pages(tmp_path)), env={"MCEMU_SSJS_TIMEOUT": "5"})
    hostile: list[tuple[int, float, str | None]] = []
    lock = threading.Lock()

    def visit() -> None:
        started = time.monotonic()
        answer = requests.get(f"{emu.url}/loop", timeout=30)
        with lock:
            hostile.append((answer.status_code, time.monotonic() - started,
                            answer.headers.get("Retry-After")))

    visitors = [threading.Thread(target=visit) for _ in range(4)]
    for visitor in visitors:
        visitor.start()
    time.sleep(0.5)  # two pages run, two wait for a worker
    started = time.monotonic()
    token = _token(emu.url, timeout=30)
    health = requests.get(f"{emu.url}/_emulator/health", timeout=30)
    meanwhile = time.monotonic() - started
    for visitor in visitors:
        visitor.join(60)
    assert (token.status_code, health.status_code) == (200, 200)
    # Before the bound, the four pages held every thread until the page limit.
    assert meanwhile < limit - 2, meanwhile
    statuses = sorted(status for status, _, _ in hostile)
    assert statuses == [408, 408, 503, 503], hostile
    assert all(retry == "1" for status, _, retry in hostile if status == 503)
    assert all(took < limit + 2 for status, took, _ in hostile if status == 408), hostile
    assert all(took < QUEUE_WAIT + 2 for status, took, _ in hostile if status == 503), hostile
    entries = requests.get(f"{emu.url}/_emulator/journal", timeout=10).json()["entries"]
    busy = [entry for entry in entries if entry["path"] == "/loop" and entry["status"] == 503]
    assert len(busy) == 2 and all(entry["error"] for entry in busy)


# --- stop -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_sigterm_during_an_endless_page_stops_within_the_drain_and_keeps_rows(
        server, tmp_path: Path) -> None:
    drain = 2.0
    path = tmp_path / "stop.json"
    emu = server("--quiet", "--db", str(path), "--pages", str(_pages(tmp_path)),
                 "--drain-timeout", str(drain), env={"MCEMU_SSJS_TIMEOUT": "60"})
    answered = sum(_token(emu.url, timeout=30).status_code == 200 for _ in range(20))
    assert answered == 20
    outcome: list[object] = []

    def visit() -> None:
        try:
            outcome.append(requests.get(f"{emu.url}/loop", timeout=30).status_code)
        except requests.RequestException as error:
            outcome.append(error)

    visitor = threading.Thread(target=visit)
    visitor.start()
    time.sleep(1.0)  # the page runs
    started = time.monotonic()
    emu.process.send_signal(signal.SIGTERM)
    emu.process.communicate(timeout=60)
    stopped = time.monotonic() - started
    visitor.join(30)
    assert emu.process.returncode == 0
    # Before --drain-timeout the stop waited 10 s for the page's thread, then 2 s per worker.
    assert stopped < drain + 2, stopped
    assert outcome and outcome[0] != 200  # the page never finished; its client was let go
    with TinyDB(path) as db:
        assert len(db.table("HTTPProperties")) >= answered
    assert not path.with_name(path.name + ".journal").exists()


# --- large bodies ---------------------------------------------------------------------------

MAX_BODY = 10_000


@pytest.fixture
def small_body_server(server):
    return server("--quiet", "--max-body", str(MAX_BODY))


def _declared(url: str, path: str, length: int, extra: bytes = b"") -> bytes:
    """Send headers declaring ``length`` body bytes and only a few of them; return the answer."""
    with socket.create_connection(_address(url), timeout=10) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                           f"application/json\r\nContent-Length: {length}\r\n".encode()
                           + extra + b"\r\n{\"a\":")
        return _answer(connection, 10)


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/token", "/_emulator/seed"])
def test_a_declared_200_mb_body_is_refused_before_it_is_sent(small_body_server,
                                                             path: str) -> None:
    raw = _declared(small_body_server.url, path, 200_000_000)
    status, body = _status_and_json(raw)
    assert status == 413 and body["emulator_error"] == "body_too_large"
    assert body["limit"] == (MAX_BODY if path == "/token" else 64 * 1024 * 1024)
    assert b"connection: close" in raw.lower()  # and the server closed it: _answer returned


@pytest.mark.slow
def test_a_body_over_max_body_is_refused_from_its_headers_even_with_expect(
        small_body_server) -> None:
    raw = _declared(small_body_server.url, "/token", MAX_BODY + 1, b"Expect: 100-continue\r\n")
    assert raw.startswith(b"HTTP/1.1 413")  # no "100 Continue" inviting the body first
    status, body = _status_and_json(raw)
    assert body["message"].startswith(f"The request body is {MAX_BODY + 1} bytes")


@pytest.mark.slow
def test_a_chunked_body_is_cut_once_it_passes_the_limit(small_body_server) -> None:
    url = small_body_server.url
    sent = 0
    with socket.create_connection(_address(url), timeout=10) as connection:
        connection.sendall(b"POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                           b"application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b"x" * 1000
        while sent < 100 * MAX_BODY:
            if select.select([connection], [], [], 0.05)[0]:
                break  # the server answered
            try:
                connection.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        raw = _answer(connection, 10)
    status, body = _status_and_json(raw)
    assert status == 413 and body["emulator_error"] == "body_too_large"
    assert sent < 20 * MAX_BODY, sent  # cut near the limit, not after the whole upload


@pytest.mark.slow
def test_bodies_under_the_limit_still_work_plain_and_chunked(small_body_server) -> None:
    url = small_body_server.url
    assert _token(url, timeout=30).status_code == 200

    def chunks() -> Iterator[bytes]:
        body = token_body()
        yield body[:10]
        yield body[10:]

    answer = requests.post(f"{url}/token", data=chunks(), timeout=30,
                           headers={"Content-Type": "application/json"})
    assert answer.status_code == 200 and "access_token" in answer.json()
    # a body just over the limit: the same JSON refusal as the app gives
    over = requests.post(f"{url}/token", data=b"x" * (MAX_BODY + 1), timeout=30,
                         headers={"Content-Type": "application/json"})
    assert over.status_code == 413 and over.json()["limit"] == MAX_BODY


def test_large_blocks_go_back_to_the_os_on_glibc() -> None:
    """mcemu serve fixes glibc's mmap threshold, so a 5 MB body does not stay resident."""
    import platform

    from emulator.web.memory import return_large_blocks_to_the_os

    expected = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert return_large_blocks_to_the_os() is expected
