"""The ``--db`` file's companions: the single-process lock and the append-only write-ahead log.

``PATH.lock`` carries an exclusive ``flock`` for as long as a store has the file open, so a
second process is refused before it reads anything (two processes on one file corrupt it
even with an in-process lock: docs/fidelity.md#store-one-lock). ``PATH.journal`` holds one JSON line
per committed change since the last snapshot; loading replays it over the snapshot.

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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator.errors import StoreError, StoreLocked

try:  # POSIX only; elsewhere the second-process check is skipped (documented)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOG = logging.getLogger("emulator.store")
Op = list[Any]


class FileLock:
    """An exclusive, non-blocking ``flock`` on ``PATH.lock``, held until :meth:`release`."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self.db_path = db_path
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise StoreLocked; taking it twice is a no-op."""
        if self._fd is not None or fcntl is None:
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreError(f"Database file {self.db_path}: cannot create its lock file "
                             f"{self.path} ({error.strerror or error}).") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StoreLocked(
                f"Database file {self.db_path} is in use by another process (it holds "
                f"{self.path}). Stop that emulator first, or use another --db file.") from None
        # Left in place on release: deleting a lock file races with a process about to lock it.
        self._fd = fd

    def release(self) -> None:
        """Drop the lock (closing the descriptor releases the flock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def wal_path(db_path: Path) -> Path:
    """Return where the write-ahead log of ``db_path`` lives."""
    return db_path.with_name(db_path.name + ".journal")


def replay(path: Path, document: dict[str, Any],
           corrupt: Callable[[str], StoreError]) -> int:
    """Apply the log at ``path`` to ``document`` in place; return how many lines applied.

    A last line cut short (a kill mid-write) is skipped and logged; a bad line before the last
    is corruption, reported with its line number.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    lines = data.split(b"\n")
    torn_tail = lines[-1] != b""  # a complete write-ahead log ends with a newline
    applied = 0
    for number, raw in enumerate(lines, 1):
        if not raw:
            continue
        last = number == len(lines) or (number == len(lines) - 1 and not torn_tail)
        try:
            ops = json.loads(raw.decode("utf-8"))
            _check_ops(ops)
        except (UnicodeDecodeError, ValueError) as error:
            if last:
                LOG.warning("%s: line %d is incomplete (the process was killed while writing "
                            "it); that last change is dropped.", path, number)
                break
            raise corrupt(f"write-ahead log {path}, line {number}: {error}") from None
        for op in ops:
            _apply(document, op)
        applied += 1
    return applied


def _check_ops(ops: Any) -> None:
    if not isinstance(ops, list) or not all(
            isinstance(op, list) and op and op[0] in _ARITY and len(op) == _ARITY[op[0]]
            and isinstance(op[1], str) for op in ops):
        raise ValueError("not a list of write-ahead log operations")


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
