"""``--pages DIR`` read on each request: files added, changed and removed while serving."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask, url_for

from emulator.app import create_app
from emulator.runtime import get_emulator


def _write(path: Path, text: str, later: float = 0.0) -> None:
    """Write ``text``; ``later`` moves its modification time past the file system's grain."""
    path.write_text(text, encoding="utf-8")
    if later:
        stamp = time.time() + later
        os.utime(path, (stamp, stamp))


def _page(text: str) -> str:
    return f'<script runat="server">Platform.Response.Write("{text}");</script>'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    pages = tmp_path / "pages"
    pages.mkdir()
    return pages


@pytest.fixture
def serve(folder: Path) -> Iterator[Callable[..., Flask]]:
    made: list[Flask] = []

    def build(**config: Any) -> Flask:
        app = create_app({"TESTING": True, "pages": str(folder), "ssjs_timeout": 5, **config})
        made.append(app)
        return app

    yield build
    for app in made:
        get_emulator(app).close()


def test_an_empty_folder_starts_the_workers_and_a_file_added_later_is_served(
        folder: Path, serve: Callable[..., Flask]) -> None:
    app = serve()
    client = app.test_client()
    missing = client.get("/late")
    assert missing.status_code == 404 and missing.json["emulator_error"] == "no_page"
    assert get_emulator(app).ssjs_pool is not None
    _write(folder / "late.html", _page("here"))
    answer = client.get("/late")
    assert (answer.status_code, answer.data) == (200, b"here")
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert get_emulator(app).journal.entries()[0].page == "late"


def test_a_changed_file_is_parsed_again_and_its_new_output_served(
        folder: Path, serve: Callable[..., Flask]) -> None:
    _write(folder / "p.html", _page("one"))
    client = serve().test_client()
    assert client.get("/p").data == b"one"
    _write(folder / "p.html", "<!-- mcemu: json -->\n" + _page("two, longer"), later=5)
    answer = client.get("/p")
    assert answer.data == b"two, longer"
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"  # the marker


def test_a_file_is_parsed_once_per_change_not_per_request(
        folder: Path, serve: Callable[..., Flask]) -> None:
    _write(folder / "p.html", _page("same"))
    app = serve()
    client = app.test_client()
    client.get("/p")
    first = get_emulator(app).pages.find("p")
    assert client.get("/p").data == b"same"
    assert get_emulator(app).pages.find("p") is first
    assert first.file.program() is first.file.program()


def test_a_removed_file_answers_404_listing_the_files_there_are_now(
        folder: Path, serve: Callable[..., Flask]) -> None:
    _write(folder / "gone.html", _page("x"))
    _write(folder / "kept.json", _page("{}"))
    client = serve().test_client()
    assert client.get("/gone").status_code == 200
    (folder / "gone.html").unlink()
    answer = client.get("/gone")
    assert answer.status_code == 404 and answer.json["emulator_error"] == "no_page"
    assert answer.json["mounts"]["/kept"] == "kept" and "/gone" not in answer.json["mounts"]
    assert "/token" in answer.json["mounts"] and str(folder) in answer.json["message"]
    assert get_emulator(client.application).mounts.keys() == answer.json["mounts"].keys()


def test_a_syntax_error_answers_500_naming_the_file_and_line(
        folder: Path, serve: Callable[..., Flask]) -> None:
    client = serve().test_client()
    _write(folder / "es6.html", '<p>\n<script runat="server">\nvar ok = 1;\nlet x = 2;\n</script>')
    answer = client.get("/es6")
    assert answer.status_code == 500
    assert answer.data.startswith(b"500 - es6.html, line 4: 'let' is not supported")
    entry = get_emulator(client.application).journal.entries()[0]
    assert (entry.error_file, entry.error_line) == (str(folder / "es6.html"), 4)


def test_files_added_later_never_take_a_mounted_path(
        folder: Path, serve: Callable[..., Flask], caplog: pytest.LogCaptureFixture) -> None:
    client = serve().test_client()
    _write(folder / "token.html", _page("mine"))
    _write(folder / "_emulator.html", _page("mine"))
    _write(folder / "two.html", _page("html"))
    _write(folder / "two.json", _page("json"))
    _write(folder / "bad name.html", _page("x"))
    assert client.post("/token", data=b"{}").data != b"mine"  # the built-in page still answers
    assert client.get("/_emulator").status_code == 302
    assert client.get("/two").data == b"html"  # the first file of a name keeps it
    answer = client.get("/nothing")
    ignored = answer.json["ignored_page_files"]
    assert set(ignored) == {"token.html", "_emulator.html", "two.json", "bad name.html"}
    assert "/token already serves the page 'token'" in ignored["token.html"]
    assert "not served" in caplog.text and "token.html" in caplog.text


@pytest.mark.parametrize("path", ["/a/b", "/_emulator/nope", "/.hidden", "/x~"])
def test_only_one_segment_names_reach_the_folder(
        folder: Path, serve: Callable[..., Flask], path: str) -> None:
    _write(folder / "a.html", _page("a"))
    (folder / ".hidden.html").write_text("h", encoding="utf-8")
    answer = serve().test_client().get(path)
    assert answer.status_code == 404
    assert answer.json["emulator_error"] in ("no_page", "no_admin_route")


def test_admin_methods_keep_their_405_beside_the_folder_rule(
        serve: Callable[..., Flask]) -> None:
    answer = serve().test_client().post("/_emulator/health", content_type="application/json")
    assert answer.status_code == 405


def test_page_rules_still_build_urls(serve: Callable[..., Flask]) -> None:
    app = serve()
    with app.test_request_context():
        assert url_for("page:/token", a="1") == "/token?a=1"
        assert url_for("page-files", name="x") == "/x"


@pytest.mark.slow
def test_a_running_server_serves_a_file_added_after_it_started(server: Any,
                                                               folder: Path) -> None:
    emu = server("--pages", str(folder))
    assert requests.get(f"{emu.url}/fresh", timeout=10).status_code == 404
    _write(folder / "fresh.html", _page("fresh"))
    answer = requests.get(f"{emu.url}/fresh", timeout=10)
    assert (answer.status_code, answer.text) == (200, "fresh")
    code, _, _ = emu.stop()
    assert code == 0
