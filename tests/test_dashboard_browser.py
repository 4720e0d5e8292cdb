"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, on a live server."""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO, token_body

from emulator.testing.live import LiveServer

CHROMIUM = "/usr/bin/chromium"
# The flags the machine notes ask for: no sandbox as root, no GPU, and none of Chromium's own
# network traffic, which this closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
TIMEOUT_MS = 15_000  # bound every wait, so a broken page fails the test instead of hanging it
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
HOSTILE_SCRIPT = "<script>window.__pwned = 'script'</script>"
HOSTILE_IMAGE = "<img src=x onerror=\"window.__pwned = 'onerror'\">"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"{CHROMIUM} is absent: install Debian's chromium package "
                              "(scripts/test does)"),
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for the module, with a fresh profile."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1366, "height": 900}, timeout=TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def server() -> Iterator[LiveServer]:
    with LiveServer() as live:
        yield live


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    tab = browser.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    try:
        yield tab
    finally:
        tab.close()
        browser.clear_cookies()


def ui(server: LiveServer, path: str = "/") -> str:
    return server.url_for("/_emulator/ui" + path)


def post_json(server: LiveServer, path: str, body: Any) -> Any:
    """POST JSON from this process, as a client of the emulator would (127.0.0.1 only)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(server.url_for(path), data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.read()
    except urllib.error.HTTPError as refused:  # a page's 4xx is still an answer
        with refused:
            return refused.read()


def request_token_in_form(page: Any, server: LiveServer, claims: str = "") -> None:
    page.goto(ui(server, "/token"))
    page.fill("textarea[name=claims]", claims)
    page.click("button:text('Request a token')")
    page.wait_for_selector("#token-status:text('200 OK')")


def test_a_token_from_the_form_shows_in_the_journal_and_in_http_properties(
        page: Any, server: LiveServer) -> None:
    request_token_in_form(page, server, '{"scope": "read"}')
    properties = page.locator("#token-properties")
    assert "Chrome" in properties.inner_text()  # the browser's own User-Agent reached the page
    page.click("a:text('Journal')")
    first = page.locator("#journal-rows tr").first
    assert "/token" in first.inner_text() and "200" in first.inner_text()
    page.goto(ui(server, "/data-extensions/HTTPProperties"))
    assert "Rows 1–1 of 1." in page.inner_text("p.paging")
    assert server.store.rows("HTTPProperties")[0]["Method"] == "POST"


def test_the_journal_refreshes_by_itself(page: Any, server: LiveServer) -> None:
    page.goto(ui(server, "/journal"))
    page.wait_for_selector("#journal-rows td.empty")
    post_json(server, "/token", token_body())
    page.wait_for_selector("#journal-rows a:text('/token')")  # no reload: the script's doing


def test_an_issued_token_verifies_and_a_tampered_one_does_not(page: Any,
                                                              server: LiveServer) -> None:
    request_token_in_form(page, server)
    page.click("button:text('Decode and verify this token')")
    verdict = page.locator("#jwt-verdict")
    assert verdict.inner_text().startswith("Verified: signed HS256 with demo-client")
    assert "token carries client_secret: secret-named field(s) 'client_secret'" in \
        page.inner_text("#jwt-warnings")
    assert DEMO["client_secret"] in page.inner_text("#jwt-payload")
    token = page.input_value("textarea[name=token]")
    header, payload, signature = token.split(".")
    forged = json.dumps({"client_id": DEMO["client_id"], "admin": True}).encode()
    segment = base64.urlsafe_b64encode(forged).rstrip(b"=").decode()
    page.fill("textarea[name=token]", f"{header}.{segment}.{signature}")
    page.click("button:text('Decode and verify')")
    assert page.locator("#jwt-verdict").inner_text().startswith("Does NOT verify")
    assert '"admin": true' in page.inner_text("#jwt-payload")


def test_browse_and_filter_a_data_extension(page: Any, server: LiveServer) -> None:
    rows = [{"Name": f"person {n}", "City": "Oslo" if n % 3 == 0 else "Lima"} for n in range(75)]
    post_json(server, "/_emulator/data-extensions",
              {"key": "People", "fields": [{"name": "Name", "type": "Text"},
                                           {"name": "City", "type": "Text"}], "rows": rows})
    page.goto(ui(server))
    assert page.inner_text("td[data-count=People]") == "75"
    page.click("a:text-is('People')")
    assert "Rows 1–50 of 75." in page.inner_text("p.paging")
    page.click("a[rel=next]")
    assert "Rows 51–75 of 75." in page.inner_text("p.paging")
    page.select_option("select[name=field]", "City")
    page.fill("input[name=value]", "oslo")  # text compares case-insensitively
    page.click("button:text('Filter')")
    assert "Rows 1–25 of 25 matching." in page.inner_text("p.paging")
    assert "Lima" not in page.inner_text("table.rows")
    assert "City" in page.inner_text("table.schema")


def test_reset_with_confirmation_removes_the_rows(page: Any, server: LiveServer) -> None:
    request_token_in_form(page, server)
    page.goto(ui(server, "/reset"))
    page.check("input[value=empty]")
    page.click("button:text('Reset')")  # refused by the browser: the box is not ticked
    assert server.store.count("HTTPProperties") == 1
    page.check("input[name=confirm]")
    page.click("button:text('Reset')")
    page.wait_for_selector("text=Reset done")
    assert page.inner_text("td[data-count=HTTPProperties]") == "0"
    assert page.inner_text("td[data-count=AppCredentials]") == "0"


def test_hostile_values_show_as_text_and_never_run(page: Any, server: LiveServer) -> None:
    field = "<img src=y onerror=\"window.__pwned = 'field'\">"
    post_json(server, "/_emulator/data-extensions", {
        "key": "Hostile", "fields": [{"name": "Script", "type": "Text"},
                                     {"name": field, "type": "Text"}],
        "rows": [{"Script": HOSTILE_SCRIPT, field: HOSTILE_IMAGE}]})
    post_json(server, "/token?q=<script>", HOSTILE_SCRIPT.encode() + b"{")
    shown = {"/data-extensions/Hostile": HOSTILE_SCRIPT, "/journal": "/token?q=<script>",
             "/journal/1": HOSTILE_SCRIPT}
    for path, text in shown.items():
        page.goto(ui(server, path))
        page.wait_for_load_state("load")
        assert page.evaluate("window.__pwned") is None, path
        assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0
        assert text in page.inner_text("main"), path
    page.goto(ui(server, "/data-extensions/Hostile"))
    assert HOSTILE_IMAGE in page.inner_text("table.rows") and field in page.inner_text("thead")


def test_a_stopped_emulator_shows_a_notice(page: Any) -> None:
    live = LiveServer().start()
    try:
        page.goto(live.url_for("/_emulator/ui/journal"))
        assert page.locator("#stopped").is_hidden()
    finally:
        live.stop()
    page.wait_for_selector("#stopped", state="visible")
    assert "not answering" in page.inner_text("#stopped")


def test_screenshots_of_every_view(page: Any, server: LiveServer) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    request_token_in_form(page, server, '{"scope": "read write"}')
    page.screenshot(path=SCREENSHOTS / "token.png", full_page=True)
    page.click("button:text('Decode and verify this token')")
    page.screenshot(path=SCREENSHOTS / "jwt.png", full_page=True)
    post_json(server, "/token", token_body(client_secret="wrong"))
    long_value = "a long value " * 30
    post_json(server, "/_emulator/data-extensions/CustomAppException/rows",
              [{"Message": "Invalid client", "Description": long_value,
                "FunctionName": "RequestToken"}])
    views = {"data-extensions": "/", "rows": "/data-extensions/HTTPProperties",
             "journal": "/journal", "request": "/journal/2", "exceptions": "/exceptions",
             "reset": "/reset"}
    for name, path in views.items():
        page.goto(ui(server, path))
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    page.goto(ui(server, "/exceptions"))
    assert long_value not in page.inner_text("table.rows")  # cut past 200 characters...
    page.click("details.cut summary")
    assert long_value.strip() in page.inner_text("table.rows")  # ...and whole a click away
    page.set_viewport_size({"width": 1920, "height": 1080})  # a projector
    page.goto(ui(server, "/journal"))
    page.screenshot(path=SCREENSHOTS / "journal-1080p.png")
    page.set_viewport_size({"width": 1366, "height": 900})
    print(f"screenshots: {SCREENSHOTS}")
    assert len(list(SCREENSHOTS.glob("*.png"))) >= len(views) + 3


def test_the_reset_choices_sit_one_per_row_beside_their_labels(page: Any,
                                                               server: LiveServer) -> None:
    page.goto(ui(server, "/reset"))
    rows = []
    for selector in ("input[name=to][value=start]", "input[name=to][value=fixtures]",
                     "input[name=to][value=empty]", "input[name=journal]",
                     "input[name=confirm]"):
        box = page.locator(selector).bounding_box()
        text = page.locator(f"label:has({selector}) > span").bounding_box()
        assert box["x"] + box["width"] <= text["x"], selector  # beside its text, on its left
        line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight) || 24")
        assert abs((box["y"] + box["height"] / 2) - (text["y"] + line / 2)) < line, selector
        rows.append((box, text))
    for (_, above_text), (below, _) in zip(rows, rows[1:], strict=False):  # one per row
        assert below["y"] >= above_text["y"] + above_text["height"] - 1
    assert len({round(box["x"]) for box, _ in rows[:3]}) == 1  # the radios in one column


def test_a_wide_data_extension_scrolls_inside_its_box_not_the_page(page: Any,
                                                                   server: LiveServer) -> None:
    fields = [{"name": f"Field{n}", "type": "Text"} for n in range(30)]
    post_json(server, "/_emulator/data-extensions",
              {"key": "Wide", "fields": fields,
               "rows": [{f"Field{n}": f"value {n} " * 3 for n in range(30)}]})
    page.goto(ui(server, "/data-extensions/Wide"))
    sizes = page.evaluate("""() => {
        const box = document.querySelector('.scroll');
        return {page: document.documentElement.scrollWidth, view: window.innerWidth,
                inner: box.scrollWidth, outer: box.clientWidth,
                overflow: getComputedStyle(box).overflowX};
    }""")
    assert sizes["overflow"] == "auto"
    assert sizes["inner"] > sizes["outer"]  # the table is wider than its box: the box scrolls
    assert sizes["page"] <= sizes["view"]  # and the page itself does not
    page.screenshot(path=SCREENSHOTS / "rows-wide.png", full_page=True)


def test_the_journal_says_what_each_answer_meant(page: Any, server: LiveServer) -> None:
    post_json(server, "/token", token_body())
    post_json(server, "/nowhere", {})
    page.goto(ui(server, "/journal"))
    assert page.inner_text("#journal-rows tr:nth-child(1) td.outcome") == "refused: no_page"
    assert page.inner_text("#journal-rows tr:nth-child(2) td.outcome") == "token issued"
