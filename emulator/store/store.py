"""The Data Extension store: schemas and rows in a TinyDB working set, saved through a Storage.

Layout of the working set (and of the ``--db`` file, docs/design.md): one TinyDB
table per Data Extension, named by its external key, holding its rows; the schemas in
:data:`SCHEMAS_TABLE`; store metadata in :data:`META_TABLE`. Table names starting with ``_`` are
never Data Extensions (schema.py refuses such keys).
"""

from __future__ import annotations

import bisect
import copy
import itertools
import os
import threading
import time
from collections.abc import Callable, Container, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import wraps
from typing import Any, Protocol, TypeVar

from tinydb.table import Document

from emulator.errors import DataExtensionNotFound, StoreError, StoreWriteFailed
from emulator.store.commit import GroupCommit
from emulator.store.durability import DEFAULT_FLUSH_INTERVAL, WalFile
from emulator.store.filters import compile_filter, primary_key_sought
from emulator.store.loading import FORMAT, META_TABLE, SCHEMAS_TABLE, index_keys, read_document
from emulator.store.persistence import (
    EphemeralStorage,
    Storage,
    UndoLog,
    WorkingSet,
)
from emulator.store.retention import CREATED_PREFIX, created_table, expired
from emulator.store.rows import RowValidator, StoredRow, normalise, normalise_all, primary_key
from emulator.store.schema import DataExtensionSchema
from emulator.store.wal import encode

F = TypeVar("F", bound=Callable[..., Any])


class Definition(Protocol):
    """A Data Extension to install whole: a schema and its rows (fixtures' definitions fit)."""

    schema: DataExtensionSchema
    rows: Sequence[Mapping[str, Any]]


def _require_record_table(table: str) -> None:
    """Refuse a record-table name that is a DE's, or one of the store's own tables."""
    if (not table.startswith("_") or table in (META_TABLE, SCHEMAS_TABLE)
            or table.startswith(CREATED_PREFIX)):
        raise StoreError(f"{table!r} is not a record table: its name starts with '_' and is "
                         f"none of {META_TABLE}, {SCHEMAS_TABLE} or {CREATED_PREFIX}<key>.")


class _Caller(threading.local):
    """One thread's calls into the store: how deep, and the log line its change waits for."""

    depth = 0
    ticket = 0


def _locked(method: F) -> F:
    """Run ``method`` under the store's lock, refusing a closed store.

    The outermost call of a thread waits, once it has left the lock, for its change's log line
    to be written (store/commit.py): it returns only once the change is kept.
    """

    @wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        caller = self._caller
        try:
            with self._lock:
                if self._closed:
                    raise StoreError("The Data Extension store is closed.")
                caller.depth += 1
                try:
                    return method(self, *args, **kwargs)
                finally:
                    caller.depth -= 1
        finally:
            if caller.ticket and not caller.depth:
                self._await_kept()

    return wrapper  # type: ignore[return-value]


#: A record table's index by one field: value -> the document ids holding it, ascending.
RecordIndex = dict[Hashable, tuple[int, ...]]
_UNINDEXED: RecordIndex = {}  # the index of a field whose values cannot all be dict keys


class _TakenExcept:
    """The primary keys of an index whose rows are not ``doc_ids`` (``in`` only)."""

    __slots__ = ("index", "doc_ids")

    def __init__(self, index: dict[Hashable, int], doc_ids: Container[int]) -> None:
        self.index = index
        self.doc_ids = doc_ids

    def __contains__(self, pk: object) -> bool:
        doc_id = self.index.get(pk)  # type: ignore[call-overload]
        return doc_id is not None and doc_id not in self.doc_ids


