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
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Table

from emulator.errors import StoreError, StoreWriteFailed
from emulator.store import strictjson
from emulator.store.wal import FileLock, is_document_id, recover, wal_path

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

    # Every byte of the snapshot and of the write-ahead log goes through these two: tests
    # replace them to fill the disk without privileges.
    _write = staticmethod(os.write)
    _fsync = staticmethod(os.fsync)

    def __init__(self, path: str | os.PathLike[str]) -> None:
        # The resolved file: its lock is every name's lock, and a save replaces the file a
        # symlink points to rather than the symlink.
        self.path = Path(os.path.realpath(path))
        given = os.fspath(path)
        self.location = (str(self.path) if Path(given).absolute() == self.path
                         else f"{given} (the file {self.path})")
        self.wal_path = wal_path(self.path)
        self.replayed = 0  # write-ahead log lines applied by the last read
        self._file_lock = FileLock(self.path, self.location)

    def read(self) -> Document | None:
        """Lock the file; return its document with the log replayed, None when new or empty.

        A torn last line of the log is cut off here, before anything can be appended to it.
        """
        if not self.path.parent.is_dir():
            raise self._error(f"its directory {self.path.parent} does not exist")
        self._file_lock.acquire()
        try:
            document = self._read_file()
            base = document if document is not None else {}
            self.replayed = recover(self.wal_path, base)
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
            document = strictjson.loads(data.decode("utf-8"))
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            byte = error.start - data.rfind(b"\n", 0, error.start)
            raise self._corrupt(f"line {line}, byte {byte}: not UTF-8 text") from None
        except strictjson.JsonProblem as problem:
            if problem.duplicate is not None:
                problem.message = _duplicate(problem.path, problem.duplicate)
            raise self._corrupt(str(problem)) from None
        _check_tinydb_shape(document, self._corrupt)
        return document

    def write(self, document: Mapping[str, Any]) -> None:
        """Write ``document`` to a temporary file, fsync it and rename it over the file."""
        # ASCII output (json's default) so TinyDB reads it whatever the locale's encoding is.
        data = json.dumps(document).encode("ascii")
        directory = self.path.parent
        try:
            fd, temp_name = tempfile.mkstemp(
                dir=directory, prefix=f".{self.path.name}.", suffix=".tmp"
            )
        except OSError as error:
            raise self._write_failed(error) from None
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[self._write(fd, view):]
                self._fsync(fd)
            finally:
                os.close(fd)
            self._keep_mode(temp_name)
            os.replace(temp_name, self.path)
        except BaseException as error:
            _remove_quietly(temp_name)
            if isinstance(error, OSError):
                raise self._write_failed(error) from None
            raise
        try:
            _fsync_directory(directory)
        except OSError as error:  # the rename may not survive a crash: not known to be kept
            raise self._write_failed(error) from None
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

    def _write_failed(self, error: OSError, log: bool = False) -> StoreWriteFailed:
        """Return the refusal of a change the file (``log``: its write-ahead log) could not take."""
        where = f"{self.path} (its write-ahead log {self.wal_path})" if log else str(self.path)
        return StoreWriteFailed(write_failure(where, error), reason=error.strerror or str(error))

    def _corrupt(self, problem: str) -> StoreError:
        return StoreError(
            f"Database file {self.path} is not a TinyDB JSON document ({problem}); "
            "the emulator does not start empty over it: repair it, or move it away."
        )


_MISSING: Any = object()


