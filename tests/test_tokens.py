"""``emulator.tokens`` as a unit: one Base64url rule, one verify, one set of reader warnings."""

from __future__ import annotations

import json
import warnings
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from test_api_page import forge

from emulator import tokens
from emulator.ampscript.jwt import sign_jwt
from emulator.tokens import (
    ALGORITHMS,
    NO_EXPIRY,
    MalformedToken,
    b64url,
    decode,
    issued_token_warnings,
    secret_payload_warning,
    token_warnings,
    verify,
)
from emulator.web.ui.tokens import decode_jwt

HEADER = b64url(b'{"alg":"HS256","typ":"JWT"}')
PAYLOAD = b64url(b'{"a":1}')  # "eyJhIjoxfQ": no exp, so a page's answer carrying it warns
PEM_KEY = ("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
           "-----END PUBLIC KEY-----")
EPOCH_1000 = datetime.fromtimestamp(1000, timezone.utc)
LATER = datetime(2026, 1, 1, tzinfo=timezone.utc)


def token_with(payload: object, alg: str = "HS256", key: str = "k") -> str:
    return forge(json.dumps(payload, separators=(",", ":")), key=key, alg=alg)


def unsigned(header: object, payload: object) -> str:
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(payload).encode())}."


# --- one Base64url rule, applied by every reader ---------------------------------------------

@pytest.mark.parametrize("segment", [
    PAYLOAD + "==",  # padding
    PAYLOAD.replace("h", "+", 1),  # the standard alphabet's + (a lenient decoder reads it)
    PAYLOAD.replace("h", "/", 1),  # and its /
    PAYLOAD[:9],  # 4k+1 characters: no whole byte in the last one
    PAYLOAD[:5],
    PAYLOAD[:4] + " " + PAYLOAD[4:],
])
def test_a_segment_that_is_not_unpadded_base64url_is_refused_by_every_reader(segment: str):
    good, bad = f"{HEADER}.{PAYLOAD}.", f"{HEADER}.{segment}."
    assert decode(good).payload == {"a": 1}
    with pytest.raises(MalformedToken, match="not unpadded Base64url"):
        decode(bad)
    dashboard = decode_jwt(bad, {"app": "k"}, "app", LATER)
    assert dashboard.verdict == "Cannot decode: a segment is not unpadded Base64url."
    assert dashboard.header is None and dashboard.warnings == []
    # The journal's page-time check reads the payload with the same rule.
    assert issued_token_warnings(json.dumps({"access_token": good})) == [NO_EXPIRY]
    assert issued_token_warnings(json.dumps({"access_token": bad})) == []
    from emulator.cli import main

    cli = CliRunner().invoke(main, ["jwt", "decode", bad])
    assert cli.exit_code == 2 and "malformed token" in cli.output


@pytest.mark.parametrize("position", [0, 2])
def test_the_header_and_signature_follow_the_same_rule(position: int):
    parts = [HEADER, PAYLOAD, "c2ln"]
    parts[position] += "="
    with pytest.raises(MalformedToken, match="not unpadded Base64url"):
        decode(".".join(parts))


def test_a_header_must_be_a_json_object_and_a_payload_may_be_any_text():
    with pytest.raises(MalformedToken, match="not a JSON object"):
        decode(f"{b64url(b'[1]')}.{PAYLOAD}.")
    with pytest.raises(MalformedToken, match="not JSON"):
        decode(f"{b64url(b'[' * 100_000)}.{PAYLOAD}.")  # too deep for json: refused, no crash
    deep = decode(f"{HEADER}.{b64url(b'[' * 100_000)}.")
    assert deep.payload is None and deep.payload_text.startswith("[[[")
    text = decode(forge("hello"))
    assert (text.payload, text.payload_text) == (None, "hello")


# --- one verify ------------------------------------------------------------------------------

@pytest.mark.parametrize("alg", sorted(ALGORITHMS))
def test_what_getjwt_signs_verifies_with_its_key_only(alg: str):
    token = sign_jwt("k", alg.lower(), '{"sub":"x"}')  # the AMPscript signer, same table
    assert verify(decode(token), "k") == tokens.Verification(
        True, f"{alg} signature matches this key", "PyJWT")
    assert verify(decode(token), "K") == tokens.Verification(
        False, "the signature does not match this key", "PyJWT")


