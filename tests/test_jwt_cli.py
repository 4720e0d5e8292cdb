"""``mcemu jwt decode``: what it shows, how it finds the key, and its exit codes."""

from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner
from conftest import DEMO, MCEMU, token_body
from test_api_page import b64url, claims, forge

from emulator.app import create_app
from emulator.cli import main
from emulator.runtime import get_emulator
from emulator.testing import LiveServer

PEM_KEY = ("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
           "-----END PUBLIC KEY-----")


def decode(*args: str):
    return CliRunner().invoke(main, ["jwt", "decode", *args])


@pytest.fixture
def seed_token(memory_app) -> str:
    answer = memory_app.test_client().post("/token", data=token_body())
    return json.loads(answer.data)["access_token"]


def test_without_a_key_it_shows_the_parts_and_exits_0(seed_token):
    result = decode(seed_token)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == 'Header:    {"alg":"HS256","typ":"JWT"}'
    assert lines[1] == "Payload:   " + token_body().decode()
    assert lines[2] == f"Signature: {seed_token.rsplit('.', 1)[1]} (32 bytes)"
    assert any(line.startswith("Warning:   token carries client_secret") for line in lines)
    assert any(line.startswith("Warning:   token has no expiry") for line in lines)
    assert lines[-1] == "Verified:  not checked (give --secret S or --client-id ID)"


def test_the_right_secret_verifies(seed_token):
    result = decode(seed_token, "--secret", DEMO["signing_secret"])
    assert result.exit_code == 0
    assert "Verified:  yes: HS256 signature matches this key" in result.output


def test_a_wrong_secret_exits_1(seed_token):
    result = decode(seed_token, "--secret", "nope")
    assert result.exit_code == 1
    assert "Verified:  no: the signature does not match this key" in result.output


def test_the_client_id_is_found_in_the_fixtures(seed_token):
    assert decode(seed_token, "--client-id", DEMO["client_id"]).exit_code == 0


def test_the_client_id_is_found_in_a_db_file(seed_token, tmp_path):
    db = tmp_path / "mcemu.json"
    get_emulator(create_app({"db": str(db)})).close()
    assert decode(seed_token, "--client-id", DEMO["client_id"], "--db", str(db)).exit_code == 0
    assert decode(forge(claims(), key="x"), "--client-id", DEMO["client_id"],
                  "--db", str(db)).exit_code == 1


def test_the_client_id_is_found_through_a_running_emulator(seed_token):
    with LiveServer() as server:
        result = decode(seed_token, "--client-id", DEMO["client_id"], "--url", server.url)
    assert result.exit_code == 0, result.output


def test_an_unknown_client_is_a_usage_error(seed_token):
    result = decode(seed_token, "--client-id", "ghost")
    assert result.exit_code == 2
    assert "no AppCredentials row for client_id 'ghost'" in result.output


def test_the_seed_token_for_wrong_credentials_does_not_verify(memory_app):
    answer = memory_app.test_client().post("/token", data=token_body(client_secret="wrong"))
    token = json.loads(answer.data)["access_token"]
    assert decode(token, "--client-id", DEMO["client_id"]).exit_code == 1


def test_a_pem_looking_key_is_checked_with_hmac_and_says_so():
    result = decode(forge(claims(), key=PEM_KEY), "--secret", PEM_KEY)
    assert result.exit_code == 0, result.output
    assert "checked with hmac" in result.output


def test_a_short_key_verifies_without_a_warning():
    assert decode(forge(claims(), key="k"), "--secret", "k").exit_code == 0


@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_other_hmac_algorithms_verify(alg):
    assert decode(forge(claims(), alg=alg), "--secret", DEMO["signing_secret"]).exit_code == 0


def test_an_expired_token_does_not_verify():
    result = decode(forge(claims(exp=1)), "--secret", DEMO["signing_secret"])
    assert result.exit_code == 1
    assert "expired at 1970-01-01 00:00:01 UTC" in result.output


def test_alg_none_does_not_verify():
    token = b64url(b'{"alg":"none"}') + "." + b64url(claims().encode()) + "."
    result = decode(token, "--secret", DEMO["signing_secret"])
    assert result.exit_code == 1
    assert "alg none is not HS256, HS384 or HS512" in result.output


def test_a_non_json_payload_is_shown_and_verified():
    result = decode(forge("hello"), "--secret", DEMO["signing_secret"])
    assert result.exit_code == 0
    assert "Payload:   hello  (not JSON; SFMC signs any text)" in result.output


