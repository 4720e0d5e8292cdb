"""A page error's text, file and line: always in the journal, in the 500 body with ``debug``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import token_body, write_de

from emulator import assumptions
from emulator.runtime import get_emulator

PLATFORM_BODY = assumptions.UNCAUGHT_EXCEPTION_BODY.encode()
THROWS = ('<p>\n<script runat="server">\nfunction f() {\n  throw new Error("boom");\n}\n'
          '</script>\n<script runat="server">f();</script>')
MARKED = '<!-- mcemu: json -->\n<script runat="server">\nvar p = null;\np.x;\n</script>'


def _broken_token_app(make_app: Any, tmp_path: Path, **config: Any) -> Any:
    """The token page with no log Data Extensions: its catch block throws out of the page."""
    fixtures = tmp_path / "fixtures"
    write_de(fixtures, "Other", [{"name": "x", "type": "Text"}])
    return make_app({"fixtures": [str(fixtures)], "no_default_fixtures": True, **config})


def _pages_app(make_app: Any, tmp_path: Path, **config: Any) -> Any:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "throws.html").write_text(THROWS, encoding="utf-8")
    (folder / "marked.html").write_text(MARKED, encoding="utf-8")
    return make_app({"pages": str(folder), **config}), folder


@pytest.mark.parametrize("debug", [False, True])
def test_a_python_port_error_is_journaled_with_the_ports_file_and_line(
        make_app: Any, tmp_path: Path, debug: bool) -> None:
    app = _broken_token_app(make_app, tmp_path, debug=debug)
    answer = app.test_client().post("/token", data=token_body())
    entry = get_emulator(app).journal.entries()[0]
    assert entry.error == ("uncaught Error: A Data Extension with key CustomAppException does "
                           "not exist.")
    assert entry.error_file == "emulator/pages/token.py"
    source = Path(get_emulator(app).mounts["/token"].run.__code__.co_filename)
    assert "Rows" in source.read_text().splitlines()[entry.error_line - 1]  # the throwing call
    if debug:
        assert answer.data == (PLATFORM_BODY + f"\n\n{entry.error}\n  at emulator/pages/token.py,"
                               f" line {entry.error_line}\n".encode())
    else:
        assert answer.data == PLATFORM_BODY  # the platform's body, byte for byte


@pytest.mark.parametrize("debug", [False, True])
def test_an_ssjs_error_names_the_page_file_and_its_line(make_app: Any, tmp_path: Path,
                                                         debug: bool) -> None:
    app, folder = _pages_app(make_app, tmp_path, debug=debug)
    answer = app.test_client().get("/throws")
    assert answer.status_code == 500
    entry = get_emulator(app).journal.entries()[0]
    assert (entry.error, entry.error_file, entry.error_line) == (
        "uncaught Error: boom", str(folder / "throws.html"), 4)  # in f, not where f was called
    expected = PLATFORM_BODY + (f"\n\nuncaught Error: boom\n  at {folder / 'throws.html'}, "
                                "line 4\n").encode() if debug else PLATFORM_BODY
    assert answer.data == expected


def test_a_marker_line_keeps_the_lines_those_of_the_file(make_app: Any, tmp_path: Path) -> None:
    app, folder = _pages_app(make_app, tmp_path)
    assert app.test_client().get("/marked").status_code == 500
    entry = get_emulator(app).journal.entries()[0]
    assert entry.error_line == 4 and "cannot read property 'x' of null" in entry.error


def test_the_dashboard_shows_the_error_file_and_line(make_app: Any, tmp_path: Path) -> None:
    app, folder = _pages_app(make_app, tmp_path)
    client = app.test_client()
    client.get("/throws")
    page = client.get("/_emulator/ui/journal/1").get_data(as_text=True)
    assert '<td class="bad" id="error">uncaught Error: boom</td>' in page
    assert f'<td id="error-where"><code>{folder / "throws.html"}</code>, line 4</td>' in page
    listing = client.get("/_emulator/ui/journal").get_data(as_text=True)
    assert "page error: uncaught Error: boom" in listing
