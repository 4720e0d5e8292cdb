"""Every member of ``Platform.Request`` (docs/fidelity.md#request-method
and the rules after it)."""

from __future__ import annotations

import pytest

from emulator import assumptions
from emulator.platform.browser import Browser, parse_user_agent
from emulator.platform.request import PlatformRequest, RequestSnapshot, decode_windows_1252
from emulator.script import js
from emulator.script.clr import clr_text
from emulator.script.errors import PlatformError
from emulator.script.jsontext import stringify

PAGE = "https://cloud.example.com/token"


def make_request(method: str = "GET", url: str = PAGE, headers=(), body: bytes = b"",
                 form=(), client_ip: str = "203.0.113.7") -> PlatformRequest:
    return PlatformRequest(RequestSnapshot.build(method, url, headers=headers, body=body,
                                                 client_ip=client_ip, form=form))


# --- snapshot -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "query", "ssl"), [
    ("https://x.test/p?a=1&b=2", "a=1&b=2", True),
    ("http://x.test/p", "", False),
    ("HTTPS://x.test/p?", "", True),
])
def test_snapshot_build_derives_query_and_ssl(url: str, query: str, ssl: bool) -> None:
    snapshot = RequestSnapshot.build("post", url, headers={"A": "1"}, form=[("f", "v")])
    assert (snapshot.query_string, snapshot.is_ssl, snapshot.method) == (query, ssl, "POST")
    assert snapshot.headers == (("A", "1"),) and snapshot.form == (("f", "v"),)
    assert snapshot.client_ip == "127.0.0.1" and snapshot.body == b""


# --- properties ---------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_method_is_the_http_verb(method: str) -> None:
    request = make_request(method)
    assert request.Method == method
    assert js.loose_eq(request.Method, method)  # ASSUMED "loose-equals"


def test_client_ip() -> None:
    assert make_request(client_ip="198.51.100.2").ClientIP == "198.51.100.2"


@pytest.mark.parametrize(("url", "query_string"), [
    (PAGE, ""),
    (PAGE + "?a=1&b=%20x+y", "?a=1&b=%20x+y"),  # docs/fidelity.md#request-urls
    (PAGE + "?", ""),
])
def test_query_string_and_request_url(url: str, query_string: str) -> None:
    request = make_request(url=url)
    assert request.QueryString == query_string
    assert request.RequestURL == url


@pytest.mark.parametrize(("url", "ssl"), [("https://x.test/", True), ("http://x.test/", False)])
def test_has_ssl_and_is_ssl(url: str, ssl: bool) -> None:
    request = make_request(url=url)
    assert request.HasSSL is ssl and request.IsSSL is ssl
    assert clr_text(request.IsSSL) == ("True" if ssl else "False")


def test_referrer_and_user_agent_read_their_headers() -> None:
    request = make_request(headers=[("referer", "https://from.test/"), ("USER-AGENT", "curl/8")])
    assert request.ReferrerURL == "https://from.test/"
    assert request.UserAgent == "curl/8"


def test_referrer_and_user_agent_are_null_when_absent() -> None:
    request = make_request()
    assert request.ReferrerURL is None and request.UserAgent is None


# --- GetPostData --------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "text"), [
    ("é".encode(), "Ã©"),  # UTF-8 bytes read as Windows-1252
    (b"\x80", "€"),
    (b"\x9f", "Ÿ"),
    (b"\xe9", "é"),
    (b"\x81\x8d\x8f\x90\x9d", "\x81\x8d\x8f\x90\x9d"),  # ASSUMED "cp1252-undefined-bytes"
    (b'{"a":1}', '{"a":1}'),
    (b"", ""),
])
def test_get_post_data_decodes_windows_1252_by_default(body: bytes, text: str) -> None:
    assert make_request("POST", body=body).GetPostData() == text


def test_every_byte_decodes_to_one_character() -> None:
    decoded = decode_windows_1252(bytes(range(256)))
    assert len(decoded) == 256
    assert decoded[:0x80] == bytes(range(0x80)).decode("ascii")
    assert decoded[0xA0:] == bytes(range(0xA0, 0x100)).decode("latin-1")