@pytest.mark.parametrize("token", ["a.b", "a.b.c.d", "!!.e30.x", b64url(b"nope") + ".e30.x",
                                   b64url(b"[1]") + ".e30.x", "eyJ9.e30.xx=", "A.e30.x"])
def test_a_malformed_token_exits_2(token):
    result = decode(token)
    assert result.exit_code == 2
    assert "malformed token" in result.output


@pytest.mark.parametrize("args", [
    ["--secret", "s", "--client-id", "c"],
    ["--db", "x.json"],
    ["--url", "http://127.0.0.1:9"],
    ["--client-id", "c", "--db", "x.json", "--url", "http://127.0.0.1:9"],
])
def test_bad_usage_exits_2(seed_token, args):
    assert decode(seed_token, *args).exit_code == 2


def test_a_missing_db_file_or_unreachable_url_exits_2(seed_token, tmp_path):
    assert decode(seed_token, "--client-id", "c", "--db", str(tmp_path / "no.json")).exit_code == 2
    assert decode(seed_token, "--client-id", "c", "--url", "http://127.0.0.1:9").exit_code == 2


def test_a_dash_reads_the_token_from_standard_input(seed_token):
    result = CliRunner().invoke(main, ["jwt", "decode", "-", "--secret", DEMO["signing_secret"]],
                                input=f"  {seed_token}\n")
    assert result.exit_code == 0, result.output
    assert "Verified:  yes" in result.output
    assert f"Signature: {seed_token.rsplit('.', 1)[1]}" in result.output


@pytest.mark.parametrize("stdin", ["", " \n"])
def test_an_empty_standard_input_is_a_usage_error(stdin):
    result = CliRunner().invoke(main, ["jwt", "decode", "-"], input=stdin)
    assert result.exit_code == 2
    assert "standard input is empty" in result.output


def test_json_prints_one_object_with_every_field(seed_token):
    result = decode(seed_token, "--json", "--secret", DEMO["signing_secret"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer == {
        "header": {"alg": "HS256", "typ": "JWT"},
        "payload": json.loads(token_body()),
        "payload_text": token_body().decode(),
        "signature": seed_token.rsplit(".", 1)[1],
        "alg": "HS256",
        "expires": None,
        "warnings": answer["warnings"],
        "verified": True,
        "reason": "HS256 signature matches this key",
    }
    assert [w.split(":")[0] for w in answer["warnings"]] == ["token carries client_secret",
                                                             "token has no expiry"]


def test_json_says_null_when_not_checked_and_false_with_exit_1_when_refused():
    token = forge(claims(exp=1))
    unchecked = json.loads(decode(token, "--json").output)
    assert (unchecked["verified"], unchecked["reason"]) == (None, None)
    assert unchecked["expires"] == "1970-01-01T00:00:01Z"
    refused = decode(token, "--json", "--secret", DEMO["signing_secret"])
    assert refused.exit_code == 1
    answer = json.loads(refused.output)
    assert answer["verified"] is False and "expired" in answer["reason"]


def test_json_of_a_non_json_payload_keeps_its_text():
    answer = json.loads(decode(forge("hello"), "--json").output)
    assert (answer["payload"], answer["payload_text"]) == (None, "hello")


def test_json_of_a_malformed_token_is_still_a_usage_error():
    result = decode("a.b", "--json")
    assert result.exit_code == 2 and "malformed token" in result.output


def test_a_typed_secret_beats_a_client_id_from_the_environment(seed_token):
    result = CliRunner().invoke(main, ["jwt", "decode", seed_token, "--secret", "nope"],
                                env={"MCEMU_CLIENT_ID": DEMO["client_id"]})
    assert result.exit_code == 1  # checked with the typed secret, not the variable's client

def test_a_malformed_json_variable_is_a_usage_error(seed_token):
    result = CliRunner().invoke(main, ["jwt", "decode", seed_token], env={"MCEMU_JSON": "maybe"})
    assert result.exit_code == 2
    assert "Invalid value for '--json'" in result.output and "maybe" in result.output


def test_json_of_a_payload_with_a_lone_surrogate_prints_it_escaped():
    # Valid JSON that UTF-8 cannot print as a character: a real process, a real stdout.
    token = forge('{"name": "\\ud800x"}')
    done = subprocess.run([MCEMU, "jwt", "decode", "--json", "-"], input=token.encode(),
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    answer = json.loads(done.stdout)
    assert answer["payload"] == {"name": "\ud800x"}
    assert b"\\ud800" in done.stdout
