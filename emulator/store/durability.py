"""The ``--db`` file kept by appending: a log off the request path, folded into snapshots.

Locking story: :attr:`WalFile.log_lock` owns the write-ahead log's descriptor. Lines are
appended under it alone, by store/commit.py after the store's lock is left; a snapshot is
written under the store's lock and then this one (so the log is never replaced under a
writer); the flusher takes it only to duplicate the descriptor, and fsyncs the duplicate without
any lock, so requests never wait for the disk.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

from emulator.errors import StoreWriteFailed
from emulator.store.persistence import Document, SnapshotFile

LOG = logging.getLogger("emulator.store")
DEFAULT_FLUSH_INTERVAL = 1.0
#: A write-ahead log smaller than this is never folded; above it, it is folded once it outgrows the
#: snapshot, so folding costs a constant amount per change on average, whatever the store's size.
FOLD_MIN_BYTES = 4 * 1024 * 1024
_LOCK_WAIT = 0.2  # seconds the flusher waits for the store's lock before checking for a stop


class WalFile(SnapshotFile):
    """A SnapshotFile whose changes go to ``PATH.journal``, made durable by a background flusher.

    ``append`` hands each line to the OS at once (one ``write``), so a change the disk cannot
    take (full, over the file size limit, read-only) fails the call that made it, and a line cut
    short is cut off again: the log only ever holds whole lines of kept changes. Every
    ``flush_interval`` seconds the flusher fsyncs the log, so a hard kill loses at most the last
    interval of changes (a clean stop loses none). ``durable`` fsyncs in ``append`` instead,
    before the change is acknowledged.

    An fsync that fails means the OS may have dropped lines it had taken, so what is on disk is
    no longer known: the file then refuses every change (:attr:`failed`) until a whole snapshot
    is saved again, which the flusher tries each interval; reads are never affected.
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
        #: Why changes are refused (an fsync failed), until a snapshot is saved; None: they are not.
        self.failed: StoreWriteFailed | None = None
        self._fd: int | None = None
        self._wal_size = 0  # the log's length: where a line cut short is cut back to
        self._wal_bytes = 0  # appended since the last snapshot
        self._snapshot_bytes = 0
        self._unflushed = False
        self._fold_failing = False
        #: Held while the log's descriptor is used: appending, replacing the log, duplicating it.
        self.log_lock = threading.RLock()
        self._store_lock: Any = None
        self._document: Callable[[], Document] | None = None
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None

    @property
    def pending(self) -> bool:
        """Return whether the write-ahead log holds changes the snapshot lacks."""
        return self._wal_bytes > 0 or self.replayed > 0

    def start(self, lock: Any, document: Callable[[], Document]) -> None:
        """Start the flusher; ``lock`` guards ``document()``, the live document to fold, which
        has written every line still queued (store/commit.py) before it returns."""
        self._store_lock, self._document = lock, document
        with lock:
            if self.replayed:
                LOG.info("%s: replayed %d write-ahead log entries; folding them in.",
                         self.wal_path, self.replayed)
                try:
                    self.write(document())
                except StoreWriteFailed as error:
                    # The log holds them and stays: serve reads, fold once the disk allows.
                    LOG.warning("%s", error.message)
            else:
                self._snapshot_bytes = _size(self.path)
        self._flusher = threading.Thread(target=self._run, name=f"mcemu-flush {self.path.name}",
                                         daemon=True)
        self._flusher.start()

    def append(self, line: bytes) -> None:
        """Add write-ahead log lines, or raise StoreWriteFailed with the log as it was."""
        with self.log_lock:
            self._append(line)

    def _append(self, line: bytes) -> None:
        if self.failed is not None:
            raise StoreWriteFailed(self.failed.message, reason=self.failed.reason)
        fd = self._open_log()
        try:
            view = memoryview(line)
            while view:  # a short write (the disk filling up) is followed by the error
                view = view[self._write(fd, view):]
            if self.durable:
                self._fsync(fd)
        except OSError as error:
            self._cut_back(fd)
            if self.durable and not view:  # written, but not known to be on disk
                self._refuse(error)
            raise self._write_failed(error, log=True) from None
        self._wal_size += len(line)
        self._wal_bytes += len(line)
        self._unflushed = not self.durable

    def write(self, document: Mapping[str, Any]) -> None:
        """Write a whole snapshot and drop the write-ahead log it now contains."""
        with self.log_lock:
            self._close_log()
            super().write(document)
            self._wal_bytes, self._wal_size, self.replayed, self._unflushed = 0, 0, 0, False
            self._snapshot_bytes = _size(self.path)
            if self.failed is not None:
                LOG.warning("%s: saved again; changes are accepted again.", self.path)
                self.failed = None

    def close(self) -> None:
        """Stop the flusher and release the file (the store saved its last snapshot first)."""
        self._stop.set()
        flusher, self._flusher = self._flusher, None
        if flusher is not None and flusher is not threading.current_thread():
            flusher.join()
        with self.log_lock:
            self._close_log()
        super().close()

    def _run(self) -> None:
        while not self._stop.wait(self.flush_interval):
            try:
                self.flush()
            except StoreWriteFailed:
                pass  # logged once, where the state changed; reads go on, writes are refused
            except Exception:  # an unexpected failure must not kill the flusher silently
                LOG.exception("%s: cannot write the write-ahead log", self.wal_path)

    def flush(self) -> None:
        """Make appended lines durable, and fold the write-ahead log in once it has grown enough.

        Raise StoreWriteFailed when the lines cannot be made durable, or when changes are
        refused and saving a snapshot again still fails.
        """
        if self._store_lock is None:
            return  # not started
        with self.log_lock:
            duplicate = None
            if self._fd is not None and self._unflushed:
                duplicate = os.dup(self._fd)  # fsynced below, without the lock
                self._unflushed = False
        if duplicate is not None:
            try:
                self._fsync(duplicate)
            except OSError as error:
                self._refuse(error)
            finally:
                os.close(duplicate)
        if self.failed is not None or self._wal_bytes > max(self.fold_min_bytes,
                                                            self._snapshot_bytes):
            self._fold()
        if self.failed is not None:
            raise StoreWriteFailed(self.failed.message, reason=self.failed.reason)

    def _fold(self) -> None:
        assert self._document is not None
        if not self._store_lock.acquire(timeout=_LOCK_WAIT):
            return
        try:
            if not self._stop.is_set():
                self.write(self._document())
                self._fold_failing = False
        except StoreWriteFailed as error:
            if not self._fold_failing:  # the log keeps the changes: say it once, retry
                LOG.warning("%s (the write-ahead log %s keeps the changes; retrying each "
                            "interval)", error.message, self.wal_path)
            self._fold_failing = True
        finally:
            self._store_lock.release()

    def _open_log(self) -> int:
        if self._fd is None:
            try:
                fd = os.open(self.wal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
            except OSError as error:
                raise self._write_failed(error, log=True) from None
            self._wal_size = os.fstat(fd).st_size
            self._fd = fd
        return self._fd

    def _cut_back(self, fd: int) -> None:
        """Cut off what a failed append wrote, so the log ends with a whole line."""
        try:
            os.ftruncate(fd, self._wal_size)
        except OSError as error:  # the log's end is unknown: nothing may follow it
            self._refuse(error)

    def _refuse(self, error: OSError) -> None:
        """Refuse changes from now on: the disk may not hold what the log was given."""
        if self.failed is None:
            reason = error.strerror or str(error)
            self.failed = StoreWriteFailed(
                f"Database file {self.path}: its write-ahead log {self.wal_path} could not be "
                f"made durable ({reason}); changes are refused until the store is saved "
                "again, which the emulator retries each interval. Reads still work.",
                reason=reason)
            LOG.error("%s", self.failed.message)

    def _close_log(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                self._fsync(fd)
            except OSError as error:  # a snapshot saved next makes up for it; else refuse
                self._refuse(error)
            finally:
                os.close(fd)


def _size(path: os.PathLike[str]) -> int:
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0