class UndoLog:
    """What the changes since the last save overwrote, to put back if the save fails.

    Each entry is ``(mapping, key, old value)`` (``_MISSING``: the key was absent), or an
    action; :meth:`undo` applies them newest first. Rows are replaced, never edited in place,
    so keeping the old row object is enough.
    """

    __slots__ = ("entries",)

    def __init__(self) -> None:
        self.entries: list[tuple[Any, Any, Any]] = []

    def note(self, mapping: MutableMapping[Any, Any], key: Any) -> None:
        """Note what ``mapping[key]`` holds now, before the caller changes or removes it."""
        self.entries.append((mapping, key, mapping.get(key, _MISSING)))

    def set(self, mapping: MutableMapping[Any, Any], key: Any, value: Any) -> None:
        """Set ``mapping[key]`` to ``value``, noting what it held."""
        self.entries.append((mapping, key, mapping.get(key, _MISSING)))
        mapping[key] = value

    def delete(self, mapping: MutableMapping[Any, Any], key: Any) -> None:
        """Remove ``mapping[key]`` (KeyError when absent), noting what it held."""
        self.entries.append((mapping, key, mapping.pop(key)))

    def on_undo(self, action: Callable[[], None]) -> None:
        """Run ``action`` when undoing, in its place among the entries."""
        self.entries.append((None, action, None))

    def undo(self) -> None:
        """Put every noted value back, newest first, and forget them."""
        self.put_back(self.detach())

    def detach(self) -> list[tuple[Any, Any, Any]]:
        """Return the noted values and forget them here (their change waits to be written)."""
        entries, self.entries = self.entries, []
        return entries

    @staticmethod
    def put_back(entries: list[tuple[Any, Any, Any]]) -> None:
        """Put back the values ``entries`` noted, newest first."""
        for mapping, key, old in reversed(entries):
            if mapping is None:
                key()
            elif old is _MISSING:
                mapping.pop(key, None)
            else:
                mapping[key] = old

    def clear(self) -> None:
        """Forget the noted values (the changes were saved)."""
        self.entries.clear()


def write_failure(where: str, error: OSError) -> str:
    """Return the message of a change that the file ``where`` names could not take."""
    reason = error.strerror or str(error)
    return (f"Database file {where}: the change could not be written ({reason}), so it was not "
            "made; reads still work. Free space (or make the file writable) and retry.")


def _order_by_id(raw: dict[str, Any]) -> None:
    """Put a table's rows back in document-id order, the order they were inserted in."""
    rows = sorted(raw.items(), key=lambda item: int(item[0]))
    raw.clear()
    raw.update(rows)


class _InPlaceTable(Table):
    """A TinyDB table that updates its stored dict in place.

    TinyDB 4's ``_update_table`` copies the whole table twice per write, a cost that grows
    with the rows stored (docs/fidelity.md#store-whole-file-replace). Working on the stored dict
    directly makes an insert cost what it adds. The store validates before it writes, so an updater
    never fails halfway.
    """

    def _update_table(self, updater: Callable[[Any], None]) -> None:
        tables = self._storage.read() or {}
        undo: UndoLog = getattr(self._storage, "undo", None) or UndoLog()
        raw = tables.get(self.name)
        if raw is None:
            raw = {}
            undo.set(tables, self.name, raw)
        undo.note(self.__dict__, "_next_id")  # TinyDB's next document id, advanced by inserts
        ops = getattr(self._storage, "ops", None)
        updater(_StringIds(raw, self.document_id_class, self.name, ops, undo))
        self._storage.write(tables)
        self.clear_cache()


