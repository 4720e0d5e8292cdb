"""AMPscript page functions over HTTP: RequestParameter, QueryParameter, HTTPRequestHeader,
Redirect, RedirectTo, TreatAsContent and RaiseError on pages of a ``--pages`` folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from emulator import assumptions
from emulator.ampscript import AmpscriptContext, Variables, render
from emulator.app import create_app
from emulator.runtime import get_emulator
from emulator.script.errors import AmpscriptError

SIGNUP = """%%[
SET @name = RequestParameter("name")
SET @plan = RequestParameter("PLAN")
]%%<form method="post" action="signup?plan=%%=v(@plan)=%%"><input name="name"></form>
%%[ IF Empty(@name) THEN ]%%<p>Please sign up.</p>%%[ ELSE ]%%
<p>Welcome %%=v(@name)=%% (%%=v(@plan)=%%)</p>%%[ ENDIF ]%%"""
PAGES = {
    "signup.html": SIGNUP,
    "echo.html": "[%%=RequestParameter(RequestParameter('which'))=%%]"
                 "[%%=QueryParameter(RequestParameter('which'))=%%]",
    "size.html": "%%=Length(RequestParameter('big'))=%%",
    "header.html": "[%%=HTTPRequestHeader('user-agent')=%%][%%=HTTPRequestHeader('X-Trace')=%%]"
                   "[%%=HTTPRequestHeader('X-Absent')=%%]",
    "badheader.html": "%%=HTTPRequestHeader(RequestParameter('h'))=%%",
    "leave.html": "<p>kept?</p>%%[ SET @to = RequestParameter('to') Redirect(@to) ]%%<p>after</p>"
                  "%%[ Redirect('https://second.example/') ]%%",
    "twice.html": "%%[ FOR @i = 1 TO 2 DO Redirect(Concat('https://hop.example/', @i)) "
                  "NEXT @i ]%%",
    "number.html": "%%[ Redirect(5) ]%%",
    "tracked.html": "<a href=\"%%=RedirectTo('https://shop.example/?a=1')=%%\">shop</a>",
    # "%%=Add(@n, 1)=%%%%[ SET @m = 9 ]%%" built in pieces, as pages do to keep it out of the page
    "content.html": "%%[ SET @n = 4 SET @t = Concat('%','%=Add(@n, 1)=%','%', "
                    "'%','%[ SET @m = 9 ]%','%') ]%%"
                    "%%=TreatAsContent(@t)=%%/%%=v(@m)=%%/%%=TreatAsContent('plain')=%%",
    "loop.html": "%%[ SET @self = Concat('%','%=TreatAsContent(@self)=%','%') ]%%"
                 "%%=TreatAsContent(@self)=%%",
    "raise.html": "<p>visible?</p>%%[ RaiseError('secret reason', true) ]%%",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("request-functions") / "pages"
    folder.mkdir()
    for name, text in PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    application = create_app({"TESTING": True, "pages": str(folder)})
    yield application
    get_emulator(application).close()


def test_a_form_posts_back_to_itself(app: Flask) -> None:
    client = app.test_client()
    first = client.get("/signup?plan=basic")
    assert first.status_code == 200
    assert "<p>Please sign up.</p>" in first.get_data(as_text=True)
    assert 'action="signup?plan=basic"' in first.get_data(as_text=True)
    posted = client.post("/signup?plan=basic", data={"NAME": "Ana Lu"})
    assert posted.status_code == 200
    assert posted.get_data(as_text=True).endswith("<p>Welcome Ana Lu (basic)</p>")


def test_a_form_field_wins_over_the_url_parameter_of_the_same_name(app: Flask) -> None:
    response = app.test_client().post("/echo?which=k&k=from-url", data={"k": "from-form"})
    assert response.get_data(as_text=True) == "[from-form][from-form]"


@pytest.mark.parametrize(("query", "expected"), [
    ("which=q&q=a%20b", "[a b][a b]"),
    ("which=q&q=a+b", "[a b][a b]"),
    ("which=q&q=a%26b", "[a&b][a&b]"),
    ("which=q&q=100%25", "[100%][100%]"),
    ("which=q&q=1&Q=2", "[1,2][1,2]"),
    ("which=q&q=%3Cb%3E", "[<b>][<b>]"),  # returned raw: the page escapes what it prints
    ("which=missing", "[][]"),
])
def test_url_parameters_decode_join_and_ignore_case(app: Flask, query: str, expected: str) -> None:
    assert app.test_client().get(f"/echo?{query}").get_data(as_text=True) == expected


def test_pageurl_is_the_page_address_unless_the_url_gives_one(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/echo?which=PageURL").get_data(as_text=True) == (
        "[http://localhost/echo?which=PageURL][http://localhost/echo?which=PageURL]")
    assert client.get("/echo?which=pageurl&pageurl=mine").get_data(as_text=True) == (
        "[mine][mine]")


def test_a_five_megabyte_form_field_is_read_whole(app: Flask) -> None:
    big = "x" * 5_000_000
    response = app.test_client().post("/size", data={"big": big})
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "5000000"
    assert app.test_client().get("/size").get_data(as_text=True) == "0"


def test_request_headers_by_name_in_any_case(app: Flask) -> None:
    response = app.test_client().get("/header", headers={"User-Agent": "probe/1.0",
                                                         "x-trace": "t-42"})
    assert response.get_data(as_text=True) == "[probe/1.0][t-42][]"


@pytest.mark.parametrize("name", ["X-Trace\r\nX-Evil", "bad name", ""])
def test_a_header_name_that_no_header_can_have_aborts_the_page(app: Flask, name: str) -> None:
    client = app.test_client()
    response = client.get("/badheader", query_string={"h": name})
    assert response.status_code == 422
    assert "X-Evil" not in response.get_data(as_text=True)
    assert client.get("/badheader?h=Host").status_code == 200  # the server keeps answering


def test_redirect_answers_302_and_drops_everything_else(app: Flask) -> None:
    response = app.test_client().get("/leave?to=https://next.example/thanks%3Fid%3D7")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://next.example/thanks?id=7"
    body = response.get_data(as_text=True)
    assert "kept?" not in body and "after" not in body
    assert "Object moved" in body


@pytest.mark.parametrize(("target", "location"), [
    ("javascript:alert(1)", "javascript:alert(1)"),  # sent as given: the platform checks nothing
    ("thanks.html", "thanks.html"),
    ("ftp://files.example/a b", "ftp://files.example/a%20b"),
])
def test_redirect_sends_any_url_as_given(app: Flask, target: str, location: str) -> None:
    response = app.test_client().get("/leave", query_string={"to": target})
    assert response.status_code == 302
    assert response.headers["Location"] == location


def test_a_number_becomes_a_relative_location(app: Flask) -> None:
    response = app.test_client().get("/number")
    assert (response.status_code, response.headers["Location"]) == (302, "5")


@pytest.mark.parametrize("target", ["", "https://a.example/\r\nSet-Cookie: x=1"])
def test_an_empty_url_or_one_with_line_breaks_aborts(app: Flask, target: str) -> None:
    response = app.test_client().get("/leave", query_string={"to": target})
    assert response.status_code == 422
    assert "Set-Cookie" not in response.headers
    assert "Location" not in response.headers


def test_the_first_redirect_wins(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/twice").headers["Location"] == "https://hop.example/1"
    response = client.get("/leave?to=https://first.example/")
    assert response.headers["Location"] == "https://first.example/"


def test_redirectto_returns_the_url_for_tracking(app: Flask) -> None:
    response = app.test_client().get("/tracked")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == '<a href="https://shop.example/?a=1">shop</a>'


def test_treatascontent_renders_with_the_page_variables(app: Flask) -> None:
    assert app.test_client().get("/content").get_data(as_text=True) == "5/9/plain"


def test_treatascontent_that_renders_itself_is_bounded(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/loop").status_code == 422
    assert client.get("/content").status_code == 200


def test_raiseerror_aborts_with_the_fixed_notice(app: Flask) -> None:
    response = app.test_client().get("/raise")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "secret reason" not in body and "visible?" not in body


def test_outside_a_page_parameters_are_empty_and_redirect_aborts() -> None:
    ctx = AmpscriptContext(variables=Variables())
    text = "[%%=RequestParameter('a')=%%][%%=HTTPRequestHeader('Host')=%%]"
    assert render(text, ctx) == "[][]"
    with pytest.raises(AmpscriptError) as raised:
        render("%%[ Redirect('https://x.example/') ]%%", ctx)
    assert raised.value.function == "Redirect"
    assert str(raised.value) == assumptions.AMPSCRIPT_NO_PAGE.format(function="Redirect")


@pytest.mark.parametrize("content", ["%%=RequestParameter()=%%",
                                     "%%=RequestParameter('a', 'b')=%%",
                                     "%%[ Redirect() ]%%", "%%=RedirectTo('a', 'b')=%%"])
def test_wrong_argument_counts_abort(content: str) -> None:
    with pytest.raises(AmpscriptError):
        render(content, AmpscriptContext(variables=Variables()))
