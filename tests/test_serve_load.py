"""``mcemu serve --db`` under load: rows all kept, SIGTERM loses none, SIGKILL a bounded tail."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from conftest import MCEMU, token_body
from tinydb import TinyDB

from emulator.store.store import Store

CONNECTIONS = 16
FLUSH_INTERVAL = 0.5
#: How long the flusher may take to hand changes to the OS on a loaded machine: generous, so the
#: test checks that it happens without a stop, never how fast (scripts/bench.py stop measures that)
FLUSH_DEADLINE = 30.0


def log_rows(path: Path) -> int:
    with Store.open(path) as store:
        return store.count("HTTPProperties")


def journal_rows(path: Path) -> int:
    """Return how many HTTPProperties rows the complete lines of ``path``'s journal put."""
    journal = path.with_name(path.name + ".journal")
    try:
        data = journal.read_bytes()
    except FileNotFoundError:
        return 0
    complete = data[:data.rfind(b"\n") + 1]  # a torn last line is not on disk yet
    return len({op[2] for line in complete.splitlines() for op in json.loads(line)
                if op[0] == "put" and op[1] == "HTTPProperties"})


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; return whether it held."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


class Load:
    """16 connections posting /token until stopped; counts the answers by status."""

    def __init__(self, url: str, limit: int) -> None:
        self.url, self.limit = url, limit
        self.statuses: list[int] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._sent = 0

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
    before = Load(emu.url, 300)
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        list(pool.map(before.client, range(CONNECTIONS)))
    assert before.statuses == [200] * 300
    # The flusher hands every acknowledged change to the OS while the server runs, with no stop
    # or close (these 300 lines fit the 1 MB write buffer: only the flusher writes them out).
    assert wait_for(lambda: journal_rows(path) >= 300, FLUSH_DEADLINE), journal_rows(path)
    load = Load(emu.url, 100_000)
    pool = ThreadPoolExecutor(max_workers=CONNECTIONS)
    futures = [pool.submit(load.client, n) for n in range(CONNECTIONS)]
    wait_for(lambda: load.answered() >= 300 or any(f.done() for f in futures), 120)
    on_disk = journal_rows(path)  # what the OS holds before the signal: SIGKILL keeps it all
    emu.process.send_signal(getattr(signal, how))
    emu.process.communicate(timeout=60)
    load.stop.set()
    pool.shutdown(wait=True)
    assert all(status == 200 for status in load.statuses)
    answered = len(before.statuses) + len(load.statuses)
    kept = log_rows(path)
    if how == "SIGTERM" or durable:
        assert kept >= answered  # a clean stop, or --durable, loses nothing acknowledged
    else:
        # A hard kill loses at most what was acknowledged since the flusher's last round.
        assert kept >= on_disk >= 300, (answered, kept, on_disk)
    json.loads(path.read_text(encoding="utf-8"))  # the snapshot itself is whole


@pytest.mark.slow
def test_a_second_server_on_the_same_file_exits_2_and_the_first_carries_on(
        server, tmp_path: Path) -> None:
    import subprocess

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
