"""Every per-request record is bounded in bytes: the journal, the warning log, the server log.

A client chooses most of what the emulator records (its body's field names, its headers, its
path) and a page chooses the rest (its error message): whatever they are, an entry, the warning
log and a log line stay small, and a cut text says how long it was. The answer is never cut.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import DEMO, token_body
from flask import Flask
from test_token_page import expected_token

from emulator.journal import (
    ERROR_LIMIT,
    HEADER_LIMIT,
    HEADERS_CUT,
    HEADERS_LIMIT,
    MAX_TRACKED,
    MAX_WARNINGS,
    PATH_LIMIT,
    ROW_VALUE_LIMIT,
    ROWS_LIMIT,
    TRACKED_BYTES,
    WARNING_LIMIT,
    Journal,
    JournalEntry,
    WarningLog,
    cut,
    utf8_size,
)
from emulator.runtime import get_emulator
from emulator.web.logfold import LOG_LIMIT, LogFold

MIB = 1024 * 1024


def size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def huge_secret_body(n: int, name_size: int) -> bytes:
    """A RequestToken body for the demo client with one more field: a huge secret-looking name."""
    body = json.loads(token_body())
    body[f"secret{n}" + "x" * name_size] = 1
    return json.dumps(body).encode()


def assert_bounded(entry: JournalEntry | dict) -> None:
    """Assert that every text of a journal entry (object or admin JSON) is within its bound."""
    data = entry.to_json() if isinstance(entry, JournalEntry) else entry
    assert len(data["warnings"]) <= MAX_WARNINGS + 2  # + the lines saying what was not kept
    assert all(size(w) <= WARNING_LIMIT for w in data["warnings"])
    for key in ("request_headers", "response_headers"):
        pairs = data[key]
        assert all(size(n) <= HEADER_LIMIT and size(v) <= HEADER_LIMIT for n, v in pairs)
        assert sum(size(n) + size(v) for n, v in pairs) <= HEADERS_LIMIT
    assert size(data["error"] or "") <= ERROR_LIMIT
    assert size(data["path"]) <= PATH_LIMIT and size(data["query_string"]) <= PATH_LIMIT
    texts = [v for row in data["rows_written"] for v in row["row"].values() if isinstance(v, str)]
    assert all(size(v) <= ROW_VALUE_LIMIT for v in texts) and sum(map(size, texts)) <= ROWS_LIMIT


@pytest.fixture
def folded(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at INFO, its handler folding as ``mcemu serve``'s handlers do."""
    caplog.set_level(logging.INFO)
    fold = LogFold()
    caplog.handler.addFilter(fold)
    yield caplog
    caplog.handler.removeFilter(fold)


# --- the cut itself ----------------------------------------------------------------------------

def test_a_cut_text_fits_its_bound_ends_on_a_character_and_says_how_long_it_was():
    assert cut("short", 64) == "short"
    text = "é" * 10_000  # 20,000 bytes
    folded = cut(text, 1000)
    assert size(folded) <= 1000 and folded.endswith("… [cut: 20,000 bytes]")
    assert set(folded.split("…")[0]) == {"é"}  # no half character
    assert cut("😀" * 300, 1200) == "😀" * 300  # 1,200 bytes: fits exactly
    assert size(cut("😀" * 301, 1200)) <= 1200
    assert utf8_size("a😀") == 5


# --- 80 tokens with a huge secret-looking field name ---------------------------------------------

def test_80_tokens_with_huge_secret_names_are_answered_whole_and_recorded_small(
        make_app, folded: pytest.LogCaptureFixture):
    app = make_app()
    client = app.test_client()
    name_size = 256 * 1024  # a 5 MB name makes the same records; this keeps the test quick
    for n in range(80):
        body = huge_secret_body(n, name_size)
        response = client.post("/token", data=body)
        token = expected_token(DEMO["signing_secret"], body)  # the answer is not cut
        assert response.data == b'{"access_token":"' + token.encode() + b'","token_type":"Bearer"}'
    emulator = get_emulator(app)
    listed = client.get("/_emulator/journal?limit=80").json
    assert listed["total"] == 80
    for entry in listed["entries"]:
        assert_bounded(entry)
        assert entry["request_body_truncated"] and entry["response_body_truncated"]
        secret = entry["warnings"][0]
        assert secret.startswith("token carries client_secret, secret")
        assert f"… ({name_size + 7 + (len(str(entry['id'] - 1)) - 1):,} characters)" in secret
        assert size(secret) < 1024
    # The warning log remembers the 80 distinct warnings, each short; the log got them short.
    assert len(emulator.warning_log) >= 80
    assert emulator.warning_log.tracked_bytes() < 80 * 1024
    logged = [r.getMessage() for r in folded.records]
    assert sum(map(size, logged)) < 200 * 1024
    assert sum("secret-named" in m for m in logged) == 80