@pytest.mark.parametrize(("encoding", "body", "text"), [
    ("utf-8", "é€".encode(), "é€"),
    ("UTF-8", "é".encode(), "é"),
    ("utf-8", b"ok\xff", "ok\ufffd"),  # undecodable bytes become U+FFFD
    ("Windows-1252", b"\x80\x81", "€\x81"),
    ("iso-8859-1", b"\x80", "\x80"),
    (None, b"\x80", "€"),
    (js.UNDEFINED, b"\x80", "€"),
])
def test_get_post_data_honours_an_encoding(encoding: object, body: bytes, text: str) -> None:
    assert make_request("POST", body=body).GetPostData(encoding) == text


@pytest.mark.parametrize("encoding", ["no-such-charset", "base64", "rot13", "idna", ""])
def test_get_post_data_rejects_an_unknown_encoding(encoding: str) -> None:
    with pytest.raises(PlatformError, match="not a supported encoding name"):
        make_request("POST", body=b"x").GetPostData(encoding)


def test_get_post_data_returns_the_body_only_once() -> None:
    request = make_request("POST", body=b"payload")
    assert request.GetPostData() == "payload"
    assert request.GetPostData() == ""
    assert request.GetPostData("utf-8") == ""
    assert make_request("POST", body=b"payload").GetPostData() == "payload"  # per request object


def test_get_post_data_is_empty_on_get() -> None:
    request = make_request("GET", body=b"ignored")
    assert request.GetPostData() == "" and request.GetPostData() == ""


# --- Browser ------------------------------------------------------------------------------------

USER_AGENTS = [
    ("Mozilla/5.0 (Windows NT 6.1; WOW64; rv:9.0) Gecko/20100101 Firefox/9.0",
     ("WinNT", "Firefox", "9.0", "9", ".0")),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.6099.109 Safari/537.36", ("WinNT", "Chrome", "120.0", "120", ".0")),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", ("WinNT", "Edge", "120.0", "120", ".0")),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0", ("WinNT", "Opera", "105.0", "105", ".0")),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.2.1 Safari/605.1.15", ("MacOSX", "Safari", "17.2", "17", ".2")),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.2 Mobile/15E148 Safari/604.1", ("iOS", "Safari", "17.2", "17", ".2")),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Mobile Safari/537.36", ("Android", "Chrome", "120.0", "120", ".0")),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
     ("UNIX", "Firefox", "121.0", "121", ".0")),
    ("Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
     ("WinNT", "InternetExplorer", "11.0", "11", ".0")),
    ("Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)",
     ("WinNT", "InternetExplorer", "10.0", "10", ".0")),
    ("Mozilla/5.0 (Windows NT 10.0) UnknownBrowser/1.2", ("WinNT", "Unknown", "0.0", "0", ".0")),
]


@pytest.mark.parametrize(("agent", "fields"), USER_AGENTS)
def test_browser_is_parsed_from_the_user_agent(agent: str, fields: tuple[str, ...]) -> None:
    browser = make_request(headers=[("User-Agent", agent)]).Browser
    names = ("Platform", "Browser", "Version", "MajorVersion", "MinorVersion")
    assert tuple(js.get(browser, name) for name in names) == fields


@pytest.mark.parametrize("agent", [None, "", "curl/8.4.0", "python-requests/2.31.0"])
def test_browser_of_an_unknown_agent_has_unknown_fields(agent: str | None) -> None:
    headers = [] if agent is None else [("User-Agent", agent)]
    browser = make_request(headers=headers).Browser
    assert browser.fields() == assumptions.UNKNOWN_BROWSER
    assert js.get(browser, "Missing") is js.UNDEFINED


def test_browser_renders_as_compact_json() -> None:
    browser = parse_user_agent(USER_AGENTS[0][0])
    expected = ('{"Platform":"WinNT","Browser":"Firefox","Version":"9.0","MajorVersion":"9",'
                '"MinorVersion":".0"}')  # the documented example (docs/fidelity.md#request-browser)
    assert clr_text(browser) == expected
    assert stringify({"b": browser}) == '{"b":' + expected + "}"


