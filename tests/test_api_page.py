"""The protected page end to end: token page → /api, every rejection and the success path."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from conftest import DEMO, token_body

from emulator.runtime import get_emulator

FROZEN = "2026-01-01T12:00:00Z"
FROZEN_EPOCH = 1767268800
HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def forge(payload: bytes | str, key: str = DEMO["signing_secret"], alg: str = "HS256",
          header: bytes | None = None) -> str:
    """Sign a token by hand, independently of the emulator's signer."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    if header is None:
        header = ('{"alg":"' + alg + '","typ":"JWT"}').encode()
    signing_input = f"{b64url(header)}.{b64url(payload)}"
    digest = hmac.new(key.encode(), signing_input.encode(), HASHES.get(alg, hashlib.sha256))
    return f"{signing_input}.{b64url(digest.digest())}"


def claims(**fields: object) -> str:
    body = {"client_id": DEMO["client_id"], **fields}
    return json.dumps(body, separators=(",", ":"))


def call(client, authorization: str | None, method: str = "GET"):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.open("/api", method=method, headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.data)


def issue(client, path: str = "/token", **fields: object) -> str:
    return json.loads(client.post(path, data=token_body(**fields)).data)["access_token"]


@pytest.fixture
def frozen_client(make_app):
    return make_app({"frozen_time": FROZEN}).test_client()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_token_from_the_seed_page_verifies_and_its_secret_is_not_echoed(app, client, method):
    token = issue(client)
    response = client.open("/api", method=method, headers={"Authorization": "Bearer " + token})
    assert response.data == (b'{"verified":true,"claims":{"operation":"RequestToken",'
                             b'"grant_type":"client_credentials","client_id":"demo-client"}}')
    logged = get_emulator(app).store.rows("HTTPProperties")
    assert [row["Method"] for row in logged] == ["POST", method]
    assert logged[-1]["RequestURL"] == "http://localhost/api"


def test_a_hardened_token_verifies_with_its_claims(frozen_client):
    token = issue(frozen_client, "/token/hardened")
    answer = call(frozen_client, "Bearer " + token)
    assert answer["verified"] is True
    assert answer["claims"]["iat"] == FROZEN_EPOCH
    assert answer["claims"]["exp"] == FROZEN_EPOCH + 3600


def test_nested_secret_named_fields_are_removed(client):
    payload = claims(profile={"name": "x", "api_key": "k", "list": [{"Password": "p", "n": 1}]},
                     client_secret="s")
    answer = call(client, "Bearer " + forge(payload))
    assert answer == {"verified": True, "claims": {
        "client_id": "demo-client", "profile": {"name": "x", "list": [{"n": 1}]}}}


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_hs384_and_hs512_tokens_are_accepted(client, alg):
    assert call(client, "Bearer " + forge(claims(), alg=alg))["verified"] is True


def test_lowercase_scheme_and_extra_spaces_are_accepted(client):
    token = issue(client)
    assert call(client, "  bearer    " + token + "   ")["verified"] is True
    assert call(client, "BEARER\t" + token)["verified"] is True


REJECTIONS = [
    (None, "Missing Authorization header."),
    ("", "Missing Authorization header."),
    ("Basic ZGVtbzpzZWNyZXQ=", "Authorization scheme must be Bearer."),
    ("Bearer", "Missing bearer token."),
    ("Bearer ", "Missing bearer token."),
    ("Bearer a.b.c d.e.f", "Authorization header must carry exactly one token."),
    ("Bearer a.b", "Malformed token: expected three dot-separated segments."),
    ("Bearer a.b.c=", "Malformed token: segments must be unpadded Base64url."),
]


@pytest.mark.parametrize(("authorization", "error"), REJECTIONS)
def test_header_rejections(client, authorization, error):
    assert call(client, authorization) == {"Error": error}


def test_wrong_credentials_token_from_the_seed_page_is_refused(client):
    token = issue(client, client_secret="wrong")
    assert call(client, "Bearer " + token) == {"Error": "Invalid token signature."}


def test_missing_credentials_token_from_the_seed_page_is_refused(client):
    token = issue(client, client_id=None)
    assert call(client, "Bearer " + token) == {"Error": "Token has no client_id claim."}


def test_unknown_client_token_from_the_seed_page_is_refused(client):
    token = issue(client, client_id="nobody")
    assert call(client, "Bearer " + token) == {"Error": "Unknown client."}


def test_tampered_payload_is_refused(client):
    header, _, signature = issue(client).split(".")
    payload = b64url(claims(admin=True).encode())
    assert call(client, f"Bearer {header}.{payload}.{signature}") == {
        "Error": "Invalid token signature."}


def test_tampered_signature_is_refused(client):
    token = issue(client)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert call(client, "Bearer " + flipped) == {"Error": "Invalid token signature."}


def test_tampered_header_is_refused(client):
    header = b'{"alg":"HS256","typ":"JWT","kid":"x"}'
    assert call(client, "Bearer " + forge(claims(), header=header)) == {
        "Error": "Invalid token header."}


def test_alg_none_is_refused(client):
    token = b64url(b'{"alg":"none","typ":"JWT"}') + "." + b64url(claims().encode()) + ".x"
    assert call(client, "Bearer " + token) == {
        "Error": "Unsupported algorithm: only HS256, HS384 and HS512 are accepted."}


def test_a_token_signed_with_another_key_is_refused(client):
    assert call(client, "Bearer " + forge(claims(), key="guess")) == {
        "Error": "Invalid token signature."}


def test_an_expired_token_is_refused_by_the_frozen_clock(frozen_client):
    assert call(frozen_client, "Bearer " + forge(claims(exp=FROZEN_EPOCH))) == {
        "Error": "Token has expired."}
    assert call(frozen_client, "Bearer " + forge(claims(exp=FROZEN_EPOCH + 1)))["verified"]


def test_an_exp_that_is_not_a_number_is_refused(client):
    assert call(client, "Bearer " + forge(claims(exp="9999999999"))) == {
        "Error": "The exp claim must be a number."}


def test_a_hardened_token_expires_after_its_lifetime(make_app):
    app = make_app({"frozen_time": FROZEN})
    client = app.test_client()
    token = issue(client, "/token/hardened")
    get_emulator(app).clock.freeze(
        get_emulator(app).clock.now_utc().replace(hour=13, second=0))
    assert call(client, "Bearer " + token) == {"Error": "Token has expired."}


def test_a_refusal_writes_no_exception_row(app, client):
    call(client, "Bearer nope")
    assert get_emulator(app).store.rows("CustomAppException") == []
    assert len(get_emulator(app).store.rows("HTTPProperties")) == 1


def test_a_platform_error_is_caught_logged_and_answered(app, client):
    get_emulator(app).store.drop("AppCredentials")
    answer = call(client, "Bearer " + forge(claims()))
    assert answer == {"Error": "A Data Extension with key AppCredentials does not exist."}
    logged = get_emulator(app).store.rows("CustomAppException")
    assert [row["FunctionName"] for row in logged] == ["Main Block"]
