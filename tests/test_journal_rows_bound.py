"""The rows a journal entry keeps are bounded by their exact size: a quick over-estimate that does
not fit leads to the exact measure, never to rows left out that fit."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.journal import ROW_VALUE_LIMIT, ROWS_LIMIT, Journal, JournalEntry


def _record(rows: list[dict[str, Any]]) -> JournalEntry:
    journal = Journal()
    journal.record(at=0.0, method="POST", path="/hub", query_string="", page=None, status=200,
                   duration_ms=1.0, request_headers=(), request_body=b"", response_headers=(),
                   response_body=b"", rows_written=rows)
    return journal.entries()[0]


def _numbers(count: int) -> list[dict[str, Any]]:
    # Each row: "T" and "n" (2 bytes) and one number (counted 16): 18 bytes exactly.
    return [{"dataExtension": "T", "row": {"n": number}} for number in range(count)]


@pytest.mark.parametrize("count", [1, 1000, ROWS_LIMIT // 18])
def test_rows_that_fit_exactly_are_all_kept(count: int) -> None:
    entry = _record(_numbers(count))
    assert len(entry.rows_written) == count
    assert entry.rows_written[-1] == {"dataExtension": "T", "row": {"n": count - 1}}
    assert entry.warnings == []


def test_one_row_more_than_fits_is_counted_not_kept() -> None:
    count = ROWS_LIMIT // 18 + 1
    entry = _record(_numbers(count))
    assert len(entry.rows_written) == count - 1
    assert entry.warnings == ["1 more row(s) written, not kept in the journal: an entry keeps "
                              f"{ROWS_LIMIT:,} bytes of rows"]


def test_non_ascii_and_long_texts_are_measured_in_bytes_and_cut() -> None:
    rows = [{"dataExtension": "T", "row": {"Name": "é" * 10, "Long": "x" * (ROW_VALUE_LIMIT + 5)}}]
    entry = _record(rows)
    kept = entry.rows_written[0]["row"]
    assert kept["Name"] == "é" * 10
    assert kept["Long"] != rows[0]["row"]["Long"] and len(kept["Long"]) < ROW_VALUE_LIMIT + 5
    assert entry.warnings == []


def test_no_rows_keep_nothing_and_say_nothing() -> None:
    entry = _record([])
    assert entry.rows_written == [] and entry.warnings == []