def test_a_pem_looking_key_is_checked_with_hmac_and_a_short_key_without_a_warning():
    pem_token = decode(sign_jwt(PEM_KEY, "HS256", "{}"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PyJWT's short-key advice is filtered in verify
        assert verify(pem_token, PEM_KEY) == tokens.Verification(
            True, "HS256 signature matches this key", "hmac")
        assert verify(pem_token, PEM_KEY + "x").verified is False
        assert verify(decode(sign_jwt("k", "HS256", "{}")), "k").verified


def test_expiry_is_judged_at_the_given_now():
    token = decode(token_with({"exp": 1000}))
    before = verify(token, "k", EPOCH_1000.replace(second=39))
    assert before.verified, before
    at = verify(token, "k", EPOCH_1000)
    assert at == tokens.Verification(
        False, "the signature matches, but the token expired at 1970-01-01 00:16:40 UTC "
        "(the clock says 1970-01-01 00:16:40 UTC)", "PyJWT")
    assert token_warnings(token, EPOCH_1000.replace(second=39)) == []
    assert token_warnings(token, LATER) == [
        "token expired at 1970-01-01 00:16:40 UTC (the clock says 2026-01-01 00:00:00 UTC)"]
    assert not verify(token, "k").verified  # by default: the real time


@pytest.mark.parametrize(("exp", "kind"), [
    ("soon", "a string"), (True, "a boolean"), (None, "null"), ([1], "an array")])
def test_an_exp_that_is_no_number_is_refused_and_warned_about(exp: object, kind: str):
    token = decode(token_with({"exp": exp}))
    text = f"token's exp claim is {kind}, not a number of seconds"
    assert verify(token, "k", LATER).reason == f"the signature matches, but the {text}"
    assert token_warnings(token, LATER) == [text]


def test_no_exp_verifies_but_is_warned_about():
    token = decode(token_with({"sub": "x"}))
    assert verify(token, "k", LATER).verified
    assert token_warnings(token, LATER) == [NO_EXPIRY]


def test_an_alg_that_is_no_hmac_cannot_be_verified_with_a_key():
    for alg in ("none", "RS256"):
        token = decode(unsigned({"alg": alg}, {"exp": 2_000_000_000}))
        assert verify(token, "k", LATER) == tokens.Verification(
            False, f"alg {alg} is not HS256, HS384 or HS512", "none")


# --- one set of warnings for a reader --------------------------------------------------------

@pytest.mark.parametrize("name", ["client_secret", "Password", "api-key", "privateKey",
                                  "PWD", "passwd", "apikey", "private_key"])
def test_a_secret_named_claim_is_flagged_by_the_one_rule(name: str):
    payload = {"sub": "x", name: "s", "exp": 2_000_000_000}
    text = f"token carries {name}: secret-named field(s) {name!r} in a payload anyone can read"
    assert token_warnings(decode(token_with(payload)), LATER) == [text]
    assert secret_payload_warning(json.dumps(payload)) == text  # what the journal says


@pytest.mark.parametrize("name", ["credentials", "private", "pass", "key", "token"])
def test_a_name_outside_the_rule_is_not_flagged(name: str):
    payload = {name: "s", "exp": 2_000_000_000}
    assert token_warnings(decode(token_with(payload)), LATER) == []
    assert secret_payload_warning(json.dumps(payload)) is None


def test_nested_secret_named_claims_are_flagged_with_their_path():
    token = decode(token_with({"app": {"apiKey": 1}, "list": [{"password": 2}]}))
    assert token_warnings(token, LATER) == [
        "token carries app.apiKey, list.0.password: secret-named field(s) 'app.apiKey', "
        "'list.0.password' in a payload anyone can read", NO_EXPIRY]


def test_unsigned_tokens_and_payloads_without_claims_are_warned_about_in_order():
    token = decode(unsigned({"alg": "None"}, [{"secret": 1}]))
    assert token_warnings(token, LATER) == [
        "token is unsigned (alg None): never accept it",
        "token payload is not a JSON object, so it has no claims",
        "token carries 0.secret: secret-named field(s) '0.secret' in a payload anyone can read"]
    assert token_warnings(decode(forge("hello")), LATER) == [
        "token payload is not a JSON object, so it has no claims"]


def test_the_dashboard_shows_the_same_warnings_and_picks_the_tokens_own_app():
    token = token_with({"client_id": "b", "client_secret": "s"}, key="kb")
    shown = decode_jwt(token, {"a": "ka", "b": "kb"}, "", LATER)
    assert shown.client_id == "b" and shown.verified
    assert shown.verdict == "Verified: signed HS256 with b's signing_secret."
    assert shown.warnings == token_warnings(decode(token), LATER)
    other = decode_jwt(token, {"a": "ka", "b": "kb"}, "a", LATER)
    assert other.verdict == ("Does NOT verify with a's signing_secret: "
                             "the signature does not match this key.")
    pem = decode_jwt(sign_jwt(PEM_KEY, "HS256", '{"client_id":"p"}'), {"p": PEM_KEY}, "", LATER)
    assert pem.verdict == ("Verified: signed HS256 with p's signing_secret "
                           "(checked with hmac: PyJWT refuses PEM-looking keys).")