class Store:
    """Data Extensions held in memory by TinyDB and saved through a :class:`Storage`.

    One re-entrant lock guards every public method: TinyDB is not thread-safe
    (docs/fidelity.md#store-one-lock). A call that changes data validates
    everything first and changes nothing when it raises, so a refused call leaves the data and
    the file as they were. A change the file cannot take (a full disk, a read-only file) is
    undone in memory too and raises :class:`StoreWriteFailed`: a call returns only once its
    change is kept; reads go on working. With a :class:`WalFile` each change is appended to the
    write-ahead log
    (a cost that does not grow with the store) and a background flusher makes it durable and
    folds it into snapshots; with any other persistence each change saves a whole snapshot.
    Values are stored in their fields' canonical forms (store/types.py): JSON-safe ints, bools,
    text or None.
    """

    def __init__(self, persistence: Storage | None = None) -> None:
        self._storage: Storage = persistence or EphemeralStorage()
        self._lock = threading.RLock()
        self._caller = _Caller()
        self._closed = False
        self._db = WorkingSet()
        self._schemas: dict[str, DataExtensionSchema] = {}
        self._indexes: dict[str, dict[Hashable, int]] = {}
        self._record_indexes: dict[tuple[str, str], RecordIndex] = {}
        self._transaction_depth = 0
        self._unsaved = False
        self.now: Callable[[], float] = time.time  # retention's clock (tests replace it)
        self._wal = self._storage if isinstance(self._storage, WalFile) else None
        self._commits = GroupCommit(self._wal) if self._wal is not None else None
        try:
            document = self._storage.read()
            if document is None:
                self._adopt(self._new_document(), {}, {})
                self._commit()  # a new --db file exists (and opens in TinyDB) from the start
            else:
                self._adopt(document, *read_document(document, self._storage.location))
                self._db.forget()
            if self._wal is not None:
                self._wal.start(self._lock, self._settled_document)
        except BaseException:
            self._storage.close()  # releases the file's lock
            raise

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None, *,
             flush_interval: float = DEFAULT_FLUSH_INTERVAL, durable: bool = False) -> Store:
        """Open the store kept in ``path``, or an in-memory store when ``path`` is None.

        Changes reach the file's write-ahead log at once and disk within ``flush_interval`` seconds
        (``durable``: before the call returns).
        """
        if path is None:
            return cls(EphemeralStorage())
        return cls(WalFile(path, flush_interval=flush_interval, durable=durable))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- Data Extensions ---------------------------------------------------------------------

    @_locked
    def create(
        self,
        schema: DataExtensionSchema,
        rows: Iterable[Mapping[str, Any]] = (),
        replace: bool = True,
    ) -> list[StoredRow]:
        """Create the Data Extension ``schema`` with ``rows``, replacing one with the same key."""
        if schema.key in self._schemas and not replace:
            raise StoreError(f"A Data Extension with key {schema.key} already exists.")
        validator = RowValidator(schema)
        stored = [validator.check(row) for row in rows]
        self._db.drop_table(schema.key)
        self._set_schemas({**self._schemas, schema.key: schema})
        self._insert(schema.key, stored, validator.keys, fresh=True)
        self._retain(schema.key)
        self._write_schemas()
        self._commit()
        return [dict(row) for row in stored]

    @_locked
    def drop(self, key: str) -> None:
        """Delete the Data Extension ``key`` with its rows."""
        self._require(key)
        self._set_schemas({k: schema for k, schema in self._schemas.items() if k != key})
        self._drop_index(key)
        self._db.drop_table(key)
        if created_table(key) in self._db.document():
            self._db.drop_table(created_table(key))
        self._write_schemas()
        self._commit()

    @_locked
    def has(self, key: str) -> bool:
        """Return whether a Data Extension has exactly the external key ``key``."""
        return key in self._schemas

    @_locked
    def keys(self) -> list[str]:
        """Return the external keys, in creation order."""
        return list(self._schemas)

    @_locked
    def schema(self, key: str) -> DataExtensionSchema:
        """Return the schema of ``key``; raise DataExtensionNotFound."""
        return self._require(key)

    # --- Rows ----------------------------------------------------------------------------------

    @_locked
    def add_rows(self, key: str, rows: Sequence[Mapping[str, Any]]) -> list[StoredRow]:
        """Add ``rows`` all or nothing; return them as stored (values converted by types.py)."""
        schema = self._require(key)
        validator = RowValidator(schema, taken=self._indexes.get(key, {}))
        stored = [validator.check(row) for row in rows]
        if not stored:
            return []
        self._insert(key, stored, validator.keys)
        self._retain(key)
        self._commit()
        return [dict(row) for row in stored]

    @_locked
    def update_rows(self, key: str, filter: Any, values: Mapping[str, Any]) -> list[StoredRow]:
        """Set ``values`` on every row matching ``filter`` (None: all), all or nothing.

        Return the rows as now stored; no match changes nothing and returns ``[]``.
        """
        schema = self._require(key)
        changes = normalise(schema, values)
        targets = self._matching(key, schema, filter)
        if not targets or not changes:
            return [dict(row) for _, row in targets]
        ids = {doc_id for doc_id, _ in targets}
        validator = RowValidator(schema, taken=self._taken_except(key, ids))
        updated = [validator.check({**row, **changes}) for _, row in targets]
        self._replace_documents(key, [doc_id for doc_id, _ in targets], updated, validator.keys)
        self._commit()
        return [dict(row) for row in updated]

    @_locked
    def delete_rows(self, key: str, filter: Any) -> int:
        """Remove every row matching ``filter`` (None: all); return how many went."""
        schema = self._require(key)
        targets = self._matching(key, schema, filter)
        if not targets:
            return 0
        ids = [doc_id for doc_id, _ in targets]
        self._remove(key, ids)
        self._commit()
        return len(ids)

    @_locked
    def upsert_rows(self, key: str, rows: Sequence[Mapping[str, Any]],
                    kept: list[StoredRow] | None = None) -> tuple[int, int]:
        """Update rows whose primary key exists, add the others; return (added, updated).

        An update keeps the fields a row does not give. Without a primary key every row is
        added (docs/design.md: such a DE is append-only). A key given twice in ``rows`` is refused.
        ``kept``, when given, receives copies of the rows as now stored, in the order of ``rows``.
        """
        schema = self._require(key)
        index = self._indexes.get(key, {})
        table = self._table(key)
        given = normalise_all(schema, rows)
        sought = ([primary_key(schema, row) for row in given] if schema.primary_keys
                  else [None] * len(given))
        existing = [index.get(pk) if pk is not None else None for pk in sought]
        update_ids = {doc_id for doc_id in existing if doc_id is not None}
        validator = RowValidator(schema, taken=self._taken_except(key, update_ids))
        # A key with no empty part (comparison_key: None) is the key its row will store, no
        # default filling it in: the validator does not work it out again.
        known = [pk if pk is not None and None not in pk else None for pk in sought]
        # normalise()d rows are in the schema's spelling; an update keeps the stored values
        # of the fields it does not give.
        merged = [validator.check(row, normalised=True, pk=pk,
                                  over=None if doc_id is None else table[str(doc_id)])
                  for row, doc_id, pk in zip(given, existing, known, strict=True)]
        updates = [(doc_id, row, pk, old) for doc_id, row, pk, old in
                   zip(existing, merged, validator.keys, sought, strict=True)
                   if doc_id is not None]
        inserts = [(row, pk) for doc_id, row, pk in
                   zip(existing, merged, validator.keys, strict=True) if doc_id is None]
        if updates:
            self._replace_documents(key, [u[0] for u in updates], [u[1] for u in updates],
                                    [u[2] for u in updates], old=[u[3] for u in updates])
        if inserts:
            self._insert(key, [i[0] for i in inserts], [i[1] for i in inserts])
            self._retain(key)
        if merged:
            self._commit()
        if kept is not None:
            kept.extend(map(dict, merged))
        return len(inserts), len(updates)

    @_locked
    def replace_rows(self, key: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Make ``rows`` the only rows of ``key``, all or nothing; return how many."""
        schema = self._require(key)
        validator = RowValidator(schema)
        stored = [validator.check(row) for row in rows]
        self._db.table(key).truncate()
        self._drop_index(key)
        self._insert(key, stored, validator.keys, fresh=True)
        self._retain(key)
        self._commit()
        return len(stored)

    @_locked
    def retrieve(self, key: str, filter: Any = None, limit: int | None = None) -> list[StoredRow]:
        """Return copies of the rows matching ``filter``, in insertion order, at most ``limit``."""
        schema = self._require(key)
        if limit is not None and limit < 0:
            raise ValueError(f"limit must be None or >= 0, not {limit}")
        sought = None if filter is None else primary_key_sought(schema, filter)
        if sought is not None:  # one row at most: the index finds it without a scan
            # primary_key_sought accepts only an equals filter whose value converts as
            # compile_filter would convert it, so there is nothing left for it to refuse.
            doc_id = self._indexes.get(key, {}).get(sought)
            row = None if doc_id is None else self._table(key).get(str(doc_id))
            return [dict(row)] if row is not None and limit != 0 else []
        matches = None if filter is None else compile_filter(schema, filter)
        found: list[StoredRow] = []
        for row in self._table(key).values():
            if limit is not None and len(found) >= limit:
                break
            if matches is None or matches(row):
                found.append(dict(row))
        return found

    @_locked
    def scan(self, key: str, predicate: Callable[[Mapping[str, Any]], bool] | None = None,
             offset: int = 0, limit: int | None = None) -> tuple[list[StoredRow], int]:
        """Return copies of the matching rows from the ``offset``-th on, at most ``limit``, and
        how many rows ``predicate`` (None: every row) accepts in all; insertion order.

        Only the rows returned are copied, so a page costs the same wherever it lies.
        """
        self._require(key)
        rows = self._table(key).values()
        end = None if limit is None else offset + limit
        if predicate is None:
            return [dict(row) for row in itertools.islice(rows, offset, end)], len(rows)
        found: list[StoredRow] = []
        count = 0
        for row in rows:
            if predicate(row):
                if count >= offset and (end is None or count < end):
                    found.append(dict(row))
                count += 1
        return found, count

    @_locked
    def rows(self, key: str) -> list[StoredRow]:
        """Return copies of every row of ``key``, in insertion order."""
        self._require(key)
        return [dict(row) for row in self._table(key).values()]

    @_locked
    def count(self, key: str) -> int:
        """Return how many rows ``key`` holds."""
        self._require(key)
        return len(self._table(key))

    # --- Whole store ---------------------------------------------------------------------------

    @_locked
    def replace_all(self, definitions: Iterable[Definition],
                    records: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> None:
        """Make the store hold exactly ``definitions`` (reset); nothing changes if one is bad.

        ``records`` gives the record tables to hold too (see :meth:`replace_records`); every
        other record table is dropped.
        """
        document = self._new_document()
        for table, items in (records or {}).items():
            _require_record_table(table)
            document[table] = {str(i): copy.deepcopy(dict(item)) for i, item in
                               enumerate(items, 1)}
        schemas: dict[str, DataExtensionSchema] = {}
        indexes: dict[str, dict[Hashable, int]] = {}
        for definition in definitions:
            schema = definition.schema
            if schema.key in schemas:
                raise StoreError(f"The Data Extension {schema.key} is defined twice.")
            validator = RowValidator(schema)
            stored = [validator.check(row) for row in definition.rows]
            document[schema.key] = {str(i): row for i, row in enumerate(stored, 1)}
            if schema.retention is not None and schema.retention.max_age_days is not None:
                now = self.now()
                document[created_table(schema.key)] = {
                    str(i): {"t": now} for i in range(1, len(stored) + 1)}
            schemas[schema.key] = schema
            indexes[schema.key] = index_keys(validator.keys, range(1, len(stored) + 1))
        self._adopt(document, schemas, indexes)
        for key in schemas:
            self._retain(key)
        self._commit()

    # --- Record tables: data that is no Data Extension (subscribers, lists) ----------------

    @_locked
    def has_records(self, table: str) -> bool:
        """Return whether the record table ``table`` exists (an empty one too)."""
        _require_record_table(table)
        return table in self._db.document()

    @_locked
    def records(self, table: str) -> list[dict[str, Any]]:
        """Return copies of the records of ``table``, in insertion order (none: ``[]``)."""
        _require_record_table(table)
        return [copy.deepcopy(item) for item in self._db.document().get(table, {}).values()]

    @_locked
    def find_record(self, table: str, name: str, value: Any) -> dict[str, Any] | None:
        """Return a copy of the first record of ``table`` whose ``name`` is ``value``, or None.

        Found through the key index of ``(table, name)`` (built at first use), and only the
        match is copied: a lookup costs the same whatever the table holds.
        """
        _require_record_table(table)
        doc_id = self._record_doc_id(table, name, value)
        return None if doc_id is None else copy.deepcopy(self._db.document()[table][doc_id])

    @_locked
    def replace_records(self, table: str, records: Sequence[Mapping[str, Any]]) -> None:
        """Make ``records`` (JSON-ready objects) the only records of ``table``.

        A record table's name starts with ``_`` and is none of the store's own tables; it is
        saved, checkpointed and rolled back like a DE's rows. The caller checks the records.
        """
        _require_record_table(table)
        stored = [copy.deepcopy(dict(item)) for item in records]
        target = self._db.table(table, persist_empty=True)
        target.truncate()
        target.insert_multiple(stored)
        for indexed in [indexed for indexed in self._record_indexes if indexed[0] == table]:
            self._db.undo.delete(self._record_indexes, indexed)  # built again when used
        self._commit()

    @_locked
    def put_record(self, table: str, name: str, record: Mapping[str, Any]) -> None:
        """Replace the first record of ``table`` whose ``name`` is ``record``'s, or add it.

        One record is written, as a row write is, whatever the table holds.
        """
        _require_record_table(table)
        stored = copy.deepcopy(dict(record))
        doc_id = self._record_doc_id(table, name, stored.get(name))
        if doc_id is not None:
            old = self._db.document()[table][doc_id]
            self._db.put_row(table, int(doc_id), stored)
            self._reindex_record(table, int(doc_id), old, stored)
        else:
            [new_id] = self._db.table(table).insert_multiple([stored])
            self._reindex_record(table, new_id, None, stored)
        self._commit()

    @_locked
    def remove_record(self, table: str, name: str, value: Any) -> bool:
        """Remove the first record of ``table`` whose ``name`` is ``value``; return whether
        there was one. One record is written, whatever the table holds."""
        _require_record_table(table)
        doc_id = self._record_doc_id(table, name, value)
        if doc_id is None:
            return False
        old = self._db.document()[table][doc_id]
        self._db.table(table).remove(doc_ids=[int(doc_id)])
        self._reindex_record(table, int(doc_id), old, None)
        self._commit()
        return True

    def _record_index(self, table: str, name: str) -> RecordIndex | None:
        """Return the index of ``table``'s records by their ``name`` value (value -> document
        ids in table order), built at first use; None when a value cannot be a dict key.

        Its building and every change to it are noted in the undo log with the records', so
        a rollback, an undone change or a transaction's restore puts both back together.
        """
        index = self._record_indexes.get((table, name))
        if index is None:
            built: dict[Any, list[int]] = {}
            try:
                for doc_id, item in self._db.document().get(table, {}).items():
                    built.setdefault(item.get(name), []).append(int(doc_id))
                index = {value: tuple(ids) for value, ids in built.items()}
            except TypeError:  # a value that is a list or an object: this table is scanned
                index = _UNINDEXED
            self._db.undo.set(self._record_indexes, (table, name), index)
        return None if index is _UNINDEXED else index

    def _record_doc_id(self, table: str, name: str, value: Any) -> str | None:
        """Return the document id of the first record of ``table`` whose ``name`` is ``value``."""
        index = self._record_index(table, name)
        if index is not None:
            try:
                ids = index.get(value)
            except TypeError:  # an unhashable value equals none of the indexed ones
                return None
            return str(ids[0]) if ids else None
        for doc_id, item in self._db.document().get(table, {}).items():
            if item.get(name) == value:
                return doc_id
        return None

    def _reindex_record(self, table: str, doc_id: int, old: Mapping[str, Any] | None,
                        new: Mapping[str, Any] | None) -> None:
        """Move the record ``doc_id`` of ``table`` from ``old`` (None: added) to ``new`` (None:
        removed) in every index of the table, noting each change."""
        undo = self._db.undo
        for (indexed, name), index in list(self._record_indexes.items()):
            if indexed != table or index is _UNINDEXED:
                continue
            if old is not None and new is not None and old.get(name) == new.get(name):
                continue
            if old is not None:
                rest = tuple(i for i in index[old.get(name)] if i != doc_id)
                if rest:
                    undo.set(index, old.get(name), rest)
                else:
                    undo.delete(index, old.get(name))
            if new is not None:
                try:
                    ids = list(index.get(new.get(name), ()))
                except TypeError:
                    undo.set(self._record_indexes, (indexed, name), _UNINDEXED)
                    continue
                bisect.insort(ids, doc_id)  # a table's records stay in document-id order
                undo.set(index, new.get(name), tuple(ids))

    @_locked
    def dump(self) -> dict[str, dict[str, Any]]:
        """Return every Data Extension in the DE file format (schema and rows), by key."""
        return {
            key: {**schema.to_json(), "rows": [dict(row) for row in self._table(key).values()]}
            for key, schema in self._schemas.items()
        }

    @contextmanager
    def transaction(self, *, dry_run: bool = False) -> Iterator[Store]:
        """Group changes into one save; an exception (or ``dry_run``) undoes them all.

        The store's lock is held throughout, so no other thread sees a change half made. Until
        the block ends nothing is saved: on an exception, or when ``dry_run`` is true, the
        store is put back as it was and the file is not written at all. A transaction inside
        another joins it (a ``dry_run`` inner one is refused: it could not undo alone).
        """
        with self._lock:
            if self._closed:
                raise StoreError("The Data Extension store is closed.")
            if self._transaction_depth:
                if dry_run:
                    raise StoreError("A dry run cannot be nested in a transaction.")
                self._transaction_depth += 1
                try:
                    yield self
                finally:
                    self._transaction_depth -= 1
                return
            self._settle()  # the save point must hold only kept changes
            before = self._save_point()
            self._transaction_depth, self._unsaved = 1, False
            try:
                yield self
                if dry_run:
                    self._restore(before)
                elif self._unsaved:
                    self._save_snapshot()
                self._db.forget()
            except BaseException:
                self._restore(before)
                self._db.forget()  # back as saved: nothing to write
                raise
            finally:
                self._transaction_depth, self._unsaved = 0, False

    @_locked
    def checkpoint(self) -> None:
        """Mark the current state for :meth:`rollback`; from now on every change is kept to undo.

        A memory store only (a file could not take a rollback back). Calling it again moves the
        mark to the current state. Keeping costs what each change overwrote, not the store's size.
        """
        if not isinstance(self._storage, EphemeralStorage):
            raise StoreError(f"checkpoint() needs a memory store (Store.open(None)); this one "
                             f"saves to {self._storage.location}, which a rollback would not "
                             "take back.")
        if self._transaction_depth:
            raise StoreError("checkpoint() cannot be called inside a transaction.")
        self._db.checkpoint()

    @_locked
    def rollback(self) -> None:
        """Undo every change since :meth:`checkpoint`, newest first; the checkpoint stays.

        Rows, schemas, key indexes and the next document ids come back as they were, at a cost
        proportional to what changed. Raise StoreError without a checkpoint or in a transaction.
        """
        if self._transaction_depth:
            raise StoreError("rollback() cannot be called inside a transaction: leave it first.")
        self._db.rollback()

    @_locked
    def flush(self) -> None:
        """Make every change made so far durable now, as the background flusher does each interval.

        A no-op for a store that saves a whole snapshot per change (or keeps nothing). Raise
        StoreWriteFailed when the disk refuses; changes are then refused until a save succeeds.
        """
        if self._wal is not None:
            self._settle()
            self._wal.flush()  # takes this store's lock again: it is re-entrant

    def close(self) -> None:
        """Save a last snapshot and release the persistence; later calls raise StoreError.

        When the disk refuses that snapshot, raise StoreWriteFailed: the write-ahead log, which
        holds every change that was acknowledged, stays for the next open to replay.
        """
        with self._lock:
            if self._closed:
                return
            try:
                if self._wal is None:
                    self._commit()
                elif self._settle() or self._wal.pending or self._db.ops or self._db.whole:
                    self._wal.write(self._db.document())  # folds the write-ahead log in, removes it
            finally:
                self._closed = True
                self._storage.close()

    # --- Internals -----------------------------------------------------------------------------

    def _require(self, key: str) -> DataExtensionSchema:
        schema = self._schemas.get(key)
        if schema is None:
            raise DataExtensionNotFound(key)
        return schema

    def _table(self, key: str) -> dict[str, StoredRow]:
        """Return the stored rows of ``key`` by document id (the live dict: read it, never edit)."""
        return self._db.document().get(key, {})

    def _insert(
        self, key: str, stored: list[StoredRow], pks: list[Hashable], fresh: bool = False
    ) -> None:
        table = self._db.table(key, persist_empty=fresh)  # an empty DE still shows its table
        doc_ids = table.insert_multiple(stored)
        if fresh:
            self._drop_index(key)
        retention = self._schemas[key].retention
        if retention is not None and retention.max_age_days is not None:
            if fresh and created_table(key) in self._db.document():
                self._db.drop_table(created_table(key))
            now = self.now()
            created = self._db.table(created_table(key))
            created.insert_multiple(Document({"t": now}, doc_id) for doc_id in doc_ids)
        if self._schemas[key].primary_keys:
            self._index_rows(key, index_keys(pks, doc_ids))

    def _remove(self, key: str, ids: list[int]) -> None:
        """Remove the rows ``ids`` of ``key`` with their key-index entries and creation times."""
        self._db.table(key).remove(doc_ids=ids)
        gone = set(ids)
        index = self._indexes.get(key, {})
        for pk in [pk for pk, doc_id in index.items() if doc_id in gone]:
            self._db.undo.delete(index, pk)
        created = self._db.document().get(created_table(key))
        if created:
            present = [doc_id for doc_id in ids if str(doc_id) in created]
            if present:
                self._db.table(created_table(key)).remove(doc_ids=present)

    def _retain(self, key: str) -> None:
        """Drop the oldest rows beyond the DE's retention, if it has one."""
        retention = self._schemas[key].retention
        if retention is not None:
            created = self._db.document().get(created_table(key), {})
            gone = expired(self._table(key), retention, created, self.now())
            if gone:
                self._remove(key, gone)

    def _matching(self, key: str, schema: DataExtensionSchema,
                  filter: Any) -> list[tuple[int, StoredRow]]:
        """Return (document id, row) of the rows matching ``filter`` (None matches all)."""
        matches = None if filter is None else compile_filter(schema, filter)
        return [(int(doc_id), row) for doc_id, row in self._table(key).items()
                if matches is None or matches(row)]

    def _taken_except(self, key: str, doc_ids: Container[int]) -> Container[Hashable]:
        """Return the primary keys in use by rows other than ``doc_ids``.

        A view of the index, not a copy: a write of a few rows costs the same whatever the
        table holds.
        """
        return _TakenExcept(self._indexes.get(key, {}), doc_ids)

    def _replace_documents(self, key: str, doc_ids: list[int], rows: list[StoredRow],
                           pks: list[Hashable], old: list[Hashable] | None = None) -> None:
        """Replace documents ``doc_ids`` by ``rows`` (keys ``pks``); ``old``: the keys they have
        now, when the caller knows them (an upsert found them by key)."""
        schema = self._schemas[key]
        index = self._indexes.get(key, {}) if schema.primary_keys else None
        if index is not None and old is None:
            # The keys the documents have now, read before they change: a scan of the whole
            # index would make each update cost as much as the DE is long.
            table = self._table(key)
            old = [primary_key(schema, table[str(doc_id)], stored=True) for doc_id in doc_ids]
        self._db.put_rows(key, zip(doc_ids, rows, strict=True))  # every field: replace = update
        if index is not None and old is not None:
            # A document keeping its key keeps its index entry: only moved keys change.
            moved = [(doc_id, pk, was) for doc_id, pk, was in zip(doc_ids, pks, old, strict=True)
                     if pk != was or index.get(pk) != doc_id]
            changed = {doc_id for doc_id, _, _ in moved}
            for _, _, was in moved:
                if was in index and index[was] in changed:
                    self._db.undo.delete(index, was)
            if moved:
                self._index_rows(key, index_keys([pk for _, pk, _ in moved],
                                                 [doc_id for doc_id, _, _ in moved]))

    def _index_rows(self, key: str, keys: dict[Hashable, int]) -> None:
        """Add ``keys`` (primary key -> document id) to the index of ``key``, noting them."""
        undo = self._db.undo
        index = self._indexes.get(key)
        if index is None:
            index = {}
            undo.set(self._indexes, key, index)
        for pk, doc_id in keys.items():
            undo.set(index, pk, doc_id)

    def _drop_index(self, key: str) -> None:
        if key in self._indexes:
            self._db.undo.delete(self._indexes, key)

    def _set_schemas(self, schemas: dict[str, DataExtensionSchema]) -> None:
        """Replace the schemas by a new dict (undoing puts the old one back, order and all)."""
        self._db.undo.note(self.__dict__, "_schemas")
        self._schemas = schemas

    def _write_schemas(self) -> None:
        table = self._db.table(SCHEMAS_TABLE)
        table.truncate()
        table.insert_multiple(schema.to_json() for schema in self._schemas.values())

    def _commit(self) -> None:
        """Save the change just made: a log line, or a snapshot when only one will do."""
        if self._transaction_depth:
            self._unsaved = True  # saved once, when the transaction ends
            return
        try:
            if self._commits is not None and not self._db.whole:
                if self._db.ops:
                    self._commits.check()
                    line = encode(self._db.ops)
                    self._caller.ticket = self._commits.enqueue(line, self._db.undo.detach())
            else:
                self._save_snapshot()
        except BaseException as error:
            # Not kept, so not made: the working set goes back to what the file holds.
            self._db.undo_changes()
            if isinstance(error, OSError):  # a Storage that does not say which file failed
                reason = error.strerror or str(error)
                raise StoreWriteFailed(f"{self._storage.location}: the change could not be "
                                       f"written ({reason}), so it was not made.",
                                       reason=reason) from error
            raise
        self._db.forget()

    def _save_snapshot(self) -> None:
        """Write the whole working set, after every queued log line (store lock held)."""
        refusal = self._settle()
        if refusal is not None:
            raise StoreWriteFailed(refusal.message, reason=refusal.reason)
        self._storage.write(self._db.document())

    def _settle(self) -> StoreWriteFailed | None:
        """Write the queued log lines now; put back the changes the disk refused, and say why.

        The store's lock is held. A change being made now is newer than every queued one, so
        it is put back first.
        """
        if self._commits is None:
            return None
        unkept, refusal = self._commits.settle()
        if unkept:
            self._db.undo_changes()
            for undo in unkept:
                UndoLog.put_back(undo)
        return refusal

    def _settled_document(self) -> dict[str, Any]:
        """Return the live document for the flusher to fold, every queued line written first."""
        self._settle()  # a refused change's caller raises for it; the fold needs only kept ones
        return self._db.document()

    def _await_kept(self) -> None:
        """Wait, outside the lock, for this thread's change to be written (store/commit.py)."""
        ticket, self._caller.ticket = self._caller.ticket, 0
        assert self._commits is not None
        try:
            self._commits.wait(ticket)
        except StoreWriteFailed:
            with self._lock:  # put back what the refused changes did before answering
                self._settle()
            raise

    def _save_point(self) -> tuple[dict[str, Any], dict[str, DataExtensionSchema],
                                   dict[str, dict[Hashable, int]]]:
        """Copy what a transaction may change: rows (updates edit them in place) and indexes."""
        document = {name: {doc_id: dict(row) for doc_id, row in table.items()}
                    for name, table in self._db.document().items()}
        indexes = {key: dict(index) for key, index in self._indexes.items()}
        return document, dict(self._schemas), indexes

    def _restore(self, point: tuple[dict[str, Any], dict[str, DataExtensionSchema],
                                    dict[str, dict[Hashable, int]]]) -> None:
        self._adopt(*point)

    def _adopt(
        self,
        document: dict[str, Any],
        schemas: dict[str, DataExtensionSchema],
        indexes: dict[str, dict[Hashable, int]],
    ) -> None:
        document.setdefault(META_TABLE, self._new_document()[META_TABLE])
        self._db.drop_tables()  # also forgets TinyDB's cached tables and their next ids
        self._db.storage.write(document)
        self._set_schemas(schemas)
        self._db.undo.note(self.__dict__, "_indexes")
        self._indexes = indexes
        self._db.undo.note(self.__dict__, "_record_indexes")
        self._record_indexes = {}  # built again from the new document when first used
        self._write_schemas()

    @staticmethod
    def _new_document() -> dict[str, Any]:
        return {META_TABLE: {"1": {"format": FORMAT, "generator": "mc-emulator"}}}
