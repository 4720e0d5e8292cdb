"""Validate a store document read from disk: its schemas, its rows and their primary keys.

A ``--db`` file may have been edited by hand or written by another version; nothing is adopted
until every schema and row passes, and an error names the file, the table and the document.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from emulator.errors import FixtureError, RowRejected, StoreError
from emulator.store.rows import RowValidator
from emulator.store.schema import DataExtensionSchema

SCHEMAS_TABLE = "_schemas"
META_TABLE = "_meta"
FORMAT = 1
#: How deep a value in an internal (``_``) table may nest. The store's own hold flat rows; a
#: deeper one (a hand edit) loads, but a later save could exceed Python's recursion limit.
MAX_NESTING = 32


def read_document(
    document: dict[str, Any], where: str
) -> tuple[dict[str, DataExtensionSchema], dict[str, dict[Hashable, int]]]:
    """Validate a loaded document; return its schemas and primary-key indexes."""
    meta = next(iter(document.get(META_TABLE, {}).values()), {})
    if isinstance(meta.get("format"), int) and meta["format"] > FORMAT:
        raise StoreError(f"{where}: written by a newer mc-emulator (format {meta['format']}).")
    schemas: dict[str, DataExtensionSchema] = {}
    for doc_id, raw in document.get(SCHEMAS_TABLE, {}).items():
        try:
            schema = DataExtensionSchema.from_json(raw, f"{where}, {SCHEMAS_TABLE} #{doc_id}")
        except FixtureError as error:
            raise StoreError(error.message) from None
        if schema.key in schemas:
            raise StoreError(f"{where}: the schema of {schema.key!r} is stored twice.")
        schemas[schema.key] = schema
    for table in document:
        if not table.startswith("_") and table not in schemas:
            raise StoreError(f"{where}: table {table!r} has no schema in {SCHEMAS_TABLE}.")
        if table.startswith("_") and _nesting(document[table]) > MAX_NESTING:
            raise StoreError(f"{where}: table {table!r} nests values more than {MAX_NESTING} "
                             "levels deep; repair it, or move the file away.")
    indexes: dict[str, dict[Hashable, int]] = {}
    for key, schema in schemas.items():
        table = document.setdefault(key, {})
        validator = RowValidator(schema)
        for doc_id, row in table.items():
            try:
                table[doc_id] = validator.check(row)
            except RowRejected as error:
                problem = f"{where}: table {key!r}, document {doc_id}: {error}"
                raise StoreError(problem) from None
        indexes[key] = index_keys(validator.keys, (int(doc_id) for doc_id in table))
    return schemas, indexes


def _nesting(value: Any) -> int:
    """Return how deep ``value`` nests (a scalar is 0), without recursion, stopping early."""
    deepest, pending = 0, [(value, 0)]
    while pending and deepest <= MAX_NESTING:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth + 1)
            pending.extend((child, depth + 1)
                           for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def index_keys(pks: Iterable[Hashable], doc_ids: Iterable[int]) -> dict[Hashable, int]:
    """Map each primary key to its document id (rows without a key are not indexed)."""
    return {pk: doc_id for pk, doc_id in zip(pks, doc_ids, strict=True) if pk is not None}
