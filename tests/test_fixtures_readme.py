"""fixtures/README.md does what it says: its token request and its DE file."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from pathlib import Path
from typing import Any

import jwt
from conftest import DEMO
from flask import Flask

from emulator.fixtures.discovery import default_fixtures_dir, load_data_extension_file
from emulator.runtime import get_emulator

README = Path(__file__).resolve().parents[1] / "fixtures" / "README.md"


def json_blocks() -> list[Any]:
    """Return the decoded ```json blocks of the README, in order."""
    text = README.read_text(encoding="utf-8")
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", text, re.S)]


def token_request() -> dict[str, Any]:
    (request,) = [block for block in json_blocks() if block.get("operation") == "RequestToken"]
    return request


def signed_with(token: str, secret: str) -> bool:
    """Return whether ``token``'s HS256 signature is made with ``secret`` (empty allowed)."""
    head, payload, signature = token.split(".")
    digest = hmac.new(secret.encode(), f"{head}.{payload}".encode(), hashlib.sha256).digest()
    return hmac.compare_digest(base64.urlsafe_b64encode(digest).rstrip(b"=").decode(), signature)


def test_the_example_request_gets_a_token_signed_with_the_demo_secret(app: Flask) -> None:
    request = token_request()
    assert request["grant_type"] == "client_credentials"
    answer = app.test_client().post("/token", data=json.dumps(request).encode())
    token = answer.get_json(force=True)["access_token"]
    assert signed_with(token, DEMO["signing_secret"])
    assert not signed_with(token, "")
    claims = jwt.decode(token, DEMO["signing_secret"], algorithms=["HS256"])
    assert claims["client_id"] == "demo-client"


def test_without_grant_type_the_token_is_not_signed_with_the_secret(app: Flask) -> None:
    # What the README warns about: the page still answers a token, signed with something else.
    request = {k: v for k, v in token_request().items() if k != "grant_type"}
    answer = app.test_client().post("/token", data=json.dumps(request).encode())
    token = answer.get_json(force=True)["access_token"]
    assert not signed_with(token, DEMO["signing_secret"])


def test_the_example_request_passes_the_hardened_page_too(app: Flask) -> None:
    answer = app.test_client().post("/token/hardened", data=json.dumps(token_request()).encode())
    token = answer.get_json(force=True)["access_token"]
    assert signed_with(token, DEMO["signing_secret"])


def test_the_demo_client_table_matches_the_shipped_row(app: Flask) -> None:
    text = README.read_text(encoding="utf-8")
    for name, value in DEMO.items():
        assert f"| `{name}` | `{value}` |" in text
    (row,) = get_emulator(app).store.rows("AppCredentials")
    assert row == DEMO


def test_the_example_de_file_is_the_shipped_app_credentials() -> None:
    (example,) = [block for block in json_blocks() if "fields" in block]
    shipped = default_fixtures_dir() / "data_extensions" / "AppCredentials.json"
    assert example == json.loads(shipped.read_text(encoding="utf-8"))


def test_values_are_stored_in_their_fields_types(tmp_path: Path, make_app: Any) -> None:
    """The stored forms docs/ci.md lists: 42 → "42", true → "True", "9.50", dates as ISO."""
    folder = tmp_path / "mine" / "data_extensions"
    folder.mkdir(parents=True)
    fields = [{"name": "Id", "primaryKey": True}, {"name": "Label"}, {"name": "Flag"},
              {"name": "Price", "type": "Decimal", "precision": 10, "scale": 2},
              {"name": "Paid", "type": "Boolean"}, {"name": "Day", "type": "Date"},
              {"name": "Count", "type": "Number"}]
    rows = [{"Id": "a", "Label": 42, "Flag": True, "Price": "9.5", "Paid": "yes",
             "Day": "1/15/2024 12:00:00 AM", "Count": "7"}]
    path = folder / "Things.json"
    path.write_text(json.dumps({"key": "Things", "fields": fields, "rows": rows}),
                    encoding="utf-8")
    assert load_data_extension_file(path).schema.key == "Things"
    app = make_app({"fixtures": [str(tmp_path / "mine")]})
    (stored,) = get_emulator(app).store.rows("Things")
    assert stored == {"Id": "a", "Label": "42", "Flag": "True", "Price": "9.50", "Paid": True,
                      "Day": "2024-01-15T00:00:00.000", "Count": 7}
