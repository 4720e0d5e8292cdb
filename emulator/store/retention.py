"""Retention (docs/fidelity.md#retention): which rows a Data Extension drops when rows are added.

Rows sit in their table in insertion order, so the rows to drop are always at the front: the
cost is the rows dropped plus one look, never a scan of the table.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from emulator.store.schema import Retention

#: Prefix of the tables holding rows' creation times (``{"t": epoch seconds}`` by document id)
CREATED_PREFIX = "_created:"
DAY_SECONDS = 86400


def created_table(key: str) -> str:
    """Return the name of the table holding the creation times of ``key``'s rows."""
    return CREATED_PREFIX + key


def expired(rows: Mapping[str, Any], retention: Retention, created: Mapping[str, Any],
            now: float) -> list[int]:
    """Return the document ids of ``rows`` (oldest first) that ``retention`` drops at ``now``."""
    if retention.max_rows is not None:
        excess = max(0, len(rows) - retention.max_rows)
        return [int(doc_id) for doc_id in itertools.islice(rows, excess)]
    limit = now - (retention.max_age_days or 0) * DAY_SECONDS
    gone = []
    for doc_id in rows:
        stamp = created.get(doc_id)
        if stamp is None or stamp.get("t", limit) >= limit:
            break  # a row without a time (a hand-edited file) counts as new
        gone.append(int(doc_id))
    return gone
