"""``mcemu demo`` runs to completion in plain text, in-process and against --url."""

from __future__ import annotations

from click.testing import CliRunner

from emulator.cli import main
from emulator.testing import LiveServer

HEADINGS = [
    "Step 1 - The app authenticates",
    "Step 2 - The page generates the token",
    "Step 3 - The token is returned to the app",
    "Step 4 - The app calls an API with Authorization: Bearer <token>",
    "Step 5 - The platform verifies the signature",
    "What can go wrong 1 - a GET request",
    "What can go wrong 2 - an invalid operation",
    "What can go wrong 3 - wrong credentials",
    "What can go wrong 4 - a tampered token",
    "What can go wrong 5 - an empty body",
    "The fix - the hardened page beside the original",
]


def test_the_demo_runs_every_step_in_plain_text():
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\x1b[" not in out  # piped: no colour codes
    positions = [out.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    for text in ('< {"message":"403 Forbidden"}', '< {"Error":"Invalid operation specified."}',
                 '< {"Error":"Invalid token signature."}', '"verified":true',
                 "cannot read property 'operation' of null",
                 "row        CustomAppException <- ",
                 "row        HTTPProperties <- ",
                 "header     {\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                 "verifies with demo-client's signing secret",
                 "does NOT verify with demo-client's signing secret",
                 "token signed with a non-secret key (GetAccessToken returned an error object)",
                 "token has no expiry", "token carries client_secret",
                 '< {"Error":"Not Authorized. Please validate your credentials."}',
                 '"expires_in":3600'):
        assert text in out, text


def test_the_demo_colours_on_request():
    result = CliRunner().invoke(main, ["demo", "--color"])
    assert result.exit_code == 0
    assert "\x1b[" in result.output


def test_the_demo_runs_against_a_url_and_pauses_quietly_when_piped():
    with LiveServer() as server:
        result = CliRunner().invoke(main, ["demo", "--url", server.url, "--step"])
    assert result.exit_code == 0, result.output
    assert f"demo against {server.url}" in result.output
    assert "What can go wrong 5 - an empty body" in result.output


def test_an_unreachable_url_is_a_usage_error():
    result = CliRunner().invoke(main, ["demo", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "no emulator answers" in result.output


def test_an_unknown_client_is_named_with_the_known_ones_and_exits_1():
    result = CliRunner().invoke(main, ["demo", "--client-id", "ghost"])
    assert result.exit_code == 1, result.output
    assert "Step 1" not in result.output  # refused before any step, not after a useless run
    assert "Error: unknown client 'ghost'" in result.output
    assert '/api answers "Unknown client"' in result.output
    assert "Clients there: demo-client" in result.output


def test_an_unknown_client_at_a_url_says_how_to_list_the_clients():
    with LiveServer() as server:
        result = CliRunner().invoke(main, ["demo", "--url", server.url],
                                    env={"MCEMU_CLIENT_ID": "ghost"})
    assert result.exit_code == 1, result.output
    assert f"unknown client 'ghost': {server.url} has no AppCredentials row" in result.output
    assert f"curl -s {server.url}/_emulator/data-extensions/AppCredentials/rows" in result.output
