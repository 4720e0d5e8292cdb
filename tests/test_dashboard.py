"""The dashboard under /_emulator/ui/ through the Flask test client: pages, escaping, safety."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timezone
from typing import Any

import pytest
from conftest import DEMO, b64url_decode, token_body

from emulator.runtime import get_emulator
from emulator.web.ui.tokens import decode_jwt

UI = "/_emulator/ui"
SAME_SITE = {"Origin": "http://localhost"}
REMOTE = {"REMOTE_ADDR": "10.1.2.3"}
HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)">'
HOSTILE_FIELD = "<b onmouseover=alert(2)>Field</b>"
PAGES = ["/", "/data-extensions/AppCredentials", "/data-extensions/HTTPProperties", "/journal",
         "/journal/rows", "/exceptions", "/faults", "/token", "/jwt", "/reset", "/packages",
         "/business-units", "/rest-jobs"]


def add_de(client: Any, key: str, fields: list[dict[str, Any]],
           rows: list[dict[str, Any]]) -> None:
    """Create a DE through the admin API, as a user would."""
    answer = client.post("/_emulator/data-extensions", content_type="application/json",
                         data=json.dumps({"key": key, "fields": fields, "rows": rows}))
    assert answer.status_code == 201, answer.json


def add_hostile_de(client: Any, value: str = HOSTILE) -> None:
    add_de(client, "Hostile", [{"name": "Id", "type": "Text", "length": 10, "primaryKey": True},
                               {"name": HOSTILE_FIELD, "type": "Text", "length": 4000}],
           [{"Id": "1", HOSTILE_FIELD: value}])


def request_token(client: Any, **form: str) -> Any:
    data = {"client_id": DEMO["client_id"], "client_secret": DEMO["client_secret"], **form}
    return client.post(f"{UI}/token", data=data, headers=SAME_SITE)


def issued_token(client: Any) -> str:
    page = request_token(client).get_data(as_text=True)
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def tamper(token: str) -> str:
    """Return ``token`` with its payload's client_id changed and the old signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    changed = json.dumps({**claims, "client_id": "someone-else"}).encode()
    return f"{header}.{base64.urlsafe_b64encode(changed).rstrip(b'=').decode()}.{signature}"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_its_safety_headers(client: Any, path: str) -> None:
    answer = client.get(UI + path)
    assert answer.status_code == 200
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/_emulator", "/_emulator/"])
def test_the_admin_root_redirects_to_the_dashboard(client: Any, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 302 and answer.headers["Location"] == f"{UI}/"


def test_other_unknown_admin_paths_keep_the_json_404(client: Any) -> None:
    answer = client.get("/_emulator/nope")
    assert answer.status_code == 404 and answer.json["emulator_error"] == "no_admin_route"
    page = client.get(f"{UI}/nope")
    assert page.status_code == 404 and "<h1>404 Not Found</h1>" in page.get_data(as_text=True)


def test_the_static_files_ship_with_the_package(client: Any) -> None:
    for name, expected in [("ui.css", "font-size"), ("ui.js", "fetch(")]:
        with client.get(f"{UI}/static/{name}") as answer:  # a file response: close it
            assert answer.status_code == 200 and expected in answer.get_data(as_text=True)


def test_the_data_extension_list_shows_row_counts_and_links(client: Any) -> None:
    request_token(client)
    page = client.get(f"{UI}/").get_data(as_text=True)
    assert f'href="{UI}/data-extensions/AppCredentials"' in page
    assert '<td class="num" data-count="HTTPProperties">1</td>' in page


def test_the_row_browser_shows_rows_and_schema_without_javascript(client: Any) -> None:
    page = client.get(f"{UI}/data-extensions/AppCredentials").get_data(as_text=True)
    assert f"<td>{DEMO['client_id']}</td>" in page and "<h2>Schema</h2>" in page
    assert "<td>signing_secret</td><td>Text</td><td>256</td>" in page


def test_the_row_browser_filters_and_pages(client: Any) -> None:
    add_de(client, "Many", [{"name": "N", "type": "Number"}, {"name": "Kind", "type": "Text"}],
           [{"N": n, "Kind": "even" if n % 2 == 0 else "odd"} for n in range(120)])
    first = client.get(f"{UI}/data-extensions/Many?field=Kind&value=even&limit=20")
    text = first.get_data(as_text=True)
    assert "Rows 1–20 of 60 matching." in text and "<td>odd</td>" not in text
    assert 'href="/_emulator/ui/data-extensions/Many?field=Kind&amp;value=even&amp;' in text
    last = client.get(f"{UI}/data-extensions/Many?field=Kind&value=even&limit=20&offset=40")
    assert "Rows 41–60 of 60 matching." in last.get_data(as_text=True)
    assert 'rel="next"' not in last.get_data(as_text=True)
    greater = client.get(f"{UI}/data-extensions/Many?field=N&op=greaterThan&value=117")
    assert "Rows 1–2 of 2 matching." in greater.get_data(as_text=True)


def test_a_bad_filter_is_explained(client: Any) -> None:
    answer = client.get(f"{UI}/data-extensions/AppCredentials?field=nope&value=1")
    assert answer.status_code == 400 and "unknown Property" in answer.get_data(as_text=True)
    missing = client.get(f"{UI}/data-extensions/NoSuchDe")
    assert missing.status_code == 404 and "NoSuchDe" in missing.get_data(as_text=True)


def test_hostile_values_and_field_names_render_as_text(client: Any) -> None:
    add_hostile_de(client)
    for path in ["/", "/data-extensions/Hostile"]:
        page = client.get(UI + path).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "<b onmouseover" not in page
    page = client.get(f"{UI}/data-extensions/Hostile").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=" in page
    assert "&lt;b onmouseover=alert(2)&gt;Field&lt;/b&gt;" in page


def test_hostile_requests_render_as_text_in_the_journal(client: Any) -> None:
    client.post("/token?q=<script>", data=HOSTILE, content_type="text/html",
                headers={"X-Evil": HOSTILE, "User-Agent": HOSTILE})
    listing = client.get(f"{UI}/journal").get_data(as_text=True)
    assert "/token?q=&lt;script&gt;" in listing and "<script>" not in listing.split("</head>")[1]
    detail = client.get(f"{UI}/journal/1").get_data(as_text=True)
    assert "<script>alert" not in detail and "<img src=x" not in detail
    assert detail.count("&lt;script&gt;alert(&#34;x&#34;)") >= 2  # a header and the body


@pytest.mark.parametrize(("length", "cut"), [(200, False), (201, True), (3900, True)])
def test_cells_are_cut_only_past_200_characters_with_the_whole_value_reachable(
        client: Any, length: int, cut: bool) -> None:
    value = "".join(chr(ord("a") + i % 26) for i in range(length))
    add_hostile_de(client, value)
    page = client.get(f"{UI}/data-extensions/Hostile").get_data(as_text=True)
    assert ('<details class="cut">' in page) is cut
    assert f'<div class="whole">{value}</div>' in page if cut else f"<td>{value}</td>" in page
    if cut:
        assert f'<span class="head">{value[:200]}…</span>' in page


def test_the_token_form_calls_token_and_shows_the_exchange(client: Any, store: Any) -> None:
    page = request_token(client, claims='{"scope": "<read>"}').get_data(as_text=True)
    assert 'id="token-status">200 OK<' in page
    assert "&#34;scope&#34;: &#34;&lt;read&gt;&#34;" in page  # sent, as text
    assert f'href="{UI}/journal/1"' in page and 'id="token-properties"' in page
    (entry,) = get_emulator(client.application).journal.entries()
    assert entry.path == "/token" and json.loads(entry.request_body)["scope"] == "<read>"
    assert store.rows("HTTPProperties")[0]["RequestURL"] == "http://localhost/token"


@pytest.mark.parametrize(("claims", "message"), [
    ("{nope", "Extra claims are not JSON"), ("[1]", "must be a JSON object")])
def test_bad_extra_claims_are_refused_before_calling_token(client: Any, claims: str,
                                                           message: str) -> None:
    answer = request_token(client, claims=claims)
    assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    assert len(get_emulator(client.application).journal) == 0


def test_the_jwt_page_verifies_an_issued_token_and_refuses_a_tampered_one(client: Any) -> None:
    token = issued_token(client)
    page = client.post(f"{UI}/jwt", data={"token": token}, headers=SAME_SITE)
    text = page.get_data(as_text=True)
    assert "Verified: signed HS256 with demo-client&#39;s signing_secret." in text
    assert "token carries client_secret: secret-named field(s) &#39;client_secret&#39;" in text
    assert "token has no expiry" in text
    tampered = tamper(token)
    refused = client.post(f"{UI}/jwt", data={"token": tampered}, headers=SAME_SITE)
    assert "Does NOT verify" in refused.get_data(as_text=True)


NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
EXPIRED = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4IiwiZXhwIjoxfQ."
          "FY3ZJPFTK440HP47A5-MeqKeBW43LnjJzq5Kr4rzkxA")  # {"sub":"x","exp":1}, key "k"


