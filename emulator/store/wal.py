"""The ``--db`` file's companions: the single-process lock and the append-only write-ahead log.

``PATH.lock`` carries an exclusive ``flock`` for as long as a store has the file open, so a
second process is refused before it reads anything (two processes on one file corrupt it
even with an in-process lock: docs/fidelity.md#store-one-lock). ``PATH`` is the resolved file, so
a symlink cannot open a second writer, and a file with hard links is refused. ``PATH.journal``
holds one JSON line per committed change since the last snapshot; loading replays it over the
snapshot and cuts off a torn last line, so whatever sequence of kills came before, the file
opens with every line that was complete.

A write-ahead log line is a list of operations, each with absolute values, so replaying a line twice
gives what replaying it once does (a crash between writing a snapshot and removing the log
is therefore harmless):

- ``["put", table, doc_id, row]``: the row with that id is now ``row``;
- ``["del", table, doc_id]``: the row with that id is gone;
- ``["clear", table]``: the table exists and is empty;
- ``["drop", table]``: the table is gone.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from emulator.errors import StoreError, StoreLocked
from emulator.store import strictjson

try:  # POSIX only; elsewhere the second-process check is skipped (documented)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOG = logging.getLogger("emulator.store")
Op = list[Any]


class FileLock:
    """An exclusive, non-blocking ``flock`` on ``PATH.lock``, held until :meth:`release`.

    ``db_path`` must be the resolved file (``os.path.realpath``), so every symlink to it takes
    the same lock. A file with a second name (a hard link) is refused: the store replaces the
    file by rename on every save, which would split the names into two diverging files, and a
    lock kept per name could not stop a second writer under the other one.
    """

    def __init__(self, db_path: Path, name: str | None = None) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self.db_path = db_path
        self.name = name or str(db_path)  # what the user called the file, for messages
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise StoreLocked; taking it twice is a no-op."""
        if self._fd is not None or fcntl is None:
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreError(f"Database file {self.name}: cannot create its lock file "
                             f"{self.path} ({error.strerror or error}).") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StoreLocked(
                f"Database file {self.name} is in use by another process (it holds "
                f"{self.path}). Stop that emulator first, or use another --db file.") from None
        # Left in place on release: deleting a lock file races with a process about to lock it.
        self._fd = fd
        try:
            links = os.stat(self.db_path).st_nlink
        except FileNotFoundError:
            links = 1
        if links > 1:
            self.release()
            raise StoreLocked(
                f"Database file {self.name} has {links} names (hard links), so another "
                "emulator could write it under another name, and the first save would split "
                "the names into two different files. Keep one name: remove the other links, "
                "or give each emulator its own copy (cp), or point to it with a symlink.")

    def release(self) -> None:
        """Drop the lock (closing the descriptor releases the flock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def wal_path(db_path: Path) -> Path:
    """Return where the write-ahead log of ``db_path`` lives."""
    return db_path.with_name(db_path.name + ".journal")


def recover(path: Path, document: dict[str, Any]) -> int:
    """Apply the log at ``path`` to ``document`` in place, then cut off a torn tail.

    Return how many lines applied. Only the bytes after the last newline can be torn (a kill
    mid-write; every line ends with its newline): they are cut off the file, fsynced and logged
    before anything is appended, so the next line starts on a line of its own. A complete line
    that is not a list of operations is corruption, refused with its position and nothing
    changed.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    except OSError as error:
        raise _refused(path, f"cannot read it ({error.strerror or error})") from None
    complete = data.rfind(b"\n") + 1  # bytes up to and including the last newline
    applied = 0
    for number, raw in enumerate(data[:complete].split(b"\n")[:-1], 1):
        if not raw.strip():
            continue  # a blank line (a hand edit) holds no change
        for op in _parse_line(path, number, raw):
            _apply(document, op)
        applied += 1
    if complete < len(data):
        _cut(path, complete)
        LOG.warning("%s: its last line is incomplete (the process was killed while writing it): "
                    "cut off its %d bytes; that last change is dropped.",
                    path, len(data) - complete)
    return applied


def _parse_line(path: Path, number: int, raw: bytes) -> list[Op]:
    """Decode and check one complete line, or raise StoreError naming the line and column."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _refused(path, f"line {number}, byte {error.start + 1}: not UTF-8 text") from None
    try:
        ops = strictjson.loads(text)
    except strictjson.JsonProblem as problem:
        raise _refused(path, f"line {number}, column {problem.column}: {problem.message}") from None
    problem = _shape_problem(ops)
    if problem:
        raise _refused(path, f"line {number}, {problem}")
    return ops


def _refused(path: Path, problem: str) -> StoreError:
    return StoreError(
        f"The write-ahead log {path}, {problem}. The emulator does not start over a damaged "
        "log: repair that line, or move the log away (the changes it holds since the last "
        "snapshot of the database file are then lost).")


def _cut(path: Path, size: int) -> None:
    try:
        with open(path, "r+b") as handle:
            handle.truncate(size)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise StoreError(f"The write-ahead log {path}: cannot cut off its incomplete last line "
                         f"({error.strerror or error}).") from None


def _shape_problem(ops: Any) -> str | None:
    """Say where ``ops`` is not a list of well-formed operations (None when it is)."""
    if not isinstance(ops, list):
        return "column 1: not a list of write-ahead log operations"
    for index, op in enumerate(ops, 1):
        where = f"operation {index}"
        if not (isinstance(op, list) and op and op[0] in _ARITY):
            return f"{where}: not one of {', '.join(_ARITY)} with its arguments"
        if len(op) != _ARITY[op[0]]:
            return f"{where}: {op[0]!r} takes {_ARITY[op[0]] - 1} arguments, not {len(op) - 1}"
        if not isinstance(op[1], str):
            return f"{where}: the table name is not text"
        if op[0] in ("put", "del") and not is_document_id(op[2]):
            return f"{where}: the document id {op[2]!r} is not an integer as text"
        if op[0] == "put" and not isinstance(op[3], dict):
            return f"{where}: the row is not an object"
    return None


def is_document_id(doc_id: Any) -> bool:
    """Return whether ``doc_id`` is a document id as TinyDB writes it: ``str(int)``, at most 19."""
    return (isinstance(doc_id, str) and 0 < len(doc_id) <= 19 and doc_id.isascii()
            and doc_id.isdigit() and (doc_id == "0" or doc_id[0] != "0"))


_ARITY = {"put": 4, "del": 3, "clear": 2, "drop": 2}


def _apply(document: dict[str, Any], op: Op) -> None:
    kind, table = op[0], op[1]
    if kind == "put":
        document.setdefault(table, {})[str(op[2])] = op[3]
    elif kind == "del":
        document.get(table, {}).pop(str(op[2]), None)
    elif kind == "clear":
        document[table] = {}
    else:
        document.pop(table, None)


def encode(ops: list[Op]) -> bytes:
    """Return ``ops`` as one write-ahead log line (ASCII JSON and a newline)."""
    return _LINE_ENCODER.encode(ops).encode("ascii") + b"\n"


# One encoder for every line: json.dumps with any option builds a new one per call.
_LINE_ENCODER = json.JSONEncoder(separators=(",", ":"))
