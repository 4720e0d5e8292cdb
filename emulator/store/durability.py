"""The ``--db`` file kept by appending: a log off the request path, folded into snapshots.

Locking story: every method here runs under the store's lock (the Store calls ``append`` and
``write`` while holding it, and the flusher thread takes it before touching the log), so the
log and the snapshot have one owner at a time. Only the flusher's ``fsync`` runs outside the
lock, on a duplicate of the write-ahead log's descriptor, so requests never wait for the disk.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import IO, Any

from emulator.store.persistence import Document, SnapshotFile

LOG = logging.getLogger("emulator.store")
DEFAULT_FLUSH_INTERVAL = 1.0
#: A write-ahead log smaller than this is never folded; above it, it is folded once it outgrows the
#: snapshot, so folding costs a constant amount per change on average, whatever the store's size.
FOLD_MIN_BYTES = 4 * 1024 * 1024
_LOCK_WAIT = 0.2  # seconds the flusher waits for the store's lock before checking for a stop


class WalFile(SnapshotFile):
    """A SnapshotFile whose changes go to ``PATH.journal``, made durable by a background flusher.

    ``append`` writes one line to a buffered file; every ``flush_interval`` seconds the flusher
    hands the buffer to the OS and fsyncs it, so a hard kill loses at most the last interval of
    changes. ``durable`` fsyncs in ``append`` instead, before the change is acknowledged.
    """

    def __init__(self, path: str | os.PathLike[str], *,
                 flush_interval: float = DEFAULT_FLUSH_INTERVAL, durable: bool = False,
                 fold_min_bytes: int = FOLD_MIN_BYTES) -> None:
        super().__init__(path)
        if flush_interval <= 0:
            raise ValueError(f"flush_interval must be above 0, not {flush_interval}")
        self.flush_interval = flush_interval
        self.durable = durable
        self.fold_min_bytes = fold_min_bytes
        self._handle: IO[bytes] | None = None
        self._wal_bytes = 0
        self._snapshot_bytes = 0
        self._unflushed = False
        self._store_lock: Any = None
        self._document: Callable[[], Document] | None = None
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None

    @property
    def pending(self) -> bool:
        """Return whether the write-ahead log holds changes the snapshot lacks."""
        return self._wal_bytes > 0 or self.replayed > 0

    def start(self, lock: Any, document: Callable[[], Document]) -> None:
        """Start the flusher; ``lock`` guards ``document()``, the live document to fold."""
        self._store_lock, self._document = lock, document
        with lock:
            if self.replayed:
                LOG.info("%s: replayed %d write-ahead log entries; folding them in.",
                         self.wal_path, self.replayed)
                self.write(document())
            else:
                self._snapshot_bytes = _size(self.path)
        self._flusher = threading.Thread(target=self._run, name=f"mcemu-flush {self.path.name}",
                                         daemon=True)
        self._flusher.start()

    def append(self, line: bytes) -> None:
        """Add one write-ahead log line (the caller holds the store's lock)."""
        if self._handle is None:
            self._handle = open(self.wal_path, "ab", buffering=1024 * 1024)
        self._handle.write(line)
        self._wal_bytes += len(line)
        if self.durable:
            self._handle.flush()
            os.fsync(self._handle.fileno())
        else:
            self._unflushed = True

    def write(self, document: Mapping[str, Any]) -> None:
        """Write a whole snapshot and drop the write-ahead log it now contains."""
        self._close_handle()
        super().write(document)
        self._wal_bytes, self.replayed, self._unflushed = 0, 0, False
        self._snapshot_bytes = _size(self.path)

    def close(self) -> None:
        """Stop the flusher and release the file (the store saved its last snapshot first)."""
        self._stop.set()
        flusher, self._flusher = self._flusher, None
        if flusher is not None and flusher is not threading.current_thread():
            flusher.join()
        self._close_handle()
        super().close()

    def _run(self) -> None:
        while not self._stop.wait(self.flush_interval):
            try:
                self.flush()
            except Exception:  # a full disk must not kill the flusher silently
                LOG.exception("%s: cannot write the write-ahead log", self.wal_path)

    def flush(self) -> None:
        """Make appended lines durable, and fold the write-ahead log in once it has grown enough."""
        lock = self._store_lock
        if lock is None or not lock.acquire(timeout=_LOCK_WAIT):
            return  # busy, or closing: the next round (or close) does it
        try:
            duplicate = None
            if self._handle is not None and self._unflushed:
                self._handle.flush()
                duplicate = os.dup(self._handle.fileno())  # fsynced below, without the lock
                self._unflushed = False
        finally:
            lock.release()
        if duplicate is not None:
            try:
                os.fsync(duplicate)
            finally:
                os.close(duplicate)
        if self._wal_bytes > max(self.fold_min_bytes, self._snapshot_bytes):
            self._fold()

    def _fold(self) -> None:
        assert self._document is not None
        if not self._store_lock.acquire(timeout=_LOCK_WAIT):
            return
        try:
            if not self._stop.is_set():
                self.write(self._document())
        finally:
            self._store_lock.release()

    def _close_handle(self) -> None:
        if self._handle is not None:
            handle, self._handle = self._handle, None
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()


def _size(path: os.PathLike[str]) -> int:
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0