def test_the_mocks_journal_is_bounded_too(mcemu_mock):
    body = huge_secret_body(0, 5_000_000)  # 5 MB: within --max-body's 5 MiB
    response = requests.post(mcemu_mock.url_for("/token"), data=body,
                             headers={"X-Trace": "trace/" + "a" * MIB})
    assert response.json()["access_token"] == expected_token(DEMO["signing_secret"], body)
    [entry] = mcemu_mock.journal()
    assert_bounded(entry)
    trace = dict(entry.request_headers)["X-Trace"]
    assert trace.endswith(f"… [cut: {MIB + 6:,} bytes]")
    assert entry.warnings[0].startswith("token carries client_secret, secret0")


def test_clearing_the_journal_drops_the_entries(memory_app: Flask):
    client = memory_app.test_client()
    client.post("/token", data=huge_secret_body(0, 100_000))
    assert client.get("/_emulator/journal").json["total"] == 1
    assert client.delete("/_emulator/journal").status_code == 204
    assert client.get("/_emulator/journal").json == {"total": 0, "count": 0, "entries": []}
    assert len(get_emulator(memory_app).journal) == 0


# --- headers, path, user agent, a page's error ---------------------------------------------------

def test_long_headers_path_and_user_agent_are_cut_in_the_journal_and_the_log(
        memory_app: Flask, folded: pytest.LogCaptureFixture):
    client = memory_app.test_client()
    headers = {"User-Agent": "Mozilla/5.0 " + "u" * MIB, "X-Long": "é" * 500_000,
               "X-Small": "kept"}
    client.post("/token?q=" + "q" * 100_000, data=token_body(), headers=headers)
    client.get("/" + "p" * MIB)
    query_entry, path_entry = reversed(get_emulator(memory_app).journal.entries())
    assert_bounded(query_entry)
    assert_bounded(path_entry)
    sent = dict(query_entry.request_headers)
    assert sent["User-Agent"].endswith(f"… [cut: {MIB + 12:,} bytes]")
    assert sent["X-Small"] == "kept"  # a small header after a dropped one is kept
    assert sent[HEADERS_CUT] == "1 more header(s) not kept: 1,000,006 bytes"  # X-Long
    assert query_entry.query_string.endswith("… [cut: 100,002 bytes]")
    assert path_entry.path.endswith(f"… [cut: {MIB + 1:,} bytes]")
    lines = [r.getMessage() for r in folded.records if r.name == "emulator.requests"]
    assert len(lines) == 2 and all(size(line) <= LOG_LIMIT for line in lines)
    assert f"[cut: {MIB + 1:,} bytes]" in lines[1]


SSJS_PAGES = {
    "bigerror.html": '<script runat="server">var s = "x";\n'
                     'while (s.length < 1048576) s += s;\nthrow new Error(s);</script>',
}


@pytest.fixture
def ssjs_app(tmp_path: Path, make_app) -> Flask:
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, text in SSJS_PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return make_app({"pages": str(folder), "ssjs_timeout": 10})


def test_a_page_error_of_a_megabyte_is_cut_in_the_journal_and_the_log(
        ssjs_app: Flask, folded: pytest.LogCaptureFixture):
    response = ssjs_app.test_client().get("/bigerror")
    assert response.status_code == 500
    [entry] = get_emulator(ssjs_app).journal.entries()
    assert_bounded(entry)
    assert entry.error is not None and re.search(r"… \[cut: 1,048,5\d\d bytes\]$", entry.error)
    assert entry.error_file is not None and entry.error_file.endswith("bigerror.html")
    messages = [r.getMessage() for r in folded.records]
    assert messages and all(size(m) <= LOG_LIMIT for m in messages)
    assert any(re.search(r"xxxx… \[cut: 1,048,\d{3} bytes\]$", m) for m in messages)


# --- the parts: journal, warning log, log fold ---------------------------------------------------

def record(journal: Journal, **values) -> JournalEntry:
    journal.record(**{"at": 0.0, "method": "POST", "path": "/p", "query_string": "",
                      "page": "p", "status": 200, "duration_ms": 1.0, "request_headers": (),
                      "request_body": b"", "response_headers": (), "response_body": b"",
                      **values})
    return journal.entries()[0]


def test_an_entry_keeps_few_warnings_few_headers_and_few_rows_and_says_so():
    warnings = [f"warning {n} " + "w" * 10_000 for n in range(100)]
    headers = [(f"X-{n}", "h" * 1000) for n in range(100)]
    rows = [{"dataExtension": "Log", "row": {"Text": "r" * 10_000, "N": n}} for n in range(100)]
    entry = record(Journal(), warnings=warnings, request_headers=headers,
                   response_headers=headers, rows_written=rows, error="e" * 100_000,
                   error_file="f" * 10_000)
    assert_bounded(entry)
    assert entry.warnings[0].endswith("… [cut: 10,010 bytes]")
    assert entry.warnings[MAX_WARNINGS] == (
        f"80 more warning(s) not kept: a request keeps at most {MAX_WARNINGS} (and logs no more)")
    assert entry.warnings[-1].endswith("more row(s) written, not kept in the journal: an entry "
                                       f"keeps {ROWS_LIMIT:,} bytes of rows")
    assert entry.request_headers[-1][0] == HEADERS_CUT
    assert entry.error is not None and entry.error.endswith("… [cut: 100,000 bytes]")
    assert entry.error_file is not None and size(entry.error_file) <= 1024
    assert len(warnings) == 100 and len(warnings[0]) == 10_010  # the caller's values unchanged


