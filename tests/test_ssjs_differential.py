"""The reconstructed SSJS of every built-in page, run verbatim, answers exactly as its port.

Each request runs twice, each time on a fresh store with a frozen clock: once through the
Python port, once through the SSJS source in the engine. Status, headers, body bytes, the rows
written and the store afterwards must be identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO, token_body
from test_api_page import claims, forge
from test_forged_tokens import CORPUS as FORGED

import emulator.pages
from emulator.clock import Clock
from emulator.fixtures.discovery import load_fixture_dirs
from emulator.pages import get_page
from emulator.pages.runner import PageResult, run_page
from emulator.platform.request import RequestSnapshot
from emulator.ssjs.runner import SsjsRunner, make_page, run_ssjs_page
from emulator.ssjs.workers import WorkerPool
from emulator.store.store import Store

SOURCES = Path(emulator.pages.__file__).parent / "sources"
FROZEN = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.6099.109 Safari/537.36")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "PROPFIND")

#: name -> (method, url, headers, body)
Case = tuple[str, str, dict[str, str], bytes]
TOKEN_CASES: dict[str, Case] = {
    **{f"{m} good body": (m, "https://cloud.example/token", {}, token_body()) for m in METHODS},
    "wrong secret": ("POST", "http://x/token", {}, token_body(client_secret="nope")),
    "missing grant_type": ("POST", "http://x/token", {}, token_body(grant_type=None)),
    "missing client_id": ("POST", "http://x/token", {}, token_body(client_id=None)),
    "other operation": ("POST", "http://x/token", {}, b'{"operation":"Other"}'),
    "null operation": ("POST", "http://x/token", {}, b'{"operation":null}'),
    "empty body": ("POST", "http://x/token", {}, b""),
    "blank body": ("POST", "http://x/token", {}, b"   \r\n"),
    "not JSON": ("POST", "http://x/token", {}, b"hello"),
    "JSON array": ("POST", "http://x/token", {}, b"[1,2,3]"),
    "JSON string": ("POST", "http://x/token", {}, b'"RequestToken"'),
    "JSON number": ("POST", "http://x/token", {}, b"42"),
    "lenient JSON": ("POST", "http://x/token", {},
                     b"{operation:'RequestToken',grant_type:'client_credentials',"
                     b"client_id:'demo-client',client_secret:'demo-secret',}"),
    "utf-8 non-ASCII": ("POST", "http://x/token", {},
                        token_body(client_id="dëmo-ĉlient", note="日本語 🎉")),
    "windows-1252 bytes": ("POST", "http://x/token", {},
                           b'{"operation":"RequestToken","x":"\xe9\x81\x8d\xff"}'),
    "object client_id": ("POST", "http://x/token", {},
                         b'{"operation":"RequestToken","grant_type":"g",'
                         b'"client_id":{"a":1},"client_secret":"s"}'),
    "numbers and exp": ("POST", "http://x/token", {},
                        token_body(exp=1.5e300, iat=-0.0, n=[1, 2.5, None, True])),
    "upper-case credentials": ("POST", "http://x/token", {},
                               token_body(client_id="DEMO-CLIENT", client_secret="DEMO-SECRET")),
    "form post": ("POST", "http://x/token",
                  {"Content-Type": "application/x-www-form-urlencoded"}, b"a=1&b=%20"),
    "browser headers and query": ("POST", "https://x/token?a=1&b=%C3%A9",
                                  {"User-Agent": CHROME, "Referer": "https://ref.example/p",
                                   "Cookie": "c=1"}, token_body()),
    "over-long user agent": ("POST", "http://x/token", {"User-Agent": "A" * 5000},
                             token_body()),
    "GET with a body": ("GET", "http://x/token", {}, token_body()),
}
API_CASES: dict[str, Case] = {
    **{f"{m} valid token": (m, "http://x/api", {"Authorization": "Bearer " + forge(claims())},
                            b"") for m in METHODS},
    "no header": ("GET", "http://x/api", {}, b""),
    "lower-case scheme": ("GET", "http://x/api",
                          {"Authorization": "bearer " + forge(claims())}, b""),
    "expired": ("GET", "http://x/api",
                {"Authorization": "Bearer " + forge(claims(exp=1000))}, b""),
    "exp text": ("GET", "http://x/api",
                 {"Authorization": "Bearer " + forge(claims(exp="9999999999"))}, b""),
    "secret claims dropped": ("POST", "http://x/api", {"Authorization": "Bearer " + forge(
        claims(client_secret="s", nested={"Password": 1, "list": [{"api_key": 2, "k": "é"}]}))},
        b""),
    "unknown client": ("GET", "http://x/api",
                       {"Authorization": "Bearer " + forge(claims(client_id="nobody"))}, b""),
    **{f"forged: {name}": ("GET", "http://x/api", {"Authorization": value}, b"")
       for name, value in FORGED.items()},
}
HARDENED_CASES: dict[str, Case] = {
    **TOKEN_CASES,
    "wrong grant_type": ("POST", "http://x/token/hardened", {},
                         token_body(grant_type="password")),
    "numeric secret": ("POST", "http://x/token/hardened", {}, token_body(client_secret=5)),
    **{f"JSON {label}": ("POST", "http://x/token/hardened", {}, body) for label, body in (
        ("[1]", b"[1]"), ("[]", b"[]"), ("null", b"null"), ("true", b"true"), ('"x"', b'"x"'),
        ("array of a request", b'[{"operation":"RequestToken"}]'))},
}
PAGES = {"token": TOKEN_CASES, "api": API_CASES, "hardened": HARDENED_CASES}


@pytest.fixture(scope="module")
def runner() -> Iterator[SsjsRunner]:
    pool = WorkerPool(1)
    yield SsjsRunner(pool, timeout=30)
    pool.close()


def _store(empty: bool) -> Store:
    store = Store.open(None)
    if not empty:
        store.replace_all(load_fixture_dirs([], include_default=True))
    return store


def _run(run: Any, page: Any, case: Case, empty: bool) -> tuple[PageResult, Any]:
    method, url, headers, body = case
    store = _store(empty)
    try:
        request = RequestSnapshot.build(method, url, headers, body)
        result = run(page, request, store, Clock(FROZEN))
        return result, store.dump()
    finally:
        store.close()


@pytest.mark.parametrize("empty", [False, True], ids=["fixtures", "no DEs"])
@pytest.mark.parametrize(("name", "case"), [
    pytest.param(name, case, id=f"{name}: {label}")
    for name, cases in PAGES.items() for label, case in cases.items()])
def test_ssjs_source_and_port_answer_identically(runner: SsjsRunner, name: str, case: Case,
                                                  empty: bool) -> None:
    source = make_page(SOURCES / f"{name}.ssjs", runner, name=name,
                       content_type=get_page(name).content_type)
    port, port_state = _run(run_page, get_page(name), case, empty)
    ssjs, ssjs_state = _run(run_ssjs_page, source, case, empty)
    assert (ssjs.status, ssjs.headers, ssjs.body) == (port.status, port.headers, port.body)
    assert ssjs.rows_written == port.rows_written
    assert ssjs.warnings == port.warnings
    assert ssjs_state == port_state


def test_the_corpus_reaches_every_outcome(runner: SsjsRunner) -> None:
    seen = set()
    for name, cases in PAGES.items():
        page = make_page(SOURCES / f"{name}.ssjs", runner, name=name,
                         content_type=get_page(name).content_type)
        for case in cases.values():
            result, _ = _run(run_ssjs_page, page, case, False)
            seen.add((name, result.status, result.body[:12]))
    assert ("token", 200, b'{"access_tok') in seen
    assert ("token", 200, b'{"message":"') in seen
    assert ("token", 200, b'{"Error":"In') in seen
    assert ("api", 200, b'{"verified":') in seen
    assert ("hardened", 200, b'{"access_tok') in seen
    assert DEMO["client_id"]
