"""The request journal and the diagnostics: seen in the journal and the log, never in the reply."""

from __future__ import annotations

import base64
import json
import logging

from conftest import DEMO, token_body
from test_token_page import expected_token

from emulator import assumptions
from emulator.runtime import get_emulator


def test_a_secret_in_the_payload_is_a_warning_and_the_response_is_unchanged(app, client,
                                                                            caplog):
    caplog.set_level(logging.INFO)
    body = token_body()
    response = client.post("/token", data=body)
    expected = expected_token(DEMO["signing_secret"], body)
    assert response.data == b'{"access_token":"' + expected.encode() + b'","token_type":"Bearer"}'
    entry = get_emulator(app).journal.entries()[0]
    assert len(entry.warnings) == 2 and "'client_secret'" in entry.warnings[0]
    assert entry.warnings[0].startswith("token carries client_secret")
    assert entry.warnings[1].startswith("token has no expiry")
    assert any(r.levelno == logging.WARNING and "'client_secret'" in r.getMessage()
               for r in caplog.records)


def test_a_token_signed_with_an_error_object_is_a_warning(app, client, caplog):
    body = token_body(client_secret="wrong")
    response = client.post("/token", data=body)
    expected = expected_token(assumptions.CLR_OBJECT_TEXT, body)
    assert json.loads(response.data)["access_token"] == expected
    warnings = get_emulator(app).journal.entries()[0].warnings
    assert any("non-secret key" in w and "an object" in w for w in warnings)
    assert any(w.startswith("token signed with a non-secret key (GetAccessToken returned an "
                            "error object)") for w in warnings)
    assert any("non-secret key" in r.getMessage() for r in caplog.records)


def test_a_clean_payload_raises_no_warning(app, client):
    client.post("/token", data=b'{"operation":"Nope"}')
    assert get_emulator(app).journal.entries()[0].warnings == []


def test_the_journal_records_method_path_status_bodies_and_rows(app, client):
    client.post("/token?debug=1", data=token_body(), headers={"User-Agent": "probe/1"})
    entry = get_emulator(app).journal.entries()[0]
    assert (entry.method, entry.path, entry.query_string, entry.page, entry.status) == (
        "POST", "/token", "debug=1", "token", 200)
    assert entry.request_body == token_body().decode()
    assert entry.response_body.startswith('{"access_token":"')
    assert entry.duration_ms > 0
    assert [w["dataExtension"] for w in entry.rows_written] == ["HTTPProperties"]
    assert entry.rows_written[0]["row"]["UserAgent"] == "probe/1"


def test_the_journal_is_bounded_and_newest_first(make_app):
    app = make_app({"journal_size": 3})
    client = app.test_client()
    for n in range(5):
        client.post(f"/token?n={n}", data=b"{}")
    entries = get_emulator(app).journal.entries()
    assert [e.query_string for e in entries] == ["n=4", "n=3", "n=2"]


def test_refusals_are_journaled_too(make_app):
    app = make_app({"max_body": 10})
    client = app.test_client()
    client.post("/token", data=b"x" * 100)
    client.get("/nowhere")
    statuses = [(e.path, e.status) for e in get_emulator(app).journal.entries()]
    assert statuses == [("/nowhere", 404), ("/token", 413)]


def test_admin_routes_are_not_journaled(client, app):
    assert client.get("/_emulator/health").status_code == 200
    assert len(get_emulator(app).journal) == 0


def test_missing_credentials_sign_with_an_error_object_too(client, app):
    client.post("/token", data=token_body(client_secret=None))
    warnings = get_emulator(app).journal.entries()[0].warnings
    assert any("(GetAccessToken returned an error object)" in w for w in warnings)


def test_a_token_with_an_exp_claim_has_no_expiry_warning(client, app):
    client.post("/token", data=token_body(exp=4102444800))
    warnings = get_emulator(app).journal.entries()[0].warnings
    assert not any("no expiry" in w for w in warnings)
    assert any("token carries client_secret" in w for w in warnings)


def test_the_hardened_token_raises_no_warning(client, app, caplog):
    response = client.post("/token/hardened", data=token_body())
    assert "access_token" in json.loads(response.data)
    assert get_emulator(app).journal.entries()[0].warnings == []


def test_the_warnings_reach_the_server_log(client, caplog):
    caplog.set_level(logging.WARNING)
    client.post("/token", data=token_body(client_secret="wrong"))
    messages = [r.getMessage() for r in caplog.records]
    for text in ("token has no expiry", "token carries client_secret",
                 "token signed with a non-secret key (GetAccessToken returned an error object)"):
        assert any(text in m for m in messages), text


def test_a_non_string_key_that_is_no_error_object_names_another_cause():
    from emulator.tokens import non_secret_key_warning

    assert "(the key was not a string)" in non_secret_key_warning("a number", "42", 42)


def test_issued_token_warnings_ignore_what_is_no_token():
    from emulator.tokens import issued_token_warnings

    for body in ("", "nope", "[]", '{"access_token": 3}', '{"access_token": "a.%%%.c"}',
                 '{"access_token": "a.WzFd.c"}'):
        assert issued_token_warnings(body) == []


def test_hostile_agents_and_payloads_are_read_but_never_cached():
    from emulator.platform.browser import _cached_parse, parse_user_agent
    from emulator.tokens import (
        NO_EXPIRY,
        _issued_token_warnings,
        issued_token_warnings,
        secret_payload_warning,
    )

    agent = "Mozilla/5.0 (Windows NT 10.0) Firefox/120.0 " + "x" * 100_000
    before = _cached_parse.cache_info().currsize
    assert parse_user_agent(agent).Browser == "Firefox"
    assert _cached_parse.cache_info().currsize == before
    payload = '{"client_secret": "s", "pad": "' + "x" * 100_000 + '"}'
    before = secret_payload_warning.cache_info()
    assert "'client_secret'" in secret_payload_warning(payload)
    assert secret_payload_warning.cache_info() == before  # neither looked up nor kept
    claims = base64.urlsafe_b64encode(json.dumps({"pad": "x" * 100_000}).encode()).decode()
    answer = json.dumps({"access_token": f"e30.{claims.rstrip('=')}.sig"})
    before = _issued_token_warnings.cache_info()
    assert issued_token_warnings(answer) == [NO_EXPIRY]
    assert _issued_token_warnings.cache_info() == before
    small = json.dumps({"access_token": "e30.e30.sig", "n": id(answer)})
    assert issued_token_warnings(small) == issued_token_warnings(small) == [NO_EXPIRY]
    after = _issued_token_warnings.cache_info()
    assert (after.misses, after.hits) == (before.misses + 1, before.hits + 1)  # kept, reused


def test_only_answers_carrying_a_token_are_parsed_for_expiry():
    from emulator.tokens import NO_EXPIRY, issued_token_warnings

    assert issued_token_warnings('{"Error":"Invalid operation specified."}') == []
    token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhIjoxfQ.sig"  # payload {"a":1}
    assert issued_token_warnings('{"access_token":"' + token + '"}') == [NO_EXPIRY]
