"""A write is answered only when it is kept: a full disk or a read-only file refuses the change.

The disk is filled without privileges: a seam (every byte of the ``--db`` file and its journal
goes through ``SnapshotFile._write`` and ``_fsync``) raises ``ENOSPC``/``EIO``, and an ``mcemu
serve`` child runs under ``RLIMIT_FSIZE`` (Python ignores SIGXFSZ, so its writes fail with
``EFBIG``). Whatever fails, the change is not in memory, the request is refused with 507, reads
keep working, and the file holds exactly the changes that were answered as done.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import tinydb
from flask import Flask

from emulator.errors import StoreWriteFailed
from emulator.runtime import get_emulator
from emulator.store.persistence import SnapshotFile
from emulator.store.schema import DataExtensionSchema
from emulator.store.store import Store
from tests.conftest import MCEMU, token_body

PEOPLE = DataExtensionSchema.from_json({"key": "People", "fields": [
    {"name": "Email", "primaryKey": True}, {"name": "Name"}]}, "test")
RECENT = DataExtensionSchema.from_json({"key": "Recent", "fields": [{"name": "N"}],
                                        "retention": {"maxRows": 3}}, "test")
AGED = DataExtensionSchema.from_json({"key": "Aged", "fields": [{"name": "N"}],
                                      "retention": {"maxAgeDays": 1}}, "test")
LOG = DataExtensionSchema.from_json({"key": "Log", "fields": [{"name": "Line"}]}, "test")
NOW = 1_000_000.0


def no_space() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class Disk:
    """The disk under every --db file: room for ``room`` more bytes (None: plenty)."""

    def __init__(self) -> None:
        self.room: int | None = None
        self.fsync_fails = False

    def write(self, fd: int, data: Any) -> int:
        if self.room is not None:
            if self.room <= 0:
                raise no_space()
            data = data[:self.room]  # a short write, as a disk filling up gives
            self.room -= len(data)
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        if self.fsync_fails:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        os.fsync(fd)


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> Disk:
    seam = Disk()
    monkeypatch.setattr(SnapshotFile, "_write", staticmethod(seam.write))
    monkeypatch.setattr(SnapshotFile, "_fsync", staticmethod(seam.fsync))
    return seam


def journal_of(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def file_document(path: Path) -> dict[str, Any]:
    """The --db file as plain TinyDB sees it (after a clean close: no journal left)."""
    assert not journal_of(path).exists()
    return json.loads(path.read_text())


def lines_in(path: Path) -> list[str]:
    """The Log rows of the --db file, read by plain TinyDB."""
    with tinydb.TinyDB(path) as db:
        return [row["Line"] for row in db.table("Log").all()]


def by_email(email: str) -> dict[str, str]:
    return {"Property": "Email", "SimpleOperator": "equals", "Value": email}


@dataclass
class Definition:
    schema: DataExtensionSchema
    rows: list[dict[str, Any]] = field(default_factory=list)


def prepare(store: Store) -> None:
    store.now = lambda: NOW
    store.create(PEOPLE, [{"Email": f"{n}@x", "Name": f"P{n}"} for n in range(4)])
    store.create(RECENT, [{"N": str(n)} for n in range(3)])
    store.create(AGED, [{"N": "0"}])
    store.delete_rows("People", by_email("3@x"))  # TinyDB's next id is now past the last row


def add_after(store: Store) -> None:
    """Add a row to each DE the tests look at, to show which document ids come next."""
    for key, row in (("Log", {"Line": "after"}), ("People", {"Email": "z@x"})):
        if store.has(key):
            store.add_rows(key, [row])


# Every kind of change, each of which the disk refuses once in the test below.
CHANGES: dict[str, Callable[[Store], Any]] = {
    "add": lambda s: s.add_rows("People", [{"Email": "new@x", "Name": "New"}]),
    "add past maxRows": lambda s: s.add_rows("Recent", [{"N": "3"}, {"N": "4"}]),
    "add with created times": lambda s: s.add_rows("Aged", [{"N": "1"}]),
    "update": lambda s: s.update_rows("People", by_email("1@x"), {"Name": "Changed"}),
    "upsert": lambda s: s.upsert_rows("People", [{"Email": "0@x", "Name": "Up"},
                                                 {"Email": "9@x", "Name": "Nine"}]),
    "delete the first row": lambda s: s.delete_rows("People", by_email("0@x")),
    "replace rows": lambda s: s.replace_rows("People", [{"Email": "r@x", "Name": "R"}]),
    "create": lambda s: s.create(LOG, [{"Line": "a"}]),
    "create over an existing DE": lambda s: s.create(PEOPLE, [{"Email": "c@x"}]),
    "drop": lambda s: s.drop("People"),
    "replace all (a whole snapshot)": lambda s: s.replace_all([Definition(LOG, [{"Line": "z"}])]),
}


@pytest.mark.parametrize("room", [0, 10], ids=["full", "filling up"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_the_disk_refuses_is_undone_and_the_store_goes_on(
        disk: Disk, tmp_path: Path, change: str, room: int) -> None:
    path, reference_path = tmp_path / "db.json", tmp_path / "reference.json"
    with Store.open(reference_path) as reference:  # the same calls on a disk with room
        prepare(reference)
        CHANGES[change](reference)
        add_after(reference)
    store = Store.open(path)
    prepare(store)
    before = store.dump()

    disk.room = room
    with pytest.raises(StoreWriteFailed) as refused:
        CHANGES[change](store)
    assert "No space left on device" in refused.value.message
    assert str(path) in refused.value.message  # the file, or its journal beside it
    assert store.dump() == before  # rows, schemas, order: as before the change
    assert store.count("People") == 3  # reads work on a full disk
    with pytest.raises(StoreWriteFailed):  # still full: still refused, still unchanged
        CHANGES[change](store)
    assert store.dump() == before

    disk.room = None  # space again: the same change goes through
    CHANGES[change](store)
    add_after(store)
    store.close()
    # document ids, creation times, retention and schemas as if the refusals never happened
    assert file_document(path) == file_document(reference_path)


def test_changes_from_many_threads_on_a_filling_disk_keep_exactly_the_answered_ones(
        disk: Disk, tmp_path: Path) -> None:
    # Threads write their lines in batches after leaving the store's lock (store/commit.py): a
    # refused batch must take back its own changes and every change queued after it.
    path = tmp_path / "db.json"
    store = Store.open(path)
    store.create(LOG, [])
    disk.room = 30_000
    answered: list[str] = []
    refused: list[str] = []

    def writer(name: int) -> None:
        for number in range(150):
            line = f"{name}-{number}"
            try:
                store.add_rows("Log", [{"Line": line}])
                answered.append(line)
            except StoreWriteFailed:
                refused.append(line)

    threads = [threading.Thread(target=writer, args=(name,)) for name in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answered and refused
    assert sorted(row["Line"] for row in store.rows("Log")) == sorted(answered)
    disk.room = None  # space again: changes go through
    store.add_rows("Log", [{"Line": "after"}])
    store.close()
    assert sorted(lines_in(path)) == sorted([*answered, "after"])


def test_the_journal_holds_only_whole_lines_of_answered_changes(
        disk: Disk, tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    store = Store.open(path)
    store.create(LOG)
    disk.room = 1000
    answered = 0
    for n in range(100):
        try:
            store.add_rows("Log", [{"Line": str(n)}])
        except StoreWriteFailed:
            continue
        answered += 1
    assert 0 < answered < 100
    data = journal_of(path).read_bytes()
    assert data.endswith(b"\n") and all(json.loads(line) for line in data.splitlines())
    # a hard kill now: the copy of the file and its journal load with exactly those rows
    crash = tmp_path / "crash"
    crash.mkdir()
    shutil.copy(path, crash / path.name)
    shutil.copy(journal_of(path), journal_of(crash / path.name))
    disk.room = None
    with Store.open(crash / path.name) as again:
        assert [row["Line"] for row in again.rows("Log")] == [str(n) for n in range(answered)]
    store.close()


def test_a_durable_change_whose_fsync_fails_is_cut_from_the_journal_and_refused(
        disk: Disk, tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    store = Store.open(path, durable=True)
    store.create(LOG)
    store.add_rows("Log", [{"Line": "kept"}])
    disk.fsync_fails = True
    with pytest.raises(StoreWriteFailed, match="Input/output error"):
        store.add_rows("Log", [{"Line": "lost"}])
    assert b"lost" not in journal_of(path).read_bytes()
    disk.fsync_fails = False
    # The disk may have dropped what it took: every change is refused until a snapshot is saved.
    with pytest.raises(StoreWriteFailed, match="could not be made durable"):
        store.add_rows("Log", [{"Line": "refused"}])
    assert [row["Line"] for row in store.rows("Log")] == ["kept"]
    store.flush()  # the flusher's round: it saves a snapshot, and changes are taken again
    store.add_rows("Log", [{"Line": "again"}])
    store.close()
    assert lines_in(path) == ["kept", "again"]


def test_a_failed_flush_refuses_changes_until_a_snapshot_is_saved(
        disk: Disk, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "db.json"
    store = Store.open(path, flush_interval=3600)
    store.create(LOG)
    store.add_rows("Log", [{"Line": "answered"}])  # in the journal, not yet fsynced
    disk.fsync_fails = True
    with pytest.raises(StoreWriteFailed, match="Input/output error"):
        store.flush()  # the fsync fails, and so does the snapshot that would make up for it
    assert "could not be made durable" in caplog.text
    with pytest.raises(StoreWriteFailed):
        store.add_rows("Log", [{"Line": "refused"}])
    assert [row["Line"] for row in store.rows("Log")] == ["answered"]
    disk.fsync_fails = False
    store.flush()
    store.add_rows("Log", [{"Line": "again"}])
    store.close()
    assert lines_in(path) == ["answered", "again"]


def test_a_close_on_a_full_disk_raises_and_keeps_the_journal(disk: Disk, tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    store = Store.open(path)
    store.create(LOG)
    store.add_rows("Log", [{"Line": str(n)} for n in range(3)])
    disk.room = 0
    with pytest.raises(StoreWriteFailed, match="No space left on device"):
        store.close()
    assert journal_of(path).exists()
    assert not list(tmp_path.glob(".db.json.*.tmp"))  # the half-written snapshot is gone
    disk.room = None
    with Store.open(path) as again:  # the lock was released; the journal is replayed
        assert [row["Line"] for row in again.rows("Log")] == ["0", "1", "2"]


# --- Over HTTP: pages, the admin API, the journal -------------------------------------------

CATCHING_PAGE = ('<script runat="server">Platform.Load("Core", "1.1.1");\n'
                 'try { DataExtension.Init("HTTPProperties").Rows.Add({Browser: "b"}); }\n'
                 'catch (e) { Write("caught: " + e.message); }\n'
                 'Write("done");</script>')


@pytest.fixture
def disk_app(disk: Disk, tmp_path: Path) -> Iterator[Flask]:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "catching.html").write_text(CATCHING_PAGE, encoding="utf-8")
    app = create_disk_app(tmp_path / "mcemu.json", pages)
    yield app
    disk.room = None
    get_emulator(app).close()


def create_disk_app(db: Path, pages: Path) -> Flask:
    from emulator.app import create_app

    return create_app({"TESTING": True, "db": str(db), "pages": str(pages), "ssjs_timeout": 5})


def http_properties(app: Flask) -> int:
    health = app.test_client().get("/_emulator/health")
    assert health.status_code == 200  # the server answers on a full disk
    return health.get_json()["dataExtensions"]["HTTPProperties"]


def test_a_page_whose_write_fails_is_refused_507_and_nothing_is_kept(
        disk: Disk, disk_app: Flask, tmp_path: Path) -> None:
    client = disk_app.test_client()
    assert client.post("/token", data=token_body()).status_code == 200
    count = http_properties(disk_app)

    disk.room = 0
    refused = client.post("/token", data=token_body())
    assert refused.status_code == 507
    assert refused.get_json()["emulator_error"] == "store_write_failed"
    assert "No space left on device" in refused.get_json()["message"]
    # an SSJS page that catches the failed Add still cannot answer 200
    caught = client.get("/catching")
    assert caught.status_code == 507 and b"done" not in caught.data
    assert http_properties(disk_app) == count
    entries = client.get("/_emulator/journal?limit=2").get_json()["entries"]
    assert [entry["status"] for entry in entries] == [507, 507]
    assert all("No space left on device" in (entry.get("error") or "") for entry in entries)
    assert client.get("/_emulator/data-extensions/HTTPProperties/rows").status_code == 200

    # the admin API: one row, and a seed (a transaction), refused the same way
    row = client.post("/_emulator/data-extensions/HTTPProperties/rows?mode=insert",
                      json={"Browser": "admin"})
    assert row.status_code == 507 and row.get_json()["emulator_error"] == "store_write_failed"
    schema = client.get("/_emulator/data-extensions/HTTPProperties").get_json()
    schema.pop("rowCount", None)
    seed = client.post("/_emulator/seed", json=[{**schema, "rows": [{"Browser": "seeded"}]}])
    assert seed.status_code == 507, seed.get_json()
    assert http_properties(disk_app) == count

    disk.room = None
    assert client.post("/token", data=token_body()).status_code == 200
    assert client.get("/catching").data.endswith(b"done")
    assert http_properties(disk_app) == count + 2
    get_emulator(disk_app).close()
    with tinydb.TinyDB(tmp_path / "mcemu.json") as db:
        rows = db.table("HTTPProperties").all()
    assert len(rows) == count + 2 and all(row["Browser"] != "admin" for row in rows)


# --- End to end: mcemu serve under RLIMIT_FSIZE ----------------------------------------------

LIMIT = 400 * 1024  # bytes any file of the server may reach


def limited_server(db: Path, *args: str, limit: int | None = LIMIT) -> tuple[Any, str, Any]:
    """Start ``mcemu serve --db db``, its files capped at ``limit`` bytes; return it, URL, log."""
    import resource

    def cap() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCEMU_")}
    process = subprocess.Popen([MCEMU, "serve", "--port", "0", "--quiet", "--db", str(db), *args],
                               stdout=subprocess.PIPE, stderr=log, text=True, env=env,
                               preexec_fn=cap)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        match = re.search(r"serving on (http://\S+)", line)
        if match:
            return process, match.group(1), log
        if not line:
            break
    process.kill()
    process.communicate(timeout=10)
    log.seek(0)
    raise AssertionError(f"no banner: {log.read()}")


def post_token(url: str) -> int:
    request = urllib.request.Request(f"{url}/token", data=token_body(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        error.close()
        return error.code


def fill_the_disk(url: str) -> int:
    """POST /token until the file limit refuses 20 of them; return how many were answered 200."""
    answered = refused = 0
    for _ in range(5000):
        status = post_token(url)
        assert status in (200, 507), status
        if status == 200:
            answered += 1
        else:
            refused += 1
            if refused == 20:
                break
    assert refused == 20 and answered > 0
    with urllib.request.urlopen(f"{url}/_emulator/health", timeout=30) as health:
        assert health.status == 200
    return answered


def kept_rows(db: Path) -> int:
    """Open the file without a limit (replaying its journal) and count HTTPProperties."""
    with Store.open(db) as store:
        return store.count("HTTPProperties")


@pytest.fixture
def stopped() -> Iterator[list[Any]]:
    """Server processes and logs to kill and close whatever the test did."""
    started: list[Any] = []
    yield started
    for process, log in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)
        log.close()


PADDING = DataExtensionSchema.from_json({"key": "Padding", "fields": [{"name": "Text"}]}, "t")


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
@pytest.mark.parametrize("padding", [0, 300], ids=["the last save fits", "it does not"])
def test_serve_on_a_full_disk_answers_200_only_for_kept_rows_and_says_how_it_stopped(
        tmp_path: Path, stopped: list[Any], padding: int) -> None:
    db = tmp_path / "mcemu.json"
    if padding:  # a file whose snapshot plus the new rows outgrows the limit at the stop
        with Store.open(db) as store:
            store.create(PADDING, [{"Text": "x" * 1000} for _ in range(padding)])
    process, url, log = limited_server(db)
    stopped.append((process, log))
    start = kept_rows_of(url)
    answered = fill_the_disk(url)
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=60)
    log.seek(0)
    if not padding:
        assert process.returncode == 0 and "the store was saved" in out
        assert not journal_of(db).exists()
    else:  # never "saved": the exit status and message say so, and the journal stays
        assert process.returncode == 1 and "the store was saved" not in out
        assert "could not be saved" in log.read() and journal_of(db).exists()
    assert kept_rows(db) == start + answered  # a clean stop: every answered row, no other


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_serve_durable_on_a_full_disk_keeps_every_answered_row_through_a_kill(
        tmp_path: Path, stopped: list[Any]) -> None:
    db = tmp_path / "mcemu.json"
    process, url, log = limited_server(db, "--durable")
    stopped.append((process, log))
    start = kept_rows_of(url)
    answered = fill_the_disk(url)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert kept_rows(db) == start + answered  # --durable: no loss window, even on a kill


def kept_rows_of(url: str) -> int:
    with urllib.request.urlopen(f"{url}/_emulator/health", timeout=30) as health:
        return json.load(health)["dataExtensions"]["HTTPProperties"]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="a tmpfs mount is Linux")
def test_serve_durable_on_a_really_full_tmpfs_keeps_every_answered_row(
        tmp_path: Path, stopped: list[Any]) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    try:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)],
                       check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        pytest.skip("cannot mount a tmpfs here (needs privileges)")
    try:
        db = mount / "mcemu.json"
        process, url, log = limited_server(db, "--durable", limit=None)
        stopped.append((process, log))
        start = kept_rows_of(url)
        answered = fill_the_disk(url)  # ENOSPC this time
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        copy = tmp_path / "copy"  # opened where there is room: a full disk cannot fold it
        copy.mkdir()
        for file in (db, journal_of(db)):
            if file.exists():
                shutil.copy(file, copy / file.name)
        assert kept_rows(copy / db.name) == start + answered
    finally:
        for process, _ in stopped:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=30)


SUBSCRIBING_PAGE = ('<script runat="server">Platform.Load("Core", "1.1.1");\n'
                    'var said;\n'
                    'try { said = Subscriber.Add({EmailAddress: "new@example.com", '
                    'SubscriberKey: "new-1"}); }\n'
                    'catch (e) { said = "caught"; }\n'
                    'Write("said " + said);</script>')


def test_a_page_whose_object_write_fails_is_refused_507_and_nothing_is_kept(
        disk: Disk, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "subscribe.html").write_text(SUBSCRIBING_PAGE, encoding="utf-8")
    app = create_disk_app(tmp_path / "mcemu.json", pages)
    client = app.test_client()
    try:
        disk.room = 0
        refused = client.get("/subscribe")
        assert refused.status_code == 507, refused.data
        assert b"said" not in refused.data
        keys = [s["SubscriberKey"] for s in
                client.get("/_emulator/subscribers").get_json()["subscribers"]]
        assert "new-1" not in keys
        disk.room = None
        kept = client.get("/subscribe")
        assert kept.status_code == 200 and kept.data == b"said OK"
        keys = [s["SubscriberKey"] for s in
                client.get("/_emulator/subscribers").get_json()["subscribers"]]
        assert keys.count("new-1") == 1
    finally:
        disk.room = None
        get_emulator(app).close()
