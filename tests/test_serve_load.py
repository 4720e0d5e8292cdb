"""``mcemu serve --db`` under load: rows all kept, SIGTERM loses none, SIGKILL a bounded tail."""

from __future__ import annotations

import json
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from conftest import token_body
from test_cli_serve import ServerProcess
from tinydb import TinyDB

from emulator.store.store import Store

CONNECTIONS = 16
FLUSH_INTERVAL = 0.5


@pytest.fixture
def server():
    started: list[ServerProcess] = []

    def start(*args: str) -> ServerProcess:
        process = ServerProcess(*args)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.process.poll() is None:
            process.process.kill()
        process.process.communicate(timeout=10)
        if not process.log.closed:
            process.log.close()


def log_rows(path: Path) -> int:
    with Store.open(path) as store:
        return store.count("HTTPProperties")


class Load:
    """16 connections posting /token until stopped; counts the answers by status."""

    def __init__(self, url: str, limit: int) -> None:
        self.url, self.limit = url, limit
        self.statuses: list[int] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._sent = 0
        self.started = time.monotonic()

    def _next(self) -> bool:
        with self._lock:
            if self.stop.is_set() or self._sent >= self.limit:
                return False
            self._sent += 1
            return True

    def client(self, _: int) -> None:
        with requests.Session() as session:
            while self._next():
                try:
                    answer = session.post(f"{self.url}/token", data=token_body(), timeout=30)
                except requests.RequestException:
                    return  # the server went away
                with self._lock:
                    self.statuses.append(answer.status_code)

    def answered(self) -> int:
        with self._lock:
            return len(self.statuses)


@pytest.mark.slow
def test_2000_posts_over_16_connections_keep_2000_rows(server, tmp_path: Path) -> None:
    path = tmp_path / "load.json"
    emu = server("--db", str(path), "--quiet")
    load = Load(emu.url, 2000)
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        list(pool.map(load.client, range(CONNECTIONS)))
    assert load.statuses.count(200) == 2000 and len(load.statuses) == 2000
    assert emu.stop()[0] == 0
    with TinyDB(path) as db:  # loadable by plain TinyDB, journal folded in
        assert len(db.table("HTTPProperties")) == 2000
    assert not path.with_name(path.name + ".journal").exists()


@pytest.mark.slow
@pytest.mark.parametrize(("how", "durable"), [("SIGTERM", False), ("SIGKILL", False),
                                             ("SIGKILL", True)])
def test_a_stop_under_load_keeps_what_it_should(server, tmp_path: Path, how: str,
                                                durable: bool) -> None:
    path = tmp_path / "stop.json"
    emu = server("--db", str(path), "--quiet", "--flush-interval", str(FLUSH_INTERVAL),
                 *(["--durable"] if durable else []))
    load = Load(emu.url, 100_000)
    pool = ThreadPoolExecutor(max_workers=CONNECTIONS)
    futures = [pool.submit(load.client, n) for n in range(CONNECTIONS)]
    while load.answered() < 600 and not any(f.done() for f in futures):
        time.sleep(0.01)
    rate = load.answered() / (time.monotonic() - load.started)
    emu.process.send_signal(getattr(signal, how))
    emu.process.communicate(timeout=30)
    load.stop.set()
    pool.shutdown(wait=True)
    assert all(status == 200 for status in load.statuses)
    answered = len(load.statuses)
    kept = log_rows(path)
    if how == "SIGTERM" or durable:
        assert kept >= answered  # a clean stop, or --durable, loses nothing acknowledged
    else:
        assert answered - kept <= rate * FLUSH_INTERVAL, (answered, kept, rate)
    json.loads(path.read_text(encoding="utf-8"))  # the snapshot itself is whole


@pytest.mark.slow
def test_a_second_server_on_the_same_file_exits_2_and_the_first_carries_on(
        server, tmp_path: Path) -> None:
    import subprocess

    from test_cli_serve import MCEMU

    path = tmp_path / "shared.json"
    first = server("--db", str(path), "--quiet")
    assert requests.post(f"{first.url}/token", data=token_body(), timeout=10).ok
    second = subprocess.run([MCEMU, "serve", "--port", "0", "--db", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 2
    assert f"Database file {path} is in use by another process" in second.stderr
    assert requests.post(f"{first.url}/token", data=token_body(), timeout=10).ok
    assert first.stop()[0] == 0
    assert log_rows(path) == 2
