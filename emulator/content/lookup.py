"""Find a content block in the store: by key, by name path (backslash chain) or by id.

Keys and name paths match in any case (docs/fidelity.md#content-blocks); an id is a number or
numeric text.
"""

from __future__ import annotations

from typing import Any

from emulator.content.blocks import CONTENT_TABLE, fold_path
from emulator.store.store import Store


def by_key(store: Store, key: str) -> dict[str, Any] | None:
    """Return the block whose key is ``key`` (any case), or None."""
    folded = key.strip().casefold()
    return _first(store, lambda block: block["key"].casefold() == folded)


def by_name(store: Store, path: str) -> dict[str, Any] | None:
    """Return the block whose folder chain and name are ``path`` (any case), or None."""
    folded = fold_path(path)
    return _first(store, lambda block: fold_path(block["path"]) == folded)


def by_id(store: Store, value: Any) -> dict[str, Any] | None:
    """Return the block with the numeric id ``value`` (a number or its text), or None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if isinstance(value, bool) or not text.isascii() or not text.isdigit():
        return None
    wanted = int(text)
    return _first(store, lambda block: block["id"] == wanted)


def _first(store: Store, match: Any) -> dict[str, Any] | None:
    if not store.has_records(CONTENT_TABLE):
        return None
    return next((block for block in store.records(CONTENT_TABLE) if match(block)), None)
