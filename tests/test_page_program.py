"""A page is one program: control flow across script blocks, AMPscript pages, 422, page ids."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask

from emulator import assumptions
from emulator.ampscript.links import decode_qs, encode_qs, query_pairs
from emulator.app import create_app
from emulator.errors import ConfigError
from emulator.pages import LANDING_PAGE
from emulator.runtime import get_emulator
from emulator.script.errors import AmpscriptError
from emulator.ssjs.compiler import compile_page
from emulator.ssjs.pagefile import MarkerError, parse_page, read_marker
from emulator.ssjs.syntax import SsjsSyntaxError

PAGES = Path(__file__).parent / "pages_one_program"
NOTICE = assumptions.AMPSCRIPT_ABORT_BODY.encode()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("one") / "pages"
    shutil.copytree(PAGES, copy)
    return copy


@pytest.fixture(scope="module")
def app(folder: Path) -> Iterator[Flask]:
    application = create_app({"TESTING": True, "pages": str(folder), "ssjs_timeout": 10})
    yield application
    get_emulator(application).close()


def _text(app: Flask, path: str, **kwargs: object) -> tuple[int, str]:
    answer = app.test_client().open(path, **kwargs)
    return answer.status_code, answer.get_data(as_text=True)


def test_a_try_in_one_block_catches_the_ampscript_between_blocks(app: Flask) -> None:
    status, text = _text(app, "/guarded?mode=fail")
    assert status == 200
    assert "<p>caught: the lookup went wrong</p>" in text
    assert "went fine" not in text and text.startswith("<h1>Guarded</h1>")
    assert text.endswith("<footer>end</footer>")
    status, text = _text(app, "/guarded?mode=calm")
    assert status == 200 and "<p>mode calm went fine</p>" in text and "caught" not in text


def test_uncaught_ampscript_answers_422_with_the_notice_only(app: Flask) -> None:
    answer = app.test_client().get("/unguarded")
    assert (answer.status_code, answer.data) == (422, NOTICE)
    entry = get_emulator(app).journal.entries()[0]
    assert entry.status == 422
    assert entry.error is not None and "in Add" in entry.error and "line 4" in entry.error
    assert entry.error_file is not None and entry.error_file.endswith("unguarded.html")
    assert entry.error_line == 4


def test_the_debug_body_says_what_failed_and_where(folder: Path) -> None:
    application = create_app({"TESTING": True, "pages": str(folder), "debug": True})
    try:
        answer = application.test_client().get("/unguarded")
    finally:
        get_emulator(application).close()
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422 and text.startswith(assumptions.AMPSCRIPT_ABORT_BODY)
    assert "AMPscript error in Add at line 4, column" in text
    assert "unguarded.html, line 4" in text


def test_a_javascript_loop_repeats_the_html_inside_it(app: Flask) -> None:
    status, text = _text(app, "/loop")
    assert status == 200
    assert [line for line in text.splitlines() if line.startswith("<li>")] == [
        "<li>red</li>", "<li>green</li>", "<li>blue</li>"]


@pytest.mark.parametrize(("who", "shown", "hidden"), [
    ("admin", "<b>admin tools</b>", "hello"),
    ("ann", "<i>hello ann</i>", "admin tools"),
    ("", "<i>nobody</i>", "hello"),
])
def test_an_ampscript_if_decides_which_script_block_runs(
        app: Flask, who: str, shown: str, hidden: str) -> None:
    status, text = _text(app, f"/branch?who={who}")
    assert status == 200 and shown in text and hidden not in text
    assert "[1][2][3]" in text  # a FOR around a script block runs it once per pass


def test_an_ampscript_only_page_runs_without_a_worker(folder: Path) -> None:
    application = create_app({"TESTING": True, "pages": str(folder)})
    try:
        get_emulator(application).ssjs_pool.close()  # no worker could run anything now
        status, text = _text(application, "/table")
        assert _text(application, "/loop")[0] == 500  # a page with a script needs one
    finally:
        get_emulator(application).close()
    assert status == 200
    assert "<tr><td>3</td><td>9</td></tr>" in text and text.count("<tr>") == 3


def test_a_form_posts_back_to_itself(app: Flask) -> None:
    status, form = _text(app, "/signup")
    assert status == 200 and '<form method="post">' in form and "Thanks" not in form
    status, done = _text(app, "/signup", method="POST",
                         data={"name": "ada LOVELACE", "email": "Ada@Example.com",
                               "submitted": "yes"})
    assert status == 200 and "<form" not in done
    assert "<p>Thanks, Ada Lovelace. We wrote to ada@example.com.</p>" in done


def test_a_json_code_resource_routes_on_a_parameter(app: Flask) -> None:
    answer = app.test_client().get("/router?action=sum")
    assert answer.status_code == 200
    assert answer.content_type == "application/json; charset=utf-8"
    assert answer.get_data(as_text=True) == '{"ok":true,"total":5}'
    assert app.test_client().get("/router").get_data(as_text=True) == (
        '{"ok":false,"error":"unknown action"}')


def test_a_cloudpagesurl_link_carries_its_pairs_to_the_target_page(app: Flask) -> None:
    client = app.test_client()
    status, text = _text(app, "/start")
    assert status == 200
    href = text.split('href="')[1].split('"')[0]
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "localhost", "/target")
    assert parts.query.startswith("qs=") and "A-17" not in parts.query  # opaque
    answer = client.get(f"{parts.path}?{parts.query}")
    assert answer.get_data(as_text=True) == "order=A-17;note=fish & chips"
    # the first character after qs= always carries payload bits (the last may be padding)
    first = parts.query[3]
    changed = "qs=" + ("B" if first != "B" else "C") + parts.query[4:]
    assert client.get(f"/target?{changed}").get_data(as_text=True) == "order=;note="


def test_a_syntax_error_in_a_later_block_names_the_files_line(app: Flask) -> None:
    answer = app.test_client().get("/late_error")
    assert answer.status_code == 500
    assert b"late_error.html, line 8: syntax error" in answer.data
    assert get_emulator(app).journal.entries()[0].error_line == 8


def test_an_endless_for_stops_with_the_convergence_error(app: Flask) -> None:
    answer = app.test_client().get("/endless")
    assert (answer.status_code, answer.data) == (422, NOTICE)
    assert "did not converge" in (get_emulator(app).journal.entries()[0].error or "")


def test_a_second_redirect_is_never_reached(app: Flask) -> None:
    answer = app.test_client().get("/twice")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "https://example.com/first"
    assert app.test_client().get("/table").status_code == 200  # the server keeps answering


def test_a_page_compiles_once_per_modification(app: Flask, folder: Path) -> None:
    client = app.test_client()
    for _ in range(3):
        client.get("/table")
        client.get("/loop")
    for name in ("table", "loop"):
        page = get_emulator(app).pages.find(name)
        assert page is not None and page.file is not None
        assert page.file.compiles == 1


def test_a_5_mb_literal_and_deep_nesting(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    big = "x" * (5 * 1024 * 1024)
    write = '<script runat="server">Platform.Response.Write({});</script>'
    (pages / "big.html").write_text(f"<p>{big}</p>{write.format(1)}%%=Concat(\"!\")=%%",
                                    encoding="utf-8")
    (pages / "bigamp.html").write_text(f"%%[ SET @a = 1 ]%%{big}", encoding="utf-8")
    deep = "%%[ IF 1 == 1 THEN ]%%" * 150 + "in" + "%%[ ENDIF ]%%" * 150
    (pages / "deep.html").write_text(deep, encoding="utf-8")
    nested = "if (true) {" * 150 + "v = 2;" + "}" * 150
    js = f'<script runat="server">var v = 0; {nested} Platform.Response.Write(v);</script>'
    (pages / "deepjs.html").write_text(js, encoding="utf-8")
    application = create_app({"TESTING": True, "pages": str(pages), "ssjs_timeout": 20})
    try:
        client = application.test_client()
        answer = client.get("/big")
        assert answer.status_code == 200 and len(answer.data) == len(big) + 9
        assert answer.data.endswith(b"</p>1!")
        assert client.get("/bigamp").data == big.encode()
        nested = client.get("/deep")
        assert nested.status_code == 422
        assert "nested deeper than" in get_emulator(application).journal.entries()[0].error
        assert client.get("/deepjs").data == b"2"
    finally:
        get_emulator(application).close()


# --- Compiling, markers and links without a server --------------------------------------------

def test_a_function_declared_in_a_later_block_is_hoisted_only_there() -> None:
    page = compile_page('<script runat="server">var a = typeof f;</script>'
                        '<script runat="server">function f() {}</script>')
    assert page.script is not None and "{function f() {}}" in page.script


def test_script_blocks_keep_their_file_lines_in_the_program() -> None:
    text = 'a\n%%[ IF 1 == 1 THEN ]%%\n<script runat="server">\nvar x = 1;\n</script>\n' \
           '%%[ ENDIF ]%%\n<script runat="server">x = 2;</script>'
    page = compile_page(text)
    assert page.script is not None
    lines = page.script.split("\n")
    assert lines[3].strip() == "var x = 1;"  # file line 4
    assert "x = 2;" in lines[6]  # file line 7
    assert page.blocks == ((3, 5), (7, 7))


def test_an_ampscript_only_page_has_no_script() -> None:
    assert compile_page("%%[ SET @a = 1 ]%%<p>%%=v(@a)=%%</p>").script is None


def test_an_ampscript_syntax_error_names_the_files_line_past_the_marker() -> None:
    with pytest.raises(AmpscriptError) as caught:
        parse_page("<!-- mcemu: html id=5 -->\n<p>\n%%[ IF 1 THEN ]%%", LANDING_PAGE, "p.html")
    assert caught.value.line == 3 and "IF without ENDIF" in caught.value.message


def test_a_javascript_error_spanning_blocks_names_the_line() -> None:
    with pytest.raises(SsjsSyntaxError, match=r"p.html, line 3: syntax error"):
        compile_page('<script runat="server">try {</script>\n%%=v(@a)=%%\n'
                     '<script runat="server">} finally ( {</script>', where="p.html")


@pytest.mark.parametrize(("marker", "kind", "page_id"), [
    ("<!-- mcemu: html id=1234 -->\n", LANDING_PAGE, 1234),
    ("<!--MCEMU: json ID = 7-->\n", "application/json", 7),
    ("<!-- mcemu: id=2147483647 -->\n", None, 2147483647),
    ("<!-- mcemu: html -->\n", LANDING_PAGE, None),
])
def test_the_marker_gives_a_type_and_an_id(marker: str, kind: str | None,
                                           page_id: int | None) -> None:
    found = read_marker(marker + "body")
    assert found[:2] == (kind, page_id) and found[2] == len(marker)


@pytest.mark.parametrize(("marker", "said"), [
    ("<!-- mcemu: html id=0 -->", "page id '0' is not a whole number from 1 to 2147483647"),
    ("<!-- mcemu: html id=2147483648 -->", "is not a whole number"),
    ("<!-- mcemu: html id=12a -->", "page id '12a'"),
    ("<!-- mcemu: html id= -->", "page id ''"),
    ("<!-- mcemu: html name=x -->", "unknown marker option 'name'; accepted: id=<page id>"),
    ("<!-- mcemu: html 12 -->", "cannot read the marker options '12'"),
])
def test_a_bad_marker_says_what_is_accepted(marker: str, said: str) -> None:
    with pytest.raises(MarkerError, match=None) as caught:
        read_marker(marker + "\nbody")
    assert said in str(caught.value)


def test_two_files_with_one_id_or_a_bad_id_are_refused_at_start(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<!-- mcemu: html id=9 -->\na", encoding="utf-8")
    (tmp_path / "b.html").write_text("<!-- mcemu: html id=9 -->\nb", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"b.html: page id 9 is also given to .*a.html"):
        create_app({"TESTING": True, "pages": str(tmp_path)})
    (tmp_path / "b.html").write_text("<!-- mcemu: html id=nine -->\nb", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"b.html: first-line marker: page id 'nine'"):
        create_app({"TESTING": True, "pages": str(tmp_path)})


def test_qs_round_trip_and_refusals() -> None:
    pairs = (("a", "1"), ("b", "x & y=z"), ("é", ""))
    qs = encode_qs(pairs)
    assert decode_qs(qs) == pairs
    tampered = ("B" if qs[0] != "B" else "C") + qs[1:]
    for bad in ("", "!!!", "AAAA", tampered, qs[:-4], "A" * 70_000):
        assert decode_qs(bad) is None
    assert query_pairs((("qs", qs), ("c", "3"))) == (*pairs, ("c", "3"))
    assert query_pairs((("qs", "junk"),)) == (("qs", "junk"),)
