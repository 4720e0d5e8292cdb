"""``mcemu serve --pages``: a real server process serves SSJS pages and stops its workers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from conftest import process_gone


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


@pytest.mark.slow
def test_serve_pages_answers_and_leaves_no_worker_behind(server, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "hello.html").write_text(
        '<b><script runat="server">Platform.Response.Write("hi " + '
        'Platform.Request.Method);</script></b>\n', encoding="utf-8")
    (folder / "loop.html").write_text('<script runat="server">for (;;) {}</script>',
                                      encoding="utf-8")
    # A worker's start-up is not counted against the time limit: a short one holds.
    emu = server("--pages", str(folder), env={"MCEMU_SSJS_TIMEOUT": "1"})
    assert any(f"{emu.url}/hello" in line for line in emu.banner)
    answer = requests.post(f"{emu.url}/hello", timeout=10)
    assert (answer.status_code, answer.text) == (200, "<b>hi POST</b>")
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert requests.get(f"{emu.url}/loop", timeout=10).status_code == 408
    assert requests.get(f"{emu.url}/hello", timeout=10).text == "<b>hi GET</b>"
    workers = _children(emu.process.pid)
    assert workers
    code, _, _ = emu.stop()
    assert code == 0
    deadline = time.monotonic() + 10  # bounded wait for the kernel to reap the orphans
    while time.monotonic() < deadline and not all(process_gone(pid) for pid in workers):
        time.sleep(0.05)
    assert all(process_gone(pid) for pid in workers)