class _StringIds(MutableMapping[int, Any]):
    """Show a stored table (string ids, as JSON keeps them) to TinyDB's updaters as int ids."""

    def __init__(self, raw: dict[str, Any], id_class: Callable[[str], int], name: str,
                 ops: list[list[Any]] | None, undo: UndoLog) -> None:
        self._raw = raw
        self._id = id_class
        self._name = name
        self._ops = ops if ops is not None else []  # what changed, for the write-ahead log
        self._undo = undo  # what it overwrote, for a change the disk refuses
        self._reorder_noted = False

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self._raw

    def __getitem__(self, doc_id: int) -> Any:
        return self._raw[str(doc_id)]

    def __setitem__(self, doc_id: int, doc: Any) -> None:
        self._undo.set(self._raw, str(doc_id), doc)
        self._ops.append(["put", self._name, str(doc_id), doc])

    def __delitem__(self, doc_id: int) -> None:
        if not self._reorder_noted:
            # Put back last, so rows put back by undo return to their place (ids ascending).
            self._undo.on_undo(partial(_order_by_id, self._raw))
            self._reorder_noted = True
        self._undo.delete(self._raw, str(doc_id))
        self._ops.append(["del", self._name, str(doc_id)])

    def __iter__(self) -> Iterator[int]:
        return (self._id(k) for k in self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def clear(self) -> None:
        raw, before = self._raw, dict(self._raw)
        self._undo.on_undo(lambda: raw.update(before))  # undone in reverse: raw is empty again
        raw.clear()  # MutableMapping's popitem loop would be quadratic here
        self._ops.append(["clear", self._name])


class WorkingSet(TinyDB):
    """The store's in-memory TinyDB: MemoryStorage, with tables that update in place.

    Every change is also noted in :attr:`ops` (wal.py's operations, rows held live and
    serialised at commit); ``whole`` says the document was replaced and only a snapshot will do.
    What a change overwrote is noted in :attr:`undo`, so :meth:`undo_changes` can put the working
    set back as it was saved (rows, document ids, tables) when the disk refuses the change.
    """

    table_class = _InPlaceTable

    def __init__(self) -> None:
        super().__init__(storage=MemoryStorage)
        self.ops: list[list[Any]] = []
        self.undo = UndoLog()
        self.storage.ops = self.ops  # type: ignore[attr-defined]  # read by _InPlaceTable
        self.storage.undo = self.undo  # type: ignore[attr-defined]
        self.whole = False
        #: Undo entries of every change saved since the checkpoint (None: no checkpoint).
        self.kept: list[tuple[Any, Any, Any]] | None = None

    def table(self, name: str, **kwargs: Any) -> Table:
        """Return the table ``name``; a table object made by an undone change is forgotten."""
        if name not in self._tables:
            self.undo.note(self._tables, name)
        return super().table(name, **kwargs)

    def put_row(self, table: str, doc_id: int, row: dict[str, Any]) -> None:
        """Make ``row`` (every field) the row ``doc_id`` of ``table``, and note it."""
        self.undo.set(self.document()[table], str(doc_id), row)
        self.ops.append(["put", table, str(doc_id), row])

    def put_rows(self, table: str, rows: Iterable[tuple[int, dict[str, Any]]]) -> None:
        """Do :meth:`put_row` for each ``(doc_id, row)``, reading the document once."""
        documents = self.document()[table]
        for doc_id, row in rows:
            self.undo.set(documents, str(doc_id), row)
            self.ops.append(["put", table, str(doc_id), row])

    def drop_table(self, name: str) -> None:
        """Drop ``name`` and note it."""
        self.undo.note(self._tables, name)
        document = self.document()
        if name in document:
            self.undo.note(document, name)
        super().drop_table(name)
        self.ops.append(["drop", name])

    def drop_tables(self) -> None:
        """Drop every table; only a whole snapshot can record that."""
        storage, document, tables = self.storage, self.storage.read(), dict(self._tables)

        def put_back() -> None:
            storage.write(document)  # type: ignore[arg-type]
            self._tables.clear()
            self._tables.update(tables)

        self.undo.on_undo(put_back)
        super().drop_tables()
        self.whole = True

    def forget(self) -> None:
        """Forget the noted changes (they were saved, or undone); a checkpoint keeps them."""
        self.ops.clear()
        if self.kept is not None:
            self.kept.extend(self.undo.detach())
        else:
            self.undo.clear()
        self.whole = False

    def checkpoint(self) -> None:
        """Start keeping the undo entries of every saved change (again from now if kept)."""
        self.kept = []

    def rollback(self) -> None:
        """Put back what every change saved since :meth:`checkpoint` overwrote, newest first."""
        if self.kept is None:
            raise StoreError("rollback() without a checkpoint: call checkpoint() first.")
        self.undo.undo()  # nothing is pending between changes; if something is, it goes first
        kept, self.kept = self.kept, []
        UndoLog.put_back(kept)
        self.forget()
        for table in self._tables.values():
            table.clear_cache()  # TinyDB's query cache may hold rows of the rolled-back state

    def undo_changes(self) -> None:
        """Put back what the changes since the last :meth:`forget` overwrote, then forget them."""
        self.undo.undo()
        self.forget()

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
            if not is_document_id(doc_id):
                raise corrupt(f"table {table!r} has document id {doc_id!r}, not an integer "
                              "as TinyDB writes it (digits, no leading zero, at most 19)")
            if not isinstance(row, dict):
                raise corrupt(f"document {doc_id} of table {table!r} is not an object")


def _duplicate(path: tuple[str | int, ...], key: str) -> str:
    """Name what a key written twice in the document stands for (JSON would keep the last)."""
    if not path:
        return f"the table {key!r} is written twice"
    if len(path) == 1:
        return f"table {path[0]!r} holds document {key} twice"
    if len(path) == 2:
        return f"document {path[1]} of table {path[0]!r} has the field {key!r} twice"
    return f"the key {key!r} is written twice in one object"


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
