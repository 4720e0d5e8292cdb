"""A lone surrogate in a row (a page may write one: JavaScript strings hold them) is kept as it
is, and every view that shows it answers: the dashboard shows U+FFFD in its place, the admin API
and the journal escape it in JSON."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from emulator.runtime import get_emulator

LONE = "before\ud800after"


def _add(client: FlaskClient) -> None:
    store = get_emulator(client.application).store
    client.post("/_emulator/data-extensions", json={
        "key": "Lone", "fields": [{"name": "Text"}]})
    store.add_rows("Lone", [{"Text": LONE}])


def test_the_dashboard_shows_a_row_with_a_lone_surrogate(client: FlaskClient) -> None:
    _add(client)
    answer = client.get("/_emulator/ui/data-extensions/Lone")
    assert answer.status_code == 200
    assert "before\ufffdafter" in answer.get_data(as_text=True)


def test_the_admin_api_escapes_a_lone_surrogate(client: FlaskClient) -> None:
    _add(client)
    answer = client.get("/_emulator/data-extensions/Lone/rows")
    assert answer.status_code == 200
    rows: Any = answer.get_json()
    assert rows["rows"] == [{"Text": LONE}]