@pytest.mark.parametrize(("token", "secret", "verdict", "warning"), [
    ("a.b", "k", "Cannot decode: a JWT has three dot-separated segments; this has 2", None),
    ("a!.b.c", "k", "Cannot decode: a segment is not unpadded Base64url", None),
    (EXPIRED, None, "Cannot verify: no app 'app'", "token expired at 1970-01-01 00:00:01 UTC"),
    (EXPIRED, "k", "Does NOT verify with app's signing_secret: the signature matches, but the "
     "token expired at 1970-01-01 00:00:01 UTC", "the clock says 2026-01-01 00:00:00 UTC"),
    ("eyJhbGciOiJub25lIn0.e30.", "k", "Cannot verify: alg none is not HS256",
     "unsigned (alg none)"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOiJzb29uIn0.", "k",
     "Does NOT verify with app's signing_secret: the signature does not match",
     "exp claim is a string, not a number"),
    ("eyJhbGciOiJIUzI1NiJ9.WzFd.", "k", "Does NOT verify", "not a JSON object"),
])
def test_decoding_explains_what_is_wrong(token: str, secret: str | None, verdict: str,
                                         warning: str | None) -> None:
    decoded = decode_jwt(token, {} if secret is None else {"app": secret}, "app", NOW)
    assert decoded.verdict.startswith(verdict) and not decoded.verified
    assert warning is None or any(warning in w for w in decoded.warnings)


