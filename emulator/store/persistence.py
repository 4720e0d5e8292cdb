"""How the store is held in memory and reaches disk.

The store keeps its working set in a :class:`WorkingSet` (TinyDB on MemoryStorage, whose document
is ``{table: {doc_id: row}}``) and hands the whole document to a :class:`Storage` after each
change. :class:`SnapshotFile` writes
it as the ``--db`` file of docs/design.md: a plain TinyDB JSON file that ``tinydb.TinyDB(PATH)``
opens unchanged.

:class:`SnapshotFile` also honours the file's companions (wal.py): ``read`` takes the
single-process lock and replays ``PATH.journal``; ``write`` removes the log it has folded in;
``close`` releases the lock. The write-ahead log's writer, which appends instead of saving, is
:class:`emulator.store.durability.WalFile`.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any, Protocol

from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Table

from emulator.errors import StoreError
from emulator.store.wal import FileLock, replay, wal_path

Document = dict[str, dict[str, Any]]


class Storage(Protocol):
    """Where the store's document lives between runs: TinyDB's storage interface.

    ``read``, ``write`` and ``close`` as ``tinydb.storages.Storage`` names them; the store hands
    ``write`` its whole document after each change (or a write-ahead log takes the change).
    """

    #: Where the document lives, for error messages (a path, or ``"memory"``).
    location: str

    def read(self) -> Document | None:
        """Return the saved document, or None when nothing was saved yet."""
        ...

    def write(self, document: Mapping[str, Any]) -> None:
        """Save ``document`` durably before returning; keep no reference to it."""
        ...

    def close(self) -> None:
        """Release whatever ``read`` acquired; the store has saved its last snapshot."""
        ...


class EphemeralStorage:
    """Keep nothing: the store lives and dies with the process (``mcemu serve`` without --db)."""

    location = "memory"

    def read(self) -> Document | None:
        """Return None: there is never a saved document."""
        return None

    def write(self, document: Mapping[str, Any]) -> None:
        """Do nothing."""

    def close(self) -> None:
        """Do nothing."""


class SnapshotFile:
    """Save the whole document to one TinyDB JSON file, atomically, on every save.

    A save writes a temporary file beside ``path``, flushes and fsyncs it, renames it over
    ``path`` and fsyncs the directory: a crash leaves either the old or the new file, never a
    torn one (docs/fidelity.md#store-whole-file-replace).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.wal_path = wal_path(self.path)
        self.replayed = 0  # write-ahead log lines applied by the last read
        self._file_lock = FileLock(self.path)

    def read(self) -> Document | None:
        """Lock the file; return its document with the log replayed, None when new or empty."""
        if not self.path.parent.is_dir():
            raise self._error(f"its directory {self.path.parent} does not exist")
        self._file_lock.acquire()
        try:
            document = self._read_file()
            base = document if document is not None else {}
            self.replayed = replay(self.wal_path, base, self._corrupt)
            if document is None and self.replayed:
                document = base  # a log without a snapshot: a kill before the first save
        except BaseException:
            self._file_lock.release()
            raise
        return document

    def _read_file(self) -> Document | None:
        """Return the snapshot's document, None when it does not exist or is empty."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise self._error(f"cannot read it ({error.strerror or error})") from None
        if not data:
            return None  # tinydb.TinyDB(PATH) creates an empty file and reads it as empty
        try:
            document = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise self._corrupt(f"byte {error.start} is not UTF-8") from None
        except json.JSONDecodeError as error:
            raise self._corrupt(f"line {error.lineno}, column {error.colno}: {error.msg}") from None
        except RecursionError:
            raise self._corrupt("it is nested too deeply") from None
        _check_tinydb_shape(document, self._corrupt)
        return document

    def write(self, document: Mapping[str, Any]) -> None:
        """Write ``document`` to a temporary file, fsync it and rename it over the file."""
        # ASCII output (json's default) so TinyDB reads it whatever the locale's encoding is.
        text = json.dumps(document)
        directory = self.path.parent
        try:
            fd, temp_name = tempfile.mkstemp(
                dir=directory, prefix=f".{self.path.name}.", suffix=".tmp"
            )
        except OSError as error:
            raise self._error(f"cannot save it ({error.strerror or error})") from None
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            self._keep_mode(temp_name)
            os.replace(temp_name, self.path)
        except BaseException as error:
            _remove_quietly(temp_name)
            if isinstance(error, OSError):
                raise self._error(f"cannot save it ({error.strerror or error})") from None
            raise
        _fsync_directory(directory)
        # Only now is the log folded in; a crash before this replays it again (harmless).
        _remove_quietly(str(self.wal_path))

    def close(self) -> None:
        """Release the single-process lock."""
        self._file_lock.release()

    def _keep_mode(self, temp_name: str) -> None:
        """Give the new file the old file's permissions (mkstemp creates it 0600)."""
        try:
            mode = stat.S_IMODE(os.stat(self.path).st_mode)
        except FileNotFoundError:
            return
        os.chmod(temp_name, mode)

    def _error(self, problem: str) -> StoreError:
        return StoreError(f"Database file {self.path}: {problem}.")

    def _corrupt(self, problem: str) -> StoreError:
        return StoreError(
            f"Database file {self.path} is not a TinyDB JSON document ({problem}); "
            "the emulator does not start empty over it: repair it, or move it away."
        )


class _InPlaceTable(Table):
    """A TinyDB table that updates its stored dict in place.

    TinyDB 4's ``_update_table`` copies the whole table twice per write, a cost that grows
    with the rows stored (docs/fidelity.md#store-whole-file-replace). Working on the stored dict
    directly makes an insert cost what it adds. The store validates before it writes, so an updater
    never fails halfway.
    """

    def _update_table(self, updater: Callable[[Any], None]) -> None:
        tables = self._storage.read() or {}
        raw = tables.setdefault(self.name, {})
        ops = getattr(self._storage, "ops", None)
        updater(_StringIds(raw, self.document_id_class, self.name, ops))
        self._storage.write(tables)
        self.clear_cache()


class _StringIds(MutableMapping[int, Any]):
    """Show a stored table (string ids, as JSON keeps them) to TinyDB's updaters as int ids."""

    def __init__(self, raw: dict[str, Any], id_class: Callable[[str], int], name: str,
                 ops: list[list[Any]] | None) -> None:
        self._raw = raw
        self._id = id_class
        self._name = name
        self._ops = ops if ops is not None else []  # what changed, for the write-ahead log

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self._raw

    def __getitem__(self, doc_id: int) -> Any:
        return self._raw[str(doc_id)]

    def __setitem__(self, doc_id: int, doc: Any) -> None:
        self._raw[str(doc_id)] = doc
        self._ops.append(["put", self._name, str(doc_id), doc])

    def __delitem__(self, doc_id: int) -> None:
        del self._raw[str(doc_id)]
        self._ops.append(["del", self._name, str(doc_id)])

    def __iter__(self) -> Iterator[int]:
        return (self._id(k) for k in self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def clear(self) -> None:
        self._raw.clear()  # MutableMapping's popitem loop would be quadratic here
        self._ops.append(["clear", self._name])


class WorkingSet(TinyDB):
    """The store's in-memory TinyDB: MemoryStorage, with tables that update in place.

    Every change is also noted in :attr:`ops` (wal.py's operations, rows held live and
    serialised at commit); ``whole`` says the document was replaced and only a snapshot will do.
    """

    table_class = _InPlaceTable

    def __init__(self) -> None:
        super().__init__(storage=MemoryStorage)
        self.ops: list[list[Any]] = []
        self.storage.ops = self.ops  # type: ignore[attr-defined]  # read by _InPlaceTable
        self.whole = False

    def note_put(self, table: str, doc_id: int) -> None:
        """Note that the row ``doc_id`` of ``table`` was edited in place."""
        self.ops.append(["put", table, str(doc_id), self.document()[table][str(doc_id)]])

    def drop_table(self, name: str) -> None:
        """Drop ``name`` and note it."""
        super().drop_table(name)
        self.ops.append(["drop", name])

    def drop_tables(self) -> None:
        """Drop every table; only a whole snapshot can record that."""
        super().drop_tables()
        self.whole = True

    def forget(self) -> None:
        """Forget the noted changes (they were saved, or undone)."""
        self.ops.clear()
        self.whole = False

    def document(self) -> Document:
        """Return the live document (``{table: {doc_id: row}}``): serialise it, never keep it."""
        return self.storage.read() or {}


def _check_tinydb_shape(document: Any, corrupt: Any) -> None:
    """Refuse anything but ``{table: {integer id: object}}``, the shape TinyDB itself reads."""
    if not isinstance(document, dict):
        raise corrupt("the top level is not an object of tables")
    for table, rows in document.items():
        if not isinstance(rows, dict):
            raise corrupt(f"table {table!r} is not an object of documents")
        for doc_id, row in rows.items():
            if not (doc_id.isascii() and doc_id.isdigit()):
                raise corrupt(f"table {table!r} has document id {doc_id!r}, not an integer")
            if not isinstance(row, dict):
                raise corrupt(f"document {doc_id} of table {table!r} is not an object")


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open a directory)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass


class WriteWhenArmed:
    """A middleware that writes only while armed: opening and closing the store write nothing."""

    def __init__(self, inner: Storage) -> None:
        self.inner = inner
        self.location = inner.location
        self.armed = False

    def read(self) -> Any:
        """Return the inner persistence's document."""
        return self.inner.read()

    def write(self, document: Mapping[str, Any]) -> None:
        """Save through the inner persistence while armed; else do nothing."""
        if self.armed:
            self.inner.write(document)

    def close(self) -> None:
        """Release the inner persistence."""
        self.inner.close()