def test_the_warning_log_remembers_a_bounded_number_of_bytes(caplog: pytest.LogCaptureFixture):
    log = WarningLog(window=60, now=lambda: 0.0)
    for n in range(MAX_TRACKED):
        assert log.warn("POST token", f"warning {n} " + "w" * MIB)
    assert 0 < log.tracked_bytes() <= TRACKED_BYTES
    assert len(log) * WARNING_LIMIT >= log.tracked_bytes()
    logged = [r.getMessage() for r in caplog.records if r.name == "emulator.page"]
    assert len(logged) == MAX_TRACKED
    assert all(size(m) <= WARNING_LIMIT + 20 for m in logged)
    assert logged[0].endswith(f"… [cut: {MIB + 10:,} bytes]")
    # A repeat of a cut warning is folded like any other.
    assert not log.warn("POST token", f"warning {MAX_TRACKED - 1} " + "w" * MIB)


def test_the_log_fold_cuts_messages_and_tracebacks():
    fold = LogFold()
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "%s: %s", ("where", "m" * MIB),
                               None)
    assert fold.filter(record)
    assert size(record.getMessage()) <= LOG_LIMIT
    assert record.getMessage().endswith(f"… [cut: {MIB + 7:,} bytes]")
    try:
        raise ValueError("v" * MIB)
    except ValueError as error:
        failed = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (),
                                   (type(error), error, error.__traceback__))
    assert fold.filter(failed)
    text = logging.Formatter().format(failed)
    assert size(text) <= 2 * LOG_LIMIT and "… [cut: " in text
    short = logging.LogRecord("x", logging.INFO, __file__, 1, "fine %d", (1,), None)
    assert fold.filter(short) and short.getMessage() == "fine 1"


def test_the_token_warnings_cached_by_payload_are_short():
    from emulator.tokens import CACHED_TEXT_LIMIT, LISTED_FIELDS, secret_payload_warning

    names = [f"secret{n}" + "s" * 2000 for n in range(7)]
    payload = json.dumps({name: 1 for name in names})
    assert len(payload) <= CACHED_TEXT_LIMIT  # so the warning is kept in the cache
    warning = secret_payload_warning(payload)
    assert warning is not None and size(warning) < WARNING_LIMIT
    assert warning.count("(2,007 characters)") == 2 * LISTED_FIELDS
    assert " and 2 more" in warning
    deep = json.dumps({"secret" + "k" * 100_000: {str(n): 1 for n in range(1000)}})
    assert size(secret_payload_warning(deep) or "") < WARNING_LIMIT


def test_a_filter_with_long_texts_is_compiled_every_time_not_kept():
    from emulator.store.filters import compile_filter
    from emulator.store.schema import DataExtensionSchema

    schema = DataExtensionSchema.from_json({"key": "Items", "fields": [{"name": "Code"}]}, "test")
    rows = [{"Code": "1"}, {"Code": "y" * MIB}]
    long = {"Property": "Code", "SimpleOperator": "equals", "Value": "y" * MIB}
    for _ in range(2):
        assert [row for row in rows if compile_filter(schema, long)(row)] == [rows[1]]
    assert schema.compiled_filters == {}
    short = {"Property": "Code", "SimpleOperator": "equals", "Value": "1"}
    assert [row for row in rows if compile_filter(schema, short)(row)] == [rows[0]]
    assert len(schema.compiled_filters) == 1  # a short one is kept as before


# --- the real server ---------------------------------------------------------------------------

@pytest.mark.slow
def test_mcemu_serve_logs_kilobytes_for_megabytes(server, tmp_path: Path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "bigerror.html").write_text(SSJS_PAGES["bigerror.html"], encoding="utf-8")
    mcemu = server("--pages", str(folder), "--ssjs-timeout", "10")
    for n in range(3):
        answer = requests.post(f"{mcemu.url}/token", data=huge_secret_body(n, 5_000_000),
                               timeout=60)
        assert answer.status_code == 200 and "access_token" in answer.json()
    assert requests.get(f"{mcemu.url}/bigerror", timeout=60).status_code == 500
    code, _, log = mcemu.stop()
    assert code == 0
    assert len(log.encode()) < 64 * 1024
    # The page's error, folded by the log's handler.
    assert re.search(r"uncaught Error: xxxx+… \[cut: 1,048,\d{3} bytes\]\n", log)
    assert log.count("secret-named") == 3