def test_reset_needs_a_confirmed_post(client: Any, store: Any) -> None:
    request_token(client)
    assert client.get(f"{UI}/reset").status_code == 200 and store.count("HTTPProperties") == 1
    unconfirmed = client.post(f"{UI}/reset", data={"to": "empty"}, headers=SAME_SITE)
    assert unconfirmed.status_code == 400 and store.count("HTTPProperties") == 1
    done = client.post(f"{UI}/reset", data={"to": "empty", "confirm": "yes"}, headers=SAME_SITE)
    assert done.status_code == 303 and done.headers["Location"] == f"{UI}/?reset=empty"
    assert store.count("HTTPProperties") == 0 and store.count("AppCredentials") == 0
    notice = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Reset done: every Data Extension is empty; the request journal is kept." in notice
    client.post(f"{UI}/reset", data={"to": "fixtures", "confirm": "yes"}, headers=SAME_SITE)
    assert store.count("AppCredentials") == 1


def test_the_reset_page_offers_three_targets_and_the_journal(client: Any) -> None:
    page = client.get(f"{UI}/reset").get_data(as_text=True)
    radios = re.findall(r'<label><input type="radio" name="to" value="(\w+)"( checked)?>', page)
    assert radios == [("start", " checked"), ("fixtures", ""), ("empty", "")]
    assert '<input type="checkbox" name="journal" value="yes">' in page  # not ticked


def test_a_dashboard_reset_goes_back_to_the_start_and_keeps_the_journal(
        client: Any, store: Any) -> None:
    add_de(client, "Extra", [{"name": "A"}], [{"A": "x"}])
    request_token(client)
    done = client.post(f"{UI}/reset", data={"confirm": "yes"}, headers=SAME_SITE)
    assert done.status_code == 303 and done.headers["Location"] == f"{UI}/?reset=start"
    assert not store.has("Extra") and store.count("HTTPProperties") == 0
    assert client.get("/_emulator/journal").json["total"] > 0
    notice = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "back to the state the emulator started with; the request journal is kept" in notice


def test_a_dashboard_reset_may_clear_the_journal(client: Any, store: Any) -> None:
    request_token(client)
    assert client.get("/_emulator/journal").json["total"] > 0
    done = client.post(f"{UI}/reset", data={"to": "fixtures", "journal": "yes",
                                            "confirm": "yes"}, headers=SAME_SITE)
    assert done.headers["Location"] == f"{UI}/?reset=fixtures&journal=cleared"
    assert client.get("/_emulator/journal").json["total"] == 0
    notice = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "back to the fixtures; the request journal is cleared." in notice


def test_an_unknown_dashboard_reset_target_is_refused_naming_the_targets(
        client: Any, store: Any) -> None:
    request_token(client)
    answer = client.post(f"{UI}/reset", data={"to": "nowhere", "journal": "yes",
                                              "confirm": "yes"}, headers=SAME_SITE)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "choose start (the default), fixtures or empty" in page
    assert '<input type="checkbox" name="journal" value="yes" checked>' in page
    assert store.count("HTTPProperties") == 1


def test_the_dashboard_refuses_remote_clients_and_foreign_hosts(client: Any) -> None:
    remote = client.get(f"{UI}/", environ_overrides=REMOTE)
    assert remote.status_code == 403 and remote.json["emulator_error"] == "admin_loopback_only"
    rebound = client.get(f"{UI}/", headers={"Host": "attacker.example"})
    assert rebound.status_code == 403 and rebound.json["emulator_error"] == "admin_host_refused"


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}, {},
    {"Origin": "null"}])