def test_browser_is_read_once_per_request() -> None:
    request = make_request(headers=[("User-Agent", "curl/8")])
    assert isinstance(request.Browser, Browser) and request.Browser is request.Browser


# --- lookups ------------------------------------------------------------------------------------

QUERY = PAGE + ("?p=&name=Jane&a=1&A=2&sp=a+b%20c&utf=%C3%A9%E2%82%AC&twice=%2541&bare"
                "&n1=numeric&bad=%ZZ")


@pytest.mark.parametrize(("name", "value"), [
    ("absent", None),
    ("p", ""),  # ?p= gives "" (docs/fidelity.md#request-lookups)
    ("NAME", "Jane"),
    ("a", "1,2"),  # repeats joined, names case-insensitive
    ("sp", "a b c"),
    ("utf", "é€"),
    ("twice", "%41"),  # decoded once only
    ("bare", None),  # ASSUMED: a piece without "=" has no name
    ("bad", "%ZZ"),
    (None, None),
    (js.UNDEFINED, None),
    ("", None),
])
def test_get_query_string_parameter(name: object, value: str | None) -> None:
    assert make_request(url=QUERY).GetQueryStringParameter(name) == value


def test_get_query_string_parameter_coerces_a_number_name() -> None:
    request = make_request(url=PAGE + "?1=one&2.5=two")
    assert request.GetQueryStringParameter(1) == "one"
    assert request.GetQueryStringParameter(2.5) == "two"


def test_get_query_string_parameter_without_a_query() -> None:
    assert make_request().GetQueryStringParameter("a") is None


FORM = [("email", "a@b.test"), ("Empty", ""), ("tag", "x"), ("TAG", "y")]


@pytest.mark.parametrize(("name", "value"), [
    ("email", "a@b.test"), ("EMAIL", "a@b.test"), ("empty", ""), ("tag", "x,y"),
    ("missing", None), ("q", None), (None, None),
])
def test_get_form_field(name: object, value: str | None) -> None:
    request = make_request("POST", url=PAGE + "?q=1", form=FORM)
    assert request.GetFormField(name) == value  # never the query (docs/fidelity.md#request-lookups)


def test_get_form_field_on_get_ignores_the_query() -> None:
    assert make_request(url=PAGE + "?email=x").GetFormField("email") is None


HEADERS = [("Content-Type", "application/json"), ("X-Multi", "1"), ("x-multi", "2"),
           ("X-Empty", "")]


@pytest.mark.parametrize(("name", "value"), [
    ("Content-Type", "application/json"), ("content-type", "application/json"),
    ("X-MULTI", "1,2"), ("X-Empty", ""), ("Authorization", None), (None, None),
])
def test_get_request_header(name: object, value: str | None) -> None:
    assert make_request(headers=HEADERS).GetRequestHeader(name) == value


COOKIES = [("Cookie", 'session=abc123; theme="dark"; empty=; Pair=a=b'), ("cookie", "session=2")]


@pytest.mark.parametrize(("name", "value"), [
    ("session", "abc123,2"), ("SESSION", "abc123,2"), ("theme", "dark"), ("empty", ""),
    ("pair", "a=b"), ("absent", None), (None, None),
])
def test_get_cookie_value(name: object, value: str | None) -> None:
    assert make_request(headers=COOKIES).GetCookieValue(name) == value


def test_get_cookie_value_without_cookies() -> None:
    assert make_request().GetCookieValue("session") is None


# --- JavaScript access --------------------------------------------------------------------------

def test_members_are_readable_through_js_get() -> None:
    request = make_request("POST", url=PAGE + "?a=1", body=b"hi")
    assert js.get(request, "Method") == "POST"
    assert js.get(request, "QueryString") == "?a=1"
    assert js.get(request, "GetPostData")() == "hi"
    assert js.get(request, "GetQueryStringParameter")("a") == "1"
    assert js.get(request, "Browser") is request.Browser
    assert js.get(request, "NoSuchMember") is js.UNDEFINED
    assert js.get(request, "_snapshot") is js.UNDEFINED
