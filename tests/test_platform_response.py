"""Platform.Response: content type, charset, headers, cookies and redirects, through real page
runs (``run_page``) and the Flask test client (docs/fidelity.md#redirect and its neighbours)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from flask import Flask

import emulator.pages
from emulator import assumptions
from emulator.clock import Clock
from emulator.pages import LANDING_PAGE, Page
from emulator.pages.runner import PageResult, run_page
from emulator.platform.calls import ARITY_ERROR
from emulator.platform.globals import PageGlobals
from emulator.platform.output import WRITE_ONLY
from emulator.platform.request import RequestSnapshot
from emulator.script.errors import ScriptError
from emulator.store.store import Store

Program = Callable[[PageGlobals], None]


@pytest.fixture
def store() -> Store:
    opened = Store.open(None)
    yield opened
    opened.close()


def run(store: Store, program: Program, clock: Clock | None = None) -> PageResult:
    page = Page("test", program, LANDING_PAGE, "none", "test page")
    return run_page(page, RequestSnapshot.build("GET", "https://x.example/p"), store,
                    clock or Clock())


def header(result: PageResult, name: str) -> list[str]:
    return [value for key, value in result.headers if key.lower() == name.lower()]


def caught(call: Callable[[], object]) -> str:
    """Run ``call`` in an SSJS try/catch; return the caught message."""
    try:
        call()
    except ScriptError as ex:
        return ex.message
    return "not thrown"


# --- ContentType / CharacterSet (docs/fidelity.md#response-content-type)
# ---------------------------------------------------------

def test_content_type_and_charset_are_assignable(store: Store) -> None:
    def program(g: PageGlobals) -> None:
        g.Platform.Response.ContentType = "application/json"
        g.Platform.Response.CharacterSet = "iso-8859-1"
        g.Platform.Response.Write('{"a":"é€"}')

    result = run(store, program)
    assert header(result, "Content-Type") == ["application/json; charset=iso-8859-1"]
    assert result.body == '{"a":"é?"}'.encode("latin-1")  # € is not in ISO-8859-1


def test_content_type_may_carry_its_charset(store: Store) -> None:
    def program(g: PageGlobals) -> None:
        g.Platform.Response.ContentType = "text/plain; charset=UTF-16"
        g.Platform.Response.Write("hi")

    result = run(store, program)
    assert header(result, "Content-Type") == ["text/plain; charset=UTF-16"]
    assert result.body == "hi".encode("utf-16-le")  # .NET: little-endian, no byte order mark


def test_reading_content_type_or_charset_throws(store: Store) -> None:
    messages: list[str] = []

    def program(g: PageGlobals) -> None:
        messages.append(caught(lambda: g.Platform.Response.ContentType))
        messages.append(caught(lambda: g.Platform.Response.CharacterSet))

    assert run(store, program).status == 200
    assert messages == [WRITE_ONLY, WRITE_ONLY]


@pytest.mark.parametrize(("assign", "message"), [
    (lambda r: setattr(r, "CharacterSet", "klingon"), "not a supported character set"),
    (lambda r: setattr(r, "CharacterSet", "rot13"), "not a supported character set"),
    (lambda r: setattr(r, "CharacterSet", "idna"), "not a supported character set"),
    (lambda r: setattr(r, "ContentType", "text/html\r\nX-Evil: 1"), "control characters"),
    (lambda r: setattr(r, "ContentType", ""), "content type is empty"),
    (lambda r: setattr(r, "ContentType", "text/html; charset=nope"), "character set"),
])
def test_bad_content_type_or_charset_is_catchable(store: Store, assign, message: str) -> None:
    messages: list[str] = []

    def program(g: PageGlobals) -> None:
        messages.append(caught(lambda: assign(g.Platform.Response)))
        g.Platform.Response.Write("still running")

    result = run(store, program)
    assert message in messages[0]
    assert result.body == b"still running"
    assert header(result, "Content-Type") == ["text/html; charset=utf-8"]


# --- SetResponseHeader (docs/fidelity.md#set-response-header) ------------------------------------

def test_set_response_header_sets_and_replaces(store: Store) -> None:
    returned: list[object] = []

    def program(g: PageGlobals) -> None:
        response = g.Platform.Response
        returned.append(response.SetResponseHeader("X-Trace", "one"))
        response.SetResponseHeader("x-trace", "two")
        response.SetResponseHeader("Cache-Control", 42)
        response.SetResponseHeader("content-type", "application/xml")

    result = run(store, program)
    assert returned == [None]  # RT: returns null
    assert header(result, "X-Trace") == ["two"]
    assert header(result, "Cache-Control") == ["42"]
    assert header(result, "Content-Type") == ["application/xml; charset=utf-8"]


@pytest.mark.parametrize(("args", "message"), [
    (("X-A", "ok\r\nSet-Cookie: stolen=1"), "control characters"),
    (("X-A", "ok\nX-B: 1"), "control characters"),
    (("X-A", "nul\x00"), "control characters"),
    (("X-A\r\nX-B", "v"), "Invalid response header name"),
    (("X A", "v"), "Invalid response header name"),
    (("", "v"), "Invalid response header name"),
    (("X-A", "snow \u2603"), "beyond U+00FF"),
    (("X-A",), ARITY_ERROR),
    (("X-A", "v", "w"), ARITY_ERROR),
])
def test_header_injection_is_a_catchable_error(store: Store, args, message: str) -> None:
    messages: list[str] = []

    def program(g: PageGlobals) -> None:
        messages.append(caught(lambda: g.Platform.Response.SetResponseHeader(*args)))

    result = run(store, program)
    assert message in messages[0]
    assert [name for name, _ in result.headers] == ["Content-Type"]


def test_a_huge_header_value_is_checked(store: Store) -> None:
    value = "v" * 5_000_000
    messages: list[str] = []

    def program(g: PageGlobals) -> None:
        g.Platform.Response.SetResponseHeader("X-Big", value)
        messages.append(caught(lambda: g.Platform.Response.SetResponseHeader("X-Bad",
                                                                             value + "\n")))

    result = run(store, program)
    assert header(result, "X-Big") == [value] and header(result, "X-Bad") == []
    assert "control characters" in messages[0]


def test_an_uncaught_header_error_is_a_500(store: Store) -> None:
    def program(g: PageGlobals) -> None:
        g.Platform.Response.SetResponseHeader("X-A", "a\r\nb")

    result = run(store, program)
    assert result.status == 500 and "control characters" in (result.error or "")


# --- Redirect (docs/fidelity.md#redirect)
# ---------------------------------------------------------------------------

def test_redirect_stops_the_page_and_discards_output(store: Store) -> None:
    reached: list[str] = []

    def program(g: PageGlobals) -> None:
        g.Platform.Load("core", "1")
        g.Write("discarded")
        g.Platform.Response.SetCookie("seen", "1")
        try:
            g.Platform.Response.Redirect("https://example.org/next?a=1")
            reached.append("after redirect")
        except ScriptError:  # an SSJS catch: RT says it does not regain control
            reached.append("catch")
        except Exception:  # not even a broad except in a port
            reached.append("except Exception")
        reached.append("after try")

    result = run(store, program)
    assert reached == []
    assert result.status == 302
    assert header(result, "Location") == ["https://example.org/next?a=1"]
    assert header(result, "Set-Cookie") == ["seen=1; path=/"]
    assert result.body == assumptions.REDIRECT_BODY.format(
        url="https://example.org/next?a=1").encode()
    assert b"discarded" not in result.body


@pytest.mark.parametrize(("permanent", "status"), [
    ((), 302), ((False,), 302), ((True,), 301), ((1,), 301), (("true",), 301), ((0,), 302),
])
def test_redirect_status(store: Store, permanent, status: int) -> None:
    result = run(store, lambda g: g.Platform.Response.Redirect("/elsewhere", *permanent))
    assert (result.status, header(result, "Location")) == (status, ["/elsewhere"])


def test_redirect_escapes_spaces_and_non_ascii(store: Store) -> None:
    result = run(store, lambda g: g.Platform.Response.Redirect("/café au lait?q=<b>"))
    assert header(result, "Location") == ["/caf%C3%A9%20au%20lait?q=<b>"]
    assert b'href="/caf%C3%A9%20au%20lait?q=&lt;b&gt;"' in result.body


@pytest.mark.parametrize(("args", "message"), [
    (("https://x.example/\r\nSet-Cookie: a=1",), "control characters"),
    (("/a\nb",), "control characters"),
    (("",), "the redirect URL is empty"),
    ((None,), "the redirect URL is empty"),
    ((), ARITY_ERROR),
    (("/a", True, "x"), ARITY_ERROR),
])
def test_bad_redirects_are_catchable_and_the_page_goes_on(store: Store, args, message) -> None:
    messages: list[str] = []

    def program(g: PageGlobals) -> None:
        messages.append(caught(lambda: g.Platform.Response.Redirect(*args)))
        g.Platform.Response.Write("went on")

    result = run(store, program)
    assert message in messages[0]
    assert (result.status, result.body) == (200, b"went on")


# --- SetCookie (docs/fidelity.md#set-cookie) ----------------------------------------------------

def test_set_cookie_writes_only_expires_and_secure(store: Store) -> None:
    returned: list[object] = []

    def program(g: PageGlobals) -> None:
        response = g.Platform.Response
        returned.append(response.SetCookie("session", "abc123"))
        response.SetCookie("until", "x", "5/1/2019 12:12:06")
        response.SetCookie("secure", "y", datetime(2026, 3, 4, 23, 0), True)
        response.SetCookie("plain", "z", None, False)

    result = run(store, program)
    assert returned == [None]
    assert header(result, "Set-Cookie") == [
        "session=abc123; path=/",
        "until=x; expires=Wed, 01-May-2019 18:12:06 GMT; path=/",  # CST + 6 h
        "secure=y; expires=Thu, 05-Mar-2026 05:00:00 GMT; path=/; secure",
        "plain=z; path=/",
    ]


def test_cookie_time_text_falls_on_the_platform_date(store: Store) -> None:
    clock = Clock(datetime(2026, 3, 4, 12, tzinfo=timezone.utc))
    result = run(store, lambda g: g.Platform.Response.SetCookie("t", "1", "1:00 PM"), clock)
    assert header(result, "Set-Cookie") == ["t=1; expires=Wed, 04-Mar-2026 19:00:00 GMT; path=/"]


@pytest.mark.parametrize(("args", "message"), [
    (("a", "1; Domain=evil.example"), "Invalid cookie value"),
    (("a", "1\r\nX-Evil: 1"), "Invalid cookie value"),
    (("a b", "1"), "Invalid cookie name"),
    (("a=b", "1"), "Invalid cookie name"),
    (("a;b", "1"), "Invalid cookie name"),
    (("", "1"), "Invalid cookie name"),
    (("a", "\u2603"), "Invalid cookie value"),
    (("a", "1", "not a date"), "Invalid cookie expiry"),
    (("a", "1", 42), "Invalid cookie expiry"),
    (("a",), ARITY_ERROR),
    (("a", "1", None, True, "extra"), ARITY_ERROR),
])
def test_cookie_injection_is_a_catchable_error(store: Store, args, message: str) -> None:
    messages: list[str] = []

    def program(g: PageGlobals) -> None:
        messages.append(caught(lambda: g.Platform.Response.SetCookie(*args)))

    result = run(store, program)
    assert message in messages[0]
    assert header(result, "Set-Cookie") == []


@pytest.mark.parametrize("name", ["RemoveCookie", "RemoveResponseHeader"])
def test_unemulated_response_members_say_so(store: Store, name: str) -> None:
    messages: list[str] = []

    def program(g: PageGlobals) -> None:
        messages.append(caught(lambda: getattr(g.Platform.Response, name)("x")))
        getattr(g.Platform.Response, name)("x")

    result = run(store, program)
    assert messages == [f"Platform.Response.{name} is not emulated by mc-emulator."]
    assert result.status == 500 and "not emulated" in (result.error or "")


# --- through the web layer ------------------------------------------------------------------------

def _response_page(g: PageGlobals) -> None:
    mode = g.Platform.Request.GetQueryStringParameter("mode")
    response = g.Platform.Response
    response.ContentType = "application/json"
    response.SetResponseHeader("X-Page", "demo")
    response.SetCookie("visited", "yes", None, True)
    response.Write('{"ok":true}')
    if mode == "redirect":
        response.Redirect("https://example.org/landing", mode == "permanent")
    if mode == "permanent":
        response.Redirect("https://example.org/landing", True)


@pytest.fixture
def web_app(monkeypatch: pytest.MonkeyPatch, make_app) -> Flask:
    registry = emulator.pages.pages

    def with_demo_page() -> dict[str, Page]:
        return {**registry(), "response-demo": Page("response-demo", _response_page,
                                                    LANDING_PAGE, "none", "test page")}

    monkeypatch.setattr(emulator.pages, "pages", with_demo_page)  # the page registry seam
    return make_app({"mount": ["/resp=response-demo"]})


def test_page_headers_reach_the_client(web_app: Flask) -> None:
    answer = web_app.test_client().get("/resp")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.headers["X-Page"] == "demo"
    assert answer.headers.getlist("Set-Cookie") == ["visited=yes; path=/; secure"]
    assert answer.get_json() == {"ok": True}


@pytest.mark.parametrize(("mode", "status"), [("redirect", 302), ("permanent", 301)])
def test_redirects_reach_the_client(web_app: Flask, mode: str, status: int) -> None:
    answer = web_app.test_client().get(f"/resp?mode={mode}")
    assert answer.status_code == status
    assert answer.headers["Location"] == "https://example.org/landing"
    assert answer.headers.getlist("Set-Cookie") == ["visited=yes; path=/; secure"]
    assert answer.headers["X-Page"] == "demo"
    assert b'{"ok":true}' not in answer.data
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"


def _keyed_token_page(g: PageGlobals) -> None:
    g.Platform.Load("core", "1")
    g.Variable.SetValue("@payload", '{"sub":"amp-verify","iat":"1700000000"}')
    g.Write(g.Platform.Function.TreatAsContent(
        "%%=GetJWTByKeyName('DemoSigningKey', 'HS256', @payload)=%%"))


def test_get_jwt_by_key_name_reaches_the_key_store_over_http(monkeypatch, make_app) -> None:
    registry = emulator.pages.pages
    monkeypatch.setattr(emulator.pages, "pages", lambda: {
        **registry(), "keyed": Page("keyed", _keyed_token_page, LANDING_PAGE, "none", "test")})
    answer = make_app({"mount": ["/keyed=keyed"]}).test_client().get("/keyed")
    assert answer.status_code == 200
    # The stored key string is used as UTF-8, never Base64-decoded (docs/fidelity.md#getjwt-key).
    assert answer.data.decode().endswith(".iC2IjXWi2m7E65Zp7BveyIXQY3uFbHaz1GUEcraTDhI")
