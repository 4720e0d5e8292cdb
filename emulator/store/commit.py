"""Group commit: changes made under the store's lock, written to the log after it, in order.

Why: writing a log line hands the GIL to another thread for the system call, and getting it back
can take a whole switch interval (5 ms) while every other request waits on the store's lock.
Measured under load on ``POST /token`` with a ``--db`` file, a write under the lock cost about a
third of the throughput. So a change is made and encoded under the store's lock and queued here
with what it overwrote; the caller then leaves the lock and waits here until its line is written
(the first waiter writes every queued line in one call, the others find theirs done). A call
still returns only once its change is in the log (docs/design.md, "A write is answered only
once it is kept").

When the disk refuses a batch, every change queued from that batch on is refused: their lines
are not written, and what they changed in memory is put back, newest first, by the first caller
that holds the store's lock (:meth:`GroupCommit.undo_unkept`). Until then nothing new is queued.
Another request may read a change in the short time between its making and its writing; if the
disk then refuses it, that reader saw a change that was undone (docs/fidelity.md#store-one-lock).

Locks, always taken in this order: the store's lock, then :attr:`WalFile.log_lock`, then the
queue's own lock. A waiter holds only the log lock while it writes.
"""

from __future__ import annotations

import threading
from typing import Any

from emulator.errors import StoreWriteFailed
from emulator.store.durability import WalFile

Undo = list[tuple[Any, Any, Any]]  # persistence.UndoLog entries of one change


class GroupCommit:
    """The queue of log lines between the store's lock and the write-ahead log."""

    def __init__(self, wal: WalFile) -> None:
        self.wal = wal
        self._queue_lock = threading.Lock()
        self._queued: list[tuple[int, bytes, Undo]] = []
        self._next = 1
        #: Why the last batch was refused; set until its changes are undone.
        self._refusal: StoreWriteFailed | None = None
        self._unkept: list[tuple[int, Undo]] = []  # refused, not yet undone
        self._refused: dict[int, StoreWriteFailed] = {}  # refused, not yet told to its caller

    def check(self) -> None:
        """Raise StoreWriteFailed when a change made now could not be kept (store lock held)."""
        refusal = self._refusal or self.wal.failed
        if refusal is not None:
            raise StoreWriteFailed(refusal.message, reason=refusal.reason)

    def enqueue(self, line: bytes, undo: Undo) -> int:
        """Queue ``line`` and what its change overwrote; return its ticket (store lock held).

        Call :meth:`check` first: a queued change is refused only through its batch.
        """
        with self._queue_lock:
            ticket = self._next
            self._next += 1
            self._queued.append((ticket, line, undo))
        return ticket

    def wait(self, ticket: int) -> None:
        """Return once ``ticket``'s line is written; raise StoreWriteFailed if it was refused.

        Called without the store's lock. A refused caller must then take the store's lock and
        call :meth:`undo_unkept` before it answers.
        """
        with self.wal.log_lock:
            self._write_queued()
        refusal = self._refused.pop(ticket, None)
        if refusal is not None:
            raise StoreWriteFailed(refusal.message, reason=refusal.reason)

    def settle(self) -> tuple[list[Undo], StoreWriteFailed | None]:
        """Write every queued line now (store lock held), as before a snapshot replaces the log.

        Return what the refused changes overwrote, newest first, and why they were refused.
        """
        with self.wal.log_lock:
            self._write_queued()
            return self.undo_unkept()

    def undo_unkept(self) -> tuple[list[Undo], StoreWriteFailed | None]:
        """Take the refused changes and those queued after them (store lock held).

        Return what they overwrote, newest first, for the caller to put back, and why; nothing
        new is refused after this.
        """
        with self.wal.log_lock, self._queue_lock:
            refusal = self._refusal
            if refusal is None:
                return [], None
            self._refuse(self._queued, refusal)
            self._queued = []
            unkept, self._unkept, self._refusal = self._unkept, [], None
        unkept.sort(key=lambda item: item[0], reverse=True)
        return [undo for _, undo in unkept], refusal

    def _write_queued(self) -> None:
        """Write every queued line in one call (log lock held)."""
        with self._queue_lock:
            batch, self._queued = self._queued, []
            if self._refusal is not None:  # an earlier batch was refused: this one follows it
                self._refuse(batch, self._refusal)
                return
        if not batch:
            return
        try:
            self.wal.append(b"".join(line for _, line, _ in batch))
        except StoreWriteFailed as error:
            with self._queue_lock:
                self._refusal = error
                self._refuse(batch, error)

    def _refuse(self, batch: list[tuple[int, bytes, Undo]], error: StoreWriteFailed) -> None:
        """Mark ``batch`` refused (queue lock held)."""
        for ticket, _, undo in batch:
            self._unkept.append((ticket, undo))
            self._refused[ticket] = error