def test_forms_from_elsewhere_are_refused(client: Any, store: Any,
                                          headers: dict[str, str]) -> None:
    answer = client.post(f"{UI}/reset", data={"to": "empty", "confirm": "yes"}, headers=headers)
    assert answer.status_code == 403 and "only accepts forms sent from its own pages" in \
        answer.get_data(as_text=True)
    assert store.count("AppCredentials") == 1


def test_a_same_site_referer_is_enough(client: Any, store: Any) -> None:
    answer = client.post(f"{UI}/reset", data={"to": "empty", "confirm": "yes"},
                         headers={"Referer": f"http://localhost{UI}/reset"})
    assert answer.status_code == 303 and store.count("AppCredentials") == 0


def test_with_a_token_the_dashboard_asks_once_and_keeps_it_in_a_strict_cookie(
        make_app: Any) -> None:
    client = make_app({"admin_token": "s3cret"}).test_client()
    asked = client.get(f"{UI}/journal", environ_overrides=REMOTE)
    assert asked.status_code == 401 and 'name="token"' in asked.get_data(as_text=True)
    with client.get(f"{UI}/static/ui.css") as style:  # the form keeps its style
        assert style.status_code == 200
    wrong = client.post(f"{UI}/login", data={"token": "nope"}, headers=SAME_SITE)
    assert wrong.status_code == 401 and "not the admin token" in wrong.get_data(as_text=True)
    assert client.get_cookie("mcemu_admin") is None
    right = client.post(f"{UI}/login", data={"token": "s3cret", "next": f"{UI}/journal"},
                        headers=SAME_SITE, environ_overrides=REMOTE)
    assert right.status_code == 303 and right.headers["Location"] == f"{UI}/journal"
    cookie = right.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/_emulator/" in cookie
    assert client.get(f"{UI}/journal", environ_overrides=REMOTE).status_code == 200
    assert client.get("/_emulator/state", environ_overrides=REMOTE).status_code == 200
    foreign = client.post(f"{UI}/reset", data={"to": "empty", "confirm": "yes"},
                          headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/token"])
def test_login_only_returns_to_dashboard_pages(make_app: Any, target: str) -> None:
    client = make_app({"admin_token": "s3cret"}).test_client()
    answer = client.post(f"{UI}/login", data={"token": "s3cret", "next": target},
                         headers=SAME_SITE)
    assert answer.headers["Location"] == f"{UI}/"


def test_dashboard_requests_stay_out_of_the_journal(client: Any) -> None:
    for path in PAGES:
        client.get(UI + path)
    client.post("/token", data=token_body(), content_type="application/json")
    assert [e.path for e in get_emulator(client.application).journal.entries()] == ["/token"]
    unknown = client.get(f"{UI}/journal/99")
    assert unknown.status_code == 404 and "no request 99" in unknown.get_data(as_text=True)


def test_an_unknown_dashboard_path_answers_its_html_404_with_the_safety_headers(
        client: Any) -> None:
    page = client.get(f"{UI}/no/such/page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "<h1>404 Not Found</h1>" in page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert f'href="{UI}/static/ui.css"' in page.get_data(as_text=True)


def test_dashboard_forms_stop_at_one_mib_while_pages_keep_max_body(make_app: Any) -> None:
    client = make_app({"max_body": 4 * 1024 * 1024}).test_client()
    big = {"token": "x" * (1024 * 1024 + 1)}
    refused = client.post(f"{UI}/jwt", data=big, headers=SAME_SITE)
    assert refused.status_code == 413 and "<h1>413" in refused.get_data(as_text=True)
    page = client.post("/token", data=b"x" * (2 * 1024 * 1024), content_type="text/plain")
    assert page.status_code == 200  # the page read it: --max-body, not the dashboard's limit


def test_the_admin_root_redirect_stays_out_of_the_journal(client: Any) -> None:
    for path in ("/_emulator", "/_emulator/"):
        assert client.post(path).status_code == 302
    assert len(get_emulator(client.application).journal) == 0
    assert client.get("/_emulatorx").status_code == 404
    assert [e.path for e in get_emulator(client.application).journal.entries()] == [
        "/_emulatorx"]


def test_the_journal_rows_have_an_outcome_column_and_scroll(client: Any) -> None:
    client.post("/token", data=token_body())
    page = client.get(f"{UI}/journal").get_data(as_text=True)
    assert '<div class="scroll"><table class="list journal">' in page
    assert '<th scope="col">Outcome</th>' in page
    assert '<td class="outcome">token issued</td>' in page
    rows = client.get(f"{UI}/data-extensions/AppCredentials").get_data(as_text=True)
    assert '<div class="scroll"><table class="list rows">' in rows
