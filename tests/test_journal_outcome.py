"""What each journaled answer meant, in words: computed when the journal is read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import token_body

from emulator.journal import Journal, outcome
from emulator.runtime import get_emulator

JSON = [("Content-Type", "application/json")]


@pytest.mark.parametrize(("status", "headers", "body", "error", "expected"), [
    (200, JSON, '{"access_token":"a.b.c","expires_in":3600}', None, "token issued"),
    (200, JSON, '{"Error":"Invalid client_id"}', None, "Invalid client_id"),
    (200, JSON, '{"Error":{"Message":"x"}}', None, "{'Message': 'x'}"),
    (302, [("Location", "https://example.com/next")], "<html>Object moved</html>", None,
     "redirect → https://example.com/next"),
    (500, [], "500 - Internal Server Error", "uncaught Error: boom",
     "page error: uncaught Error: boom"),
    (404, JSON, '{"emulator_error":"no_page","message":"No page"}', None, "refused: no_page"),
    (413, JSON, '{"emulator_error":"body_too_large"}', None, "refused: body_too_large"),
    (200, JSON, '{"ok":true}', None, "200"),
    (200, JSON, '["access_token"]', None, "200"),
    (200, [("Content-Type", "text/html")], "<p>{</p>", None, "200"),
    (200, JSON, '{"broken', None, "200"),
    (401, JSON, '{"access_token":"a"}', None, "401"),  # an error status issued nothing
    (204, [], "", None, "204"),
])
def test_the_outcome_of_an_answer(status: int, headers: list[tuple[str, str]], body: str,
                                  error: str | None, expected: str) -> None:
    assert outcome(status, headers, body, error) == expected


def test_the_journal_fills_the_outcome_when_read() -> None:
    journal = Journal()
    journal.record(at=0.0, method="POST", path="/token", query_string="", page="token",
                   status=200, duration_ms=1.0, request_headers=(), request_body=b"",
                   response_headers=JSON, response_body=b'{"Error":"Invalid grant_type"}')
    assert journal.entries()[0].outcome == "Invalid grant_type"
    assert journal.entries()[0].to_json()["outcome"] == "Invalid grant_type"


def test_the_dashboards_journal_shows_each_outcome(make_app: Any, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "go.html").write_text(
        '<script runat="server">Platform.Load("core", "1");'
        'Platform.Response.Redirect("https://example.com/next");</script>', encoding="utf-8")
    client = make_app({"pages": str(folder)}).test_client()
    client.post("/token", data=token_body())
    client.post("/token", data=token_body(), headers={"User-Agent": "x" * 4001})
    client.get("/go")
    client.get("/nowhere")
    listing = client.get("/_emulator/ui/journal/rows").get_data(as_text=True)
    cells = [line for line in listing.splitlines() if 'class="outcome"' in line]
    assert cells[0] == '<td class="outcome">refused: no_page</td>'
    assert cells[1] == '<td class="outcome">redirect → https://example.com/next</td>'
    assert cells[2].startswith("<td class=\"outcome\">") and "token issued" not in cells[2]
    assert "refused" not in cells[2] and cells[2] != "<td class=\"outcome\">200</td>"
    assert cells[3] == '<td class="outcome">token issued</td>'
    entries = get_emulator(client.application).journal.entries()
    assert [e.outcome for e in entries][::3] == ["refused: no_page", "token issued"]
