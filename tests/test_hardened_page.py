"""The hardened token page with a frozen clock: exact payload bytes, errors instead of tokens."""

from __future__ import annotations

import json
import uuid

import jwt
import pytest
from conftest import DEMO, b64url_decode, token_body

from emulator.pages.hardened import TOKEN_LIFETIME
from emulator.runtime import get_emulator

FROZEN = "2026-01-01T12:00:00Z"
IAT = 1767268800


@pytest.fixture
def frozen_app(make_app):
    return make_app({"frozen_time": FROZEN})


def post(app, body: bytes, method: str = "POST"):
    response = app.test_client().open("/token/hardened", method=method, data=body)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return response


def test_the_payload_is_built_from_claims_with_the_frozen_clock(frozen_app):
    response = post(frozen_app, token_body())
    answer = json.loads(response.data)
    token = answer["access_token"]
    jti = str(uuid.uuid5(uuid.NAMESPACE_URL, "mcemu:2026-01-01T12:00:00+00:00:1"))
    assert b64url_decode(token.split(".")[1]) == (
        b'{"client_id":"demo-client","iat":1767268800,"exp":1767272400,"jti":"'
        + jti.encode() + b'"}')
    assert response.data == (b'{"access_token":"' + token.encode()
                             + b'","token_type":"Bearer","expires_in":3600}')
    claims = jwt.decode(token, DEMO["signing_secret"], algorithms=["HS256"],
                        options={"verify_exp": False})
    assert claims["exp"] - claims["iat"] == TOKEN_LIFETIME
    assert "client_secret" not in claims


def test_the_same_frozen_instant_gives_the_same_bytes(make_app):
    first = post(make_app({"frozen_time": FROZEN}), token_body()).data
    second = post(make_app({"frozen_time": FROZEN}), token_body()).data
    assert first == second


def test_seconds_of_the_clock_reach_iat(make_app):
    app = make_app({"frozen_time": "2026-01-01T12:34:56Z"})
    token = json.loads(post(app, token_body()).data)["access_token"]
    assert json.loads(b64url_decode(token.split(".")[1]))["iat"] == IAT + 34 * 60 + 56


def test_the_client_id_comes_from_the_row(frozen_app):
    token = json.loads(post(frozen_app, token_body(client_id="DEMO-CLIENT")).data)
    claims = json.loads(b64url_decode(token["access_token"].split(".")[1]))
    assert claims["client_id"] == "demo-client"


REFUSALS = [
    (token_body(client_secret="wrong"), "Not Authorized. Please validate your credentials."),
    (token_body(client_secret="DEMO-SECRET"), "Not Authorized. Please validate your credentials."),
    (token_body(client_id="nobody"), "Not Authorized. Please validate your credentials."),
    (token_body(client_secret=None),
     "Missing credentials: client_id and client_secret are required."),
    (token_body(client_id=None), "Missing credentials: client_id and client_secret are required."),
    (token_body(client_id=42), "Missing credentials: client_id and client_secret are required."),
    (token_body(grant_type=None), "Unsupported grant_type: use client_credentials."),
    (token_body(grant_type="password"), "Unsupported grant_type: use client_credentials."),
    (b'{"operation":"Refresh"}', "Invalid operation specified."),
    (b"", "The request body must be a JSON object."),
    (b"{not json", "The request body must be a JSON object."),
    (b'"RequestToken"', "The request body must be a JSON object."),
    # JSON that is not an object: the README promises this message, not "Invalid operation".
    (b"[1]", "The request body must be a JSON object."),
    (b"[]", "The request body must be a JSON object."),
    (b'[{"operation":"RequestToken"}]', "The request body must be a JSON object."),
    (b"42", "The request body must be a JSON object."),
    (b'"x"', "The request body must be a JSON object."),
    (b"null", "The request body must be a JSON object."),
    (b"true", "The request body must be a JSON object."),
]


@pytest.mark.parametrize(("body", "error"), REFUSALS)
def test_refusals_answer_an_error_and_no_token(frozen_app, body, error):
    assert json.loads(post(frozen_app, body).data) == {"Error": error}
    assert get_emulator(frozen_app).store.rows("CustomAppException") == []


def test_get_is_refused_and_still_logged(frozen_app):
    assert json.loads(post(frozen_app, b"", method="GET").data) == {
        "Error": "Method not allowed: use POST."}
    assert [r["Method"] for r in get_emulator(frozen_app).store.rows("HTTPProperties")] == ["GET"]


def test_an_internal_error_is_logged_and_not_leaked(frozen_app):
    get_emulator(frozen_app).store.drop("AppCredentials")
    assert json.loads(post(frozen_app, token_body()).data) == {
        "Error": "The token could not be issued."}
    logged = get_emulator(frozen_app).store.rows("CustomAppException")
    assert logged[0]["Message"] == "A Data Extension with key AppCredentials does not exist."


def test_the_ssjs_source_ships_beside_the_port():
    from emulator.pages import get_page

    for name in ("hardened", "api"):
        source = get_page(name).source_text()
        assert source.startswith('<script runat="server">')
        assert "=>" not in source and "let " not in source and "const " not in source
        assert "JSON.parse" not in source and "`" not in source
