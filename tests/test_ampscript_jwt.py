"""GetJWT signing is byte-exact (docs/fidelity.md#getjwt-format and the rules after it)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import warnings

import jwt
import pytest

from emulator.ampscript import sign_jwt
from emulator.script.errors import AmpscriptError
from emulator.tokens import ALGORITHMS

HS256_HEADER = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
LONG_KEY = "k" * 64  # long enough that PyJWT does not warn for any HMAC size


def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def hmac_signature(key: bytes, signing_input: str, digest) -> str:
    mac = hmac.new(key, signing_input.encode("ascii"), digest).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


PROBE_TOKEN = (f"{HS256_HEADER}.eyJzdWIiOiJwcm9iZSIsIm4iOjd9"
               ".308Bu1Ma_gFb0_8RNujndwB8xJh6n3myT7xZ3h7BNhE")


@pytest.mark.parametrize(("key", "payload", "signature"), [
    # the published probe vector
    ("sfmc-probe-secret-2026", '{"sub":"probe","n":7}', PROBE_TOKEN.split(".")[2]),
    # A Base64-looking key signs with its UTF-8 bytes, not decoded (docs/fidelity.md#getjwt-key).
    ("oGbE/i+gRbdjSen3sVYES5DylJE760qsgNWI77UBUdM=", '{"sub":"amp-verify","iat":"1700000000"}',
     "iC2IjXWi2m7E65Zp7BveyIXQY3uFbHaz1GUEcraTDhI"),
])
def test_verified_vectors(key: str, payload: str, signature: str) -> None:
    header, body, signed = sign_jwt(key, "HS256", payload).split(".")
    assert (header, b64url_decode(body), signed) == (HS256_HEADER, payload.encode(), signature)


def test_verified_token_is_exact() -> None:
    assert sign_jwt("sfmc-probe-secret-2026", "HS256", '{"sub":"probe","n":7}') == PROBE_TOKEN


@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512"])
def test_pyjwt_verifies_every_algorithm(algorithm: str) -> None:
    token = sign_jwt(LONG_KEY, algorithm, '{"sub":"x","n":1}')
    assert jwt.get_unverified_header(token) == {"alg": algorithm, "typ": "JWT"}
    assert jwt.decode(token, LONG_KEY, algorithms=[algorithm]) == {"sub": "x", "n": 1}


def test_pyjwt_verifies_short_key_token() -> None:
    token = sign_jwt("abc", "HS512", '{"a":1}')
    with warnings.catch_warnings():
        # PyJWT warns on keys shorter than the hash; SFMC signs them without complaint.
        warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
        assert jwt.decode(token, "abc", algorithms=["HS512"]) == {"a": 1}


@pytest.mark.parametrize("payload", [
    '{\r\n  "ContactKey": "abc"\r\n}',
    '  {"a" : 1 ,\t"b":[ 1, 2 ]}  ',
    '{"name":"Zoë","city":"Zürich","emoji":"😀"}',
    "not json at all",
    "",
    '{"b":2,"a":1}',
])
def test_payload_is_signed_byte_for_byte(payload: str) -> None:
    token = sign_jwt(LONG_KEY, "HS256", payload)
    header, body, signature = token.split(".")
    assert b64url_decode(body) == payload.encode("utf-8")
    assert signature == hmac_signature(LONG_KEY.encode(), f"{header}.{body}", hashlib.sha256)
    assert "=" not in token


def test_lone_surrogate_encodes_like_dotnet() -> None:
    token = sign_jwt(LONG_KEY, "HS256", "a\ud800b\ud83d\ude00")
    assert b64url_decode(token.split(".")[1]) == "a\ufffdb\U0001f600".encode()


@pytest.mark.parametrize("key", [
    "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9\n"
    "-----END RSA PRIVATE KEY-----",
    '{"kty":"oct","k":"c2VjcmV0"}',
    "x",
    "clé-ünïcode",
])
@pytest.mark.parametrize(("algorithm", "digest"), [
    ("HS256", hashlib.sha256), ("HS384", hashlib.sha384), ("HS512", hashlib.sha512),
])
def test_any_key_signs_with_its_utf8_bytes(key: str, algorithm: str, digest) -> None:
    token = sign_jwt(key, algorithm, '{"sub":"k"}')
    header, body, signature = token.split(".")
    assert signature == hmac_signature(key.encode("utf-8"), f"{header}.{body}", digest)


@pytest.mark.parametrize(("given", "canonical"), [
    ("hs256", "HS256"), ("Hs384", "HS384"), ("hS512", "HS512"), ("HS256", "HS256"),
])
def test_algorithm_is_case_insensitive_with_canonical_header(given: str, canonical: str) -> None:
    token = sign_jwt(LONG_KEY, given, "{}")
    assert b64url_decode(token.split(".")[0]) == (
        f'{{"alg":"{canonical}","typ":"JWT"}}'.encode("ascii"))
    assert token == sign_jwt(LONG_KEY, canonical, "{}")


def test_header_is_exact_compact_text() -> None:
    header = b64url_decode(sign_jwt(LONG_KEY, "HS256", "{}").split(".")[0])
    assert header == b'{"alg":"HS256","typ":"JWT"}'
    assert json.loads(header) == {"alg": "HS256", "typ": "JWT"}


@pytest.mark.parametrize(("key", "algorithm", "parameter"), [
    (LONG_KEY, "RS256", "Algorithm"),
    (LONG_KEY, "HS999", "Algorithm"),
    (LONG_KEY, "none", "Algorithm"),
    (LONG_KEY, "", "Algorithm"),
    (LONG_KEY, " HS256", "Algorithm"),
    ("", "HS256", "Key"),
])
def test_bad_algorithm_or_empty_key_raises(key: str, algorithm: str, parameter: str) -> None:
    with pytest.raises(AmpscriptError) as raised:
        sign_jwt(key, algorithm, "{}")
    assert "Function Name: GetJWT" in raised.value.message
    assert f"Parameter Name: {parameter}" in raised.value.message


def test_algorithms_table_is_the_hmac_family() -> None:
    assert set(ALGORITHMS) == {"HS256", "HS384", "HS512"}
